/* An `__arg_ctx` argument given a stack pointer: "arg#0 expects pointer to ctx". */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __arg_ctx __attribute__((btf_decl_tag("arg:ctx")))

__noinline int len_of(void *ctx __arg_ctx)
{
	struct __sk_buff *skb = ctx;

	return skb->len;
}

SEC("socket")
int g_arg_ctx_stack(struct __sk_buff *skb)
{
	__u64 x = 0;

	return len_of(&x);
}

char LICENSE[] SEC("license") = "GPL";
