/* bpf_xdp_adjust_tail: truncates every frame longer than 64 bytes to 64 and grows frames
 * shorter than 60 bytes to 60 (zero padding), then reports the new length in a .bss slot. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u32 new_len;

SEC("xdp")
int xdp_trim(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;

	if (len > 64) {
		if (bpf_xdp_adjust_tail(ctx, 64 - len))
			return XDP_ABORTED;
	} else if (len < 60) {
		if (bpf_xdp_adjust_tail(ctx, 60 - len))
			return XDP_ABORTED;
	}
	new_len = ctx->data_end - ctx->data;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
