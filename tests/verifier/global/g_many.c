/* One global function called from many places: the kernel verifies it once, so the
 * processed count grows with the calls, not with the callee's size times the calls. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__noinline int mixer(int x)
{
	int r = x;
#pragma unroll
	for (int i = 0; i < 16; i++)
		r = (r * 33) ^ (r >> 3);
	return r;
}

SEC("xdp")
int g_many(struct xdp_md *ctx)
{
	int acc = ctx->ingress_ifindex;

	acc = mixer(acc); acc = mixer(acc); acc = mixer(acc); acc = mixer(acc);
	acc = mixer(acc); acc = mixer(acc); acc = mixer(acc); acc = mixer(acc);
	return acc & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
