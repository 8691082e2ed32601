/* A struct passed by value to a global function: "Arg#0 type STRUCT in sum() is not
 * supported yet." at the call. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pair {
	int a, b;
};

__noinline int sum(struct pair p)
{
	return p.a + p.b;
}

SEC("socket")
int g_struct_arg(struct __sk_buff *skb)
{
	struct pair p = { skb->len, 2 };

	return sum(p);
}

char LICENSE[] SEC("license") = "GPL";
