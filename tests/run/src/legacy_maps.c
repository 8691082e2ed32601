/* A legacy `maps` section (struct bpf_map_def), which libbpf 1.x refuses but older
 * loaders accepted; plus a .data counter and a .text subprogram called twice. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct bpf_map_def_legacy {
	unsigned int type, key_size, value_size, max_entries, map_flags;
};
struct bpf_map_def_legacy counts SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 2,
};
__u64 calls = 5;
static __attribute__((noinline)) int bump(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &k);
	if (v)
		*v += k + 1;
	calls++;
	return k;
}
SEC("xdp")
int xdp_legacy(struct xdp_md *ctx)
{
	return bump(0) + bump(1) + 1;
}
char LICENSE[] SEC("license") = "GPL";
