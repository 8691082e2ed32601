/* Array map: lookup, in-place update, bpf_map_update_elem with BPF_ANY/BPF_EXIST, and an
 * out-of-range key that must fail. Keyed by the first byte of the packet modulo 8. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

SEC("xdp")
int xdp_array(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__u32 key, bad = 8;
	__u64 *v, nv;

	if ((void *)(p + 1) > data_end)
		return XDP_DROP;
	key = *p & 7;
	v = bpf_map_lookup_elem(&arr, &key);
	if (!v)
		return XDP_ABORTED;
	nv = *v + 10;
	if (bpf_map_update_elem(&arr, &key, &nv, BPF_EXIST))
		return XDP_ABORTED;
	if (bpf_map_lookup_elem(&arr, &bad))
		return XDP_ABORTED;
	if (bpf_map_update_elem(&arr, &bad, &nv, BPF_ANY) == 0)
		return XDP_ABORTED;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
