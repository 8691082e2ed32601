/* Benchmark: 64 rounds of hash-map lookup then update (insert when missing, add in place
 * when present) over keys (seed + i*i) mod 32, the seed being the packet's first byte, then
 * a lookup pass summing every value. Returns the sum. The map is emptied first, so every
 * run computes the same. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bench.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BENCH_MAP_KEYS);
	__type(key, __u32);
	__type(value, __u64);
} bench_map SEC(".maps");

SEC("xdp")
int bench_hashmap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__u32 seed, k;
	__u64 sum = 0, *v, val;

	if ((void *)(p + 1) > data_end)
		return 0;
	seed = *p;
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < BENCH_MAP_KEYS; i++) {
		k = i;
		bpf_map_delete_elem(&bench_map, &k);
	}
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < BENCH_MAP_ITERS; i++) {
		k = (seed + i * i) % BENCH_MAP_KEYS;
		v = bpf_map_lookup_elem(&bench_map, &k);
		if (v) {
			*v += i ^ k;
		} else {
			val = i + 1 + k * 1000;
			bpf_map_update_elem(&bench_map, &k, &val, BPF_NOEXIST);
		}
	}
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < BENCH_MAP_KEYS; i++) {
		k = i;
		v = bpf_map_lookup_elem(&bench_map, &k);
		if (v)
			sum += *v;
	}
	return (__u32)sum;
}

char LICENSE[] SEC("license") = "GPL";
