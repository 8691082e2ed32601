/* Assembler core: symbols, sections, expressions, fixups and the object that llvm-mc-19
 * would write for the same input (symbol order, section symbols, relocation types). */
#define _GNU_SOURCE /* O_TMPFILE */
#include "asm_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bk__asm_error(struct asm_ctx *c, const char *at, const char *fmt, ...)
{
	if (c->err && c->err->code)
		return c->err->code ? c->err->code : -EINVAL;
	char msg[BK_ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	unsigned col = 1;
	if (!at)
		at = c->stmt;
	if (at && c->line_start && at >= c->line_start)
		col = (unsigned)(at - c->line_start) + 1;
	return bk_err_set(c->err, -EINVAL, "%s:%u:%u: %s", c->name, c->line, col, msg);
}

static int oom(struct asm_ctx *c)
{
	return bk_err_set(c->err, -ENOMEM, "%s: out of memory", c->name);
}

#define GROW(c, arr, n, cap)                                                              \
	((n) < (cap) ? 0 : grow_array((void **)&(arr), &(cap), sizeof(*(arr))) ? oom(c) : 0)

/* Maps the pages of [p, p + n) now, in one call: on this kind of VM a page fault costs
 * microseconds, and the big tables of a big file would take thousands of them one at a
 * time. Only for memory that is about to be written anyway. */
static void prefault_min(void *p, size_t n, size_t min)
{
	const size_t pg = 4096;
	uintptr_t a = ((uintptr_t)p + pg - 1) & ~(uintptr_t)(pg - 1), e = ((uintptr_t)p + n) & ~(uintptr_t)(pg - 1);
	if (n >= min && e > a)
		(void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
}

static void prefault(void *p, size_t n)
{
	prefault_min(p, n, 64 * 1024);
}

static int grow_array(void **arr, size_t *cap, size_t elem)
{
	size_t nc = *cap ? *cap * 2 : 64;
	void *p = realloc(*arr, nc * elem);
	if (!p)
		return -ENOMEM;
	/* arrays fill from the front: the new half is what comes next */
	prefault((char *)p + *cap * elem, (nc - *cap) * elem);
	*arr = p;
	*cap = nc;
	return 0;
}

char *bk__asm_strdup(struct asm_ctx *c, const char *s, size_t n)
{
	if (GROW(c, c->owned, c->nowned, c->capowned))
		return NULL;
	char *p = malloc(n + 1);
	if (!p) {
		oom(c);
		return NULL;
	}
	memcpy(p, s, n);
	p[n] = 0;
	c->owned[c->nowned++] = p;
	return p;
}

/* Names live in blocks that outlive the input text: the text may be read in pieces. */
const char *bk__asm_intern(struct asm_ctx *c, const char *s, size_t n)
{
	if (c->arena_left < n + 1) {
		size_t sz = n + 1 > 65536 ? n + 1 : 65536;
		if (GROW(c, c->owned, c->nowned, c->capowned))
			return NULL;
		char *b = malloc(sz);
		if (!b) {
			oom(c);
			return NULL;
		}
		prefault(b, sz);
		c->owned[c->nowned++] = b;
		c->arena = b;
		c->arena_left = sz;
	}
	char *p = c->arena;
	memcpy(p, s, n);
	p[n] = 0;
	c->arena += n + 1;
	c->arena_left -= n + 1;
	return p;
}

/* ---- symbols ------------------------------------------------------------------------ */

static inline uint32_t hash_name(const char *s, size_t n)
{
	return asm_hash_name(s, n);
}

/* The table's slots are 4 bytes: the symbol index in the low 24 bits and 8 more bits of
 * the hash above, so a probe that misses is decided in the table without touching the
 * symbol array, and a million-line file's table (1 MiB) stays in the cache. */
#define HT_IDX(e) ((e) & 0xffffffu)
#define HT_TAG(h) ((h) & 0xff000000u)

static void htab_free(struct asm_ctx *c)
{
	free(c->htab);
	c->htab = NULL;
}

static int rehash(struct asm_ctx *c)
{
	size_t ncap = c->htab ? (c->hmask + 1) * 2 : c->hsize_hint > 1024 ? c->hsize_hint : 1024;
	while ((c->nsyms + 1) * 4 > ncap * 3)
		ncap *= 2;
	uint32_t *t = calloc(ncap, sizeof(*t));
	if (!t)
		return oom(c);
	prefault(t, ncap * sizeof(*t));
	/* the slot comes from the hash's low bits, which neither the slot nor the symbol
	 * keeps: hashed again (the names lie in the arena in symbol order) */
	for (size_t i = 1; i < c->nsyms; i++) {
		if (c->syms[i].is_section)
			continue;
		uint32_t h = hash_name(c->syms[i].name, c->syms[i].nlen);
		size_t j = h & (ncap - 1);
		while (t[j])
			j = (j + 1) & (ncap - 1);
		t[j] = HT_TAG(h) | (uint32_t)i;
	}
	htab_free(c);
	c->htab = t;
	c->hmask = ncap - 1;
	return 0;
}

/* memcmp for the short names of labels, without a call: both sides have LEN bytes */
static inline bool same_name(const char *a, const char *b, size_t len)
{
	uint64_t x, y;
	if (len < 8)
		return !memcmp(a, b, len);
	for (size_t i = 0; i + 8 < len; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return false;
	}
	memcpy(&x, a + len - 8, 8);
	memcpy(&y, b + len - 8, 8);
	return x == y;
}

static inline uint32_t sym_lookup(struct asm_ctx *c, const char *name, size_t len, uint32_t h)
{
	for (size_t j = h & c->hmask;; j = (j + 1) & c->hmask) {
		uint32_t e = c->htab[j];
		if (!e)
			return 0;
		if ((e ^ h) & 0xff000000u)
			continue;
		const struct asm_sym *s = &c->syms[HT_IDX(e)];
		if (s->nlen == len && same_name(s->name, name, len))
			return HT_IDX(e);
	}
}

uint32_t bk__asm_sym_find(struct asm_ctx *c, const char *name, size_t len)
{
	if (!c->htab)
		return 0;
	return sym_lookup(c, name, len, hash_name(name, len));
}

/* Returns the symbol's index, creating an undefined one; 0 on allocation failure. */
uint32_t bk__asm_sym_get(struct asm_ctx *c, const char *name, size_t len)
{
	uint32_t h = hash_name(name, len);
	uint32_t i = c->htab ? sym_lookup(c, name, len, h) : 0;
	if (i)
		return i;
	if (c->nsyms >= 0xffffff) {
		bk__asm_error(c, NULL, "too many symbols (at most 16777214)");
		return 0;
	}
	/* at most 3/4 full: probes stay short */
	if (!c->htab || (c->nsyms + 1) * 4 > (c->hmask + 1) * 3)
		if (rehash(c))
			return 0;
	if (GROW(c, c->syms, c->nsyms, c->capsyms))
		return 0;
	if (c->split_part && !c->shash_lost && c->capshash < c->capsyms) {
		uint32_t *t = realloc(c->shash, c->capsyms * sizeof(*t));
		if (t) {
			c->shash = t;
			c->capshash = c->capsyms;
		} else {
			free(c->shash);
			c->shash = NULL;
			c->shash_lost = true;
		}
	}
	const char *copy = bk__asm_intern(c, name, len);
	if (!copy)
		return 0;
	i = (uint32_t)c->nsyms++;
	if (c->shash)
		c->shash[i] = h;
	struct asm_sym *s = &c->syms[i];
	/* the array is written in order: its next lines, which are long out of the cache */
	if (c->nsyms + 8 < c->capsyms)
		__builtin_prefetch(&c->syms[c->nsyms + 8], 1);
	memset(s, 0, sizeof(*s));
	s->name = copy;
	s->nlen = (uint32_t)len;
	s->sec = SEC_UNDEF;
	s->temp = len >= 2 && name[0] == '.' && name[1] == 'L';
	size_t j = h & c->hmask;
	while (c->htab[j])
		j = (j + 1) & c->hmask;
	c->htab[j] = HT_TAG(h) | i;
	return i;
}

int bk__asm_set_size(struct asm_ctx *c, uint32_t sym, uint64_t size)
{
	if (GROW(c, c->symsz, c->nsymsz, c->capsymsz))
		return -ENOMEM;
	c->symsz[c->nsymsz] = (struct asm_symsize){ .sym = sym, .seq = (uint32_t)c->nsymsz, .size = size };
	c->nsymsz++;
	return 0;
}

int bk__asm_add_alias(struct asm_ctx *c, uint32_t sym, const struct asm_expr *e, const char *at)
{
	if (GROW(c, c->alias, c->nalias, c->capalias))
		return -ENOMEM;
	size_t col = at && c->line_start && at >= c->line_start ? (size_t)(at - c->line_start) + 1 : 1;
	c->alias[c->nalias++] = (struct asm_alias){ .sym = sym, .line = c->line, .col = (uint32_t)col, .e = *e };
	return 0;
}

bool bk__asm_is_alias(struct asm_ctx *c, uint32_t sym)
{
	for (size_t i = 0; i < c->nalias; i++)
		if (c->alias[i].sym == sym)
			return true;
	return false;
}

/* Gives each `.set name, label + k` its place, in as many rounds as aliases of aliases
 * need; what is left refers to a symbol defined nowhere. */
static int settle_aliases(struct asm_ctx *c)
{
	size_t left = c->nalias;
	while (left) {
		size_t before = left;
		for (size_t i = 0; i < c->nalias; i++) {
			struct asm_alias *al = &c->alias[i];
			struct asm_sym *y = &c->syms[al->sym], *a = &c->syms[al->e.a];
			if (y->defined || !a->defined)
				continue;
			y->defined = true;
			y->sec = a->sec;
			y->value = a->value + (uint64_t)al->e.c;
			left--;
		}
		if (left == before)
			break;
	}
	for (size_t i = 0; i < c->nalias; i++) {
		const struct asm_alias *al = &c->alias[i];
		if (!c->syms[al->sym].defined)
			return bk_err_set(c->err, -EINVAL, "%s:%u:%u: .set: '%s' is not defined in this file",
					  c->name, al->line, al->col, c->syms[al->e.a].name);
	}
	return 0;
}

static int cmp_symsize(const void *x, const void *y);
static bool sym_has_size(struct asm_ctx *c, uint32_t sym);
static uint64_t sym_size(struct asm_ctx *c, uint32_t sym);

static const struct asm_alias *alias_of(struct asm_ctx *c, uint32_t sym)
{
	for (size_t i = 0; i < c->nalias; i++)
		if (c->alias[i].sym == sym)
			return &c->alias[i];
	return NULL;
}

/* llvm-mc's ELF writer gives an alias its base symbol's type where that is stronger
 * (FUNC over OBJECT over NOTYPE) and, when it has no .size of its own, the size of the
 * first sized symbol down a chain of plain `.set a, b`, else the base's. Needs symsz
 * sorted; leaves it sorted. */
static int alias_type_size(struct asm_ctx *c)
{
	size_t n0 = c->nsymsz;
	for (size_t i = 0; i < c->nalias; i++) {
		uint32_t y = c->alias[i].sym, base = c->alias[i].e.a;
		for (int guard = 0; guard < 64; guard++) {
			const struct asm_alias *al = alias_of(c, base);
			if (!al)
				break;
			base = al->e.a;
		}
		struct asm_sym *s = &c->syms[y];
		uint8_t bt = c->syms[base].type;
		uint8_t ty = bt;
		if (s->type == BK_STT_FUNC && (bt == BK_STT_OBJECT || bt == BK_STT_NOTYPE))
			ty = BK_STT_FUNC;
		else if (s->type == BK_STT_OBJECT && bt == BK_STT_NOTYPE)
			ty = BK_STT_OBJECT;
		s->type = ty;
		if (sym_has_size(c, y))
			continue;
		bool have = sym_has_size(c, base);
		uint64_t size = have ? sym_size(c, base) : 0;
		const struct asm_alias *al = &c->alias[i];
		for (int guard = 0; al && !al->e.c && guard < 64; guard++) {
			uint32_t t = al->e.a;
			if (sym_has_size(c, t)) {
				have = true;
				size = sym_size(c, t);
				break;
			}
			al = alias_of(c, t);
		}
		if (have && bk__asm_set_size(c, y, size))
			return -ENOMEM;
	}
	if (c->nsymsz != n0)
		qsort(c->symsz, c->nsymsz, sizeof(*c->symsz), cmp_symsize);
	return 0;
}

static int cmp_symsize(const void *x, const void *y)
{
	const struct asm_symsize *a = x, *b = y;
	if (a->sym != b->sym)
		return a->sym < b->sym ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool sym_has_size(struct asm_ctx *c, uint32_t sym)
{
	size_t lo = 0, hi = c->nsymsz;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->symsz[mid].sym < sym)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nsymsz && c->symsz[lo].sym == sym;
}

/* The size last given to SYM (sorted table, see build_object). */
static uint64_t sym_size(struct asm_ctx *c, uint32_t sym)
{
	size_t lo = 0, hi = c->nsymsz;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->symsz[mid].sym <= sym)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && c->symsz[lo - 1].sym == sym ? c->symsz[lo - 1].size : 0;
}

void bk__asm_sym_register(struct asm_ctx *c, uint32_t s)
{
	if (!c->syms[s].registered) {
		c->syms[s].registered = true;
		c->syms[s].order = ++c->order;
	}
}

/* Numeric labels become temporary symbols ".L<STX>N<STX>K" (the K-th definition of N): a
 * name no source can spell, temporary like llvm-mc's, so never in the symbol table. */
int bk__asm_numeric_label(struct asm_ctx *c, uint64_t n, char dir, const char *at, uint32_t *sym)
{
	/* their names count definitions from the start of the input */
	if (c->split_part)
		return bk__asm_error(c, at, "numeric label in the second half of a split input");
	size_t i;
	for (i = 0; i < c->nnumlab; i++)
		if (c->numlab[i].n == n)
			break;
	if (i == c->nnumlab) {
		if (GROW(c, c->numlab, c->nnumlab, c->capnumlab))
			return -ENOMEM;
		c->numlab[c->nnumlab].n = n;
		c->numlab[c->nnumlab++].count = 0;
	}
	uint32_t k = c->numlab[i].count;
	if (dir == ':')
		k = ++c->numlab[i].count;
	else if (dir == 'f')
		k++;
	else if (!k)
		return bk__asm_error(c, at, "no numeric label %llu before this '%llub'", (unsigned long long)n,
				     (unsigned long long)n);
	char name[64];
	int len = snprintf(name, sizeof(name), ".L\002%llu\002%u", (unsigned long long)n, k);
	uint32_t y = bk__asm_sym_get(c, name, (size_t)len);
	if (!y)
		return -ENOMEM;
	if (dir == 'f' && !c->syms[y].defined) {
		if (GROW(c, c->numfwd, c->nnumfwd, c->capnumfwd))
			return -ENOMEM;
		c->numfwd[c->nnumfwd].sym = y;
		c->numfwd[c->nnumfwd].line = c->line;
		c->numfwd[c->nnumfwd++].col = at && c->line_start && at >= c->line_start ?
						      (uint32_t)(at - c->line_start) + 1 : 1;
	}
	if (dir == ':') {
		struct asm_sym *t = &c->syms[y];
		t->defined = true;
		t->sec = c->cur;
		t->value = bk__asm_cur_off(c);
		bk__asm_sym_register(c, y);
	}
	*sym = y;
	return 0;
}

static void settle_jumps(struct asm_ctx *c, uint32_t sym);

int bk__asm_define_label(struct asm_ctx *c, const char *name, size_t len, const char *at)
{
	uint32_t s = bk__asm_sym_get(c, name, len);
	if (!s)
		return -ENOMEM;
	struct asm_sym *y = &c->syms[s];
	if (y->defined || y->sec == SEC_COMMON)
		return bk__asm_error(c, at, "duplicate label '%.*s'", (int)len, name);
	y->defined = true;
	y->sec = c->cur;
	y->value = bk__asm_cur_off(c);
	bk__asm_sym_register(c, s);
	if (c->npjmp)
		settle_jumps(c, s);
	return 0;
}

/* ---- sections ----------------------------------------------------------------------- */

int bk__asm_section(struct asm_ctx *c, const char *name, size_t len, uint32_t type, uint64_t flags,
		uint64_t entsize, bool explicit_flags)
{
	for (size_t i = 0; i < c->nsecs; i++)
		if (strlen(c->secs[i].name) == len && !memcmp(c->secs[i].name, name, len)) {
			c->prev = c->cur;
			c->cur = (int)i;
			return 0;
		}
	if (c->nsecs >= 0xff00)
		return bk__asm_error(c, name, "too many sections (at most 65280)");
	if (GROW(c, c->secs, c->nsecs, c->capsecs))
		return -ENOMEM;
	struct asm_sec *s = &c->secs[c->nsecs];
	memset(s, 0, sizeof(*s));
	s->name = bk__asm_strdup(c, name, len);
	if (!s->name)
		return -ENOMEM;
	if (!explicit_flags) {
		/* llvm-mc's defaults for well-known names */
		if ((len >= 5 && !memcmp(name, ".text", 5)))
			flags = BK_SHF_ALLOC | BK_SHF_EXECINSTR;
		else if ((len >= 5 && !memcmp(name, ".data", 5)) || (len >= 4 && !memcmp(name, ".bss", 4)))
			flags = BK_SHF_ALLOC | BK_SHF_WRITE;
		else if (len >= 7 && !memcmp(name, ".rodata", 7))
			flags = BK_SHF_ALLOC;
		if (len >= 4 && !memcmp(name, ".bss", 4))
			type = BK_SHT_NOBITS;
	}
	s->type = type;
	s->flags = flags;
	s->entsize = entsize;
	s->align = 1;
	s->is_code = (flags & BK_SHF_EXECINSTR) != 0;
	/* the section symbol is registered when the section is created */
	char *sn = s->name;
	uint32_t sym;
	{
		/* section symbols are not looked up by name: give them a private slot */
		if (GROW(c, c->syms, c->nsyms, c->capsyms))
			return -ENOMEM;
		sym = (uint32_t)c->nsyms++;
		struct asm_sym *y = &c->syms[sym];
		memset(y, 0, sizeof(*y));
		y->name = sn;
		y->nlen = 0;
		y->sec = (int)c->nsecs;
		y->defined = true;
		y->is_section = true;
		y->type = BK_STT_SECTION;
		bk__asm_sym_register(c, sym);
	}
	s = &c->secs[c->nsecs];
	s->secsym = (int)sym;
	c->prev = c->cur;
	c->cur = (int)c->nsecs++;
	return 0;
}

uint64_t bk__asm_cur_off(struct asm_ctx *c)
{
	struct asm_sec *s = &c->secs[c->cur];
	return s->type == BK_SHT_NOBITS ? s->nobits : s->base + s->data.len;
}

uint64_t bk__asm_sec_size(struct asm_ctx *c, int sec)
{
	struct asm_sec *s = &c->secs[sec];
	return s->type == BK_SHT_NOBITS ? s->nobits : s->base + s->data.len;
}

/* ---- streamed output ------------------------------------------------------------------ */

/* A section's buffer is moved out once it holds this much: small enough that sixteen
 * program sections cost half a megabyte, big enough that the writes are few. */
#define SPILL_AT (32 * 1024)

static void sweep_fixups(struct asm_ctx *c);

static int spill(struct asm_ctx *c, struct asm_sec *s)
{
	/* jumps to labels defined by now are patched in memory while they still can be */
	if (c->nfix)
		sweep_fixups(c);
	if (GROW(c, s->chunks, s->nchunks, s->capchunks))
		return -ENOMEM;
	const uint8_t *p = s->data.data;
	size_t left = s->data.len;
	uint64_t at = c->spill_pos;
	if (c->spill_end && at + left > c->spill_end)
		return bk_err_set(c->err, -EFBIG, "%s: scratch file: more than %llu bytes of sections", c->name,
				  (unsigned long long)c->spill_end);
	while (left) {
		ssize_t w = pwrite(c->spill_fd, p, left, (off_t)at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : ENOSPC;
			return bk_err_set(c->err, -e, "%s: scratch file: %s", c->name, strerror(e));
		}
		p += w;
		at += (uint64_t)w;
		left -= (size_t)w;
	}
	s->chunks[s->nchunks++] = (struct asm_chunk){ .foff = c->spill_pos, .soff = s->base, .len = s->data.len };
	c->spill_pos = at;
	s->base += s->data.len;
	s->data.len = 0;
	return 0;
}

int bk__asm_spill_check(struct asm_ctx *c)
{
	struct asm_sec *s = &c->secs[c->cur];
	if (c->spill_fd >= 0 && s->data.len >= SPILL_AT)
		return spill(c, s);
	return 0;
}

static bool pend_kind(int kind)
{
	return kind == FIX_JMP16 || kind == FIX_JMP32 || kind == FIX_CALL || kind == FIX_LDDW;
}

/* Writes N bytes of V (little-endian) at OFF of section SEC, in memory or, for bytes
 * already spilled, as a patch applied when the object is written. KNOWN: the field was
 * emitted as WAS, so writing WAS there changes nothing. */
static int patch_was(struct asm_ctx *c, int sec, uint64_t off, uint64_t v, unsigned n, bool known, uint64_t was)
{
	struct asm_sec *s = &c->secs[sec];
	if (off >= s->base) {
		memcpy(s->data.data + (off - s->base), &v, n); /* little-endian host */
		return 0;
	}
	if (known && v == was)
		return 0;
	if (GROW(c, c->patch, c->npatch, c->cappatch))
		return -ENOMEM;
	c->patch[c->npatch] = (struct asm_patch){ .v = v, .off = (uint32_t)off, .seq = (uint32_t)c->npatch,
						  .sec = (uint16_t)sec, .n = (uint8_t)n };
	c->npatch++;
	return 0;
}

/* ZEROED: the field was emitted as zeros */
static int patch(struct asm_ctx *c, int sec, uint64_t off, uint64_t v, unsigned n, bool zeroed)
{
	return patch_was(c, sec, off, v, n, zeroed, 0);
}

/* A call to a symbol is emitted with -1 in its immediate, what llvm-mc leaves there for a
 * relocated call (most of them): its bytes, spilled long before the fixups are applied,
 * then need no patch. Marks the fixup just made for the instruction at the end of
 * section SEC (it is the last of its list). */
static void preset_call(struct asm_ctx *c, uint32_t off, int sec)
{
	if (c->nrfix) {
		struct asm_rfix *f = &c->rfix[c->nrfix - 1];
		if (f->kind == FIX_CALL && f->off == off && f->sec == sec)
			f->preset = true;
	}
	if (c->nfix) {
		struct asm_fix *f = &c->fix[c->nfix - 1];
		if (f->kind == FIX_CALL && f->off == off && f->sec == sec)
			f->preset = true;
	}
}

int bk__asm_emit(struct asm_ctx *c, const void *p, size_t n)
{
	int sr = bk__asm_spill_check(c);
	if (sr)
		return sr;
	if (c->loc_pending) {
		int r = bk__asm_dwarf_mark(c);
		if (r)
			return r;
	}
	struct asm_sec *s = &c->secs[c->cur];
	if (s->type == BK_SHT_NOBITS) {
		const uint8_t *b = p;
		for (size_t i = 0; i < n; i++)
			if (b[i])
				return bk__asm_error(c, NULL, "non-zero data in NOBITS section '%s'", s->name);
		s->nobits += n;
		return 0;
	}
	if (bk_buf_append(&s->data, p, n))
		return oom(c);
	return 0;
}

int bk__asm_emit_insn(struct asm_ctx *c, const struct bk_insn *in, int slots)
{
	if (c->loc_pending) {
		int r = bk__asm_dwarf_mark(c);
		if (r)
			return r;
	}
	struct asm_sec *s = &c->secs[c->cur];
	if (!s->is_code && s->type != BK_SHT_NOBITS && !(s->flags & BK_SHF_EXECINSTR)) {
		/* llvm-mc allows it; a loader would not find it. Keep llvm-mc's behaviour. */
	}
	if (s->type == BK_SHT_NOBITS)
		return bk__asm_error(c, NULL, "instruction in NOBITS section '%s'", s->name);
	if (c->spill_fd >= 0 && s->data.len >= SPILL_AT) {
		int r = spill(c, s);
		if (r)
			return r;
	}
	/* a spilling section's buffer is made its final size at once */
	if (c->spill_fd >= 0 && !s->data.cap) {
		if (bk_buf_reserve(&s->data, SPILL_AT + 16))
			return oom(c);
		prefault(s->data.data, SPILL_AT + 16);
	}
	if (bk_buf_reserve(&s->data, 16))
		return oom(c);
	uint8_t *d = s->data.data + s->data.len;
	memcpy(d, in, 8);
	if (slots > 1)
		memcpy(d + 8, in + 1, 8);
	if (c->pend_kind) {
		if (c->pend_sec == c->cur && c->pend_off == s->base + s->data.len) {
			/* the fixup writes this whole field later */
			if (c->pend_kind == FIX_JMP16) {
				memset(d + 2, 0, 2);
			} else if (c->pend_kind == FIX_CALL) {
				memset(d + 4, 0xff, 4);
				preset_call(c, c->pend_off, c->cur);
			} else {
				memset(d + 4, 0, 4);
			}
		}
		c->pend_kind = 0;
	}
	s->data.len += 8 * (size_t)slots;
	return 0;
}

int bk__asm_align(struct asm_ctx *c, uint64_t align, uint8_t fill)
{
	struct asm_sec *s = &c->secs[c->cur];
	if (align > s->align)
		s->align = align;
	uint64_t off = bk__asm_cur_off(c);
	uint64_t pad = (align - off % align) % align;
	if (s->type == BK_SHT_NOBITS) {
		s->nobits += pad;
		return 0;
	}
	if (!pad)
		return 0;
	int sr = bk__asm_spill_check(c);
	if (sr)
		return sr;
	if (bk_buf_reserve(&s->data, pad))
		return oom(c);
	memset(s->data.data + s->data.len, fill, pad);
	s->data.len += pad;
	return 0;
}

/* Jumps to labels defined by now are patched and dropped, so the list holds only what is
 * still open (forward jumps not yet reached, relocations-to-be). */
static int jump_now(struct asm_ctx *c, const struct asm_fix *f)
{
	if ((f->kind != FIX_JMP16 && f->kind != FIX_JMP32) || !f->e.a || f->e.b)
		return 0;
	const struct asm_sym *a = &c->syms[f->e.a];
	if (!a->defined || a->sec != f->sec)
		return 0;
	int64_t delta = (int64_t)a->value + f->e.c - (int64_t)(f->off + 8);
	if (delta % 8)
		return 0;
	delta /= 8;
	int r;
	if (f->kind == FIX_JMP16) {
		if (delta < INT16_MIN || delta > INT16_MAX)
			return 0;
		r = patch(c, f->sec, f->off + 2, (uint16_t)(int16_t)delta, 2, true);
	} else {
		if (delta < INT32_MIN || delta > INT32_MAX)
			return 0;
		r = patch(c, f->sec, f->off + 4, (uint32_t)(int32_t)delta, 4, true);
	}
	/* out of memory for a patch: keep the fixup, finish() tries again and reports it */
	return r ? 0 : 1;
}

static void sweep_fixups(struct asm_ctx *c)
{
	size_t k = 0;
	for (size_t i = 0; i < c->nfix; i++)
		if (!jump_now(c, &c->fix[i]))
			c->fix[k++] = c->fix[i];
	c->nfix = k;
}

static int fix_push(struct asm_ctx *c, int kind, uint32_t off, uint16_t sec, const struct asm_expr *e,
		    uint32_t line, size_t col)
{
	if (c->nfix == c->capfix && c->capfix >= 1024) {
		sweep_fixups(c);
		/* grow only when the sweep freed less than a quarter */
		if (c->nfix > c->capfix / 4 * 3 && grow_array((void **)&c->fix, &c->capfix, sizeof(*c->fix)))
			return oom(c);
	} else if (GROW(c, c->fix, c->nfix, c->capfix))
		return -ENOMEM;
	struct asm_fix *f = &c->fix[c->nfix++];
	f->kind = (uint8_t)kind;
	f->preset = false;
	f->sec = sec;
	f->off = off;
	f->e = *e;
	f->line = line;
	f->col = (uint16_t)(col > 65535 ? 65535 : col);
	return 0;
}

static size_t col_of(const struct asm_ctx *c, const char *at)
{
	return at && c->line_start && at >= c->line_start ? (size_t)(at - c->line_start) + 1 : 1;
}

int bk__asm_flush_jumps(struct asm_ctx *c)
{
	uint32_t n = c->npjmp;
	c->npjmp = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct asm_pjmp *j = &c->pjmp[i];
		struct asm_expr e = { 0, j->sym, 0 };
		int r = fix_push(c, FIX_JMP16, j->off, j->sec, &e, j->line, j->col);
		if (r)
			return r;
	}
	return 0;
}

int bk__asm_add_fix(struct asm_ctx *c, int kind, uint64_t off, const struct asm_expr *e, const char *at)
{
	/* the jumps kept aside are older: the list stays in source order */
	int r = c->npjmp ? bk__asm_flush_jumps(c) : 0;
	if (r)
		return r;
	if (off > UINT32_MAX)
		return bk__asm_error(c, at, "section '%s' is larger than 4 GiB", c->secs[c->cur].name);
	if ((r = fix_push(c, kind, (uint32_t)off, (uint16_t)c->cur, e, c->line, col_of(c, at))))
		return r;
	if (pend_kind(kind)) {
		c->pend_kind = (uint8_t)kind;
		c->pend_off = (uint32_t)off;
		c->pend_sec = c->cur;
	}
	return 0;
}

int bk__asm_add_jump(struct asm_ctx *c, uint64_t off, uint32_t sym, const char *at)
{
	if (off > UINT32_MAX || c->npjmp == BK__ASM_PJMP) {
		struct asm_expr e = { 0, sym, 0 };
		return bk__asm_add_fix(c, FIX_JMP16, off, &e, at);
	}
	size_t col = col_of(c, at);
	c->pjmp[c->npjmp++] = (struct asm_pjmp){ .off = (uint32_t)off, .sym = sym, .line = c->line,
						 .sec = (uint16_t)c->cur, .col = (uint16_t)(col > 65535 ? 65535 : col) };
	return 0;
}

/* Label SYM was just defined: the jumps kept aside for it are written now where their
 * bytes are still in memory, as sweep_fixups would write them. */
static void settle_jumps(struct asm_ctx *c, uint32_t sym)
{
	const struct asm_sym *t = &c->syms[sym];
	const struct asm_sec *s = &c->secs[t->sec];
	uint32_t k = 0;
	for (uint32_t i = 0; i < c->npjmp; i++) {
		const struct asm_pjmp *j = &c->pjmp[i];
		int64_t delta = (int64_t)t->value - ((int64_t)j->off + 8);
		if (j->sym == sym && j->sec == t->sec && s->type != BK_SHT_NOBITS && j->off >= s->base &&
		    delta % 8 == 0 && delta / 8 >= INT16_MIN && delta / 8 <= INT16_MAX) {
			uint16_t v = (uint16_t)(int16_t)(delta / 8);
			memcpy(s->data.data + (j->off - s->base) + 2, &v, 2);
			continue;
		}
		c->pjmp[k++] = *j;
	}
	c->npjmp = k;
}

int bk__asm_add_rfix(struct asm_ctx *c, int kind, uint64_t off, uint32_t sym)
{
	if (GROW(c, c->rfix, c->nrfix, c->caprfix))
		return -ENOMEM;
	if (off > UINT32_MAX)
		return bk__asm_error(c, NULL, "section '%s' is larger than 4 GiB", c->secs[c->cur].name);
	c->pend_kind = (uint8_t)kind;
	c->pend_off = (uint32_t)off;
	c->pend_sec = c->cur;
	c->rfix[c->nrfix++] = (struct asm_rfix){ .off = (uint32_t)off, .sym = sym, .sec = (uint16_t)c->cur,
						 .kind = (uint8_t)kind };
	return 0;
}

/* ---- expressions ---------------------------------------------------------------------- */

bool bk__asm_parse_number(const char **pp, const char *end, uint64_t *v)
{
	const char *p = *pp;
	uint64_t x = 0;
	unsigned base = 10;
	if (p >= end || *p < '0' || *p > '9')
		return false;
	if (p + 1 < end && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p + 1 < end && p[0] == '0' && (p[1] == 'b' || p[1] == 'B') &&
		   p + 2 < end && (p[2] == '0' || p[2] == '1')) {
		base = 2;
		p += 2;
	} else if (p[0] == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '7') {
		base = 8;
		p++;
	}
	const char *digits = p;
	for (; p < end; p++) {
		unsigned d;
		char ch = *p;
		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			d = (unsigned)(ch - 'A' + 10);
		else
			break;
		if (d >= base) {
			if (base == 10 || base == 8 || base == 2)
				return false;
			break;
		}
		if (x > (UINT64_MAX - d) / base)
			return false; /* overflow */
		x = x * base + d;
	}
	if (p == digits)
		return false;
	if (p < end && (asm_is_ident(*p)))
		return false;
	*v = x;
	*pp = p;
	return true;
}

struct lin {
	int64_t c;
	uint32_t pos, neg;
	bool ok; /* representable */
};

static int expr_bin(struct asm_ctx *c, const char **pp, const char *end, int prec, struct lin *out);

static int expr_primary(struct asm_ctx *c, const char **pp, const char *end, struct lin *out)
{
	const char *p = asm_skip_ws(*pp, end);
	memset(out, 0, sizeof(*out));
	out->ok = true;
	if (p >= end)
		return bk__asm_error(c, p, "expected an expression");
	if (*p == '-' || *p == '~' || *p == '+' || *p == '!') {
		char op = *p;
		const char *at = p;
		p++;
		struct lin v;
		int r = expr_primary(c, &p, end, &v);
		if (r)
			return r;
		if (op == '+') {
			*out = v;
		} else if (op == '-') {
			out->c = (int64_t)(0 - (uint64_t)v.c);
			out->pos = v.neg;
			out->neg = v.pos;
		} else {
			if (v.pos || v.neg)
				return bk__asm_error(c, at, "operator '%c' needs a constant", op);
			out->c = op == '~' ? ~v.c : !v.c;
		}
		*pp = p;
		return 0;
	}
	if (*p == '(') {
		p++;
		int r = expr_bin(c, &p, end, 0, out);
		if (r)
			return r;
		p = asm_skip_ws(p, end);
		if (p >= end || *p != ')')
			return bk__asm_error(c, p, "expected ')'");
		*pp = p + 1;
		return 0;
	}
	if (*p >= '0' && *p <= '9') {
		uint64_t v;
		const char *q = p;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if (q < end && (*q == 'b' || *q == 'f') && (q + 1 >= end || !asm_is_ident(q[1])) &&
		    !(q == p + 1 && *p == '0' && *q == 'b' && q + 1 < end && (q[1] == '0' || q[1] == '1'))) {
			/* 1b, 1f: the numeric label before or after */
			uint64_t n = 0;
			for (const char *d = p; d < q; d++)
				n = n * 10 + (uint64_t)(*d - '0');
			uint32_t y;
			int r = bk__asm_numeric_label(c, n, *q, p, &y);
			if (r)
				return r;
			out->pos = y;
			*pp = q + 1;
			return 0;
		}
		q = p;
		if (!bk__asm_parse_number(&q, end, &v))
			return bk__asm_error(c, p, "invalid number");
		out->c = (int64_t)v;
		*pp = q;
		return 0;
	}
	if (*p == '\'' && p + 2 < end && p[2] == '\'') {
		out->c = (uint8_t)p[1];
		*pp = p + 3;
		return 0;
	}
	if (asm_is_ident_start(*p) || *p == '"') {
		const char *s = p, *e;
		if (*p == '"') {
			s = ++p;
			while (p < end && *p != '"')
				p++;
			if (p >= end)
				return bk__asm_error(c, s - 1, "unterminated string");
			e = p++;
		} else {
			while (p < end && asm_is_ident(*p))
				p++;
			e = p;
		}
		uint32_t y = bk__asm_sym_get(c, s, (size_t)(e - s));
		if (!y)
			return -ENOMEM;
		struct asm_sym *sy = &c->syms[y];
		if (sy->sec == SEC_ABS && sy->defined) {
			out->c = (int64_t)sy->value;
		} else {
			bk__asm_sym_register(c, y);
			out->pos = y;
		}
		*pp = p;
		return 0;
	}
	return bk__asm_error(c, p, "unexpected '%c' in expression", *p);
}

static int op_prec(const char *p, const char *end, int *len)
{
	*len = 1;
	switch (*p) {
	case '|': return (p + 1 < end && p[1] == '|') ? -1 : 1;
	case '^': return 2;
	case '&': return (p + 1 < end && p[1] == '&') ? -1 : 3;
	case '<':
	case '>':
		if (p + 1 < end && p[1] == *p) {
			*len = 2;
			return 4;
		}
		return -1;
	case '+': case '-': return 5;
	case '*': case '/': case '%': return 6;
	}
	return -1;
}

static int expr_bin(struct asm_ctx *c, const char **pp, const char *end, int prec, struct lin *out)
{
	int r = expr_primary(c, pp, end, out);
	if (r)
		return r;
	for (;;) {
		const char *p = asm_skip_ws(*pp, end);
		if (p >= end)
			break;
		int len, pr = op_prec(p, end, &len);
		if (pr < 0 || pr <= prec)
			break;
		char op = *p;
		const char *at = p;
		p += len;
		struct lin rhs;
		if ((r = expr_bin(c, &p, end, pr, &rhs)))
			return r;
		*pp = p;
		if (op == '+' || op == '-') {
			uint32_t rp = op == '+' ? rhs.pos : rhs.neg, rn = op == '+' ? rhs.neg : rhs.pos;
			out->c = op == '+' ? (int64_t)((uint64_t)out->c + (uint64_t)rhs.c)
					   : (int64_t)((uint64_t)out->c - (uint64_t)rhs.c);
			/* cancel a - a */
			if (rp && rp == out->neg) {
				out->neg = 0;
				rp = 0;
			}
			if (rn && rn == out->pos) {
				out->pos = 0;
				rn = 0;
			}
			if ((rp && out->pos) || (rn && out->neg))
				return bk__asm_error(c, at, "expression too complex (at most one symbol added and one subtracted)");
			if (rp)
				out->pos = rp;
			if (rn)
				out->neg = rn;
			continue;
		}
		if (out->pos || out->neg || rhs.pos || rhs.neg)
			return bk__asm_error(c, at, "operator '%c' needs constants", op);
		int64_t a = out->c, b = rhs.c;
		switch (op) {
		case '*': out->c = (int64_t)((uint64_t)a * (uint64_t)b); break;
		case '/':
		case '%':
			if (!b)
				return bk__asm_error(c, at, "division by zero");
			if (b == -1)
				out->c = op == '/' ? (int64_t)(0 - (uint64_t)a) : 0;
			else
				out->c = op == '/' ? a / b : a % b;
			break;
		case '<': out->c = b >= 64 || b < 0 ? 0 : (int64_t)((uint64_t)a << b); break;
		case '>': out->c = b >= 64 || b < 0 ? 0 : a >> b; break;
		case '&': out->c = a & b; break;
		case '|': out->c = a | b; break;
		case '^': out->c = a ^ b; break;
		}
	}
	return 0;
}

int bk__asm_parse_expr(struct asm_ctx *c, const char **pp, const char *end, struct asm_expr *e)
{
	struct lin l;
	int r = expr_bin(c, pp, end, 0, &l);
	if (r)
		return r;
	e->c = l.c;
	e->a = l.pos;
	e->b = l.neg;
	if (l.neg && !l.pos)
		return bk__asm_error(c, *pp, "cannot negate a symbol");
	return 0;
}

int bk__asm_expr_all(struct asm_ctx *c, const char *p, const char *end, struct asm_expr *e)
{
	const char *start = p;
	int r = bk__asm_parse_expr(c, &p, end, e);
	if (r)
		return r;
	p = asm_skip_ws(p, end);
	if (p < end)
		return bk__asm_error(c, p, "unexpected '%.*s' after expression", (int)(end - p), p);
	if (e->a && e->b) {
		struct asm_sym *a = &c->syms[e->a], *b = &c->syms[e->b];
		if (!a->defined || !b->defined || a->sec != b->sec)
			return bk__asm_error(c, start, "expected a constant expression");
		e->c += (int64_t)(a->value - b->value);
		e->a = e->b = 0;
	}
	return 0;
}

int bk__asm_const_expr(struct asm_ctx *c, const char *p, const char *end, int64_t *v)
{
	struct asm_expr e;
	int r = bk__asm_expr_all(c, p, end, &e);
	if (r)
		return r;
	if (e.a || e.b)
		return bk__asm_error(c, p, "expected a constant expression");
	*v = e.c;
	return 0;
}

/* ---- finishing ------------------------------------------------------------------------- */

static const char *sym_name(struct asm_ctx *c, uint32_t s, int *len)
{
	*len = (int)c->syms[s].nlen;
	return c->syms[s].name;
}

static int add_reloc(struct asm_ctx *c, int sec, uint64_t off, uint32_t type, uint32_t sym)
{
	if (GROW(c, c->rel, c->nrel, c->caprel))
		return -ENOMEM;
	c->rel[c->nrel++] = (struct asm_reloc){ .off = (uint32_t)off, .sym = sym, .sec = (uint16_t)sec,
						.type = (uint8_t)type };
	c->syms[sym].used_reloc = true;
	return 0;
}

/* llvm-mc relocates against a local symbol's section (plus offset) unless the section
 * merges constants and the addend is not zero. Returns the symbol to use and the addend. */
static uint32_t reloc_target(struct asm_ctx *c, uint32_t a, int64_t k, int64_t *addend)
{
	struct asm_sym *s = &c->syms[a];
	if (s->defined && s->bind == BK_STB_LOCAL && s->sec >= 0 && !s->is_section &&
	    !((c->secs[s->sec].flags & BK_SHF_MERGE) && k != 0)) {
		*addend = (int64_t)s->value + k;
		return (uint32_t)c->secs[s->sec].secsym;
	}
	*addend = k;
	return a;
}

static int fix_error(struct asm_ctx *c, const struct asm_fix *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fix_error(struct asm_ctx *c, const struct asm_fix *f, const char *fmt, ...)
{
	char msg[BK_ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bk_err_set(c->err, -EINVAL, "%s:%u:%u: %s", c->name, f->line, f->col, msg);
}


/* An undefined name that is a section's name means that section's symbol (llvm-mc:
 * `.long .debug_abbrev` in .debug_info). */
static uint32_t section_alias(struct asm_ctx *c, uint32_t y)
{
	struct asm_sym *s = &c->syms[y];
	if (!y || s->defined || s->bind_set || s->is_section)
		return y;
	for (size_t i = 0; i < c->nsecs; i++)
		if (strlen(c->secs[i].name) == s->nlen && !memcmp(c->secs[i].name, s->name, s->nlen))
			return (uint32_t)c->secs[i].secsym;
	return y;
}

/* `rD = Y + K ll` at OFF of section SEC, Y an index past section_alias (0: none) */
static int fix_lddw(struct asm_ctx *c, int sec, uint32_t off, uint32_t y, int64_t k)
{
	const struct asm_sym *a = y ? &c->syms[y] : NULL;
	int r;
	if (!a || a->sec == SEC_ABS) {
		uint64_t v = (a ? a->value : 0) + (uint64_t)k;
		if ((r = patch(c, sec, off + 4, (uint32_t)v, 4, true)))
			return r;
		return patch(c, sec, off + 12, (uint32_t)(v >> 32), 4, false);
	}
	int64_t addend;
	uint32_t rs = reloc_target(c, y, k, &addend);
	/* the field was emitted as zeros: most addends are */
	if ((uint32_t)addend && (r = patch(c, sec, off + 4, (uint32_t)addend, 4, true)))
		return r;
	return add_reloc(c, sec, off, BK_R_BPF_64_64, rs);
}

static int apply_fix(struct asm_ctx *c, const struct asm_fix *f)
{
	struct asm_expr e = f->e;
	int r;
	/* the immediate field of an instruction, emitted as zeros (bk__asm_emit_insn) */
#define PUT_IMM(v)                                                       \
	do {                                                             \
		if ((r = patch(c, f->sec, f->off + 4, (v), 4, true)))    \
			return r;                                        \
	} while (0)
	e.a = section_alias(c, e.a);
	e.b = section_alias(c, e.b);
	struct asm_sym *a = e.a ? &c->syms[e.a] : NULL, *b = e.b ? &c->syms[e.b] : NULL;
	int n;
	const char *nm;
	if (b) {
		if (!b->defined) {
			nm = sym_name(c, e.b, &n);
			return fix_error(c, f, "undefined symbol '%.*s'", n, nm);
		}
		if (!a || !a->defined || a->sec != b->sec) {
			nm = sym_name(c, e.b, &n);
			return fix_error(c, f, "cannot subtract '%.*s': not in the same section", n, nm);
		}
		e.c += (int64_t)(a->value - b->value);
		e.a = e.b = 0;
		a = b = NULL;
	}
	switch (f->kind) {
	case FIX_JMP16:
	case FIX_JMP32: {
		int64_t target;
		if (!a)
			target = e.c;
		else {
			nm = sym_name(c, e.a, &n);
			if (!a->defined)
				return fix_error(c, f, "undefined label '%.*s'", n, nm);
			if (a->sec != f->sec)
				return fix_error(c, f, "jump target '%.*s' is in another section", n, nm);
			target = (int64_t)a->value + e.c;
		}
		int64_t delta = target - (int64_t)(f->off + 8);
		if (delta % 8)
			return fix_error(c, f, "jump target is not at an instruction boundary");
		delta /= 8;
		if (f->kind == FIX_JMP16) {
			if (delta < INT16_MIN || delta > INT16_MAX)
				return fix_error(c, f, "jump offset %lld does not fit in 16 bits [-32768, 32767]; use gotol (needs -mcpu=v4)",
						 (long long)delta);
			return patch(c, f->sec, f->off + 2, (uint16_t)(int16_t)delta, 2, true);
		} else {
			if (delta < INT32_MIN || delta > INT32_MAX)
				return fix_error(c, f, "jump offset %lld does not fit in 32 bits", (long long)delta);
			PUT_IMM((uint32_t)(int32_t)delta);
		}
		return 0;
	}
	case FIX_CALL: {
#undef PUT_IMM
#define PUT_IMM(v)                                                                                 \
	do {                                                                                       \
		if ((r = patch_was(c, f->sec, f->off + 4, (v), 4, true, f->preset ? 0xffffffffu : 0))) \
			return r;                                                                  \
	} while (0)
		if (!a) {
			PUT_IMM((uint32_t)e.c);
			return 0;
		}
		if (a->sec == SEC_ABS) {
			PUT_IMM((uint32_t)(a->value + (uint64_t)e.c));
			return 0;
		}
		if (a->defined && a->bind == BK_STB_LOCAL && a->sec == f->sec) {
			int64_t delta = ((int64_t)a->value + e.c - (int64_t)(f->off + 8)) / 8;
			PUT_IMM((uint32_t)(int32_t)delta);
			return 0;
		}
		int64_t addend;
		uint32_t rs = reloc_target(c, e.a, e.c, &addend);
		PUT_IMM((uint32_t)(int32_t)((addend - 8) / 8));
		return add_reloc(c, f->sec, f->off, BK_R_BPF_64_32, rs);
#undef PUT_IMM
#define PUT_IMM(v)                                                       \
	do {                                                             \
		if ((r = patch(c, f->sec, f->off + 4, (v), 4, true)))    \
			return r;                                        \
	} while (0)
	}
	case FIX_LDDW:
		return fix_lddw(c, f->sec, f->off, e.a, e.c);
	default: {
		size_t size = f->kind == FIX_DATA1 ? 1 : f->kind == FIX_DATA2 ? 2 : f->kind == FIX_DATA4 ? 4 : 8;
		uint64_t v;
		uint32_t type = 0, rs = 0;
		if (!a) {
			v = (uint64_t)e.c;
		} else if (a->sec == SEC_ABS) {
			v = a->value + (uint64_t)e.c;
		} else {
			int64_t addend;
			if (size < 4) {
				nm = sym_name(c, e.a, &n);
				return fix_error(c, f, "no %zu-byte relocation for '%.*s'", size, n, nm);
			}
			if (size == 8)
				type = BK_R_BPF_64_ABS64;
			else {
				type = BK_R_BPF_64_ABS32;
				if (a->defined && a->sec >= 0) {
					uint64_t fl = c->secs[a->sec].flags;
					if (a->temp ? ((fl & BK_SHF_ALLOC) && (fl & BK_SHF_EXECINSTR))
						    : ((fl & BK_SHF_ALLOC) && (fl & BK_SHF_WRITE)))
						type = BK_R_BPF_64_NODYLD32;
				}
			}
			rs = reloc_target(c, e.a, e.c, &addend);
			v = (uint64_t)addend;
		}
		if ((r = patch(c, f->sec, f->off, size == 8 ? v : v & ((1ull << (size * 8)) - 1), (unsigned)size, false)))
			return r;
		if (type)
			return add_reloc(c, f->sec, f->off, type, rs);
		return 0;
	}
	}
#undef PUT_IMM
}

/* Sorts a list that is made nearly in the order it is wanted in: each element found
 * before a smaller one is moved back into place (binary search, memmove), and only a list
 * with many such (or big elements) is given to qsort. A `.size` of a symbol made early
 * (a map named by the first load, sized at the end of the file) cost a full qsort of a
 * million-line file's sizes: a twentieth of the whole run. Stable. */
static void sort_unless_sorted(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *b = base, tmp[32];
	size_t moved = 0;
	for (size_t i = 1; i < n; i++) {
		char *x = b + i * size;
		if (cmp(x - size, x) <= 0)
			continue;
		if (size > sizeof(tmp) || ++moved > 64) {
			qsort(base, n, size, cmp);
			return;
		}
		size_t lo = 0, hi = i - 1;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (cmp(b + mid * size, x) <= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		memcpy(tmp, x, size);
		memmove(b + (lo + 1) * size, b + lo * size, (i - lo) * size);
		memcpy(b + lo * size, tmp, size);
	}
}

/* (registration order, symbol index) pairs: qsort has no context argument */
static int cmp_sym_order(const void *x, const void *y)
{
	const uint32_t *a = x, *b = y;
	return a[0] < b[0] ? -1 : a[0] > b[0];
}

/* Puts a section's relocations in offset order. They are made in a few runs, each in
 * order (the symbol loads as the lines were read, then what finish() settles, a second
 * thread's after the first's): runs are merged pairwise, stable, instead of sorting the
 * whole list (a qsort of a million-line file's relocations was a twentieth of its run). */
static int merge_runs(struct bk_reloc *v, size_t n)
{
	size_t a = 1;
	while (a < n && v[a - 1].offset <= v[a].offset)
		a++;
	if (a >= n)
		return 0;
	struct bk_reloc *t = malloc(n * sizeof(*t));
	if (!t)
		return -ENOMEM;
	size_t runs;
	do {
		runs = 0;
		for (a = 0; a < n; runs++) {
			size_t m = a + 1, b;
			while (m < n && v[m - 1].offset <= v[m].offset)
				m++;
			for (b = m + (m < n); b < n && v[b - 1].offset <= v[b].offset;)
				b++;
			size_t x = a, y = m, k = a;
			while (x < m && y < b)
				t[k++] = v[y].offset < v[x].offset ? v[y++] : v[x++];
			memcpy(t + k, v + x, (m - x) * sizeof(*t));
			k += m - x;
			memcpy(t + k, v + y, (b - y) * sizeof(*t));
			a = b;
		}
		memcpy(v, t, n * sizeof(*v));
	} while (runs > 1);
	free(t);
	return 0;
}

static bool in_symtab(const struct asm_sym *s)
{
	if (s->used_reloc)
		return true;
	if (s->is_section || s->temp)
		return false;
	if (!s->defined && !s->bind_set)
		return false;
	return s->registered || s->defined;
}

/* `.size f, .Lfunc_end0-f` with both labels defined in one section: the difference, now.
 * It does not change when the halves of a split input are joined (both labels move by
 * the same amount), so each half folds its own while the other is still at work, and a
 * label only a .size named is not carried over into the first half's symbols. */
static void fold_sizes(struct asm_ctx *c)
{
	for (size_t i = 0; i < c->nsizes; i++) {
		struct asm_expr *e = &c->sizes[i].e;
		if (!e->a || !e->b)
			continue;
		const struct asm_sym *a = &c->syms[e->a], *b = &c->syms[e->b];
		if (a->defined && b->defined && a->sec >= 0 && a->sec == b->sec) {
			e->c += (int64_t)(a->value - b->value);
			e->a = e->b = 0;
		}
	}
}

static int finish(struct asm_ctx *c)
{
	for (size_t i = 0; i < c->nnumfwd; i++)
		if (!c->syms[c->numfwd[i].sym].defined) {
			const char *nm = c->syms[c->numfwd[i].sym].name + 3;
			return bk_err_set(c->err, -EINVAL, "%s:%u:%u: no numeric label %.*s after this reference",
					  c->name, c->numfwd[i].line, c->numfwd[i].col, (int)strcspn(nm, "\002"), nm);
		}
	if (c->rept_depth)
		return bk_err_set(c->err, -EINVAL, "%s:%u:%u: no matching '.endr' for this '.rept'", c->name,
				  c->rept_line, c->rept_col);
	int r = settle_aliases(c);
	if (r)
		return r;
	r = bk__asm_dwarf_finish(c);
	if (r)
		return r;
	for (size_t i = 0; i < c->nsizes; i++) {
		struct asm_size *z = &c->sizes[i];
		struct asm_fix f = { .line = z->line, .col = z->col };
		struct asm_expr e = z->e;
		int64_t v = e.c;
		if (e.a || e.b) {
			struct asm_sym *a = e.a ? &c->syms[e.a] : NULL, *b = e.b ? &c->syms[e.b] : NULL;
			if (!a || !b || !a->defined || !b->defined || a->sec != b->sec)
				return fix_error(c, &f, ".size needs a constant or a difference of labels in one section");
			v += (int64_t)(a->value - b->value);
		}
		if ((r = bk__asm_set_size(c, z->sym, (uint64_t)v)))
			return r;
	}
	/* no symbol is made from here on */
	htab_free(c);
	/* The symbol-only fixups cannot fail and make at most one relocation each, of the
	 * same size: the relocations are written over the fixups already read, so the two
	 * lists never take memory together. */
	_Static_assert(sizeof(struct asm_rfix) == sizeof(struct asm_reloc), "rfix and reloc share storage");
	struct asm_rfix *rf = c->rfix;
	size_t nrf = c->nrfix;
	if (!c->rel && rf) {
		c->rel = (struct asm_reloc *)(void *)rf;
		c->caprel = c->caprfix;
		c->nrel = 0;
		c->rfix = NULL;
		c->nrfix = c->caprfix = 0;
	}
	for (size_t i = 0; i < nrf; i++) {
		const struct asm_rfix x = rf[i];
		struct asm_fix f = { .e = { .a = x.sym }, .off = x.off, .sec = x.sec, .kind = x.kind, .preset = x.preset };
		/* the loads (most of them) without apply_fix's expression */
		if ((r = x.kind == FIX_LDDW ? fix_lddw(c, x.sec, x.off, section_alias(c, x.sym), 0) : apply_fix(c, &f)))
			return r;
	}
	for (size_t i = 0; i < c->nfix; i++)
		if ((r = apply_fix(c, &c->fix[i])))
			return r;
	for (size_t i = 1; i < c->nsyms; i++) {
		struct asm_sym *s = &c->syms[i];
		if (!s->defined && !s->bind_set && s->used_reloc)
			s->bind = BK_STB_GLOBAL;
		if (!s->defined && s->bind == BK_STB_LOCAL && (s->used_reloc || s->bind_set))
			s->bind = BK_STB_GLOBAL;
	}
	return 0;
}

/* Symbols from *BORROWED on (when not NULL) name the assembler's own strings rather than
 * copies: an object that is only written out and freed before the context (unborrow())
 * needs no ten thousand small allocations. */
static void unborrow(struct bk_object *o, size_t from)
{
	for (size_t i = from; i < o->nsymbols; i++)
		o->symbols[i].name = NULL;
}

/* The object's sections, before its symbols (object_symbols): their place in the file is
 * known from here on. STREAMED: sections that were spilled get a size and no data; the
 * bytes come from section_copy while the object is written. */
static int object_sections(struct asm_ctx *c, struct bk_object **out, bool streamed)
{
	struct bk_object *o = bk_object_new(c->name);
	if (!o)
		return oom(c);
	for (size_t i = 0; i < c->nsecs; i++) {
		struct asm_sec *s = &c->secs[i];
		uint64_t size = bk__asm_sec_size(c, (int)i);
		bool give = s->type != BK_SHT_NOBITS && size;
		int r = bk_object_add_section(o, s->name, s->type, s->flags, s->align, NULL, give ? 0 : size, c->err);
		if (r < 0) {
			bk_object_free(o);
			return r;
		}
		if (give && streamed) {
			o->sections[r].size = size;
		} else if (give) {
			/* hand the buffer over instead of copying megabytes of code */
			o->sections[r].data = s->data.data;
			o->sections[r].size = size;
			s->data.data = NULL;
			s->data.len = s->data.cap = 0;
		}
		s->out_index = r;
		o->sections[r].entsize = s->entsize;
	}
	*out = o;
	return 0;
}

/* The rest of the object O made by object_sections, which goes to *OUT (or is freed). */
static int object_symbols(struct asm_ctx *c, struct bk_object *o, struct bk_object **out, size_t *borrowed)
{
	struct bk_err *err = c->err;
	uint32_t *list = NULL, *addr = NULL;
	int r;
	list = malloc((c->nsyms + 1) * 2 * sizeof(*list));
	if (!list) {
		r = oom(c);
		goto out;
	}
	size_t nl = 0;
	for (size_t i = 1; i < c->nsyms; i++)
		if (in_symtab(&c->syms[i])) {
			list[2 * nl] = c->syms[i].order;
			list[2 * nl + 1] = (uint32_t)i;
			nl++;
		}
	if (nl)
		sort_unless_sorted(list, nl, 2 * sizeof(*list), cmp_sym_order);
	for (size_t k = 0; k < nl; k++)
		list[k] = list[2 * k + 1];
	if (c->nsymsz)
		sort_unless_sorted(c->symsz, c->nsymsz, sizeof(*c->symsz), cmp_symsize);
	if (c->nalias && (r = alias_type_size(c)))
		goto out;
	if (o->cap_symbols < nl + 2) {
		/* room for all at once, as for the relocations below */
		struct bk_symbol *ns = realloc(o->symbols, (nl + 2) * sizeof(*ns));
		if (!ns) {
			r = oom(c);
			goto out;
		}
		prefault(ns + o->cap_symbols, (nl + 2 - o->cap_symbols) * sizeof(*ns));
		memset(ns + o->cap_symbols, 0, (nl + 2 - o->cap_symbols) * sizeof(*ns));
		o->symbols = ns;
		o->cap_symbols = nl + 2;
	}
	int idx = 1;
	if (c->file_name) {
		if ((r = bk_object_add_symbol(o, bk__asm_strdup(c, c->file_name, c->file_nlen), 0, 0,
					      BK_STT_FILE, BK_STB_LOCAL, 0, BK_SHN_ABS, err)) < 0)
			goto out;
		idx++;
	}
	if (borrowed)
		*borrowed = o->nsymbols;
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < nl; k++) {
			struct asm_sym *s = &c->syms[list[k]];
			if ((s->bind == BK_STB_LOCAL) != (pass == 0))
				continue;
			uint16_t shndx = s->sec == SEC_ABS ? BK_SHN_ABS : s->sec == SEC_COMMON ? BK_SHN_COMMON :
					 s->sec == SEC_UNDEF ? BK_SHN_UNDEF : (uint16_t)c->secs[s->sec].out_index;
			const char *nm = s->is_section ? "" : s->name;
			uint64_t value = s->is_section ? 0 : s->value, size = sym_size(c, list[k]);
			if (borrowed) {
				/* room was made for all of them above */
				o->symbols[o->nsymbols++] = (struct bk_symbol){ .name = (char *)nm, .value = value, .size = size,
									.type = s->type, .bind = s->bind, .vis = s->vis,
									.shndx = shndx };
			} else if ((r = bk_object_add_symbol(o, nm, value, size, s->type, s->bind, s->vis, shndx, err)) < 0) {
				goto out;
			}
			s->order = (uint32_t)idx++;
		}
	/* each section's list allocated once at its size: growing a hundred thousand
	 * relocations by doubling copies them over and over */
	for (size_t i = 0; i < c->nrel; i++)
		o->sections[c->secs[c->rel[i].sec].out_index].cap_relocs++;
	for (size_t i = 0; i < c->nsecs; i++) {
		struct bk_section *os = &o->sections[c->secs[i].out_index];
		if (os->cap_relocs && !(os->relocs = malloc(os->cap_relocs * sizeof(*os->relocs)))) {
			os->cap_relocs = 0;
			r = oom(c);
			goto out;
		}
		/* filled at once below: map the pages in one call even for a small list (most
		 * of a big file's sections have a few tens of KiB of them) */
		prefault_min(os->relocs, os->cap_relocs * sizeof(*os->relocs), 8192);
	}
	for (size_t i = 0; i < c->nrel; i++) {
		const struct asm_reloc *rl = &c->rel[i];
		struct bk_section *os = &o->sections[c->secs[rl->sec].out_index];
		os->relocs[os->nrelocs++] = (struct bk_reloc){ .offset = rl->off, .type = rl->type,
							       .sym = c->syms[rl->sym].order };
	}
	for (size_t i = 0; i < c->nsecs; i++) {
		struct bk_section *os = &o->sections[c->secs[i].out_index];
		if (os->nrelocs && (r = merge_runs(os->relocs, os->nrelocs))) {
			r = oom(c);
			goto out;
		}
	}
	size_t na = 0;
	if (c->addrsig) {
		addr = malloc((c->naddrsig + 1) * sizeof(*addr));
		if (!addr) {
			r = oom(c);
			goto out;
		}
		for (size_t i = 0; i < c->naddrsig; i++) {
			struct asm_sym *s = &c->syms[c->addrsig_syms[i]];
			if (in_symtab(s))
				addr[na++] = s->order;
		}
	}
	if ((r = bk_object_finalize(o, c->addrsig ? addr : NULL, na, err)) < 0)
		goto out;
	*out = o;
	o = NULL;
	r = 0;
out:
	free(list);
	free(addr);
	if (o && borrowed)
		unborrow(o, *borrowed);
	if (o)
		bk_object_free(o);
	return r;
}

static int build_object(struct asm_ctx *c, struct bk_object **out, size_t *borrowed)
{
	struct bk_object *o;
	int r = object_sections(c, &o, false);
	return r ? r : object_symbols(c, o, out, borrowed);
}

static void ctx_free(struct asm_ctx *c)
{
	for (size_t i = 0; i < c->nsecs; i++) {
		bk_buf_free(&c->secs[i].data);
		free(c->secs[i].chunks);
	}
	if (c->spill_fd >= 0)
		close(c->spill_fd);
	free(c->patch);
	free(c->shash);
	for (size_t i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	free(c->owned);
	free(c->secs);
	free(c->syms);
	htab_free(c);
	free(c->fix);
	free(c->rfix);
	free(c->sizes);
	free(c->symsz);
	free(c->alias);
	bk_buf_free(&c->rept_body);
	free(c->rel);
	free(c->addrsig_syms);
	free(c->secstack);
	free(c->numlab);
	free(c->numfwd);
	bk__asm_dwarf_free(c);
}

enum bk_asm_syntax bk_asm_detect(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	size_t scanned = 0;
	int intel = 0;
	while (p < end && scanned < 200) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		if (!e)
			e = end;
		const char *q = asm_skip_ws(p, e);
		if (e - q >= 6 && !memcmp(q, "-- asm", 6))
			return BK_ASM_UBPF;
		for (const char *s = q; s + 1 < e; s++) {
			if (*s == '#' || (*s == '/' && s[1] == '/'))
				break;
			if (*s == '%' && s[1] == 'r')
				return BK_ASM_UBPF;
			if (*s == ';' && s == q)
				intel++;
		}
		if ((e - q > 3 && !memcmp(q, "ld ", 3)) || (e - q > 3 && !memcmp(q, "jr ", 3)) ||
		    (e - q > 6 && !memcmp(q, "ldpkt ", 6)) || (e - q > 5 && !memcmp(q, "xadd ", 5)) ||
		    (e - q > 4 && (!memcmp(q, "ld\t", 3) || !memcmp(q, "jr\t", 3))))
			intel += 2;
		p = e + 1;
		scanned++;
	}
	return intel >= 2 ? BK_ASM_INTEL : BK_ASM_LLVM;
}

int bk_asm_parse_syntax(const char *s)
{
	if (!strcmp(s, "llvm"))
		return BK_ASM_LLVM;
	if (!strcmp(s, "ubpf") || !strcmp(s, "conformance"))
		return BK_ASM_UBPF;
	if (!strcmp(s, "intel") || !strcmp(s, "ebpf_asm"))
		return BK_ASM_INTEL;
	if (!strcmp(s, "auto"))
		return BK_ASM_AUTO;
	return -EINVAL;
}

static int ctx_init(struct asm_ctx *c, const struct bk_asm_opts *opts, struct bk_err *err)
{
	memset(c, 0, sizeof(*c));
	c->spill_fd = -1;
	c->err = err;
	c->name = BK_OPTS_GET(opts, name, NULL);
	if (!c->name)
		c->name = "<input>";
	c->cpu = BK_OPTS_GET(opts, cpu, 0);
	if (c->cpu <= 0 || c->cpu > 4)
		c->cpu = 4;
	c->include_dir = BK_OPTS_GET(opts, include_dir, NULL);
	c->first_exit = -1;
	/* symbol 0 means "none" in expressions */
	c->capsyms = 256;
	c->syms = calloc(c->capsyms, sizeof(*c->syms));
	if (!c->syms)
		return oom(c);
	c->nsyms = 1;
	c->line = 1;
	/* llvm-mc starts in .text, created first with 4-byte alignment */
	int r = bk__asm_section(c, ".text", 5, BK_SHT_PROGBITS, BK_SHF_ALLOC | BK_SHF_EXECINSTR, 0, true);
	if (r)
		return r;
	c->secs[0].align = 4;
	c->prev = -1;
	return 0;
}

static int assemble(const char *text, size_t len, const struct bk_asm_opts *opts,
		    struct asm_ctx *c, struct bk_err *err)
{
	int r = ctx_init(c, opts, err);
	if (r)
		return r;
	int syn = BK_OPTS_GET(opts, syntax, BK_ASM_AUTO);
	if (syn == BK_ASM_AUTO)
		syn = bk_asm_detect(text, len);
	c->syntax = syn;
	c->line_start = text;
	if (syn == BK_ASM_UBPF)
		r = bk__asm_ubpf(c, text, len);
	else if (syn == BK_ASM_INTEL)
		r = bk__asm_intel(c, text, len);
	else
		r = bk__asm_llvm(c, text, len);
	if (r)
		return r;
	return finish(c);
}

/* A scratch file for section contents, unlinked from the start, in the output's
 * directory (or the temporary directory): -1 if none can be made, and everything stays
 * in memory. */
static int scratch_file(const char *out)
{
	char dir[4096];
	const char *slash = strrchr(out, '/');
	if (!slash) {
		strcpy(dir, ".");
	} else if ((size_t)(slash - out) + 1 < sizeof(dir)) {
		size_t n = slash == out ? 1 : (size_t)(slash - out);
		memcpy(dir, out, n);
		dir[n] = 0;
	} else {
		return -1;
	}
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	const char *tmp = getenv("TMPDIR");
	char path[4096 + 32];
	snprintf(path, sizeof(path), "%s/bpfkit-asm.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	return fd;
}

/* ---- two threads ------------------------------------------------------------------------
 *
 * A big LLVM-syntax file is cut in two at a line near its middle. This thread assembles
 * the first half while another assembles the second half into a context of its own, as if
 * it were a file of its own that starts in a section of no name (CUT_SEC), which the merge
 * makes the section the first half ends in: its offsets count from the start of each of
 * its sections, and what it cannot know (labels of the first half, jumps across the cut)
 * stays a fixup, as a forward reference does. The second
 * half is then merged: its sections are appended to the first half's, its symbols looked up
 * by name and given their place in registration order, its fixups moved by the sections'
 * sizes. What would make the halves depend on each other otherwise (a .set constant, DWARF
 * line state, numeric labels, .previous, a section whose alignment the first half's size
 * does not keep, a duplicate label, an error, a cut in a NOBITS section) sends the second half back to this thread,
 * read again as one thread would have read it: the object is the same either way. */

#define SPLIT_MIN ((uint64_t)4 << 20)
#define SPLIT_AT 52
/* where the second half's spilled pieces go in the (sparse) scratch file */
#define SPLIT_SPILL ((uint64_t)1 << 40)

struct asm_part {
	struct asm_ctx c;
	struct bk_err err;
	struct bk_asm_opts opts;
	int fd, spill_fd;
	uint64_t from;
	size_t hsize_hint;
	int r;
	int cut_sec;          /* the second half's section before its first switch */
	/* made by the second thread for the merge (each NULL if there was no memory for it:
	 * the merge makes it): each symbol's name hash (0 for section symbols), the zeroed
	 * symbol map, the order table (order_table) and which symbols the merge carries
	 * over */
	uint32_t *hash, *ymap, *byorder;
	uint8_t *live;
};

/* A temporary label of the second half that nothing left refers to (a jump target the
 * second half settled itself, a label only its own .size named: most of them) can never
 * reach the object; the others are marked. */
static uint8_t *live_syms(const struct asm_ctx *d)
{
	uint8_t *live = calloc(d->nsyms, 1);
	if (!live)
		return NULL;
	for (size_t i = 0; i < d->nfix; i++)
		live[d->fix[i].e.a] = live[d->fix[i].e.b] = 1;
	for (size_t i = 0; i < d->nrfix; i++)
		live[d->rfix[i].sym] = 1;
	for (size_t i = 0; i < d->nsizes; i++)
		live[d->sizes[i].sym] = live[d->sizes[i].e.a] = live[d->sizes[i].e.b] = 1;
	for (size_t i = 0; i < d->nsymsz; i++)
		live[d->symsz[i].sym] = 1;
	for (size_t i = 0; i < d->naddrsig; i++)
		live[d->addrsig_syms[i]] = 1;
	return live;
}

/* The second half's symbols by registration order (0: no symbol has that place) */
static uint32_t *order_table(const struct asm_ctx *d)
{
	uint32_t *byorder = calloc((size_t)d->order + 1, sizeof(*byorder));
	if (byorder)
		for (size_t i = 1; i < d->nsyms; i++)
			if (d->syms[i].registered && d->syms[i].order <= d->order)
				byorder[d->syms[i].order] = (uint32_t)i;
	return byorder;
}

static size_t hash_hint(uint64_t bytes)
{
	/* clang's text has a label every ten lines or so: size the symbol table for a symbol
	 * per 128 bytes at once rather than growing it (and hashing every name again) */
	uint64_t want = bytes / 128 * 4 / 3;
	size_t cap = 1024;
	while (cap < want && cap < ((size_t)1 << 24))
		cap *= 2;
	return cap;
}

/* Reads [*pos, to) of FD into B until it holds WANT bytes or that range ends (*eof);
 * pread when SEEK, else read (a pipe). */
static int fill_range(int fd, bool seek, uint64_t *pos, uint64_t to, struct bk_buf *b, size_t want, bool *eof,
		      const char *name, struct bk_err *err)
{
	while (!*eof && b->len < want) {
		size_t n = want - b->len;
		if (to - *pos < n)
			n = (size_t)(to - *pos);
		if (!n) {
			*eof = true;
			break;
		}
		if (bk_buf_reserve(b, n))
			return bk_err_set(err, -ENOMEM, "%s: out of memory", name);
		ssize_t got = seek ? pread(fd, b->data + b->len, n, (off_t)*pos) : read(fd, b->data + b->len, n);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			return bk_err_set(err, -e, "%s: %s", name, strerror(e));
		}
		if (got == 0)
			*eof = true;
		b->len += (size_t)got;
		*pos += (uint64_t)got;
	}
	return 0;
}

enum { PIECE = 256 * 1024 };

/* Assembles lines from B and then from FD, a piece at a time (each cut at a line end),
 * up to the file offset LIMIT, which is a line start, or the end. B holds the bytes before
 * *pos that were read but not assembled yet; what is past LIMIT stays in B. */
static int asm_pieces(struct asm_ctx *c, struct asm_matcher *m, int fd, bool seek, uint64_t *pos, uint64_t limit,
		      struct bk_buf *b, bool *eof, const char *name, struct bk_err *err)
{
	int r = 0;
	while (!r) {
		uint64_t start = *pos - b->len;
		bool last = *eof || start + b->len >= limit;
		size_t n = start + b->len >= limit ? (size_t)(limit - start) : b->len;
		if (!last) {
			while (n && b->data[n - 1] != '\n')
				n--;
			if (!n) {
				/* a line longer than the piece */
				r = fill_range(fd, seek, pos, UINT64_MAX, b, b->len + PIECE, eof, name, err);
				continue;
			}
		}
		if (n && (r = bk__asm_llvm_lines(c, m, (const char *)b->data, n)))
			break;
		memmove(b->data, b->data + n, b->len - n);
		b->len -= n;
		if (last)
			break;
		r = fill_range(fd, seek, pos, UINT64_MAX, b, PIECE, eof, name, err);
	}
	return r;
}

static void *part_main(void *arg)
{
	struct asm_part *pt = arg;
	struct asm_ctx *d = &pt->c;
	struct asm_matcher *m = NULL;
	struct bk_buf b = { 0 };
	int r = ctx_init(d, &pt->opts, &pt->err);
	d->split_part = true;
	d->syntax = BK_ASM_LLVM;
	d->hsize_hint = pt->hsize_hint;
	d->spill_fd = pt->spill_fd;
	d->spill_pos = SPLIT_SPILL;
	/* a name no source can spell: no later switch lands in it */
	if (!r)
		r = bk__asm_section(d, "\001cut", 4, BK_SHT_PROGBITS, 0, 0, true);
	pt->cut_sec = d->cur;
	if (!r && !(m = bk__asm_matcher_new(BK_ASM_LLVM)))
		r = oom(d);
	uint64_t pos = pt->from;
	bool eof = false;
	if (!r)
		r = fill_range(pt->fd, true, &pos, UINT64_MAX, &b, PIECE, &eof, d->name, &pt->err);
	if (!r)
		r = asm_pieces(d, m, pt->fd, true, &pos, UINT64_MAX, &b, &eof, d->name, &pt->err);
	bk__asm_matcher_free(m);
	bk_buf_free(&b);
	if (!r) {
		/* what the second half can settle alone is settled here, while the first half
		 * may still be at work: jumps to its own labels, its own .size differences,
		 * the hashes of the names the merge looks up */
		sweep_fixups(d);
		fold_sizes(d);
		if (d->shash) {
			/* (a section symbol's entry is never read) */
			pt->hash = d->shash;
			d->shash = NULL;
		} else if ((pt->hash = malloc(d->nsyms * sizeof(*pt->hash)))) {
			for (size_t k = 0; k < d->nsyms; k++)
				pt->hash[k] = d->syms[k].is_section ? 0 : asm_hash_name(d->syms[k].name, d->syms[k].nlen);
		}
		pt->ymap = calloc(d->nsyms, sizeof(*pt->ymap));
		pt->byorder = order_table(d);
		pt->live = live_syms(d);
	}
	/* the merge looks names up in the first half's table */
	htab_free(d);
	pt->r = r;
	return NULL;
}

/* Where the second half starts: the first line start after SPLIT_AT percent of the file
 * (the second thread starts later and has more to do after its parse: with the smaller
 * part, both halves end together); 0 if there is none near it. */
static uint64_t find_split(int fd, uint64_t size)
{
	enum { WIN = 64 * 1024 };
	char *buf = malloc(WIN);
	if (!buf)
		return 0;
	uint64_t at = size / 100 * SPLIT_AT;
	ssize_t n = pread(fd, buf, WIN, (off_t)at);
	const char *nl = n > 0 ? memchr(buf, '\n', (size_t)n) : NULL;
	uint64_t cut = nl && nl + 1 < buf + n ? at + (uint64_t)(nl + 1 - buf) : 0;
	free(buf);
	return cut;
}

static int grow_to(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	void *p = realloc(*arr, need * elem);
	if (!p)
		return -ENOMEM;
	prefault((char *)p + *cap * elem, (need - *cap) * elem);
	*arr = p;
	*cap = need;
	return 0;
}

/* Appends the second half D to C (see above). 1: merged; 0: the halves depend on each
 * other, C is as it was (but for symbols made that nothing uses yet: made in the order
 * one thread would make them) and D is to be assembled again in C; < 0: error. */
static int split_merge(struct asm_ctx *c, struct asm_part *pt)
{
	struct asm_ctx *d = &pt->c;
	const uint32_t *dhash = pt->hash;
	if (c->in_block || c->rept_depth || c->nnumlab || c->dw || c->nalias || c->loc_pending || c->pend_kind ||
	    d->in_block || d->rept_depth || d->dw || d->file_name || d->nalias || d->nnumlab)
		return 0;
	int *smap = malloc(d->nsecs * sizeof(*smap));
	uint64_t *base = calloc(d->nsecs, sizeof(*base));
	uint32_t *ymap = pt->ymap ? pt->ymap : calloc(d->nsyms, sizeof(*ymap));
	uint32_t *byorder = pt->byorder ? pt->byorder : order_table(d);
	uint8_t *live = pt->live;
	pt->ymap = pt->byorder = NULL;
	pt->live = NULL;
	int r = 0;
	if (!smap || !base || !ymap || !byorder) {
		r = oom(c);
		goto out;
	}
	for (size_t j = 0; j < d->nsecs; j++) {
		const struct asm_sec *ds = &d->secs[j];
		smap[j] = (int)j == pt->cut_sec ? c->cur : -1;
		for (size_t i = 0; i < c->nsecs && smap[j] < 0; i++)
			if (!strcmp(c->secs[i].name, ds->name))
				smap[j] = (int)i;
		if (smap[j] >= 0) {
			const struct asm_sec *cs = &c->secs[smap[j]];
			/* one thread reports it, or picks up the first flags; at the cut, one
			 * thread refuses the bytes of a NOBITS section */
			if ((int)j == pt->cut_sec ? cs->type == BK_SHT_NOBITS :
			    cs->type != ds->type || cs->flags != ds->flags || cs->entsize != ds->entsize)
				goto out;
			base[j] = bk__asm_sec_size(c, smap[j]);
			if (base[j] % ds->align)
				goto out; /* the second half's padding assumed an aligned start */
		}
	}
	for (size_t j = 0; j < d->nsecs; j++) {
		/* the section of the cut, switched to again later in the second half: those
		 * bytes come after the ones before the switch */
		if ((int)j != pt->cut_sec && smap[j] >= 0 && smap[j] == smap[pt->cut_sec]) {
			base[j] += bk__asm_sec_size(d, pt->cut_sec);
			if (base[j] % d->secs[j].align)
				goto out;
		}
		if (base[j] + bk__asm_sec_size(d, (int)j) > UINT32_MAX)
			goto out;
	}
	/* names looked up with their slots fetched some symbols ahead: the misses overlap */
	enum { AHEAD = 8 };
	uint32_t hs[AHEAD];
	size_t nnew = 0;
	for (size_t i = 1; i < d->nsyms + AHEAD; i++) {
		/* symbol K = I - AHEAD is looked up, then I's slot is fetched */
		size_t k = i - AHEAD;
		if (i >= AHEAD + 1 && !d->syms[k].is_section) {
			const struct asm_sym *x = &d->syms[k];
			uint32_t y = c->htab ? sym_lookup(c, x->name, x->nlen, hs[k % AHEAD]) : 0;
			ymap[k] = y;
			nnew += !y;
			const struct asm_sym *s = &c->syms[y];
			if (y && ((x->defined && (s->defined || s->sec == SEC_COMMON)) || (s->defined && s->sec == SEC_ABS)))
				goto out;
		}
		if (i < d->nsyms && !d->syms[i].is_section) {
			if (dhash) {
				hs[i % AHEAD] = dhash[i];
				if (c->htab)
					__builtin_prefetch(&c->htab[dhash[i] & c->hmask], 1);
			} else {
				hs[i % AHEAD] = asm_sym_prefetch(c, d->syms[i].name, d->syms[i].nlen);
			}
		}
	}
	/* Merged from here on. Nothing looks a name up any more (finish() does not; a lookup
	 * would build the table again from the symbols), so the second half's new symbols are
	 * appended without one, their names where the second half put them. */
	htab_free(c);
	/* the second half's temporary labels that nothing refers to are not carried over */
	if (!live && !(live = live_syms(d))) {
		r = oom(c);
		goto out;
	}
	nnew = 0;
	for (size_t k = 1; k < d->nsyms; k++)
		nnew += !d->syms[k].is_section && !ymap[k] && (live[k] || !d->syms[k].temp);
	if (grow_to((void **)&c->syms, &c->capsyms, c->nsyms + nnew, sizeof(*c->syms)) ||
	    grow_to((void **)&c->owned, &c->capowned, c->nowned + d->nowned, sizeof(*c->owned))) {
		r = oom(c);
		goto out;
	}
	if (c->nsyms + nnew > 0xffffff) {
		r = bk_err_set(c->err, -EINVAL, "%s: too many symbols (at most 16777214)", c->name);
		goto out;
	}
	memcpy(c->owned + c->nowned, d->owned, d->nowned * sizeof(*d->owned));
	c->nowned += d->nowned;
	d->nowned = 0;
	for (size_t k = 1; k < d->nsyms; k++) {
		const struct asm_sym *x = &d->syms[k];
		if (x->is_section || ymap[k] || (x->temp && !live[k]))
			continue;
		struct asm_sym *s = &c->syms[c->nsyms];
		memset(s, 0, sizeof(*s));
		s->name = x->name;
		s->nlen = x->nlen;
		s->sec = SEC_UNDEF;
		s->temp = x->temp;
		ymap[k] = (uint32_t)c->nsyms++;
	}
	/* registration order: the first half's, then the second half's new ones in its order */
	for (size_t k = 1; k <= d->order; k++) {
		uint32_t i = byorder[k];
		if (!i)
			continue;
		const struct asm_sym *x = &d->syms[i];
		if (x->is_section) {
			int j = x->sec;
			if (smap[j] < 0) {
				const struct asm_sec *ds = &d->secs[j];
				if ((r = bk__asm_section(c, ds->name, strlen(ds->name), ds->type, ds->flags, ds->entsize, true)))
					goto out;
				smap[j] = c->cur;
			}
			ymap[i] = (uint32_t)c->secs[smap[j]].secsym;
		} else if (ymap[i]) {
			bk__asm_sym_register(c, ymap[i]);
		}
	}
	for (size_t q = 0; q < d->nsecs; q++) {
		/* the section of the cut first, before the one it may continue as (see above) */
		size_t j = q == 0 ? (size_t)pt->cut_sec : q == (size_t)pt->cut_sec ? 0 : q;
		struct asm_sec *ds = &d->secs[j], *cs = &c->secs[smap[j]];
		if (ds->align > cs->align)
			cs->align = ds->align;
		if (cs->type == BK_SHT_NOBITS) {
			cs->nobits += ds->nobits;
			continue;
		}
		if (ds->nchunks) {
			/* the first half's tail goes out first, so the pieces stay in order */
			if (cs->data.len && (r = spill(c, cs)))
				goto out;
			if (grow_to((void **)&cs->chunks, &cs->capchunks, cs->nchunks + ds->nchunks, sizeof(*cs->chunks))) {
				r = oom(c);
				goto out;
			}
			for (size_t k = 0; k < ds->nchunks; k++) {
				struct asm_chunk ch = ds->chunks[k];
				ch.soff += base[j];
				cs->chunks[cs->nchunks++] = ch;
			}
			cs->base = base[j] + ds->base;
			bk_buf_free(&cs->data);
			cs->data = ds->data;
			memset(&ds->data, 0, sizeof(ds->data));
		} else if (ds->data.len && bk_buf_append(&cs->data, ds->data.data, ds->data.len)) {
			r = oom(c);
			goto out;
		}
	}
	for (size_t i = 1; i < d->nsyms; i++) {
		const struct asm_sym *x = &d->syms[i];
		if (x->is_section || !ymap[i])
			continue;
		struct asm_sym *s = &c->syms[ymap[i]];
		if (x->defined) {
			s->defined = true;
			s->sec = x->sec >= 0 ? smap[x->sec] : x->sec;
			s->value = x->value + (x->sec >= 0 ? base[x->sec] : 0);
		}
		if (x->bind_set) {
			s->bind = x->bind;
			s->bind_set = true;
		}
		if (x->type_set) {
			s->type = x->type;
			s->type_set = true;
		}
		if (x->vis)
			s->vis = x->vis;
	}
	free(d->syms);
	d->syms = NULL;
	d->nsyms = d->capsyms = 0;
	uint32_t lines = c->line - 1;
	if (grow_to((void **)&c->fix, &c->capfix, c->nfix + d->nfix, sizeof(*c->fix)) ||
	    grow_to((void **)&c->rfix, &c->caprfix, c->nrfix + d->nrfix, sizeof(*c->rfix)) ||
	    grow_to((void **)&c->patch, &c->cappatch, c->npatch + d->npatch, sizeof(*c->patch)) ||
	    grow_to((void **)&c->sizes, &c->capsizes, c->nsizes + d->nsizes, sizeof(*c->sizes)) ||
	    grow_to((void **)&c->symsz, &c->capsymsz, c->nsymsz + d->nsymsz, sizeof(*c->symsz)) ||
	    grow_to((void **)&c->addrsig_syms, &c->capaddrsig, c->naddrsig + d->naddrsig, sizeof(*c->addrsig_syms))) {
		r = oom(c);
		goto out;
	}
	for (size_t i = 0; i < d->nfix; i++) {
		struct asm_fix f = d->fix[i];
		f.e.a = ymap[f.e.a];
		f.e.b = ymap[f.e.b];
		f.off += (uint32_t)base[f.sec];
		f.sec = (uint16_t)smap[f.sec];
		f.line += lines;
		c->fix[c->nfix++] = f;
	}
	for (size_t i = 0; i < d->nrfix; i++) {
		struct asm_rfix f = d->rfix[i];
		f.sym = ymap[f.sym];
		f.off += (uint32_t)base[f.sec];
		f.sec = (uint16_t)smap[f.sec];
		c->rfix[c->nrfix++] = f;
	}
	free(d->rfix);
	d->rfix = NULL;
	d->nrfix = d->caprfix = 0;
	for (size_t i = 0; i < d->npatch; i++) {
		struct asm_patch pa = d->patch[i];
		pa.off += (uint32_t)base[pa.sec];
		pa.sec = (uint16_t)smap[pa.sec];
		pa.seq = (uint32_t)c->npatch;
		c->patch[c->npatch++] = pa;
	}
	for (size_t i = 0; i < d->nsizes; i++) {
		struct asm_size z = d->sizes[i];
		z.sym = ymap[z.sym];
		z.e.a = ymap[z.e.a];
		z.e.b = ymap[z.e.b];
		z.line += lines;
		c->sizes[c->nsizes++] = z;
	}
	for (size_t i = 0; i < d->nsymsz; i++) {
		struct asm_symsize z = d->symsz[i];
		z.sym = ymap[z.sym];
		z.seq = (uint32_t)c->nsymsz;
		c->symsz[c->nsymsz++] = z;
	}
	for (size_t i = 0; i < d->naddrsig; i++)
		c->addrsig_syms[c->naddrsig++] = ymap[d->addrsig_syms[i]];
	c->addrsig |= d->addrsig;
	c->cur = smap[d->cur];
	c->prev = d->prev >= 0 ? smap[d->prev] : -1;
	c->line += d->line - 1;
	r = 1;
out:
	free(smap);
	free(base);
	free(ymap);
	free(byorder);
	free(live);
	return r;
}

/* Assembles the file PATH into C (initialised here, freed by the caller). An LLVM input is
 * read a piece at a time (in two threads if it is big); SPILL_FD >= 0 sends big sections'
 * contents there. */
static int asm_file_ctx(const char *path, const struct bk_asm_opts *opts, struct asm_ctx *c, int spill_fd,
			struct bk_object **whole, struct bk_err *err)
{
	memset(c, 0, sizeof(*c));
	c->spill_fd = -1;
	bool std_in = !strcmp(path, "-");
	int fd = std_in ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (spill_fd >= 0)
			close(spill_fd);
		return bk_err_set(err, -e, "%s: %s", path, strerror(e));
	}
	struct bk_asm_opts o = BK_OPTS_INIT(bk_asm_opts, .name = BK_OPTS_GET(opts, name, NULL),
					    .cpu = BK_OPTS_GET(opts, cpu, 0),
					    .syntax = BK_OPTS_GET(opts, syntax, BK_ASM_AUTO),
					    .include_dir = BK_OPTS_GET(opts, include_dir, NULL));
	int threads = BK_OPTS_GET(opts, threads, 0);
	int *threads_used = BK_OPTS_GET(opts, threads_used, NULL);
	if (threads_used)
		*threads_used = 1;
	if (!o.name)
		o.name = std_in ? "<stdin>" : path;
	struct bk_buf b = { 0 };
	bool eof = false;
	struct stat st;
	bool seek = !std_in && !fstat(fd, &st) && S_ISREG(st.st_mode);
	uint64_t pos = 0;
	int r = fill_range(fd, seek, &pos, UINT64_MAX, &b, PIECE, &eof, o.name, err);
	if (!r && o.syntax == BK_ASM_AUTO)
		o.syntax = bk_asm_detect(b.data ? (const char *)b.data : "", b.len);
	if (!r && o.syntax != BK_ASM_LLVM) {
		/* the other syntaxes are small hand-written files: read them whole */
		while (!r && !eof)
			r = fill_range(fd, seek, &pos, UINT64_MAX, &b, b.len + PIECE, &eof, o.name, err);
		if (!r)
			r = bk_asm_object(b.data ? (const char *)b.data : "", b.len, &o, whole, err);
		if (spill_fd >= 0)
			close(spill_fd);
		goto done;
	}
	if (r) {
		if (spill_fd >= 0)
			close(spill_fd);
		goto done;
	}
	struct asm_matcher *m = NULL;
	r = ctx_init(c, &o, err);
	c->spill_fd = spill_fd;
	if (seek)
		c->hsize_hint = hash_hint((uint64_t)st.st_size);
	/* (a split input: the second half's symbols never enter this table) */
	c->syntax = BK_ASM_LLVM;
	if (!r && !(m = bk__asm_matcher_new(BK_ASM_LLVM)))
		r = oom(c);
	struct asm_part *part = NULL;
	pthread_t th;
	uint64_t split = 0;
	if (!r && seek && threads != 1 && (threads >= 2 || (uint64_t)st.st_size >= SPLIT_MIN) &&
	    (split = find_split(fd, (uint64_t)st.st_size)) && (part = calloc(1, sizeof(*part)))) {
		part->opts = o;
		part->fd = fd;
		part->spill_fd = spill_fd;
		part->from = split;
		part->hsize_hint = hash_hint((uint64_t)st.st_size - split);
		if (pthread_create(&th, NULL, part_main, part)) {
			free(part);
			part = NULL;
		} else {
			if (spill_fd >= 0)
				c->spill_end = SPLIT_SPILL;
			c->hsize_hint = hash_hint(split);
		}
	}
	if (!part)
		split = UINT64_MAX;
	if (!r)
		r = asm_pieces(c, m, fd, seek, &pos, split, &b, &eof, o.name, err);
	if (part) {
		if (!r) {
			/* the first half's own settling, while the second half may still be at work,
			 * and room made for the second half's fixups (about as many as the first
			 * half's): the merge appends them without growing the lists */
			sweep_fixups(c);
			fold_sizes(c);
			if (grow_to((void **)&c->rfix, &c->caprfix, c->nrfix / 4 * 9 + 1024, sizeof(*c->rfix)) ||
			    grow_to((void **)&c->fix, &c->capfix, c->nfix / 4 * 9 + 1024, sizeof(*c->fix)))
				r = oom(c);
		}
		pthread_join(th, NULL);
		int merged = 0;
		if (!r && !part->r)
			merged = split_merge(c, part);
		if (merged < 0)
			r = merged;
		if (merged > 0 && threads_used)
			*threads_used = 2;
		part->c.spill_fd = -1;
		ctx_free(&part->c);
		free(part->hash);
		free(part->ymap);
		free(part->byorder);
		free(part->live);
		free(part);
		/* not merged: the second half is read again here (B holds what was read past
		 * the cut) */
		if (!r && !merged)
			r = asm_pieces(c, m, fd, seek, &pos, UINT64_MAX, &b, &eof, o.name, err);
	}
	bk__asm_matcher_free(m);
	bk_buf_free(&b);
	if (!r)
		r = finish(c);
	if (!r) {
		/* what building the object does not need goes first: it is the peak */
		free(c->fix);
		c->fix = NULL;
		c->nfix = c->capfix = 0;
		free(c->rfix);
		c->rfix = NULL;
		c->nrfix = c->caprfix = 0;
		htab_free(c);
		free(c->sizes);
		c->sizes = NULL;
		c->nsizes = c->capsizes = 0;
	}
done:
	bk_buf_free(&b);
	if (!std_in)
		close(fd);
	return r;
}

int bk_asm_file(const char *path, const struct bk_asm_opts *opts, struct bk_object **out,
		struct bk_err *err)
{
	struct asm_ctx c;
	struct bk_object *whole = NULL;
	int r = asm_file_ctx(path, opts, &c, -1, &whole, err);
	if (!r && whole)
		*out = whole;
	else if (!r)
		r = build_object(&c, out, NULL);
	ctx_free(&c);
	return r;
}

static int cmp_patch(const void *x, const void *y)
{
	const struct asm_patch *a = x, *b = y;
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if (a->off != b->off)
		return a->off < b->off ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

struct stream_src {
	struct asm_ctx *c;
	int *asm_sec;         /* object section index -> assembler section */
	size_t nobj;
	/* the contents' place in the output file, by assembler section (0: none), when
	 * another thread writes them (copy_main) */
	uint64_t *at;
	int copy_fd;
	pthread_t th;
	bool copying;
	int copy_r;
	struct bk_err copy_err;
	bool no_cfr;          /* copy_file_range refused: through a buffer from then on */
	bool spill_closed;    /* by copy_main */
};

/* The first patch (they are sorted by section, offset, order) that can reach byte OFF of
 * section SI or a later one. */
static size_t first_patch(const struct asm_ctx *c, int si, uint64_t off)
{
	size_t lo = 0, hi = c->npatch;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct asm_patch *p = &c->patch[mid];
		if (p->sec < si || (p->sec == si && (uint64_t)p->off + 8 <= off))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* LEN bytes at OFF of assembler section SI: the spilled pieces, then what is still in
 * memory, then the patches that fall into the range (in the order they were made). */
static int sec_read(struct asm_ctx *c, int si, uint64_t off, void *buf, size_t len, struct bk_err *err)
{
	struct asm_sec *s = &c->secs[si];
	uint8_t *d = buf;
	uint64_t pos = off, end = off + len;
	size_t k = 0;
	while (pos < end) {
		size_t n;
		if (pos >= s->base) {
			n = (size_t)(end - pos);
			memcpy(d + (pos - off), s->data.data + (pos - s->base), n);
		} else {
			while (k < s->nchunks && s->chunks[k].soff + s->chunks[k].len <= pos)
				k++;
			if (k == s->nchunks)
				return bk_err_set(err, -EIO, "%s: scratch file: section '%s' offset %llu missing", c->name,
						  s->name, (unsigned long long)pos);
			const struct asm_chunk *ch = &s->chunks[k];
			uint64_t in = pos - ch->soff;
			n = ch->len - in < end - pos ? (size_t)(ch->len - in) : (size_t)(end - pos);
			for (size_t got = 0; got < n;) {
				ssize_t rd = pread(c->spill_fd, d + (pos - off) + got, n - got, (off_t)(ch->foff + in + got));
				if (rd < 0 && errno == EINTR)
					continue;
				if (rd <= 0) {
					int e = rd < 0 ? errno : EIO;
					return bk_err_set(err, -e, "%s: scratch file: %s", c->name, strerror(e));
				}
				got += (size_t)rd;
			}
		}
		pos += n;
	}
	size_t lo = first_patch(c, si, off);
	for (size_t i = lo; i < c->npatch && c->patch[i].sec == si && c->patch[i].off < end; i++) {
		const struct asm_patch *p = &c->patch[i];
		uint8_t v[8];
		memcpy(v, &p->v, 8); /* little-endian host */
		for (unsigned b = 0; b < p->n; b++)
			if (p->off + b >= off && p->off + b < end)
				d[p->off + b - off] = v[b];
	}
	return 0;
}

/* The writer's read hook (a section that section_copy left to it) */
static int section_read(void *ctx, unsigned osec, uint64_t off, void *buf, size_t len, struct bk_err *err)
{
	struct stream_src *src = ctx;
	if (osec >= src->nobj || src->asm_sec[osec] < 0)
		return bk_err_set(err, -EINVAL, "%s: no contents for section %u", src->c->name, osec);
	return sec_read(src->c, src->asm_sec[osec], off, buf, len, err);
}

/* Is any byte of [from, to) of section SI patched? (patches sorted as in sec_read) */
static bool patched(const struct asm_ctx *c, int si, uint64_t from, uint64_t to)
{
	size_t lo = first_patch(c, si, from);
	for (size_t i = lo; i < c->npatch && c->patch[i].sec == si && c->patch[i].off < to; i++)
		if ((uint64_t)c->patch[i].off + c->patch[i].n > from)
			return true;
	return false;
}

/* Explicit offsets: the writer fills the rest of the file meanwhile, from another thread. */
static int pwrite_all(struct asm_ctx *c, int fd, const void *p, size_t n, uint64_t at, struct bk_err *err)
{
	const uint8_t *q = p;
	while (n) {
		ssize_t w = pwrite(fd, q, n, (off_t)at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : EIO;
			return bk_err_set(err, -e, "%s: write: %s", c->name, strerror(e));
		}
		q += w;
		at += (uint64_t)w;
		n -= (size_t)w;
	}
	return 0;
}

/* [off, off + len) of section SI to AT of FD through a buffer, with its patches */
static int copy_read(struct asm_ctx *c, int si, int fd, uint64_t at, uint64_t off, uint64_t len, struct bk_err *err)
{
	enum { BUF = 64 * 1024 };
	uint8_t *buf = malloc(BUF);
	int r = buf ? 0 : bk_err_set(err, -ENOMEM, "%s: out of memory", c->name);
	while (!r && len) {
		size_t n = len < BUF ? (size_t)len : BUF;
		if (!(r = sec_read(c, si, off, buf, n, err)))
			r = pwrite_all(c, fd, buf, n, at, err);
		at += n;
		off += n;
		len -= n;
	}
	free(buf);
	return r;
}

/* All of section SI to AT of FD: the spilled pieces from the scratch file inside the
 * kernel (copy_file_range: one copy, not two through a user buffer), pieces with patches
 * and the bytes still in memory through a buffer. */
static int section_put(struct stream_src *src, int si, int fd, uint64_t at, struct bk_err *err)
{
	struct asm_ctx *c = src->c;
	const struct asm_sec *s = &c->secs[si];
	uint64_t pos = 0;
	int r;
	for (size_t k = 0; k < s->nchunks; k++) {
		const struct asm_chunk *ch = &s->chunks[k];
		if (ch->soff != pos)
			break;
		loff_t in = (loff_t)ch->foff, to = (loff_t)(at + pos);
		size_t left = ch->len;
		bool direct = !patched(c, si, ch->soff, ch->soff + ch->len);
		while (left && direct && !src->no_cfr) {
			ssize_t n = copy_file_range(c->spill_fd, &in, fd, &to, left, 0);
			if (n < 0 && errno == EINTR)
				continue;
			/* another file system, an old kernel: through a buffer instead */
			if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
				src->no_cfr = true;
				break;
			}
			if (n <= 0) {
				int e = n < 0 ? errno : EIO;
				return bk_err_set(err, -e, "%s: write: %s", c->name, strerror(e));
			}
			left -= (size_t)n;
		}
		if (left && (r = copy_read(c, si, fd, at + pos + (ch->len - left), ch->soff + (ch->len - left), left, err)))
			return r;
		pos += ch->len;
	}
	if (pos != s->base)
		return bk_err_set(err, -EIO, "%s: scratch file: section '%s' offset %llu missing", c->name, s->name,
				  (unsigned long long)pos);
	if (patched(c, si, pos, pos + s->data.len))
		return copy_read(c, si, fd, at + pos, pos, s->data.len, err);
	return pwrite_all(c, fd, s->data.data, s->data.len, at + pos, err);
}

/* The contents of every section, while the other thread builds the symbol table and
 * the relocations and writes them (after the contents: see bk_object_layout). */
static void *copy_main(void *arg)
{
	struct stream_src *src = arg;
	struct asm_ctx *c = src->c;
	int r = 0;
	for (size_t si = 0; !r && si < c->nsecs; si++)
		if (src->at[si])
			r = section_put(src, (int)si, src->copy_fd, src->at[si], &src->copy_err);
	/* nothing reads the scratch file any more: its pages (megabytes) are let go here,
	 * not in the other thread */
	if (!r && !close(c->spill_fd))
		src->spill_closed = true;
	src->copy_r = r;
	return NULL;
}

/* Starts copy_main for the sections of O (made by object_sections, written to FD): 0,
 * or 1 if no thread could be had (section_copy then copies each section itself). */
static int copy_start(struct stream_src *src, const struct bk_object *o, int fd)
{
	struct asm_ctx *c = src->c;
	uint64_t *offs = malloc(o->nsections * sizeof(*offs));
	src->at = calloc(c->nsecs ? c->nsecs : 1, sizeof(*src->at));
	if (!offs || !src->at) {
		free(offs);
		return oom(c);
	}
	bk_object_layout(o, offs);
	for (size_t i = 0; i < c->nsecs; i++)
		if (c->secs[i].type != BK_SHT_NOBITS && bk__asm_sec_size(c, (int)i))
			src->at[i] = offs[c->secs[i].out_index];
	free(offs);
	src->copy_fd = fd;
	src->copying = !pthread_create(&src->th, NULL, copy_main, src);
	return src->copying ? 0 : 1;
}

/* The writer's copy hook: the contents are at their place already (copy_main), or are
 * put there now; FD's offset goes past them. */
static int section_copy(void *ctx, unsigned osec, int fd, uint64_t foff, uint64_t size, struct bk_err *err)
{
	struct stream_src *src = ctx;
	struct asm_ctx *c = src->c;
	if (osec >= src->nobj || src->asm_sec[osec] < 0)
		return 1;
	int si = src->asm_sec[osec], r;
	if (size != bk__asm_sec_size(c, si) || foff != src->at[si])
		return bk_err_set(err, -EIO, "%s: section '%s' laid out at %llu, written at %llu", c->name,
				  c->secs[si].name, (unsigned long long)src->at[si], (unsigned long long)foff);
	if (!src->copying && (r = section_put(src, si, fd, foff, err)))
		return r;
	if (lseek(fd, (off_t)(foff + size), SEEK_SET) < 0)
		return bk_err_set(err, -errno, "%s: write: %s", c->name, strerror(errno));
	return 0;
}

int bk_asm_file_write(const char *path, const char *out, const struct bk_asm_opts *opts, struct bk_err *err)
{
	struct asm_ctx c;
	struct bk_object *obj = NULL;
	struct stream_src src = { .c = &c };
	size_t borrowed = SIZE_MAX;
	int spill_fd = strcmp(out, "-") ? scratch_file(out) : -1, out_fd = -1;
	char *tmp = NULL;
	int r = asm_file_ctx(path, opts, &c, spill_fd, &obj, err);
	if (!r && !obj && c.spill_fd >= 0) {
		/* the contents go to the output file from another thread as soon as their
		 * place is known, while this one makes the symbols and relocations */
		struct bk_object *o = NULL;
		if (c.npatch)
			sort_unless_sorted(c.patch, c.npatch, sizeof(*c.patch), cmp_patch);
		r = object_sections(&c, &o, true);
		if (!r && (out_fd = bk_object_file_open(out, &tmp, err)) < 0)
			r = out_fd;
		if (!r && copy_start(&src, o, out_fd) < 0)
			r = -ENOMEM;
		if (!r)
			r = object_symbols(&c, o, &obj, &borrowed);
		else if (o)
			bk_object_free(o);
	} else if (!r && !obj) {
		r = build_object(&c, &obj, &borrowed);
	}
	if (!r && out_fd >= 0) {
		src.nobj = obj->nsections;
		src.asm_sec = malloc(src.nobj * sizeof(*src.asm_sec));
		if (!src.asm_sec)
			r = oom(&c);
		for (size_t i = 0; !r && i < src.nobj; i++)
			src.asm_sec[i] = -1;
		/* finalizing inserted .strtab, .rel* and the rest between the sections, in order */
		size_t j = 0;
		for (size_t i = 1; !r && i < src.nobj && j < c.nsecs; i++) {
			const struct bk_section *os = &obj->sections[i];
			if (os->type == BK_SHT_STRTAB || os->type == BK_SHT_SYMTAB || os->type == BK_SHT_REL ||
			    os->type == BK_SHT_LLVM_ADDRSIG || strcmp(os->name, c.secs[j].name))
				continue;
			src.asm_sec[i] = (int)j++;
		}
	}
	if (!r) {
		/* the symbols went into the object: only the section contents are still needed */
		free(c.syms);
		c.syms = NULL;
		free(c.rel);
		c.rel = NULL;
		struct bk_object_write_opts wo = { .sz = sizeof(wo), .read = section_read, .ctx = &src,
						   .copy = section_copy };
		if (out_fd >= 0)
			r = bk_object_write_fd(obj, out_fd, &wo, err);
		else
			r = bk_object_write_file_opts(obj, out, NULL, err);
	}
	if (src.copying) {
		pthread_join(src.th, NULL);
		if (src.spill_closed)
			c.spill_fd = -1;
		if (!r && src.copy_r) {
			r = src.copy_r;
			if (err)
				*err = src.copy_err;
		}
	}
	if (out_fd >= 0)
		r = bk_object_file_done(out, out_fd, tmp, r, err);
	if (obj) {
		unborrow(obj, borrowed);
		bk_object_free(obj);
	}
	free(src.asm_sec);
	free(src.at);
	ctx_free(&c);
	return r;
}

int bk_asm_object(const char *text, size_t len, const struct bk_asm_opts *opts,
		  struct bk_object **out, struct bk_err *err)
{
	struct asm_ctx c;
	int r = assemble(text, len, opts, &c, err);
	if (!r)
		r = build_object(&c, out, NULL);
	ctx_free(&c);
	return r;
}

int bk_asm_raw(const char *text, size_t len, const struct bk_asm_opts *opts, struct bk_buf *out,
	       struct bk_err *err)
{
	struct asm_ctx c;
	int r = assemble(text, len, opts, &c, err);
	if (!r) {
		for (size_t i = 0; i < c.nsecs; i++) {
			struct asm_sec *s = &c.secs[i];
			if ((s->flags & BK_SHF_EXECINSTR) && s->data.len) {
				if (bk_buf_append(out, s->data.data, s->data.len))
					r = oom(&c);
				break;
			}
		}
	}
	ctx_free(&c);
	return r;
}
