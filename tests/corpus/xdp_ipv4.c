/* IPv4 + TCP/UDP parser with data_end checks at every layer, a variable IHL, per-protocol
 * counters in a per-CPU array and a drop rule for TCP port 23. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum { S_TCP, S_UDP, S_ICMP, S_OTHER, S_BYTES, S_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, S_MAX);
	__type(key, __u32);
	__type(value, __u64);
} ip4_stats SEC(".maps");

static __always_inline void add(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&ip4_stats, &idx);
	if (v)
		*v += n;
}

SEC("xdp")
int xdp_ipv4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__u32 ihl;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;
	ihl = ip->ihl * 4;
	if (ihl < sizeof(*ip))
		return XDP_DROP;
	if ((void *)ip + ihl > data_end)
		return XDP_DROP;
	add(S_BYTES, bpf_ntohs(ip->tot_len));

	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)ip + ihl;
		if ((void *)(tcp + 1) > data_end)
			return XDP_DROP;
		add(S_TCP, 1);
		if (tcp->dest == bpf_htons(23))
			return XDP_DROP;
		return XDP_PASS;
	}
	if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)ip + ihl;
		if ((void *)(udp + 1) > data_end)
			return XDP_DROP;
		add(S_UDP, 1);
		return bpf_ntohs(udp->dest) == 53 ? XDP_TX : XDP_PASS;
	}
	add(ip->protocol == IPPROTO_ICMP ? S_ICMP : S_OTHER, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
