/* tc classifier with direct packet access through __sk_buff data/data_end: classifies by
 * IPv4 DSCP and L4 port, writes skb->mark, skb->priority and tc_classid. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u16);
	__type(value, __u32);
} port_class SEC(".maps");

__u32 tc_marked;

SEC("tc")
int tc_classify(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct tcphdr *tcp;
	__u16 port;
	__u32 *cls;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_SHOT;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_SHOT;
	skb->priority = ip->tos >> 2;
	if (ip->protocol != IPPROTO_TCP || ip->ihl != 5)
		return TC_ACT_OK;
	tcp = (void *)(ip + 1);
	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_SHOT;
	port = bpf_ntohs(tcp->dest);
	cls = bpf_map_lookup_elem(&port_class, &port);
	skb->tc_classid = cls ? *cls : 0x10001;
	skb->mark = 0x100 | (port & 0xff);
	tc_marked++;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
