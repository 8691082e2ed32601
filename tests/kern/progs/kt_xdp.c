/* Test programs for the kernel front end: maps of several kinds, two XDP programs
 * (one counts packets in a map), for load/loadall/show/dump/run/attach. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} kt_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} kt_hash SEC(".maps");

SEC("xdp")
int kt_count(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&kt_counts, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (data + 1 <= end && *(unsigned char *)data == 0xff)
		return XDP_DROP;
	return XDP_PASS;
}

SEC("xdp")
int kt_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
