/* Benchmark: a pure ALU loop, 1000 rounds of multiply, xor-shift, rotate and add in 64 and
 * 32 bits, seeded by the packet length. Returns the low 32 bits of the state. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bench.h"

SEC("xdp")
int bench_alu(struct xdp_md *ctx)
{
	__u64 x = ctx->data_end - ctx->data;
	__u32 w = 0x12345678;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < BENCH_ALU_ITERS; i++) {
		x = x * 0x9e3779b97f4a7c15ull + i;
		x ^= x >> 29;
		x = (x << 13) | (x >> 51);
		w = (w ^ (__u32)x) * 0x85ebca6bu;
		w ^= w >> 13;
		x += w;
	}
	return (__u32)x;
}

char LICENSE[] SEC("license") = "GPL";
