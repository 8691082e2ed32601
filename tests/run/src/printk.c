/* bpf_printk with several conversions, a map updated from the program, and a
 * per-cpu array, for the run command's output forms. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} pc SEC(".maps");
SEC("xdp")
int xdp_printk(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data, k = len & 7, z = 0;
	__u64 one = 1, *v = bpf_map_lookup_elem(&seen, &k);
	__u32 *c = bpf_map_lookup_elem(&pc, &z);
	if (v)
		*v += 100;
	else
		bpf_map_update_elem(&seen, &k, &one, BPF_ANY);
	if (c)
		*c += 1;
	bpf_printk("len %u key %d hex %x", len, k, 0xbeef);
	bpf_printk("neg %d lld %lld", -5, -7LL);
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
