/* Map operation speed: bpfkit's userspace maps (program side and syscall side) and, as a
 * reference, the kernel's maps through bpf(2) (libbpf). Build and run with bench/maps.sh.
 * Prints one line per measurement: name, operations, ns per operation. */
#include "bpfkit/maps.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#if BK_HAVE_KERN
#include <bpf/bpf.h>
#endif

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void report(const char *what, uint64_t n, double secs)
{
	printf("%-44s %10llu ops %8.1f ns/op\n", what, (unsigned long long)n, secs * 1e9 / (double)n);
}

static uint32_t mix(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	return x;
}

int main(int argc, char **argv)
{
	uint32_t N = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : (1u << 20);
	struct bk_maps *s = bk_maps_new(NULL);
	struct bk_map_def d = { .type = BK_MAP_HASH, .key_size = 4, .value_size = 8, .max_entries = N, .name = "bench" };
	struct bk_map *h, *a, *lru, *np;
	if (bk_map_create(s, &d, &h, NULL))
		return 1;
	double t = now();
	for (uint32_t i = 0; i < N; i++) {
		uint64_t v = i;
		uint32_t k = mix(i);
		bk_map_update(h, &k, &v, BK_NOEXIST);
	}
	report("hash insert (prealloc, to full)", N, now() - t);
	t = now();
	uint64_t sum = 0;
	for (uint32_t i = 0; i < N; i++) {
		uint32_t k = mix(i);
		uint64_t *p = bk_map_lookup(h, &k);
		sum += p ? *p : 0;
	}
	report("hash lookup (hit, full map)", N, now() - t);
	t = now();
	for (uint32_t i = 0; i < N; i++) {
		uint32_t k = mix(i) ^ 0x80000000u;
		sum += bk_map_lookup(h, &k) != NULL;
	}
	report("hash lookup (miss, full map)", N, now() - t);
	t = now();
	uint32_t k = 0, nk, walked = 0;
	const void *prev = NULL;
	while (!bk_map_sys_get_next_key(h, prev, &nk, NULL)) {
		k = nk;
		prev = &k;
		walked++;
	}
	report("hash get_next_key walk", walked, now() - t);
	t = now();
	for (uint32_t i = 0; i < N; i++) {
		uint32_t kk = mix(i);
		bk_map_delete(h, &kk);
	}
	report("hash delete", N, now() - t);

	d.map_flags = BK_F_NO_PREALLOC;
	bk_map_create(s, &d, &np, NULL);
	t = now();
	for (uint32_t i = 0; i < N; i++) {
		uint64_t v = i;
		uint32_t kk = mix(i);
		bk_map_update(np, &kk, &v, BK_ANY);
	}
	report("hash insert (BPF_F_NO_PREALLOC)", N, now() - t);

	d.type = BK_MAP_LRU_HASH;
	d.map_flags = 0;
	d.max_entries = N / 4;
	bk_map_create(s, &d, &lru, NULL);
	t = now();
	for (uint32_t i = 0; i < N; i++) {
		uint64_t v = i;
		uint32_t kk = mix(i);
		bk_map_update(lru, &kk, &v, BK_ANY);
	}
	report("lru insert, 3/4 evicting", N, now() - t);

	d = (struct bk_map_def){ .type = BK_MAP_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 1024, .name = "arr" };
	bk_map_create(s, &d, &a, NULL);
	t = now();
	for (uint32_t i = 0; i < N; i++) {
		uint32_t kk = i & 1023;
		uint64_t *p = bk_map_lookup(a, &kk);
		*p += 1;
	}
	report("array lookup + increment", N, now() - t);
	t = now();
	struct bk_map_region rg;
	uint32_t kk = 5;
	uint8_t *p = bk_map_lookup(a, &kk);
	for (uint32_t i = 0; i < N; i++)
		sum += bk_maps_find_region(s, p, 8, &rg) == 0;
	report("find_region (5 maps in the set)", N, now() - t);

#if BK_HAVE_KERN
	uint32_t KN = N < 100000 ? N : 100000;
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bkbench", 4, 8, KN, NULL);
	if (fd >= 0) {
		t = now();
		for (uint32_t i = 0; i < KN; i++) {
			uint64_t v = i;
			uint32_t kk2 = mix(i);
			bpf_map_update_elem(fd, &kk2, &v, BPF_NOEXIST);
		}
		report("kernel hash insert via bpf(2)", KN, now() - t);
		t = now();
		for (uint32_t i = 0; i < KN; i++) {
			uint64_t v;
			uint32_t kk2 = mix(i);
			sum += bpf_map_lookup_elem(fd, &kk2, &v) == 0;
		}
		report("kernel hash lookup via bpf(2)", KN, now() - t);
		close(fd);
	}
	t = now();
	for (uint32_t i = 0; i < KN; i++) {
		uint64_t v;
		uint32_t kk2 = mix(i);
		sum += bk_map_sys_lookup(np, &kk2, &v, 0, NULL) == 0;
	}
	report("bpfkit hash sys lookup (copy)", KN, now() - t);
#endif
	bk_maps_free(s);
	return sum == 42;  /* keeps the loops from being optimised away */
}
