/* The index only grows: after the loop it is an unknown scalar (widened), and the store
 * through it is out of the map value's bounds. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "can_loop.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[8]);
} vals SEC(".maps");

SEC("socket")
int reject_mg_index(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 i = 0;
	__u8 *v = bpf_map_lookup_elem(&vals, &k);

	if (!v)
		return 0;
	while (can_loop)
		i += 2;
	v[i] = 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
