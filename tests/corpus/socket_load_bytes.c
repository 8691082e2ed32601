/* Socket filter that reads headers with bpf_skb_load_bytes (no direct packet access in
 * socket filters) and keeps only UDP over IPv4, truncated to 96 bytes. As for a socket,
 * offset 0 is the network header: the Ethernet header is already consumed and its
 * EtherType is in skb->protocol. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <stddef.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

__u32 last_dport;

SEC("socket")
int socket_udp_only(struct __sk_buff *skb)
{
	__u8 ihl_byte, l4;
	struct udphdr udp;
	__u32 off;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, 0, &ihl_byte, 1))
		return 0;
	if (bpf_skb_load_bytes(skb, offsetof(struct iphdr, protocol), &l4, 1))
		return 0;
	if (l4 != IPPROTO_UDP)
		return 0;
	off = (ihl_byte & 0x0f) * 4;
	if (bpf_skb_load_bytes(skb, off, &udp, sizeof(udp)))
		return 0;
	last_dport = bpf_ntohs(udp.dest);
	return skb->len < 96 ? skb->len : 96;
}

char LICENSE[] SEC("license") = "GPL";
