/* BTF-defined map definitions (`.maps`), read as libbpf's parse_btf_map_def does:
 * `__uint(f, N)` is a pointer to an array of N elements, `__type(key, T)` a pointer to T,
 * `__array(values, T)` an array of pointers to the inner definition (or to a function
 * prototype for prog arrays). Only the part of BTF needed for that is read here, with
 * every offset and type id checked, so a hostile .BTF gives an error, never a crash. */
#include "loader_int.h"

#include <errno.h>
#include <string.h>

enum {
	K_INT = 1, K_PTR, K_ARRAY, K_STRUCT, K_UNION, K_ENUM, K_FWD, K_TYPEDEF, K_VOLATILE,
	K_CONST, K_RESTRICT, K_FUNC, K_FUNC_PROTO, K_VAR, K_DATASEC, K_FLOAT, K_DECL_TAG,
	K_TYPE_TAG, K_ENUM64,
};

struct btf_t {
	uint32_t name_off, info, size_type;
};

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

void bk__btf_free(struct bk__btf *b)
{
	free(b->types);
	memset(b, 0, sizeof(*b));
}

static size_t extra_size(uint32_t kind, uint32_t vlen)
{
	switch (kind) {
	case K_INT: case K_VAR: case K_DECL_TAG: return 4;
	case K_ARRAY: return 12;
	case K_STRUCT: case K_UNION: case K_DATASEC: case K_ENUM64: return 12ull * vlen;
	case K_ENUM: case K_FUNC_PROTO: return 8ull * vlen;
	default: return 0;
	}
}

int bk__btf_parse(const uint8_t *data, size_t len, struct bk__btf *b, struct bk_err *err)
{
	memset(b, 0, sizeof(*b));
	if (len < 24 || data[0] != 0x9f || data[1] != 0xeb)
		return bk_err_set(err, -EINVAL, ".BTF: bad header");
	uint32_t hdr = rd32(data + 4), toff = rd32(data + 8), tlen = rd32(data + 12);
	uint32_t soff = rd32(data + 16), slen = rd32(data + 20);
	if (hdr < 24 || hdr > len || (uint64_t)hdr + toff + tlen > len ||
	    (uint64_t)hdr + soff + slen > len || slen == 0)
		return bk_err_set(err, -EINVAL, ".BTF: sections outside the data");
	b->data = data + hdr + toff;
	b->len = tlen;
	b->strs = (const char *)data + hdr + soff;
	b->strs_len = slen;
	if (b->strs[slen - 1] != 0)
		return bk_err_set(err, -EINVAL, ".BTF: string section not terminated");
	size_t cap = 64, n = 1;
	b->types = calloc(cap, sizeof(*b->types));
	if (!b->types)
		return bk_err_set(err, -ENOMEM, ".BTF: out of memory");
	for (size_t off = 0; off < tlen;) {
		if (tlen - off < 12) {
			bk__btf_free(b);
			return bk_err_set(err, -EINVAL, ".BTF: truncated type %zu", n);
		}
		uint32_t info = rd32(b->data + off + 4);
		size_t ex = extra_size((info >> 24) & 0x1f, info & 0xffff);
		if (tlen - off - 12 < ex) {
			bk__btf_free(b);
			return bk_err_set(err, -EINVAL, ".BTF: truncated type %zu", n);
		}
		if (n == cap) {
			uint32_t *t = realloc(b->types, 2 * cap * sizeof(*t));
			if (!t) {
				bk__btf_free(b);
				return bk_err_set(err, -ENOMEM, ".BTF: out of memory");
			}
			b->types = t;
			cap *= 2;
		}
		b->types[n++] = (uint32_t)off;
		off += 12 + ex;
	}
	b->ntypes = n;
	return 0;
}

static const uint8_t *type_at(const struct bk__btf *b, uint32_t id, struct btf_t *t)
{
	if (id == 0 || id >= b->ntypes)
		return NULL;
	const uint8_t *p = b->data + b->types[id];
	t->name_off = rd32(p);
	t->info = rd32(p + 4);
	t->size_type = rd32(p + 8);
	return p + 12;
}

#define KIND(t) (((t).info >> 24) & 0x1f)
#define VLEN(t) ((t).info & 0xffff)

const char *bk__btf_str(const struct bk__btf *b, uint32_t off)
{
	return off < b->strs_len ? b->strs + off : "";
}

/* Follows typedefs and modifiers; 0 if the chain is broken or too long. */
static uint32_t skip_mods(const struct bk__btf *b, uint32_t id)
{
	struct btf_t t;
	for (int depth = 0; depth < 32; depth++) {
		if (!type_at(b, id, &t))
			return 0;
		switch (KIND(t)) {
		case K_TYPEDEF: case K_VOLATILE: case K_CONST: case K_RESTRICT: case K_TYPE_TAG:
			id = t.size_type;
			break;
		default:
			return id;
		}
	}
	return 0;
}

int64_t bk__btf_type_size(const struct bk__btf *b, uint32_t id)
{
	struct btf_t t;
	uint64_t mult = 1;
	for (int depth = 0; depth < 32; depth++) {
		const uint8_t *ex = type_at(b, id, &t);
		if (!ex)
			return -EINVAL;
		switch (KIND(t)) {
		case K_INT: case K_STRUCT: case K_UNION: case K_ENUM: case K_ENUM64: case K_FLOAT:
		case K_DATASEC:
			return (int64_t)(mult * t.size_type);
		case K_PTR:
			return (int64_t)(mult * 8);
		case K_ARRAY:
			mult *= rd32(ex + 8);
			if (mult > (1ull << 32))
				return -E2BIG;
			id = rd32(ex);
			break;
		case K_TYPEDEF: case K_VOLATILE: case K_CONST: case K_RESTRICT: case K_TYPE_TAG:
		case K_VAR:
			id = t.size_type;
			break;
		default:
			return -EINVAL;
		}
	}
	return -ELOOP;
}

/* `__uint(name, N)`: pointer to int[N]. */
static int map_int(const struct bk__btf *b, uint32_t id, uint32_t *out)
{
	struct btf_t t;
	const uint8_t *ex;
	if (!type_at(b, skip_mods(b, id), &t) || KIND(t) != K_PTR)
		return -EINVAL;
	ex = type_at(b, skip_mods(b, t.size_type), &t);
	if (!ex || KIND(t) != K_ARRAY)
		return -EINVAL;
	*out = rd32(ex + 8);
	return 0;
}

/* Fills DEF (and for an outer map, M's inner/values fields; M is NULL for an inner one). */
static int parse_def(const struct bk__btf *b, uint32_t id, const char *name,
		     struct bk_map_def *def, uint32_t *pinning, struct bk__btf_map *m,
		     struct bk_err *err)
{
	uint32_t ignored = 0;
	struct btf_t t;
	const uint8_t *ex = type_at(b, skip_mods(b, id), &t);
	if (!ex || KIND(t) != K_STRUCT)
		return bk_err_set(err, -EINVAL, "map '%s': BTF type is not a struct", name);
	for (uint32_t i = 0; i < VLEN(t); i++) {
		const uint8_t *mem = ex + 12 * i;
		const char *mn = bk__btf_str(b, rd32(mem));
		uint32_t mt = rd32(mem + 4), v = 0;
		uint32_t *field = NULL;
		if (!strcmp(mn, "type"))
			field = &def->type;
		else if (!strcmp(mn, "max_entries"))
			field = &def->max_entries;
		else if (!strcmp(mn, "map_flags"))
			field = &def->map_flags;
		else if (!strcmp(mn, "key_size"))
			field = &def->key_size;
		else if (!strcmp(mn, "value_size"))
			field = &def->value_size;
		else if (!strcmp(mn, "pinning"))
			field = pinning ? pinning : &ignored;
		else if (!strcmp(mn, "numa_node") || !strcmp(mn, "map_extra"))
			field = &v;
		if (field) {
			if (map_int(b, mt, field) < 0)
				return bk_err_set(err, -EINVAL, "map '%s': member '%s' is not __uint()", name, mn);
			continue;
		}
		if (!strcmp(mn, "key") || !strcmp(mn, "value")) {
			struct btf_t pt;
			if (!type_at(b, skip_mods(b, mt), &pt) || KIND(pt) != K_PTR)
				return bk_err_set(err, -EINVAL, "map '%s': member '%s' is not __type()", name, mn);
			int64_t sz = bk__btf_type_size(b, pt.size_type);
			if (sz < 0 || sz > UINT32_MAX)
				return bk_err_set(err, -EINVAL, "map '%s': cannot size '%s'", name, mn);
			uint32_t *dst = mn[0] == 'k' ? &def->key_size : &def->value_size;
			if (*dst && *dst != (uint32_t)sz)
				return bk_err_set(err, -EINVAL, "map '%s': conflicting %s size", name, mn);
			*dst = (uint32_t)sz;
			if (mn[0] == 'v' && m)
				m->value_type = pt.size_type;
			continue;
		}
		if (!strcmp(mn, "values")) {
			struct btf_t at, pt, it;
			const uint8_t *aex = type_at(b, skip_mods(b, mt), &at);
			if (!m)
				return bk_err_set(err, -EINVAL, "map '%s': inner map with 'values'", name);
			if (!aex || KIND(at) != K_ARRAY || !type_at(b, skip_mods(b, rd32(aex)), &pt) ||
			    KIND(pt) != K_PTR)
				return bk_err_set(err, -EINVAL, "map '%s': 'values' is not an array of pointers", name);
			uint32_t iid = skip_mods(b, pt.size_type);
			if (!type_at(b, iid, &it))
				return bk_err_set(err, -EINVAL, "map '%s': bad 'values' type", name);
			if (KIND(it) == K_FUNC_PROTO) {
				m->values_are_progs = true;
			} else {
				int r = parse_def(b, iid, name, &m->inner, NULL, NULL, err);
				if (r < 0)
					return r;
				m->has_inner = true;
			}
			m->has_values = true;
			/* libbpf: the values of a prog array or map-in-map are 4-byte ids/fds. */
			def->value_size = 4;
			m->values_off = rd32(mem + 8) / 8; /* member offsets are in bits */
			continue;
		}
		/* Unknown members: libbpf refuses them unless they are ignorable. */
		return bk_err_set(err, -ENOTSUP, "map '%s': unknown member '%s'", name, mn);
	}
	return 0;
}

int bk__btf_map_def(const struct bk__btf *b, const char *name, struct bk__btf_map *m,
		    struct bk_err *err)
{
	/* Find VAR `name` inside the .maps DATASEC. */
	struct btf_t t;
	for (uint32_t id = 1; id < b->ntypes; id++) {
		const uint8_t *ex = type_at(b, id, &t);
		if (KIND(t) != K_DATASEC || strcmp(bk__btf_str(b, t.name_off), ".maps"))
			continue;
		for (uint32_t i = 0; i < VLEN(t); i++) {
			struct btf_t vt;
			uint32_t vid = rd32(ex + 12 * i);
			if (!type_at(b, vid, &vt) || KIND(vt) != K_VAR ||
			    strcmp(bk__btf_str(b, vt.name_off), name))
				continue;
			memset(m, 0, sizeof(*m));
			return parse_def(b, vt.size_type, name, &m->def, &m->pinning, m, err);
		}
	}
	return bk_err_set(err, -ENOENT, "map '%s': no BTF definition in .maps", name);
}
