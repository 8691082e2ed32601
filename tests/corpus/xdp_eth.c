/* Ethernet parser: counts frames per EtherType class in an array map and drops ARP.
 * Covers the data/data_end bounds check and a 16-bit big-endian load. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum { C_IPV4, C_IPV6, C_ARP, C_OTHER, C_SHORT, C_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, C_MAX);
	__type(key, __u32);
	__type(value, __u64);
} eth_counts SEC(".maps");

static __always_inline void bump(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&eth_counts, &idx);
	if (v)
		*v += 1;
}

SEC("xdp")
int xdp_eth(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end) {
		bump(C_SHORT);
		return XDP_ABORTED;
	}
	switch (bpf_ntohs(eth->h_proto)) {
	case ETH_P_IP:
		bump(C_IPV4);
		return XDP_PASS;
	case ETH_P_IPV6:
		bump(C_IPV6);
		return XDP_PASS;
	case ETH_P_ARP:
		bump(C_ARP);
		return XDP_DROP;
	default:
		bump(C_OTHER);
		return XDP_PASS;
	}
}

char LICENSE[] SEC("license") = "GPL";
