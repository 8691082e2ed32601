/* Map-in-map: an array of maps and a hash of maps whose inner maps are declared statically
 * (libbpf creates and inserts them); the program looks up the inner map, then a value. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner inner_a SEC(".maps");
struct inner inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} outer_arr SEC(".maps") = {
	.values = { &inner_a, &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner);
} outer_hash SEC(".maps") = {
	.values = { [3] = &inner_b },
};

SEC("xdp")
int xdp_map_in_map(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__u32 sel, slot = 1, hk = 3, *v;
	void *in;

	if ((void *)(p + 1) > data_end)
		return XDP_DROP;
	sel = *p & 1;
	in = bpf_map_lookup_elem(&outer_arr, &sel);
	if (!in)
		return XDP_ABORTED;
	v = bpf_map_lookup_elem(in, &slot);
	if (!v)
		return XDP_ABORTED;
	*v += 1;
	in = bpf_map_lookup_elem(&outer_hash, &hk);
	if (!in)
		return XDP_ABORTED;
	v = bpf_map_lookup_elem(in, &slot);
	if (!v)
		return XDP_ABORTED;
	return *v >= 2 ? XDP_TX : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
