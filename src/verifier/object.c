/* From an ELF object to verifiable programs: the part of loading that the verifier
 * needs offline (no kernel, no map creation). Subprograms of .text are appended as
 * libbpf does, so instruction indexes in messages match what the kernel reports for
 * the same object loaded through libbpf. */
#include "bpfkit/verifier.h"
#include "bpfkit/object.h"
#include "bpfkit/btf.h"
#include "bpfkit/progtype.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vbuild {
	struct bk_insn *insns;
	size_t n, cap;
	/* .text functions appended: symbol index → base slot */
	int *text_base;
	struct bk_vmap *maps;
	char **map_names;
	bool *map_lock;
	size_t nmaps;
	/* which map index each data section / .maps def got */
	int *sec_map;
	struct bk_btf_map_def *defs;
	size_t ndefs;
	int *def_map;
	/* the functions as BTF types them */
	const struct bk_btf *btf;
	const char *ctx_struct;
	struct bk_vfunc *funcs;
	size_t nfuncs;
};

/* Whether parameter ARG of function FUNC_ID carries the decl tag NAME ("arg:ctx"). */
static bool arg_tagged(const struct bk_btf *btf, uint32_t func_id, unsigned arg, const char *name)
{
	for (uint32_t i = 1; i < btf->nr_types; i++) {
		const struct bk_btf_type *t = &btf->types[i];
		if (t->kind == BK_BTF_KIND_DECL_TAG && t->type == func_id && t->component_idx == (int32_t)arg &&
		    !strcmp(t->name, name))
			return true;
	}
	return false;
}

static bool btf_scalar(const struct bk_btf_type *t)
{
	return t && (t->kind == BK_BTF_KIND_INT || t->kind == BK_BTF_KIND_ENUM || t->kind == BK_BTF_KIND_ENUM64);
}

/* The kernel's btf_prepare_func_args: which prototypes a global function may have, and
 * in the kernel's words why not. */
static void classify_func(const struct bk_btf *btf, const char *ctx_struct, struct bk_vfunc *f)
{
	int id = btf ? bk_btf_find(btf, f->name, BK_BTF_KIND_FUNC) : -1;
	const struct bk_btf_type *fn = id > 0 ? bk_btf_type_by_id(btf, (uint32_t)id) : NULL;
	if (!fn)
		return;
	f->global = fn->linkage == BK_BTF_GLOBAL;
	const struct bk_btf_type *proto = bk_btf_type_by_id(btf, fn->type);
	if (!proto || proto->kind != BK_BTF_KIND_FUNC_PROTO) {
		f->unsupported = true;
		return;
	}
	if (proto->vlen > 5) {
		f->unsupported = true;
		snprintf(f->why, sizeof f->why, "Global function %s() with %u > 5 args. Buggy compiler.",
			 f->name, proto->vlen);
		return;
	}
	if (!btf_scalar(bk_btf_type_by_id(btf, bk_btf_skip_mods(btf, proto->type))) || !proto->type) {
		f->unsupported = true;
		snprintf(f->why, sizeof f->why, "Global function %s() doesn't return scalar. Only those are supported.",
			 f->name);
	}
	f->nargs = (uint8_t)proto->vlen;
	for (unsigned a = 0; a < proto->vlen && !f->unsupported; a++) {
		const struct bk_btf_type *t =
			bk_btf_type_by_id(btf, bk_btf_skip_mods(btf, proto->members[a].type));
		if (t && t->kind == BK_BTF_KIND_PTR && arg_tagged(btf, (uint32_t)id, a, "arg:ctx")) {
			f->arg[a] = BK_VARG_CTX; /* __arg_ctx: any pointer type, void * included */
			continue;
		}
		if (btf_scalar(t)) {
			f->arg[a] = BK_VARG_SCALAR;
			continue;
		}
		if (t && t->kind == BK_BTF_KIND_PTR) {
			uint32_t to = bk_btf_skip_mods(btf, t->type);
			const struct bk_btf_type *tt = bk_btf_type_by_id(btf, to);
			if (tt && ctx_struct && (tt->kind == BK_BTF_KIND_STRUCT || tt->kind == BK_BTF_KIND_FWD) &&
			    !strcmp(tt->name, ctx_struct)) {
				f->arg[a] = BK_VARG_CTX;
				continue;
			}
			int64_t sz = bk_btf_type_size(btf, to);
			if (sz > 0 && sz < (1 << 29)) {
				f->arg[a] = BK_VARG_MEM;
				f->arg_size[a] = (uint32_t)sz;
				continue;
			}
			f->unsupported = true;
			snprintf(f->why, sizeof f->why, "arg#%u reference type('%s %s') size cannot be determined: %d",
				 a, bk_btf_kind_name(tt && to ? tt->kind : 0), tt && to ? tt->name : "",
				 sz < 0 ? (int)sz : -EINVAL);
			break;
		}
		f->unsupported = true;
		snprintf(f->why, sizeof f->why, "Arg#%u type %s in %s() is not supported yet.", a,
			 bk_btf_kind_name(t ? t->kind : 0), f->name);
	}
}

static int add_vfunc(struct vbuild *b, const char *name, size_t insn)
{
	if (!b->btf)
		return 0;
	struct bk_vfunc *nf = realloc(b->funcs, (b->nfuncs + 1) * sizeof(*nf));
	if (!nf)
		return -ENOMEM;
	b->funcs = nf;
	struct bk_vfunc *f = &nf[b->nfuncs++];
	memset(f, 0, sizeof(*f));
	f->insn = (uint32_t)insn;
	snprintf(f->name, sizeof f->name, "%s", name);
	classify_func(b->btf, b->ctx_struct, f);
	return 0;
}

static int grow(struct vbuild *b, size_t add)
{
	if (b->n + add <= b->cap)
		return 0;
	size_t nc = b->cap ? b->cap * 2 : 256;
	while (nc < b->n + add)
		nc *= 2;
	struct bk_insn *p = realloc(b->insns, nc * sizeof(*p));
	if (!p)
		return -ENOMEM;
	b->insns = p;
	b->cap = nc;
	return 0;
}

static int add_map(struct vbuild *b, const char *name, uint32_t type, uint32_t ks, uint32_t vs, uint32_t me)
{
	struct bk_vmap *m = realloc(b->maps, (b->nmaps + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	b->maps = m;
	char **nm = realloc(b->map_names, (b->nmaps + 1) * sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	b->map_names = nm;
	bool *ml = realloc(b->map_lock, (b->nmaps + 1) * sizeof(*ml));
	if (!ml)
		return -ENOMEM;
	b->map_lock = ml;
	ml[b->nmaps] = false;
	b->maps[b->nmaps] = (struct bk_vmap){ type, ks, vs, me, -1, NULL };
	b->map_names[b->nmaps] = strdup(name);
	return (int)b->nmaps++;
}

/* The name libbpf gives the map of a data section and the kernel prints (map=NAME):
 * the object's name cut to fit before ".bss", ".data", ".rodata"; 15 bytes at most; a
 * section name with a second dot alone. */
static void internal_map_name(const char *path, const char *sec, char out[16])
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t blen = strlen(base);
	if (blen > 2 && !strcmp(base + blen - 2, ".o"))
		blen -= 2;
	size_t slen = strlen(sec), sfx = slen > 7 ? slen : 7;
	size_t pfx = sfx < 15 ? 15 - sfx : 0;
	if (strchr(sec + 1, '.')) /* ".rodata.str1.1": libbpf leaves the object's name out */
		pfx = 0;
	if (pfx > blen)
		pfx = blen;
	snprintf(out, 16, "%.*s%s", (int)pfx, base, sec);
}

static const struct bk_reloc *reloc_at(const struct bk_section *s, uint64_t off)
{
	for (size_t i = 0; i < s->nrelocs; i++)
		if (s->relocs[i].offset == off)
			return &s->relocs[i];
	return NULL;
}

/* Appends the function [start, start+len) slots of section sec at the end of b and
 * resolves its relocations, appending called .text functions recursively. */
static int append_func(const struct bk_object *obj, struct vbuild *b, unsigned sec, uint64_t start,
		       uint64_t len, int depth, struct bk_err *err);

static int text_func(const struct bk_object *obj, struct vbuild *b, unsigned sec, uint64_t slot,
		     int depth, struct bk_err *err)
{
	/* find the FUNC symbol covering `slot` in section sec */
	for (size_t i = 0; i < obj->nsymbols; i++) {
		const struct bk_symbol *y = &obj->symbols[i];
		if (y->shndx != sec || y->type != BK_STT_FUNC)
			continue;
		if (slot * 8 < y->value || slot * 8 >= y->value + (y->size ? y->size : 8))
			continue;
		if (y->value != slot * 8)
			return bk_err_set(err, -EINVAL, "%s: call into the middle of function %s", obj->name, y->name);
		if (b->text_base[i] >= 0)
			return b->text_base[i];
		b->text_base[i] = (int)b->n;
		if (add_vfunc(b, y->name, b->n) < 0)
			return bk_err_set(err, -ENOMEM, "out of memory");
		int rc = append_func(obj, b, sec, y->value / 8, (y->size ? y->size : obj->sections[sec].size - y->value) / 8,
				     depth + 1, err);
		return rc < 0 ? rc : b->text_base[i];
	}
	return bk_err_set(err, -EINVAL, "%s: no function at %s+%llu", obj->name, obj->sections[sec].name,
			  (unsigned long long)slot * 8);
}

static int append_func(const struct bk_object *obj, struct vbuild *b, unsigned sec, uint64_t start,
		       uint64_t len, int depth, struct bk_err *err)
{
	const struct bk_section *s = &obj->sections[sec];
	if (depth > 64)
		return bk_err_set(err, -ELOOP, "%s: calls nest too deeply", obj->name);
	if (!s->data || (start + len) * 8 > s->size)
		return bk_err_set(err, -EINVAL, "%s: function outside section %s", obj->name, s->name);
	if (grow(b, len))
		return bk_err_set(err, -ENOMEM, "out of memory");
	size_t base = b->n;
	memcpy(b->insns + base, s->data + start * 8, len * 8);
	b->n += len;
	for (uint64_t k = 0; k < len; k++) {
		size_t at = base + k;
		struct bk_insn in = b->insns[at];
		const struct bk_reloc *r = reloc_at(s, (start + k) * 8);
		bool is_call = in.code == 0x85 && in.src == 1;
		bool is_ld = in.code == 0x18;
		if (!r) {
			if (is_call) {
				/* a local call inside the same section */
				int64_t t = (int64_t)(start + k) + in.imm + 1;
				if (t >= (int64_t)start && t < (int64_t)(start + len))
					continue;
				if (t < 0)
					return bk_err_set(err, -EINVAL, "%s: call target out of section", obj->name);
				int tb = text_func(obj, b, sec, (uint64_t)t, depth, err);
				if (tb < 0)
					return tb;
				b->insns[at].imm = (int32_t)(tb - (int64_t)at - 1);
			}
			if (is_ld)
				k++;
			continue;
		}
		if (r->sym >= obj->nsymbols)
			return bk_err_set(err, -EINVAL, "%s: bad relocation symbol", obj->name);
		const struct bk_symbol *y = &obj->symbols[r->sym];
		if (y->shndx == BK_SHN_UNDEF || y->shndx >= obj->nsections)
			return bk_err_set(err, -ENOTSUP, "%s: insn %zu: extern symbol '%s' is not supported offline",
					  obj->name, at, y->name);
		const struct bk_section *ts = &obj->sections[y->shndx];
		if (is_call || (is_ld && ts->kind == BK_SEC_PROG)) {
			uint64_t slot = is_call ? y->value / 8 + (uint64_t)(int64_t)in.imm + 1
						: (y->value + (uint64_t)(int64_t)in.imm) / 8;
			if (y->type == BK_STT_FUNC && is_call)
				slot = y->value / 8;
			int tb;
			if (y->shndx == sec && slot >= start && slot < start + len)
				tb = (int)(base + (slot - start));
			else
				tb = text_func(obj, b, y->shndx, slot, depth, err);
			if (tb < 0)
				return tb;
			b->insns[at].imm = (int32_t)(tb - (int64_t)at - 1);
			if (is_ld) {
				b->insns[at].src = 4;
				b->insns[at + 1].imm = 0;
				k++;
			}
			continue;
		}
		if (!is_ld)
			return bk_err_set(err, -EINVAL, "%s: insn %zu: unexpected relocation", obj->name, at);
		if (ts->kind == BK_SEC_MAPS) {
			int idx = -1;
			for (size_t d = 0; d < b->ndefs; d++)
				if (b->defs[d].sec == y->shndx && b->defs[d].offset == y->value)
					idx = b->def_map[d];
			if (idx < 0)
				return bk_err_set(err, -EINVAL, "%s: insn %zu: '%s' is not a map", obj->name, at, y->name);
			b->insns[at].src = 1;
			b->insns[at].imm = idx;
		} else if (ts->kind == BK_SEC_DATA || ts->kind == BK_SEC_RODATA || ts->kind == BK_SEC_BSS) {
			int idx = b->sec_map[y->shndx];
			if (idx < 0) {
				char kname[16];
				internal_map_name(obj->name, ts->name, kname);
				idx = add_map(b, kname, 2, 4, (uint32_t)(ts->size ? ts->size : 1), 1);
				if (idx < 0)
					return bk_err_set(err, -ENOMEM, "out of memory");
				b->sec_map[y->shndx] = idx;
			}
			int32_t off = (int32_t)(y->value + (uint64_t)(int64_t)in.imm);
			b->insns[at].src = 2;
			b->insns[at].imm = idx;
			b->insns[at + 1].imm = off;
		} else {
			return bk_err_set(err, -ENOTSUP, "%s: insn %zu: relocation against section %s is not supported",
					  obj->name, at, ts->name);
		}
		k++;
	}
	return 0;
}

void bk_vprogs_free(struct bk_vprog *p, size_t n)
{
	if (!p)
		return;
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].sec);
		free(p[i].insns);
		free(p[i].maps);
		for (size_t k = 0; k < p[i].nmaps; k++)
			free(p[i].map_names[k]);
		free(p[i].map_names);
		free(p[i].map_spin_lock);
		free(p[i].funcs);
	}
	free(p);
}

int bk_vprogs_from_object(const struct bk_object *obj, struct bk_vprog **out, size_t *nout,
			  struct bk_err *err)
{
	*out = NULL;
	*nout = 0;
	struct bk_btf *btf = NULL;
	struct bk_btf_ext *ext = NULL;
	struct bk_btf_map_def *defs = NULL;
	size_t ndefs = 0;
	int rc = 0;
	if (bk_object_find_section(obj, ".BTF") >= 0) {
		rc = bk_object_btf(obj, &btf, &ext, err);
		if (rc < 0)
			return rc;
		rc = bk_btf_map_defs(obj, btf, &defs, &ndefs, err);
		if (rc < 0)
			goto out;
	}
	struct bk_vprog *progs = NULL;
	size_t np = 0;
	for (size_t i = 0; i < obj->nsymbols && !rc; i++) {
		const struct bk_symbol *y = &obj->symbols[i];
		if (y->type != BK_STT_FUNC || y->bind == BK_STB_LOCAL || y->shndx == BK_SHN_UNDEF ||
		    y->shndx >= obj->nsections)
			continue;
		const struct bk_section *s = &obj->sections[y->shndx];
		if (s->kind != BK_SEC_PROG || !strcmp(s->name, ".text"))
			continue;
		struct vbuild b;
		memset(&b, 0, sizeof b);
		b.text_base = malloc(obj->nsymbols * sizeof(int));
		b.sec_map = malloc(obj->nsections * sizeof(int));
		b.def_map = malloc((ndefs + 1) * sizeof(int));
		if (!b.text_base || !b.sec_map || !b.def_map) {
			rc = bk_err_set(err, -ENOMEM, "out of memory");
		} else {
			for (size_t k = 0; k < obj->nsymbols; k++)
				b.text_base[k] = -1;
			for (size_t k = 0; k < obj->nsections; k++)
				b.sec_map[k] = -1;
			b.defs = defs;
			b.ndefs = ndefs;
			for (size_t d = 0; d < ndefs && rc >= 0; d++) {
				b.def_map[d] = add_map(&b, defs[d].name, defs[d].type, defs[d].key_size,
						       defs[d].value_size, defs[d].max_entries);
				if (b.def_map[d] < 0)
					rc = bk_err_set(err, -ENOMEM, "out of memory");
				else
					b.map_lock[b.def_map[d]] = defs[d].has_spin_lock;
				if (rc >= 0 && defs[d].inner) {
					const struct bk_btf_map_def *in = defs[d].inner;
					int ii = add_map(&b, in->name, in->type, in->key_size, in->value_size,
							 in->max_entries);
					if (ii < 0)
						rc = bk_err_set(err, -ENOMEM, "out of memory");
					else
						b.maps[b.def_map[d]].inner = ii;
				}
			}
			uint64_t len = (y->size ? y->size : s->size - y->value) / 8;
			b.btf = btf;
			const struct bk_progtype *pt = bk_progtype_any(bk_vprog_type_from_section(s->name));
			b.ctx_struct = pt ? pt->ctx_struct : NULL;
			if (rc >= 0 && add_vfunc(&b, y->name, 0) < 0)
				rc = bk_err_set(err, -ENOMEM, "out of memory");
			if (rc >= 0)
				rc = append_func(obj, &b, y->shndx, y->value / 8, len, 0, err);
		}
		struct bk_vprog *np2 = rc >= 0 ? realloc(progs, (np + 1) * sizeof(*progs)) : NULL;
		if (rc >= 0 && !np2)
			rc = bk_err_set(err, -ENOMEM, "out of memory");
		if (rc < 0) {
			free(b.insns);
			free(b.funcs);
			free(b.maps);
			for (size_t k = 0; k < b.nmaps; k++)
				free(b.map_names[k]);
			free(b.map_names);
			free(b.map_lock);
		} else {
			progs = np2;
			struct bk_vprog *p = &progs[np++];
			memset(p, 0, sizeof(*p));
			p->name = strdup(y->name);
			p->sec = strdup(s->name);
			p->type = bk_vprog_type_from_section(s->name);
			p->insns = b.insns;
			p->n = b.n;
			p->maps = b.maps;
			p->map_names = b.map_names;
			p->map_spin_lock = b.map_lock;
			for (size_t k = 0; k < b.nmaps; k++)
				b.maps[k].name = b.map_names[k];
			p->nmaps = b.nmaps;
			p->btf_func_info = ext != NULL;
			p->funcs = b.funcs;
			p->nfuncs = b.nfuncs;
		}
		free(b.text_base);
		free(b.sec_map);
		free(b.def_map);
	}
	if (rc < 0) {
		bk_vprogs_free(progs, np);
	} else {
		*out = progs;
		*nout = np;
		rc = 0;
	}
out:
	bk_btf_map_defs_free(defs, ndefs);
	bk_btf_ext_free(ext);
	bk_btf_free(btf);
	return rc;
}
