/* Benchmark: an XDP header parser (Ethernet, optional 802.1Q, IPv4 with options or IPv6,
 * TCP or UDP) that returns a 32-bit hash of the 5-tuple, 0 for what it does not parse. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

static __always_inline __u32 mix(__u32 h, __u32 v)
{
	h ^= v;
	h *= 0x01000193u;
	return h ^ (h >> 15);
}

SEC("xdp")
int bench_parse(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l3;
	__u16 proto;
	__u8 l4proto;
	struct udphdr *l4; /* TCP and UDP ports sit at the same offsets */
	__u32 h = 0x811c9dc5u;

	if ((void *)(eth + 1) > data_end)
		return 0;
	proto = eth->h_proto;
	l3 = eth + 1;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		__be16 *vlan = l3;
		if ((void *)(vlan + 2) > data_end)
			return 0;
		proto = vlan[1];
		l3 = vlan + 2;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;
		__u32 ihl;
		if ((void *)(ip + 1) > data_end)
			return 0;
		ihl = ip->ihl * 4;
		if (ihl < sizeof(*ip) || l3 + ihl > data_end)
			return 0;
		h = mix(h, ip->saddr);
		h = mix(h, ip->daddr);
		l4proto = ip->protocol;
		l4 = l3 + ihl;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;
		if ((void *)(ip6 + 1) > data_end)
			return 0;
		for (int i = 0; i < 4; i++)
			h = mix(h, ip6->saddr.in6_u.u6_addr32[i] ^ ip6->daddr.in6_u.u6_addr32[i]);
		l4proto = ip6->nexthdr;
		l4 = (void *)(ip6 + 1);
	} else {
		return 0;
	}
	if (l4proto != IPPROTO_TCP && l4proto != IPPROTO_UDP)
		return 0;
	if ((void *)(l4 + 1) > data_end)
		return 0;
	h = mix(h, l4proto);
	h = mix(h, (__u32)l4->source << 16 | l4->dest);
	return h;
}

char LICENSE[] SEC("license") = "GPL";
