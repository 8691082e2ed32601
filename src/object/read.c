/* ELF64 reader. Every offset, size and index is checked before use: the input may be
 * hostile (the fuzzer and tests/unit/test_elf_hostile.c feed it mutated objects). */
#include "bpfkit/object.h"
#include "object_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define EHDR_SIZE 64
#define SHDR_SIZE 64
#define SYM_SIZE 24
#define REL_SIZE 16

struct shdr {
	uint32_t name, type;
	uint64_t flags, addr, offset, size;
	uint32_t link, info;
	uint64_t align, entsize;
};

struct rd {
	const uint8_t *d;
	size_t len;
	const char *fn;
	struct bk_err *err;
	struct shdr *sh;
	unsigned nsh;
};

#define FAIL(r, ...) bk_err_set((r)->err, -EINVAL, __VA_ARGS__)

static bool range_ok(size_t len, uint64_t off, uint64_t size)
{
	return off <= len && size <= len - off;
}

/* A NUL-terminated name inside string table section ST, or NULL. */
static const char *str_at(struct rd *r, unsigned st, uint64_t off)
{
	const struct shdr *s = &r->sh[st];
	if (off >= s->size)
		return NULL;
	const char *p = (const char *)r->d + s->offset + off;
	if (!memchr(p, 0, s->size - off))
		return NULL;
	return p;
}

static int check_strtab(struct rd *r, unsigned idx, const char *what)
{
	if (idx == 0 || idx >= r->nsh)
		return FAIL(r, "%s: %s index %u out of range (%u sections)", r->fn, what, idx, r->nsh);
	if (r->sh[idx].type != BK_SHT_STRTAB)
		return FAIL(r, "%s: %s (section %u) is not a string table", r->fn, what, idx);
	if (r->sh[idx].size == 0 || r->d[r->sh[idx].offset + r->sh[idx].size - 1] != 0)
		return FAIL(r, "%s: string table section %u is not NUL-terminated", r->fn, idx);
	return 0;
}

static unsigned reloc_width(uint32_t type)
{
	switch (type) {
	case BK_R_BPF_64_64:
		return 16;
	case BK_R_BPF_64_ABS64:
		return 8;
	case BK_R_BPF_64_32:
		return 8;
	case BK_R_BPF_64_ABS32:
	case BK_R_BPF_64_NODYLD32:
		return 4;
	default:
		return 1;
	}
}

struct span {
	uint64_t off, end;
	unsigned idx;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off ? 1 : (x->idx > y->idx) - (x->idx < y->idx);
}

static const char *span_name(struct rd *r, unsigned idx, char *buf, size_t n)
{
	if (idx == 0xffffffffu)
		return "the ELF header";
	if (idx == 0xfffffffeu)
		return "the section header table";
	snprintf(buf, n, "section %u", idx);
	return buf;
}

static int read_headers(struct rd *r, struct bk_object *o)
{
	const uint8_t *d = r->d;
	if (r->len < 4 || memcmp(d, "\177ELF", 4))
		return FAIL(r, "%s: not an ELF file (bad magic)", r->fn);
	if (r->len < EHDR_SIZE)
		return FAIL(r, "%s: truncated ELF header (%zu bytes, need 64)", r->fn, r->len);
	if (d[4] != 2)
		return FAIL(r, "%s: not a 64-bit ELF file (class %u)", r->fn, d[4]);
	if (d[5] == 2)
		return FAIL(r, "%s: big-endian (bpfeb) objects are not supported", r->fn);
	if (d[5] != 1)
		return FAIL(r, "%s: bad ELF data encoding %u", r->fn, d[5]);
	if (d[6] != 1)
		return FAIL(r, "%s: bad ELF ident version %u", r->fn, d[6]);
	uint16_t type = bk__le16(d + 16), machine = bk__le16(d + 18);
	uint32_t version = bk__le32(d + 20);
	if (machine != 247)
		return FAIL(r, "%s: not a BPF object (e_machine %u, want 247)", r->fn, machine);
	if (type != 1)
		return FAIL(r, "%s: not a relocatable object (e_type %u)", r->fn, type);
	if (version != 1)
		return FAIL(r, "%s: bad ELF version %u", r->fn, version);
	uint64_t phoff = bk__le64(d + 32), shoff = bk__le64(d + 40);
	uint16_t ehsize = bk__le16(d + 52), phentsize = bk__le16(d + 54), phnum = bk__le16(d + 56);
	uint16_t shentsize = bk__le16(d + 58), shnum = bk__le16(d + 60), shstrndx = bk__le16(d + 62);
	(void)phoff;
	(void)phentsize;
	if (ehsize != EHDR_SIZE)
		return FAIL(r, "%s: bad ELF header size %u", r->fn, ehsize);
	if (phnum)
		return FAIL(r, "%s: relocatable object has %u program headers", r->fn, phnum);
	if (shnum == 0)
		return FAIL(r, "%s: no section headers%s", r->fn,
			    shoff ? " (extended section numbering is not supported)" : "");
	if (shentsize != SHDR_SIZE)
		return FAIL(r, "%s: bad section header size %u (want 64)", r->fn, shentsize);
	if (shoff % 8)
		return FAIL(r, "%s: misaligned section header table (offset 0x%llx)", r->fn,
			    (unsigned long long)shoff);
	if (shoff < EHDR_SIZE || !range_ok(r->len, shoff, (uint64_t)shnum * SHDR_SIZE))
		return FAIL(r, "%s: section header table (offset 0x%llx, %u entries) past end of file",
			    r->fn, (unsigned long long)shoff, shnum);
	if (shstrndx >= shnum)
		return FAIL(r, "%s: section name table index %u out of range (%u sections)", r->fn,
			    shstrndx, shnum);
	o->e_type = type;
	o->e_flags = bk__le32(d + 48);
	o->shoff = shoff;
	o->osabi = d[7];
	o->abiversion = d[8];
	r->nsh = shnum;
	r->sh = calloc(shnum, sizeof(*r->sh));
	if (!r->sh)
		return bk_err_set(r->err, -ENOMEM, "%s: out of memory", r->fn);
	for (unsigned i = 0; i < shnum; i++) {
		const uint8_t *p = d + shoff + (uint64_t)i * SHDR_SIZE;
		struct shdr *s = &r->sh[i];
		s->name = bk__le32(p);
		s->type = bk__le32(p + 4);
		s->flags = bk__le64(p + 8);
		s->addr = bk__le64(p + 16);
		s->offset = bk__le64(p + 24);
		s->size = bk__le64(p + 32);
		s->link = bk__le32(p + 40);
		s->info = bk__le32(p + 44);
		s->align = bk__le64(p + 48);
		s->entsize = bk__le64(p + 56);
		if (i == 0)
			continue;
		if (s->type != BK_SHT_NOBITS && !range_ok(r->len, s->offset, s->size))
			return FAIL(r, "%s: section %u: offset 0x%llx + size 0x%llx past end of file (%zu bytes)",
				    r->fn, i, (unsigned long long)s->offset,
				    (unsigned long long)s->size, r->len);
		if (s->align & (s->align - 1))
			return FAIL(r, "%s: section %u: alignment %llu is not a power of two", r->fn, i,
				    (unsigned long long)s->align);
	}
	if (r->sh[0].type != BK_SHT_NULL)
		return FAIL(r, "%s: section 0 is not the null section", r->fn);
	int e = check_strtab(r, shstrndx, "section name table");
	if (e)
		return e;

	/* Tables must not overlap each other, the ELF header or the section headers. */
	struct span *sp = calloc((size_t)shnum + 2, sizeof(*sp));
	if (!sp)
		return bk_err_set(r->err, -ENOMEM, "%s: out of memory", r->fn);
	size_t n = 0;
	sp[n++] = (struct span){ 0, EHDR_SIZE, 0xffffffffu };
	sp[n++] = (struct span){ shoff, shoff + (uint64_t)shnum * SHDR_SIZE, 0xfffffffeu };
	for (unsigned i = 1; i < shnum; i++)
		if (r->sh[i].type != BK_SHT_NOBITS && r->sh[i].size)
			sp[n++] = (struct span){ r->sh[i].offset, r->sh[i].offset + r->sh[i].size, i };
	qsort(sp, n, sizeof(*sp), span_cmp);
	for (size_t i = 1; i < n; i++) {
		if (sp[i].off < sp[i - 1].end) {
			char b1[32], b2[32];
			e = FAIL(r, "%s: %s overlaps %s", r->fn, span_name(r, sp[i - 1].idx, b1, sizeof b1),
				 span_name(r, sp[i].idx, b2, sizeof b2));
			free(sp);
			return e;
		}
	}
	free(sp);
	return 0;
}

static int read_sections(struct rd *r, struct bk_object *o, unsigned shstrndx)
{
	for (unsigned i = 1; i < r->nsh; i++) {
		const struct shdr *s = &r->sh[i];
		const char *name = str_at(r, shstrndx, s->name);
		if (!name)
			return FAIL(r, "%s: section %u: name offset %u out of range or unterminated",
				    r->fn, i, s->name);
		if (s->type == BK_SHT_RELA)
			return FAIL(r, "%s: section %u '%s': RELA relocations are not used by BPF",
				    r->fn, i, name);
		/* code as everything downstream sees it: a string table flagged executable is
		 * still a string table (and the writer regenerates it at another size) */
		struct bk_section as = { .name = (char *)name, .type = s->type, .flags = s->flags };
		if (bk__section_kind(&as) == BK_SEC_PROG && s->size % 8)
			return FAIL(r, "%s: section %u '%s': code size %llu is not a multiple of 8",
				    r->fn, i, name, (unsigned long long)s->size);
		if (s->type == BK_SHT_REL && s->entsize != REL_SIZE)
			return FAIL(r, "%s: section %u '%s': relocation entry size %llu (want 16)", r->fn,
				    i, name, (unsigned long long)s->entsize);
		if (s->type == BK_SHT_SYMTAB && s->entsize != SYM_SIZE)
			return FAIL(r, "%s: section %u '%s': symbol entry size %llu (want 24)", r->fn, i,
				    name, (unsigned long long)s->entsize);
		if ((s->type == BK_SHT_REL || s->type == BK_SHT_SYMTAB) && s->offset % 8)
			return FAIL(r, "%s: section %u '%s': misaligned table (offset 0x%llx)", r->fn, i,
				    name, (unsigned long long)s->offset);
		if (s->type == BK_SHT_SYMTAB && o->symtab_sec)
			return FAIL(r, "%s: section %u '%s': more than one symbol table", r->fn, i, name);
		if (s->type == BK_SHT_NOBITS && s->size > ((uint64_t)1 << 40))
			return FAIL(r, "%s: section %u '%s': size %llu too large", r->fn, i, name,
				    (unsigned long long)s->size);
		/* data copied only after all checks, see below */
		int idx = bk_object_add_section(o, name, s->type, s->flags, s->align, NULL, 0, r->err);
		if (idx < 0)
			return idx;
		struct bk_section *sec = &o->sections[idx];
		sec->addr = s->addr;
		sec->entsize = s->entsize;
		sec->link = s->link;
		sec->info = s->info;
		sec->size = s->size;
		sec->file_offset = s->offset;
		if (s->type != BK_SHT_NOBITS && s->size) {
			sec->data = malloc(s->size);
			if (!sec->data)
				return bk_err_set(r->err, -ENOMEM, "%s: out of memory", r->fn);
			memcpy(sec->data, r->d + s->offset, s->size);
		}
	}
	o->shstrtab_sec = shstrndx;
	o->strtab_sec = shstrndx;
	return 0;
}

static int read_symbols(struct rd *r, struct bk_object *o)
{
	unsigned st = o->symtab_sec;
	if (!st)
		return 0;
	const struct shdr *s = &r->sh[st];
	const char *sname = o->sections[st].name;
	if (s->size % SYM_SIZE)
		return FAIL(r, "%s: section %u '%s': size %llu is not a multiple of 24", r->fn, st,
			    sname, (unsigned long long)s->size);
	int e = check_strtab(r, s->link, "symbol string table");
	if (e)
		return e;
	o->strtab_sec = s->link;
	uint64_t n = s->size / SYM_SIZE;
	if (n == 0)
		return FAIL(r, "%s: section %u '%s': empty symbol table", r->fn, st, sname);
	if (s->info > n)
		return FAIL(r, "%s: section %u '%s': first global index %u past %llu symbols", r->fn,
			    st, sname, s->info, (unsigned long long)n);
	for (uint64_t i = 1; i < n; i++) {
		const uint8_t *p = r->d + s->offset + i * SYM_SIZE;
		uint32_t nm = bk__le32(p);
		uint8_t info = p[4], other = p[5];
		uint16_t shndx = bk__le16(p + 6);
		const char *name = str_at(r, s->link, nm);
		if (!name)
			return FAIL(r, "%s: symbol %llu: name offset %u out of range or unterminated", r->fn,
				    (unsigned long long)i, nm);
		if (shndx >= r->nsh && shndx != BK_SHN_ABS && shndx != BK_SHN_COMMON)
			return FAIL(r, "%s: symbol %llu '%s': section index %u out of range (%u sections)",
				    r->fn, (unsigned long long)i, name, shndx, r->nsh);
		if ((info >> 4) > BK_STB_WEAK)
			return FAIL(r, "%s: symbol %llu '%s': bad binding %u", r->fn,
				    (unsigned long long)i, name, info >> 4);
		if ((info >> 4) == BK_STB_LOCAL ? i >= s->info : i < s->info)
			return FAIL(r, "%s: symbol %llu '%s': %s symbol %s the first global index %u",
				    r->fn, (unsigned long long)i, name,
				    (info >> 4) == BK_STB_LOCAL ? "local" : "global",
				    (info >> 4) == BK_STB_LOCAL ? "at or after" : "before", s->info);
		e = bk_object_add_symbol(o, name, bk__le64(p + 8), bk__le64(p + 16), info & 0xf,
					 info >> 4, other & 3, shndx, r->err);
		if (e < 0)
			return e;
	}
	return 0;
}

static int read_relocs(struct rd *r, struct bk_object *o)
{
	for (unsigned i = 1; i < r->nsh; i++) {
		const struct shdr *s = &r->sh[i];
		if (s->type != BK_SHT_REL)
			continue;
		const char *name = o->sections[i].name;
		if (s->size % REL_SIZE)
			return FAIL(r, "%s: section %u '%s': size %llu is not a multiple of 16", r->fn, i,
				    name, (unsigned long long)s->size);
		if (!o->symtab_sec || s->link != o->symtab_sec)
			return FAIL(r, "%s: section %u '%s': link %u is not the symbol table", r->fn, i,
				    name, s->link);
		if (s->info == 0 || s->info >= r->nsh)
			return FAIL(r, "%s: section %u '%s': target section %u out of range", r->fn, i,
				    name, s->info);
		struct bk_section *t = &o->sections[s->info];
		if (t->type == BK_SHT_NOBITS || t->type == BK_SHT_REL || t->type == BK_SHT_SYMTAB ||
		    t->type == BK_SHT_STRTAB || t->type == BK_SHT_NULL)
			return FAIL(r, "%s: section %u '%s': relocations for section %u '%s' of type %u",
				    r->fn, i, name, s->info, t->name, t->type);
		if (t->rel_sec)
			return FAIL(r, "%s: section %u '%s': section %u '%s' already has relocations",
				    r->fn, i, name, s->info, t->name);
		t->rel_sec = i;
		uint64_t n = s->size / REL_SIZE;
		for (uint64_t k = 0; k < n; k++) {
			const uint8_t *p = r->d + s->offset + k * REL_SIZE;
			uint64_t off = bk__le64(p), info = bk__le64(p + 8);
			uint32_t sym = (uint32_t)(info >> 32), type = (uint32_t)info;
			if (sym >= o->nsymbols)
				return FAIL(r, "%s: section '%s' relocation %llu: symbol index %u out of range (%zu symbols)",
					    r->fn, name, (unsigned long long)k, sym, o->nsymbols);
			unsigned w = reloc_width(type);
			if (!range_ok(t->size, off, w))
				return FAIL(r, "%s: section '%s' relocation %llu: offset 0x%llx outside section '%s' (size 0x%llx)",
					    r->fn, name, (unsigned long long)k, (unsigned long long)off,
					    t->name, (unsigned long long)t->size);
			int e = bk_object_add_reloc(o, s->info, off, type, sym, r->err);
			if (e)
				return e;
		}
	}
	return 0;
}

int bk_object_read(const void *data, size_t len, const char *name, struct bk_object **out,
		   struct bk_err *err)
{
	*out = NULL;
	if (!name)
		name = "<object>";
	struct rd r = { .d = data, .len = len, .fn = name, .err = err };
	struct bk_object *o = bk_object_new(name);
	if (!o)
		return bk_err_set(err, -ENOMEM, "%s: out of memory", name);
	int e = read_headers(&r, o);
	if (!e)
		e = read_sections(&r, o, bk__le16((const uint8_t *)data + 62));
	if (!e)
		e = read_symbols(&r, o);
	if (!e)
		e = read_relocs(&r, o);
	for (unsigned i = 1; !e && i < r.nsh; i++) {
		const struct bk_section *s = &o->sections[i];
		if (s->type == BK_SHT_LLVM_ADDRSIG && s->link && s->link != o->symtab_sec)
			e = FAIL(&r, "%s: section %u '%s': link %u is not the symbol table", name, i,
				 s->name, s->link);
	}
	free(r.sh);
	if (e) {
		bk__err_oneline(err);
		bk_object_free(o);
		return e;
	}
	*out = o;
	return 0;
}

int bk_object_open(const char *path, struct bk_object **out, struct bk_err *err)
{
	uint8_t *d;
	size_t n;
	*out = NULL;
	int e = bk_read_file(path, &d, &n, err);
	if (e)
		return e;
	e = bk_object_read(d, n, path, out, err);
	free(d);
	return e;
}
