/* Benchmark: sort 64 u32 on the stack, the values drawn from an LCG seeded by the packet's
 * first 4 bytes; returns a position-weighted sum of the sorted array, or 0 if it is not
 * sorted. Bubble sort with fixed trip counts and a branchless compare-exchange: the kernel
 * verifier gave up (1M instructions) both on insertion sort, whose data-dependent inner loop
 * ends at many indexes, and on bubble sort with an `if` per exchange. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bench.h"

SEC("xdp")
int bench_sort(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 a[BENCH_SORT_N];
	__u32 x, sum = 0;

	if (data + 4 > data_end)
		return 0;
	x = *(__u32 *)data;
#pragma clang loop unroll(disable)
	for (int i = 0; i < BENCH_SORT_N; i++) {
		x = x * 1103515245u + 12345u;
		a[i] = x >> 8;
	}
#pragma clang loop unroll(disable)
	for (int i = 0; i < BENCH_SORT_N - 1; i++) {
#pragma clang loop unroll(disable)
		for (int j = 0; j < BENCH_SORT_N - 1 - i; j++) {
			__u64 l = a[j], r = a[j + 1];
			__u64 d = l - r, m = (__s64)d >> 63; /* m = l < r ? ~0 : 0 */

			/* Keeps clang from turning the masks back into a branch. */
			asm volatile("" : "+r"(m));
			a[j] = r + (d & m);     /* min */
			a[j + 1] = l - (d & m); /* max */
		}
	}
#pragma clang loop unroll(disable)
	for (int i = 0; i < BENCH_SORT_N; i++) {
		if (i > 0 && a[i - 1] > a[i])
			return 0;
		sum += a[i] * (i + 1);
	}
	return sum;
}

char LICENSE[] SEC("license") = "GPL";
