/* Must be rejected: a socket filter writes skb->mark, which is read-only for this type.
 * kernel-rejects: invalid bpf_context access */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int socket_ctx_write(struct __sk_buff *skb)
{
	skb->mark = 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
