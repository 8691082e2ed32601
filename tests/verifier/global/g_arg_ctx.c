/* `__arg_ctx` (decl tag "arg:ctx") makes a `void *` argument of a global function the
 * program's context: the function reads a context field through it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define __arg_ctx __attribute__((btf_decl_tag("arg:ctx")))

__noinline int len_of(void *ctx __arg_ctx)
{
	struct __sk_buff *skb = ctx;

	return skb->len;
}

SEC("socket")
int g_arg_ctx(struct __sk_buff *skb)
{
	return len_of(skb) + len_of(skb);
}

char LICENSE[] SEC("license") = "GPL";
