/* Hash maps: buckets of singly-linked elements in a pool that never moves, an LRU list
 * for the lru types. get_next_key walks buckets in order, each chain newest first, as the
 * kernel's htab does. */
#include "maps_int.h"

#define CHUNK0 64u  /* first chunk of a BPF_F_NO_PREALLOC map; each next one doubles */

static bool prealloc(const struct bk_map *m)
{
	return !(m->def.map_flags & BK_F_NO_PREALLOC);
}

static uint32_t hash_bytes(const void *key, size_t n, uint32_t seed)
{
	const uint8_t *p = key;
	uint32_t h = 2166136261u ^ seed;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	/* FNV alone clusters small integer keys in the low bits the mask keeps. */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

int bk__hash_init(struct bk_map *m, struct bk_err *err)
{
	uint32_t max = m->def.max_entries;
	uint64_t nb = 1;
	while (nb < max)
		nb <<= 1;
	if (nb > (1u << 31))
		return bk_err_set(err, -E2BIG, "map '%s': max_entries %u needs too many buckets",
				  m->def.name, max);
	m->nbuckets = (uint32_t)nb;
	m->esz = sizeof(struct hel) + RU8(m->def.key_size) + m->slot;
	m->seed = (m->def.map_flags & BK_F_ZERO_SEED) ? 0 : 0x9e3779b9u;
	m->buckets = calloc(nb, sizeof(uint32_t));
	if (!m->buckets)
		return bk_err_set(err, -ENOMEM, "map '%s': out of memory for %u buckets",
				  m->def.name, (unsigned)nb);
	if (prealloc(m)) {
		/* calloc leaves untouched pages unmapped, so a 1M-entry map costs memory
		 * only as elements are used. */
		if ((uint64_t)max * m->esz > ((uint64_t)1 << 36))
			return bk_err_set(err, -ENOMEM, "map '%s': %u elements of %zu bytes is too much memory",
					  m->def.name, max, m->esz);
		m->chunks = calloc(1, sizeof(*m->chunks));
		if (!m->chunks)
			return bk_err_set(err, -ENOMEM, "map '%s': out of memory", m->def.name);
		m->chunks[0].mem = calloc(max, m->esz);
		if (!m->chunks[0].mem)
			return bk_err_set(err, -ENOMEM, "map '%s': out of memory preallocating %u elements",
					  m->def.name, max);
		m->chunks[0].count = max;
		m->nchunks = m->chunks_cap = 1;
	}
	return 0;
}

void bk__hash_free(struct bk_map *m)
{
	for (size_t i = 0; i < m->nchunks; i++)
		free(m->chunks[i].mem);
	free(m->chunks);
	free(m->buckets);
}

struct hel *bk__hel(struct bk_map *m, uint32_t idx)
{
	uint32_t i = idx - 1;
	if (prealloc(m))
		return (struct hel *)(m->chunks[0].mem + (size_t)i * m->esz);
	uint32_t k = 31 - (uint32_t)__builtin_clz(i / CHUNK0 + 1);
	struct hchunk *c = &m->chunks[k];
	return (struct hel *)(c->mem + (size_t)(i - c->first) * m->esz);
}

uint8_t *bk__hel_key(struct bk_map *m, struct hel *e)
{
	(void)m;
	return (uint8_t *)(e + 1);
}

uint8_t *bk__hel_val(struct bk_map *m, struct hel *e)
{
	return (uint8_t *)(e + 1) + RU8(m->def.key_size);
}

struct hel *bk__hash_find(struct bk_map *m, const void *key, uint32_t *idx)
{
	uint32_t h = hash_bytes(key, m->def.key_size, m->seed);
	for (uint32_t i = m->buckets[h & (m->nbuckets - 1)]; i;) {
		struct hel *e = bk__hel(m, i);
		if (e->hash == h && !memcmp(bk__hel_key(m, e), key, m->def.key_size)) {
			if (idx)
				*idx = i;
			return e;
		}
		i = e->next;
	}
	return NULL;
}

static void lru_unlink(struct bk_map *m, uint32_t idx, struct hel *e)
{
	if (e->lprev)
		bk__hel(m, e->lprev)->lnext = e->lnext;
	else
		m->lru_head = e->lnext;
	if (e->lnext)
		bk__hel(m, e->lnext)->lprev = e->lprev;
	else
		m->lru_tail = e->lprev;
	e->lprev = e->lnext = 0;
	(void)idx;
}

static void lru_push(struct bk_map *m, uint32_t idx, struct hel *e)
{
	e->lprev = 0;
	e->lnext = m->lru_head;
	if (m->lru_head)
		bk__hel(m, m->lru_head)->lprev = idx;
	m->lru_head = idx;
	if (!m->lru_tail)
		m->lru_tail = idx;
}

void bk__lru_touch(struct bk_map *m, uint32_t idx)
{
	if (!m->lru || m->lru_head == idx)
		return;
	struct hel *e = bk__hel(m, idx);
	lru_unlink(m, idx, e);
	lru_push(m, idx, e);
}

/* Unlinks element IDX from its bucket and the LRU list and frees it. */
static void remove_elem(struct bk_map *m, uint32_t idx, struct hel *e)
{
	uint32_t *pp = &m->buckets[e->hash & (m->nbuckets - 1)];
	while (*pp != idx)
		pp = &bk__hel(m, *pp)->next;
	*pp = e->next;
	if (m->lru)
		lru_unlink(m, idx, e);
	e->live = 0;
	e->next = m->freelist;
	m->freelist = idx;
	m->count--;
}

static int grow_chunks(struct bk_map *m, uint32_t i)
{
	uint32_t k = 31 - (uint32_t)__builtin_clz(i / CHUNK0 + 1);
	if (k < m->nchunks)
		return 0;
	if (m->nchunks == m->chunks_cap) {
		size_t cap = m->chunks_cap ? m->chunks_cap * 2 : 8;
		struct hchunk *c = realloc(m->chunks, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		m->chunks = c;
		m->chunks_cap = cap;
	}
	uint32_t first = CHUNK0 * ((1u << k) - 1);
	uint64_t count = (uint64_t)CHUNK0 << k;
	if (first + count > m->def.max_entries)
		count = m->def.max_entries - first;
	uint8_t *mem = calloc(count, m->esz);
	if (!mem)
		return -ENOMEM;
	m->chunks[m->nchunks++] = (struct hchunk){ mem, first, (uint32_t)count };
	return 0;
}

static uint32_t alloc_elem(struct bk_map *m, int *res)
{
	*res = 0;
	if (m->freelist) {
		uint32_t idx = m->freelist;
		m->freelist = bk__hel(m, idx)->next;
		return idx;
	}
	if (m->hwm >= m->def.max_entries)
		return 0;
	if (!prealloc(m) && (*res = grow_chunks(m, m->hwm)))
		return 0;
	return ++m->hwm;
}

int bk__hash_update(struct bk_map *m, const void *key, uint64_t flags, struct hel **out,
		    bool *created)
{
	uint32_t idx;
	struct hel *e = bk__hash_find(m, key, &idx);
	uint64_t f = flags & ~BK_F_LOCK;
	if (e && f == BK_NOEXIST)
		return -EEXIST;
	if (!e && f == BK_EXIST)
		return -ENOENT;
	if (e) {
		bk__lru_touch(m, idx);
		*out = e;
		*created = false;
		return 0;
	}
	int r;
	idx = alloc_elem(m, &r);
	if (!idx && r)
		return r;
	if (!idx && m->lru && m->lru_tail) {
		/* The kernel's LRU takes the least recently used element when no free
		 * node is left; ours keeps one exact list. */
		remove_elem(m, m->lru_tail, bk__hel(m, m->lru_tail));
		idx = alloc_elem(m, &r);
	}
	if (!idx)
		return m->lru ? -ENOMEM : -E2BIG;
	e = bk__hel(m, idx);
	memset(e, 0, m->esz);
	e->hash = hash_bytes(key, m->def.key_size, m->seed);
	e->live = 1;
	memcpy(bk__hel_key(m, e), key, m->def.key_size);
	uint32_t *head = &m->buckets[e->hash & (m->nbuckets - 1)];
	e->next = *head;
	*head = idx;
	if (m->lru)
		lru_push(m, idx, e);
	m->count++;
	*out = e;
	*created = true;
	return 0;
}

int bk__hash_delete(struct bk_map *m, const void *key)
{
	uint32_t idx;
	struct hel *e = bk__hash_find(m, key, &idx);
	if (!e)
		return -ENOENT;
	remove_elem(m, idx, e);
	return 0;
}

uint32_t bk__hash_first_from(struct bk_map *m, uint32_t bucket)
{
	for (uint32_t b = bucket; b < m->nbuckets; b++)
		if (m->buckets[b])
			return m->buckets[b];
	return 0;
}

int bk__hash_next(struct bk_map *m, const void *key, void *next)
{
	struct hel *e = key ? bk__hash_find(m, key, NULL) : NULL;
	uint32_t n;
	if (!e)
		n = bk__hash_first_from(m, 0);
	else if (e->next)
		n = e->next;
	else
		n = bk__hash_first_from(m, (e->hash & (m->nbuckets - 1)) + 1);
	if (!n)
		return -ENOENT;
	memcpy(next, bk__hel_key(m, bk__hel(m, n)), m->def.key_size);
	return 0;
}

int bk__hash_region(const struct bk_map *m, const void *addr, size_t len,
		    struct bk_map_region *out)
{
	const uint8_t *a = addr;
	size_t voff = sizeof(struct hel) + RU8(m->def.key_size);
	for (size_t c = 0; c < m->nchunks; c++) {
		const struct hchunk *ch = &m->chunks[c];
		if (a < ch->mem || a >= ch->mem + (size_t)ch->count * m->esz)
			continue;
		size_t off = (size_t)(a - ch->mem);
		size_t ei = off / m->esz, in = off % m->esz;
		uint8_t *base = ch->mem + ei * m->esz;
		if (in < voff || !((struct hel *)base)->live)
			return -EFAULT;
		size_t vo = in - voff, cpu = vo / m->vsz8, inval = vo % m->vsz8;
		if (inval + len > m->def.value_size)
			return -EFAULT;
		out->start = base + voff + cpu * m->vsz8;
		out->size = m->def.value_size;
		return 0;
	}
	return -EFAULT;
}
