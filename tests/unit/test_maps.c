/* Userspace maps: every type, flag and error case of the kernel's semantics. */
#include "bpfkit/maps.h"
#include "tap.h"

#include <errno.h>
#include <stdlib.h>

static struct bk_maps *S;

/* Compares text; on failure names the first differing byte (output may hold newlines). */
static void check_str(const char *name, const char *got, const char *want)
{
	size_t i = 0;
	while (got[i] && got[i] == want[i])
		i++;
	if (!got[i] && !want[i])
		printf("ok %s\n", name);
	else
		printf("not ok %s: differs at byte %zu: got '%.40s' want '%.40s'\n", name, i, got + i, want + i);
}

static struct bk_map *mk(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	struct bk_map_def d = { .type = type, .key_size = ks, .value_size = vs, .max_entries = max,
				.map_flags = flags };
	snprintf(d.name, sizeof d.name, "m%zu", bk_maps_count(S));
	struct bk_map *m = NULL;
	struct bk_err e = { 0 };
	if (bk_map_create(S, &d, &m, &e))
		printf("not ok create type %u: %s\n", type, e.msg);
	return m;
}

/* Creation must fail with CODE and a message containing WHAT. */
static void refuse(const char *name, struct bk_map_def d, int code, const char *what)
{
	struct bk_err e = { 0 };
	struct bk_map *m = NULL;
	int r = bk_map_create(S, &d, &m, &e);
	CHECKF(r == code && e.code == code && strstr(e.msg, what) && !m, "create refuses %s (got %d '%.120s')",
	       name, r, e.msg);
}

#define DEF(...) ((struct bk_map_def){ __VA_ARGS__ })

static void test_validation(void)
{
	static const struct bk_map_def inner = { .type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1 };
	static const struct bk_map_def inner_mim = { .type = BK_MAP_ARRAY_OF_MAPS, .key_size = 4, .value_size = 4,
						      .max_entries = 1, .inner = &inner };
	refuse("array key 8", DEF(.type = BK_MAP_ARRAY, .key_size = 8, .value_size = 4, .max_entries = 1), -EINVAL, "key_size must be 4");
	refuse("array max 0", DEF(.type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4), -EINVAL, "max_entries must be > 0");
	refuse("array value 0", DEF(.type = BK_MAP_ARRAY, .key_size = 4, .max_entries = 1), -EINVAL, "value_size must be > 0");
	refuse("array no_prealloc", DEF(.type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_NO_PREALLOC), -EINVAL, "flags 0x1 not allowed");
	refuse("percpu mmapable", DEF(.type = BK_MAP_PERCPU_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_MMAPABLE), -EINVAL, "BPF_F_MMAPABLE");
	refuse("percpu value too big", DEF(.type = BK_MAP_PERCPU_ARRAY, .key_size = 4, .value_size = 40000, .max_entries = 1), -E2BIG, "per-cpu value_size");
	refuse("rdonly+wronly prog", DEF(.type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_RDONLY_PROG | BK_F_WRONLY_PROG), -EINVAL, "RDONLY_PROG and BPF_F_WRONLY_PROG");
	refuse("rdonly+wronly", DEF(.type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_RDONLY | BK_F_WRONLY), -EINVAL, "BPF_F_RDONLY and BPF_F_WRONLY");
	refuse("hash key 0", DEF(.type = BK_MAP_HASH, .value_size = 4, .max_entries = 1), -EINVAL, "key_size must be > 0");
	refuse("hash value 0", DEF(.type = BK_MAP_HASH, .key_size = 4, .max_entries = 1), -EINVAL, "value_size must be > 0");
	refuse("hash max 0", DEF(.type = BK_MAP_HASH, .key_size = 4, .value_size = 4), -EINVAL, "max_entries");
	refuse("hash huge", DEF(.type = BK_MAP_HASH, .key_size = 4, .value_size = 1u << 22, .max_entries = 1), -E2BIG, "too large");
	refuse("hash mmapable", DEF(.type = BK_MAP_HASH, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_MMAPABLE), -EINVAL, "not allowed for hash");
	refuse("hash no_common_lru", DEF(.type = BK_MAP_HASH, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_NO_COMMON_LRU), -EINVAL, "needs an LRU");
	refuse("lru no_prealloc", DEF(.type = BK_MAP_LRU_HASH, .key_size = 4, .value_size = 4, .max_entries = 1, .map_flags = BK_F_NO_PREALLOC), -BK_ENOTSUPP, "BPF_F_NO_PREALLOC");
	refuse("queue key 4", DEF(.type = BK_MAP_QUEUE, .key_size = 4, .value_size = 4, .max_entries = 1), -EINVAL, "key_size must be 0");
	refuse("stack value 0", DEF(.type = BK_MAP_STACK, .max_entries = 1), -EINVAL, "value_size must be > 0");
	refuse("queue no_prealloc", DEF(.type = BK_MAP_QUEUE, .value_size = 4, .max_entries = 1, .map_flags = BK_F_NO_PREALLOC), -EINVAL, "not allowed for queue");
	refuse("ringbuf not pow2", DEF(.type = BK_MAP_RINGBUF, .max_entries = 3 * 4096), -EINVAL, "power of 2");
	refuse("ringbuf not page", DEF(.type = BK_MAP_RINGBUF, .max_entries = 1024), -EINVAL, "page size");
	refuse("ringbuf key", DEF(.type = BK_MAP_RINGBUF, .key_size = 4, .max_entries = 4096), -EINVAL, "must be 0");
	refuse("prog_array value 8", DEF(.type = BK_MAP_PROG_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 1), -EINVAL, "value_size must be 4");
	refuse("array_of_maps no inner", DEF(.type = BK_MAP_ARRAY_OF_MAPS, .key_size = 4, .value_size = 4, .max_entries = 1), -EBADF, "inner map");
	refuse("nested map-in-map", DEF(.type = BK_MAP_HASH_OF_MAPS, .key_size = 4, .value_size = 4, .max_entries = 1, .inner = &inner_mim), -EINVAL, "cannot hold maps");
	refuse("devmap value 12", DEF(.type = BK_MAP_DEVMAP, .key_size = 4, .value_size = 12, .max_entries = 1), -EINVAL, "4 or 8");
	refuse("cpumap too many", DEF(.type = BK_MAP_CPUMAP, .key_size = 4, .value_size = 4, .max_entries = 100000), -E2BIG, "NR_CPUS");
	refuse("xskmap value 8", DEF(.type = BK_MAP_XSKMAP, .key_size = 4, .value_size = 8, .max_entries = 1), -EINVAL, "xskmap");
	refuse("name too long", DEF(.type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1, .name = "0123456789abcdef"), -EINVAL, "longer than 15");
	refuse("name bad char", DEF(.type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1, .name = "a-b"), -EINVAL, "letters, digits");
	refuse("unknown type", DEF(.type = 99, .key_size = 4, .value_size = 4, .max_entries = 1), -EINVAL, "unknown map type");
	refuse("lpm not emulated", DEF(.type = BK_MAP_LPM_TRIE, .key_size = 8, .value_size = 4, .max_entries = 1), -EOPNOTSUPP, "not emulated");
	refuse("spin lock in percpu", DEF(.type = BK_MAP_PERCPU_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 1, .has_spin_lock = true), -EOPNOTSUPP, "bpf_spin_lock");
	refuse("spin lock outside", DEF(.type = BK_MAP_HASH, .key_size = 4, .value_size = 8, .max_entries = 1, .has_spin_lock = true, .spin_lock_off = 6), -EINVAL, "does not fit");
	struct bk_map *m = mk(BK_MAP_DEVMAP, 4, 4, 2, 0);
	CHECK("devmap gets BPF_F_RDONLY_PROG as the kernel sets", m && (bk_map_def(m)->map_flags & BK_F_RDONLY_PROG));
	CHECK("15-char name kept", bk_map_create(S, &DEF(.type = BK_MAP_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1, .name = "abcdefghijklmn."), &m, NULL) == 0 &&
	      !strcmp(bk_map_name(m), "abcdefghijklmn.") && bk_maps_by_name(S, "abcdefghijklmn.") == m && bk_maps_by_id(S, bk_map_id(m)) == m);
	CHECK("type names as bpftool", !strcmp(bk_map_type_name(BK_MAP_LRU_PERCPU_HASH), "lru_percpu_hash") &&
	      !strcmp(bk_map_type_name(BK_MAP_RINGBUF), "ringbuf") && !bk_map_type_name(1000));
}

static void test_array(void)
{
	struct bk_map *m = mk(BK_MAP_ARRAY, 4, 6, 4, 0);
	struct bk_err e = { 0 };
	uint32_t k = 2, nk;
	uint8_t v[6] = { 1, 2, 3, 4, 5, 6 }, out[6];
	uint8_t *p = bk_map_lookup(m, &k);
	CHECK("array lookup gives zeroed value", p && !memcmp(p, "\0\0\0\0\0\0", 6));
	CHECK("array update", bk_map_update(m, &k, v, BK_ANY) == 0 && !memcmp(p, v, 6));
	CHECK("array lookup pointer is stable", bk_map_lookup(m, &k) == p);
	p[0] = 9;  /* the program writes value memory directly */
	CHECK("sys lookup sees program write", bk_map_sys_lookup(m, &k, out, 0, &e) == 0 && out[0] == 9);
	CHECK("array NOEXIST -EEXIST", bk_map_update(m, &k, v, BK_NOEXIST) == -EEXIST);
	CHECK("array EXIST ok", bk_map_update(m, &k, v, BK_EXIST) == 0);
	k = 4;
	CHECK("array update out of range -E2BIG", bk_map_update(m, &k, v, BK_ANY) == -E2BIG);
	CHECK("array lookup out of range NULL", bk_map_lookup(m, &k) == NULL);
	bk_err_clear(&e);
	CHECK("array sys lookup out of range -ENOENT", bk_map_sys_lookup(m, &k, out, 0, &e) == -ENOENT && strstr(e.msg, "lookup"));
	CHECK("array flags 3 -EINVAL", bk_map_update(m, &k, v, 3) == -EINVAL);
	CHECK("array F_LOCK without lock -EINVAL", bk_map_update(m, &(uint32_t){ 0 }, v, BK_F_LOCK) == -EINVAL);
	bk_err_clear(&e);
	CHECK("array delete -EINVAL", bk_map_delete(m, &k) == -EINVAL && bk_map_sys_delete(m, &k, &e) == -EINVAL);
	CHECK("array next of NULL is 0", bk_map_sys_get_next_key(m, NULL, &nk, NULL) == 0 && nk == 0);
	k = 1;
	CHECK("array next of 1 is 2", bk_map_sys_get_next_key(m, &k, &nk, NULL) == 0 && nk == 2);
	k = 3;
	CHECK("array next of last -ENOENT", bk_map_sys_get_next_key(m, &k, &nk, NULL) == -ENOENT);
	k = 77;
	CHECK("array next of out of range is 0", bk_map_sys_get_next_key(m, &k, &nk, NULL) == 0 && nk == 0);
	CHECK("array lookup_and_delete not supported", bk_map_sys_lookup_and_delete(m, &k, out, 0, NULL) == -BK_ENOTSUPP);
	struct bk_map_region rg;
	k = 2;
	p = bk_map_lookup(m, &k);
	CHECK("array region of value", bk_maps_find_region(S, p + 2, 4, &rg) == 0 && rg.start == p && rg.size == 6 && rg.writable && rg.map == m);
	CHECK("array region past value", bk_maps_find_region(S, p + 2, 5, &rg) == -EFAULT);
	CHECK("region length that wraps the address space", bk_maps_find_region(S, p + 2, SIZE_MAX, &rg) == -EFAULT &&
	      bk_maps_find_region(S, p, SIZE_MAX - 1, &rg) == -EFAULT);
	CHECK("array region in padding", bk_maps_find_region(S, p + 6, 1, &rg) == -EFAULT);
	CHECK("region of a stack address", bk_maps_find_region(S, &rg, 1, &rg) == -EFAULT);

	/* read-only for programs (.rodata), and freeze */
	struct bk_map *ro = mk(BK_MAP_ARRAY, 4, 4, 1, BK_F_RDONLY_PROG | BK_F_MMAPABLE);
	k = 0;
	uint32_t x = 5;
	CHECK("rodata sys update", bk_map_sys_update(ro, &k, &x, 0, NULL) == 0);
	CHECK("rodata prog update -EPERM", bk_map_update(ro, &k, &x, 0) == -EPERM);
	p = bk_map_lookup(ro, &k);
	CHECK("rodata region read-only", p && ((uintptr_t)p & 4095) == 0 && bk_maps_find_region(S, p, 4, &rg) == 0 && !rg.writable);
	CHECK("freeze", bk_map_freeze(ro, NULL) == 0 && bk_map_frozen(ro));
	bk_err_clear(&e);
	CHECK("freeze twice -EPERM (as the kernel)", bk_map_freeze(ro, &e) == -EPERM && strstr(e.msg, "already frozen"));
	bk_err_clear(&e);
	CHECK("frozen sys update -EPERM", bk_map_sys_update(ro, &k, &x, 0, &e) == -EPERM && strstr(e.msg, "frozen"));
	CHECK("frozen sys lookup ok", bk_map_sys_lookup(ro, &k, &x, 0, NULL) == 0 && x == 5);
	struct bk_map *rd = mk(BK_MAP_ARRAY, 4, 4, 1, BK_F_RDONLY);
	CHECK("BPF_F_RDONLY sys update -EPERM", bk_map_sys_update(rd, &k, &x, 0, NULL) == -EPERM);
	CHECK("BPF_F_RDONLY freeze -EPERM", bk_map_freeze(rd, NULL) == -EPERM);
	CHECK("BPF_F_RDONLY prog update ok", bk_map_update(rd, &k, &x, 0) == 0);
	struct bk_map *wr = mk(BK_MAP_ARRAY, 4, 4, 1, BK_F_WRONLY);
	CHECK("BPF_F_WRONLY sys lookup -EPERM", bk_map_sys_lookup(wr, &k, &x, 0, NULL) == -EPERM &&
	      bk_map_sys_get_next_key(wr, NULL, &x, NULL) == -EPERM);
}

static void test_spin_lock(void)
{
	struct bk_map_def d = { .type = BK_MAP_HASH, .key_size = 4, .value_size = 12, .max_entries = 4,
				.name = "locked", .has_spin_lock = true, .spin_lock_off = 4 };
	struct bk_map *m;
	CHECK("spin lock hash created", bk_map_create(S, &d, &m, NULL) == 0);
	uint32_t k = 1, v[3] = { 10, 0xdead, 30 }, out[3];
	CHECK("update with F_LOCK", bk_map_sys_update(m, &k, v, BK_ANY | BK_F_LOCK, NULL) == 0);
	uint32_t *p = bk_map_lookup(m, &k);
	CHECK("lock word not copied in", p && p[0] == 10 && p[1] == 0 && p[2] == 30);
	CHECK("spin lock", bk_spin_lock(&p[1]) == 0 && p[1] == 1 && bk_spin_lock(&p[1]) == -EDEADLK);
	v[0] = 11;
	CHECK("update keeps held lock", bk_map_sys_update(m, &k, v, BK_F_LOCK, NULL) == 0 && p[1] == 1 && p[0] == 11);
	CHECK("sys lookup zeroes lock word", bk_map_sys_lookup(m, &k, out, BK_F_LOCK, NULL) == 0 && out[1] == 0 && out[2] == 30);
	CHECK("spin unlock", bk_spin_unlock(&p[1]) == 0 && p[1] == 0 && bk_spin_unlock(&p[1]) == -EINVAL);
	CHECK("lookup flag other than F_LOCK -EINVAL", bk_map_sys_lookup(m, &k, out, 1, NULL) == -EINVAL);
}

static void test_percpu(void)
{
	struct bk_maps *keep = S;
	S = bk_maps_new(NULL);
	CHECK("set ncpus", bk_maps_set_ncpus(S, 3) == 0 && bk_maps_ncpus(S) == 3);
	struct bk_map *a = mk(BK_MAP_PERCPU_ARRAY, 4, 4, 2, 0);
	CHECK("ncpus fixed once a per-cpu map exists", bk_maps_set_ncpus(S, 2) == -EBUSY);
	CHECK("sys value size rounds to 8 per cpu", bk_map_sys_value_size(a) == 24 && bk_map_is_percpu(a));
	uint32_t k = 1, v = 0x11;
	CHECK("cpu 1", bk_maps_set_cpu(S, 1) == 0 && bk_maps_cpu(S) == 1 && bk_maps_set_cpu(S, 3) == -EINVAL);
	CHECK("percpu prog update", bk_map_update(a, &k, &v, 0) == 0);
	uint32_t *p = bk_map_lookup(a, &k);
	CHECK("percpu lookup gives this cpu's slot", p && *p == 0x11 && bk_map_lookup_percpu(a, &k, 1) == p);
	uint32_t *p0 = bk_map_lookup_percpu(a, &k, 0);
	CHECK("other cpu untouched", p0 && *p0 == 0 && p0 != p && !bk_map_lookup_percpu(a, &k, 3));
	uint8_t all[24];
	CHECK("sys lookup all cpus", bk_map_sys_lookup(a, &k, all, 0, NULL) == 0 && all[0] == 0 && all[8] == 0x11 && all[16] == 0);
	for (int i = 0; i < 24; i++)
		all[i] = (uint8_t)i;
	CHECK("sys update all cpus", bk_map_sys_update(a, &k, all, 0, NULL) == 0 && *p0 == 0x03020100 && *p == 0x0b0a0908);
	CHECK("percpu array NOEXIST -EEXIST", bk_map_sys_update(a, &k, all, BK_NOEXIST, NULL) == -EEXIST);
	struct bk_map_region rg;
	CHECK("percpu region is the cpu slot", bk_maps_find_region(S, p, 4, &rg) == 0 && rg.start == p && rg.size == 4);

	struct bk_map *h = mk(BK_MAP_PERCPU_HASH, 4, 3, 4, 0);
	uint8_t hv[3] = { 7, 8, 9 };
	CHECK("percpu hash prog insert", bk_map_update(h, &k, hv, BK_NOEXIST) == 0);
	uint8_t hall[24];
	CHECK("new percpu elem: other cpus zero", bk_map_sys_lookup(h, &k, hall, 0, NULL) == 0 && hall[0] == 0 &&
	      hall[8] == 7 && hall[10] == 9 && hall[16] == 0);
	memset(hall, 0x55, sizeof hall);
	CHECK("percpu hash sys update", bk_map_sys_update(h, &k, hall, BK_EXIST, NULL) == 0);
	uint8_t *hp = bk_map_lookup_percpu(h, &k, 2);
	CHECK("percpu hash slot 2", hp && hp[0] == 0x55 && hp[2] == 0x55);
	CHECK("percpu hash F_LOCK -EINVAL", bk_map_sys_update(h, &k, hall, BK_F_LOCK, NULL) == -EINVAL);
	struct bk_buf b = { 0 };
	CHECK("percpu dump", bk_map_dump_json(h, &b, NULL, NULL) == 0 && b.len > 0);
	bk_buf_append(&b, "", 1);
	const char *want = "[{\"key\":[\"0x01\",\"0x00\",\"0x00\",\"0x00\"],\"values\":[{\"cpu\":0,\"value\":[\"0x55\",\"0x55\",\"0x55\"]},"
			   "{\"cpu\":1,\"value\":[\"0x55\",\"0x55\",\"0x55\"]},{\"cpu\":2,\"value\":[\"0x55\",\"0x55\",\"0x55\"]}]}]\n";
	check_str("percpu dump text", (char *)b.data, want);
	bk_buf_free(&b);
	bk_maps_free(S);
	S = keep;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void test_hash(uint32_t flags)
{
	const char *f = flags ? "no_prealloc" : "prealloc";
	struct bk_map *m = mk(BK_MAP_HASH, 4, 8, 100, flags);
	struct bk_err e = { 0 };
	uint64_t v;
	int bad = 0;
	for (uint32_t k = 0; k < 100; k++) {
		v = k * 3;
		if (bk_map_update(m, &k, &v, BK_NOEXIST))
			bad++;
	}
	CHECKF(!bad && bk_map_count(m) == 100, "hash %s fill to max_entries", f);
	uint32_t k = 100;
	CHECKF(bk_map_update(m, &k, &v, BK_ANY) == -E2BIG, "hash %s full -E2BIG", f);
	CHECKF(bk_map_update(m, &k, &v, BK_EXIST) == -ENOENT, "hash %s full EXIST on missing -ENOENT", f);
	k = 5;
	CHECKF(bk_map_update(m, &k, &v, BK_NOEXIST) == -EEXIST, "hash %s NOEXIST on present -EEXIST", f);
	uint64_t *p = bk_map_lookup(m, &k);
	v = 1234;
	CHECKF(p && *p == 15 && bk_map_update(m, &k, &v, BK_EXIST) == 0 && *p == 1234, "hash %s replace when full, in place", f);
	struct bk_map_region rg;
	CHECKF(bk_maps_find_region(S, p, 8, &rg) == 0 && rg.start == p && rg.size == 8, "hash %s value region", f);
	CHECKF(bk_maps_find_region(S, (uint8_t *)p - 1, 1, &rg) == -EFAULT, "hash %s key bytes are not a value", f);
	CHECKF(bk_maps_find_region(S, (uint8_t *)p + 1, SIZE_MAX, &rg) == -EFAULT, "hash %s huge length refused", f);
	CHECKF(bk_map_delete(m, &k) == 0 && bk_map_count(m) == 99 && !bk_map_lookup(m, &k), "hash %s delete", f);
	CHECKF(bk_maps_find_region(S, p, 8, &rg) == -EFAULT, "hash %s deleted value not live", f);
	bk_err_clear(&e);
	CHECKF(bk_map_sys_delete(m, &k, &e) == -ENOENT && strstr(e.msg, "no such element"), "hash %s delete missing -ENOENT", f);
	k = 100;
	CHECKF(bk_map_update(m, &k, &v, BK_ANY) == 0, "hash %s insert after delete", f);
	CHECKF(bk_map_update(m, &k, &v, 4 | 8) == -EINVAL, "hash %s bad flags", f);
	/* get_next_key visits each key once, NULL and a missing key start over. */
	uint32_t keys[128], n = 0, cur, nx;
	const void *prev = NULL;
	while (n < 128 && bk_map_sys_get_next_key(m, prev, &nx, NULL) == 0) {
		keys[n++] = nx;
		cur = nx;
		prev = &cur;
	}
	qsort(keys, n, 4, cmp_u32);
	bad = n != 100;
	for (uint32_t i = 0, want = 0; i < n && !bad; i++, want++) {
		if (want == 5)
			want++;
		bad |= keys[i] != want;
	}
	CHECKF(!bad, "hash %s get_next_key visits every key once (%u)", f, n);
	uint32_t first, again;
	k = 5;
	CHECKF(bk_map_sys_get_next_key(m, NULL, &first, NULL) == 0 && bk_map_sys_get_next_key(m, &k, &again, NULL) == 0 &&
	       first == again, "hash %s next of missing key is the first key", f);
	uint64_t out;
	k = 7;
	CHECKF(bk_map_sys_lookup_and_delete(m, &k, &out, 0, NULL) == 0 && out == 21 && !bk_map_lookup(m, &k),
	       "hash %s lookup_and_delete", f);
	CHECKF(bk_map_sys_lookup_and_delete(m, &k, &out, 0, NULL) == -ENOENT, "hash %s lookup_and_delete missing", f);
	for (uint32_t i = 0; i <= 100; i++)
		bk_map_delete(m, &i);
	CHECKF(bk_map_count(m) == 0 && bk_map_sys_get_next_key(m, NULL, &nx, NULL) == -ENOENT, "hash %s empty after deleting all", f);
}

struct each { int n, stop; uint64_t sum; };
static long each_cb(struct bk_map *m, const void *key, void *value, void *ctx)
{
	struct each *c = ctx;
	c->sum += *(uint32_t *)value;
	c->n++;
	if (c->stop < 0)
		bk_map_delete(m, key);
	return c->n == c->stop;
}

static void test_for_each(void)
{
	struct bk_map *h = mk(BK_MAP_HASH, 4, 4, 16, 0);
	for (uint32_t k = 1; k <= 10; k++)
		bk_map_update(h, &k, &k, 0);
	struct each c = { 0 };
	CHECK("for_each hash all", bk_map_for_each(h, each_cb, &c, 0) == 10 && c.sum == 55);
	c = (struct each){ .stop = 3 };
	CHECK("for_each stops on 1 (counts it)", bk_map_for_each(h, each_cb, &c, 0) == 3 && c.n == 3);
	CHECK("for_each flags -EINVAL", bk_map_for_each(h, each_cb, &c, 1) == -EINVAL);
	c = (struct each){ .stop = -1 };
	CHECK("for_each callback may delete", bk_map_for_each(h, each_cb, &c, 0) == 10 && bk_map_count(h) == 0);
	struct bk_map *a = mk(BK_MAP_ARRAY, 4, 4, 5, 0);
	uint32_t k = 4, v = 9;
	bk_map_update(a, &k, &v, 0);
	c = (struct each){ 0 };
	CHECK("for_each array visits every index", bk_map_for_each(a, each_cb, &c, 0) == 5 && c.sum == 9);
	struct bk_map *q = mk(BK_MAP_QUEUE, 0, 4, 5, 0);
	CHECK("for_each queue -EINVAL", bk_map_for_each(q, each_cb, &c, 0) == -EINVAL);
}

static void test_lru(void)
{
	struct bk_map *m = mk(BK_MAP_LRU_HASH, 4, 4, 4, 0);
	for (uint32_t k = 1; k <= 4; k++)
		bk_map_update(m, &k, &k, 0);
	uint32_t k = 1;
	CHECK("lru lookup touches 1", bk_map_lookup(m, &k) != NULL);
	k = 5;
	CHECK("lru insert into full map evicts", bk_map_update(m, &k, &k, 0) == 0 && bk_map_count(m) == 4);
	uint32_t out;
	k = 2;
	CHECK("lru evicted least recently used (2)", bk_map_sys_lookup(m, &k, &out, 0, NULL) == -ENOENT);
	k = 1;
	CHECK("lru kept recently used (1)", bk_map_sys_lookup(m, &k, &out, 0, NULL) == 0 && out == 1);
	/* syscall lookups do not count as use, as in the kernel */
	k = 3;
	bk_map_sys_lookup(m, &k, &out, 0, NULL);
	k = 6;
	bk_map_update(m, &k, &k, 0);
	k = 3;
	CHECK("lru sys lookup is not a use (3 evicted)", bk_map_sys_lookup(m, &k, &out, 0, NULL) == -ENOENT);
	k = 4;
	bk_map_update(m, &k, &k, BK_EXIST);  /* an update is a use */
	k = 7;
	bk_map_update(m, &k, &k, 0);
	k = 4;
	CHECK("lru update is a use (4 kept)", bk_map_sys_lookup(m, &k, &out, 0, NULL) == 0);
	k = 1;
	CHECK("lru then evicts 1", bk_map_sys_lookup(m, &k, &out, 0, NULL) == -ENOENT);
	struct bk_map *pm = mk(BK_MAP_LRU_PERCPU_HASH, 4, 4, 2, 0);
	for (uint32_t i = 0; i < 10; i++)
		bk_map_update(pm, &i, &i, 0);
	uint32_t nx, got[2];
	int n = 0;
	const void *prev = NULL;
	while (n < 2 && !bk_map_sys_get_next_key(pm, prev, &nx, NULL)) {
		got[n++] = nx;
		prev = &got[n - 1];
	}
	struct bk_maps *s2 = bk_maps_new(&BK_OPTS_INIT(bk_maps_opts, .ncpus = 4));
	struct bk_map_def nd = { .type = BK_MAP_LRU_HASH, .key_size = 4, .value_size = 4, .max_entries = 5,
				 .map_flags = BK_F_NO_COMMON_LRU };
	struct bk_map *nm;
	CHECK("NO_COMMON_LRU rounds max_entries to the cpu count", bk_map_create(s2, &nd, &nm, NULL) == 0 &&
	      bk_map_def(nm)->max_entries == 8);
	bk_maps_free(s2);
	CHECK("lru percpu keeps the newest two", bk_map_count(pm) == 2 && n == 2 && got[0] + got[1] == 17);
}

static void test_queue_stack(void)
{
	struct bk_map *q = mk(BK_MAP_QUEUE, 0, 4, 3, 0), *s = mk(BK_MAP_STACK, 0, 4, 3, 0);
	uint32_t v, bad = 0;
	for (uint32_t i = 1; i <= 3; i++)
		bad |= bk_map_push(q, &i, 0) | bk_map_push(s, &i, 0);
	v = 4;
	CHECK("queue/stack fill", !bad && bk_map_count(q) == 3 && bk_map_count(s) == 3);
	CHECK("queue full -E2BIG", bk_map_push(q, &v, 0) == -E2BIG && bk_map_push(s, &v, BK_ANY) == -E2BIG);
	CHECK("push NOEXIST -EINVAL", bk_map_push(q, &v, BK_NOEXIST) == -EINVAL && bk_map_push(q, &v, 4) == -EINVAL);
	CHECK("queue full EXIST overwrites oldest", bk_map_push(q, &v, BK_EXIST) == 0 && bk_map_push(s, &v, BK_EXIST) == 0);
	uint32_t qo[4], so[4];
	CHECK("queue peek oldest", bk_map_peek(q, &v) == 0 && v == 2 && bk_map_sys_lookup(q, NULL, &v, 0, NULL) == 0 && v == 2);
	CHECK("stack peek newest", bk_map_peek(s, &v) == 0 && v == 4);
	for (int i = 0; i < 3; i++) {
		bk_map_pop(q, &qo[i]);
		bk_map_sys_lookup_and_delete(s, NULL, &so[i], 0, NULL);
	}
	CHECK("queue FIFO after overwrite", qo[0] == 2 && qo[1] == 3 && qo[2] == 4);
	CHECK("stack LIFO after overwrite", so[0] == 4 && so[1] == 3 && so[2] == 2);
	v = 99;
	CHECK("pop empty -ENOENT zeroes", bk_map_pop(q, &v) == -ENOENT && v == 0);
	CHECK("sys pop empty -ENOENT", bk_map_sys_lookup_and_delete(s, NULL, &v, 0, NULL) == -ENOENT);
	CHECK("queue sys push", bk_map_sys_update(q, NULL, &(uint32_t){ 8 }, 0, NULL) == 0 && bk_map_peek(q, &v) == 0 && v == 8);
	CHECK("queue sys delete -EINVAL", bk_map_sys_delete(q, NULL, NULL) == -EINVAL);
	CHECK("queue get_next_key -EINVAL", bk_map_sys_get_next_key(q, NULL, &v, NULL) == -EINVAL);
	CHECK("queue pop flags -EINVAL", bk_map_sys_lookup_and_delete(q, NULL, &v, 1, NULL) == -EINVAL);
	CHECK("queue prog lookup NULL", bk_map_lookup(q, &v) == NULL);
	CHECK("prog update on queue pushes", bk_map_update(q, NULL, &(uint32_t){ 9 }, 0) == 0 && bk_map_count(q) == 2);
	/* long run through the ring's wrap point */
	int ok = 1;
	for (uint32_t i = 0; i < 50; i++) {
		uint32_t a;
		bk_map_push(s, &i, 0);
		bk_map_push(s, &i, 0);
		ok &= bk_map_pop(s, &a) == 0 && a == i;
		ok &= bk_map_pop(s, &a) == 0 && a == i;
	}
	CHECK("stack order across wrap", ok && bk_map_count(s) == 0);
}

struct rbc { int n; uint8_t last[64]; size_t lastsz; };
static int rb_cb(void *ctx, const void *data, size_t size)
{
	struct rbc *c = ctx;
	c->n++;
	c->lastsz = size;
	memcpy(c->last, data, size < 64 ? size : 64);
	return 0;
}

static void test_ringbuf(void)
{
	struct bk_map *rb = mk(BK_MAP_RINGBUF, 0, 0, 4096, 0);
	size_t sz;
	const uint8_t *d = bk_ringbuf_data(rb, &sz);
	uint8_t *r = bk_ringbuf_reserve(rb, 5, 0);
	CHECK("ringbuf reserve", r && r == d + 8 && sz == 4096);
	uint32_t hdr[2];
	memcpy(hdr, d, 8);
	CHECK("reserved header: len|BUSY, pg_off 3", hdr[0] == (5u | BK_RINGBUF_BUSY_BIT) && hdr[1] == 3);
	struct bk_map_region rg;
	CHECK("reserved record is a region", bk_maps_find_region(S, r, 5, &rg) == 0 && rg.size == 5 && rg.start == r &&
	      bk_maps_find_region(S, r, 6, &rg) == -EFAULT);
	CHECK("reserved record: huge length refused", bk_maps_find_region(S, r + 1, SIZE_MAX, &rg) == -EFAULT);
	memcpy(r, "hello", 5);
	CHECK("prod pos padded to 8", bk_ringbuf_query(rb, BK_RB_PROD_POS) == 16 && bk_ringbuf_query(rb, BK_RB_AVAIL_DATA) == 16 &&
	      bk_ringbuf_query(rb, BK_RB_RING_SIZE) == 4096 && bk_ringbuf_query(rb, BK_RB_CONS_POS) == 0);
	struct rbc c = { 0 };
	CHECK("busy record blocks consumer", bk_ringbuf_consume(rb, rb_cb, &c) == 0);
	bk_ringbuf_submit(rb, r, 0);
	memcpy(hdr, d, 8);
	CHECK("submit clears BUSY, wakes consumer", hdr[0] == 5 && bk_ringbuf_wakeups(rb) == 1);
	CHECK("submitted record is no longer a region", bk_maps_find_region(S, r, 1, &rg) == -EFAULT);
	uint8_t *r2 = bk_ringbuf_reserve(rb, 3, 0);
	bk_ringbuf_discard(rb, r2, BK_RB_NO_WAKEUP);
	memcpy(hdr, d + 16, 8);
	CHECK("discard sets DISCARD bit", hdr[0] == (3u | BK_RINGBUF_DISCARD_BIT) && bk_ringbuf_wakeups(rb) == 1);
	CHECK("output", bk_ringbuf_output(rb, "xyz!", 4, BK_RB_FORCE_WAKEUP) == 0 && bk_ringbuf_wakeups(rb) == 2);
	CHECK("output bad flags -EINVAL", bk_ringbuf_output(rb, "x", 1, 4) == -EINVAL);
	CHECK("reserve flags -> NULL", bk_ringbuf_reserve(rb, 1, 1) == NULL);
	c = (struct rbc){ 0 };
	CHECK("consume skips discarded", bk_ringbuf_consume(rb, rb_cb, &c) == 2 && c.n == 2 && c.lastsz == 4 && !memcmp(c.last, "xyz!", 4));
	CHECK("consumer caught up", bk_ringbuf_query(rb, BK_RB_AVAIL_DATA) == 0 && bk_ringbuf_query(rb, BK_RB_CONS_POS) == 48);
	CHECK("too big for the ring", bk_ringbuf_reserve(rb, 4096, 0) == NULL && bk_ringbuf_output(rb, d, 4090, 0) == -EAGAIN);
	/* fill: a ring of 4096 holds at most 4095 bytes of records in flight */
	uint8_t buf[1000];
	memset(buf, 0xab, sizeof buf);
	int n = 0;
	while (bk_ringbuf_output(rb, buf, 1000 - 8, BK_RB_NO_WAKEUP) == 0)
		n++;
	CHECK("ring full after 4 records of 1000", n == 4 && bk_ringbuf_query(rb, BK_RB_AVAIL_DATA) == 4000);
	c = (struct rbc){ 0 };
	bk_ringbuf_consume(rb, rb_cb, &c);
	/* this record starts at 4048 and wraps: the program still sees contiguous memory */
	uint64_t pos = bk_ringbuf_query(rb, BK_RB_PROD_POS);
	uint8_t *w = bk_ringbuf_reserve(rb, 100, 0);
	CHECK("wrapping record reserved", w && (pos & 4095) + 8 + 100 > 4096);
	for (int i = 0; i < 100; i++)
		w[i] = (uint8_t)i;
	bk_ringbuf_submit(rb, w, 0);
	size_t head = 4096 - (size_t)(pos & 4095) - 8;
	CHECK("wrapped tail copied to the ring start", d[0] == head && d[99 - head] == 99);
	c = (struct rbc){ 0 };
	CHECK("consumer reads the wrapped record whole", bk_ringbuf_consume(rb, rb_cb, &c) == 1 && c.lastsz == 100 &&
	      c.last[0] == 0 && c.last[63] == 63);
	/* out-of-order commit: second record submitted first stays behind the first */
	uint8_t *a = bk_ringbuf_reserve(rb, 8, 0), *b = bk_ringbuf_reserve(rb, 8, 0);
	memcpy(a, "AAAAAAAA", 8);
	memcpy(b, "BBBBBBBB", 8);
	bk_ringbuf_submit(rb, b, 0);
	c = (struct rbc){ 0 };
	CHECK("consumer stops at earlier busy record", bk_ringbuf_consume(rb, rb_cb, &c) == 0);
	bk_ringbuf_submit(rb, a, 0);
	CHECK("then reads both in order", bk_ringbuf_consume(rb, rb_cb, &c) == 2 && !memcmp(c.last, "BBBBBBBB", 8));
	CHECK("ringbuf sys ops not supported", bk_map_sys_lookup(rb, NULL, buf, 0, NULL) == -BK_ENOTSUPP &&
	      bk_map_sys_get_next_key(rb, NULL, buf, NULL) == -BK_ENOTSUPP);
	struct bk_buf js = { 0 };
	CHECK("ringbuf dump empty list", bk_map_dump_json(rb, &js, NULL, NULL) == 0 && js.len == 3 && !memcmp(js.data, "[]\n", 3));
	bk_buf_free(&js);
}

static void test_slots(void)
{
	struct bk_map_def in = { .type = BK_MAP_HASH, .key_size = 4, .value_size = 4, .max_entries = 8 };
	struct bk_map_def od = { .type = BK_MAP_ARRAY_OF_MAPS, .key_size = 4, .value_size = 4, .max_entries = 2,
				 .name = "outer", .inner = &in };
	struct bk_map *outer, *ok1 = mk(BK_MAP_HASH, 4, 4, 8, 0), *bad1 = mk(BK_MAP_HASH, 4, 8, 8, 0);
	CHECK("array_of_maps created", bk_map_create(S, &od, &outer, NULL) == 0);
	uint32_t k = 0, id = bk_map_id(ok1);
	struct bk_err e = { 0 };
	CHECK("inner map in", bk_map_sys_update(outer, &k, &id, 0, NULL) == 0);
	CHECK("program lookup gives the inner map", bk_map_lookup(outer, &k) == ok1 && bk_maps_from_ptr(S, ok1) == ok1);
	uint32_t got;
	CHECK("sys lookup gives the id", bk_map_sys_lookup(outer, &k, &got, 0, NULL) == 0 && got == id);
	id = bk_map_id(bad1);
	CHECK("mismatched inner -EINVAL", bk_map_sys_update(outer, &k, &id, 0, &e) == -EINVAL && strstr(e.msg, "inner map definition"));
	id = 9999;
	CHECK("unknown id -EBADF", bk_map_sys_update(outer, &k, &id, 0, NULL) == -EBADF);
	id = bk_map_id(ok1);
	CHECK("fd array update flags must be ANY", bk_map_sys_update(outer, &k, &id, BK_EXIST, NULL) == -EINVAL);
	k = 2;
	CHECK("fd array index -E2BIG", bk_map_sys_update(outer, &k, &id, 0, NULL) == -E2BIG && bk_map_sys_delete(outer, &k, NULL) == -E2BIG);
	k = 1;
	CHECK("empty slot lookup NULL / -ENOENT", !bk_map_lookup(outer, &k) && bk_map_sys_lookup(outer, &k, &got, 0, NULL) == -ENOENT &&
	      bk_map_sys_delete(outer, &k, NULL) == -ENOENT);
	struct bk_buf b = { 0 };
	bk_map_dump_json(outer, &b, NULL, NULL);
	bk_buf_append(&b, "", 1);
	char want[200];
	snprintf(want, sizeof want, "[{\"key\":[\"0x00\",\"0x00\",\"0x00\",\"0x00\"],\"value\":[\"0x%02x\",\"0x00\",\"0x00\",\"0x00\"]}]\n", bk_map_id(ok1));
	check_str("map-in-map dump skips holes", (char *)b.data, want);
	bk_buf_free(&b);
	k = 0;
	CHECK("delete inner", bk_map_sys_delete(outer, &k, NULL) == 0 && !bk_map_lookup(outer, &k));

	struct bk_map_def hd = { .type = BK_MAP_HASH_OF_MAPS, .key_size = 8, .value_size = 4, .max_entries = 2,
				 .name = "hom", .inner = &in };
	struct bk_map *hom;
	uint64_t hk = 77;
	id = bk_map_id(ok1);
	CHECK("hash_of_maps", bk_map_create(S, &hd, &hom, NULL) == 0 && bk_map_sys_update(hom, &hk, &id, 0, NULL) == 0 &&
	      bk_map_lookup(hom, &hk) == ok1 && bk_map_sys_lookup(hom, &hk, &got, 0, NULL) == 0 && got == id);
	id = bk_map_id(bad1);
	CHECK("hash_of_maps mismatch -EINVAL", bk_map_sys_update(hom, &hk, &id, 0, NULL) == -EINVAL);

	struct bk_map *pa = mk(BK_MAP_PROG_ARRAY, 4, 4, 4, 0);
	uint32_t prog = 42;
	k = 3;
	CHECK("prog_array stores a prog id", bk_map_sys_update(pa, &k, &prog, 0, NULL) == 0 &&
	      bk_map_sys_lookup(pa, &k, &got, 0, NULL) == 0 && got == 42 && bk_map_count(pa) == 1);
	CHECK("prog_array program lookup refused", bk_map_lookup(pa, &k) == NULL && bk_map_update(pa, &k, &prog, 0) == -EOPNOTSUPP);

	struct bk_map *dm = mk(BK_MAP_DEVMAP, 4, 8, 4, 0);
	uint32_t dv[2] = { 3, 0 };
	k = 1;
	CHECK("devmap NOEXIST always -EEXIST", bk_map_sys_update(dm, &k, dv, BK_NOEXIST, NULL) == -EEXIST);
	CHECK("devmap store", bk_map_sys_update(dm, &k, dv, 0, NULL) == 0);
	uint32_t *dp = bk_map_lookup(dm, &k);
	struct bk_map_region rg;
	CHECK("devmap program lookup read-only", dp && dp[0] == 3 && bk_maps_find_region(S, dp, 8, &rg) == 0 && !rg.writable);
	k = 9;
	CHECK("devmap delete out of range -EINVAL", bk_map_sys_delete(dm, &k, NULL) == -EINVAL);
	k = 2;
	CHECK("devmap delete empty ok", bk_map_sys_delete(dm, &k, NULL) == 0);
	b = (struct bk_buf){ 0 };
	bk_map_dump_json(dm, &b, NULL, NULL);
	bk_buf_append(&b, "", 1);
	CHECKF(strstr((char *)b.data, "{\"key\":[\"0x00\",\"0x00\",\"0x00\",\"0x00\"],\"value\":{\"error\":\"No such file or directory\"}}") &&
	       strstr((char *)b.data, "\"value\":[\"0x03\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\"]"),
	       "devmap dump prints holes as errors");
	bk_buf_free(&b);

	struct bk_map *dh = mk(BK_MAP_DEVMAP_HASH, 4, 4, 2, 0);
	uint32_t ifx = 5;
	k = 10;
	CHECK("devmap_hash EXIST inserts", bk_map_sys_update(dh, &k, &ifx, BK_EXIST, NULL) == 0 && bk_map_count(dh) == 1);
	CHECK("devmap_hash NOEXIST on present", bk_map_sys_update(dh, &k, &ifx, BK_NOEXIST, NULL) == -EEXIST);

	struct bk_map *cm = mk(BK_MAP_CPUMAP, 4, 4, 8, 0);
	uint32_t qs = 64;
	k = 0;
	CHECK("cpumap store, no program lookup", bk_map_sys_update(cm, &k, &qs, 0, NULL) == 0 && bk_map_count(cm) == 1 &&
	      !bk_map_lookup(cm, &k) && !(bk_map_def(cm)->map_flags & BK_F_RDONLY_PROG));
	k = 5;
	CHECK("cpumap cpu not present -ENODEV", bk_map_sys_update(cm, &k, &qs, 0, NULL) == -ENODEV);
	qs = 20000;
	k = 0;
	CHECK("cpumap qsize -EOVERFLOW", bk_map_sys_update(cm, &k, &qs, 0, NULL) == -EOVERFLOW);
	qs = 0;
	CHECK("cpumap qsize 0 removes", bk_map_sys_update(cm, &k, &qs, 0, NULL) == 0 && bk_map_count(cm) == 0);

	struct bk_map *xm = mk(BK_MAP_XSKMAP, 4, 4, 2, 0);
	uint32_t fd = 7;
	k = 0;
	CHECK("xskmap EXIST on empty -ENOENT", bk_map_sys_update(xm, &k, &fd, BK_EXIST, NULL) == -ENOENT);
	CHECK("xskmap store, sys lookup not supported", bk_map_sys_update(xm, &k, &fd, 0, NULL) == 0 &&
	      bk_map_sys_lookup(xm, &k, &got, 0, NULL) == -EOPNOTSUPP);
	uint32_t *xp = bk_map_lookup(xm, &k);
	CHECK("xskmap program lookup finds the socket slot, read-only", xp && *xp == 7 &&
	      bk_maps_find_region(S, xp, 4, &rg) == 0 && !rg.writable && !bk_map_lookup(xm, &(uint32_t){ 1 }));
	uint32_t nk;
	k = 0;
	CHECK("slot map get_next_key by index", bk_map_sys_get_next_key(xm, &k, &nk, NULL) == 0 && nk == 1 &&
	      bk_map_sys_get_next_key(xm, &nk, &nk, NULL) == -ENOENT);
}

static void test_dump_format(void)
{
	struct bk_map *m = mk(BK_MAP_HASH, 4, 6, 8, 0);
	uint32_t k = 1;
	uint8_t v[6] = { 1, 2, 3, 4, 5, 0xff };
	bk_map_update(m, &k, v, 0);
	struct bk_buf b = { 0 };
	struct bk_map_dump_opts o = BK_OPTS_INIT(bk_map_dump_opts, .pretty = true);
	bk_map_dump_json(m, &b, &o, NULL);
	bk_buf_append(&b, "", 1);
	const char *want = "[{\n        \"key\": [\"0x01\",\"0x00\",\"0x00\",\"0x00\"\n        ],\n"
			   "        \"value\": [\"0x01\",\"0x02\",\"0x03\",\"0x04\",\"0x05\",\"0xff\"\n        ]\n    }\n]\n";
	check_str("pretty dump as bpftool -p", (char *)b.data, want);
	bk_buf_free(&b);
	struct bk_map *e = mk(BK_MAP_HASH, 4, 4, 8, 0);
	bk_map_dump_json(e, &b, &o, NULL);
	CHECK("empty dump", b.len == 3 && !memcmp(b.data, "[]\n", 3));
	bk_buf_free(&b);
}

static void test_big(void)
{
	/* 1M entries: O(1) expected operations keep this quick. */
	struct bk_maps *s = bk_maps_new(NULL);
	struct bk_map_def d = { .type = BK_MAP_HASH, .key_size = 4, .value_size = 4, .max_entries = 1u << 20, .name = "big" };
	struct bk_map *m;
	int ok = bk_map_create(s, &d, &m, NULL) == 0;
	for (uint32_t i = 0; ok && i < (1u << 20); i++)
		ok = bk_map_update(m, &i, &i, BK_NOEXIST) == 0;
	uint32_t k = 1u << 20;
	ok = ok && bk_map_update(m, &k, &k, 0) == -E2BIG;
	for (uint32_t i = 0; ok && i < (1u << 20); i += 7) {
		uint32_t *p = bk_map_lookup(m, &i);
		ok = p && *p == i;
	}
	CHECK("hash with 1M entries", ok && bk_map_count(m) == (1u << 20));
	bk_maps_free(s);
	s = bk_maps_new(&BK_OPTS_INIT(bk_maps_opts, .ncpus = 2));
	d.map_flags = BK_F_NO_PREALLOC;
	ok = bk_map_create(s, &d, &m, NULL) == 0;
	for (uint32_t i = 0; ok && i < 300000; i++)
		ok = bk_map_update(m, &i, &i, 0) == 0;
	uint32_t *p = bk_map_lookup(m, &(uint32_t){ 299999 });
	struct bk_map_region rg;
	CHECK("no_prealloc grows in chunks", ok && p && *p == 299999 && bk_maps_find_region(s, p, 4, &rg) == 0 && bk_maps_ncpus(s) == 2);
	bk_maps_free(s);
}

int main(void)
{
	S = bk_maps_new(NULL);
	CHECK("host cpus", bk_maps_host_ncpus() >= 1);
	test_validation();
	test_array();
	test_spin_lock();
	test_hash(0);
	test_hash(BK_F_NO_PREALLOC);
	test_for_each();
	test_lru();
	test_queue_stack();
	test_ringbuf();
	test_slots();
	test_dump_format();
	test_percpu();
	bk_maps_free(S);
	test_big();
	return 0;
}
