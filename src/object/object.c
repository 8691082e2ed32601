/* The object model: builders, lookups and the derived views. */
#include "bpfkit/object.h"
#include "object_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	unsigned type;
	const char *name;
} reloc_names[] = {
	{ BK_R_BPF_NONE, "R_BPF_NONE" },
	{ BK_R_BPF_64_64, "R_BPF_64_64" },
	{ BK_R_BPF_64_ABS64, "R_BPF_64_ABS64" },
	{ BK_R_BPF_64_ABS32, "R_BPF_64_ABS32" },
	{ BK_R_BPF_64_NODYLD32, "R_BPF_64_NODYLD32" },
	{ BK_R_BPF_64_RELATIVE, "R_BPF_64_RELATIVE" },
	{ BK_R_BPF_64_32, "R_BPF_64_32" },
};

const char *bk_reloc_type_name(unsigned type)
{
	for (size_t i = 0; i < sizeof(reloc_names) / sizeof(reloc_names[0]); i++)
		if (reloc_names[i].type == type)
			return reloc_names[i].name;
	return "Unknown";
}

int bk_reloc_type_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(reloc_names) / sizeof(reloc_names[0]); i++)
		if (!strcmp(reloc_names[i].name, name))
			return (int)reloc_names[i].type;
	return -ENOENT;
}

static bool prefix_is(const char *name, const char *p)
{
	size_t n = strlen(p);
	/* ".data" and ".data.foo" but not ".database" */
	return !strncmp(name, p, n) && (name[n] == 0 || name[n] == '.');
}

enum bk_sec_kind bk__section_kind(const struct bk_section *s)
{
	const char *n = s->name ? s->name : "";
	switch (s->type) {
	case BK_SHT_NULL:
		return BK_SEC_NULL;
	case BK_SHT_REL:
		return BK_SEC_REL;
	case BK_SHT_SYMTAB:
		return BK_SEC_SYMTAB;
	case BK_SHT_STRTAB:
		return BK_SEC_STRTAB;
	case BK_SHT_LLVM_ADDRSIG:
		return BK_SEC_ADDRSIG;
	default:
		break;
	}
	if (s->flags & BK_SHF_EXECINSTR)
		return BK_SEC_PROG;
	if (!strcmp(n, ".maps"))
		return BK_SEC_MAPS;
	if (!strcmp(n, "maps"))
		return BK_SEC_LEGACY_MAPS;
	if (!strcmp(n, "license"))
		return BK_SEC_LICENSE;
	if (!strcmp(n, "version"))
		return BK_SEC_VERSION;
	if (!strcmp(n, ".BTF"))
		return BK_SEC_BTF;
	if (!strcmp(n, ".BTF.ext"))
		return BK_SEC_BTF_EXT;
	if (prefix_is(n, ".data"))
		return BK_SEC_DATA;
	if (prefix_is(n, ".rodata"))
		return BK_SEC_RODATA;
	if (prefix_is(n, ".bss"))
		return BK_SEC_BSS;
	if (!strncmp(n, ".debug_", 7))
		return BK_SEC_DEBUG;
	return BK_SEC_OTHER;
}

void bk_object_free(struct bk_object *obj)
{
	if (!obj)
		return;
	for (size_t i = 0; i < obj->nsections; i++) {
		free(obj->sections[i].name);
		free(obj->sections[i].data);
		free(obj->sections[i].relocs);
	}
	for (size_t i = 0; i < obj->nsymbols; i++)
		free(obj->symbols[i].name);
	free(obj->sections);
	free(obj->symbols);
	free(obj->name);
	free(obj);
}

int bk__grow(void **p, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 8;
	while (c <= n)
		c *= 2;
	if (c > SIZE_MAX / elem)
		return -ENOMEM;
	void *q = realloc(*p, c * elem);
	if (!q)
		return -ENOMEM;
	memset((char *)q + *cap * elem, 0, (c - *cap) * elem);
	*p = q;
	*cap = c;
	return 0;
}

struct bk_object *bk_object_new(const char *name)
{
	struct bk_object *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->name = strdup(name ? name : "<object>");
	o->e_type = 1;
	if (!o->name || bk__grow((void **)&o->sections, &o->cap_sections, 0, sizeof(*o->sections)) ||
	    bk__grow((void **)&o->symbols, &o->cap_symbols, 0, sizeof(*o->symbols)))
		goto fail;
	o->sections[0].name = strdup("");
	o->symbols[0].name = strdup("");
	if (!o->sections[0].name || !o->symbols[0].name)
		goto fail;
	o->sections[0].kind = BK_SEC_NULL;
	o->nsections = 1;
	o->nsymbols = 1;
	return o;
fail:
	bk_object_free(o);
	return NULL;
}

int bk_object_add_section(struct bk_object *obj, const char *name, uint32_t type,
			  uint64_t flags, uint64_t addralign, const void *data, uint64_t size,
			  struct bk_err *err)
{
	if (obj->nsections >= 0xff00)
		return bk_err_set(err, -E2BIG, "%s: too many sections", obj->name);
	if (bk__grow((void **)&obj->sections, &obj->cap_sections, obj->nsections,
		     sizeof(*obj->sections)))
		return bk_err_set(err, -ENOMEM, "%s: out of memory", obj->name);
	struct bk_section *s = &obj->sections[obj->nsections];
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	if (!s->name)
		return bk_err_set(err, -ENOMEM, "%s: out of memory", obj->name);
	s->type = type;
	s->flags = flags;
	s->addralign = addralign;
	s->size = size;
	bool bytes = type != BK_SHT_NOBITS && type != BK_SHT_SYMTAB && type != BK_SHT_STRTAB &&
		     type != BK_SHT_REL && type != BK_SHT_NULL;
	if (bytes && size) {
		if (size > SIZE_MAX || !(s->data = malloc(size))) {
			free(s->name);
			s->name = NULL;
			return bk_err_set(err, -ENOMEM, "%s: out of memory", obj->name);
		}
		if (data)
			memcpy(s->data, data, size);
		else
			memset(s->data, 0, size);
	}
	if (type == BK_SHT_REL)
		s->entsize = 16;
	else if (type == BK_SHT_SYMTAB)
		s->entsize = 24;
	s->kind = bk__section_kind(s);
	unsigned idx = (unsigned)obj->nsections++;
	if (type == BK_SHT_SYMTAB && !obj->symtab_sec)
		obj->symtab_sec = idx;
	if (type == BK_SHT_STRTAB && !obj->strtab_sec) {
		obj->strtab_sec = idx;
		obj->shstrtab_sec = idx;
	}
	return (int)idx;
}

int bk_object_append(struct bk_object *obj, unsigned sec, const void *data, size_t len,
		     struct bk_err *err)
{
	if (sec >= obj->nsections || obj->sections[sec].type == BK_SHT_NOBITS)
		return bk_err_set(err, -EINVAL, "%s: cannot append to section %u", obj->name, sec);
	struct bk_section *s = &obj->sections[sec];
	if (!len)
		return 0;
	uint8_t *p = realloc(s->data, s->size + len);
	if (!p)
		return bk_err_set(err, -ENOMEM, "%s: out of memory", obj->name);
	memcpy(p + s->size, data, len);
	s->data = p;
	s->size += len;
	return 0;
}

int bk_object_set_size(struct bk_object *obj, unsigned sec, uint64_t size, struct bk_err *err)
{
	if (sec >= obj->nsections)
		return bk_err_set(err, -EINVAL, "%s: no section %u", obj->name, sec);
	struct bk_section *s = &obj->sections[sec];
	if (s->type != BK_SHT_NOBITS && size != s->size) {
		if (size > SIZE_MAX)
			return bk_err_set(err, -ENOMEM, "%s: out of memory", obj->name);
		uint8_t *p = realloc(s->data, size ? size : 1);
		if (!p)
			return bk_err_set(err, -ENOMEM, "%s: out of memory", obj->name);
		if (size > s->size)
			memset(p + s->size, 0, size - s->size);
		s->data = p;
	}
	s->size = size;
	return 0;
}

int bk_object_add_symbol(struct bk_object *obj, const char *name, uint64_t value,
			 uint64_t size, uint8_t type, uint8_t bind, uint8_t vis, uint16_t shndx,
			 struct bk_err *err)
{
	if (bk__grow((void **)&obj->symbols, &obj->cap_symbols, obj->nsymbols,
		     sizeof(*obj->symbols)))
		return bk_err_set(err, -ENOMEM, "%s: out of memory", obj->name);
	struct bk_symbol *y = &obj->symbols[obj->nsymbols];
	y->name = strdup(name ? name : "");
	if (!y->name)
		return bk_err_set(err, -ENOMEM, "%s: out of memory", obj->name);
	y->value = value;
	y->size = size;
	y->type = type;
	y->bind = bind;
	y->vis = vis;
	y->shndx = shndx;
	return (int)obj->nsymbols++;
}

int bk_object_add_reloc(struct bk_object *obj, unsigned sec, uint64_t offset, uint32_t type,
			uint32_t sym, struct bk_err *err)
{
	if (sec >= obj->nsections)
		return bk_err_set(err, -EINVAL, "%s: relocation for missing section %u", obj->name,
				  sec);
	struct bk_section *s = &obj->sections[sec];
	if (bk__grow((void **)&s->relocs, &s->cap_relocs, s->nrelocs, sizeof(*s->relocs)))
		return bk_err_set(err, -ENOMEM, "%s: out of memory", obj->name);
	s->relocs[s->nrelocs++] = (struct bk_reloc){ .offset = offset, .type = type, .sym = sym };
	return 0;
}

int bk_object_find_section(const struct bk_object *obj, const char *name)
{
	for (size_t i = 1; i < obj->nsections; i++)
		if (!strcmp(obj->sections[i].name, name))
			return (int)i;
	return -ENOENT;
}

int bk_object_find_symbol(const struct bk_object *obj, const char *name)
{
	for (size_t i = 1; i < obj->nsymbols; i++)
		if (!strcmp(obj->symbols[i].name, name))
			return (int)i;
	return -ENOENT;
}

int bk_object_symbol_at(const struct bk_object *obj, unsigned sec, uint64_t offset,
			unsigned start)
{
	for (size_t i = start + 1; i < obj->nsymbols; i++) {
		const struct bk_symbol *y = &obj->symbols[i];
		if (y->shndx == sec && y->value == offset && y->type != BK_STT_SECTION &&
		    y->type != BK_STT_FILE)
			return (int)i;
	}
	return -ENOENT;
}

const struct bk_reloc *bk_object_reloc_at(const struct bk_object *obj, unsigned sec,
					  uint64_t offset)
{
	if (sec >= obj->nsections)
		return NULL;
	const struct bk_section *s = &obj->sections[sec];
	size_t lo = 0, hi = s->nrelocs;
	bool sorted = true;
	for (size_t i = 1; i < s->nrelocs && sorted; i++)
		sorted = s->relocs[i - 1].offset <= s->relocs[i].offset;
	if (!sorted) {
		for (size_t i = 0; i < s->nrelocs; i++)
			if (s->relocs[i].offset == offset)
				return &s->relocs[i];
		return NULL;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->relocs[mid].offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nrelocs && s->relocs[lo].offset == offset ? &s->relocs[lo] : NULL;
}

const char *bk_object_sym_display_name(const struct bk_object *obj, unsigned sym)
{
	if (sym >= obj->nsymbols)
		return "";
	const struct bk_symbol *y = &obj->symbols[sym];
	if (y->type == BK_STT_SECTION && y->shndx < obj->nsections)
		return obj->sections[y->shndx].name;
	return y->name;
}

/* Renumbers section indexes after inserting a section at AT. */
static void shift_sections(struct bk_object *obj, unsigned at)
{
	for (size_t i = 0; i < obj->nsymbols; i++) {
		struct bk_symbol *y = &obj->symbols[i];
		if (y->shndx >= at && y->shndx < 0xff00)
			y->shndx++;
	}
	for (size_t i = 0; i < obj->nsections; i++) {
		struct bk_section *s = &obj->sections[i];
		if (s->link >= at && s->link)
			s->link++;
		if ((s->type == BK_SHT_REL || s->type == BK_SHT_RELA) && s->info >= at && s->info)
			s->info++;
		if (s->rel_sec >= at && s->rel_sec)
			s->rel_sec++;
	}
	unsigned *ix[] = { &obj->symtab_sec, &obj->strtab_sec, &obj->shstrtab_sec };
	for (int k = 0; k < 3; k++)
		if (*ix[k] >= at && *ix[k])
			(*ix[k])++;
}

static int insert_section(struct bk_object *obj, unsigned at, const char *name, uint32_t type,
			  uint64_t flags, uint64_t align, struct bk_err *err)
{
	int r = bk_object_add_section(obj, name, type, flags, align, NULL, 0, err);
	if (r < 0)
		return r;
	struct bk_section tmp = obj->sections[r];
	/* add_section may have recorded the new index as symtab/strtab; redo after moving */
	if (obj->symtab_sec == (unsigned)r)
		obj->symtab_sec = 0;
	if (obj->strtab_sec == (unsigned)r)
		obj->strtab_sec = obj->shstrtab_sec = 0;
	memmove(&obj->sections[at + 1], &obj->sections[at],
		(obj->nsections - 1 - at) * sizeof(*obj->sections));
	obj->nsections--;
	shift_sections(obj, at);
	obj->nsections++;
	obj->sections[at] = tmp;
	if (type == BK_SHT_SYMTAB)
		obj->symtab_sec = at;
	if (type == BK_SHT_STRTAB)
		obj->strtab_sec = obj->shstrtab_sec = at;
	return (int)at;
}

int bk_object_finalize(struct bk_object *obj, const uint32_t *addrsig_syms, size_t naddrsig,
		       struct bk_err *err)
{
	int r;
	if (!obj->strtab_sec && (r = insert_section(obj, 1, ".strtab", BK_SHT_STRTAB, 0, 1, err)) < 0)
		return r;
	for (unsigned i = 1; i < obj->nsections; i++) {
		struct bk_section *s = &obj->sections[i];
		if (!s->nrelocs || s->rel_sec)
			continue;
		size_t nl = strlen(s->name) + 5;
		char *rn = malloc(nl);
		if (!rn)
			return bk_err_set(err, -ENOMEM, "%s: out of memory", obj->name);
		snprintf(rn, nl, ".rel%s", s->name);
		r = insert_section(obj, i + 1, rn, BK_SHT_REL, BK_SHF_INFO_LINK, 8, err);
		free(rn);
		if (r < 0)
			return r;
		obj->sections[i].rel_sec = i + 1;
		obj->sections[i + 1].info = i;
		i++;
	}
	if (addrsig_syms && bk_object_find_section(obj, ".llvm_addrsig") < 0) {
		struct bk_buf b = { 0 };
		for (size_t k = 0; k < naddrsig; k++) {
			uint32_t v = addrsig_syms[k];
			do {
				uint8_t c = v & 0x7f;
				v >>= 7;
				if (v)
					c |= 0x80;
				if (bk_buf_append(&b, &c, 1)) {
					bk_buf_free(&b);
					return bk_err_set(err, -ENOMEM, "%s: out of memory", obj->name);
				}
			} while (v);
		}
		r = bk_object_add_section(obj, ".llvm_addrsig", BK_SHT_LLVM_ADDRSIG, BK_SHF_EXCLUDE, 1,
					  b.data, b.len, err);
		bk_buf_free(&b);
		if (r < 0)
			return r;
	}
	if (!obj->symtab_sec &&
	    (r = bk_object_add_section(obj, ".symtab", BK_SHT_SYMTAB, 0, 8, NULL, 0, err)) < 0)
		return r;
	/* links: REL and addrsig -> symtab, symtab -> strtab */
	for (unsigned i = 1; i < obj->nsections; i++) {
		struct bk_section *s = &obj->sections[i];
		if (s->type == BK_SHT_REL || s->type == BK_SHT_LLVM_ADDRSIG)
			s->link = obj->symtab_sec;
		else if (s->type == BK_SHT_SYMTAB)
			s->link = obj->strtab_sec;
	}
	return 0;
}

void bk__err_prefix(struct bk_err *err, const char *prefix)
{
	if (!err)
		return;
	size_t pl = strlen(prefix) + 2, ml = strlen(err->msg);
	if (pl >= sizeof(err->msg))
		return;
	if (ml + pl >= sizeof(err->msg))
		ml = sizeof(err->msg) - pl - 1;
	memmove(err->msg + pl, err->msg, ml);
	err->msg[pl + ml] = 0;
	memcpy(err->msg, prefix, pl - 2);
	err->msg[pl - 2] = ':';
	err->msg[pl - 1] = ' ';
}

void bk__err_oneline(struct bk_err *err)
{
	if (!err)
		return;
	for (char *p = err->msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}
