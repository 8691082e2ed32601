/* Packet bytes read in a can_loop loop with no check against data_end. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "can_loop.h"

SEC("xdp")
int reject_mg_pkt(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data;
	__u32 sum = 0;

	while (can_loop)
		sum += *p++;
	return sum & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
