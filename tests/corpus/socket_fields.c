/* Reads many __sk_buff fields (each a context rewrite in the kernel) and folds them into a
 * record kept in a .bss struct; the return value mixes a few of them. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct seen {
	__u32 len;
	__u32 pkt_type;
	__u32 protocol;
	__u32 vlan_present;
	__u32 queue_mapping;
	__u32 ifindex;
	__u32 mark;
	__u32 priority;
	__u32 cb0;
};

struct seen seen;

SEC("socket")
int socket_fields(struct __sk_buff *skb)
{
	seen.len = skb->len;
	seen.pkt_type = skb->pkt_type;
	seen.protocol = skb->protocol;
	seen.vlan_present = skb->vlan_present;
	seen.queue_mapping = skb->queue_mapping;
	seen.ifindex = skb->ifindex;
	seen.mark = skb->mark;
	seen.priority = skb->priority;
	skb->cb[0] = skb->len ^ 0x5a5a;
	seen.cb0 = skb->cb[0];
	return (skb->len + skb->pkt_type) & 0xffff;
}

char LICENSE[] SEC("license") = "GPL";
