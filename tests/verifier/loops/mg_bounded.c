/* A bounded index checked in the loop condition: the index is precise, so the kernel
 * walks the eight iterations one by one; the byte sum changes and is widened. */
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
int mg_bounded(struct __sk_buff *skb)
{
	__u32 k = 0, sum = 0;
	__u8 *v = bpf_map_lookup_elem(&vals, &k);

	if (!v)
		return 0;
	for (__u32 i = 0; i < 8 && can_loop; i++)
		sum += v[i];
	return sum;
}

char LICENSE[] SEC("license") = "GPL";
