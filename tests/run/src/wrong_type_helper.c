/* A socket filter may not call bpf_xdp_adjust_head. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("socket")
int sock_adjust(struct __sk_buff *skb)
{
	return bpf_xdp_adjust_head((void *)skb, 4);
}
char LICENSE[] SEC("license") = "GPL";
