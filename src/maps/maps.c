/* Map sets, creation with BPF_MAP_CREATE's validation, and the operations of every
 * emulated map type on the program side and the syscall side. */
#include "maps_int.h"

#include <ctype.h>
#include <stdio.h>

#define KMALLOC_MAX_SIZE   (1u << 22)  /* x86-64: 1 << (MAX_PAGE_ORDER + PAGE_SHIFT) */
#define HTAB_ELEM_SIZE     48u         /* sizeof(struct htab_elem) on x86-64 */
#define PCPU_MIN_UNIT_SIZE (32u << 10)
#define NR_CPUS            8192u
#define CPUMAP_MAX_QSIZE   16384u

/* ---------------------------------------------------------------- sets */

struct bk_maps *bk_maps_new(const struct bk_maps_opts *opts)
{
	struct bk_maps *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->ncpus = BK_OPTS_GET(opts, ncpus, 1u);
	if (!s->ncpus)
		s->ncpus = 1;
	return s;
}

static void map_free(struct bk_map *m)
{
	if (!m)
		return;
	if (m->kind == KIND_HASH)
		bk__hash_free(m);
	free(m->data);
	free(m->present);
	free(m->inner);
	free(m->resv);
	free(m);
}

void bk_maps_free(struct bk_maps *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		map_free(set->maps[i]);
	free(set->maps);
	free(set);
}

int bk_maps_set_ncpus(struct bk_maps *set, unsigned ncpus)
{
	if (!set || !ncpus || ncpus > NR_CPUS)
		return -EINVAL;
	for (size_t i = 0; i < set->n; i++)
		if (set->maps[i]->percpu)
			return -EBUSY;
	set->ncpus = ncpus;
	if (set->cpu >= ncpus)
		set->cpu = 0;
	return 0;
}

unsigned bk_maps_ncpus(const struct bk_maps *set) { return set ? set->ncpus : 0; }
unsigned bk_maps_cpu(const struct bk_maps *set) { return set ? set->cpu : 0; }

int bk_maps_set_cpu(struct bk_maps *set, unsigned cpu)
{
	if (!set || cpu >= set->ncpus)
		return -EINVAL;
	set->cpu = cpu;
	return 0;
}

int bk_maps_host_ncpus(void)
{
	/* Same rule as libbpf_num_possible_cpus: the highest cpu in the "possible" list. */
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	if (!f)
		return -errno;
	char buf[256];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	int max = -1;
	for (char *p = buf; *p;) {
		if (!isdigit((unsigned char)*p)) {
			p++;
			continue;
		}
		long v = strtol(p, &p, 10);
		if (v > max)
			max = (int)v;
	}
	return max < 0 ? -EINVAL : max + 1;
}

size_t bk_maps_count(const struct bk_maps *set) { return set ? set->n : 0; }

struct bk_map *bk_maps_get(const struct bk_maps *set, size_t idx)
{
	return set && idx < set->n ? set->maps[idx] : NULL;
}

struct bk_map *bk_maps_by_id(const struct bk_maps *set, uint32_t id)
{
	return set && id >= 1 && id <= set->n ? set->maps[id - 1] : NULL;
}

struct bk_map *bk_maps_by_name(const struct bk_maps *set, const char *name)
{
	for (size_t i = 0; set && i < set->n; i++)
		if (!strcmp(set->maps[i]->def.name, name))
			return set->maps[i];
	return NULL;
}

struct bk_map *bk_maps_from_ptr(const struct bk_maps *set, const void *ptr)
{
	for (size_t i = 0; set && ptr && i < set->n; i++)
		if (set->maps[i] == ptr)
			return set->maps[i];
	return NULL;
}

const struct bk_map_def *bk_map_def(const struct bk_map *m) { return &m->def; }
uint32_t bk_map_id(const struct bk_map *m) { return m->id; }
const char *bk_map_name(const struct bk_map *m) { return m->def.name; }
bool bk_map_is_percpu(const struct bk_map *m) { return m->percpu; }
bool bk_map_frozen(const struct bk_map *m) { return m->frozen; }

uint32_t bk_map_count(const struct bk_map *m)
{
	switch (m->kind) {
	case KIND_ARRAY: return m->def.max_entries;
	case KIND_SLOTS: return m->nslots_used;
	case KIND_HASH: return m->count;
	case KIND_QUEUE: return (m->qhead + m->qsize - m->qtail) % m->qsize;
	default: return 0;
	}
}

const char *bk_map_type_name(uint32_t type)
{
	static const char *const names[] = {
		"unspec", "hash", "array", "prog_array", "perf_event_array", "percpu_hash",
		"percpu_array", "stack_trace", "cgroup_array", "lru_hash", "lru_percpu_hash",
		"lpm_trie", "array_of_maps", "hash_of_maps", "devmap", "sockmap", "cpumap",
		"xskmap", "sockhash", "cgroup_storage", "reuseport_sockarray",
		"percpu_cgroup_storage", "queue", "stack", "sk_storage", "devmap_hash",
		"struct_ops", "ringbuf", "inode_storage", "task_storage", "bloom_filter",
		"user_ringbuf", "cgrp_storage", "arena",
	};
	return type < sizeof(names) / sizeof(names[0]) ? names[type] : NULL;
}

/* ---------------------------------------------------------------- creation */

#define ACCESS_MASK (BK_F_RDONLY | BK_F_RDONLY_PROG | BK_F_WRONLY | BK_F_WRONLY_PROG)
#define ARRAY_MASK  (BK_F_NUMA_NODE | BK_F_MMAPABLE | ACCESS_MASK | BK_F_PRESERVE_ELEMS | BK_F_INNER_MAP)
#define HTAB_MASK   (BK_F_NO_PREALLOC | BK_F_NO_COMMON_LRU | BK_F_NUMA_NODE | ACCESS_MASK | BK_F_ZERO_SEED)
#define QS_MASK     (BK_F_NUMA_NODE | ACCESS_MASK)
#define DEV_MASK    (BK_F_NUMA_NODE | BK_F_RDONLY | BK_F_WRONLY)

static bool is_array_type(uint32_t t)
{
	return t == BK_MAP_ARRAY || t == BK_MAP_PERCPU_ARRAY || t == BK_MAP_PROG_ARRAY ||
	       t == BK_MAP_ARRAY_OF_MAPS;
}

static bool is_htab_type(uint32_t t)
{
	return t == BK_MAP_HASH || t == BK_MAP_PERCPU_HASH || t == BK_MAP_LRU_HASH ||
	       t == BK_MAP_LRU_PERCPU_HASH || t == BK_MAP_HASH_OF_MAPS;
}

#define BAD(code, ...) bk_err_set(err, code, __VA_ARGS__)

static int validate(const struct bk_map_def *d, const char *nm, int depth, struct bk_err *err)
{
	uint32_t t = d->type, f = d->map_flags;
	const char *tn = bk_map_type_name(t);
	if (!tn || t == BK_MAP_UNSPEC)
		return BAD(-EINVAL, "map '%s': unknown map type %u", nm, t);
	size_t nl = strnlen(d->name, BK_MAP_NAME_LEN);
	if (nl == BK_MAP_NAME_LEN)
		return BAD(-EINVAL, "map '%.16s': name longer than 15 characters", d->name);
	for (size_t i = 0; i < nl; i++)
		if (!isalnum((unsigned char)d->name[i]) && d->name[i] != '_' && d->name[i] != '.')
			return BAD(-EINVAL, "map '%s': name may hold only letters, digits, '_' and '.'", nm);
	if ((f & BK_F_RDONLY) && (f & BK_F_WRONLY))
		return BAD(-EINVAL, "map '%s': BPF_F_RDONLY and BPF_F_WRONLY together", nm);
	bool access_ok = !((f & BK_F_RDONLY_PROG) && (f & BK_F_WRONLY_PROG));

	if (is_array_type(t)) {
		bool percpu = t == BK_MAP_PERCPU_ARRAY;
		if ((t == BK_MAP_PROG_ARRAY || t == BK_MAP_ARRAY_OF_MAPS) && d->value_size != 4)
			return BAD(-EINVAL, "map '%s': %s value_size must be 4 (got %u)", nm, tn, d->value_size);
		if ((t == BK_MAP_PROG_ARRAY || t == BK_MAP_ARRAY_OF_MAPS) &&
		    (f & (BK_F_RDONLY_PROG | BK_F_WRONLY_PROG)))
			return BAD(-EINVAL, "map '%s': %s takes no BPF_F_RDONLY_PROG/BPF_F_WRONLY_PROG", nm, tn);
		if (!d->max_entries)
			return BAD(-EINVAL, "map '%s': max_entries must be > 0", nm);
		if (d->key_size != 4)
			return BAD(-EINVAL, "map '%s': %s key_size must be 4 (got %u)", nm, tn, d->key_size);
		if (!d->value_size)
			return BAD(-EINVAL, "map '%s': value_size must be > 0", nm);
		if (f & ~ARRAY_MASK)
			return BAD(-EINVAL, "map '%s': flags 0x%x not allowed for %s", nm, f & ~ARRAY_MASK, tn);
		if (!access_ok)
			return BAD(-EINVAL, "map '%s': BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together", nm);
		if (t != BK_MAP_ARRAY && (f & (BK_F_MMAPABLE | BK_F_INNER_MAP)))
			return BAD(-EINVAL, "map '%s': BPF_F_MMAPABLE/BPF_F_INNER_MAP only for array maps", nm);
		if (f & BK_F_PRESERVE_ELEMS)
			return BAD(-EINVAL, "map '%s': BPF_F_PRESERVE_ELEMS only for perf_event_array", nm);
		if (d->value_size > INT32_MAX)
			return BAD(-E2BIG, "map '%s': value_size %u too large", nm, d->value_size);
		if (percpu && RU8(d->value_size) > PCPU_MIN_UNIT_SIZE)
			return BAD(-E2BIG, "map '%s': per-cpu value_size %u above %u", nm, d->value_size,
				   PCPU_MIN_UNIT_SIZE);
	} else if (is_htab_type(t)) {
		bool percpu = t == BK_MAP_PERCPU_HASH || t == BK_MAP_LRU_PERCPU_HASH;
		bool lru = t == BK_MAP_LRU_HASH || t == BK_MAP_LRU_PERCPU_HASH;
		if (t == BK_MAP_HASH_OF_MAPS && d->value_size != 4)
			return BAD(-EINVAL, "map '%s': hash_of_maps value_size must be 4 (got %u)", nm, d->value_size);
		if (f & ~HTAB_MASK)
			return BAD(-EINVAL, "map '%s': flags 0x%x not allowed for %s", nm, f & ~HTAB_MASK, tn);
		if (!access_ok)
			return BAD(-EINVAL, "map '%s': BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together", nm);
		if (!lru && (f & BK_F_NO_COMMON_LRU))
			return BAD(-EINVAL, "map '%s': BPF_F_NO_COMMON_LRU needs an LRU map", nm);
		if (lru && (f & BK_F_NO_PREALLOC))
			return BAD(-BK_ENOTSUPP, "map '%s': LRU maps cannot take BPF_F_NO_PREALLOC", nm);
		if (!d->max_entries)
			return BAD(-EINVAL, "map '%s': max_entries must be > 0", nm);
		if (!d->key_size)
			return BAD(-EINVAL, "map '%s': key_size must be > 0", nm);
		if (!d->value_size)
			return BAD(-EINVAL, "map '%s': value_size must be > 0", nm);
		if ((uint64_t)d->key_size + d->value_size >= KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE)
			return BAD(-E2BIG, "map '%s': key_size + value_size %llu too large", nm,
				   (unsigned long long)d->key_size + d->value_size);
		if (percpu && RU8(d->value_size) > PCPU_MIN_UNIT_SIZE)
			return BAD(-E2BIG, "map '%s': per-cpu value_size %u above %u", nm, d->value_size,
				   PCPU_MIN_UNIT_SIZE);
	} else if (t == BK_MAP_QUEUE || t == BK_MAP_STACK) {
		if (!d->max_entries)
			return BAD(-EINVAL, "map '%s': max_entries must be > 0", nm);
		if (d->key_size)
			return BAD(-EINVAL, "map '%s': %s key_size must be 0 (got %u)", nm, tn, d->key_size);
		if (!d->value_size)
			return BAD(-EINVAL, "map '%s': value_size must be > 0", nm);
		if (f & ~QS_MASK)
			return BAD(-EINVAL, "map '%s': flags 0x%x not allowed for %s", nm, f & ~QS_MASK, tn);
		if (!access_ok)
			return BAD(-EINVAL, "map '%s': BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together", nm);
		if (d->value_size > KMALLOC_MAX_SIZE)
			return BAD(-E2BIG, "map '%s': value_size %u above %u", nm, d->value_size, KMALLOC_MAX_SIZE);
	} else if (t == BK_MAP_RINGBUF) {
		if (f & ~BK_F_NUMA_NODE)
			return BAD(-EINVAL, "map '%s': flags 0x%x not allowed for ringbuf", nm, f & ~BK_F_NUMA_NODE);
		if (d->key_size || d->value_size)
			return BAD(-EINVAL, "map '%s': ringbuf key_size and value_size must be 0", nm);
		if (!d->max_entries || (d->max_entries & (d->max_entries - 1)) || (d->max_entries % 4096))
			return BAD(-EINVAL, "map '%s': ringbuf max_entries %u must be a power of 2 and a multiple of the page size",
				   nm, d->max_entries);
	} else if (t == BK_MAP_DEVMAP || t == BK_MAP_DEVMAP_HASH) {
		if (!d->max_entries)
			return BAD(-EINVAL, "map '%s': max_entries must be > 0", nm);
		if (d->key_size != 4)
			return BAD(-EINVAL, "map '%s': %s key_size must be 4 (got %u)", nm, tn, d->key_size);
		if (d->value_size != 4 && d->value_size != 8)
			return BAD(-EINVAL, "map '%s': %s value_size must be 4 or 8 (got %u)", nm, tn, d->value_size);
		if (f & ~DEV_MASK)
			return BAD(-EINVAL, "map '%s': flags 0x%x not allowed for %s", nm, f & ~DEV_MASK, tn);
	} else if (t == BK_MAP_XSKMAP) {
		if (!d->max_entries || d->key_size != 4 || d->value_size != 4)
			return BAD(-EINVAL, "map '%s': xskmap needs key_size 4, value_size 4, max_entries > 0", nm);
		if (f & ~DEV_MASK)
			return BAD(-EINVAL, "map '%s': flags 0x%x not allowed for xskmap", nm, f & ~DEV_MASK);
	} else if (t == BK_MAP_CPUMAP) {
		if (!d->max_entries || d->key_size != 4 || (d->value_size != 4 && d->value_size != 8))
			return BAD(-EINVAL, "map '%s': cpumap needs key_size 4, value_size 4 or 8, max_entries > 0", nm);
		if (f & ~BK_F_NUMA_NODE)
			return BAD(-EINVAL, "map '%s': flags 0x%x not allowed for cpumap", nm, f & ~BK_F_NUMA_NODE);
		if (d->max_entries > NR_CPUS)
			return BAD(-E2BIG, "map '%s': cpumap max_entries %u above NR_CPUS %u", nm, d->max_entries, NR_CPUS);
	} else {
		return BAD(-EOPNOTSUPP, "map '%s': map type %s is not emulated", nm, tn);
	}

	if (d->has_spin_lock) {
		if (t != BK_MAP_HASH && t != BK_MAP_ARRAY)
			return BAD(-EOPNOTSUPP, "map '%s': bpf_spin_lock only in hash and array values", nm);
		if (d->spin_lock_off % 4 || (uint64_t)d->spin_lock_off + 4 > d->value_size)
			return BAD(-EINVAL, "map '%s': bpf_spin_lock at offset %u does not fit the value", nm,
				   d->spin_lock_off);
	}
	if (t == BK_MAP_ARRAY_OF_MAPS || t == BK_MAP_HASH_OF_MAPS) {
		if (!d->inner)
			return BAD(-EBADF, "map '%s': %s needs an inner map definition", nm, tn);
		if (depth > 0 || d->inner->type == BK_MAP_ARRAY_OF_MAPS || d->inner->type == BK_MAP_HASH_OF_MAPS)
			return BAD(-EINVAL, "map '%s': inner map of a map-in-map cannot hold maps", nm);
		return validate(d->inner, nm, depth + 1, err);
	}
	return 0;
}

static bool percpu_type(uint32_t t)
{
	return t == BK_MAP_PERCPU_ARRAY || t == BK_MAP_PERCPU_HASH || t == BK_MAP_LRU_PERCPU_HASH;
}

int bk_map_create(struct bk_maps *set, const struct bk_map_def *def, struct bk_map **out,
		  struct bk_err *err)
{
	if (!set || !def)
		return bk_err_set(err, -EINVAL, "map create: no map set or definition");
	char nm[BK_MAP_NAME_LEN + 1];
	snprintf(nm, sizeof nm, "%.*s", BK_MAP_NAME_LEN, def->name);
	int r = validate(def, nm, 0, err);
	if (r)
		return r;
	struct bk_map *m = calloc(1, sizeof(*m));
	if (!m)
		return bk_err_set(err, -ENOMEM, "map '%s': out of memory", nm);
	m->set = set;
	m->def = *def;
	if (def->inner) {
		m->inner_def = *def->inner;
		m->inner_def.inner = NULL;
		m->def.inner = &m->inner_def;
	}
	uint32_t t = def->type;
	m->percpu = percpu_type(t);
	m->lru = t == BK_MAP_LRU_HASH || t == BK_MAP_LRU_PERCPU_HASH;
	m->vsz8 = RU8(def->value_size);
	m->slot = m->percpu ? m->vsz8 * set->ncpus : m->vsz8;
	/* The kernel makes devmap values read-only to programs itself (the flag shows in
	 * bpf_map_info). An xskmap lookup gives the program a socket it cannot write. */
	if (t == BK_MAP_DEVMAP || t == BK_MAP_DEVMAP_HASH)
		m->def.map_flags |= BK_F_RDONLY_PROG;
	/* BPF_F_NO_COMMON_LRU: the kernel gives every cpu an equal LRU list, rounding
	 * max_entries to a multiple of the cpu count. */
	if (m->lru && (def->map_flags & BK_F_NO_COMMON_LRU)) {
		uint64_t n = ((uint64_t)def->max_entries + set->ncpus - 1) / set->ncpus * set->ncpus;
		m->def.max_entries = n <= UINT32_MAX ? (uint32_t)n : def->max_entries / set->ncpus * set->ncpus;
	}
	switch (t) {
	case BK_MAP_ARRAY:
	case BK_MAP_PERCPU_ARRAY:
		m->kind = KIND_ARRAY;
		break;
	case BK_MAP_PROG_ARRAY:
	case BK_MAP_ARRAY_OF_MAPS:
	case BK_MAP_DEVMAP:
	case BK_MAP_XSKMAP:
	case BK_MAP_CPUMAP:
		m->kind = KIND_SLOTS;
		break;
	case BK_MAP_QUEUE:
	case BK_MAP_STACK:
		m->kind = KIND_QUEUE;
		break;
	case BK_MAP_RINGBUF:
		m->kind = KIND_RINGBUF;
		break;
	default:
		m->kind = KIND_HASH;
		break;
	}
	uint64_t total;
	switch (m->kind) {
	case KIND_ARRAY:
	case KIND_SLOTS:
		total = (uint64_t)def->max_entries * m->slot;
		if (total > ((uint64_t)1 << 36)) {
			r = bk_err_set(err, -ENOMEM, "map '%s': %llu bytes of values is too much memory", nm,
				       (unsigned long long)total);
			break;
		}
		if (def->map_flags & BK_F_MMAPABLE) {
			/* mmapable arrays are page-aligned as the kernel's vmalloc'ed area. */
			size_t al = (size_t)((total + 4095) & ~(uint64_t)4095);
			m->data = aligned_alloc(4096, al);
			if (m->data)
				memset(m->data, 0, al);
		} else {
			m->data = calloc(def->max_entries, m->slot);
		}
		if (m->kind == KIND_SLOTS) {
			m->present = calloc(def->max_entries, 1);
			if (t == BK_MAP_ARRAY_OF_MAPS)
				m->inner = calloc(def->max_entries, sizeof(*m->inner));
		}
		if (!m->data || (m->kind == KIND_SLOTS && !m->present) ||
		    (t == BK_MAP_ARRAY_OF_MAPS && !m->inner))
			r = bk_err_set(err, -ENOMEM, "map '%s': out of memory", nm);
		break;
	case KIND_QUEUE:
		m->qsize = def->max_entries + 1;
		if ((uint64_t)m->qsize * def->value_size > ((uint64_t)1 << 36))
			r = bk_err_set(err, -ENOMEM, "map '%s': too much memory", nm);
		else if (!(m->data = calloc(m->qsize, def->value_size)))
			r = bk_err_set(err, -ENOMEM, "map '%s': out of memory", nm);
		break;
	case KIND_RINGBUF:
		r = bk__ringbuf_init(m, err);
		break;
	case KIND_HASH:
		r = bk__hash_init(m, err);
		break;
	}
	if (!r && set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 8;
		struct bk_map **p = realloc(set->maps, cap * sizeof(*p));
		if (!p)
			r = bk_err_set(err, -ENOMEM, "map '%s': out of memory", nm);
		else {
			set->maps = p;
			set->cap = cap;
		}
	}
	if (r) {
		map_free(m);
		return r;
	}
	set->maps[set->n++] = m;
	m->id = (uint32_t)set->n;
	if (out)
		*out = m;
	return 0;
}

/* ---------------------------------------------------------------- helpers */

static uint8_t *cpu_slot(struct bk_map *m, uint8_t *val, unsigned cpu)
{
	return m->percpu ? val + (size_t)cpu * m->vsz8 : val;
}

/* Copies a value in, leaving the bpf_spin_lock word alone as copy_map_value does. */
static void copy_value(struct bk_map *m, uint8_t *dst, const uint8_t *src)
{
	uint32_t vs = m->def.value_size;
	if (!m->def.has_spin_lock) {
		memcpy(dst, src, vs);
		return;
	}
	uint32_t o = m->def.spin_lock_off;
	memcpy(dst, src, o);
	memcpy(dst + o + 4, src + o + 4, vs - o - 4);
}

static uint32_t key_index(const void *key)
{
	uint32_t i;
	memcpy(&i, key, 4);
	return i;
}

static bool is_map_of_maps(const struct bk_map *m)
{
	return m->def.type == BK_MAP_ARRAY_OF_MAPS || m->def.type == BK_MAP_HASH_OF_MAPS;
}

/* The element's value storage (all cpus), or NULL. HASH lookups touch the LRU when
 * TOUCH, as a program-side lookup marks the element used. */
static inline uint8_t *value_storage(struct bk_map *m, const void *key, bool touch)
{
	switch (m->kind) {
	case KIND_ARRAY: {
		uint32_t i = key_index(key);
		return i < m->def.max_entries ? m->data + (size_t)i * m->slot : NULL;
	}
	case KIND_SLOTS: {
		uint32_t i = key_index(key);
		return i < m->def.max_entries && m->present[i] ? m->data + (size_t)i * m->slot : NULL;
	}
	case KIND_HASH: {
		uint32_t idx;
		struct hel *e = bk__hash_find(m, key, &idx);
		if (!e)
			return NULL;
		if (touch)
			bk__lru_touch(m, idx);
		return bk__hel_val(m, e);
	}
	default:
		return NULL;
	}
}

/* ---------------------------------------------------------------- program side */

void *bk_map_lookup_percpu(struct bk_map *m, const void *key, uint32_t cpu)
{
	if (!m || !key || !m->percpu || cpu >= m->set->ncpus)
		return NULL;
	uint8_t *v = value_storage(m, key, true);
	return v ? cpu_slot(m, v, cpu) : NULL;
}

static inline void *lookup(struct bk_map *m, const void *key)
{
	/* The verifier allows no lookup helper on prog arrays, cpumaps, queues and ring
	 * buffers. */
	if (!m || !key || m->def.type == BK_MAP_PROG_ARRAY || m->def.type == BK_MAP_CPUMAP ||
	    m->kind == KIND_QUEUE || m->kind == KIND_RINGBUF)
		return NULL;
	uint8_t *v = value_storage(m, key, true);
	if (!v)
		return NULL;
	if (is_map_of_maps(m)) {
		uint32_t id;
		memcpy(&id, v, 4);
		return bk_maps_by_id(m->set, id);
	}
	return cpu_slot(m, v, m->set->cpu);
}

void *bk_map_lookup_u32(struct bk_map *m, uint32_t key)
{
	if (__builtin_expect(m->lk_u32, 1)) {
		struct hel *e = bk__hash_find_u32(m, key, NULL);
		return e ? bk__hel_val(m, e) : NULL;
	}
	return m->def.key_size == 4 ? lookup(m, &key) : NULL;
}

void *bk_map_lookup(struct bk_map *m, const void *key)
{
	if (__builtin_expect(m && key && m->lk_u32, 1)) {
		uint32_t k;
		memcpy(&k, key, 4);
		struct hel *e = bk__hash_find_u32(m, k, NULL);
		return e ? bk__hel_val(m, e) : NULL;
	}
	return lookup(m, key);
}

void *bk_map_lookup_region(struct bk_map *m, const void *key, struct bk_map_region *region)
{
	void *v = lookup(m, key);
	region->size = 0;
	if (v && !is_map_of_maps(m)) {
		/* bk_map_lookup answers only with the start of a live value (the current
		 * cpu's slot), which is what bk_map_find_region reports for it. */
		region->start = v;
		region->size = m->def.value_size;
		region->writable = !(m->def.map_flags & BK_F_RDONLY_PROG) && m->kind != KIND_SLOTS;
		region->map = m;
	}
	return v;
}

static int check_update_flags(struct bk_map *m, uint64_t flags)
{
	if ((flags & ~BK_F_LOCK) > BK_EXIST)
		return -EINVAL;
	if ((flags & BK_F_LOCK) && !m->def.has_spin_lock)
		return -EINVAL;
	return 0;
}

/* The update shared by both sides: VALUE holds one value (ALLCPUS false: the current
 * cpu's slot) or ncpus values at an 8-byte-rounded stride. */
static int update(struct bk_map *m, const void *key, const void *value, uint64_t flags,
		  bool allcpus)
{
	int r = check_update_flags(m, flags);
	if (r)
		return r;
	const uint8_t *src = value;
	unsigned ncpus = m->set->ncpus;
	switch (m->kind) {
	case KIND_ARRAY: {
		uint32_t i = key_index(key);
		if (i >= m->def.max_entries)
			return -E2BIG;
		if (flags & BK_NOEXIST)
			return -EEXIST;
		uint8_t *v = m->data + (size_t)i * m->slot;
		if (m->percpu && allcpus) {
			/* The syscall side copies whole 8-byte-rounded slots, padding too. */
			memcpy(v, src, (size_t)ncpus * m->vsz8);
		} else {
			copy_value(m, cpu_slot(m, v, m->set->cpu), src);
		}
		return 0;
	}
	case KIND_HASH: {
		if (m->percpu && (flags & BK_F_LOCK))
			return -EINVAL;
		if (m->def.type == BK_MAP_DEVMAP_HASH) {
			/* The devmap hash has its own rules: BPF_EXIST inserts too, and
			 * replacing never needs a free element. */
			if (flags > BK_EXIST)
				return -EINVAL;
			struct hel *old = bk__hash_find(m, key, NULL);
			if (old && (flags & BK_NOEXIST))
				return -EEXIST;
			flags = BK_ANY;
		}
		uint32_t id = 0;
		if (m->def.type == BK_MAP_HASH_OF_MAPS) {
			memcpy(&id, src, 4);
			struct bk_map *in = bk_maps_by_id(m->set, id);
			if (!in)
				return -EBADF;
			(void)in;
		}
		struct hel *e;
		bool created;
		r = bk__hash_update(m, key, flags, &e, &created);
		if (r)
			return r;
		uint8_t *v = bk__hel_val(m, e);
		if (m->percpu && allcpus) {
			memcpy(v, src, (size_t)ncpus * m->vsz8);
		} else if (m->percpu) {
			if (created)
				memset(v, 0, m->slot);
			memcpy(cpu_slot(m, v, m->set->cpu), src, m->def.value_size);
		} else {
			if (created)
				memset(v, 0, m->slot);
			copy_value(m, v, src);
		}
		return 0;
	}
	default:
		return -EINVAL;
	}
}

static bool inner_compatible(const struct bk_map_def *t, const struct bk_map_def *d)
{
	uint32_t mask = ~(uint32_t)BK_F_INNER_MAP;
	(void)mask;
	/* bpf_map_meta_equal; only array inner maps compare max_entries as well
	 * (array_map_meta_equal), unless the template has BPF_F_INNER_MAP. */
	bool arr = t->type == BK_MAP_ARRAY || t->type == BK_MAP_PERCPU_ARRAY;
	return t->type == d->type && t->key_size == d->key_size && t->value_size == d->value_size &&
	       t->map_flags == d->map_flags &&
	       (!arr || (t->map_flags & BK_F_INNER_MAP) || t->max_entries == d->max_entries);
}

/* Checks that map id ID may go into map-in-map M. */
static int inner_check(struct bk_map *m, uint32_t id, struct bk_err *err)
{
	struct bk_map *in = bk_maps_by_id(m->set, id);
	if (!in)
		return bk_err_set(err, -EBADF, "map '%s': no map with id %u", m->def.name, id);
	struct bk_map_def d = in->def;
	if (d.type == BK_MAP_DEVMAP || d.type == BK_MAP_DEVMAP_HASH)
		d.map_flags &= ~BK_F_RDONLY_PROG;
	struct bk_map_def t = m->inner_def;
	if (t.type == BK_MAP_DEVMAP || t.type == BK_MAP_DEVMAP_HASH)
		t.map_flags &= ~BK_F_RDONLY_PROG;
	if (is_map_of_maps(in) || !inner_compatible(&t, &d))
		return bk_err_set(err, -EINVAL, "map '%s': map '%s' (id %u) does not match the inner map definition",
				  m->def.name, in->def.name, id);
	return 0;
}

long bk_map_update(struct bk_map *m, const void *key, const void *value, uint64_t flags)
{
	if (!m || !value)
		return -EINVAL;
	if (m->kind == KIND_QUEUE)
		return bk_map_push(m, value, flags);
	if (m->def.map_flags & BK_F_RDONLY_PROG)
		return -EPERM;
	if (m->kind == KIND_SLOTS || is_map_of_maps(m) || m->kind == KIND_RINGBUF)
		return -EOPNOTSUPP;  /* the verifier refuses these helpers on these maps */
	if (!key)
		return -EINVAL;
	return update(m, key, value, flags, false);
}

long bk_map_delete(struct bk_map *m, const void *key)
{
	if (!m || !key)
		return -EINVAL;
	if (m->def.map_flags & BK_F_RDONLY_PROG)
		return -EPERM;
	if (m->kind == KIND_HASH && !is_map_of_maps(m))
		return bk__hash_delete(m, key);
	return -EINVAL;
}

long bk_map_push(struct bk_map *m, const void *value, uint64_t flags)
{
	if (!m || m->kind != KIND_QUEUE || !value)
		return -EINVAL;
	if ((flags & BK_NOEXIST) || flags > BK_EXIST)
		return -EINVAL;
	if ((m->qhead + 1) % m->qsize == m->qtail) {
		if (flags != BK_EXIST)
			return -E2BIG;
		m->qtail = (m->qtail + 1) % m->qsize;
	}
	memcpy(m->data + (size_t)m->qhead * m->def.value_size, value, m->def.value_size);
	m->qhead = (m->qhead + 1) % m->qsize;
	return 0;
}

static long pop_peek(struct bk_map *m, void *value, bool del)
{
	if (!m || m->kind != KIND_QUEUE || !value)
		return -EINVAL;
	if (m->qhead == m->qtail) {
		memset(value, 0, m->def.value_size);
		return -ENOENT;
	}
	uint32_t i;
	if (m->def.type == BK_MAP_QUEUE) {
		i = m->qtail;
		if (del)
			m->qtail = (m->qtail + 1) % m->qsize;
	} else {
		i = (m->qhead + m->qsize - 1) % m->qsize;
		if (del)
			m->qhead = i;
	}
	memcpy(value, m->data + (size_t)i * m->def.value_size, m->def.value_size);
	return 0;
}

long bk_map_pop(struct bk_map *m, void *value) { return pop_peek(m, value, true); }
long bk_map_peek(struct bk_map *m, void *value) { return pop_peek(m, value, false); }

long bk_map_for_each(struct bk_map *m, bk_map_each_cb cb, void *ctx, uint64_t flags)
{
	if (!m || !cb || flags)
		return -EINVAL;
	long n = 0;
	unsigned cpu = m->set->cpu;
	if (m->kind == KIND_ARRAY) {
		for (uint32_t i = 0; i < m->def.max_entries; i++) {
			uint32_t key = i;
			n++;
			if (cb(m, &key, cpu_slot(m, m->data + (size_t)i * m->slot, cpu), ctx))
				break;
		}
		return n;
	}
	if (m->kind != KIND_HASH || is_map_of_maps(m) || m->def.type == BK_MAP_DEVMAP_HASH)
		return -EINVAL;
	/* The next element is found before the callback runs, so the callback may delete
	 * the element it is given. */
	uint32_t idx = bk__hash_first_from(m, 0);
	while (idx) {
		struct hel *e = bk__hel(m, idx);
		uint32_t nx = e->next ? e->next : bk__hash_first_from(m, (e->hash & (m->nbuckets - 1)) + 1);
		n++;
		if (cb(m, bk__hel_key(m, e), cpu_slot(m, bk__hel_val(m, e), cpu), ctx))
			break;
		idx = nx;
	}
	return n;
}

long bk_spin_lock(void *lock)
{
	uint32_t *l = lock;
	if (!l)
		return -EINVAL;
	if (*l)
		return -EDEADLK;
	*l = 1;
	return 0;
}

long bk_spin_unlock(void *lock)
{
	uint32_t *l = lock;
	if (!l || !*l)
		return -EINVAL;
	*l = 0;
	return 0;
}

/* ---------------------------------------------------------------- regions */

int bk_map_find_region(const struct bk_map *m, const void *addr, size_t len,
		       struct bk_map_region *out)
{
	struct bk_map_region tmp;
	if (!out)
		out = &tmp;
	if (!m || !addr)
		return -EFAULT;
	const uint8_t *a = addr;
	int r = -EFAULT;
	switch (m->kind) {
	case KIND_ARRAY:
	case KIND_SLOTS: {
		size_t total = (size_t)m->def.max_entries * m->slot;
		if (a < m->data || a >= m->data + total || is_map_of_maps(m) ||
		    m->def.type == BK_MAP_PROG_ARRAY)
			return -EFAULT;
		size_t off = (size_t)(a - m->data), i = off / m->slot, in = off % m->slot;
		size_t cpu = in / m->vsz8, inval = in % m->vsz8;
		if (len > m->def.value_size || inval > m->def.value_size - len || (m->present && !m->present[i]))
			return -EFAULT;
		out->start = m->data + i * m->slot + cpu * m->vsz8;
		out->size = m->def.value_size;
		r = 0;
		break;
	}
	case KIND_HASH:
		if (is_map_of_maps(m))
			return -EFAULT;
		r = bk__hash_region(m, addr, len, out);
		break;
	case KIND_RINGBUF:
		return bk__ringbuf_region(m, addr, len, out);
	default:
		return -EFAULT;
	}
	if (!r) {
		out->writable = !(m->def.map_flags & BK_F_RDONLY_PROG) && m->kind != KIND_SLOTS;
		out->map = (struct bk_map *)m;
	}
	return r;
}

int bk_maps_find_region(const struct bk_maps *set, const void *addr, size_t len,
			struct bk_map_region *out)
{
	for (size_t i = 0; set && i < set->n; i++)
		if (!bk_map_find_region(set->maps[i], addr, len, out))
			return 0;
	return -EFAULT;
}

/* ---------------------------------------------------------------- syscall side */

size_t bk_map_sys_value_size(const struct bk_map *m)
{
	return m->percpu ? m->vsz8 * m->set->ncpus : m->def.value_size;
}

static const char *opname(const char *op) { return op; }

#define SYSERR(code, ...) bk_err_set(err, code, __VA_ARGS__)

static int perm_read(struct bk_map *m, const char *op, struct bk_err *err)
{
	if (m->def.map_flags & BK_F_WRONLY)
		return SYSERR(-EPERM, "map '%s': %s: map is write-only (BPF_F_WRONLY)", m->def.name, opname(op));
	return 0;
}

static int perm_write(struct bk_map *m, const char *op, struct bk_err *err)
{
	if (m->def.map_flags & BK_F_RDONLY)
		return SYSERR(-EPERM, "map '%s': %s: map is read-only (BPF_F_RDONLY)", m->def.name, op);
	if (m->frozen)
		return SYSERR(-EPERM, "map '%s': %s: map is frozen", m->def.name, op);
	return 0;
}

static int fail(struct bk_map *m, const char *op, int code, struct bk_err *err);

/* Maps without keys refuse a key pointer, as bpf(2) does when key_size is 0. */
static int key_check(struct bk_map *m, const void *key, const char *op, struct bk_err *err)
{
	if (!m->def.key_size && key)
		return SYSERR(-EINVAL, "map '%s': %s: this map type takes no key", m->def.name, op);
	return 0;
}

static int fail(struct bk_map *m, const char *op, int code, struct bk_err *err)
{
	const char *why;
	switch (code) {
	case -ENOENT: why = "no such element"; break;
	case -EEXIST: why = "element exists (BPF_NOEXIST)"; break;
	case -E2BIG: why = "map is full or index out of range"; break;
	case -EINVAL: why = "invalid flags or operation for this map type"; break;
	case -EBADF: why = "value is not a map id"; break;
	case -ENOMEM: why = "no element free"; break;
	case -ENODEV: why = "no such cpu"; break;
	case -EOVERFLOW: why = "queue size too large"; break;
	case -EOPNOTSUPP: case -BK_ENOTSUPP: why = "operation not supported for this map type"; break;
	default: why = "failed"; break;
	}
	return SYSERR(code, "map '%s': %s: %s", m->def.name, op, why);
}

int bk_map_sys_lookup(struct bk_map *m, const void *key, void *value, uint64_t flags,
		      struct bk_err *err)
{
	int r;
	if (!m || !value)
		return SYSERR(-EINVAL, "map lookup: no map or value buffer");
	if ((r = perm_read(m, "lookup", err)) || (r = key_check(m, key, "lookup", err)))
		return r;
	if (flags & ~BK_F_LOCK)
		return fail(m, "lookup", -EINVAL, err);
	if ((flags & BK_F_LOCK) && !m->def.has_spin_lock)
		return fail(m, "lookup", -EINVAL, err);
	if (m->kind == KIND_QUEUE) {
		r = (int)bk_map_peek(m, value);
		return r ? fail(m, "lookup", r, err) : 0;
	}
	if (m->kind == KIND_RINGBUF)
		return fail(m, "lookup", -BK_ENOTSUPP, err);
	if (m->def.type == BK_MAP_XSKMAP)
		return fail(m, "lookup", -EOPNOTSUPP, err);
	if (!key)
		return SYSERR(-EINVAL, "map '%s': lookup: no key", m->def.name);
	uint8_t *v = value_storage(m, key, false);
	if (!v)
		return fail(m, "lookup", -ENOENT, err);
	if (m->percpu) {
		memcpy(value, v, bk_map_sys_value_size(m));
		return 0;
	}
	memcpy(value, v, m->def.value_size);
	if (m->def.has_spin_lock)
		memset((uint8_t *)value + m->def.spin_lock_off, 0, 4);
	return 0;
}

static int slots_update(struct bk_map *m, const void *key, const void *value, uint64_t flags,
			struct bk_err *err)
{
	uint32_t i = key_index(key), t = m->def.type;
	if (t == BK_MAP_PROG_ARRAY || t == BK_MAP_ARRAY_OF_MAPS) {
		if (flags != BK_ANY)
			return fail(m, "update", -EINVAL, err);
		if (i >= m->def.max_entries)
			return fail(m, "update", -E2BIG, err);
		if (t == BK_MAP_ARRAY_OF_MAPS) {
			uint32_t id;
			memcpy(&id, value, 4);
			int r = inner_check(m, id, err);
			if (r)
				return r;
			m->inner[i] = bk_maps_by_id(m->set, id);
		}
	} else {
		if (flags > BK_EXIST)
			return fail(m, "update", -EINVAL, err);
		if (i >= m->def.max_entries)
			return fail(m, "update", -E2BIG, err);
		if (t == BK_MAP_DEVMAP || t == BK_MAP_CPUMAP) {
			if (flags == BK_NOEXIST)
				return fail(m, "update", -EEXIST, err);
		} else {  /* xskmap */
			if (m->present[i] && flags == BK_NOEXIST)
				return fail(m, "update", -EEXIST, err);
			if (!m->present[i] && flags == BK_EXIST)
				return fail(m, "update", -ENOENT, err);
		}
		if (t == BK_MAP_CPUMAP) {
			uint32_t qsize;
			memcpy(&qsize, value, 4);
			if (qsize > CPUMAP_MAX_QSIZE)
				return fail(m, "update", -EOVERFLOW, err);
			if (i >= m->set->ncpus)
				return fail(m, "update", -ENODEV, err);
			if (!qsize) {
				/* A zero queue size removes the cpu, as the kernel does. */
				if (m->present[i])
					m->nslots_used--;
				m->present[i] = 0;
				return 0;
			}
		}
	}
	if (!m->present[i])
		m->nslots_used++;
	m->present[i] = 1;
	memcpy(m->data + (size_t)i * m->slot, value, m->def.value_size);
	return 0;
}

int bk_map_sys_update(struct bk_map *m, const void *key, const void *value, uint64_t flags,
		      struct bk_err *err)
{
	int r;
	if (!m || !value)
		return SYSERR(-EINVAL, "map update: no map or value");
	if ((r = perm_write(m, "update", err)) || (r = key_check(m, key, "update", err)))
		return r;
	if ((flags & BK_F_LOCK) && !m->def.has_spin_lock)
		return fail(m, "update", -EINVAL, err);
	if (m->kind == KIND_QUEUE) {
		r = (int)bk_map_push(m, value, flags);
		return r ? fail(m, "update", r, err) : 0;
	}
	if (m->kind == KIND_RINGBUF)
		return fail(m, "update", -BK_ENOTSUPP, err);
	if (!key)
		return SYSERR(-EINVAL, "map '%s': update: no key", m->def.name);
	if (m->kind == KIND_SLOTS)
		return slots_update(m, key, value, flags, err);
	if (m->def.type == BK_MAP_HASH_OF_MAPS) {
		if (flags > BK_EXIST)
			return fail(m, "update", -EINVAL, err);
		uint32_t id;
		memcpy(&id, value, 4);
		if ((r = inner_check(m, id, err)))
			return r;
	}
	r = update(m, key, value, flags, true);
	return r ? fail(m, "update", r, err) : 0;
}

int bk_map_sys_delete(struct bk_map *m, const void *key, struct bk_err *err)
{
	int r;
	if (!m)
		return SYSERR(-EINVAL, "map delete: no map");
	if ((r = perm_write(m, "delete", err)) || (r = key_check(m, key, "delete", err)))
		return r;
	if (m->kind == KIND_RINGBUF)
		return fail(m, "delete", -BK_ENOTSUPP, err);
	if (m->kind == KIND_QUEUE || m->kind == KIND_ARRAY)
		return fail(m, "delete", -EINVAL, err);
	if (!key)
		return SYSERR(-EINVAL, "map '%s': delete: no key", m->def.name);
	if (m->kind == KIND_HASH) {
		r = bk__hash_delete(m, key);
		return r ? fail(m, "delete", r, err) : 0;
	}
	uint32_t i = key_index(key), t = m->def.type;
	if (t == BK_MAP_PROG_ARRAY || t == BK_MAP_ARRAY_OF_MAPS) {
		if (i >= m->def.max_entries)
			return fail(m, "delete", -E2BIG, err);
		if (!m->present[i])
			return fail(m, "delete", -ENOENT, err);
	} else if (i >= m->def.max_entries) {
		return fail(m, "delete", -EINVAL, err);
	}
	if (m->present[i])
		m->nslots_used--;
	m->present[i] = 0;
	if (m->inner)
		m->inner[i] = NULL;
	return 0;
}

int bk_map_sys_get_next_key(struct bk_map *m, const void *key, void *next, struct bk_err *err)
{
	int r;
	if (!m || !next)
		return SYSERR(-EINVAL, "map get_next_key: no map or key buffer");
	if ((r = perm_read(m, "get_next_key", err)) || (r = key_check(m, key, "get_next_key", err)))
		return r;
	if (m->kind == KIND_QUEUE)
		return fail(m, "get_next_key", -EINVAL, err);
	if (m->kind == KIND_RINGBUF)
		return fail(m, "get_next_key", -BK_ENOTSUPP, err);
	if (m->kind == KIND_HASH) {
		r = bk__hash_next(m, key, next);
		return r ? fail(m, "get_next_key", r, err) : 0;
	}
	uint32_t i = key ? key_index(key) : UINT32_MAX, n;
	if (!key || i >= m->def.max_entries)
		n = 0;
	else if (i == m->def.max_entries - 1)
		return fail(m, "get_next_key", -ENOENT, err);
	else
		n = i + 1;
	memcpy(next, &n, 4);
	return 0;
}

int bk_map_sys_lookup_and_delete(struct bk_map *m, const void *key, void *value,
				 uint64_t flags, struct bk_err *err)
{
	int r;
	if (!m || !value)
		return SYSERR(-EINVAL, "map lookup_and_delete: no map or value buffer");
	if ((r = perm_read(m, "lookup_and_delete", err)) || (r = perm_write(m, "lookup_and_delete", err)))
		return r;
	if ((r = key_check(m, key, "lookup_and_delete", err)))
		return r;
	if (flags & ~BK_F_LOCK)
		return fail(m, "lookup_and_delete", -EINVAL, err);
	if (m->kind == KIND_QUEUE) {
		if (flags)
			return fail(m, "lookup_and_delete", -EINVAL, err);
		r = (int)bk_map_pop(m, value);
		return r ? fail(m, "lookup_and_delete", r, err) : 0;
	}
	if ((flags & BK_F_LOCK) && (!m->def.has_spin_lock || m->percpu))
		return fail(m, "lookup_and_delete", -EINVAL, err);
	if (m->kind != KIND_HASH || is_map_of_maps(m) || m->def.type == BK_MAP_DEVMAP_HASH)
		return fail(m, "lookup_and_delete", -BK_ENOTSUPP, err);
	if ((r = bk_map_sys_lookup(m, key, value, flags, err)))
		return r;
	bk__hash_delete(m, key);
	return 0;
}

int bk_map_freeze(struct bk_map *m, struct bk_err *err)
{
	if (!m)
		return SYSERR(-EINVAL, "map freeze: no map");
	/* A frozen map is no longer writable from the syscall side, and the kernel checks
	 * that before "already frozen": freezing twice gives -EPERM. */
	if (m->frozen)
		return SYSERR(-EPERM, "map '%s': freeze: already frozen", m->def.name);
	if (m->def.map_flags & BK_F_RDONLY)
		return SYSERR(-EPERM, "map '%s': freeze: map is read-only (BPF_F_RDONLY)", m->def.name);
	m->frozen = true;
	return 0;
}
