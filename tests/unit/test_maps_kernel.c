/* Differential test: the same random operations on real kernel maps (through libbpf)
 * and on bpfkit's userspace maps must give the same return codes, values, key order
 * and final contents; creation must accept and refuse the same definitions with the
 * same errno; `bpftool map dump -j/-p` must print what bk_map_dump_json prints.
 * Hash maps use BPF_F_ZERO_SEED so the kernel's bucket order is reproducible. */
#define _GNU_SOURCE
#include "bpfkit/maps.h"
#include "tap.h"

#include <errno.h>
#include <sched.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <unistd.h>

#if BK_HAVE_KERN
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static struct bk_maps *S;
static int NCPU;
static uint64_t rng = 0x243f6a8885a308d3ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static int kcreate(const struct bk_map_def *d, int inner_fd)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = d->map_flags, .inner_map_fd = (uint32_t)inner_fd);
	return bpf_map_create(d->type, d->name[0] ? d->name : NULL, d->key_size, d->value_size, d->max_entries, &o);
}

/* ------------------------------------------------------------ creation rules */

static void test_create_rules(void)
{
	static const struct bk_map_def inner = { .type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 2 };
	const struct bk_map_def cases[] = {
		{ .type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1 },
		{ .type = BK_MAP_ARRAY, .key_size = 8, .value_size = 4, .max_entries = 1 },
		{ .type = BK_MAP_ARRAY, .key_size = 4, .value_size = 0, .max_entries = 1 },
		{ .type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 0 },
		{ .type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_NO_PREALLOC },
		{ .type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_MMAPABLE | BK_F_RDONLY_PROG },
		{ .type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_RDONLY_PROG | BK_F_WRONLY_PROG },
		{ .type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_PRESERVE_ELEMS },
		{ .type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_INNER_MAP },
		{ .type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_ZERO_SEED },
		{ .type = BK_MAP_PERCPU_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_MMAPABLE },
		{ .type = BK_MAP_PERCPU_ARRAY, .key_size = 4, .value_size = 32768, .max_entries = 1 },
		{ .type = BK_MAP_PERCPU_ARRAY, .key_size = 4, .value_size = 32769, .max_entries = 1 },
		{ .type = BK_MAP_HASH, .key_size = 4, .value_size = 4, .max_entries = 1 },
		{ .type = BK_MAP_HASH, .key_size = 0, .value_size = 4, .max_entries = 1 },
		{ .type = BK_MAP_HASH, .key_size = 4, .value_size = 0, .max_entries = 1 },
		{ .type = BK_MAP_HASH, .key_size = 4, .value_size = 4, .max_entries = 0 },
		{ .type = BK_MAP_HASH, .key_size = 600, .value_size = 4, .max_entries = 1 },
		{ .type = BK_MAP_HASH, .key_size = 4, .value_size = 4194000, .max_entries = 1 },
		{ .type = BK_MAP_HASH, .key_size = 4, .value_size = 4194300, .max_entries = 1 },
		{ .type = BK_MAP_HASH, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_NO_PREALLOC },
		{ .type = BK_MAP_HASH, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_NO_COMMON_LRU },
		{ .type = BK_MAP_HASH, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_MMAPABLE },
		{ .type = BK_MAP_HASH, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_RDONLY | BK_F_WRONLY },
		{ .type = BK_MAP_PERCPU_HASH, .key_size = 4, .value_size = 32769, .max_entries = 1 },
		{ .type = BK_MAP_LRU_HASH, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_NO_PREALLOC },
		{ .type = BK_MAP_LRU_HASH, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_NO_COMMON_LRU },
		{ .type = BK_MAP_LRU_PERCPU_HASH, .key_size = 4, .value_size = 4, .max_entries = 4 },
		{ .type = BK_MAP_QUEUE, .key_size = 0, .value_size = 4, .max_entries = 1 },
		{ .type = BK_MAP_QUEUE, .key_size = 4, .value_size = 4, .max_entries = 1 },
		{ .type = BK_MAP_QUEUE, .key_size = 0, .value_size = 0, .max_entries = 1 },
		{ .type = BK_MAP_STACK, .key_size = 0, .value_size = 4, .max_entries = 0 },
		{ .type = BK_MAP_STACK, .key_size = 0, .value_size = 4, .max_entries = 1, .map_flags = BK_F_NO_PREALLOC },
		{ .type = BK_MAP_STACK, .key_size = 0, .value_size = 4, .max_entries = 1, .map_flags = BK_F_RDONLY_PROG },
		{ .type = BK_MAP_RINGBUF, .max_entries = 4096 },
		{ .type = BK_MAP_RINGBUF, .max_entries = 8192 },
		{ .type = BK_MAP_RINGBUF, .max_entries = 12288 },
		{ .type = BK_MAP_RINGBUF, .max_entries = 2048 },
		{ .type = BK_MAP_RINGBUF, .key_size = 4, .max_entries = 4096 },
		{ .type = BK_MAP_RINGBUF, .value_size = 4, .max_entries = 4096 },
		{ .type = BK_MAP_RINGBUF, .max_entries = 4096, .map_flags = BK_F_RDONLY_PROG },
		{ .type = BK_MAP_PROG_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 4 },
		{ .type = BK_MAP_PROG_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 4 },
		{ .type = BK_MAP_PROG_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 4, .map_flags = BK_F_RDONLY_PROG },
		{ .type = BK_MAP_ARRAY_OF_MAPS, .key_size = 4, .value_size = 4, .max_entries = 4, .inner = &inner },
		{ .type = BK_MAP_ARRAY_OF_MAPS, .key_size = 4, .value_size = 8, .max_entries = 4, .inner = &inner },
		{ .type = BK_MAP_HASH_OF_MAPS, .key_size = 8, .value_size = 4, .max_entries = 4, .inner = &inner },
		{ .type = BK_MAP_DEVMAP, .key_size = 4, .value_size = 4, .max_entries = 4 },
		{ .type = BK_MAP_DEVMAP, .key_size = 4, .value_size = 8, .max_entries = 4 },
		{ .type = BK_MAP_DEVMAP, .key_size = 4, .value_size = 12, .max_entries = 4 },
		{ .type = BK_MAP_DEVMAP, .key_size = 4, .value_size = 4, .max_entries = 4, .map_flags = BK_F_NO_PREALLOC },
		{ .type = BK_MAP_DEVMAP_HASH, .key_size = 4, .value_size = 4, .max_entries = 4 },
		{ .type = BK_MAP_DEVMAP_HASH, .key_size = 8, .value_size = 4, .max_entries = 4 },
		{ .type = BK_MAP_XSKMAP, .key_size = 4, .value_size = 4, .max_entries = 4 },
		{ .type = BK_MAP_XSKMAP, .key_size = 4, .value_size = 8, .max_entries = 4 },
		{ .type = BK_MAP_CPUMAP, .key_size = 4, .value_size = 4, .max_entries = 4 },
		{ .type = BK_MAP_CPUMAP, .key_size = 4, .value_size = 8, .max_entries = 4 },
		{ .type = BK_MAP_CPUMAP, .key_size = 4, .value_size = 4, .max_entries = 4, .map_flags = BK_F_RDONLY },
		{ .type = BK_MAP_CPUMAP, .key_size = 4, .value_size = 4, .max_entries = 100000 },
	};
	int agree = 0, n = (int)(sizeof(cases) / sizeof(cases[0]));
	int inner_fd = kcreate(&inner, -1);
	for (int i = 0; i < n; i++) {
		struct bk_map_def d = cases[i];
		snprintf(d.name, sizeof d.name, "bkc%d", i);
		int kfd = kcreate(&d, d.inner ? inner_fd : 0);
		int kr = kfd >= 0 ? 0 : kfd;
		if (kfd >= 0)
			close(kfd);
		struct bk_err e = { 0 };
		int ur = bk_map_create(S, &d, NULL, &e);
		if (ur == kr) {
			agree++;
			continue;
		}
		printf("not ok create case %d (%s key %u value %u max %u flags 0x%x): kernel %d, bpfkit %d (%s)\n", i,
		       bk_map_type_name(d.type), d.key_size, d.value_size, d.max_entries, d.map_flags, kr, ur, e.msg);
	}
	if (inner_fd >= 0)
		close(inner_fd);
	CHECKF(agree == n, "create accepts and refuses as the kernel (%d/%d definitions)", agree, n);
}

/* ------------------------------------------------------------ random operations */

struct cfg {
	const char *name;
	uint32_t type, ks, vs, max, flags;
	uint32_t keyspace;  /* keys drawn from [0, keyspace) */
	int ops;
	bool lru_evicts;    /* key space larger than the map: compare only what eviction leaves equal */
};

static void fill_key(uint8_t *k, uint32_t ks, uint32_t v)
{
	memset(k, 0, ks);
	memcpy(k, &v, ks < 4 ? ks : 4);
	if (ks > 4)
		k[ks - 1] = (uint8_t)(v * 7);  /* keys longer than 4 bytes use every byte */
}

#define FAIL(...) do { snprintf(why, sizeof why, __VA_ARGS__); goto out; } while (0)

static void run_cfg(const struct cfg *c, int round)
{
	char why[300] = "";
	struct bk_map_def d = { .type = c->type, .key_size = c->ks, .value_size = c->vs, .max_entries = c->max,
				.map_flags = c->flags };
	snprintf(d.name, sizeof d.name, "bkd_%.10s", c->name);
	int fd = kcreate(&d, 0);
	if (fd < 0) {
		printf("skip kernel differential %s: kernel refused the map (%d)\n", c->name, fd);
		return;
	}
	struct bk_map *m = NULL;
	struct bk_err e = { 0 };
	if (bk_map_create(S, &d, &m, &e)) {
		close(fd);
		printf("not ok kernel differential %s: bpfkit create: %s\n", c->name, e.msg);
		return;
	}
	bool qs = c->type == BK_MAP_QUEUE || c->type == BK_MAP_STACK;
	size_t vsys = bk_map_sys_value_size(m);
	uint8_t key[64], nk[64], unk[64], val[1024], kv[1024], uv[1024];
	static const uint64_t flagset[] = { BK_ANY, BK_NOEXIST, BK_EXIST, BK_ANY, BK_EXIST, 3, BK_F_LOCK };
	int i, ops_done = 0, nkeys = 0;
	for (i = 0; i < c->ops; i++) {
		uint32_t kidx = rnd(c->keyspace);
		fill_key(key, c->ks, kidx);
		const void *kp = qs ? NULL : key;
		for (size_t b = 0; b < vsys; b++)
			val[b] = (uint8_t)rnd(256);
		int op = (int)rnd(100), kr, ur;
		const char *opn;
		memset(kv, 0xee, vsys);
		memset(uv, 0xee, vsys);
		if (op < 40) {
			opn = "update";
			uint64_t fl = flagset[rnd(7)];
			kr = bpf_map_update_elem(fd, kp, val, fl);
			ur = bk_map_sys_update(m, kp, val, fl, NULL);
		} else if (op < 60) {
			opn = "lookup";
			kr = bpf_map_lookup_elem(fd, kp, kv);
			ur = bk_map_sys_lookup(m, kp, uv, 0, NULL);
			if (!kr && !ur && memcmp(kv, uv, vsys) && !c->lru_evicts)
				FAIL("op %d lookup key %u: values differ", i, kidx);
		} else if (op < 72) {
			opn = "delete";
			kr = bpf_map_delete_elem(fd, kp);
			ur = bk_map_sys_delete(m, kp, NULL);
		} else if (op < 90) {
			opn = "get_next_key";
			const void *from = rnd(5) == 0 ? NULL : kp;
			memset(nk, 0, sizeof nk);
			memset(unk, 0, sizeof unk);
			kr = bpf_map_get_next_key(fd, from, nk);
			ur = bk_map_sys_get_next_key(m, from, unk, NULL);
			if (!kr && !ur && memcmp(nk, unk, c->ks) && !c->lru_evicts)
				FAIL("op %d get_next_key after %u: kernel and bpfkit give different keys", i, kidx);
		} else {
			opn = "lookup_and_delete";
			uint64_t fl = rnd(8) == 0 ? 1 : 0;
			kr = bpf_map_lookup_and_delete_elem_flags(fd, kp, kv, fl);
			ur = bk_map_sys_lookup_and_delete(m, kp, uv, fl, NULL);
			if (!kr && !ur && memcmp(kv, uv, vsys) && !c->lru_evicts)
				FAIL("op %d lookup_and_delete key %u: values differ", i, kidx);
		}
		/* With more keys than room, the kernel's LRU may evict other elements than
		 * ours, so only operations whose result does not depend on which key was
		 * evicted are compared. */
		if (kr != ur && !(c->lru_evicts && (kr == -ENOENT || ur == -ENOENT || kr == -EEXIST || ur == -EEXIST)))
			FAIL("op %d %s key %u: kernel %d, bpfkit %d", i, opn, kidx, kr, ur);
		ops_done++;
	}
	/* Final contents: the same keys in the same get_next_key order, the same values. */

	if (!qs) {
		const void *kp = NULL, *up = NULL;
		uint8_t kcur[64], ucur[64];
		for (;;) {
			int kr = bpf_map_get_next_key(fd, kp, nk);
			int ur = bk_map_sys_get_next_key(m, up, unk, NULL);
			if (c->lru_evicts)
				break;
			if (kr != ur)
				FAIL("final walk at key %d: kernel %d, bpfkit %d", nkeys, kr, ur);
			if (kr)
				break;
			if (memcmp(nk, unk, c->ks))
				FAIL("final walk: key %d differs", nkeys);
			memcpy(kcur, nk, c->ks);
			memcpy(ucur, unk, c->ks);
			kp = kcur;
			up = ucur;
			if (bpf_map_lookup_elem(fd, kcur, kv) || bk_map_sys_lookup(m, ucur, uv, 0, NULL) || memcmp(kv, uv, vsys))
				FAIL("final walk: value of key %d differs", nkeys);
			nkeys++;
		}
		if (c->lru_evicts) {
			/* Both hold at most max_entries; every key bpfkit has that the kernel
			 * also has carries the same value. */
			int kn = 0, same = 0;
			kp = NULL;
			while (!bpf_map_get_next_key(fd, kp, nk)) {
				memcpy(kcur, nk, c->ks);
				kp = kcur;
				kn++;
				if (!bk_map_sys_lookup(m, kcur, uv, 0, NULL) && !bpf_map_lookup_elem(fd, kcur, kv) && !memcmp(kv, uv, vsys))
					same++;
			}
			if (kn > (int)c->max || bk_map_count(m) > c->max)
				FAIL("LRU holds more than max_entries: kernel %d, bpfkit %u", kn, bk_map_count(m));
			nkeys = same;
		}
	} else {
		for (;;) {
			int kr = bpf_map_lookup_and_delete_elem(fd, NULL, kv);
			int ur = bk_map_sys_lookup_and_delete(m, NULL, uv, 0, NULL);
			if (kr != ur)
				FAIL("final drain %d: kernel %d, bpfkit %d", nkeys, kr, ur);
			if (kr)
				break;
			if (memcmp(kv, uv, vsys))
				FAIL("final drain %d: values differ", nkeys);
			nkeys++;
		}
	}
out:
	close(fd);
	if (why[0])
		printf("not ok kernel differential %s round %d: %s\n", c->name, round, why);
	else
		printf("ok kernel differential %s round %d (%d ops, %d final elements equal)\n", c->name, round, ops_done, nkeys);
}

static void test_differential(void)
{
	const struct cfg cfgs[] = {
		{ "array", BK_MAP_ARRAY, 4, 12, 8, 0, 10, 1500, false },
		{ "array_vs3", BK_MAP_ARRAY, 4, 3, 5, 0, 7, 800, false },
		{ "percpu_array", BK_MAP_PERCPU_ARRAY, 4, 5, 6, 0, 8, 1000, false },
		{ "hash", BK_MAP_HASH, 4, 8, 12, BK_F_ZERO_SEED, 20, 3000, false },
		{ "hash_key7", BK_MAP_HASH, 7, 5, 10, BK_F_ZERO_SEED, 16, 2000, false },
		{ "hash_key12", BK_MAP_HASH, 12, 16, 40, BK_F_ZERO_SEED, 64, 3000, false },
		{ "hash_noprealloc", BK_MAP_HASH, 4, 4, 8, BK_F_ZERO_SEED | BK_F_NO_PREALLOC, 14, 2000, false },
		{ "percpu_hash", BK_MAP_PERCPU_HASH, 4, 6, 8, BK_F_ZERO_SEED, 14, 2000, false },
		{ "lru_hash", BK_MAP_LRU_HASH, 4, 8, 256, BK_F_ZERO_SEED, 24, 2000, false },
		{ "lru_percpu_hash", BK_MAP_LRU_PERCPU_HASH, 4, 8, 256, BK_F_ZERO_SEED, 24, 1500, false },
		{ "lru_evicting", BK_MAP_LRU_HASH, 4, 8, 16, BK_F_ZERO_SEED, 64, 1500, true },
		{ "queue", BK_MAP_QUEUE, 0, 6, 5, 0, 1, 1500, false },
		{ "stack", BK_MAP_STACK, 0, 4, 4, 0, 1, 1500, false },
	};
	/* three rounds, each continuing the random sequence with fresh maps */
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++)
			run_cfg(&cfgs[i], round);
}

/* ------------------------------------------------------------ other kernel rules */

static void test_misc_rules(void)
{
	/* freeze, BPF_F_RDONLY / WRONLY and array deletes, errno for errno */
	struct bk_map_def d = { .type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 2, .name = "bkfrz" };
	int fd = kcreate(&d, 0);
	struct bk_map *m;
	bk_map_create(S, &d, &m, NULL);
	uint32_t k = 0, v = 1;
	int r1 = bpf_map_freeze(fd), r2 = bpf_map_freeze(fd), r3 = bpf_map_update_elem(fd, &k, &v, 0);
	int r4 = bpf_map_lookup_elem(fd, &k, &v);
	CHECKF(r1 == bk_map_freeze(m, NULL) && r2 == bk_map_freeze(m, NULL) && r3 == bk_map_sys_update(m, &k, &v, 0, NULL) &&
	       r4 == bk_map_sys_lookup(m, &k, &v, 0, NULL), "freeze as the kernel (%d %d %d %d)", r1, r2, r3, r4);
	close(fd);
	d.map_flags = BK_F_RDONLY;
	fd = kcreate(&d, 0);
	bk_map_create(S, &d, &m, NULL);
	r1 = bpf_map_update_elem(fd, &k, &v, 0);
	r2 = bpf_map_freeze(fd);
	CHECKF(r1 == bk_map_sys_update(m, &k, &v, 0, NULL) && r2 == bk_map_freeze(m, NULL), "BPF_F_RDONLY as the kernel (%d %d)", r1, r2);
	close(fd);
	d.map_flags = BK_F_WRONLY;
	fd = kcreate(&d, 0);
	bk_map_create(S, &d, &m, NULL);
	r1 = bpf_map_lookup_elem(fd, &k, &v);
	r2 = bpf_map_get_next_key(fd, NULL, &v);
	r3 = bpf_map_update_elem(fd, &k, &v, 0);
	CHECKF(r1 == bk_map_sys_lookup(m, &k, &v, 0, NULL) && r2 == bk_map_sys_get_next_key(m, NULL, &v, NULL) &&
	       r3 == bk_map_sys_update(m, &k, &v, 0, NULL), "BPF_F_WRONLY as the kernel (%d %d %d)", r1, r2, r3);
	close(fd);

	/* BPF_F_NO_COMMON_LRU: max_entries as the kernel reports it */
	d = (struct bk_map_def){ .type = BK_MAP_LRU_HASH, .key_size = 4, .value_size = 4, .max_entries = 5,
				 .map_flags = BK_F_NO_COMMON_LRU, .name = "bknclru" };
	fd = kcreate(&d, 0);
	struct bpf_map_info info = { 0 };
	uint32_t ilen = sizeof info;
	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &ilen) && !bk_map_create(S, &d, &m, NULL))
		CHECKF(info.max_entries == bk_map_def(m)->max_entries, "NO_COMMON_LRU max_entries as the kernel (%u, bpfkit %u)",
		       info.max_entries, bk_map_def(m)->max_entries);
	else
		printf("skip NO_COMMON_LRU max_entries: create failed\n");
	if (fd >= 0)
		close(fd);
	/* the map_flags the kernel reports (devmap and cpumap gain BPF_F_RDONLY_PROG) */
	const uint32_t ftypes[] = { BK_MAP_DEVMAP, BK_MAP_CPUMAP, BK_MAP_XSKMAP, BK_MAP_DEVMAP_HASH, BK_MAP_HASH };
	int fagree = 0;
	for (int i = 0; i < 5; i++) {
		d = (struct bk_map_def){ .type = ftypes[i], .key_size = 4, .value_size = 4, .max_entries = 2 };
		snprintf(d.name, sizeof d.name, "bkfl%d", i);
		fd = kcreate(&d, 0);
		memset(&info, 0, sizeof info);
		ilen = sizeof info;
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &ilen) && !bk_map_create(S, &d, &m, NULL) &&
		    info.map_flags == bk_map_def(m)->map_flags)
			fagree++;
		else
			printf("# %s: kernel flags 0x%x\n", bk_map_type_name(ftypes[i]), info.map_flags);
		if (fd >= 0)
			close(fd);
	}
	CHECKF(fagree == 5, "map_flags after create as the kernel reports them (%d/5)", fagree);

	/* prog_array and map-in-map slots */
	d = (struct bk_map_def){ .type = BK_MAP_PROG_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 2, .name = "bkpa" };
	fd = kcreate(&d, 0);
	bk_map_create(S, &d, &m, NULL);
	k = 5;
	r1 = bpf_map_delete_elem(fd, &k);
	k = 1;
	r2 = bpf_map_delete_elem(fd, &k);
	r3 = bpf_map_lookup_elem(fd, &k, &v);
	r4 = bpf_map_get_next_key(fd, &k, &v);
	k = 5;
	int a1 = bk_map_sys_delete(m, &k, NULL);
	k = 1;
	int a2 = bk_map_sys_delete(m, &k, NULL), a3 = bk_map_sys_lookup(m, &k, &v, 0, NULL), a4 = bk_map_sys_get_next_key(m, &k, &v, NULL);
	CHECKF(r1 == a1 && r2 == a2 && r3 == a3 && r4 == a4, "prog_array errnos as the kernel (kernel %d %d %d %d, bpfkit %d %d %d %d)",
	       r1, r2, r3, r4, a1, a2, a3, a4);
	close(fd);

	struct bk_map_def in = { .type = BK_MAP_HASH, .key_size = 4, .value_size = 4, .max_entries = 4, .name = "bkin" };
	struct bk_map_def other = { .type = BK_MAP_HASH, .key_size = 4, .value_size = 4, .max_entries = 5, .name = "bkin2" };
	struct bk_map_def od = { .type = BK_MAP_ARRAY_OF_MAPS, .key_size = 4, .value_size = 4, .max_entries = 2, .name = "bkaom", .inner = &in };
	int ifd = kcreate(&in, 0), ofd2 = kcreate(&other, 0), ofd = kcreate(&od, ifd);
	struct bk_map *um_in, *um_other, *um_o;
	bk_map_create(S, &in, &um_in, NULL);
	bk_map_create(S, &other, &um_other, NULL);
	bk_map_create(S, &od, &um_o, NULL);
	k = 0;
	uint32_t kv = (uint32_t)ifd, uvv = bk_map_id(um_in);
	r1 = bpf_map_update_elem(ofd, &k, &kv, 0);
	a1 = bk_map_sys_update(um_o, &k, &uvv, 0, NULL);
	kv = (uint32_t)ofd2;
	uvv = bk_map_id(um_other);
	r2 = bpf_map_update_elem(ofd, &k, &kv, 0);
	a2 = bk_map_sys_update(um_o, &k, &uvv, 0, NULL);
	r3 = bpf_map_update_elem(ofd, &k, &kv, BK_NOEXIST);
	a3 = bk_map_sys_update(um_o, &k, &uvv, BK_NOEXIST, NULL);
	k = 1;
	r4 = bpf_map_lookup_elem(ofd, &k, &v);
	a4 = bk_map_sys_lookup(um_o, &k, &v, 0, NULL);
	CHECKF(r1 == a1 && r2 == a2 && r3 == a3 && r4 == a4, "array_of_maps errnos as the kernel (kernel %d %d %d %d, bpfkit %d %d %d %d)",
	       r1, r2, r3, r4, a1, a2, a3, a4);
	close(ofd);
	close(ofd2);
	close(ifd);
}


/* ------------------------------------------------------------ ring buffer layout */

/* Tiny socket filters run with BPF_PROG_TEST_RUN: one calls bpf_ringbuf_output with SIZE
 * bytes of a stack pattern and returns its result; the other reserves SIZE bytes, writes
 * one word and discards the record (returns 1 if the reservation failed). The kernel's
 * ring memory, read through mmap, must then equal bpfkit's byte for byte. */
#define INSN(c, d, s_, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s_), .off = (o), .imm = (i) })

static int load_rb_prog(int map_fd, bool discard, uint32_t size)
{
	struct bpf_insn p[40];
	int n = 0;
	if (!discard) {
		for (int i = 0; i < 8; i++)  /* *(u64 *)(r10 - 64 + 8i) = pattern */
			p[n++] = INSN(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, (int16_t)(-64 + 8 * i), 0x01020304 * (i + 1));
		p[n++] = INSN(BPF_LD | BPF_IMM | BPF_DW, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map_fd);
		p[n++] = INSN(0, 0, 0, 0, 0);
		p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0);
		p[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -64);
		p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, (int32_t)size);
		p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_4, 0, 0, 0);
		p[n++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_output);
		p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	} else {
		p[n++] = INSN(BPF_LD | BPF_IMM | BPF_DW, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map_fd);
		p[n++] = INSN(0, 0, 0, 0, 0);
		p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, (int32_t)size);
		p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, 0);
		p[n++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_reserve);
		p[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 2, 0);
		p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
		p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		p[n++] = INSN(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_0, 0, 0, 0x55aa55aa);
		p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_0, 0, 0);
		p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, 0);
		p[n++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_discard);
		p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
		p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	}
	return bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "bkrb", "GPL", p, (size_t)n, NULL);
}

static int run_prog(int pfd, int32_t *ret)
{
	uint8_t pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof pkt, .repeat = 1);
	int r = bpf_prog_test_run_opts(pfd, &o);
	*ret = (int32_t)o.retval;
	return r;
}

static void test_ringbuf_layout(void)
{
	const uint32_t RB = 4096;
	long pg = sysconf(_SC_PAGESIZE);
	struct bk_map_def d = { .type = BK_MAP_RINGBUF, .max_entries = RB, .name = "bkrb" };
	int fd = kcreate(&d, 0);
	struct bk_map *m;
	if (fd < 0 || bk_map_create(S, &d, &m, NULL)) {
		printf("skip ringbuf layout: create failed (%d)\n", fd);
		if (fd >= 0)
			close(fd);
		return;
	}
	/* sizes used: output 1..64, discard 8..64; one program per size and kind */
	int outp[65] = { 0 }, disp[65] = { 0 };
	for (int i = 1; i <= 64; i++) {
		outp[i] = load_rb_prog(fd, false, (uint32_t)i);
		disp[i] = i >= 8 ? load_rb_prog(fd, true, (uint32_t)i) : -1;
		if (outp[i] < 0 || (i >= 8 && disp[i] < 0)) {
			printf("skip ringbuf layout: kernel refused the test program (%d)\n", outp[i] < 0 ? outp[i] : disp[i]);
			goto out;
		}
	}
	unsigned long *cons = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	uint8_t *prod = mmap(NULL, (size_t)pg + 2 * RB, PROT_READ, MAP_SHARED, fd, pg);
	if (cons == MAP_FAILED || prod == MAP_FAILED) {
		printf("skip ringbuf layout: mmap failed\n");
		goto out;
	}
	const uint8_t *kdata = prod + pg, *udata = bk_ringbuf_data(m, NULL);
	char why[200] = "";
	int steps = 0, fulls = 0;
	uint8_t pat[64];
	for (int i = 0; i < 8; i++)
		for (int b = 0; b < 8; b++)
			pat[8 * i + b] = b < 4 ? (uint8_t)((uint32_t)(0x01020304 * (i + 1)) >> (8 * b)) : 0;
	for (steps = 0; steps < 1200 && !why[0]; steps++) {
		int what = (int)rnd(100);
		int32_t kret = 0, uret = 0;
		if (what < 60) {
			uint32_t sz = 1 + rnd(64);
			if (run_prog(outp[sz], &kret)) {
				snprintf(why, sizeof why, "test run failed");
				break;
			}
			uret = (int32_t)bk_ringbuf_output(m, pat, sz, 0);
			fulls += uret == -EAGAIN;
		} else if (what < 97) {
			uint32_t sz = 8 + rnd(57);
			run_prog(disp[sz], &kret);
			uint8_t *r = bk_ringbuf_reserve(m, sz, 0);
			if (r) {
				uint64_t w = 0x55aa55aa;
				memcpy(r, &w, 8);
				bk_ringbuf_discard(m, r, 0);
			}
			uret = r ? 0 : 1;
			fulls += !r;
		} else {
			/* consume everything: the kernel's consumer position is ours to write */
			bk_ringbuf_consume(m, NULL, NULL);
			__atomic_store_n(cons, (unsigned long)bk_ringbuf_query(m, BK_RB_CONS_POS), __ATOMIC_RELEASE);
		}
		unsigned long kprod = __atomic_load_n((unsigned long *)prod, __ATOMIC_ACQUIRE);
		if (kret != uret)
			snprintf(why, sizeof why, "step %d: kernel returned %d, bpfkit %d", steps, kret, uret);
		else if (kprod != bk_ringbuf_query(m, BK_RB_PROD_POS))
			snprintf(why, sizeof why, "step %d: producer position kernel %lu, bpfkit %llu", steps, kprod,
				 (unsigned long long)bk_ringbuf_query(m, BK_RB_PROD_POS));
		else if (memcmp(kdata, udata, RB)) {
			size_t at = 0;
			while (kdata[at] == udata[at])
				at++;
			snprintf(why, sizeof why, "step %d: ring bytes differ at offset %zu (kernel 0x%02x, bpfkit 0x%02x)", steps, at,
				 kdata[at], udata[at]);
		}
	}
	if (why[0])
		printf("not ok ringbuf records as the kernel's: %s\n", why);
	else
		printf("ok ringbuf records as the kernel's (%d steps, %llu bytes produced, %d full refusals)\n", steps,
		       (unsigned long long)bk_ringbuf_query(m, BK_RB_PROD_POS), fulls);
	munmap(cons, (size_t)pg);
	munmap(prod, (size_t)pg + 2 * RB);
out:
	for (int i = 1; i <= 64; i++) {
		if (outp[i] > 0)
			close(outp[i]);
		if (disp[i] > 0)
			close(disp[i]);
	}
	close(fd);
}


/* ------------------------------------------------------------ LRU eviction */

/* Sequential inserts with no lookups: bpfkit's exact LRU keeps the newest max_entries
 * keys. The kernel's approximate LRU (per-cpu free lists refilled in batches, inactive
 * list shrinking with reference bits) keeps a subset. Asserted: neither holds more than
 * max_entries, both hold the newest key, and every key the kernel keeps bpfkit keeps
 * too (on one pinned cpu the kernel has kept exactly the newest max_entries). The counts are printed for the record. */
static void test_lru_eviction(void)
{
	const uint32_t MAX = 64, N = 512;
	struct bk_map_def d = { .type = BK_MAP_LRU_HASH, .key_size = 4, .value_size = 8, .max_entries = MAX,
				.map_flags = BK_F_ZERO_SEED, .name = "bklru" };
	int fd = kcreate(&d, 0);
	struct bk_map *m;
	if (fd < 0 || bk_map_create(S, &d, &m, NULL)) {
		printf("skip lru eviction: create failed (%d)\n", fd);
		if (fd >= 0)
			close(fd);
		return;
	}
	int kfail = 0, ufail = 0;
	for (uint32_t k = 0; k < N; k++) {
		uint64_t v = k;
		kfail += bpf_map_update_elem(fd, &k, &v, BK_ANY) != 0;
		ufail += bk_map_sys_update(m, &k, &v, BK_ANY, NULL) != 0;
	}
	uint32_t kn = 0, both = 0, kold = 0, cur, nx;
	const void *prev = NULL;
	uint64_t v;
	while (!bpf_map_get_next_key(fd, prev, &nx)) {
		cur = nx;
		prev = &cur;
		kn++;
		both += bk_map_sys_lookup(m, &cur, &v, 0, NULL) == 0;
		kold += cur < N / 4;
	}
	uint32_t last = N - 1;
	bool klast = bpf_map_lookup_elem(fd, &last, &v) == 0, ulast = bk_map_sys_lookup(m, &last, &v, 0, NULL) == 0;
	uint32_t first_kept = N - MAX;
	bool uexact = bk_map_count(m) == MAX && bk_map_sys_lookup(m, &first_kept, &v, 0, NULL) == 0;
	CHECKF(!kfail && !ufail && kn <= MAX && klast && ulast && uexact && kold == 0 && both == kn,
	       "lru eviction after %u inserts into %u: kernel keeps %u (%u of them also in bpfkit), bpfkit keeps the newest %u",
	       N, MAX, kn, both, bk_map_count(m));
	close(fd);
}

/* ------------------------------------------------------------ bpftool dump format */

static int run_bpftool(int id, const char *flag, struct bk_buf *out)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "bpftool %s map dump id %d 2>/dev/null", flag, id);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, p)) > 0)
		bk_buf_append(out, buf, n);
	return pclose(p);
}

static void compare_dump(const char *name, int fd, struct bk_map *m)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof info;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		printf("skip bpftool dump %s: no map info\n", name);
		return;
	}
	for (int pretty = 0; pretty < 2; pretty++) {
		struct bk_buf k = { 0 }, u = { 0 };
		/* bpftool exits non-zero on queues (get_next_key fails) after printing []. */
		int rc = run_bpftool((int)info.id, pretty ? "-p" : "-j", &k);
		if ((rc != 0 && m && bk_map_def(m)->key_size) || !k.len) {
			printf("skip bpftool dump %s: bpftool failed\n", name);
			bk_buf_free(&k);
			return;
		}
		struct bk_map_dump_opts o = BK_OPTS_INIT(bk_map_dump_opts, .pretty = pretty);
		bk_map_dump_json(m, &u, &o, NULL);
		bool same = k.len == u.len && !memcmp(k.data, u.data, k.len);
		if (same)
			printf("ok bpftool %s dump identical: %s\n", pretty ? "-p" : "-j", name);
		else {
			size_t i = 0;
			while (i < k.len && i < u.len && k.data[i] == u.data[i])
				i++;
			printf("not ok bpftool %s dump identical: %s: first difference at byte %zu (bpftool %zu bytes, bpfkit %zu)\n",
			       pretty ? "-p" : "-j", name, i, k.len, u.len);
		}
		bk_buf_free(&k);
		bk_buf_free(&u);
	}
}

static void test_bpftool_dump(void)
{
	if (system("bpftool version >/dev/null 2>&1") != 0) {
		printf("skip bpftool dump: bpftool not installed\n");
		return;
	}
	const struct { const char *name; uint32_t type, ks, vs, max, flags; int n; } cases[] = {
		{ "hash", BK_MAP_HASH, 4, 6, 16, BK_F_ZERO_SEED, 9 },
		{ "hash_key3", BK_MAP_HASH, 3, 2, 8, BK_F_ZERO_SEED, 5 },
		{ "empty_hash", BK_MAP_HASH, 4, 4, 4, BK_F_ZERO_SEED, 0 },
		{ "array", BK_MAP_ARRAY, 4, 5, 3, 0, 2 },
		{ "percpu_array", BK_MAP_PERCPU_ARRAY, 4, 3, 2, 0, 1 },
		{ "percpu_hash", BK_MAP_PERCPU_HASH, 8, 4, 8, BK_F_ZERO_SEED, 3 },
		{ "lru_hash", BK_MAP_LRU_HASH, 4, 4, 64, BK_F_ZERO_SEED, 6 },
		{ "queue", BK_MAP_QUEUE, 0, 4, 4, 0, 2 },
		{ "devmap_empty", BK_MAP_DEVMAP, 4, 4, 2, 0, 0 },
		{ "prog_array", BK_MAP_PROG_ARRAY, 4, 4, 3, 0, 0 },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct bk_map_def d = { .type = cases[c].type, .key_size = cases[c].ks, .value_size = cases[c].vs,
					.max_entries = cases[c].max, .map_flags = cases[c].flags };
		snprintf(d.name, sizeof d.name, "bkdump%zu", c);
		int fd = kcreate(&d, 0);
		struct bk_map *m;
		if (fd < 0 || bk_map_create(S, &d, &m, NULL)) {
			printf("skip bpftool dump %s: create failed (%d)\n", cases[c].name, fd);
			if (fd >= 0)
				close(fd);
			continue;
		}
		size_t vsys = bk_map_sys_value_size(m);
		uint8_t key[16], val[256];
		for (int i = 0; i < cases[c].n; i++) {
			fill_key(key, d.key_size, (uint32_t)(i * 37 + 1) % (d.type == BK_MAP_ARRAY || d.type == BK_MAP_PERCPU_ARRAY ? d.max_entries : 1000));
			for (size_t b = 0; b < vsys; b++)
				val[b] = (uint8_t)rnd(256);
			const void *kp = d.key_size ? key : NULL;
			if (bpf_map_update_elem(fd, kp, val, 0) || bk_map_sys_update(m, kp, val, 0, NULL))
				printf("not ok bpftool dump %s: fill %d failed\n", cases[c].name, i);
		}
		compare_dump(cases[c].name, fd, m);
		close(fd);
	}
}

int main(void)
{
	/* LRU free lists are per cpu in the kernel: one cpu keeps its choices repeatable. */
	cpu_set_t cs;
	CPU_ZERO(&cs);
	CPU_SET(0, &cs);
	sched_setaffinity(0, sizeof cs, &cs);
	if (geteuid() != 0) {
		printf("skip maps kernel differential: not root\n");
		return 0;
	}
	int probe = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
	if (probe < 0) {
		printf("skip maps kernel differential: kernel refuses BPF_MAP_CREATE (%d)\n", probe);
		return 0;
	}
	close(probe);
	NCPU = libbpf_num_possible_cpus();
	S = bk_maps_new(&BK_OPTS_INIT(bk_maps_opts, .ncpus = (unsigned)NCPU));
	CHECK("bpfkit counts the host's possible cpus as libbpf does", bk_maps_host_ncpus() == NCPU);
	test_create_rules();
	test_differential();
	test_misc_rules();
	test_bpftool_dump();
	test_ringbuf_layout();
	test_lru_eviction();
	bk_maps_free(S);
	return 0;
}
#else
int main(void)
{
	printf("skip maps kernel differential: built without libbpf\n");
	return 0;
}
#endif
