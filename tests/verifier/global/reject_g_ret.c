/* The callee returns x & 7, but a global function's result is only "a scalar" to its
 * callers: indexing a map value with it is an unbounded access (a static function would
 * be accepted). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[8]);
} vals SEC(".maps");

__noinline int small(int x)
{
	return x & 7;
}

SEC("socket")
int g_ret(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u8 *v = bpf_map_lookup_elem(&vals, &k);

	if (!v)
		return 0;
	return v[small(skb->len)];
}

char LICENSE[] SEC("license") = "GPL";
