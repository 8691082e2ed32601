/* Hands a helper a wild pointer as the map key: a clean error, not a crash. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} h SEC(".maps");
SEC("xdp")
int xdp_wild(struct xdp_md *ctx)
{
	volatile unsigned long addr = 0x1000;
	return bpf_map_lookup_elem(&h, (void *)addr) ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
