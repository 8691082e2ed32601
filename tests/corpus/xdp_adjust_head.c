/* Encapsulation with bpf_xdp_adjust_head: pushes an outer Ethernet header carrying a
 * private EtherType in front of the frame, copies the MACs, then re-checks bounds. A second
 * program strips that header again. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_CORPUS 0x88b5 /* IEEE local experimental */

SEC("xdp")
int xdp_push_eth(struct xdp_md *ctx)
{
	struct ethhdr *outer, *inner;
	void *data, *data_end;

	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct ethhdr)))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	outer = data;
	inner = data + sizeof(*outer);
	if ((void *)(inner + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(outer->h_dest, inner->h_dest, ETH_ALEN);
	__builtin_memcpy(outer->h_source, inner->h_source, ETH_ALEN);
	outer->h_proto = bpf_htons(ETH_P_CORPUS);
	return XDP_TX;
}

SEC("xdp")
int xdp_pop_eth(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_CORPUS))
		return XDP_PASS;
	if (bpf_xdp_adjust_head(ctx, sizeof(struct ethhdr)))
		return XDP_ABORTED;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
