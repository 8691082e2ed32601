/* A global function's pointer argument may be NULL: it must check before reading. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__noinline int first(__u32 *p)
{
	return *p;
}

SEC("socket")
int g_null(struct __sk_buff *skb)
{
	__u32 v = skb->len;

	return first(&v);
}

char LICENSE[] SEC("license") = "GPL";
