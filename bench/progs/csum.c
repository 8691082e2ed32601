/* Benchmark: the Internet checksum (RFC 1071) over the first 1500 bytes of the packet,
 * 16-bit words in memory order, folded and complemented. Returns the checksum. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bench.h"

SEC("xdp")
int bench_csum(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u16 *p = data;
	__u32 sum = 0;

#pragma clang loop unroll(disable)
	for (int i = 0; i < BENCH_CSUM_BYTES / 2; i++) {
		if ((void *)(p + i + 1) > data_end)
			break;
		sum += p[i];
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

char LICENSE[] SEC("license") = "GPL";
