/* The counter lives in a stack slot (volatile: spilled and filled every iteration); the
 * spilled scalar is widened as a register is. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "can_loop.h"

SEC("socket")
int mg_stack(struct __sk_buff *skb)
{
	volatile __u64 n = 0;
	__u64 s = skb->len;

	while (can_loop) {
		n = n + 1;
		s ^= n;
	}
	return s & 1;
}

char LICENSE[] SEC("license") = "GPL";
