/* DWARF that llvm-mc-19 generates itself for BPF: the .debug_line program from `.loc`
 * and the numbered `.file` table (DWARF 5, names in .debug_line_str), and .debug_frame
 * from `.cfi_startproc`/`.cfi_endproc` under `.cfi_sections .debug_frame`.
 *
 * The bytes follow LLVM's MCDwarf: a line entry is made at the first instruction or data
 * after a `.loc` (or at the next `.loc`), one sequence per section in the order sections
 * got their first entry, line/address steps encoded with LLVM's choice of special
 * opcodes; BPF's parameters are min_inst_length 8, line_base -5, line_range 14,
 * opcode_base 13. Addresses and string offsets are relocated as llvm-mc relocates them:
 * against section symbols, with the offset in the field. */
#include "asm_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { LINE_BASE = -5, LINE_RANGE = 14, OPCODE_BASE = 13, MIN_INST = 8 };
enum { F_IS_STMT = 1, F_BASIC_BLOCK = 2, F_PROLOGUE_END = 4, F_EPILOGUE_BEGIN = 8 };

struct dw_file {
	const char *name, *source; /* interned; source NULL when absent */
	uint32_t dir;
	bool has_md5;
	uint8_t md5[16];
};

struct dw_line {
	uint32_t off, file, line, col, disc;
	uint16_t sec;
	uint8_t flags, isa;
};

struct dw_frame {
	uint32_t begin, end;
	uint16_t sec;
};

struct asm_dwarf {
	bool tables;          /* a numbered .file or a .loc was seen: a line table is written */
	const char *comp_dir; /* from .file 0, NULL when not given */
	struct dw_file root;
	bool have_root, all_md5, any_source;
	const char **dirs;    /* dirs[i] is directory index i + 1 */
	size_t ndirs, capdirs;
	struct dw_file *files; /* files[n] is file number n (0 unused) */
	size_t nfiles, capfiles;
	struct dw_line cur;   /* the last .loc */
	struct dw_line *lines;
	size_t nlines, caplines;
	int *line_secs;       /* sections in order of their first line entry */
	size_t nline_secs, capline_secs;
	bool debug_frame, in_frame;
	uint32_t frame_line, frame_col; /* of the open .cfi_startproc */
	struct dw_frame *frames;
	size_t nframes, capframes;
};

static int grow(void **p, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 16;
	void *q = realloc(*p, nc * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = nc;
	return 0;
}

static struct asm_dwarf *dw(struct asm_ctx *c)
{
	if (!c->dw) {
		c->dw = calloc(1, sizeof(*c->dw));
		if (c->dw) {
			c->dw->all_md5 = true;
			c->dw->cur.flags = F_IS_STMT;
		}
	}
	return c->dw;
}

void bk__asm_dwarf_free(struct asm_ctx *c)
{
	if (!c->dw)
		return;
	free(c->dw->dirs);
	free(c->dw->files);
	free(c->dw->lines);
	free(c->dw->line_secs);
	free(c->dw->frames);
	free(c->dw);
	c->dw = NULL;
}

/* A line entry for the pending .loc at the current place (MCDwarfLineEntry::make). */
int bk__asm_dwarf_mark(struct asm_ctx *c)
{
	struct asm_dwarf *d = c->dw;
	if (!d || !c->loc_pending)
		return 0;
	c->loc_pending = false;
	uint64_t off = bk__asm_cur_off(c);
	if (off > UINT32_MAX)
		return bk__asm_error(c, NULL, "section '%s' is larger than 4 GiB", c->secs[c->cur].name);
	bool known = false;
	for (size_t i = d->nline_secs; i-- > 0;)
		if (d->line_secs[i] == c->cur) {
			known = true;
			break;
		}
	if (!known) {
		if (grow((void **)&d->line_secs, &d->capline_secs, d->nline_secs, sizeof(int)))
			return -ENOMEM;
		d->line_secs[d->nline_secs++] = c->cur;
	}
	if (grow((void **)&d->lines, &d->caplines, d->nlines, sizeof(*d->lines)))
		return -ENOMEM;
	struct dw_line *l = &d->lines[d->nlines++];
	*l = d->cur;
	l->off = (uint32_t)off;
	l->sec = (uint16_t)c->cur;
	return 0;
}

/* ---- directives --------------------------------------------------------------------- */

static int get_uint(struct asm_ctx *c, const char **pp, const char *end, uint64_t *v, const char *what)
{
	const char *p = asm_skip_ws(*pp, end);
	if (!bk__asm_parse_number(&p, end, v))
		return bk__asm_error(c, p, "expected %s", what);
	*pp = p;
	return 0;
}

static bool word(const char **pp, const char *end, const char *w)
{
	const char *p = asm_skip_ws(*pp, end);
	size_t n = strlen(w);
	if ((size_t)(end - p) < n || memcmp(p, w, n) || (p + n < end && asm_is_ident(p[n])))
		return false;
	*pp = p + n;
	return true;
}

static int string_arg(struct asm_ctx *c, const char **pp, const char *end, const char **out)
{
	struct bk_buf b = { 0 };
	int r = bk__asm_parse_string(c, pp, end, &b);
	if (!r) {
		*out = bk__asm_intern(c, b.data ? (const char *)b.data : "", b.len);
		if (!*out)
			r = -ENOMEM;
		else if (memchr(*out, 0, b.len))
			r = bk__asm_error(c, NULL, "file and directory names cannot contain NUL");
	}
	bk_buf_free(&b);
	return r;
}

/* .file N ["dir"] "name" [md5 0xHEX] [source "text"] */
int bk__asm_dir_file(struct asm_ctx *c, const char *p, const char *end)
{
	struct asm_dwarf *d = dw(c);
	if (!d)
		return -ENOMEM;
	uint64_t n;
	const char *at = asm_skip_ws(p, end);
	int r = get_uint(c, &p, end, &n, "a file number");
	if (r)
		return r;
	if (n > 65535)
		return bk__asm_error(c, at, "file number %llu out of range [0, 65535]", (unsigned long long)n);
	const char *dir = NULL, *name = NULL;
	if ((r = string_arg(c, &p, end, &name)))
		return r;
	const char *q = asm_skip_ws(p, end);
	if (q < end && *q == '"') {
		dir = name;
		if ((r = string_arg(c, &p, end, &name)))
			return r;
	}
	struct dw_file f = { .name = name };
	for (;;) {
		q = asm_skip_ws(p, end);
		if (q >= end)
			break;
		if (word(&p, end, "md5")) {
			q = asm_skip_ws(p, end);
			if (end - q < 3 || q[0] != '0' || (q[1] != 'x' && q[1] != 'X'))
				return bk__asm_error(c, q, "expected an MD5 checksum (0x followed by up to 32 hex digits)");
			q += 2;
			const char *h = q;
			while (q < end && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') || (*q >= 'A' && *q <= 'F')))
				q++;
			size_t nd = (size_t)(q - h);
			if (!nd || nd > 32 || (q < end && asm_is_ident(*q)))
				return bk__asm_error(c, h, "expected an MD5 checksum (0x followed by up to 32 hex digits)");
			memset(f.md5, 0, 16);
			/* the number, big-endian in 16 bytes */
			for (size_t i = 0; i < nd; i++) {
				char ch = h[nd - 1 - i];
				unsigned v = ch <= '9' ? (unsigned)(ch - '0') : (unsigned)((ch | 0x20) - 'a' + 10);
				f.md5[15 - i / 2] |= (uint8_t)(i % 2 ? v << 4 : v);
			}
			f.has_md5 = true;
			p = q;
		} else if (word(&p, end, "source")) {
			if ((r = string_arg(c, &p, end, &f.source)))
				return r;
		} else
			return bk__asm_error(c, q, "unexpected '%.*s' in .file", (int)(end - q), q);
	}
	d->tables = true;
	if (n == 0) {
		if (d->have_root)
			return bk__asm_error(c, at, "file number 0 already allocated");
		d->have_root = true;
		d->comp_dir = dir;
		f.dir = 0;
		d->root = f;
		d->all_md5 = d->all_md5 && f.has_md5;
		d->any_source = d->any_source || f.source;
		return 0;
	}
	/* as MCDwarfLineTableHeader::tryGetFile: the compilation directory is directory 0,
	 * and a file that is the root file (same name and checksum) gets no number */
	if (dir && d->comp_dir && !strcmp(dir, d->comp_dir))
		dir = NULL;
	if (d->have_root && !strcmp(d->root.name, name) && d->root.has_md5 == f.has_md5 &&
	    (!f.has_md5 || !memcmp(d->root.md5, f.md5, 16)))
		return 0;
	if (n < d->nfiles && d->files[n].name)
		return bk__asm_error(c, at, "file number %llu already allocated", (unsigned long long)n);
	if (!dir || !*dir) {
		/* "a/b.c" alone: directory a, name b.c (sys::path::parent_path / filename) */
		const char *slash = strrchr(name, '/');
		if (slash && slash[1]) {
			size_t dl = (size_t)(slash - name);
			dir = bk__asm_intern(c, name, dl ? dl : 1);
			if (!dir)
				return -ENOMEM;
			name = slash + 1;
			f.name = name;
		}
	}
	if (dir && *dir) {
		size_t i;
		for (i = 0; i < d->ndirs; i++)
			if (!strcmp(d->dirs[i], dir))
				break;
		if (i == d->ndirs) {
			if (grow((void **)&d->dirs, &d->capdirs, d->ndirs, sizeof(*d->dirs)))
				return -ENOMEM;
			d->dirs[d->ndirs++] = dir;
		}
		f.dir = (uint32_t)i + 1;
	}
	while (d->nfiles <= n) {
		if (grow((void **)&d->files, &d->capfiles, d->nfiles, sizeof(*d->files)))
			return -ENOMEM;
		memset(&d->files[d->nfiles++], 0, sizeof(*d->files));
	}
	d->files[n] = f;
	d->all_md5 = d->all_md5 && f.has_md5;
	if (f.source)
		d->any_source = true;
	return 0;
}

/* .loc file line [column] [basic_block] [prologue_end] [epilogue_begin] [is_stmt N]
 *      [isa N] [discriminator N] */
int bk__asm_dir_loc(struct asm_ctx *c, const char *p, const char *end)
{
	struct asm_dwarf *d = dw(c);
	if (!d)
		return -ENOMEM;
	/* two .loc in a row: the first still gets its entry, here */
	int r = bk__asm_dwarf_mark(c);
	if (r)
		return r;
	uint64_t file, line, col = 0, v;
	const char *at = asm_skip_ws(p, end);
	if ((r = get_uint(c, &p, end, &file, "a file number")))
		return r;
	if (file > 65535 || (file > 0 && (file >= d->nfiles || !d->files[file].name)) ||
	    (file == 0 && !d->have_root))
		return bk__asm_error(c, at, "unassigned file number %llu in .loc", (unsigned long long)file);
	at = asm_skip_ws(p, end);
	if ((r = get_uint(c, &p, end, &line, "a line number")))
		return r;
	if (line > UINT32_MAX)
		return bk__asm_error(c, at, "line number out of range");
	const char *q = asm_skip_ws(p, end);
	if (q < end && *q >= '0' && *q <= '9') {
		if ((r = get_uint(c, &p, end, &col, "a column")))
			return r;
		if (col > 65535)
			return bk__asm_error(c, q, "column %llu out of range [0, 65535]", (unsigned long long)col);
	}
	uint8_t flags = d->cur.flags & F_IS_STMT, isa = 0;
	uint32_t disc = 0;
	for (;;) {
		q = asm_skip_ws(p, end);
		if (q >= end)
			break;
		if (word(&p, end, "basic_block"))
			flags |= F_BASIC_BLOCK;
		else if (word(&p, end, "prologue_end"))
			flags |= F_PROLOGUE_END;
		else if (word(&p, end, "epilogue_begin"))
			flags |= F_EPILOGUE_BEGIN;
		else if (word(&p, end, "is_stmt")) {
			at = asm_skip_ws(p, end);
			if ((r = get_uint(c, &p, end, &v, "0 or 1 after is_stmt")))
				return r;
			if (v > 1)
				return bk__asm_error(c, at, "is_stmt value not 0 or 1");
			flags = (uint8_t)(v ? flags | F_IS_STMT : flags & ~F_IS_STMT);
		} else if (word(&p, end, "isa")) {
			at = asm_skip_ws(p, end);
			if ((r = get_uint(c, &p, end, &v, "a number after isa")))
				return r;
			if (v > 255)
				return bk__asm_error(c, at, "isa number out of range [0, 255]");
			isa = (uint8_t)v;
		} else if (word(&p, end, "discriminator")) {
			at = asm_skip_ws(p, end);
			if ((r = get_uint(c, &p, end, &v, "a number after discriminator")))
				return r;
			if (v > UINT32_MAX)
				return bk__asm_error(c, at, "discriminator out of range");
			disc = (uint32_t)v;
		} else
			return bk__asm_error(c, q, "unknown sub-directive in '.loc'");
	}
	d->tables = true;
	d->cur = (struct dw_line){ .file = (uint32_t)file, .line = (uint32_t)line, .col = (uint32_t)col,
				   .disc = disc, .flags = flags, .isa = isa };
	c->loc_pending = true;
	return 0;
}

/* .cfi_sections, .cfi_startproc, .cfi_endproc: what clang writes for BPF */
int bk__asm_dir_cfi(struct asm_ctx *c, const char *dname, size_t n, const char *p, const char *end)
{
	struct asm_dwarf *d = dw(c);
	if (!d)
		return -ENOMEM;
#define IS(w) (n == sizeof(w) - 1 && !memcmp(dname, w, n))
	if (IS(".cfi_sections")) {
		for (;;) {
			const char *q = asm_skip_ws(p, end);
			if (word(&p, end, ".debug_frame"))
				d->debug_frame = true;
			else if (!word(&p, end, ".eh_frame"))
				return bk__asm_error(c, q, "expected .eh_frame or .debug_frame");
			q = asm_skip_ws(p, end);
			if (q >= end)
				return 0;
			if (*q != ',')
				return bk__asm_error(c, q, "expected ','");
			p = q + 1;
		}
	}
	if (IS(".cfi_startproc")) {
		if (d->in_frame)
			return bk__asm_error(c, dname, "starting a new frame before finishing the previous one");
		const char *q = asm_skip_ws(p, end);
		if (q < end && !word(&q, end, "simple"))
			return bk__asm_error(c, q, "unexpected '%.*s'", (int)(end - q), q);
		uint64_t off = bk__asm_cur_off(c);
		if (off > UINT32_MAX)
			return bk__asm_error(c, dname, "section too large");
		if (grow((void **)&d->frames, &d->capframes, d->nframes, sizeof(*d->frames)))
			return -ENOMEM;
		d->frames[d->nframes++] = (struct dw_frame){ .begin = (uint32_t)off, .end = (uint32_t)off,
							     .sec = (uint16_t)c->cur };
		d->in_frame = true;
		d->frame_line = c->line;
		d->frame_col = c->line_start && dname >= c->line_start ? (uint32_t)(dname - c->line_start) + 1 : 1;
		return 0;
	}
	if (IS(".cfi_endproc")) {
		if (!d->in_frame)
			return bk__asm_error(c, dname, "this directive must appear between .cfi_startproc and .cfi_endproc directives");
		struct dw_frame *f = &d->frames[d->nframes - 1];
		if (f->sec != c->cur)
			return bk__asm_error(c, dname, ".cfi_endproc in another section than its .cfi_startproc");
		f->end = (uint32_t)bk__asm_cur_off(c);
		d->in_frame = false;
		return 0;
	}
#undef IS
	return bk__asm_error(c, dname, "unsupported CFI directive '%.*s' (bpfkit writes .debug_frame from .cfi_startproc/.cfi_endproc only)",
			     (int)n, dname);
}

/* ---- finishing ---------------------------------------------------------------------- */

static int put_uleb(struct bk_buf *b, uint64_t v)
{
	do {
		uint8_t x = v & 0x7f;
		v >>= 7;
		if (v)
			x |= 0x80;
		if (bk_buf_append(b, &x, 1))
			return -ENOMEM;
	} while (v);
	return 0;
}

static int put_sleb(struct bk_buf *b, int64_t v)
{
	for (;;) {
		uint8_t x = v & 0x7f;
		v >>= 7;
		bool done = (v == 0 && !(x & 0x40)) || (v == -1 && (x & 0x40));
		if (!done)
			x |= 0x80;
		if (bk_buf_append(b, &x, 1))
			return -ENOMEM;
		if (done)
			return 0;
	}
}

static int put_u8(struct bk_buf *b, unsigned v)
{
	uint8_t x = (uint8_t)v;
	return bk_buf_append(b, &x, 1) ? -ENOMEM : 0;
}

static int put_n(struct bk_buf *b, uint64_t v, size_t n)
{
	return bk_buf_append(b, &v, n) ? -ENOMEM : 0; /* little-endian host */
}

/* MCDwarfLineAddr::encode */
static int line_addr(struct bk_buf *b, int64_t line_delta, uint64_t addr_delta, bool end_seq)
{
	const uint64_t max_special = (255 - OPCODE_BASE) / LINE_RANGE;
	int r = 0;
	if (end_seq) {
		if (addr_delta == max_special)
			r = put_u8(b, 8 /* DW_LNS_const_add_pc */);
		else if (addr_delta) {
			if (!(r = put_u8(b, 2 /* DW_LNS_advance_pc */)))
				r = put_uleb(b, addr_delta);
		}
		if (!r && !(r = put_u8(b, 0)) && !(r = put_u8(b, 1)))
			r = put_u8(b, 1 /* DW_LNE_end_sequence */);
		return r;
	}
	uint64_t temp = (uint64_t)(line_delta - LINE_BASE);
	bool need_copy = false;
	if (temp >= LINE_RANGE || temp + OPCODE_BASE > 255) {
		if ((r = put_u8(b, 3 /* DW_LNS_advance_line */)) || (r = put_sleb(b, line_delta)))
			return r;
		line_delta = 0;
		temp = (uint64_t)(0 - LINE_BASE);
		need_copy = true;
	}
	if (line_delta == 0 && addr_delta == 0)
		return put_u8(b, 1 /* DW_LNS_copy */);
	temp += OPCODE_BASE;
	if (addr_delta < 256 + max_special) {
		uint64_t op = temp + addr_delta * LINE_RANGE;
		if (op <= 255)
			return put_u8(b, (unsigned)op);
		op = temp + (addr_delta - max_special) * LINE_RANGE;
		if (op <= 255) {
			if ((r = put_u8(b, 8)))
				return r;
			return put_u8(b, (unsigned)op);
		}
	}
	if ((r = put_u8(b, 2)) || (r = put_uleb(b, addr_delta)))
		return r;
	return need_copy ? put_u8(b, 1) : put_u8(b, (unsigned)temp);
}

/* .debug_line_str: LLVM's StringTableBuilder in DWARF mode (insertion order, no merging
 * of tails, duplicates share one copy). */
struct linestr {
	struct bk_buf bytes;
	const char **s;
	uint32_t *off;
	size_t n, cap;
};

static int linestr_ref(struct linestr *t, const char *s, uint32_t *off)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->s[i], s)) {
			*off = t->off[i];
			return 0;
		}
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 16;
		const char **ns = realloc(t->s, nc * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		t->s = ns;
		uint32_t *no = realloc(t->off, nc * sizeof(*no));
		if (!no)
			return -ENOMEM;
		t->off = no;
		t->cap = nc;
	}
	*off = (uint32_t)t->bytes.len;
	t->s[t->n] = s;
	t->off[t->n++] = *off;
	return bk_buf_append(&t->bytes, s, strlen(s) + 1) ? -ENOMEM : 0;
}

static int line_program(struct asm_ctx *c, struct asm_dwarf *d, struct bk_buf *prog,
			struct bk_buf *addrs /* offsets in prog of set_address fields, with sec */)
{
	int r = 0;
	for (size_t si = 0; si < d->nline_secs && !r; si++) {
		int sec = d->line_secs[si];
		uint32_t file = 1, col = 0, disc = 0, isa = 0;
		uint8_t flags = F_IS_STMT;
		int64_t last_line = 1;
		bool have_last = false;
		uint32_t last_off = 0;
		for (size_t i = 0; i < d->nlines && !r; i++) {
			const struct dw_line *l = &d->lines[i];
			if (l->sec != sec)
				continue;
			int64_t line_delta = (int64_t)l->line - last_line;
			if (file != l->file) {
				file = l->file;
				if ((r = put_u8(prog, 4 /* DW_LNS_set_file */)) || (r = put_uleb(prog, file)))
					break;
			}
			if (col != l->col) {
				col = l->col;
				if ((r = put_u8(prog, 5 /* DW_LNS_set_column */)) || (r = put_uleb(prog, col)))
					break;
			}
			if (disc != l->disc) {
				disc = l->disc;
				struct bk_buf t = { 0 };
				r = put_uleb(&t, disc);
				if (!r && !(r = put_u8(prog, 0)) && !(r = put_uleb(prog, t.len + 1)) &&
				    !(r = put_u8(prog, 4 /* DW_LNE_set_discriminator */)))
					r = bk_buf_append(prog, t.data, t.len) ? -ENOMEM : 0;
				bk_buf_free(&t);
				if (r)
					break;
			}
			if (isa != l->isa) {
				isa = l->isa;
				if ((r = put_u8(prog, 12 /* DW_LNS_set_isa */)) || (r = put_uleb(prog, isa)))
					break;
			}
			if ((l->flags ^ flags) & F_IS_STMT) {
				flags = l->flags;
				if ((r = put_u8(prog, 6 /* DW_LNS_negate_stmt */)))
					break;
			}
			if ((l->flags & F_BASIC_BLOCK) && (r = put_u8(prog, 7)))
				break;
			if ((l->flags & F_PROLOGUE_END) && (r = put_u8(prog, 10)))
				break;
			if ((l->flags & F_EPILOGUE_BEGIN) && (r = put_u8(prog, 11)))
				break;
			if (!have_last) {
				/* DW_LNE_set_address, relocated against the section */
				if ((r = put_u8(prog, 0)) || (r = put_u8(prog, 9)) || (r = put_u8(prog, 2)))
					break;
				uint32_t rec[3] = { (uint32_t)prog->len, (uint32_t)sec, l->off };
				if (bk_buf_append(addrs, rec, sizeof(rec)) || put_n(prog, 0, 8)) {
					r = -ENOMEM;
					break;
				}
				r = line_addr(prog, line_delta, 0, false);
			} else
				r = line_addr(prog, line_delta, (l->off - last_off) / MIN_INST, false);
			disc = 0;
			last_line = l->line;
			last_off = l->off;
			have_last = true;
		}
		if (!r) {
			uint64_t size = bk__asm_sec_size(c, sec);
			r = line_addr(prog, 0, (size - last_off) / MIN_INST, true);
		}
	}
	return r;
}

static int emit_fix(struct asm_ctx *c, int kind, uint64_t off, uint32_t sym, int64_t addend)
{
	struct asm_expr e = { .c = addend, .a = sym, .b = 0 };
	return bk__asm_add_fix(c, kind, off, &e, NULL);
}

static int find_or_make(struct asm_ctx *c, const char *name, uint64_t flags, uint64_t entsize)
{
	size_t n = strlen(name);
	int r = bk__asm_section(c, name, n, BK_SHT_PROGBITS, flags, entsize, true);
	return r;
}

static int debug_frame(struct asm_ctx *c, struct asm_dwarf *d)
{
	int r = find_or_make(c, ".debug_frame", 0, 0);
	if (r)
		return r;
	struct asm_sec *s = &c->secs[c->cur];
	uint64_t cie = bk__asm_cur_off(c);
	uint32_t self = (uint32_t)s->secsym;
	/* CIE: version 4, no augmentation, address size 8, code alignment 8, data
	 * alignment -4, return address r11, no initial instructions, padded to 8 */
	static const uint8_t cie_bytes[] = { 0x0c, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 4, 0, 8, 0, 8, 0x7c, 11 };
	if ((r = bk__asm_emit(c, cie_bytes, sizeof(cie_bytes))) || (r = bk__asm_align(c, 8, 0)))
		return r;
	for (size_t i = 0; i < d->nframes; i++) {
		const struct dw_frame *f = &d->frames[i];
		uint64_t at = bk__asm_cur_off(c);
		uint8_t fde[24] = { 20, 0, 0, 0 };
		uint64_t range = f->end - f->begin;
		memcpy(fde + 16, &range, 8);
		if ((r = bk__asm_emit(c, fde, sizeof(fde))) ||
		    (r = emit_fix(c, FIX_DATA4, at + 4, self, (int64_t)cie)) ||
		    (r = emit_fix(c, FIX_DATA8, at + 8, (uint32_t)c->secs[f->sec].secsym, f->begin)) ||
		    (r = bk__asm_align(c, 8, 0)))
			return r;
	}
	return 0;
}

static int line_table(struct asm_ctx *c, struct asm_dwarf *d)
{
	struct linestr ls = { 0 };
	struct bk_buf hdr = { 0 }, prog = { 0 }, addrs = { 0 }, refs = { 0 };
	int r;
	char cwd[4096];
	const char *comp = d->comp_dir && *d->comp_dir ? d->comp_dir : (getcwd(cwd, sizeof(cwd)) ? cwd : "");
	const struct dw_file *root = d->have_root ? &d->root : d->nfiles > 1 ? &d->files[1] : NULL;
	struct dw_file none = { .name = "<stdin>" };
	if (!root)
		root = &none;
	bool md5 = d->all_md5 && (d->have_root || d->nfiles > 1);
	/* header after header_length: state machine parameters, then the tables */
	static const uint8_t params[] = { MIN_INST, 1, 1, (uint8_t)LINE_BASE, LINE_RANGE, OPCODE_BASE,
					  0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1 };
	uint32_t o;
#define REF(str)                                                                          \
	do {                                                                              \
		if ((r = linestr_ref(&ls, (str), &o)))                                   \
			goto out;                                                         \
		uint32_t at_ = (uint32_t)hdr.len;                                         \
		if (bk_buf_append(&refs, &at_, 4) || put_n(&hdr, o, 4)) {                \
			r = -ENOMEM;                                                      \
			goto out;                                                         \
		}                                                                         \
	} while (0)
	if (bk_buf_append(&hdr, params, sizeof(params)) || put_u8(&hdr, 1) || put_uleb(&hdr, 1) ||
	    put_uleb(&hdr, 0x1f) || put_uleb(&hdr, d->ndirs + 1)) {
		r = -ENOMEM;
		goto out;
	}
	REF(comp);
	for (size_t i = 0; i < d->ndirs; i++)
		REF(d->dirs[i]);
	if (put_u8(&hdr, 2u + md5 + d->any_source) || put_uleb(&hdr, 1) || put_uleb(&hdr, 0x1f) ||
	    put_uleb(&hdr, 2) || put_uleb(&hdr, 0x0f) || (md5 && (put_uleb(&hdr, 5) || put_uleb(&hdr, 0x1e))) ||
	    (d->any_source && (put_uleb(&hdr, 0x2001) || put_uleb(&hdr, 0x1f))) ||
	    put_uleb(&hdr, d->nfiles > 1 ? d->nfiles : 1)) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < (d->nfiles > 1 ? d->nfiles : 1); i++) {
		const struct dw_file *f = i == 0 ? root : &d->files[i];
		REF(f->name ? f->name : "");
		if (put_uleb(&hdr, i == 0 ? 0 : f->dir) || (md5 && bk_buf_append(&hdr, f->md5, 16))) {
			r = -ENOMEM;
			goto out;
		}
		if (d->any_source)
			REF(f->source ? f->source : "");
	}
#undef REF
	if ((r = line_program(c, d, &prog, &addrs)))
		goto out;
	/* into .debug_line, after whatever the source put there */
	if ((r = find_or_make(c, ".debug_line", 0, 0)))
		goto out;
	int line_sec = c->cur;
	uint64_t base = bk__asm_cur_off(c);
	uint8_t head[12];
	uint32_t unit = (uint32_t)(2 + 2 + 4 + hdr.len + prog.len), hl = (uint32_t)hdr.len;
	memcpy(head, &unit, 4);
	head[4] = 5;
	head[5] = 0;
	head[6] = 8;
	head[7] = 0;
	memcpy(head + 8, &hl, 4);
	if ((r = bk__asm_emit(c, head, sizeof(head))) || (r = bk__asm_emit(c, hdr.data, hdr.len)) ||
	    (r = bk__asm_emit(c, prog.data, prog.len)))
		goto out;
	/* the string table, created last as llvm-mc does */
	if ((r = find_or_make(c, ".debug_line_str", BK_SHF_MERGE | BK_SHF_STRINGS, 1)))
		goto out;
	uint32_t strsym = (uint32_t)c->secs[c->cur].secsym;
	if ((r = bk__asm_emit(c, ls.bytes.data, ls.bytes.len)))
		goto out;
	c->cur = line_sec;
	for (size_t i = 0; i < refs.len / 4; i++) {
		uint32_t at, val;
		memcpy(&at, refs.data + 4 * i, 4);
		memcpy(&val, hdr.data + at, 4);
		if ((r = emit_fix(c, FIX_DATA4, base + 12 + at, strsym, val)))
			goto out;
	}
	for (size_t i = 0; i < addrs.len / 12; i++) {
		uint32_t rec[3];
		memcpy(rec, addrs.data + 12 * i, 12);
		if ((r = emit_fix(c, FIX_DATA8, base + 12 + hdr.len + rec[0], (uint32_t)c->secs[rec[1]].secsym,
				  rec[2])))
			goto out;
	}
out:
	free(ls.s);
	free(ls.off);
	bk_buf_free(&ls.bytes);
	bk_buf_free(&hdr);
	bk_buf_free(&prog);
	bk_buf_free(&addrs);
	bk_buf_free(&refs);
	return r == -ENOMEM ? bk_err_set(c->err, -ENOMEM, "%s: out of memory", c->name) : r;
}

int bk__asm_dwarf_finish(struct asm_ctx *c)
{
	struct asm_dwarf *d = c->dw;
	if (!d)
		return 0;
	int r;
	c->loc_pending = false; /* a .loc with nothing after it makes no entry (llvm-mc) */
	if (d->in_frame)
		return bk_err_set(c->err, -EINVAL, "%s:%u:%u: unfinished frame: .cfi_startproc without .cfi_endproc",
				  c->name, d->frame_line, d->frame_col);
	if (d->nframes && d->debug_frame && (r = debug_frame(c, d)))
		return r;
	if (d->tables && (r = line_table(c, d)))
		return r;
	return 0;
}
