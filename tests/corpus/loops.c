/* Bounded loops the verifier walks (not unrolled): a 32-iteration checksum of a stack
 * buffer, a loop over up to 16 packet bytes with a bounds check per iteration, and a
 * nested 4x4 loop. Trip counts stay small so verification is cheap. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u32 loop_sum;

SEC("xdp")
int xdp_loops(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 buf[32];
	__u32 acc = 0, i, j;
	__u8 *p = data;

#pragma clang loop unroll(disable)
	for (i = 0; i < 32; i++)
		buf[i] = i * 2654435761u;
#pragma clang loop unroll(disable)
	for (i = 0; i < 32; i++)
		acc = (acc << 3 | acc >> 29) ^ buf[i];
#pragma clang loop unroll(disable)
	for (i = 0; i < 16; i++) {
		if ((void *)(p + i + 1) > data_end)
			break;
		acc += p[i];
	}
#pragma clang loop unroll(disable)
	for (i = 0; i < 4; i++)
#pragma clang loop unroll(disable)
		for (j = 0; j < 4; j++)
			acc += i * j;
	loop_sum = acc;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
