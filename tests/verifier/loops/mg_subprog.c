/* A can_loop loop in a static function called twice: the loop's visit is keyed by the
 * call site, and the state at each call converges on its own. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "can_loop.h"

static __noinline __u64 spin(__u64 x)
{
	__u64 n = 0;

	while (can_loop) {
		x = x * 5 + 1;
		n++;
	}
	return x + n;
}

SEC("socket")
int mg_subprog(struct __sk_buff *skb)
{
	return (spin(skb->len) ^ spin(skb->protocol)) & 1;
}

char LICENSE[] SEC("license") = "GPL";
