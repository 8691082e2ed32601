/* Internal to the assembler: one context shared by the three syntax front ends.
 * The hot path (one statement) does no allocation: statements are slices of the
 * source, symbols are interned once in an open-addressing hash, instructions are
 * encoded at once and forward references become fixups patched at the end. */
#ifndef BK_ASM_INT_H
#define BK_ASM_INT_H

#include "bpfkit/asm.h"
#include "bpfkit/isa.h"
#include "bpfkit/object.h"
#include "bpfkit/util.h"

#include <string.h>

#define SEC_UNDEF (-1)
#define SEC_ABS (-2)
#define SEC_COMMON (-3)   /* .comm: SHN_COMMON, value = alignment */

/* Kept small (32 bytes): a big file has a symbol per basic-block label. Sizes, which few
 * symbols have, are kept apart (bk__asm_set_size). */
struct asm_sym {
	const char *name;     /* interned (bk__asm_intern), NUL-terminated */
	uint64_t value;
	uint32_t nlen;
	int32_t sec;          /* section index, SEC_UNDEF or SEC_ABS */
	/* registration order (llvm-mc keeps symbols in this order); once the object is
	 * built, the index in the written symbol table */
	uint32_t order;
	uint8_t type, bind, vis;
	bool defined : 1, bind_set : 1, used_reloc : 1, temp : 1, is_section : 1, registered : 1,
		type_set : 1;
};
_Static_assert(sizeof(struct asm_sym) == 32, "a symbol per label: keep it small");

struct asm_sec {
	char *name;
	uint32_t type;
	uint64_t flags, align, entsize;
	/* bytes [base, base + data.len) are in memory; [0, base) went to the spill file
	 * (streamed output), in the pieces listed in chunks */
	struct bk_buf data;
	uint64_t base;
	struct asm_chunk { uint64_t foff, soff; size_t len; } *chunks;
	size_t nchunks, capchunks;
	uint64_t nobits;      /* size of a NOBITS section */
	int secsym;           /* symbol index of the section symbol */
	bool is_code;
	int out_index;
};

/* value = sym(a) - sym(b) + c; a, b are symbol indexes, 0 = none. */
struct asm_expr {
	int64_t c;
	uint32_t a, b;
};

enum fix_kind { FIX_JMP16, FIX_JMP32, FIX_CALL, FIX_LDDW, FIX_DATA1, FIX_DATA2, FIX_DATA4, FIX_DATA8 };

struct asm_fix {
	struct asm_expr e;
	uint32_t off;
	uint32_t line;
	uint16_t sec;
	uint16_t col;         /* saturates at 65535 */
	uint8_t kind;
	bool preset;          /* FIX_CALL: the field was emitted as -1 (bk__asm_emit_insn) */
};

/* The common fixup, `rD = sym ll` or `call sym`: symbol only, no addend, no message
 * possible, so a third of the size of struct asm_fix. */
struct asm_rfix {
	uint32_t off;
	uint32_t sym;
	uint16_t sec;
	uint8_t kind;
	bool preset;
};

struct asm_size {
	uint32_t sym;
	struct asm_expr e;
	uint32_t line, col;
};

struct asm_reloc {
	uint32_t off;
	uint32_t sym;
	uint16_t sec;
	uint8_t type;
};

/* A fixup's bytes for data that is in the spill file already, written over it when the
 * object is written out. */
struct asm_patch {
	uint64_t v;
	uint32_t off, seq;
	uint16_t sec;
	uint8_t n;
};

#define BK__ASM_PJMP 8

struct asm_ctx {
	const char *name;
	int cpu;
	int syntax;
	struct bk_err *err;
	const char *include_dir;
	/* position of the statement being assembled, for messages */
	uint32_t line;
	const char *line_start;
	const char *stmt;     /* start of the statement, for errors without a better place */

	struct asm_sym *syms;
	size_t nsyms, capsyms;
	uint32_t *htab;       /* 8 bits of hash | 24-bit symbol index; 0 = empty */
	size_t hmask;
	size_t hsize_hint;    /* first size of htab (from the input's size), 0 = default */
	uint32_t order;

	struct asm_sec *secs;
	size_t nsecs, capsecs;
	int cur;

	struct asm_fix *fix;
	size_t nfix, capfix;
	struct asm_rfix *rfix;
	size_t nrfix, caprfix;
	struct asm_size *sizes;
	size_t nsizes, capsizes;
	struct asm_symsize { uint32_t sym, seq; uint64_t size; } *symsz; /* the last one counts */
	/* .set name, label + k: settled in finish() */
	struct asm_alias { uint32_t sym, line, col; struct asm_expr e; } *alias;
	size_t nalias, capalias;
	size_t nsymsz, capsymsz;
	struct asm_reloc *rel;
	size_t nrel, caprel;

	bool addrsig;
	uint32_t *addrsig_syms;
	size_t naddrsig, capaddrsig;
	const char *file_name;  /* .file "x.c" -> STT_FILE symbol */
	uint32_t file_nlen;

	/* storage that must outlive parsing: generated names, included files */
	char **owned;
	size_t nowned, capowned;
	char *arena;          /* interned names (bk__asm_intern) */
	size_t arena_left;
	struct asm_dwarf *dw;  /* .file N / .loc / .cfi_* state (dwarf.c), NULL if none */
	int prev;              /* the section before the current one (.previous), -1 none */
	int *secstack;         /* (current, previous) pairs saved by .pushsection */
	size_t nsecstack, capsecstack;
	/* numeric labels (1:, 1b, 1f): how many times each number was defined */
	struct { uint64_t n; uint32_t count; } *numlab;
	size_t nnumlab, capnumlab;
	struct { uint32_t sym, line, col; } *numfwd; /* 1f references, checked at the end */
	size_t nnumfwd, capnumfwd;
	bool loc_pending;      /* a .loc waits for the next instruction or data */
	/* LLVM front end state kept between pieces of a streamed input */
	bool in_block;
	/* .rept N ... .endr being collected (depth counts nested .rept inside) */
	int rept_depth;
	uint64_t rept_count;
	uint32_t rept_line, rept_col;
	struct bk_buf rept_body;
	int include_depth;
	/* streamed output: section contents beyond a few KiB go to this unlinked file
	 * (-1: everything stays in memory) */
	int spill_fd;
	uint64_t spill_pos;
	uint64_t spill_end;   /* 0, or where another thread's pieces begin in the file */
	struct asm_patch *patch;
	size_t npatch, cappatch;
	/* the instruction fixup registered for the next instruction: its field is emitted
	 * as zeros, so a zero written over spilled bytes later needs no patch */
	uint32_t pend_off;
	int32_t pend_sec;
	uint8_t pend_kind;
	/* forward jumps of the fast path that are no fixups yet (bk__asm_add_jump): the
	 * label of most is a few lines on and settles them at once. Newer than every
	 * fixup; bk__asm_flush_jumps makes them fixups. */
	struct asm_pjmp { uint32_t off, sym, line; uint16_t sec, col; } pjmp[BK__ASM_PJMP];
	uint32_t npjmp;
	/* the symbol of the last `rD = sym ll` [0] and `call sym` [1] the fast path took
	 * (fast.c), 0 none */
	uint32_t fast_sym[2];
	/* assembling the second half of a split input (another thread): what depends on
	 * the first half is refused, and the input goes back to one thread */
	bool split_part;
	/* a split part: each symbol's name hash as it was made (for the merge's lookups, which
	 * would otherwise hash every name again after the parse); NULL after a failed growth */
	uint32_t *shash;
	size_t capshash;
	bool shash_lost;
	/* ubpf: the implicit label "exit" on the first exit instruction */
	int64_t first_exit;
};

/* error at column COL_PTR of the current line (NULL: column 1) */
int bk__asm_error(struct asm_ctx *c, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
uint32_t bk__asm_sym_get(struct asm_ctx *c, const char *name, size_t len);
uint32_t bk__asm_sym_find(struct asm_ctx *c, const char *name, size_t len);
int bk__asm_set_size(struct asm_ctx *c, uint32_t sym, uint64_t size);
int bk__asm_add_alias(struct asm_ctx *c, uint32_t sym, const struct asm_expr *e, const char *at);
bool bk__asm_is_alias(struct asm_ctx *c, uint32_t sym);
void bk__asm_sym_register(struct asm_ctx *c, uint32_t s);
int bk__asm_define_label(struct asm_ctx *c, const char *name, size_t len, const char *at);
int bk__asm_section(struct asm_ctx *c, const char *name, size_t len, uint32_t type, uint64_t flags,
		uint64_t entsize, bool explicit_flags);
int bk__asm_emit(struct asm_ctx *c, const void *p, size_t n);
int bk__asm_emit_insn(struct asm_ctx *c, const struct bk_insn *in, int slots);
int bk__asm_add_fix(struct asm_ctx *c, int kind, uint64_t off, const struct asm_expr *e, const char *at);
int bk__asm_add_rfix(struct asm_ctx *c, int kind, uint64_t off, uint32_t sym);
/* A FIX_JMP16 to SYM from the instruction about to be emitted at OFF, whose offset field
 * is zero: kept aside for the label's definition, a fixup if it does not come soon. */
int bk__asm_add_jump(struct asm_ctx *c, uint64_t off, uint32_t sym, const char *at);
int bk__asm_flush_jumps(struct asm_ctx *c); /* the jumps kept aside become fixups */
int bk__asm_align(struct asm_ctx *c, uint64_t align, uint8_t fill);
uint64_t bk__asm_cur_off(struct asm_ctx *c);
/* Moves the current section's bytes to the spill file when enough have collected; call
 * before appending to a section's buffer other than through bk__asm_emit*. */
int bk__asm_spill_check(struct asm_ctx *c);
char *bk__asm_strdup(struct asm_ctx *c, const char *s, size_t n);
const char *bk__asm_intern(struct asm_ctx *c, const char *s, size_t n);

/* Expressions: numbers (dec, 0x, 0b, leading-0 octal), symbols, + - * / % << >> & | ^ ~,
 * parentheses. *pp advances past what was parsed. */
int bk__asm_parse_expr(struct asm_ctx *c, const char **pp, const char *end, struct asm_expr *e);
/* A constant expression over the whole span [p, end). */
/* All of [p, end) as one expression; a difference of two labels of one section is folded
 * into e->c, any other difference is an error. */
int bk__asm_expr_all(struct asm_ctx *c, const char *p, const char *end, struct asm_expr *e);
int bk__asm_const_expr(struct asm_ctx *c, const char *p, const char *end, int64_t *v);
bool bk__asm_parse_number(const char **pp, const char *end, uint64_t *v);

static inline bool asm_is_ident_start(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '.' || ch == '$';
}
static inline bool asm_is_ident(char ch)
{
	return asm_is_ident_start(ch) || (ch >= '0' && ch <= '9');
}
/* The end of the identifier that starts at p (p itself if none does). */
static inline const char *asm_scan_ident(const char *p, const char *end)
{
	while (p < end && asm_is_ident(*p))
		p++;
	return p;
}
/* Is [s, e) a register name, rN or wN with one or two digits? Its letter and number (not
 * range-checked: the caller says what is wrong with r11). One reading for the fast path
 * and the matcher. */
static inline bool asm_reg_name(const char *s, const char *e, char *w, int *num)
{
	if (e - s < 2 || e - s > 3 || (s[0] != 'r' && s[0] != 'w'))
		return false;
	int v = 0;
	for (const char *q = s + 1; q < e; q++) {
		if (*q < '0' || *q > '9')
			return false;
		v = v * 10 + (*q - '0');
	}
	*w = s[0];
	*num = v;
	return true;
}
static inline const char *asm_skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v'))
		p++;
	return p;
}

/* Eight bytes at a time (the last eight, or two overlapping fours, read again for the
 * tail), then mixed (murmur3's finaliser): names that differ only in their last digits
 * (.LBB0_1, .LBB0_2) must land far apart for linear probing. Byte-wise FNV cost a
 * multiply per character of every label, twice per label. */
static inline uint32_t asm_hash_name(const char *s, size_t n)
{
	uint64_t h = (uint64_t)n * 0x9e3779b97f4a7c15ull, w;
	if (n >= 8) {
		const char *e = s + n - 8;
		for (; s < e; s += 8) {
			memcpy(&w, s, 8);
			h = (h ^ w) * 0xff51afd7ed558ccdull;
			h ^= h >> 32;
		}
		memcpy(&w, e, 8);
	} else if (n >= 4) {
		uint32_t x, y;
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		w = (uint64_t)x << 32 | y;
	} else {
		w = n ? (uint64_t)(uint8_t)s[0] << 16 | (uint64_t)(uint8_t)s[n >> 1] << 8 | (uint8_t)s[n - 1] : 0;
	}
	h ^= w;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)h;
}

/* Starts loading the hash slot of NAME (a hint, nothing else): a label's first use is a
 * cache miss on a random slot, which the LLVM line loop issues some lines ahead. */
static inline uint32_t asm_sym_prefetch(const struct asm_ctx *c, const char *name, size_t len)
{
	uint32_t h = asm_hash_name(name, len);
	if (c->htab)
		__builtin_prefetch(&c->htab[h & c->hmask], 1);
	return h;
}

/* Table-driven instruction matcher, shared by the LLVM and ubpf front ends. */
struct asm_matcher;
struct asm_matcher *bk__asm_matcher_new(int syntax);
void bk__asm_matcher_free(struct asm_matcher *m);
/* Assembles one instruction statement [p, end). Returns 0 or a negative errno. */
int bk__asm_match_insn(struct asm_ctx *c, struct asm_matcher *m, const char *p, const char *end);
/* A keyword of the templates (goto, ll, call, ...): never a symbol in an operand. */
bool bk__asm_matcher_is_word(const struct asm_matcher *m, const char *s, size_t n);
/* The LLVM front end's one-pass reader (fast.c): the lines from P up to LIM (each ends in
 * '\n'; END is the end of the text) while it takes them. *NEXT: the first line it left to
 * the general path, or LIM. 0, or <0 on an error. */
void bk__asm_fast_init(void); /* before bk__asm_fast_lines: its tables, once per process */
int bk__asm_fast_lines(struct asm_ctx *c, const struct asm_matcher *m, const char *p, const char *lim,
		       const char *end, const char **next);
/* The size at which a section's buffer goes to the spill file (asm.c's SPILL_AT): the
 * fast path's inline emit leaves that moment to bk__asm_emit_insn. */
#define BK__ASM_SPILL_AT (32 * 1024)
int bk__asm_check_cpu(struct asm_ctx *c, enum bk_op op, const char *at, const char *end);

int bk__asm_llvm(struct asm_ctx *c, const char *text, size_t len);
/* C-escaped string literal at *pp, appended to OUT */
int bk__asm_parse_string(struct asm_ctx *c, const char **pp, const char *end, struct bk_buf *out);
uint64_t bk__asm_sec_size(struct asm_ctx *c, int sec);
/* Numeric label N: define (1:) or refer to it (dir 'b' or 'f'); returns the symbol. */
int bk__asm_numeric_label(struct asm_ctx *c, uint64_t n, char dir, const char *at, uint32_t *sym);

/* DWARF generated from directives (dwarf.c) */
int bk__asm_dir_file(struct asm_ctx *c, const char *p, const char *end);
int bk__asm_dir_loc(struct asm_ctx *c, const char *p, const char *end);
int bk__asm_dir_cfi(struct asm_ctx *c, const char *dname, size_t n, const char *p, const char *end);
int bk__asm_dwarf_mark(struct asm_ctx *c);
int bk__asm_dwarf_finish(struct asm_ctx *c);
void bk__asm_dwarf_free(struct asm_ctx *c);
int bk__asm_llvm_lines(struct asm_ctx *c, struct asm_matcher *m, const char *text, size_t len);
int bk__asm_ubpf(struct asm_ctx *c, const char *text, size_t len);
int bk__asm_intel(struct asm_ctx *c, const char *text, size_t len);

#endif
