/* BTF-defined maps, read the way libbpf 1.x reads `.maps`: each map is a VAR of the
 * DATASEC ".maps" whose struct members encode the parameters in their types. */
#include "bpfkit/btf.h"
#include "object/object_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MFAIL(...) bk_err_set(err, -EINVAL, __VA_ARGS__)

enum { MT_PROG_ARRAY = 3, MT_ARRAY_OF_MAPS = 12, MT_HASH_OF_MAPS = 13 };

void bk_btf_map_defs_free(struct bk_btf_map_def *defs, size_t n)
{
	if (!defs)
		return;
	for (size_t i = 0; i < n; i++) {
		free(defs[i].name);
		if (defs[i].inner)
			bk_btf_map_defs_free(defs[i].inner, 1);
		for (uint32_t k = 0; k < defs[i].ninit; k++)
			free(defs[i].init_names[k]);
		free(defs[i].init_names);
	}
	free(defs);
}

/* __uint(name, N) is `int (*name)[N]`: N is the array dimension behind the pointer. */
static int field_int(const struct bk_btf *btf, const char *map, const struct bk_btf_member *m,
		     uint32_t *res, struct bk_err *err)
{
	const struct bk_btf_type *t = bk_btf_type_by_id(btf, bk_btf_skip_mods(btf, m->type));
	if (!t || t->kind != BK_BTF_KIND_PTR)
		return MFAIL("map '%s': attr '%s': expected PTR, got %s", map, m->name,
			     t ? bk_btf_kind_name(t->kind) : "nothing");
	const struct bk_btf_type *a = bk_btf_type_by_id(btf, t->type);
	if (!a || a->kind != BK_BTF_KIND_ARRAY)
		return MFAIL("map '%s': attr '%s': expected ARRAY, got %s", map, m->name,
			     a ? bk_btf_kind_name(a->kind) : "nothing");
	*res = a->array_nelems;
	return 0;
}

static void find_spin_lock(const struct bk_btf *btf, struct bk_btf_map_def *d)
{
	const struct bk_btf_type *v = bk_btf_type_by_id(btf, bk_btf_skip_mods(btf, d->value_type_id));
	if (!d->value_type_id || !v || v->kind != BK_BTF_KIND_STRUCT)
		return;
	for (unsigned i = 0; i < v->vlen; i++) {
		const struct bk_btf_type *m =
			bk_btf_type_by_id(btf, bk_btf_skip_mods(btf, v->members[i].type));
		if (m && m->kind == BK_BTF_KIND_STRUCT && !strcmp(m->name, "bpf_spin_lock")) {
			d->has_spin_lock = true;
			d->spin_lock_off = v->members[i].bit_offset / 8;
			return;
		}
	}
}

static int parse_def(const struct bk_btf *btf, const char *name, uint32_t struct_id,
		     struct bk_btf_map_def *d, bool is_inner, uint32_t *values_off, int depth,
		     struct bk_err *err)
{
	const struct bk_btf_type *st = bk_btf_type_by_id(btf, bk_btf_skip_mods(btf, struct_id));
	if (!st || st->kind != BK_BTF_KIND_STRUCT)
		return MFAIL("map '%s': unexpected def kind %s", name,
			     st ? bk_btf_kind_name(st->kind) : "nothing");
	d->name = strdup(name);
	if (!d->name)
		return bk_err_set(err, -ENOMEM, "map '%s': out of memory", name);
	bool have_key_size = false, have_value_size = false;
	for (unsigned i = 0; i < st->vlen; i++) {
		const struct bk_btf_member *m = &st->members[i];
		const char *mn = m->name;
		int e = 0;
		uint32_t v = 0;
		if (!*mn)
			return MFAIL("map '%s': invalid field #%u", name, i);
		if (!strcmp(mn, "type"))
			e = field_int(btf, name, m, &d->type, err);
		else if (!strcmp(mn, "max_entries"))
			e = field_int(btf, name, m, &d->max_entries, err);
		else if (!strcmp(mn, "map_flags"))
			e = field_int(btf, name, m, &d->map_flags, err);
		else if (!strcmp(mn, "numa_node"))
			e = field_int(btf, name, m, &d->numa_node, err);
		else if (!strcmp(mn, "map_extra")) {
			e = field_int(btf, name, m, &v, err);
			d->map_extra = v;
		} else if (!strcmp(mn, "key_size") || !strcmp(mn, "value_size")) {
			bool key = mn[0] == 'k';
			e = field_int(btf, name, m, &v, err);
			if (!e) {
				uint32_t *dst = key ? &d->key_size : &d->value_size;
				bool *have = key ? &have_key_size : &have_value_size;
				if (*have && *dst != v)
					return MFAIL("map '%s': conflicting %s %u != %u", name, mn, *dst, v);
				*dst = v;
				*have = true;
			}
		} else if (!strcmp(mn, "key") || !strcmp(mn, "value")) {
			bool key = mn[0] == 'k';
			const struct bk_btf_type *t = bk_btf_type_by_id(btf, bk_btf_skip_mods(btf, m->type));
			if (!t || t->kind != BK_BTF_KIND_PTR)
				return MFAIL("map '%s': %s spec is not PTR: %s", name, mn,
					     t ? bk_btf_kind_name(t->kind) : "nothing");
			int64_t sz = bk_btf_type_size(btf, t->type);
			if (sz < 0 || sz > UINT32_MAX)
				return MFAIL("map '%s': can't determine %s size for type [%u]", name, mn, t->type);
			uint32_t *dst = key ? &d->key_size : &d->value_size;
			bool *have = key ? &have_key_size : &have_value_size;
			if (*have && *dst != (uint32_t)sz)
				return MFAIL("map '%s': conflicting %s size %u != %lld", name, mn, *dst, (long long)sz);
			*dst = (uint32_t)sz;
			*have = true;
			if (key)
				d->key_type_id = t->type;
			else
				d->value_type_id = t->type;
		} else if (!strcmp(mn, "values")) {
			bool is_prog_array = d->type == MT_PROG_ARRAY;
			if (is_inner)
				return MFAIL("map '%s': multi-level inner maps not supported", name);
			if (i != (unsigned)st->vlen - 1)
				return MFAIL("map '%s': '%s' member should be last", name, mn);
			if (d->type != MT_ARRAY_OF_MAPS && d->type != MT_HASH_OF_MAPS && !is_prog_array)
				return MFAIL("map '%s': should be map-in-map or prog-array", name);
			if (have_value_size && d->value_size != 4)
				return MFAIL("map '%s': conflicting value size %u != 4", name, d->value_size);
			d->value_size = 4;
			have_value_size = true;
			const struct bk_btf_type *a = bk_btf_type_by_id(btf, bk_btf_skip_mods(btf, m->type));
			if (!a || a->kind != BK_BTF_KIND_ARRAY || a->array_nelems)
				return MFAIL("map '%s': %s spec is not a zero-sized array", name, mn);
			const struct bk_btf_type *p = bk_btf_type_by_id(btf, bk_btf_skip_mods(btf, a->array_type));
			if (!p || p->kind != BK_BTF_KIND_PTR)
				return MFAIL("map '%s': %s elem are not pointers", name, mn);
			uint32_t target = bk_btf_skip_mods(btf, p->type);
			const struct bk_btf_type *tt = bk_btf_type_by_id(btf, target);
			if (is_prog_array) {
				if (!tt || tt->kind != BK_BTF_KIND_FUNC_PROTO)
					return MFAIL("map '%s': prog-array value def is of unexpected kind %s", name,
						     tt ? bk_btf_kind_name(tt->kind) : "nothing");
			} else {
				if (!tt || tt->kind != BK_BTF_KIND_STRUCT)
					return MFAIL("map '%s': map-in-map inner def is of unexpected kind %s", name,
						     tt ? bk_btf_kind_name(tt->kind) : "nothing");
				if (depth > 0)
					return MFAIL("map '%s': nesting too deep", name);
				d->inner = calloc(1, sizeof(*d->inner));
				if (!d->inner)
					return bk_err_set(err, -ENOMEM, "map '%s': out of memory", name);
				size_t nl = strlen(name) + 7;
				char *iname = malloc(nl);
				if (!iname)
					return bk_err_set(err, -ENOMEM, "map '%s': out of memory", name);
				snprintf(iname, nl, "%s.inner", name);
				e = parse_def(btf, iname, target, d->inner, true, NULL, depth + 1, err);
				free(iname);
				if (e)
					return e;
			}
			if (values_off)
				*values_off = m->bit_offset / 8;
		} else if (!strcmp(mn, "pinning")) {
			if (is_inner)
				return MFAIL("map '%s': inner def can't be pinned", name);
			e = field_int(btf, name, m, &d->pinning, err);
			if (!e && d->pinning != BK_PIN_NONE && d->pinning != BK_PIN_BY_NAME)
				return MFAIL("map '%s': invalid pinning value %u", name, d->pinning);
		} else {
			return MFAIL("map '%s': unknown field '%s'", name, mn);
		}
		if (e)
			return e;
	}
	if (d->type == 0)
		return MFAIL("map '%s': map type isn't specified", name);
	find_spin_lock(btf, d);
	return 0;
}

int bk_btf_datasec(const struct bk_btf *btf, const char *sec)
{
	return bk_btf_find(btf, sec, BK_BTF_KIND_DATASEC);
}

static uint64_t var_offset(const struct bk_object *obj, unsigned sec, const char *name,
			   uint64_t fallback)
{
	for (size_t i = 1; i < obj->nsymbols; i++) {
		const struct bk_symbol *y = &obj->symbols[i];
		if (y->shndx == sec && y->type != BK_STT_SECTION && !strcmp(y->name, name))
			return y->value;
	}
	return fallback;
}

int bk_btf_datasec_layout(const struct bk_object *obj, const struct bk_btf *btf, uint32_t id,
			  uint64_t *offsets, struct bk_err *err)
{
	const struct bk_btf_type *t = bk_btf_type_by_id(btf, id);
	if (!t || t->kind != BK_BTF_KIND_DATASEC)
		return MFAIL("%s: BTF type [%u] is not a DATASEC", obj->name, id);
	int sec = bk_object_find_section(obj, t->name);
	for (unsigned i = 0; i < t->vlen; i++) {
		const struct bk_btf_type *v = bk_btf_type_by_id(btf, t->members[i].type);
		offsets[i] = t->members[i].offset;
		if (sec > 0 && v && v->kind == BK_BTF_KIND_VAR)
			offsets[i] = var_offset(obj, (unsigned)sec, v->name, t->members[i].offset);
	}
	return 0;
}

int bk_btf_map_defs(const struct bk_object *obj, const struct bk_btf *btf,
		    struct bk_btf_map_def **out, size_t *n, struct bk_err *err)
{
	*out = NULL;
	*n = 0;
	int sec = bk_object_find_section(obj, ".maps");
	if (sec < 0)
		return 0;
	if (!btf)
		return MFAIL("%s: .maps section but no BTF", obj->name);
	int ds = bk_btf_datasec(btf, ".maps");
	if (ds < 0)
		return MFAIL("%s: DATASEC '.maps' not found in BTF", obj->name);
	const struct bk_btf_type *t = &btf->types[ds];
	const struct bk_section *ms = &obj->sections[sec];
	struct bk_btf_map_def *defs = calloc(t->vlen ? t->vlen : 1, sizeof(*defs));
	if (!defs)
		return bk_err_set(err, -ENOMEM, "%s: out of memory", obj->name);
	size_t cnt = 0;
	int e = 0;
	for (unsigned i = 0; i < t->vlen; i++) {
		const struct bk_btf_type *v = bk_btf_type_by_id(btf, t->members[i].type);
		if (!v || v->kind != BK_BTF_KIND_VAR) {
			e = MFAIL("%s: .maps DATASEC entry %u is not a VAR", obj->name, i);
			break;
		}
		if (!*v->name) {
			e = MFAIL("%s: .maps DATASEC entry %u has no name", obj->name, i);
			break;
		}
		struct bk_btf_map_def *d = &defs[cnt++];
		d->sec = (unsigned)sec;
		d->offset = var_offset(obj, (unsigned)sec, v->name, t->members[i].offset);
		uint32_t values_off = UINT32_MAX;
		e = parse_def(btf, v->name, v->type, d, false, &values_off, 0, err);
		if (e) {
			if (err && err->code == e && strncmp(err->msg, obj->name, strlen(obj->name)))
				bk__err_prefix(err, obj->name);
			break;
		}
		int64_t vsize = bk_btf_type_size(btf, v->type);
		if (vsize < 0 || d->offset > ms->size || (uint64_t)vsize > ms->size - d->offset) {
			e = MFAIL("%s: map '%s': definition at offset %llu (size %lld) outside .maps (%llu bytes)",
				  obj->name, d->name, (unsigned long long)d->offset, (long long)vsize,
				  (unsigned long long)ms->size);
			break;
		}
		if (values_off == UINT32_MAX)
			continue;
		/* `.values = { &a, &b }`: one R_BPF_64_ABS64 per slot in .rel.maps, inside the
		 * variable (whose symbol is larger than the struct: the array is flexible) */
		uint64_t start = d->offset + values_off, stop = d->offset + (uint64_t)vsize;
		for (size_t y = 1; y < obj->nsymbols; y++)
			if (obj->symbols[y].shndx == sec && !strcmp(obj->symbols[y].name, d->name) &&
			    obj->symbols[y].size > (uint64_t)vsize &&
			    obj->symbols[y].size <= ms->size - d->offset)
				stop = d->offset + obj->symbols[y].size;
		for (size_t k = 0; k < ms->nrelocs && !e; k++) {
			const struct bk_reloc *r = &ms->relocs[k];
			if (r->offset < start || r->offset >= stop)
				continue;
			if ((r->offset - start) % 8) {
				e = MFAIL("%s: map '%s': relocation at .maps+%llu is not a slot", obj->name,
					  d->name, (unsigned long long)r->offset);
				break;
			}
			uint64_t slot = (r->offset - start) / 8;
			if (slot >= d->max_entries) {
				e = MFAIL("%s: map '%s': initial slot %llu past max_entries %u", obj->name,
					  d->name, (unsigned long long)slot, d->max_entries);
				break;
			}
			if (slot >= d->ninit) {
				char **p = realloc(d->init_names, (size_t)(slot + 1) * sizeof(*p));
				if (!p) {
					e = bk_err_set(err, -ENOMEM, "%s: out of memory", obj->name);
					break;
				}
				memset(p + d->ninit, 0, (size_t)(slot + 1 - d->ninit) * sizeof(*p));
				d->init_names = p;
				d->ninit = (uint32_t)(slot + 1);
			}
			free(d->init_names[slot]);
			d->init_names[slot] = strdup(bk_object_sym_display_name(obj, r->sym));
			if (!d->init_names[slot])
				e = bk_err_set(err, -ENOMEM, "%s: out of memory", obj->name);
		}
		if (e)
			break;
	}
	if (e) {
		bk__err_oneline(err);
		bk_btf_map_defs_free(defs, cnt);
		return e;
	}
	*out = defs;
	*n = cnt;
	return 0;
}
