/* Benchmark: count the primes below 4096 with the sieve of Eratosthenes, one byte per
 * number in an array map value (too big for the 512-byte stack). Returns the count (564). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bench.h"

struct sieve {
	__u8 composite[BENCH_SIEVE_N];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sieve);
} sieve_buf SEC(".maps");

SEC("xdp")
int bench_sieve(struct xdp_md *ctx)
{
	__u32 zero = 0, count = 0;
	struct sieve *s = bpf_map_lookup_elem(&sieve_buf, &zero);

	if (!s)
		return 0;
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < BENCH_SIEVE_N / 8; i++)
		((volatile __u64 *)s->composite)[i] = 0; /* volatile: not a memset call */
#pragma clang loop unroll(disable)
	for (__u32 i = 2; i * i < BENCH_SIEVE_N; i++) {
		if (s->composite[i])
			continue;
#pragma clang loop unroll(disable)
		for (__u32 j = i * i; j < BENCH_SIEVE_N; j += i)
			s->composite[j] = 1;
	}
#pragma clang loop unroll(disable)
	for (__u32 i = 2; i < BENCH_SIEVE_N; i++)
		count += s->composite[i] ^ 1;
	return count;
}

char LICENSE[] SEC("license") = "GPL";
