/* A global function returning void: "Global function put() doesn't return scalar." */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__noinline void put(__u32 *p, int v)
{
	if (p)
		*p = v;
}

SEC("socket")
int g_void_ret(struct __sk_buff *skb)
{
	__u32 v = 0;

	put(&v, skb->len);
	return v;
}

char LICENSE[] SEC("license") = "GPL";
