/* sk_skb verdict + sk_msg programs and the sockmap they attach to (prog attach). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} kt_sockmap SEC(".maps");

SEC("sk_skb/stream_verdict")
int kt_verdict(struct __sk_buff *skb)
{
	return SK_PASS;
}

SEC("sk_msg")
int kt_msg(struct sk_msg_md *msg)
{
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
