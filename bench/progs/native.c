/* The benchmark algorithms of the BPF programs beside this file, in plain C: the native
 * baseline for bench/vm and the reference the kernel's results are checked against
 * (tests/bench_progs/test_bench_progs.sh). Each function takes the packet the BPF program
 * would get and returns what the BPF program returns. Loads are little-endian memory reads,
 * as the BPF programs do them on x86-64.
 *
 *   native NAME HEXFILE...         print each result, one line per packet file
 *   native --time NAME HEXFILE N   print nanoseconds per call, averaged over N calls
 *                                  (thread CPU time: the machine is shared, and the kernel's
 *                                  BPF_PROG_TEST_RUN duration excludes preemption too)
 * NAME is csum, crc32, sieve, sort, alu, parse or hashmap. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench.h"
#include "host.h"
#include "crc32_table.h"

static uint16_t ld16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t ld32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

uint32_t bench_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < BENCH_CSUM_BYTES / 2 && 2 * i + 2 <= len; i++)
		sum += ld16(p + 2 * i);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

uint32_t bench_crc32(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffff;

	for (size_t i = 0; i < BENCH_CRC_BYTES && i < len; i++)
		crc = crc32_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint32_t bench_sieve(const uint8_t *p, size_t len)
{
	static uint8_t composite[BENCH_SIEVE_N];
	uint32_t count = 0;

	(void)p;
	(void)len;
	memset(composite, 0, sizeof(composite));
	for (uint32_t i = 2; i * i < BENCH_SIEVE_N; i++) {
		if (composite[i])
			continue;
		for (uint32_t j = i * i; j < BENCH_SIEVE_N; j += i)
			composite[j] = 1;
	}
	for (uint32_t i = 2; i < BENCH_SIEVE_N; i++)
		count += composite[i] ^ 1;
	return count;
}

uint32_t bench_sort(const uint8_t *p, size_t len)
{
	uint32_t a[BENCH_SORT_N], x, sum = 0;

	if (len < 4)
		return 0;
	x = ld32(p);
	for (int i = 0; i < BENCH_SORT_N; i++) {
		x = x * 1103515245u + 12345u;
		a[i] = x >> 8;
	}
	for (int i = 0; i < BENCH_SORT_N - 1; i++)
		for (int j = 0; j < BENCH_SORT_N - 1 - i; j++) {
			/* The same branchless exchange as sort.c, so both do the same work. */
			uint64_t l = a[j], r = a[j + 1];
			uint64_t d = l - r, m = (uint64_t)((int64_t)d >> 63);

			a[j] = r + (d & m);
			a[j + 1] = l - (d & m);
		}
	for (int i = 0; i < BENCH_SORT_N; i++) {
		if (i > 0 && a[i - 1] > a[i])
			return 0;
		sum += a[i] * (uint32_t)(i + 1);
	}
	return sum;
}

uint32_t bench_alu(const uint8_t *p, size_t len)
{
	uint64_t x = len;
	uint32_t w = 0x12345678;

	(void)p;
	for (uint32_t i = 0; i < BENCH_ALU_ITERS; i++) {
		x = x * 0x9e3779b97f4a7c15ull + i;
		x ^= x >> 29;
		x = (x << 13) | (x >> 51);
		w = (w ^ (uint32_t)x) * 0x85ebca6bu;
		w ^= w >> 13;
		x += w;
	}
	return (uint32_t)x;
}

static uint32_t mix(uint32_t h, uint32_t v)
{
	h ^= v;
	h *= 0x01000193u;
	return h ^ (h >> 15);
}

uint32_t bench_parse(const uint8_t *p, size_t len)
{
	size_t l3 = 14, l4;
	uint16_t proto;
	uint8_t l4proto;
	uint32_t h = 0x811c9dc5u;

	if (len < 14)
		return 0;
	proto = ld16(p + 12);
	if (proto == 0x0081) { /* 802.1Q, as a little-endian load of 81 00 */
		if (len < 18)
			return 0;
		proto = ld16(p + 16);
		l3 = 18;
	}
	if (proto == 0x0008) {
		size_t ihl;
		if (l3 + 20 > len)
			return 0;
		ihl = (p[l3] & 0x0f) * 4;
		if (ihl < 20 || l3 + ihl > len)
			return 0;
		h = mix(h, ld32(p + l3 + 12));
		h = mix(h, ld32(p + l3 + 16));
		l4proto = p[l3 + 9];
		l4 = l3 + ihl;
	} else if (proto == 0xdd86) {
		if (l3 + 40 > len)
			return 0;
		for (int i = 0; i < 4; i++)
			h = mix(h, ld32(p + l3 + 8 + 4 * i) ^ ld32(p + l3 + 24 + 4 * i));
		l4proto = p[l3 + 6];
		l4 = l3 + 40;
	} else {
		return 0;
	}
	if (l4proto != 6 && l4proto != 17)
		return 0;
	if (l4 + 8 > len)
		return 0;
	h = mix(h, l4proto);
	h = mix(h, (uint32_t)ld16(p + l4) << 16 | ld16(p + l4 + 2));
	return h;
}

uint32_t bench_hashmap(const uint8_t *p, size_t len)
{
	/* The keys are 0..BENCH_MAP_KEYS-1, so a direct table has the hash map's semantics. */
	uint64_t val[BENCH_MAP_KEYS], sum = 0;
	uint8_t present[BENCH_MAP_KEYS];
	uint32_t seed;

	if (len < 1)
		return 0;
	seed = p[0];
	memset(present, 0, sizeof(present));
	for (uint32_t i = 0; i < BENCH_MAP_ITERS; i++) {
		uint32_t k = (seed + i * i) % BENCH_MAP_KEYS;
		if (present[k]) {
			val[k] += i ^ k;
		} else {
			present[k] = 1;
			val[k] = i + 1 + k * 1000;
		}
	}
	for (uint32_t k = 0; k < BENCH_MAP_KEYS; k++)
		if (present[k])
			sum += val[k];
	return (uint32_t)sum;
}

static const struct {
	const char *name;
	uint32_t (*fn)(const uint8_t *, size_t);
} benches[] = {
	{ "csum", bench_csum }, { "crc32", bench_crc32 }, { "sieve", bench_sieve },
	{ "sort", bench_sort }, { "alu", bench_alu },     { "parse", bench_parse },
	{ "hashmap", bench_hashmap },
};

static size_t read_hex(const char *path, uint8_t *out, size_t cap)
{
	long n = bench_read_hex(path, out, cap);

	if (n < 0) {
		perror(path);
		exit(2);
	}
	return (size_t)n;
}

int main(int argc, char **argv)
{
	static uint8_t pkt[4096];
	int timing = argc > 1 && !strcmp(argv[1], "--time");
	int a = timing ? 2 : 1;
	uint32_t (*fn)(const uint8_t *, size_t) = NULL;

	if (argc < a + 2 || (timing && argc != 5)) {
		fprintf(stderr, "usage: native NAME HEXFILE... | native --time NAME HEXFILE N\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (!strcmp(benches[i].name, argv[a]))
			fn = benches[i].fn;
	if (!fn) {
		fprintf(stderr, "native: no benchmark named '%s'\n", argv[a]);
		return 2;
	}
	if (timing) {
		size_t len = read_hex(argv[3], pkt, sizeof(pkt));
		long n = atol(argv[4]);

		if (n <= 0) {
			fprintf(stderr, "native: N must be positive\n");
			return 2;
		}
		printf("%.1f\n", BENCH_NS_PER_CALL(n, fn(pkt, len)));
		return 0;
	}
	for (int i = a + 1; i < argc; i++) {
		size_t len = read_hex(argv[i], pkt, sizeof(pkt));
		printf("%u\n", fn(pkt, len));
	}
	return 0;
}
