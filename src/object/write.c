/* ELF64 writer laying out a bk_object exactly as LLVM 19's ELFObjectWriter does for BPF
 * (clang-19 -c and llvm-mc-19 -filetype=obj share it):
 *
 *   ELF header (64 bytes)
 *   section contents in section-index order, each padded to its sh_addralign (NOBITS
 *     sections take the padding too but no bytes); .strtab, .symtab, .rel* and
 *     .llvm_addrsig are not written here
 *   .symtab contents (aligned to 8)
 *   each .rel* contents in section-index order (aligned to 8)
 *   .llvm_addrsig contents (no padding)
 *   .strtab contents (no padding)
 *   padding to 8, then the section header table
 *
 * The string table is LLVM's StringTableBuilder in ELF mode: the distinct names (every
 * section name, every named symbol) sorted by their reversed bytes, longest first among
 * equal tails, so a name that is a tail of the previous one ("xdp" after ".relxdp") is
 * merged into it; one NUL at offset 0. Because it depends only on the set of names, the
 * table does not depend on the order the names were added in.
 *
 * Where llvm-mc-19's object of `clang-19 -S` output differs from clang-19 -c's object of
 * the same program (checked on tests/elf/core.c at -g): the bytes of every code, data,
 * .BTF and .BTF.ext section are the same, but
 *  - llvm-mc keeps the basic-block labels (LBB0_3, ...) as LOCAL NOTYPE symbols, in no
 *    address order, before the section symbols; every later symbol index in .rel* and
 *    .llvm_addrsig shifts and symtab's sh_info grows;
 *  - their names enter .strtab, which, being sorted by reversed name, moves other names;
 *  - .BTF and .BTF.ext get sh_addralign 1 (the -S text has no .p2align for them) instead
 *    of 4, so the padding before them differs;
 *  - .debug_line is created before .debug_frame (clang creates .debug_frame first), so
 *    their sections (and .rel sections) swap places.
 * All of these are differences in the model (symbols, alignment, section order) that an
 * assembler must reproduce; the layout rules above are the same for both. */
#include "bpfkit/object.h"
#include "object_int.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct strent {
	const char *s;
	size_t len;
	uint32_t off;
	uint32_t id;          /* who asked: a section index, or a symbol index | STR_SYM */
};

#define STR_SYM 0x80000000u

/* char at position POS from the end, -1 past the start */
static int tail_at(const struct strent *e, size_t pos)
{
	return pos >= e->len ? -1 : (unsigned char)e->s[e->len - pos - 1];
}

/* LLVM's three-way radix quicksort on reversed strings (descending), reproduced because
 * the output order must match it exactly. Equal names end up next to each other. */
static void multikey_sort(struct strent **v, size_t n, size_t pos)
{
	while (n > 1) {
		int pivot = tail_at(v[0], pos);
		size_t i = 0, j = n;
		for (size_t k = 1; k < j;) {
			int c = tail_at(v[k], pos);
			if (c > pivot) {
				struct strent *t = v[i];
				v[i++] = v[k];
				v[k++] = t;
			} else if (c < pivot) {
				struct strent *t = v[--j];
				v[j] = v[k];
				v[k] = t;
			} else {
				k++;
			}
		}
		multikey_sort(v, i, pos);
		multikey_sort(v + j, n - j, pos);
		if (pivot == -1)
			return;
		v += i;
		n = j - i;
		pos++;
	}
}

struct strtab {
	struct strent *e;
	size_t n, cap;
	struct bk_buf bytes;
};

static int strtab_add(struct strtab *t, const char *s, uint32_t id)
{
	if (!*s)
		return 0;
	if (bk__grow((void **)&t->e, &t->cap, t->n, sizeof(*t->e)))
		return -ENOMEM;
	t->e[t->n++] = (struct strent){ .s = s, .len = strlen(s), .id = id };
	return 0;
}

/* LLVM builds the table from the distinct names; a name seen again sorts next to its
 * twin and is merged into it as a tail of itself, so the bytes are the same without a
 * separate pass to drop duplicates. Each entry's offset goes back to whoever added it
 * (SECOFF, SYMOFF): no lookup by name afterwards. */
static int strtab_finish(struct strtab *t, uint32_t *secoff, uint32_t *symoff)
{
	size_t u = t->n;
	struct strent **v = malloc((u ? u : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < u; i++)
		v[i] = &t->e[i];
	multikey_sort(v, u, 0);
	if (bk_buf_zero(&t->bytes, 1)) {
		free(v);
		return -ENOMEM;
	}
	const struct strent *prev = NULL;
	for (size_t i = 0; i < u; i++) {
		struct strent *e = v[i];
		if (prev && prev->len >= e->len &&
		    !memcmp(prev->s + prev->len - e->len, e->s, e->len)) {
			e->off = (uint32_t)(t->bytes.len - e->len - 1);
			continue;
		}
		e->off = (uint32_t)t->bytes.len;
		if (bk_buf_append(&t->bytes, e->s, e->len + 1)) {
			free(v);
			return -ENOMEM;
		}
		prev = e;
	}
	free(v);
	for (size_t i = 0; i < u; i++) {
		const struct strent *e = &t->e[i];
		if (e->id & STR_SYM)
			symoff[e->id & ~STR_SYM] = e->off;
		else
			secoff[e->id] = e->off;
	}
	return 0;
}

static void strtab_free(struct strtab *t)
{
	free(t->e);
	bk_buf_free(&t->bytes);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

/* Where the bytes go: appended to a buffer, or written to a file through a small
 * buffer, so writing a big object to a file needs no second copy of it in memory. */
struct sink {
	struct bk_buf *buf;
	size_t base;
	int fd;
	uint64_t pos;         /* bytes produced so far */
	size_t ntmp;
	uint8_t tmp[1 << 16];
};

static int sink_flush(struct sink *k)
{
	const uint8_t *p = k->tmp;
	size_t left = k->ntmp;
	while (left) {
		ssize_t w = write(k->fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		left -= (size_t)w;
	}
	k->ntmp = 0;
	return 0;
}

static int sink_put(struct sink *k, const void *p, size_t n)
{
	k->pos += n;
	if (k->buf)
		return bk_buf_append(k->buf, p, n);
	if (k->ntmp + n > sizeof(k->tmp)) {
		int e = sink_flush(k);
		if (e)
			return e;
		if (n > sizeof(k->tmp)) {
			/* big section contents go straight to the file */
			k->ntmp = 0;
			const uint8_t *q = p;
			while (n) {
				ssize_t w = write(k->fd, q, n);
				if (w < 0) {
					if (errno == EINTR)
						continue;
					return -errno;
				}
				q += w;
				n -= (size_t)w;
			}
			return 0;
		}
	}
	memcpy(k->tmp + k->ntmp, p, n);
	k->ntmp += n;
	return 0;
}

static int sink_zero(struct sink *k, size_t n)
{
	static const uint8_t z[256];
	while (n) {
		size_t m = n < sizeof(z) ? n : sizeof(z);
		int e = sink_put(k, z, m);
		if (e)
			return e;
		n -= m;
	}
	return 0;
}

static uint64_t align_up(uint64_t pos, uint64_t align)
{
	return align < 2 ? pos : (pos + align - 1) & ~(align - 1);
}

static int pad_to(struct sink *k, uint64_t align)
{
	return sink_zero(k, (size_t)(align_up(k->pos, align) - k->pos));
}

static bool regenerated(const struct bk_section *s, size_t idx)
{
	return idx == 0 || s->type == BK_SHT_STRTAB || s->type == BK_SHT_SYMTAB ||
	       s->type == BK_SHT_REL || s->type == BK_SHT_LLVM_ADDRSIG;
}

uint64_t bk_object_layout(const struct bk_object *obj, uint64_t *offs)
{
	uint64_t pos = 64;
	for (size_t i = 0; i < obj->nsections; i++) {
		const struct bk_section *s = &obj->sections[i];
		offs[i] = 0;
		if (regenerated(s, i))
			continue;
		offs[i] = pos = align_up(pos, s->addralign);
		if (s->type != BK_SHT_NOBITS)
			pos += s->size;
	}
	return pos;
}

/* Section contents from the caller's reader, a buffer's worth at a time. */
static int sink_read(struct sink *k, const struct bk_object_write_opts *o, unsigned sec, uint64_t size,
		     struct bk_err *err)
{
	for (uint64_t off = 0; off < size;) {
		size_t n = size - off < sizeof(k->tmp) ? (size_t)(size - off) : sizeof(k->tmp);
		uint8_t *dst;
		if (k->buf) {
			if (bk_buf_reserve(k->buf, n))
				return -ENOMEM;
			dst = k->buf->data + k->buf->len;
		} else {
			if (k->ntmp + n > sizeof(k->tmp)) {
				int e = sink_flush(k);
				if (e)
					return e;
			}
			dst = k->tmp + k->ntmp;
		}
		int e = o->read(o->ctx, sec, off, dst, n, err);
		if (e)
			return e;
		if (k->buf)
			k->buf->len += n;
		else
			k->ntmp += n;
		k->pos += n;
		off += n;
	}
	return 0;
}

static int write_to(const struct bk_object *obj, struct sink *out, const struct bk_object_write_opts *wo,
		    struct bk_err *err)
{
	const char *fn = obj->name;
	size_t ns = obj->nsections;
	if (wo && (wo->sz < sizeof(size_t) || !wo->read))
		wo = NULL;
	if (ns > 0xff00)
		return bk_err_set(err, -E2BIG, "%s: too many sections (%zu)", fn, ns);
	if (!obj->strtab_sec || obj->strtab_sec >= ns ||
	    obj->sections[obj->strtab_sec].type != BK_SHT_STRTAB)
		return bk_err_set(err, -EINVAL, "%s: no string table (call bk_object_finalize)", fn);
	if (obj->nsymbols > 1 && (!obj->symtab_sec || obj->symtab_sec >= ns))
		return bk_err_set(err, -EINVAL, "%s: symbols but no .symtab (call bk_object_finalize)", fn);
	unsigned shstr = obj->shstrtab_sec ? obj->shstrtab_sec : obj->strtab_sec;
	for (size_t i = 1; i < ns; i++) {
		const struct bk_section *s = &obj->sections[i];
		if (s->nrelocs && (!s->rel_sec || s->rel_sec >= ns ||
				   obj->sections[s->rel_sec].type != BK_SHT_REL))
			return bk_err_set(err, -EINVAL,
					  "%s: section '%s' has relocations but no .rel section (call bk_object_finalize)",
					  fn, s->name);
		if (s->addralign > (1u << 16))
			return bk_err_set(err, -EINVAL, "%s: section '%s': alignment %llu too large", fn,
					  s->name, (unsigned long long)s->addralign);
		if (s->type == BK_SHT_STRTAB && i != obj->strtab_sec && i != shstr)
			return bk_err_set(err, -EINVAL, "%s: section '%s': extra string tables are not supported",
					  fn, s->name);
		for (size_t k = 0; k < s->nrelocs; k++)
			if (s->relocs[k].sym >= obj->nsymbols)
				return bk_err_set(err, -EINVAL, "%s: section '%s' relocation %zu: no symbol %u",
						  fn, s->name, k, s->relocs[k].sym);
	}
	for (size_t i = 1; i < obj->nsymbols; i++) {
		const struct bk_symbol *y = &obj->symbols[i];
		if (y->shndx >= ns && y->shndx < 0xff00)
			return bk_err_set(err, -EINVAL, "%s: symbol '%s': no section %u", fn, y->name, y->shndx);
	}

	/* String tables: one shared table (LLVM) or section names and symbol names apart. */
	struct strtab names = { 0 }, syms = { 0 };
	bool shared = shstr == obj->strtab_sec;
	int e = 0;
	uint32_t *secoff = calloc(ns, sizeof(*secoff)), *symoff = calloc(obj->nsymbols + 1, sizeof(*symoff));
	if (!secoff || !symoff)
		e = -ENOMEM;
	for (size_t i = 1; i < ns && !e; i++)
		e = strtab_add(&names, obj->sections[i].name, (uint32_t)i);
	for (size_t i = 1; i < obj->nsymbols && !e; i++)
		e = strtab_add(shared ? &names : &syms, obj->symbols[i].name, (uint32_t)i | STR_SYM);
	if (!e)
		e = strtab_finish(&names, secoff, symoff);
	if (!e && !shared)
		e = strtab_finish(&syms, secoff, symoff);
	uint64_t *offs = calloc(ns, sizeof(*offs)), *sizes = calloc(ns, sizeof(*sizes));
	if (e || !offs || !sizes) {
		e = bk_err_set(err, -ENOMEM, "%s: out of memory", fn);
		goto out;
	}

	uint8_t ent[64];
	bk_object_layout(obj, offs);
	if ((e = sink_zero(out, 64)))
		goto nomem;
	for (size_t i = 1; i < ns; i++) {
		const struct bk_section *s = &obj->sections[i];
		sizes[i] = s->size;
		if (regenerated(s, i))
			continue;
		if ((e = sink_zero(out, (size_t)(offs[i] - out->pos))))
			goto nomem;
		if (s->type != BK_SHT_NOBITS && s->size && !s->data && wo && wo->read) {
			if (!out->buf && wo->sz >= offsetof(struct bk_object_write_opts, copy) + sizeof(wo->copy) &&
			    wo->copy) {
				if ((e = sink_flush(out)))
					goto ioerr;
				e = wo->copy(wo->ctx, (unsigned)i, out->fd, out->pos, s->size, err);
				if (e < 0) {
					if (!err || !err->code)
						goto ioerr;
					goto out;
				}
				if (!e) {
					out->pos += s->size;
					continue;
				}
			}
			if ((e = sink_read(out, wo, (unsigned)i, s->size, err))) {
				if (!err || !err->code)
					goto nomem;
				goto out;
			}
		} else if (s->type != BK_SHT_NOBITS && s->size) {
			if (!s->data) {
				e = bk_err_set(err, -EINVAL, "%s: section '%s' has no contents", fn, s->name);
				goto out;
			}
			if ((e = sink_put(out, s->data, s->size)))
				goto nomem;
		}
	}
	unsigned first_global = (unsigned)obj->nsymbols;
	if (obj->symtab_sec) {
		if ((e = pad_to(out, 8)))
			goto nomem;
		offs[obj->symtab_sec] = out->pos;
		sizes[obj->symtab_sec] = (uint64_t)obj->nsymbols * 24;
		if ((e = sink_zero(out, 24)))
			goto nomem;
		for (size_t i = 1; i < obj->nsymbols; i++) {
			const struct bk_symbol *y = &obj->symbols[i];
			uint8_t *q = ent;
			put32(q, symoff[i]);
			q[4] = (uint8_t)(y->bind << 4 | (y->type & 0xf));
			q[5] = y->vis & 3;
			put16(q + 6, y->shndx);
			put64(q + 8, y->value);
			put64(q + 16, y->size);
			if (y->bind != BK_STB_LOCAL && first_global == obj->nsymbols)
				first_global = (unsigned)i;
			if ((e = sink_put(out, ent, 24)))
				goto nomem;
		}
	}
	for (size_t i = 1; i < ns; i++) {
		const struct bk_section *s = &obj->sections[i];
		if (s->type != BK_SHT_REL)
			continue;
		if ((e = pad_to(out, 8)))
			goto nomem;
		offs[i] = out->pos;
		const struct bk_section *t = s->info < ns ? &obj->sections[s->info] : NULL;
		size_t n = t && t->rel_sec == i ? t->nrelocs : 0;
		sizes[i] = (uint64_t)n * 16;
		/* a hundred thousand of them in a big file: through the sink a block at a time */
		uint8_t blk[16 * 256];
		for (size_t k = 0; k < n;) {
			size_t m = 0;
			for (; k < n && m < sizeof(blk); k++, m += 16) {
				put64(blk + m, t->relocs[k].offset);
				put64(blk + m + 8, (uint64_t)t->relocs[k].sym << 32 | t->relocs[k].type);
			}
			if ((e = sink_put(out, blk, m)))
				goto nomem;
		}
	}
	for (size_t i = 1; i < ns; i++) {
		const struct bk_section *s = &obj->sections[i];
		if (s->type != BK_SHT_LLVM_ADDRSIG)
			continue;
		offs[i] = out->pos;
		if ((e = sink_put(out, s->data, s->size)))
			goto nomem;
	}
	offs[shstr] = out->pos;
	sizes[shstr] = names.bytes.len;
	if ((e = sink_put(out, names.bytes.data, names.bytes.len)))
		goto nomem;
	if (!shared) {
		offs[obj->strtab_sec] = out->pos;
		sizes[obj->strtab_sec] = syms.bytes.len;
		if ((e = sink_put(out, syms.bytes.data, syms.bytes.len)))
			goto nomem;
	}
	if ((e = pad_to(out, 8)))
		goto nomem;
	uint64_t shoff = out->pos;
	if ((e = sink_zero(out, 64)))
		goto nomem;
	for (size_t i = 1; i < ns; i++) {
		const struct bk_section *s = &obj->sections[i];
		uint8_t *q = ent;
		uint32_t info = s->info;
		if (s->type == BK_SHT_SYMTAB)
			info = first_global;
		put32(q, secoff[i]);
		put32(q + 4, s->type);
		put64(q + 8, s->flags);
		put64(q + 16, s->addr);
		put64(q + 24, offs[i]);
		put64(q + 32, sizes[i]);
		put32(q + 40, s->link);
		put32(q + 44, info);
		put64(q + 48, s->addralign);
		put64(q + 56, s->entsize);
		if ((e = sink_put(out, ent, 64)))
			goto nomem;
	}
	uint8_t h[64] = { 0 };
	memcpy(h, "\177ELF\2\1\1", 7);
	h[7] = obj->osabi;
	h[8] = obj->abiversion;
	put16(h + 16, obj->e_type ? obj->e_type : 1);
	put16(h + 18, 247);
	put32(h + 20, 1);
	put64(h + 40, shoff);
	put32(h + 48, obj->e_flags);
	put16(h + 52, 64);
	put16(h + 58, 64);
	put16(h + 60, (uint16_t)ns);
	put16(h + 62, (uint16_t)shstr);
	/* the header, known last, goes over the zeros written first */
	if (out->buf) {
		memcpy(out->buf->data + out->base, h, 64);
	} else {
		if ((e = sink_flush(out)))
			goto ioerr;
		if (pwrite(out->fd, h, 64, 0) != 64) {
			e = errno ? -errno : -EIO;
			goto ioerr;
		}
	}
	e = 0;
	goto out;
nomem:
	if (e != -ENOMEM && !out->buf) {
ioerr:
		e = bk_err_set(err, e, "%s: write: %s", fn, strerror(-e));
		goto out;
	}
	e = bk_err_set(err, -ENOMEM, "%s: out of memory", fn);
out:
	free(offs);
	free(sizes);
	free(secoff);
	free(symoff);
	strtab_free(&names);
	strtab_free(&syms);
	return e;
}


static int write_buf(const struct bk_object *obj, struct bk_buf *out, const struct bk_object_write_opts *wo,
		     struct bk_err *err)
{
	struct sink *k = calloc(1, sizeof(*k));
	if (!k)
		return bk_err_set(err, -ENOMEM, "%s: out of memory", obj->name);
	k->buf = out;
	k->base = out->len;
	k->fd = -1;
	int e = write_to(obj, k, wo, err);
	free(k);
	return e;
}

int bk_object_write(const struct bk_object *obj, struct bk_buf *out, struct bk_err *err)
{
	return write_buf(obj, out, NULL, err);
}

int bk_object_write_file(const struct bk_object *obj, const char *path, struct bk_err *err)
{
	return bk_object_write_file_opts(obj, path, NULL, err);
}

int bk_object_file_open(const char *path, char **tmp, struct bk_err *err)
{
	size_t pl = strlen(path);
	*tmp = malloc(pl + 16);
	if (!*tmp)
		return bk_err_set(err, -ENOMEM, "%s: out of memory", path);
	snprintf(*tmp, pl + 16, "%s.tmpXXXXXX", path);
	int fd = mkstemp(*tmp);
	if (fd < 0) {
		int e = errno;
		free(*tmp);
		*tmp = NULL;
		return bk_err_set(err, -e, "%s: %s", path, strerror(e));
	}
	return fd;
}

int bk_object_file_done(const char *path, int fd, char *tmp, int e, struct bk_err *err)
{
	if (!e) {
		fchmod(fd, 0644);
		if (close(fd) || rename(tmp, path))
			e = bk_err_set(err, -errno, "%s: %s", path, strerror(errno));
	} else
		close(fd);
	if (e)
		unlink(tmp);
	free(tmp);
	return e;
}

int bk_object_write_fd(const struct bk_object *obj, int fd, const struct bk_object_write_opts *wo,
		       struct bk_err *err)
{
	/* written through a small buffer: no in-memory copy of the whole file */
	struct sink *k = calloc(1, sizeof(*k));
	if (!k)
		return bk_err_set(err, -ENOMEM, "%s: out of memory", obj->name);
	k->fd = fd;
	int e = write_to(obj, k, wo, err);
	if (!e && (e = sink_flush(k)))
		e = bk_err_set(err, e, "%s: write: %s", obj->name, strerror(-e));
	free(k);
	return e;
}

int bk_object_write_file_opts(const struct bk_object *obj, const char *path,
			      const struct bk_object_write_opts *wo, struct bk_err *err)
{
	if (!strcmp(path, "-")) {
		struct bk_buf b = { 0 };
		int e = write_buf(obj, &b, wo, err);
		if (!e)
			e = bk_write_file(path, b.data, b.len, err);
		bk_buf_free(&b);
		return e;
	}
	/* streamed into a temporary file renamed over PATH at the end: no partial output */
	char *tmp;
	int fd = bk_object_file_open(path, &tmp, err);
	if (fd < 0)
		return fd;
	return bk_object_file_done(path, fd, tmp, bk_object_write_fd(obj, fd, wo, err), err);
}
