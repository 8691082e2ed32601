/* Linking an object as libbpf does before it calls BPF_PROG_LOAD: program discovery,
 * map definitions, global data maps, relocations and subprogram appending. See loader.h
 * for the output form. */
#include "loader_int.h"
#include "bpfkit/btf.h"
#include "bpfkit/disasm.h"
#include "bpfkit/helpers.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

struct func {
	uint32_t sec;
	uint64_t start, n;      /* in slots */
	const char *name;
	bool global;
};

struct ctx {
	const struct bk_object *obj;
	const struct bk_load_opts *opts;
	struct bk_linked *l;
	struct bk_btf *btf;
	struct func *funcs;
	size_t nfuncs;
	uint32_t text_sec;      /* 0 if none */
	const char *oname;      /* for messages */
};

static const char *secname(const struct ctx *c, uint32_t sec)
{
	return sec < c->obj->nsections ? c->obj->sections[sec].name : "?";
}

/* ---- maps ---------------------------------------------------------------------- */

static bool map_type_supported(uint32_t t)
{
	switch (t) {
	case BK_MAP_HASH: case BK_MAP_ARRAY: case BK_MAP_PROG_ARRAY: case BK_MAP_PERCPU_HASH:
	case BK_MAP_PERCPU_ARRAY: case BK_MAP_LRU_HASH: case BK_MAP_LRU_PERCPU_HASH:
	case BK_MAP_ARRAY_OF_MAPS: case BK_MAP_HASH_OF_MAPS: case BK_MAP_DEVMAP:
	case BK_MAP_XSKMAP: case BK_MAP_QUEUE: case BK_MAP_STACK: case BK_MAP_RINGBUF:
	case BK_MAP_DEVMAP_HASH: case BK_MAP_CPUMAP:
		return true;
	}
	return false;
}

static int add_map(struct ctx *c, struct bk_link_map **out, struct bk_err *err)
{
	struct bk_linked *l = c->l;
	struct bk_link_map *m = realloc(l->maps, (l->nmaps + 1) * sizeof(*m));
	if (!m)
		return bk_err_set(err, -ENOMEM, "%s: out of memory", c->oname);
	l->maps = m;
	*out = memset(&m[l->nmaps++], 0, sizeof(*m));
	return 0;
}

static void set_name(struct bk_link_map *m, const char *full)
{
	snprintf(m->name, sizeof(m->name), "%s", full);
	m->def.name[0] = 0;
	snprintf(m->def.name, sizeof(m->def.name), "%s", m->name);
}

/* Symbols of section SEC that name objects, sorted by value: the map variables. */
static int section_objects(const struct ctx *c, uint32_t sec, uint32_t **out, size_t *n)
{
	size_t cnt = 0;
	uint32_t *v = malloc((c->obj->nsymbols + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 1; i < c->obj->nsymbols; i++) {
		const struct bk_symbol *s = &c->obj->symbols[i];
		if (s->shndx != sec || s->type == BK_STT_SECTION || s->type == BK_STT_FILE ||
		    !s->name[0])
			continue;
		size_t j = cnt++;
		while (j > 0 && c->obj->symbols[v[j - 1]].value > s->value) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = (uint32_t)i;
	}
	*out = v;
	*n = cnt;
	return 0;
}

static char *join_names(char **names, uint32_t n)
{
	/* Slot targets are kept as names until the programs are known: "a\0b\0\0" with
	 * an empty name for an empty slot. */
	size_t len = 1;
	for (uint32_t i = 0; i < n; i++)
		len += (names[i] ? strlen(names[i]) : 0) + 1;
	char *s = calloc(1, len), *p = s;
	if (!s)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		size_t l = names[i] ? strlen(names[i]) : 0;
		memcpy(p, names[i] ? names[i] : "", l);
		p += l + 1;
	}
	return s;
}

static void copy_def(struct bk_map_def *d, const struct bk_btf_map_def *b)
{
	d->type = b->type;
	d->key_size = b->key_size;
	d->value_size = b->value_size;
	d->max_entries = b->max_entries;
	d->map_flags = b->map_flags;
	d->has_spin_lock = b->has_spin_lock;
	d->spin_lock_off = b->spin_lock_off;
}

static int init_btf_maps(struct ctx *c, uint32_t sec, struct bk_err *err)
{
	struct bk_btf_map_def *defs = NULL;
	size_t n = 0;
	int r;
	if (!c->btf)
		return bk_err_set(err, -EINVAL, "%s: maps in .maps but the object has no .BTF", c->oname);
	if ((r = bk_btf_map_defs(c->obj, c->btf, &defs, &n, err)) < 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct bk_btf_map_def *b = &defs[i];
		struct bk_link_map *m;
		if ((r = add_map(c, &m, err)) < 0)
			break;
		m->kind = BK_LMAP_BTF;
		m->full_name = strdup(b->name);
		copy_def(&m->def, b);
		if (b->inner) {
			copy_def(&m->inner_def, b->inner);
			snprintf(m->inner_def.name, sizeof(m->inner_def.name), "%s", b->inner->name ? b->inner->name : "");
			m->has_inner = true;
		}
		m->pinning = b->pinning;
		m->sec = b->sec;
		m->sec_off = b->offset;
		set_name(m, b->name);
		if (b->ninit) {
			m->pending = join_names(b->init_names, b->ninit);
			m->npending = b->ninit;
			if (!m->pending)
				r = bk_err_set(err, -ENOMEM, "%s: out of memory", c->oname);
		}
		if (!m->full_name)
			r = bk_err_set(err, -ENOMEM, "%s: out of memory", c->oname);
	}
	bk_btf_map_defs_free(defs, n);
	return r;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static int init_legacy_maps(struct ctx *c, uint32_t sec, struct bk_err *err)
{
	const struct bk_section *sh = &c->obj->sections[sec];
	uint32_t *syms;
	size_t n;
	if (section_objects(c, sec, &syms, &n) < 0)
		return bk_err_set(err, -ENOMEM, "%s: out of memory", c->oname);
	int r = 0;
	uint64_t defsz = n ? sh->size / n : 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct bk_symbol *s = &c->obj->symbols[syms[i]];
		struct bk_link_map *m;
		uint64_t sz = s->size ? s->size : defsz;
		if (sz < 16 || !sh->data || s->value > sh->size || sh->size - s->value < sz) {
			r = bk_err_set(err, -EINVAL, "%s: legacy map '%s': definition outside section 'maps'",
				       c->oname, s->name);
			break;
		}
		if ((r = add_map(c, &m, err)) < 0)
			break;
		const uint8_t *d = sh->data + s->value;
		m->kind = BK_LMAP_LEGACY;
		m->full_name = strdup(s->name);
		m->def.type = rd32(d);
		m->def.key_size = rd32(d + 4);
		m->def.value_size = rd32(d + 8);
		m->def.max_entries = rd32(d + 12);
		m->def.map_flags = sz >= 20 ? rd32(d + 16) : 0;
		m->sec = sec;
		m->sec_off = s->value;
		set_name(m, s->name);
		if (!m->full_name)
			r = bk_err_set(err, -ENOMEM, "%s: out of memory", c->oname);
	}
	free(syms);
	return r;
}

/* libbpf's internal_map_name(): the object name cut to leave room for a 7-char suffix,
 * no prefix when the section name has a second dot, characters the kernel refuses
 * replaced by '_'. */
static void data_map_name(const char *obj_name, const char *sec, char out[BK_MAP_NAME_LEN])
{
	size_t slen = strlen(sec), sfx = slen > 7 ? slen : 7, pfx;
	if (strchr(sec + 1, '.'))
		pfx = 0;
	else {
		pfx = BK_MAP_NAME_LEN - sfx - 1;
		if (sfx >= BK_MAP_NAME_LEN - 1)
			pfx = 0;
		if (strlen(obj_name) < pfx)
			pfx = strlen(obj_name);
	}
	snprintf(out, BK_MAP_NAME_LEN, "%.*s%.*s", (int)pfx, obj_name, (int)sfx, sec);
	for (char *p = out; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
			*p = '_';
}

/* libbpf's map_is_mmapable(): a global data map is mmapable when its section's BTF
 * DATASEC holds at least one non-static variable. */
static bool data_mmapable(const struct ctx *c, const char *sec)
{
	int id = c->btf ? bk_btf_datasec(c->btf, sec) : -1;
	if (id < 0)
		return false;
	const struct bk_btf_type *t = bk_btf_type_by_id(c->btf, (uint32_t)id);
	for (unsigned i = 0; t && i < t->vlen; i++) {
		const struct bk_btf_type *v = bk_btf_type_by_id(c->btf, t->members[i].type);
		if (v && v->kind == BK_BTF_KIND_VAR && v->linkage != BK_BTF_STATIC)
			return true;
	}
	return false;
}

static int init_data_maps(struct ctx *c, struct bk_err *err)
{
	for (uint32_t i = 1; i < c->obj->nsections; i++) {
		const struct bk_section *sh = &c->obj->sections[i];
		struct bk_link_map *m;
		int r;
		if (sh->kind != BK_SEC_DATA && sh->kind != BK_SEC_RODATA && sh->kind != BK_SEC_BSS)
			continue;
		if (sh->size == 0)
			continue;
		if (sh->size > UINT32_MAX)
			return bk_err_set(err, -E2BIG, "%s: section '%s' too large for a map", c->oname, sh->name);
		if ((r = add_map(c, &m, err)) < 0)
			return r;
		m->kind = sh->kind == BK_SEC_DATA ? BK_LMAP_DATA :
			  sh->kind == BK_SEC_RODATA ? BK_LMAP_RODATA : BK_LMAP_BSS;
		m->full_name = strdup(sh->name);
		if (!m->full_name)
			return bk_err_set(err, -ENOMEM, "%s: out of memory", c->oname);
		m->def.type = BK_MAP_ARRAY;
		m->def.key_size = 4;
		m->def.value_size = (uint32_t)sh->size;
		m->def.max_entries = 1;
		m->def.map_flags = (m->kind == BK_LMAP_RODATA ? BK_F_RDONLY_PROG : 0) |
				   (data_mmapable(c, sh->name) ? BK_F_MMAPABLE : 0);
		m->sec = i;
		m->init = sh->type == BK_SHT_NOBITS ? NULL : sh->data;
		m->init_size = m->init ? sh->size : 0;
		data_map_name(c->l->obj_name, sh->name, m->name);
		snprintf(m->def.name, sizeof(m->def.name), "%s", m->name);
	}
	return 0;
}

static int find_map(const struct ctx *c, uint32_t sec, uint64_t off)
{
	for (size_t i = 0; i < c->l->nmaps; i++) {
		const struct bk_link_map *m = &c->l->maps[i];
		if (m->sec != sec)
			continue;
		if (m->kind == BK_LMAP_BTF || m->kind == BK_LMAP_LEGACY) {
			if (m->sec_off == off)
				return (int)i;
		} else {
			return (int)i;
		}
	}
	return -ENOENT;
}

/* ---- functions and programs ------------------------------------------------------- */

static int collect_funcs(struct ctx *c, struct bk_err *err)
{
	const struct bk_object *o = c->obj;
	c->funcs = calloc(o->nsymbols + o->nsections + 1, sizeof(*c->funcs));
	if (!c->funcs)
		return bk_err_set(err, -ENOMEM, "%s: out of memory", c->oname);
	for (size_t i = 1; i < o->nsymbols; i++) {
		const struct bk_symbol *s = &o->symbols[i];
		if (s->type != BK_STT_FUNC || s->shndx == BK_SHN_UNDEF || s->shndx >= o->nsections)
			continue;
		const struct bk_section *sh = &o->sections[s->shndx];
		if (!bk_section_is_prog(sh))
			continue;
		uint64_t n = s->size / 8;
		if (s->value % 8 || s->size % 8 || s->value > sh->size || sh->size - s->value < s->size)
			return bk_err_set(err, -EINVAL, "%s: function '%s' lies outside section '%s'",
					  c->oname, s->name, sh->name);
		if (n == 0 && s->value == 0)
			n = sh->size / 8; /* hand-written assembly without .size */
		c->funcs[c->nfuncs++] = (struct func){ s->shndx, s->value / 8, n, s->name,
							s->bind != BK_STB_LOCAL };
	}
	/* A program section with no function symbol (assembly without .type) is one
	 * program named after its section. */
	for (uint32_t sec = 1; sec < o->nsections; sec++) {
		const struct bk_section *sh = &o->sections[sec];
		bool found = false;
		if (!bk_section_is_prog(sh) || sh->size == 0)
			continue;
		for (size_t f = 0; f < c->nfuncs; f++)
			found |= c->funcs[f].sec == sec;
		if (!found)
			c->funcs[c->nfuncs++] = (struct func){ sec, 0, sh->size / 8, sh->name, true };
	}
	return 0;
}

static const struct func *func_at(const struct ctx *c, uint32_t sec, uint64_t si)
{
	for (size_t f = 0; f < c->nfuncs; f++)
		if (c->funcs[f].sec == sec && si >= c->funcs[f].start &&
		    si < c->funcs[f].start + c->funcs[f].n)
			return &c->funcs[f];
	return NULL;
}

struct code {
	struct bk_insn *insns;
	uint32_t *osec;          /* origin of each slot */
	uint64_t *oidx;
	size_t n, cap;
	const struct func **apps; /* appended functions */
	size_t *app_pos;
	size_t napps;
};

static void code_free(struct code *k)
{
	free(k->osec);
	free(k->oidx);
	free(k->apps);
	free(k->app_pos);
}

static int code_append(struct ctx *c, struct code *k, const struct func *f, size_t *pos,
		       struct bk_err *err)
{
	const struct bk_section *sh = &c->obj->sections[f->sec];
	if (k->n + f->n > BK_VM_MAX_INSNS)
		return bk_err_set(err, -E2BIG, "%s: program too large", c->oname);
	if (k->n + f->n > k->cap) {
		size_t cap = (k->n + f->n) * 2;
		struct bk_insn *i = realloc(k->insns, cap * sizeof(*i));
		if (i)
			k->insns = i;
		uint32_t *s = realloc(k->osec, cap * sizeof(*s));
		if (s)
			k->osec = s;
		uint64_t *x = realloc(k->oidx, cap * sizeof(*x));
		if (x)
			k->oidx = x;
		if (!i || !s || !x)
			return bk_err_set(err, -ENOMEM, "%s: out of memory", c->oname);
		k->cap = cap;
	}
	const struct func **a = realloc(k->apps, (k->napps + 1) * sizeof(*a));
	if (a)
		k->apps = a;
	size_t *p = realloc(k->app_pos, (k->napps + 1) * sizeof(*p));
	if (p)
		k->app_pos = p;
	if (!a || !p)
		return bk_err_set(err, -ENOMEM, "%s: out of memory", c->oname);
	k->apps[k->napps] = f;
	k->app_pos[k->napps++] = k->n;
	*pos = k->n;
	memcpy(k->insns + k->n, sh->data + f->start * 8, f->n * 8);
	for (uint64_t i = 0; i < f->n; i++) {
		k->osec[k->n + i] = f->sec;
		k->oidx[k->n + i] = f->start + i;
	}
	k->n += f->n;
	return 0;
}

/* Slot in the linked program of instruction SI of section SEC, appending its function
 * if this program does not have it yet (libbpf appends each subprogram once, in the
 * order of first use). */
static int target_pos(struct ctx *c, struct code *k, uint32_t sec, int64_t si, size_t at,
		      size_t *out, bool *appended, struct bk_err *err)
{
	const struct func *f = si >= 0 ? func_at(c, sec, (uint64_t)si) : NULL;
	if (!f)
		return bk_err_set(err, -EINVAL, "%s: section '%s' insn %llu: call or function "
				  "address to insn %lld of '%s', which is in no function", c->oname,
				  secname(c, k->osec[at]), (unsigned long long)k->oidx[at],
				  (long long)si, secname(c, sec));
	for (size_t i = 0; i < k->napps; i++)
		if (k->apps[i] == f) {
			*out = k->app_pos[i] + (size_t)((uint64_t)si - f->start);
			return 0;
		}
	size_t pos;
	int r = code_append(c, k, f, &pos, err);
	if (r < 0)
		return r;
	*out = pos + (size_t)((uint64_t)si - f->start);
	*appended = true;
	return 0;
}

static int check_helper(struct ctx *c, const struct code *k, size_t i,
			const struct bk_progtype *pt, struct bk_err *err)
{
	int32_t id = k->insns[i].imm;
	const char *name = bk_helper_name(id);
	const struct bk_helper_proto *p = id >= 0 ? bk_helper_proto((uint32_t)id) : NULL;
	char where[160];
	snprintf(where, sizeof where, "%s: section '%s' insn %llu", c->oname,
		 secname(c, k->osec[i]), (unsigned long long)k->oidx[i]);
	if (!name)
		return bk_err_set(err, -EINVAL, "%s: invalid func unknown#%d", where, id);
	if (!p)
		return bk_err_set(err, -EOPNOTSUPP, "%s: helper %s#%d is not supported by the runtime",
				  where, name, id);
	if (pt && !bk_helper_allowed(p, pt->type == BK_PROG_RAW ? -1 : (int)pt->type))
		return bk_err_set(err, -EINVAL, "%s: program of this type cannot use helper %s#%d",
				  where, name, id);
	return 0;
}

static int link_prog(struct ctx *c, const struct func *main, struct bk_link_prog *out,
		     struct bk_err *err)
{
	const struct bk_object *o = c->obj;
	struct code k = { 0 };
	size_t pos;
	int r = code_append(c, &k, main, &pos, err);
	const struct bk_progtype *pt = out->type;

	/* libbpf appends a subprogram and relocates it at once, before going on with its
	 * caller (bpf_object__reloc_code recurses): a stack of function ranges keeps that
	 * depth-first order without recursion. */
	struct range { size_t i, end; } *stack = malloc(sizeof(*stack) * (c->nfuncs + 1));
	size_t depth = 0;
	if (!stack && r == 0)
		r = bk_err_set(err, -ENOMEM, "%s: out of memory", c->oname);
	if (stack)
		stack[depth++] = (struct range){ 0, k.n };
	while (r == 0 && depth > 0) {
		struct range *top = &stack[depth - 1];
		if (top->i >= top->end) {
			depth--;
			continue;
		}
		size_t i = top->i++;
		size_t before = k.n;
		bool appended = false;
		struct bk_insn *in = &k.insns[i];
		uint32_t sec = k.osec[i];
		const struct bk_reloc *rel = bk_object_reloc_at(o, sec, k.oidx[i] * 8);
		const struct bk_symbol *s = NULL;
		char where[160];
		snprintf(where, sizeof where, "%s: section '%s' insn %llu", c->oname, secname(c, sec),
			 (unsigned long long)k.oidx[i]);
		if (rel) {
			if (rel->sym >= o->nsymbols) {
				r = bk_err_set(err, -EINVAL, "%s: relocation symbol %u out of range", where, rel->sym);
				break;
			}
			s = &o->symbols[rel->sym];
		}
		if (in->code == 0x18) { /* lddw */
			if (i + 1 >= k.n || k.osec[i + 1] != sec) {
				r = bk_err_set(err, -EINVAL, "%s: lddw without its second half", where);
				break;
			}
			if (!rel) {
				if (in->src != 0)
					r = bk_err_set(err, -EINVAL, "%s: lddw with src %u and no relocation", where, in->src);
				stack[depth - 1].i++; /* the second slot */
				continue;
			}
			if (rel->type != BK_R_BPF_64_64) {
				r = bk_err_set(err, -EINVAL, "%s: relocation %s on lddw", where,
					       bk_reloc_type_name(rel->type));
				break;
			}
			if (s->shndx == BK_SHN_UNDEF || s->shndx >= o->nsections) {
				r = bk_err_set(err, -EOPNOTSUPP, "%s: extern '%s' (ksym/kconfig) is not supported by the runtime",
					       where, s->name);
				break;
			}
			const struct bk_section *ts = &o->sections[s->shndx];
			uint64_t off = s->value + (uint64_t)(int64_t)in->imm;
			if (ts->kind == BK_SEC_MAPS || ts->kind == BK_SEC_LEGACY_MAPS) {
				int mi = find_map(c, s->shndx, s->type == BK_STT_SECTION ? off : s->value);
				if (mi < 0) {
					r = bk_err_set(err, -EINVAL, "%s: no map at offset %llu of '%s' (symbol '%s')",
						       where, (unsigned long long)off, ts->name, s->name);
					break;
				}
				in[0].src = BK_PSEUDO_MAP_IDX;
				in[0].imm = mi;
				in[1].imm = 0;
			} else if (ts->kind == BK_SEC_DATA || ts->kind == BK_SEC_RODATA ||
				   ts->kind == BK_SEC_BSS) {
				int mi = find_map(c, s->shndx, 0);
				if (mi < 0 || off > ts->size) {
					r = bk_err_set(err, -EINVAL, "%s: reference to '%s' outside section '%s'",
						       where, s->name[0] ? s->name : ts->name, ts->name);
					break;
				}
				in[0].src = BK_PSEUDO_MAP_IDX_VALUE;
				in[0].imm = mi;
				in[1].imm = (int32_t)off;
			} else if (bk_section_is_prog(ts)) {
				size_t tp;
				if (off % 8) {
					r = bk_err_set(err, -EINVAL, "%s: function address not on an instruction", where);
					break;
				}
				if ((r = target_pos(c, &k, s->shndx, (int64_t)(off / 8), i, &tp, &appended, err)) < 0)
					break;
				in = &k.insns[i]; /* appending may have moved the array */
				in[0].src = BK_PSEUDO_FUNC;
				in[0].imm = (int32_t)((int64_t)tp - (int64_t)(i + 1));
				in[1].imm = 0;
				stack[depth - 1].i++; /* the second slot */
				if (appended)
					stack[depth++] = (struct range){ before, k.n };
				continue;
			} else {
				r = bk_err_set(err, -EOPNOTSUPP, "%s: relocation against section '%s' is not supported",
					       where, ts->name);
				break;
			}
			stack[depth - 1].i++; /* the second slot */
			continue;
		}
		if (in->code == 0x85) { /* call */
			if (in->src == 0) {
				if (rel) {
					r = bk_err_set(err, -EINVAL, "%s: relocation on a helper call", where);
					break;
				}
				r = check_helper(c, &k, i, pt, err);
				continue;
			}
			if (in->src == BK_PSEUDO_KFUNC_CALL || (rel && s->shndx == BK_SHN_UNDEF)) {
				r = bk_err_set(err, -EOPNOTSUPP, "%s: kfunc '%s' is not supported by the runtime",
					       where, s ? s->name : "?");
				break;
			}
			if (in->src != BK_PSEUDO_CALL) {
				r = bk_err_set(err, -EINVAL, "%s: call with src %u", where, in->src);
				break;
			}
			uint32_t tsec = sec;
			int64_t tsi = (int64_t)k.oidx[i] + in->imm + 1;
			if (rel) {
				if (rel->type != BK_R_BPF_64_32 || s->shndx >= o->nsections ||
				    !bk_section_is_prog(&o->sections[s->shndx])) {
					r = bk_err_set(err, -EINVAL, "%s: bad call relocation against '%s'",
						       where, bk_object_sym_display_name(o, rel->sym));
					break;
				}
				tsec = s->shndx;
				tsi = (int64_t)(s->value / 8) + in->imm + 1;
			}
			size_t tp;
			if ((r = target_pos(c, &k, tsec, tsi, i, &tp, &appended, err)) < 0)
				break;
			in = &k.insns[i];
			in->imm = (int32_t)((int64_t)tp - (int64_t)(i + 1));
			if (appended)
				stack[depth++] = (struct range){ before, k.n };
			continue;
		}
		if (rel) {
			r = bk_err_set(err, -EINVAL, "%s: relocation %s on an instruction that is not lddw or call",
				       where, bk_reloc_type_name(rel->type));
			break;
		}
	}
	if (r == 0) {
		out->insns = k.insns;
		out->n = k.n;
		out->main_n = main->n;
		k.insns = NULL;
	}
	free(stack);
	free(k.insns);
	code_free(&k);
	return r;
}

/* ---- static slots of prog arrays and map-in-map (`.values = { ... }`) ---------- */

static int init_slots(struct ctx *c, struct bk_err *err)
{
	for (size_t mi = 0; mi < c->l->nmaps; mi++) {
		struct bk_link_map *m = &c->l->maps[mi];
		const char *name = m->pending;
		for (uint32_t slot = 0; name && slot < m->npending; name += strlen(name) + 1, slot++) {
			struct bk_link_slot sl = { .index = slot };
			if (!name[0])
				continue;
			if (slot >= m->def.max_entries)
				return bk_err_set(err, -EINVAL, "%s: map '%s': slot %u past max_entries %u",
						  c->oname, m->full_name, slot, m->def.max_entries);
			if (m->def.type == BK_MAP_PROG_ARRAY) {
				int p = bk_linked_find_prog(c->l, name);
				if (p < 0)
					continue; /* a program left out (not asked for, not loadable) */
				sl.is_prog = true;
				sl.target = (uint32_t)p;
			} else {
				int t = -1;
				for (size_t j = 0; j < c->l->nmaps; j++)
					if (c->l->maps[j].kind == BK_LMAP_BTF && !strcmp(c->l->maps[j].full_name, name))
						t = (int)j;
				if (t < 0)
					return bk_err_set(err, -EINVAL, "%s: map '%s': slot %u: '%s' is not a map",
							  c->oname, m->full_name, slot, name);
				sl.target = (uint32_t)t;
			}
			struct bk_link_slot *ns = realloc(m->slots, (m->nslots + 1) * sizeof(*ns));
			if (!ns)
				return bk_err_set(err, -ENOMEM, "%s: out of memory", c->oname);
			m->slots = ns;
			m->slots[m->nslots++] = sl;
		}
		free(m->pending);
		m->pending = NULL;
	}
	return 0;
}

/* ---- the whole object ------------------------------------------------------------ */

void bk_linked_free(struct bk_linked *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nmaps; i++) {
		free(l->maps[i].full_name);
		free(l->maps[i].slots);
		free(l->maps[i].pending);
	}
	for (size_t i = 0; i < l->nprogs; i++) {
		free(l->progs[i].name);
		free(l->progs[i].sec_name);
		free(l->progs[i].insns);
	}
	free(l->maps);
	free(l->progs);
	free(l);
}

int bk_linked_find_prog(const struct bk_linked *l, const char *name)
{
	for (size_t i = 0; i < l->nprogs; i++)
		if (!strcmp(l->progs[i].name, name))
			return (int)i;
	for (size_t i = 0; i < l->nprogs; i++)
		if (!strcmp(l->progs[i].sec_name, name))
			return (int)i;
	return -ENOENT;
}

static void derive_obj_name(const char *path, char *out, size_t size)
{
	const char *b = strrchr(path ? path : "", '/');
	b = b ? b + 1 : (path ? path : "");
	snprintf(out, size, "%s", b);
	char *dot = strchr(out, '.');
	if (dot)
		*dot = 0;
}

int bk_link_object(const struct bk_object *obj, const struct bk_load_opts *opts,
		   struct bk_linked **out, struct bk_err *err)
{
	struct ctx c = { .obj = obj, .opts = opts };
	int r = 0;
	*out = NULL;
	c.l = calloc(1, sizeof(*c.l));
	if (!c.l)
		return bk_err_set(err, -ENOMEM, "out of memory");
	c.oname = obj->name ? obj->name : "object";
	const char *on = BK_OPTS_GET(opts, obj_name, NULL);
	if (on)
		snprintf(c.l->obj_name, sizeof(c.l->obj_name), "%s", on);
	else
		derive_obj_name(obj->name, c.l->obj_name, sizeof(c.l->obj_name));

	uint32_t maps_sec = 0, legacy_sec = 0;
	for (uint32_t i = 1; i < obj->nsections; i++) {
		const struct bk_section *sh = &obj->sections[i];
		if (sh->kind == BK_SEC_LICENSE && sh->data)
			snprintf(c.l->license, sizeof(c.l->license), "%.*s",
				 (int)(sh->size < sizeof(c.l->license) ? sh->size : sizeof(c.l->license) - 1),
				 (const char *)sh->data);
		else if (sh->kind == BK_SEC_VERSION && sh->data && sh->size >= 4)
			c.l->kern_version = rd32(sh->data);
		else if (sh->kind == BK_SEC_MAPS)
			maps_sec = i;
		else if (sh->kind == BK_SEC_LEGACY_MAPS)
			legacy_sec = i;
		if (!strcmp(sh->name, ".text"))
			c.text_sec = i;
	}
	{
		struct bk_btf_ext *ext = NULL;
		struct bk_err berr = { 0 };
		/* As libbpf: broken BTF is fatal only when .maps needs it. */
		r = bk_object_btf(obj, &c.btf, &ext, &berr);
		if (r < 0 && r != -ENOENT && maps_sec) {
			r = bk_err_set(err, r, "%s", berr.msg);
			goto out;
		}
		if (r < 0)
			c.btf = NULL;
		bk_btf_ext_free(ext);
		r = 0;
	}
	if (legacy_sec && (r = init_legacy_maps(&c, legacy_sec, err)) < 0)
		goto out;
	if (maps_sec && (r = init_btf_maps(&c, maps_sec, err)) < 0)
		goto out;
	if ((r = init_data_maps(&c, err)) < 0)
		goto out;
	for (size_t i = 0; i < c.l->nmaps; i++) {
		struct bk_link_map *m = &c.l->maps[i];
		if (!map_type_supported(m->def.type)) {
			r = bk_err_set(err, -EOPNOTSUPP, "%s: map '%s': type %s (%u) is not supported by the runtime",
				       c.oname, m->full_name, bk_map_type_name(m->def.type) ? bk_map_type_name(m->def.type) : "unknown",
				       m->def.type);
			goto out;
		}
		if (m->has_inner && !map_type_supported(m->inner_def.type)) {
			r = bk_err_set(err, -EOPNOTSUPP, "%s: map '%s': inner map type %u is not supported by the runtime",
				       c.oname, m->full_name, m->inner_def.type);
			goto out;
		}
	}

	if ((r = collect_funcs(&c, err)) < 0)
		goto out;
	size_t nmain = 0;
	for (size_t f = 0; f < c.nfuncs; f++)
		nmain += c.funcs[f].sec != c.text_sec;
	c.l->progs = calloc(nmain + 1, sizeof(*c.l->progs));
	if (!c.l->progs) {
		r = bk_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	const char *want = BK_OPTS_GET(opts, prog, NULL);
	const struct bk_progtype *force = BK_OPTS_GET(opts, type, NULL);
	for (size_t f = 0; f < c.nfuncs; f++) {
		const struct func *fn = &c.funcs[f];
		if (fn->sec == c.text_sec)
			continue;
		struct bk_link_prog *p = &c.l->progs[c.l->nprogs];
		const char *sn = obj->sections[fn->sec].name;
		bool wanted = !want || !strcmp(want, fn->name) || !strcmp(want, sn);
		struct bk_err perr = { 0 };
		p->name = strdup(fn->name);
		p->sec_name = strdup(sn);
		p->sec = fn->sec;
		p->type = force ? force : bk_progtype_by_section(sn);
		if (!p->name || !p->sec_name) {
			free(p->name);
			free(p->sec_name);
			r = bk_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		if (!fn->global && wanted) {
			free(p->name);
			free(p->sec_name);
			r = bk_err_set(err, -EOPNOTSUPP, "%s: section '%s': program '%s' is static and not supported",
				       c.oname, sn, fn->name);
			goto out;
		}
		int lr = link_prog(&c, fn, p, wanted ? err : &perr);
		if (lr < 0 && wanted) {
			free(p->name);
			free(p->sec_name);
			r = lr;
			goto out;
		}
		/* A program that is not asked for and cannot be linked is left out. */
		if (lr < 0) {
			free(p->name);
			free(p->sec_name);
			memset(p, 0, sizeof(*p));
			continue;
		}
		c.l->nprogs++;
	}
	if (want && bk_linked_find_prog(c.l, want) < 0) {
		r = bk_err_set(err, -ENOENT, "%s: no program named '%s' (function or section)", c.oname, want);
		goto out;
	}
	if ((r = init_slots(&c, err)) < 0)
		goto out;
out:
	free(c.funcs);
	bk_btf_free(c.btf);
	if (r < 0) {
		bk_linked_free(c.l);
		return r;
	}
	*out = c.l;
	return 0;
}
