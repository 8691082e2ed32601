/* Verified on its own with an `__arg_ctx` argument, the function's read past the
 * context is refused as a context access. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __arg_ctx __attribute__((btf_decl_tag("arg:ctx")))

__noinline int far(void *ctx __arg_ctx)
{
	return *(__u64 *)((char *)ctx + 4096);
}

SEC("socket")
int g_arg_ctx_oob(struct __sk_buff *skb)
{
	return far(skb);
}

char LICENSE[] SEC("license") = "GPL";
