/* Per-CPU array and per-CPU hash: each CPU's own slot is updated without atomics; the hash
 * is keyed by packet length bucket. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pc_total SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} pc_buckets SEC(".maps");

SEC("socket")
int socket_percpu(struct __sk_buff *skb)
{
	__u32 zero = 0, bucket = skb->len / 64;
	__u64 *t, *b, one = 1;

	t = bpf_map_lookup_elem(&pc_total, &zero);
	if (t)
		*t += skb->len;
	b = bpf_map_lookup_elem(&pc_buckets, &bucket);
	if (b)
		*b += 1;
	else
		bpf_map_update_elem(&pc_buckets, &bucket, &one, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
