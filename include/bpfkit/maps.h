/* bpfkit maps — userspace BPF maps with the kernel's semantics.
 *
 * A map set (struct bk_maps) owns maps and carries the per-cpu configuration: the number
 * of cpus per-cpu maps hold and the "current" cpu a program runs on. Maps live until the
 * set is freed, so pointers handed to a program stay valid for the set's life.
 *
 * Two sides, as in the kernel:
 *  - program side (what helpers do): bk_map_lookup returns a stable pointer into the
 *    map's value storage (the current cpu's slot for per-cpu maps); the program reads and
 *    writes value memory directly. bk_maps_find_region tells the runtime which value a
 *    pointer lies in, so it can check memory accesses. Return values follow the helpers
 *    (0 or a negative errno; NULL for a failed lookup).
 *  - syscall side (what bpftool / libbpf do): bk_map_sys_* copy keys and values in and
 *    out; per-cpu values are ncpus slots of round_up(value_size, 8) bytes, as the bpf(2)
 *    interface lays them out (bk_map_sys_value_size). Errors as bpf(2)'s errno, negated,
 *    plus a one-line message in struct bk_err.
 *
 * Map-in-map: values of array_of_maps / hash_of_maps are u32 map ids on the syscall side
 * (the kernel takes an fd on update and returns the id on lookup; ids play both roles
 * here). The program-side lookup returns the inner struct bk_map * itself (as the kernel
 * returns the struct bpf_map *), which the program passes on to helpers;
 * bk_maps_from_ptr validates such a pointer. prog_array, devmap, xskmap and cpumap store
 * their u32 (or 8-byte) values as given: the runtime interprets them (program ids,
 * ifindexes, ...). Nothing in this module prints. */
#ifndef BPFKIT_MAPS_H
#define BPFKIT_MAPS_H

#include "common.h"
#include "util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kernel's enum bpf_map_type numbers. */
enum bk_map_type {
	BK_MAP_UNSPEC = 0,
	BK_MAP_HASH = 1,
	BK_MAP_ARRAY = 2,
	BK_MAP_PROG_ARRAY = 3,
	BK_MAP_PERF_EVENT_ARRAY = 4,
	BK_MAP_PERCPU_HASH = 5,
	BK_MAP_PERCPU_ARRAY = 6,
	BK_MAP_STACK_TRACE = 7,
	BK_MAP_CGROUP_ARRAY = 8,
	BK_MAP_LRU_HASH = 9,
	BK_MAP_LRU_PERCPU_HASH = 10,
	BK_MAP_LPM_TRIE = 11,
	BK_MAP_ARRAY_OF_MAPS = 12,
	BK_MAP_HASH_OF_MAPS = 13,
	BK_MAP_DEVMAP = 14,
	BK_MAP_SOCKMAP = 15,
	BK_MAP_CPUMAP = 16,
	BK_MAP_XSKMAP = 17,
	BK_MAP_SOCKHASH = 18,
	BK_MAP_CGROUP_STORAGE = 19,
	BK_MAP_REUSEPORT_SOCKARRAY = 20,
	BK_MAP_PERCPU_CGROUP_STORAGE = 21,
	BK_MAP_QUEUE = 22,
	BK_MAP_STACK = 23,
	BK_MAP_SK_STORAGE = 24,
	BK_MAP_DEVMAP_HASH = 25,
	BK_MAP_STRUCT_OPS = 26,
	BK_MAP_RINGBUF = 27,
	BK_MAP_INODE_STORAGE = 28,
	BK_MAP_TASK_STORAGE = 29,
	BK_MAP_BLOOM_FILTER = 30,
	BK_MAP_USER_RINGBUF = 31,
	BK_MAP_CGRP_STORAGE = 32,
	BK_MAP_ARENA = 33,
};

/* map_flags at creation (the kernel's BPF_F_* values). */
#define BK_F_NO_PREALLOC   (1U << 0)
#define BK_F_NO_COMMON_LRU (1U << 1)
#define BK_F_NUMA_NODE     (1U << 2)
#define BK_F_RDONLY        (1U << 3)  /* syscall side cannot write */
#define BK_F_WRONLY        (1U << 4)  /* syscall side cannot read */
#define BK_F_STACK_BUILD_ID (1U << 5)
#define BK_F_ZERO_SEED     (1U << 6)
#define BK_F_RDONLY_PROG   (1U << 7)  /* program cannot write (.rodata) */
#define BK_F_WRONLY_PROG   (1U << 8)
#define BK_F_CLONE         (1U << 9)
#define BK_F_MMAPABLE      (1U << 10)
#define BK_F_PRESERVE_ELEMS (1U << 11)
#define BK_F_INNER_MAP     (1U << 12)

/* Update flags (BPF_ANY ...). */
#define BK_ANY      0ULL
#define BK_NOEXIST  1ULL
#define BK_EXIST    2ULL
#define BK_F_LOCK   4ULL

/* Ring buffer: record header, helper flags and query selectors. */
#define BK_RINGBUF_BUSY_BIT    (1U << 31)
#define BK_RINGBUF_DISCARD_BIT (1U << 30)
#define BK_RINGBUF_HDR_SZ      8
#define BK_RB_NO_WAKEUP        (1ULL << 0)
#define BK_RB_FORCE_WAKEUP     (1ULL << 1)
#define BK_RB_AVAIL_DATA       0
#define BK_RB_RING_SIZE        1
#define BK_RB_CONS_POS         2
#define BK_RB_PROD_POS         3

/* The kernel-internal ENOTSUPP that bpf(2) leaks to userspace (errno 524) where an
 * operation does not exist for a map type (lookup_and_delete on an array, ...). */
#define BK_ENOTSUPP 524

#define BK_MAP_NAME_LEN 16  /* the kernel's BPF_OBJ_NAME_LEN: 15 chars + NUL */

struct bk_map_def {
	uint32_t type;        /* enum bk_map_type */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;   /* BK_F_* */
	char name[BK_MAP_NAME_LEN];
	/* array_of_maps / hash_of_maps: the template every inner map must match (type,
	 * key/value size, flags; max_entries too unless the template has BK_F_INNER_MAP). */
	const struct bk_map_def *inner;
	/* A struct bpf_spin_lock (a u32) in the value at spin_lock_off, as BTF would say. */
	bool has_spin_lock;
	uint32_t spin_lock_off;
};

struct bk_maps_opts {
	size_t sz;
	unsigned ncpus;    /* cpus of per-cpu maps; 0 = 1 */
};

struct bk_map;
struct bk_maps;

struct bk_maps *bk_maps_new(const struct bk_maps_opts *opts);
void bk_maps_free(struct bk_maps *set);
/* Changes the cpu count; -EBUSY once a per-cpu map exists. */
int bk_maps_set_ncpus(struct bk_maps *set, unsigned ncpus);
unsigned bk_maps_ncpus(const struct bk_maps *set);
/* The cpu whose slot program-side per-cpu accesses use; -EINVAL if >= ncpus. */
int bk_maps_set_cpu(struct bk_maps *set, unsigned cpu);
unsigned bk_maps_cpu(const struct bk_maps *set);
/* The host's possible cpus (/sys/devices/system/cpu/possible), as bpftool counts them. */
int bk_maps_host_ncpus(void);

/* Validates DEF as BPF_MAP_CREATE does and creates the map in SET. Errors: -EINVAL
 * (message names the rule), -E2BIG, -ENOMEM, -EOPNOTSUPP for types not emulated.
 * *out belongs to the set. Ids start at 1 in creation order. */
int bk_map_create(struct bk_maps *set, const struct bk_map_def *def, struct bk_map **out,
		  struct bk_err *err);
size_t bk_maps_count(const struct bk_maps *set);
struct bk_map *bk_maps_get(const struct bk_maps *set, size_t idx);
struct bk_map *bk_maps_by_id(const struct bk_maps *set, uint32_t id);
struct bk_map *bk_maps_by_name(const struct bk_maps *set, const char *name);
/* PTR if it is one of SET's maps (for map pointers a program got from a map-in-map
 * lookup or an ld_imm64), else NULL. */
struct bk_map *bk_maps_from_ptr(const struct bk_maps *set, const void *ptr);

const struct bk_map_def *bk_map_def(const struct bk_map *m);
uint32_t bk_map_id(const struct bk_map *m);
const char *bk_map_name(const struct bk_map *m);
const char *bk_map_type_name(uint32_t type);   /* bpftool's names: "hash", "array", ... */
bool bk_map_is_percpu(const struct bk_map *m);
/* Elements in use (hash/queue/stack/slot maps), max_entries for arrays. */
uint32_t bk_map_count(const struct bk_map *m);
bool bk_map_frozen(const struct bk_map *m);

/* ---- program side (helper semantics) ---- */

/* bpf_map_lookup_elem: a pointer into value storage or NULL. Per-cpu maps: the current
 * cpu's slot. Map-in-map: the inner struct bk_map *. LRU maps: marks the entry used. */
void *bk_map_lookup(struct bk_map *m, const void *key);
/* bk_map_lookup of a map with 4-byte keys, the key given by value (a runtime that has it
 * in a register spares the reload). */
void *bk_map_lookup_u32(struct bk_map *m, uint32_t key);
/* bk_map_lookup, plus in *REGION what bk_map_find_region would answer for the returned
 * pointer (size 0 when there is no value memory: NULL, or an inner map of a map-in-map),
 * so a runtime can check the program's accesses through it without a search. */
struct bk_map_region;
void *bk_map_lookup_region(struct bk_map *m, const void *key, struct bk_map_region *region);
/* bpf_map_lookup_percpu_elem. */
void *bk_map_lookup_percpu(struct bk_map *m, const void *key, uint32_t cpu);
/* bpf_map_update_elem: value_size bytes (the current cpu's slot for per-cpu maps;
 * for a new per-cpu hash element the other cpus' slots are zeroed). */
long bk_map_update(struct bk_map *m, const void *key, const void *value, uint64_t flags);
long bk_map_delete(struct bk_map *m, const void *key);
/* Queue / stack (bpf_map_push_elem, pop, peek). BK_EXIST on push overwrites the oldest
 * when full. */
long bk_map_push(struct bk_map *m, const void *value, uint64_t flags);
long bk_map_pop(struct bk_map *m, void *value);
long bk_map_peek(struct bk_map *m, void *value);

/* bpf_for_each_map_elem: calls CB(map, key, value, ctx) for each element (per-cpu maps:
 * the current cpu's slot) until it returns non-zero. Returns the number of elements the
 * callback saw, or -EINVAL (flags != 0 or unsupported map type). */
typedef long (*bk_map_each_cb)(struct bk_map *m, const void *key, void *value, void *ctx);
long bk_map_for_each(struct bk_map *m, bk_map_each_cb cb, void *ctx, uint64_t flags);

/* bpf_spin_lock / unlock on the u32 inside a value; the runtime is single-threaded so the
 * lock only records its state (locking a held lock returns -EDEADLK, unlocking a free one
 * -EINVAL: both are program bugs the kernel verifier would have refused). */
long bk_spin_lock(void *lock);
long bk_spin_unlock(void *lock);

/* Ring buffer (BK_MAP_RINGBUF). Records: an 8-byte header {u32 len | BUSY | DISCARD,
 * u32 pg_off} then the data, each record padded to 8 bytes, positions as the kernel's. */
void *bk_ringbuf_reserve(struct bk_map *m, uint64_t size, uint64_t flags);
void bk_ringbuf_submit(struct bk_map *m, void *data, uint64_t flags);
void bk_ringbuf_discard(struct bk_map *m, void *data, uint64_t flags);
long bk_ringbuf_output(struct bk_map *m, const void *data, uint64_t size, uint64_t flags);
uint64_t bk_ringbuf_query(struct bk_map *m, uint64_t flags);

/* ---- memory regions, for the runtime's access checks ---- */

struct bk_map_region {
	void *start;       /* first byte of the value (or reserved ring buffer record) */
	size_t size;       /* value_size (or the reserved size) */
	bool writable;     /* false for BK_F_RDONLY_PROG maps (devmaps get that flag at
			    * creation, as in the kernel) and devmap/xskmap entries; freezing
			    * only stops syscall-side writes */
	struct bk_map *map;
};
/* 0 and *out when [addr, addr+len) lies inside one live value (or reserved ring buffer
 * record) of a map of SET; -EFAULT otherwise. Values of deleted hash elements stay
 * addressable (as kernel memory stays mapped after a delete) but are not "live": they
 * return -EFAULT here. */
int bk_maps_find_region(const struct bk_maps *set, const void *addr, size_t len,
			struct bk_map_region *out);
int bk_map_find_region(const struct bk_map *m, const void *addr, size_t len,
		       struct bk_map_region *out);

/* ---- syscall side (copy semantics, bpf(2) errnos) ---- */

/* Bytes of a value on the syscall side: ncpus * round_up(value_size, 8) for per-cpu
 * maps, value_size otherwise. */
size_t bk_map_sys_value_size(const struct bk_map *m);
int bk_map_sys_lookup(struct bk_map *m, const void *key, void *value, uint64_t flags,
		      struct bk_err *err);
int bk_map_sys_update(struct bk_map *m, const void *key, const void *value, uint64_t flags,
		      struct bk_err *err);
int bk_map_sys_delete(struct bk_map *m, const void *key, struct bk_err *err);
/* KEY NULL (or not found in a hash) gives the first key; -ENOENT after the last. */
int bk_map_sys_get_next_key(struct bk_map *m, const void *key, void *next, struct bk_err *err);
/* Queue/stack: pop (key NULL). Hash maps: lookup then delete. */
int bk_map_sys_lookup_and_delete(struct bk_map *m, const void *key, void *value,
				 uint64_t flags, struct bk_err *err);
/* BPF_MAP_FREEZE: later syscall-side writes fail with -EPERM; freezing again (or a
 * BPF_F_RDONLY map) fails with -EPERM too, as the kernel checks writability first. */
int bk_map_freeze(struct bk_map *m, struct bk_err *err);

/* Appends the contents in `bpftool map dump -j` form (or -p with pretty), ending with a
 * newline as bpftool does. No "formatted" (BTF) members. */
struct bk_map_dump_opts {
	size_t sz;
	bool pretty;
};
int bk_map_dump_json(struct bk_map *m, struct bk_buf *out, const struct bk_map_dump_opts *opts,
		     struct bk_err *err);

/* Ring buffer consumer (what libbpf's ring_buffer__consume does): calls CB for each
 * submitted record in order, skipping discarded ones, stopping at a record still being
 * written (busy). Advances the consumer position. Returns the number of records handed
 * to CB, or the callback's negative return. */
typedef int (*bk_ringbuf_sample_cb)(void *ctx, const void *data, size_t size);
int bk_ringbuf_consume(struct bk_map *m, bk_ringbuf_sample_cb cb, void *ctx);
/* The raw data area (max_entries bytes) and the positions, for layout checks. */
const uint8_t *bk_ringbuf_data(const struct bk_map *m, size_t *size);
uint64_t bk_ringbuf_wakeups(const struct bk_map *m);

#ifdef __cplusplus
}
#endif
#endif
