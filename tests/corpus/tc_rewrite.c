/* tc program that decrements the IPv4 TTL with bpf_skb_store_bytes and fixes the header
 * checksum with bpf_l3_csum_replace; drops when the TTL would reach zero. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <stddef.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define IP_OFF ETH_HLEN
#define TTL_OFF (IP_OFF + offsetof(struct iphdr, ttl))
#define CSUM_OFF (IP_OFF + offsetof(struct iphdr, check))

SEC("tc")
int tc_ttl_dec(struct __sk_buff *skb)
{
	__u16 proto;
	__u8 ttl, newttl;
	__be16 oldw, neww;

	if (bpf_skb_load_bytes(skb, offsetof(struct ethhdr, h_proto), &proto, 2))
		return TC_ACT_SHOT;
	if (proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, TTL_OFF, &ttl, 1))
		return TC_ACT_SHOT;
	if (ttl <= 1)
		return TC_ACT_SHOT;
	newttl = ttl - 1;
	/* TTL is the high byte of the 16-bit word it shares with the protocol. */
	oldw = bpf_htons((__u16)ttl << 8);
	neww = bpf_htons((__u16)newttl << 8);
	if (bpf_l3_csum_replace(skb, CSUM_OFF, oldw, neww, 2))
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, TTL_OFF, &newttl, 1, 0))
		return TC_ACT_SHOT;
	return TC_ACT_PIPE;
}

char LICENSE[] SEC("license") = "GPL";
