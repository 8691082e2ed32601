/* Registers that change every iteration (a counter and a sum nothing checks): the
 * kernel widens them to unknown scalars at the third iteration and the loop converges. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "can_loop.h"

SEC("socket")
int mg_sum(struct __sk_buff *skb)
{
	__u64 i = 0, s = skb->len;

	while (can_loop) {
		s = s * 3 + i;
		i++;
	}
	return s & 1;
}

char LICENSE[] SEC("license") = "GPL";
