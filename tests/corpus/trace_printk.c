/* bpf_trace_printk through the bpf_printk macro: a constant-string format with one, two and
 * three arguments (the format string lives in .rodata). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int socket_printk(struct __sk_buff *skb)
{
	bpf_printk("corpus: len=%u", skb->len);
	bpf_printk("corpus: proto=%x type=%u", skb->protocol, skb->pkt_type);
	bpf_printk("corpus: %u %u %u", skb->len, skb->ifindex, skb->mark);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
