/* Hash maps: buckets of singly-linked elements in a pool that never moves, an LRU list
 * for the lru types. get_next_key walks buckets in order, each chain newest first, as the
 * kernel's htab does. */
#include "maps_int.h"

#define CHUNK0 BK__CHUNK0

static bool prealloc(const struct bk_map *m)
{
	return bk__hash_prealloc(m);
}

/* Bob Jenkins' lookup3 hash as the kernel's jhash/jhash2 computes it, so with
 * BPF_F_ZERO_SEED elements fall into the same buckets as in the kernel and
 * get_next_key walks them in the kernel's order. */
static uint32_t rol32(uint32_t w, unsigned s) { return (w << s) | (w >> ((32 - s) & 31)); }

#define JMIX(a, b, c) do { \
	a -= c; a ^= rol32(c, 4); c += b; \
	b -= a; b ^= rol32(a, 6); a += c; \
	c -= b; c ^= rol32(b, 8); b += a; \
	a -= c; a ^= rol32(c, 16); c += b; \
	b -= a; b ^= rol32(a, 19); a += c; \
	c -= b; c ^= rol32(b, 4); b += a; } while (0)
#define JFINAL(a, b, c) do { \
	c ^= b; c -= rol32(b, 14); \
	a ^= c; a -= rol32(c, 11); \
	b ^= a; b -= rol32(a, 25); \
	c ^= b; c -= rol32(b, 16); \
	a ^= c; a -= rol32(c, 4); \
	b ^= a; b -= rol32(a, 14); \
	c ^= b; c -= rol32(b, 24); } while (0)
#define JINIT 0xdeadbeefu

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* Keys that are a whole number of u32 words (jhash2). */
static uint32_t jhash_words(const uint8_t *k, uint32_t words, uint32_t seed)
{
	uint32_t a, b, c;
	a = b = c = JINIT + (words << 2) + seed;
	while (words > 3) {
		a += get32(k);
		b += get32(k + 4);
		c += get32(k + 8);
		JMIX(a, b, c);
		words -= 3;
		k += 12;
	}
	switch (words) {
	case 3: c += get32(k + 8); /* fall through */
	case 2: b += get32(k + 4); /* fall through */
	case 1: a += get32(k);
		JFINAL(a, b, c);
		break;
	default:
		break;
	}
	return c;
}

static uint32_t jhash_bytes(const uint8_t *k, uint32_t len, uint32_t seed)
{
	uint32_t a, b, c;
	a = b = c = JINIT + len + seed;
	while (len > 12) {
		a += get32(k);
		b += get32(k + 4);
		c += get32(k + 8);
		JMIX(a, b, c);
		len -= 12;
		k += 12;
	}
	switch (len) {
	case 12: c += (uint32_t)k[11] << 24; /* fall through */
	case 11: c += (uint32_t)k[10] << 16; /* fall through */
	case 10: c += (uint32_t)k[9] << 8; /* fall through */
	case 9: c += k[8]; /* fall through */
	case 8: b += (uint32_t)k[7] << 24; /* fall through */
	case 7: b += (uint32_t)k[6] << 16; /* fall through */
	case 6: b += (uint32_t)k[5] << 8; /* fall through */
	case 5: b += k[4]; /* fall through */
	case 4: a += (uint32_t)k[3] << 24; /* fall through */
	case 3: a += (uint32_t)k[2] << 16; /* fall through */
	case 2: a += (uint32_t)k[1] << 8; /* fall through */
	case 1: a += k[0];
		JFINAL(a, b, c);
		break;
	default:
		break;
	}
	return c;
}

/* jhash2 of one and two words, the common key sizes, unrolled (the same value as
 * jhash_words). */
static inline uint32_t jhash_1word(uint32_t w, uint32_t seed)
{
	uint32_t a, b, c;
	a = b = c = JINIT + 4 + seed;
	a += w;
	JFINAL(a, b, c);
	return c;
}

static inline uint32_t jhash_2words(uint32_t w0, uint32_t w1, uint32_t seed)
{
	uint32_t a, b, c;
	a = b = c = JINIT + 8 + seed;
	a += w0;
	b += w1;
	JFINAL(a, b, c);
	return c;
}

/* Seeded maps need not put elements where the kernel does (its seed is random), so the
 * common key sizes get a shorter mix than jhash's: for u32 keys bk__mul32, for u64 keys
 * murmur3's 64-bit finalizer. */

static inline uint32_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	return (uint32_t)(k ^ (k >> 33));
}

static inline __attribute__((always_inline)) uint32_t hash_key(const struct bk_map *m,
								const void *key)
{
	/* The devmap hash indexes buckets by the ifindex key itself. */
	if (__builtin_expect(m->def.type == BK_MAP_DEVMAP_HASH, 0))
		return get32(key);
	switch (m->def.key_size) {
	case 4:
		if (m->fastmix)
			return bk__mul32(get32(key) ^ m->seed, m->hbits);
		return jhash_1word(get32(key), m->seed);
	case 8: {
		if (m->fastmix) {
			uint64_t k;
			memcpy(&k, key, 8);
			return fmix64(k ^ m->seed);
		}
		return jhash_2words(get32(key), get32((const uint8_t *)key + 4), m->seed);
	}
	default:
		break;
	}
	if (m->def.key_size % 4 == 0)
		return jhash_words(key, m->def.key_size / 4, m->seed);
	return jhash_bytes(key, m->def.key_size, m->seed);
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
	m->hbits = (uint32_t)__builtin_ctzll(nb);
	m->esz = sizeof(struct hel) + RU8(m->def.key_size) + m->slot;
	/* The kernel picks a random seed unless BPF_F_ZERO_SEED; a fixed one keeps runs
	 * reproducible. */
	m->seed = (m->def.map_flags & BK_F_ZERO_SEED) ? 0 : 0x9e3779b9u;
	/* With BPF_F_ZERO_SEED the order of get_next_key is the kernel's: jhash it stays. */
	m->fastmix = !(m->def.map_flags & BK_F_ZERO_SEED);
	m->u32fast = m->fastmix && m->def.key_size == 4 && prealloc(m) &&
		     m->def.type != BK_MAP_DEVMAP_HASH;
	m->lk_u32 = m->u32fast && m->def.type == BK_MAP_HASH;
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
		/* element i (1-based) at hbase + i * esz; never dereferenced at index 0 */
		m->hbase = (uint8_t *)((uintptr_t)m->chunks[0].mem - m->esz);
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

uint8_t *bk__hel_key(struct bk_map *m, struct hel *e)
{
	(void)m;
	return (uint8_t *)(e + 1);
}


static inline bool key_eq(const struct bk_map *m, const uint8_t *a, const void *b)
{
	switch (m->def.key_size) {
	case 4:
		return get32(a) == get32(b);
	case 8: {
		uint64_t x, y;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return x == y;
	}
	default:
		return !memcmp(a, b, m->def.key_size);
	}
}

struct hel *bk__hash_find(struct bk_map *m, const void *key, uint32_t *idx)
{
	if (m->u32fast)
		return bk__hash_find_u32(m, get32(key), idx);
	uint32_t h = hash_key(m, key);
	for (uint32_t i = m->buckets[h & (m->nbuckets - 1)]; i;) {
		struct hel *e = bk__hel(m, i);
		if (e->hash == h && key_eq(m, (const uint8_t *)(e + 1), key)) {
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

static void move_to_bucket_head(struct bk_map *m, uint32_t idx, struct hel *e)
{
	uint32_t *head = &m->buckets[e->hash & (m->nbuckets - 1)];
	if (*head == idx)
		return;
	uint32_t *pp = head;
	while (*pp != idx)
		pp = &bk__hel(m, *pp)->next;
	*pp = e->next;
	e->next = *head;
	*head = idx;
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
		/* The kernel replaces a hash or LRU element by a new one at the head of
		 * its bucket (per-cpu maps and BPF_F_LOCK update in place); moving the
		 * element keeps that get_next_key order while its value stays put. */
		if (!m->percpu && !(flags & BK_F_LOCK))
			move_to_bucket_head(m, idx, e);
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
	e->hash = hash_key(m, key);
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
		if (len > m->def.value_size || inval > m->def.value_size - len)
			return -EFAULT;
		out->start = base + voff + cpu * m->vsz8;
		out->size = m->def.value_size;
		return 0;
	}
	return -EFAULT;
}
