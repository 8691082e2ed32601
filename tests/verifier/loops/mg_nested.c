/* Two nested can_loop loops, both counters changing. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "can_loop.h"

SEC("socket")
int mg_nested(struct __sk_buff *skb)
{
	__u64 a = 0, b = skb->len;

	while (can_loop) {
		a++;
		__u64 j = 0;
		while (can_loop) {
			b ^= j;
			j += 3;
		}
		b += j;
	}
	return (a + b) & 1;
}

char LICENSE[] SEC("license") = "GPL";
