/* bpf_xdp_adjust_meta: reserves 8 bytes of metadata in front of the packet, writes a mark
 * derived from the first payload byte, reads it back through data_meta with bounds checks. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct meta {
	__u32 mark;
	__u32 len;
};

__u32 seen_mark;

SEC("xdp")
int xdp_meta(struct xdp_md *ctx)
{
	void *data, *data_end, *data_meta;
	struct meta *m;
	__u8 *first;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct meta)))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	data_meta = (void *)(long)ctx->data_meta;
	m = data_meta;
	if ((void *)(m + 1) > data)
		return XDP_ABORTED;
	first = data;
	if ((void *)(first + 1) > data_end)
		return XDP_DROP;
	m->mark = 0xc0de0000 | *first;
	m->len = data_end - data;

	/* Read it back as a consumer (e.g. a tc program) would. */
	m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > (void *)(long)ctx->data)
		return XDP_ABORTED;
	seen_mark = m->mark;
	return m->len > 40 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
