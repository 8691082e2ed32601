/* Must be rejected: dereferences a map lookup result without the NULL check.
 * kernel-rejects: invalid mem access 'map_value_or_null' */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} nullable SEC(".maps");

SEC("socket")
int socket_map_null(struct __sk_buff *skb)
{
	__u32 k = skb->len;
	__u64 *v = bpf_map_lookup_elem(&nullable, &k);

	return *v;
}

char LICENSE[] SEC("license") = "GPL";
