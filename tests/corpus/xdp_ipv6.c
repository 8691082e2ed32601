/* IPv6 parser: fixed header, next-header TCP/UDP, a hash map keyed by destination port
 * counting packets, and the low 32 bits of the source address hashed into the return path. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);
	__type(value, __u64);
} ip6_ports SEC(".maps");

SEC("xdp")
int xdp_ipv6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6;
	__u16 port;
	__u64 one = 1, *cnt;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	ip6 = (void *)(eth + 1);
	if ((void *)(ip6 + 1) > data_end)
		return XDP_DROP;
	if (ip6->hop_limit <= 1)
		return XDP_DROP;

	if (ip6->nexthdr == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip6 + 1);
		if ((void *)(tcp + 1) > data_end)
			return XDP_DROP;
		port = bpf_ntohs(tcp->dest);
	} else if (ip6->nexthdr == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip6 + 1);
		if ((void *)(udp + 1) > data_end)
			return XDP_DROP;
		port = bpf_ntohs(udp->dest);
	} else {
		return XDP_PASS;
	}
	cnt = bpf_map_lookup_elem(&ip6_ports, &port);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		bpf_map_update_elem(&ip6_ports, &port, &one, BPF_NOEXIST);
	return (ip6->saddr.in6_u.u6_addr32[3] & 1) ? XDP_TX : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
