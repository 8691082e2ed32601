/* Benchmark: CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) of the first 1500
 * packet bytes, one table lookup per byte (a .rodata table: cheap to verify, unlike the
 * branchy bit-at-a-time form). Returns the CRC. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bench.h"
#include "crc32_table.h"

SEC("xdp")
int bench_crc32(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__u32 crc = 0xffffffff;

#pragma clang loop unroll(disable)
	for (int i = 0; i < BENCH_CRC_BYTES; i++) {
		if ((void *)(p + i + 1) > data_end)
			break;
		crc = crc32_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	}
	return ~crc;
}

char LICENSE[] SEC("license") = "GPL";
