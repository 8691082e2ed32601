/* LLVM syntax (clang -S, llvm-mc): statement splitting, labels and directives.
 * Instructions go to the table-driven matcher. */
#include "asm_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool word_is(const char *p, const char *e, const char *w)
{
	size_t n = strlen(w);
	return (size_t)(e - p) == n && !memcmp(p, w, n);
}

/* Reads a symbol name (identifier or "quoted") at *pp. */
static bool get_name(struct asm_ctx *c, const char **pp, const char *end, const char **s, size_t *n)
{
	const char *p = asm_skip_ws(*pp, end);
	if (p < end && *p == '"') {
		const char *q = ++p;
		while (q < end && *q != '"')
			q++;
		if (q >= end)
			return false;
		*s = p;
		*n = (size_t)(q - p);
		*pp = q + 1;
		return true;
	}
	const char *q = p;
	while (q < end && (asm_is_ident(*q) || *q == '@' ))
		q++;
	if (q == p || (*p >= '0' && *p <= '9'))
		return false;
	*s = p;
	*n = (size_t)(q - p);
	*pp = q;
	(void)c;
	return true;
}

static bool expect_comma(const char **pp, const char *end)
{
	const char *p = asm_skip_ws(*pp, end);
	if (p < end && *p == ',') {
		*pp = p + 1;
		return true;
	}
	return false;
}

static int end_of_args(struct asm_ctx *c, const char *p, const char *end)
{
	p = asm_skip_ws(p, end);
	if (p < end)
		return bk__asm_error(c, p, "unexpected '%.*s'", (int)(end - p), p);
	return 0;
}

/* Parses a string literal with C escapes into buf (appends). */
int bk__asm_parse_string(struct asm_ctx *c, const char **pp, const char *end, struct bk_buf *out)
{
	const char *p = asm_skip_ws(*pp, end);
	if (p >= end || *p != '"')
		return bk__asm_error(c, p, "expected a string");
	const char *open = p++;
	while (p < end && *p != '"') {
		/* a run of plain characters in one append */
		const char *run = p;
		while (p < end && *p != '"' && *p != '\\')
			p++;
		if (p > run && bk_buf_append(out, run, (size_t)(p - run)))
			return -ENOMEM;
		if (p >= end || *p == '"')
			break;
		uint8_t ch = (uint8_t)*p++;
		if (ch == '\\') {
			if (p >= end)
				break;
			char e = *p++;
			switch (e) {
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case 'r': ch = '\r'; break;
			case 'b': ch = '\b'; break;
			case 'f': ch = '\f'; break;
			case 'v': ch = '\v'; break;
			case 'a': ch = 7; break;
			case '\\': ch = '\\'; break;
			case '"': ch = '"'; break;
			case '\'': ch = '\''; break;
			case 'x':
			case 'X': {
				unsigned v = 0, nd = 0;
				while (p < end && nd < 2) {
					char h = *p;
					unsigned d = h >= '0' && h <= '9' ? (unsigned)(h - '0') :
						     h >= 'a' && h <= 'f' ? (unsigned)(h - 'a' + 10) :
						     h >= 'A' && h <= 'F' ? (unsigned)(h - 'A' + 10) : 16;
					if (d > 15)
						break;
					v = v * 16 + d;
					p++;
					nd++;
				}
				ch = (uint8_t)v;
				break;
			}
			default:
				if (e >= '0' && e <= '7') {
					unsigned v = (unsigned)(e - '0'), nd = 1;
					while (p < end && nd < 3 && *p >= '0' && *p <= '7') {
						v = v * 8 + (unsigned)(*p - '0');
						p++;
						nd++;
					}
					ch = (uint8_t)v;
				} else
					return bk__asm_error(c, p - 2, "unknown escape '\\%c'", e);
			}
		}
		if (bk_buf_append(out, &ch, 1))
			return -ENOMEM;
	}
	if (p >= end)
		return bk__asm_error(c, open, "unterminated string");
	*pp = p + 1;
	return 0;
}

static int data_values(struct asm_ctx *c, const char *p, const char *end, int size)
{
	for (;;) {
		struct asm_expr e;
		const char *at = asm_skip_ws(p, end);
		int r = bk__asm_parse_expr(c, &p, end, &e);
		if (r)
			return r;
		uint64_t off = bk__asm_cur_off(c);
		uint64_t zero = 0;
		bool resolved = !e.a && !e.b;
		if (e.a && e.b) {
			struct asm_sym *a = &c->syms[e.a], *b = &c->syms[e.b];
			if (a->defined && b->defined && a->sec == b->sec) {
				e.c += (int64_t)(a->value - b->value);
				resolved = true;
			}
		}
		if (resolved) {
			if (size < 8) {
				int64_t lo = -((int64_t)1 << (size * 8 - 1)), hi = (int64_t)((1ull << (size * 8)) - 1);
				if (e.c < lo || e.c > hi)
					return bk__asm_error(c, at, "value %lld does not fit in %d byte%s", (long long)e.c,
							 size, size > 1 ? "s" : "");
			}
			uint64_t v = (uint64_t)e.c;
			if ((r = bk__asm_emit(c, &v, (size_t)size)))
				return r;
		} else {
			if ((r = bk__asm_emit(c, &zero, (size_t)size)))
				return r;
			int kind = size == 1 ? FIX_DATA1 : size == 2 ? FIX_DATA2 : size == 4 ? FIX_DATA4 : FIX_DATA8;
			if ((r = bk__asm_add_fix(c, kind, off, &e, at)))
				return r;
			if (c->secs[c->cur].type == BK_SHT_NOBITS)
				return bk__asm_error(c, at, "relocated data in NOBITS section");
		}
		if (!expect_comma(&p, end))
			return end_of_args(c, p, end);
	}
}

static int leb(struct asm_ctx *c, const char *p, const char *end, bool sign)
{
	for (;;) {
		struct asm_expr e;
		const char *at = asm_skip_ws(p, end);
		int r = bk__asm_parse_expr(c, &p, end, &e);
		if (r)
			return r;
		if (e.a && e.b) {
			struct asm_sym *a = &c->syms[e.a], *b = &c->syms[e.b];
			if (a->defined && b->defined && a->sec == b->sec) {
				e.c += (int64_t)(a->value - b->value);
				e.a = e.b = 0;
			}
		}
		if (e.a || e.b)
			return bk__asm_error(c, at, "%s needs a constant or a difference of labels defined earlier in one section",
					 sign ? ".sleb128" : ".uleb128");
		uint8_t buf[10];
		int n = 0;
		if (sign) {
			int64_t v = e.c;
			for (;;) {
				uint8_t b = v & 0x7f;
				v >>= 7;
				bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
				buf[n++] = done ? b : (uint8_t)(b | 0x80);
				if (done)
					break;
			}
		} else {
			uint64_t v = (uint64_t)e.c;
			do {
				uint8_t b = v & 0x7f;
				v >>= 7;
				buf[n++] = v ? (uint8_t)(b | 0x80) : b;
			} while (v);
		}
		if ((r = bk__asm_emit(c, buf, (size_t)n)))
			return r;
		if (!expect_comma(&p, end))
			return end_of_args(c, p, end);
	}
}

static int parse_flags(struct asm_ctx *c, const char *s, size_t n, uint64_t *flags, const char *at)
{
	*flags = 0;
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case 'a': *flags |= BK_SHF_ALLOC; break;
		case 'w': *flags |= BK_SHF_WRITE; break;
		case 'x': *flags |= BK_SHF_EXECINSTR; break;
		case 'M': *flags |= BK_SHF_MERGE; break;
		case 'S': *flags |= BK_SHF_STRINGS; break;
		case 'e': *flags |= BK_SHF_EXCLUDE; break;
		default: return bk__asm_error(c, at, "unknown section flag '%c'", s[i]);
		}
	}
	return 0;
}

static int dir_section(struct asm_ctx *c, const char *p, const char *end)
{
	const char *name, *at = asm_skip_ws(p, end);
	size_t nlen;
	if (at < end && *at == '"') {
		if (!get_name(c, &p, end, &name, &nlen))
			return bk__asm_error(c, at, "unterminated section name");
	} else {
		const char *q = at;
		while (q < end && *q != ',' && *q != ' ' && *q != '\t')
			q++;
		name = at;
		nlen = (size_t)(q - at);
		p = q;
	}
	if (!nlen)
		return bk__asm_error(c, at, "expected a section name");
	uint64_t flags = 0, entsize = 0;
	uint32_t type = BK_SHT_PROGBITS;
	bool explicit_flags = false;
	if (expect_comma(&p, end)) {
		const char *q = asm_skip_ws(p, end);
		if (q >= end || *q != '"')
			return bk__asm_error(c, q, "expected section flags in quotes");
		const char *fs = ++q;
		while (q < end && *q != '"')
			q++;
		if (q >= end)
			return bk__asm_error(c, fs - 1, "unterminated string");
		int r = parse_flags(c, fs, (size_t)(q - fs), &flags, fs);
		if (r)
			return r;
		explicit_flags = true;
		p = q + 1;
		if (expect_comma(&p, end)) {
			q = asm_skip_ws(p, end);
			if (q < end && (*q == '@' || *q == '%'))
				q++;
			const char *ts = q;
			q = asm_scan_ident(q, end);
			if (word_is(ts, q, "progbits"))
				type = BK_SHT_PROGBITS;
			else if (word_is(ts, q, "nobits"))
				type = BK_SHT_NOBITS;
			else
				return bk__asm_error(c, ts, "unknown section type '%.*s'", (int)(q - ts), ts);
			p = q;
			if (expect_comma(&p, end)) {
				int64_t v;
				const char *es = asm_skip_ws(p, end), *ee = es;
				while (ee < end && *ee != ',')
					ee++;
				if ((r = bk__asm_const_expr(c, es, ee, &v)))
					return r;
				entsize = (uint64_t)v;
				p = ee;
			}
		}
	}
	size_t before = c->nsecs;
	int r = bk__asm_section(c, name, nlen, type, flags, entsize, explicit_flags);
	if (r)
		return r;
	if (c->nsecs == before && explicit_flags) {
		struct asm_sec *s = &c->secs[c->cur];
		if (s->flags != flags || s->type != type)
			return bk__asm_error(c, at, "section '%s' was declared with different flags or type", s->name);
	}
	return 0;
}

static int sym_attr(struct asm_ctx *c, const char *p, const char *end, int what)
{
	for (;;) {
		const char *s, *at = asm_skip_ws(p, end);
		size_t n;
		if (!get_name(c, &p, end, &s, &n))
			return bk__asm_error(c, at, "expected a symbol name");
		uint32_t y = bk__asm_sym_get(c, s, n);
		if (!y)
			return -ENOMEM;
		struct asm_sym *sy = &c->syms[y];
		switch (what) {
		case 0: sy->bind = BK_STB_GLOBAL; sy->bind_set = true; break;
		case 1: sy->bind = BK_STB_WEAK; sy->bind_set = true; break;
		case 2: sy->bind = BK_STB_LOCAL; sy->bind_set = true; break;
		case 3: sy->vis = BK_STV_HIDDEN; break;
		case 4: sy->vis = BK_STV_PROTECTED; break;
		case 5: sy->vis = BK_STV_INTERNAL; break;
		}
		bk__asm_sym_register(c, y);
		if (!expect_comma(&p, end))
			return end_of_args(c, p, end);
	}
}

static int dir_type(struct asm_ctx *c, const char *p, const char *end)
{
	const char *s, *at = asm_skip_ws(p, end);
	size_t n;
	if (!get_name(c, &p, end, &s, &n))
		return bk__asm_error(c, at, "expected a symbol name");
	if (!expect_comma(&p, end))
		return bk__asm_error(c, p, "expected ','");
	const char *q = asm_skip_ws(p, end);
	if (q < end && (*q == '@' || *q == '%' || *q == '"'))
		q++;
	const char *ts = q;
	q = asm_scan_ident(q, end);
	uint8_t type;
	if (word_is(ts, q, "function") || word_is(ts, q, "STT_FUNC"))
		type = BK_STT_FUNC;
	else if (word_is(ts, q, "object") || word_is(ts, q, "STT_OBJECT"))
		type = BK_STT_OBJECT;
	else if (word_is(ts, q, "notype") || word_is(ts, q, "STT_NOTYPE"))
		type = BK_STT_NOTYPE;
	else
		return bk__asm_error(c, ts, "unsupported symbol type '%.*s'", (int)(q - ts), ts);
	uint32_t y = bk__asm_sym_get(c, s, n);
	if (!y)
		return -ENOMEM;
	c->syms[y].type = type;
	c->syms[y].type_set = true;
	bk__asm_sym_register(c, y);
	return 0;
}

static int dir_size(struct asm_ctx *c, const char *p, const char *end)
{
	const char *s, *at = asm_skip_ws(p, end);
	size_t n;
	if (!get_name(c, &p, end, &s, &n))
		return bk__asm_error(c, at, "expected a symbol name");
	if (!expect_comma(&p, end))
		return bk__asm_error(c, p, "expected ','");
	struct asm_expr e;
	at = asm_skip_ws(p, end);
	int r = bk__asm_parse_expr(c, &p, end, &e);
	if (r || (r = end_of_args(c, p, end)))
		return r;
	uint32_t y = bk__asm_sym_get(c, s, n);
	if (!y)
		return -ENOMEM;
	if (c->nsizes >= c->capsizes) {
		size_t nc = c->capsizes ? c->capsizes * 2 : 64;
		void *np = realloc(c->sizes, nc * sizeof(*c->sizes));
		if (!np)
			return -ENOMEM;
		c->sizes = np;
		c->capsizes = nc;
	}
	c->sizes[c->nsizes++] = (struct asm_size){ y, e, c->line,
		(uint32_t)(at - c->line_start) + 1 };
	return 0;
}

/* .set/.equ name, expr: a constant makes an absolute symbol; a label plus a constant
 * (`.set alias, func`, `.set mid, .Ltmp + 8`) makes a symbol at that place, as llvm-mc
 * does, settled at the end because the label may come later. */
static int dir_set(struct asm_ctx *c, const char *p, const char *end)
{
	const char *s, *at = asm_skip_ws(p, end);
	size_t n;
	if (!get_name(c, &p, end, &s, &n))
		return bk__asm_error(c, at, "expected a symbol name");
	if (!expect_comma(&p, end))
		return bk__asm_error(c, p, "expected ','");
	/* llvm-mc registers the name before reading the value (symbol table order) */
	uint32_t y = bk__asm_sym_get(c, s, n);
	if (!y)
		return -ENOMEM;
	bk__asm_sym_register(c, y);
	const char *ex = asm_skip_ws(p, end);
	struct asm_expr e;
	int r = bk__asm_expr_all(c, ex, end, &e);
	if (r)
		return r;
	struct asm_sym *sy = &c->syms[y];
	if ((sy->defined && sy->sec != SEC_ABS) || bk__asm_is_alias(c, y))
		return bk__asm_error(c, at, "'%.*s' is already defined as a label", (int)n, s);
	if (e.a == y)
		return bk__asm_error(c, ex, "'%.*s' cannot be defined in terms of itself", (int)n, s);
	if (e.a)
		return bk__asm_add_alias(c, y, &e, ex);
	sy->defined = true;
	sy->sec = SEC_ABS;
	sy->value = (uint64_t)e.c;
	return 0;
}

/* .comm sym, size[, align] (SHN_COMMON) and .lcomm sym, size (a local object in .bss),
 * as llvm-mc's ELF streamer does them */
static int dir_comm(struct asm_ctx *c, const char *p, const char *end, bool local)
{
	const char *s, *at = asm_skip_ws(p, end);
	size_t n;
	if (!get_name(c, &p, end, &s, &n))
		return bk__asm_error(c, at, "expected a symbol name");
	if (!expect_comma(&p, end))
		return bk__asm_error(c, p, "expected ','");
	const char *a = asm_skip_ws(p, end), *ae = a;
	while (ae < end && *ae != ',')
		ae++;
	int64_t size, align = 1;
	int r = bk__asm_const_expr(c, a, ae, &size);
	if (r)
		return r;
	if (size < 0 || size > (1 << 28))
		return bk__asm_error(c, a, "size %lld out of range [0, 268435456]", (long long)size);
	if (ae < end) {
		const char *b = asm_skip_ws(ae + 1, end);
		if (local)
			return bk__asm_error(c, b, "alignment not supported on this target");
		if ((r = bk__asm_const_expr(c, b, end, &align)))
			return r;
		if (align <= 0 || (align & (align - 1)) || align > 65536)
			return bk__asm_error(c, b, "alignment must be a power of 2 up to 65536");
	}
	uint32_t y = bk__asm_sym_get(c, s, n);
	if (!y)
		return -ENOMEM;
	struct asm_sym *sy = &c->syms[y];
	if (sy->defined || sy->sec == SEC_COMMON)
		return bk__asm_error(c, at, "invalid symbol redefinition of '%.*s'", (int)n, s);
	bk__asm_sym_register(c, y);
	sy->type = BK_STT_OBJECT;
	if ((r = bk__asm_set_size(c, y, (uint64_t)size)))
		return r;
	if (!local) {
		if (!sy->bind_set) {
			sy->bind = BK_STB_GLOBAL;
			sy->bind_set = true;
		}
		sy->sec = SEC_COMMON;
		sy->value = (uint64_t)align;
		return 0;
	}
	sy->bind = BK_STB_LOCAL;
	sy->bind_set = true;
	int cur = c->cur;
	if ((r = bk__asm_section(c, ".bss", 4, BK_SHT_NOBITS, BK_SHF_ALLOC | BK_SHF_WRITE, 0, true)))
		return r;
	sy = &c->syms[y];
	sy->defined = true;
	sy->sec = c->cur;
	sy->value = bk__asm_cur_off(c);
	struct asm_sec *bss = &c->secs[c->cur];
	if (bss->type == BK_SHT_NOBITS)
		bss->nobits += (uint64_t)size;
	else if (bk_buf_zero(&bss->data, (size_t)size))
		return -ENOMEM;
	c->prev = c->cur;
	c->cur = cur;
	return 0;
}

/* .incbin "file"[, skip[, count]]: the file's bytes, the name relative to the current
 * directory as llvm-mc takes it */
static int dir_incbin(struct asm_ctx *c, const char *p, const char *end)
{
	struct bk_buf name = { 0 };
	const char *at = asm_skip_ws(p, end);
	int r = bk__asm_parse_string(c, &p, end, &name);
	int64_t skip = 0, count = -1;
	if (!r && expect_comma(&p, end)) {
		const char *a = asm_skip_ws(p, end), *ae = a;
		while (ae < end && *ae != ',')
			ae++;
		r = bk__asm_const_expr(c, a, ae, &skip);
		if (!r && skip < 0)
			r = bk__asm_error(c, a, "skip is negative");
		p = ae;
		if (!r && expect_comma(&p, end)) {
			a = asm_skip_ws(p, end);
			r = bk__asm_const_expr(c, a, end, &count);
			if (!r && count < 0)
				r = bk__asm_error(c, a, "negative count has no effect");
			p = end;
		}
	}
	if (!r)
		r = end_of_args(c, p, end);
	if (!r && (bk_buf_append(&name, "", 1)))
		r = -ENOMEM;
	uint8_t *data = NULL;
	size_t len = 0;
	if (!r) {
		struct bk_err e2 = { 0 };
		if (memchr(name.data, 0, name.len - 1) || bk_read_file((const char *)name.data, &data, &len, &e2) < 0)
			r = bk__asm_error(c, at, "could not find incbin file '%s'", (const char *)name.data);
	}
	if (!r && (uint64_t)skip > len)
		r = bk__asm_error(c, at, "skip %lld is beyond the end of '%s' (%zu bytes)", (long long)skip,
				  (const char *)name.data, len);
	if (!r) {
		size_t n = len - (size_t)skip;
		if (count >= 0 && (uint64_t)count < n)
			n = (size_t)count;
		if (n)
			r = bk__asm_emit(c, data + skip, n);
	}
	free(data);
	bk_buf_free(&name);
	return r;
}

static int dir_rept(struct asm_ctx *c, const char *p, const char *end);

/* Directives whose effect does not depend on what came before the piece they are in,
 * nor reaches past it other than through symbols and section contents (which the merge of
 * a split input carries over): a second half of the input read by another thread may use
 * only these (bk__asm_split_*). The rest (.set, .file, .loc, .cfi_*, .comm, .previous,
 * numeric labels, ...) send the input back to one thread. */
static bool split_safe(const char *d, size_t n)
{
	/* each name led by its length */
	static const char *const ok[] = {
		"\5.text", "\5.data", "\4.bss", "\10.section", "\6.globl", "\7.global", "\5.weak",
		"\6.local", "\7.hidden", "\12.protected", "\11.internal", "\5.type", "\5.size",
		"\10.p2align", "\11.p2alignw", "\11.p2alignl", "\6.align", "\7.balign", "\5.byte",
		"\6.short", "\6.2byte", "\5.long", "\4.int", "\6.4byte", "\5.quad", "\6.8byte",
		"\6.ascii", "\6.asciz", "\7.string", "\5.zero", "\5.skip", "\6.space", "\10.uleb128",
		"\10.sleb128", "\10.addrsig", "\14.addrsig_sym", "\6.ident", "\5.rept", "\5.endr",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if ((size_t)ok[i][0] == n && !memcmp(ok[i] + 1, d, n))
			return true;
	return false;
}

static int directive(struct asm_ctx *c, const char *p, const char *end)
{
	const char *d = p;
	p = asm_scan_ident(p + 1, end);
	const char *de = p;
	size_t n = (size_t)(de - d);
	int r;
	if (c->split_part && !split_safe(d, n))
		return bk__asm_error(c, d, "'%.*s' in the second half of a split input", (int)n, d);
#define IS(w) (n == sizeof(w) - 1 && !memcmp(d, w, n))
	switch (d[1]) {
	case 'a':
		if (IS(".ascii") || IS(".asciz")) {
			for (;;) {
				struct bk_buf b = { 0 };
				r = bk__asm_parse_string(c, &p, end, &b);
				if (!r && IS(".asciz"))
					r = bk_buf_append(&b, "", 1) ? -ENOMEM : 0;
				if (!r && b.len)
					r = bk__asm_emit(c, b.data, b.len);
				bk_buf_free(&b);
				if (r)
					return r;
				if (!expect_comma(&p, end))
					return end_of_args(c, p, end);
			}
		}
		if (IS(".addrsig")) {
			c->addrsig = true;
			return 0;
		}
		if (IS(".addrsig_sym")) {
			const char *s, *at = asm_skip_ws(p, end);
			size_t sn;
			if (!get_name(c, &p, end, &s, &sn))
				return bk__asm_error(c, at, "expected a symbol name");
			uint32_t y = bk__asm_sym_get(c, s, sn);
			if (!y)
				return -ENOMEM;
			if (c->naddrsig >= c->capaddrsig) {
				size_t nc = c->capaddrsig ? c->capaddrsig * 2 : 32;
				void *np = realloc(c->addrsig_syms, nc * sizeof(uint32_t));
				if (!np)
					return -ENOMEM;
				c->addrsig_syms = np;
				c->capaddrsig = nc;
			}
			c->addrsig_syms[c->naddrsig++] = y;
			return 0;
		}
		if (IS(".align") || IS(".balign"))
			goto align;
		break;
	case 'b':
		if (IS(".byte"))
			return data_values(c, p, end, 1);
		if (IS(".bss"))
			return bk__asm_section(c, ".bss", 4, BK_SHT_NOBITS, BK_SHF_ALLOC | BK_SHF_WRITE, 0, true);
		if (IS(".balign"))
			goto align;
		break;
	case 'c':
		if (IS(".comm"))
			return dir_comm(c, p, end, false);
		if (n > 5 && !memcmp(d, ".cfi_", 5))
			return bk__asm_dir_cfi(c, d, n, p, end);
		break;
	case 'd':
		if (IS(".data"))
			return bk__asm_section(c, ".data", 5, BK_SHT_PROGBITS, BK_SHF_ALLOC | BK_SHF_WRITE, 0, true);
		break;
	case 'e':
		if (IS(".equ"))
			return dir_set(c, p, end);
		if (IS(".endr"))
			return bk__asm_error(c, d, "unmatched '.endr' directive");
		break;
	case 'f':
		if (IS(".file")) {
			const char *q = asm_skip_ws(p, end);
			if (q < end && *q == '"') {
				const char *s;
				size_t sn;
				if (!get_name(c, &q, end, &s, &sn))
					return bk__asm_error(c, q, "unterminated string");
				q = asm_skip_ws(q, end);
				if (q >= end && !c->file_name) {
					c->file_name = bk__asm_intern(c, s, sn);
					if (!c->file_name)
						return -ENOMEM;
					c->file_nlen = (uint32_t)sn;
				}
				return 0;
			}
			if (q < end && *q >= '0' && *q <= '9')
				return bk__asm_dir_file(c, p, end);
			return bk__asm_error(c, q, "expected a file name or number");
		}
		break;
	case 'g':
		if (IS(".globl") || IS(".global"))
			return sym_attr(c, p, end, 0);
		break;
	case 'h':
		if (IS(".hidden"))
			return sym_attr(c, p, end, 3);
		break;
	case 'i':
		if (IS(".ident"))
			return 0;
		if (IS(".incbin"))
			return dir_incbin(c, p, end);
		if (IS(".int"))
			return data_values(c, p, end, 4);
		if (IS(".internal"))
			return sym_attr(c, p, end, 5);
		break;
	case 'l':
		if (IS(".lcomm"))
			return dir_comm(c, p, end, true);
		if (IS(".long"))
			return data_values(c, p, end, 4);
		if (IS(".loc"))
			return bk__asm_dir_loc(c, p, end);
		if (IS(".local"))
			return sym_attr(c, p, end, 2);
		break;
	case 'p':
		if (IS(".p2align") || IS(".p2alignw") || IS(".p2alignl")) {
			int64_t v, fill = 0;
			const char *a = asm_skip_ws(p, end), *ae = a;
			while (ae < end && *ae != ',')
				ae++;
			if ((r = bk__asm_const_expr(c, a, ae, &v)))
				return r;
			if (v < 0 || v > 16)
				return bk__asm_error(c, a, "alignment 2^%lld out of range [0, 16]", (long long)v);
			if (ae < end) {
				const char *f = ae + 1, *fe = f;
				while (fe < end && *fe != ',')
					fe++;
				if (asm_skip_ws(f, fe) < fe && (r = bk__asm_const_expr(c, f, fe, &fill)))
					return r;
			}
			return bk__asm_align(c, (uint64_t)1 << v, (uint8_t)fill);
		}
		if (IS(".protected"))
			return sym_attr(c, p, end, 4);
		if (IS(".previous")) {
			if ((r = end_of_args(c, p, end)))
				return r;
			if (c->prev < 0)
				return bk__asm_error(c, d, ".previous without corresponding .section");
			int t = c->cur;
			c->cur = c->prev;
			c->prev = t;
			return 0;
		}
		if (IS(".pushsection")) {
			if (c->nsecstack + 2 > c->capsecstack) {
				size_t nc = c->capsecstack ? c->capsecstack * 2 : 16;
				int *ns = realloc(c->secstack, nc * sizeof(*ns));
				if (!ns)
					return -ENOMEM;
				c->secstack = ns;
				c->capsecstack = nc;
			}
			c->secstack[c->nsecstack++] = c->cur;
			c->secstack[c->nsecstack++] = c->prev;
			return dir_section(c, p, end);
		}
		if (IS(".popsection")) {
			if ((r = end_of_args(c, p, end)))
				return r;
			if (!c->nsecstack)
				return bk__asm_error(c, d, ".popsection without corresponding .pushsection");
			c->prev = c->secstack[--c->nsecstack];
			c->cur = c->secstack[--c->nsecstack];
			return 0;
		}
		break;
	case 'q':
		if (IS(".quad"))
			return data_values(c, p, end, 8);
		break;
	case 'r':
		if (IS(".rept"))
			return dir_rept(c, p, end);
		break;
	case 's':
		if (IS(".section"))
			return dir_section(c, p, end);
		if (IS(".short"))
			return data_values(c, p, end, 2);
		if (IS(".size"))
			return dir_size(c, p, end);
		if (IS(".set"))
			return dir_set(c, p, end);
		if (IS(".sleb128"))
			return leb(c, p, end, true);
		if (IS(".string"))
			goto asciz;
		if (IS(".skip") || IS(".space"))
			goto zero;
		break;
	case 't':
		if (IS(".text"))
			return bk__asm_section(c, ".text", 5, BK_SHT_PROGBITS, BK_SHF_ALLOC | BK_SHF_EXECINSTR, 0, true);
		if (IS(".type"))
			return dir_type(c, p, end);
		break;
	case 'u':
		if (IS(".uleb128"))
			return leb(c, p, end, false);
		break;
	case 'w':
		if (IS(".weak"))
			return sym_attr(c, p, end, 1);
		break;
	case 'z':
		if (IS(".zero"))
			goto zero;
		break;
	case '2':
		if (IS(".2byte"))
			return data_values(c, p, end, 2);
		break;
	case '4':
		if (IS(".4byte"))
			return data_values(c, p, end, 4);
		break;
	case '8':
		if (IS(".8byte"))
			return data_values(c, p, end, 8);
		break;
	}
	return bk__asm_error(c, d, "unknown directive '%.*s'", (int)n, d);
asciz:
	for (;;) {
		struct bk_buf b = { 0 };
		r = bk__asm_parse_string(c, &p, end, &b);
		if (!r)
			r = bk_buf_append(&b, "", 1) ? -ENOMEM : 0;
		if (!r)
			r = bk__asm_emit(c, b.data, b.len);
		bk_buf_free(&b);
		if (r)
			return r;
		if (!expect_comma(&p, end))
			return end_of_args(c, p, end);
	}
zero: {
	int64_t v, fill = 0;
	const char *a = asm_skip_ws(p, end), *ae = a;
	while (ae < end && *ae != ',')
		ae++;
	if ((r = bk__asm_const_expr(c, a, ae, &v)))
		return r;
	if (ae < end && (r = bk__asm_const_expr(c, ae + 1, end, &fill)))
		return r;
	if (v < 0 || v > (1 << 28))
		return bk__asm_error(c, a, "size %lld out of range [0, 268435456]", (long long)v);
	struct asm_sec *s = &c->secs[c->cur];
	if (s->type == BK_SHT_NOBITS) {
		if (fill)
			return bk__asm_error(c, a, "non-zero fill in NOBITS section");
		s->nobits += (uint64_t)v;
		return 0;
	}
	if (!v)
		return 0;
	if ((r = bk__asm_spill_check(c)))
		return r;
	if (bk_buf_reserve(&s->data, (size_t)v))
		return -ENOMEM;
	memset(s->data.data + s->data.len, (int)fill, (size_t)v);
	s->data.len += (size_t)v;
	return 0;
}
align: {
	int64_t v, fill = 0;
	const char *a = asm_skip_ws(p, end), *ae = a;
	while (ae < end && *ae != ',')
		ae++;
	if ((r = bk__asm_const_expr(c, a, ae, &v)))
		return r;
	if (v <= 0 || (v & (v - 1)) || v > 65536)
		return bk__asm_error(c, a, "alignment must be a power of 2 up to 65536");
	if (ae < end && (r = bk__asm_const_expr(c, ae + 1, end, &fill)))
		return r;
	return bk__asm_align(c, (uint64_t)v, (uint8_t)fill);
}
#undef IS
}

static int statement(struct asm_ctx *c, struct asm_matcher *m, const char *p, const char *end)
{
	for (;;) {
		p = asm_skip_ws(p, end);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			end--;
		if (p >= end)
			return 0;
		/* label? */
		const char *q = p;
		if (asm_is_ident_start(*q) || (*q >= '0' && *q <= '9')) {
			q = asm_scan_ident(q, end);
			if (q < end && *q == ':') {
				int r;
				if (*p >= '0' && *p <= '9') {
					uint64_t n;
					const char *e = p;
					uint32_t y;
					if (!bk__asm_parse_number(&e, q, &n) || e != q || (*p == '0' && q - p > 1))
						return bk__asm_error(c, p, "invalid label '%.*s'", (int)(q - p), p);
					if ((r = bk__asm_numeric_label(c, n, ':', p, &y)))
						return r;
					p = q + 1;
					continue;
				}
				r = bk__asm_define_label(c, p, (size_t)(q - p), p);
				if (r)
					return r;
				p = q + 1;
				continue;
			}
		} else if (*q == '"') {
			const char *s;
			size_t n;
			if (get_name(c, &q, end, &s, &n) && q < end && *q == ':') {
				int r = bk__asm_define_label(c, s, n, p);
				if (r)
					return r;
				p = q + 1;
				continue;
			}
		}
		c->stmt = p;
		if (*p == '.' && p + 1 < end && asm_is_ident_start(p[1]))
			return directive(c, p, end);
		return bk__asm_match_insn(c, m, p, end);
	}
}

/* Complete lines [text, text + len) (the last one may lack its newline). Called once per
 * piece of a streamed input: the line number and an open block comment carry over. */
/* characters that end or open something on a line: strings, comments, ';' */
static const bool special[256] = { ['"'] = true, ['#'] = true, ['/'] = true, [';'] = true, ['\\'] = true };

/* The directive word a line starts with, if it is WORD (followed by a blank, a comment
 * or the end). */
static bool line_is(const char *p, const char *le, const char *word, size_t n)
{
	p = asm_skip_ws(p, le);
	return (size_t)(le - p) >= n && !memcmp(p, word, n) &&
	       (p + n == le || p[n] == ' ' || p[n] == '\t' || p[n] == '#' || p[n] == '\r');
}

/* A line inside .rept ... .endr: kept for later, or the .endr that replays the body. */
static int rept_line(struct asm_ctx *c, struct asm_matcher *m, const char *ls, const char *le)
{
	if (line_is(ls, le, ".rept", 5))
		c->rept_depth++;
	else if (line_is(ls, le, ".endr", 5) && !--c->rept_depth) {
		/* the body is taken out of the context: a .rept inside it collects anew */
		struct bk_buf body = c->rept_body;
		uint64_t count = c->rept_count;
		uint32_t first = c->rept_line + 1, endr = c->line;
		memset(&c->rept_body, 0, sizeof(c->rept_body));
		int r = 0;
		for (uint64_t k = 0; k < count && !r; k++) {
			c->line = first;
			r = bk__asm_llvm_lines(c, m, (const char *)body.data, body.len);
		}
		bk_buf_free(&body);
		if (!r && c->rept_depth)
			r = bk__asm_error(c, NULL, "no matching '.endr' in the body of this '.rept'");
		c->line = endr;
		return r;
	}
	if (c->rept_body.len + (size_t)(le - ls) + 1 > ((size_t)1 << 26))
		return bk__asm_error(c, NULL, ".rept body larger than 64 MiB");
	if (bk_buf_append(&c->rept_body, ls, (size_t)(le - ls)) || bk_buf_append(&c->rept_body, "\n", 1))
		return bk_err_set(c->err, -ENOMEM, "%s: out of memory", c->name);
	return 0;
}

/* .rept COUNT: the lines up to the matching .endr are assembled COUNT times. */
static int dir_rept(struct asm_ctx *c, const char *p, const char *end)
{
	const char *at = asm_skip_ws(p, end);
	int64_t v;
	int r = bk__asm_const_expr(c, at, end, &v);
	if (r)
		return r;
	if (v < 0)
		return bk__asm_error(c, at, "count is negative");
	if (v > (1 << 24))
		return bk__asm_error(c, at, "count %lld out of range [0, 16777216]", (long long)v);
	c->rept_depth = 1;
	c->rept_count = (uint64_t)v;
	c->rept_line = c->line;
	c->rept_col = c->stmt && c->line_start && c->stmt >= c->line_start ? (uint32_t)(c->stmt - c->line_start) + 1 : 1;
	c->rept_body.len = 0;
	return 0;
}

int bk__asm_llvm_lines(struct asm_ctx *c, struct asm_matcher *m, const char *text, size_t len)
{
	if (!len) /* an empty .rept body has no buffer at all */
		return 0;
	const char *p = text, *end = text + len;
	int r = 0;
	bk__asm_fast_init();
	/* the lines before LIM end in '\n', which the one-pass reader needs; a last line
	 * without one is the general path's */
	const char *lim = end;
	while (lim > text && lim[-1] != '\n')
		lim--;
	while (p < end && !r) {
		if (p < lim && !c->rept_depth && !c->in_block) {
			/* most lines are one instruction or a label: read in one pass */
			if ((r = bk__asm_fast_lines(c, m, p, lim, end, &p)) || p == end)
				continue;
		}
		const char *ls = p;
		c->line_start = ls;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (c->rept_depth) {
			c->stmt = asm_skip_ws(ls, le);
			r = rept_line(c, m, ls, le);
			p = le + 1;
			if (!r)
				c->line++;
			continue;
		}
		const char *s = p;
		bool in_str = false;
		const char *q = p, *quote = NULL;
		if (c->in_block) {
			for (; q + 1 < le; q++)
				if (q[0] == '*' && q[1] == '/')
					break;
			if (q + 1 >= le) {
				p = le + 1;
				c->line++;
				continue;
			}
			c->in_block = false;
			s = q = q + 2;
		}
		for (; q < le && !r; q++) {
			char ch = *q;
			/* most characters are none of the special ones */
			if (!special[(uint8_t)ch])
				continue;
			if (in_str) {
				if (ch == '\\' && q + 1 < le)
					q++;
				else if (ch == '"')
					in_str = false;
				continue;
			}
			if (ch == '"') {
				in_str = true;
				quote = q;
			} else if (ch == '#' || (ch == '/' && q + 1 < le && q[1] == '/')) {
				break;
			} else if (ch == ';') {
				r = statement(c, m, s, q);
				s = q + 1;
			} else if (ch == '/' && q + 1 < le && q[1] == '*') {
				r = statement(c, m, s, q);
				const char *ce = q + 2;
				while (ce + 1 < le && !(ce[0] == '*' && ce[1] == '/'))
					ce++;
				if (ce + 1 >= le) {
					c->in_block = true;
					s = q = le;
					break;
				}
				s = ce + 2;
				q = ce + 1;
			}
		}
		if (!r && !c->in_block) {
			if (in_str)
				r = bk__asm_error(c, quote, "unterminated string");
			else
				r = statement(c, m, s, q < le ? q : le);
		}
		p = le + 1;
		if (!r)
			c->line++;
	}
	/* what reads the fixups (the end of the input, the merge of a split one) needs all */
	if (!r && c->npjmp)
		r = bk__asm_flush_jumps(c);
	return r;
}

int bk__asm_llvm(struct asm_ctx *c, const char *text, size_t len)
{
	struct asm_matcher *m = bk__asm_matcher_new(BK_ASM_LLVM);
	if (!m)
		return bk_err_set(c->err, -ENOMEM, "%s: out of memory", c->name);
	int r = bk__asm_llvm_lines(c, m, text, len);
	bk__asm_matcher_free(m);
	return r;
}
