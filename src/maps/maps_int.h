/* Internal layout of maps, shared by the files of src/maps. */
#ifndef BK_MAPS_INT_H
#define BK_MAPS_INT_H

#include "bpfkit/maps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define RU8(x) (((x) + 7u) & ~(size_t)7u)

enum bk_kind {
	KIND_ARRAY,   /* array, percpu_array */
	KIND_SLOTS,   /* prog_array, array_of_maps, devmap, xskmap, cpumap: array with holes */
	KIND_HASH,    /* hash, percpu_hash, lru_*, hash_of_maps, devmap_hash */
	KIND_QUEUE,   /* queue, stack */
	KIND_RINGBUF,
};

/* A hash element: this header, the key (padded to 8), then the value storage. Indices
 * (1-based, 0 = none) link elements so the preallocated pool is one block. */
struct hel {
	uint32_t next;          /* bucket chain */
	uint32_t hash;
	uint32_t lprev, lnext;  /* LRU list, most recent first */
	uint32_t live;
	uint32_t pad;
};

/* Hash element storage: chunks that never move, so value pointers stay valid. */
struct hchunk {
	uint8_t *mem;
	uint32_t first;   /* 0-based index of the chunk's first element */
	uint32_t count;
};

struct rb_resv {
	uint64_t pos;     /* record header position */
	uint32_t size;    /* data bytes asked for */
};

struct bk_map {
	struct bk_maps *set;
	struct bk_map_def def;
	struct bk_map_def inner_def;
	uint32_t id;
	enum bk_kind kind;
	bool percpu, lru, frozen;
	size_t vsz8;      /* value_size rounded up to 8 */
	size_t slot;      /* value storage of one element: vsz8 or ncpus * vsz8 */

	/* KIND_ARRAY / KIND_SLOTS */
	uint8_t *data;
	uint8_t *present;          /* KIND_SLOTS */
	struct bk_map **inner;     /* array_of_maps: the inner map per slot */
	uint32_t nslots_used;

	/* KIND_HASH */
	uint32_t *buckets;
	uint32_t nbuckets;         /* power of two */
	uint32_t hbits;            /* log2(nbuckets) */
	struct hchunk *chunks;
	size_t nchunks, chunks_cap;
	size_t esz;                /* element bytes */
	uint32_t hwm;              /* elements ever handed out */
	uint32_t freelist;         /* index of first free element (via next) */
	uint32_t count;
	uint32_t lru_head, lru_tail;
	uint32_t seed;
	bool fastmix;              /* hash_key: a multiplicative mix for 4/8-byte keys, not jhash */
	bool u32fast;              /* fastmix, u32 keys, preallocated: bk__hash_find's short path */
	uint8_t *hbase;            /* u32fast: chunks[0].mem - esz, element i at i * esz */
	bool lk_u32;               /* a plain BPF_MAP_TYPE_HASH with u32fast: bk_map_lookup's
				    * short path (no LRU, no per-cpu slot, no inner map) */

	/* KIND_QUEUE: a ring of max_entries + 1 values */
	uint32_t qhead, qtail, qsize;

	/* KIND_RINGBUF: data area of max_entries bytes followed by a mirror of the same
	 * size, so a record that wraps stays contiguous for the program (the kernel maps the
	 * pages twice); commit copies the part in the mirror back to the start. */
	uint64_t cons_pos, prod_pos, pend_pos;
	struct rb_resv *resv;
	size_t nresv, resv_cap;
	uint64_t wakeups;
};

struct bk_maps {
	unsigned ncpus, cpu;
	struct bk_map **maps;
	size_t n, cap;
};

/* The seeded hash of a u32 key: one 64-bit multiplication by 2^64/phi (Fibonacci
 * hashing), rotated so that the product's top HBITS bits, the ones every key bit reaches,
 * are the bucket bits: consecutive keys, the common case, land in distinct buckets. */
static inline uint32_t bk__mul32(uint32_t k, unsigned hbits)
{
	uint64_t p = (uint64_t)k * 0x9e3779b97f4a7c15ULL;
	return (uint32_t)((p >> (63 - hbits) >> 1) | (p << hbits));
}

/* bk__hash_find for a u32fast map, inline in the lookup's short path. */
static inline __attribute__((always_inline)) struct hel *bk__hash_find_u32(struct bk_map *m,
									   uint32_t k,
									   uint32_t *idx)
{
	uint32_t h = bk__mul32(k ^ m->seed, m->hbits);
	uint8_t *base = m->hbase;
	size_t esz = m->esz;
	for (uint32_t i = m->buckets[h & (m->nbuckets - 1)]; i;) {
		struct hel *e = (struct hel *)(base + (size_t)i * esz);
		uint32_t ek;
		memcpy(&ek, e + 1, 4);
		if (e->hash == h && ek == k) {
			if (idx)
				*idx = i;
			return e;
		}
		i = e->next;
	}
	return NULL;
}

/* hash.c */
int bk__hash_init(struct bk_map *m, struct bk_err *err);
void bk__hash_free(struct bk_map *m);
struct hel *bk__hash_find(struct bk_map *m, const void *key, uint32_t *idx);
uint8_t *bk__hel_key(struct bk_map *m, struct hel *e);
#define BK__CHUNK0 64u  /* first chunk of a BPF_F_NO_PREALLOC map; each next one doubles */
static inline bool bk__hash_prealloc(const struct bk_map *m)
{
	return !(m->def.map_flags & BK_F_NO_PREALLOC);
}
static inline uint8_t *bk__hel_val(struct bk_map *m, struct hel *e)
{
	return (uint8_t *)(e + 1) + RU8(m->def.key_size);
}
/* Element IDX (1-based); inline: every lookup walks a chain through it. */
static inline struct hel *bk__hel(struct bk_map *m, uint32_t idx)
{
	uint32_t i = idx - 1;
	if (bk__hash_prealloc(m))
		return (struct hel *)(m->chunks[0].mem + (size_t)i * m->esz);
	uint32_t k = 31 - (uint32_t)__builtin_clz(i / BK__CHUNK0 + 1);
	struct hchunk *c = &m->chunks[k];
	return (struct hel *)(c->mem + (size_t)(i - c->first) * m->esz);
}
/* Inserts or replaces; VAL is written through the callback so the caller decides the
 * per-cpu layout. */
int bk__hash_update(struct bk_map *m, const void *key, uint64_t flags, struct hel **out,
		    bool *created);
int bk__hash_delete(struct bk_map *m, const void *key);
int bk__hash_next(struct bk_map *m, const void *key, void *next);
void bk__lru_touch(struct bk_map *m, uint32_t idx);
int bk__hash_region(const struct bk_map *m, const void *addr, size_t len,
		    struct bk_map_region *out);
/* Iteration in get_next_key order: first element index from bucket B on (0 = none). */
uint32_t bk__hash_first_from(struct bk_map *m, uint32_t bucket);

/* ringbuf.c */
int bk__ringbuf_init(struct bk_map *m, struct bk_err *err);
int bk__ringbuf_region(const struct bk_map *m, const void *addr, size_t len,
		       struct bk_map_region *out);

#endif
