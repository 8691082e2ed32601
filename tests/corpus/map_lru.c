/* LRU hash (shared and per-CPU-list flavours): remembers the last source MAC per
 * destination MAC; the map is small so old entries get evicted. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct mac {
	__u8 a[ETH_ALEN];
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32);
	__type(key, struct mac);
	__type(value, struct mac);
} lru_macs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} lru_hits SEC(".maps");

SEC("xdp")
int xdp_lru(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct mac dst = {}, src = {}, *old;
	__u32 k;
	__u64 one = 1, *h;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(dst.a, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(src.a, eth->h_source, ETH_ALEN);
	old = bpf_map_lookup_elem(&lru_macs, &dst);
	bpf_map_update_elem(&lru_macs, &dst, &src, BPF_ANY);
	k = eth->h_source[5];
	h = bpf_map_lookup_elem(&lru_hits, &k);
	if (h)
		*h += 1;
	else
		bpf_map_update_elem(&lru_hits, &k, &one, BPF_NOEXIST);
	return old ? XDP_TX : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
