/* bpf_loop with a callback and a context struct on the stack: sums the first N packet
 * bytes (N from the packet length, capped at 32) and stops early at a zero byte. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct loop_ctx {
	struct xdp_md *xdp;
	__u32 sum;
	__u32 steps;
};

static int step(__u32 i, void *arg)
{
	struct loop_ctx *c = arg;
	void *data = (void *)(long)c->xdp->data;
	void *data_end = (void *)(long)c->xdp->data_end;
	__u8 *p = data;

	if (i >= 64)
		return 1;
	if ((void *)(p + i + 1) > data_end)
		return 1;
	c->steps++;
	if (p[i] == 0)
		return 1; /* stop */
	c->sum += p[i];
	return 0;
}

__u32 loop_steps;

SEC("xdp")
int xdp_bpf_loop(struct xdp_md *ctx)
{
	struct loop_ctx c = { .xdp = ctx };
	__u32 n = ctx->data_end - ctx->data;
	long r;

	if (n > 32)
		n = 32;
	r = bpf_loop(n, step, &c, 0);
	loop_steps = c.steps;
	return r < 0 ? XDP_ABORTED : (c.sum & 1) ? XDP_TX : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
