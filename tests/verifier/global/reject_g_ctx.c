/* A global function's ctx argument must be the context itself. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__noinline int mark_of(struct __sk_buff *skb)
{
	return skb->mark;
}

SEC("tc")
int g_ctx(struct __sk_buff *skb)
{
	__u64 fake = 0;

	return mark_of((struct __sk_buff *)&fake);
}

char LICENSE[] SEC("license") = "GPL";
