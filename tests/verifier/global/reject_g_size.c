/* The caller must pass memory of the pointee's size: 16 bytes wanted, 8 given. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pair { __u64 a, b; };

__noinline int add_pair(struct pair *p)
{
	if (!p)
		return 0;
	return p->a + p->b;
}

SEC("xdp")
int g_size(struct xdp_md *ctx)
{
	__u64 one = ctx->ingress_ifindex;

	return add_pair((struct pair *)&one) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
