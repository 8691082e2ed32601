/* The global function is unsafe for some argument its prototype allows (off up to 4096):
 * rejected even though every caller passes a small offset. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__noinline int at(struct xdp_md *ctx, __u32 off)
{
	__u8 *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (data + 16 > (__u8 *)end)
		return 0;
	return data[off & 4095];
}

SEC("xdp")
int g_body(struct xdp_md *ctx)
{
	return at(ctx, 3) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
