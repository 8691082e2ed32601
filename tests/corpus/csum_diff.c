/* bpf_csum_diff: recomputes the IPv4 header checksum of an XDP frame from scratch (checksum
 * field zeroed in a stack copy) and compares it with the one in the packet. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

__u32 computed_csum;

static __always_inline __u16 fold(__u64 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

SEC("xdp")
int xdp_csum_check(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip, copy;
	__s64 sum;
	__u16 c;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(&copy, ip, sizeof(copy));
	copy.check = 0;
	sum = bpf_csum_diff(0, 0, (__be32 *)&copy, sizeof(copy), 0);
	if (sum < 0)
		return XDP_ABORTED;
	c = fold(sum);
	computed_csum = c;
	return c == ip->check ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
