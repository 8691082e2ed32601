/* The LLVM front end's fast path: the statement forms that make up nearly all of what
 * clang writes (moves, ALU, loads, stores, conditional jumps to labels, goto, call, exit,
 * lddw), parsed by hand in one pass without tokens or candidate lists.
 *
 * It only ever accepts: anything unusual, and every error, is left to the table-driven
 * matcher (returns 0), so messages and the odd forms have one implementation. Encodings
 * come from the isa table through bk_isa_decode, so the fast path cannot disagree with
 * the matcher about an opcode or its cpu level. */
#include "asm_int.h"

#include <pthread.h>
#include <string.h>

/* ALU operation nibbles and jump conditions, as in RFC 9669 */
enum { A_ADD = 0x00, A_SUB = 0x10, A_MUL = 0x20, A_DIV = 0x30, A_OR = 0x40, A_AND = 0x50,
       A_LSH = 0x60, A_RSH = 0x70, A_MOD = 0x90, A_XOR = 0xa0, A_MOV = 0xb0, A_ARSH = 0xc0 };
enum { J_JA = 0x00, J_EQ = 0x10, J_GT = 0x20, J_GE = 0x30, J_SET = 0x40, J_NE = 0x50,
       J_SGT = 0x60, J_SGE = 0x70, J_CALL = 0x80, J_EXIT = 0x90, J_LT = 0xa0, J_LE = 0xb0,
       J_SLT = 0xc0, J_SLE = 0xd0 };

/* ---- one line at a time -------------------------------------------------------------
 *
 * Everything here reads a line that ends in '\n' (bk__asm_fast_lines' contract): no
 * character class below takes a '\n', so a scan stops at the line's end by itself and
 * needs no bounds check, and a byte after one that was not '\n' is there to read. */

/* The cpu level and size of each opcode byte as the fast line path emits it, taken from
 * the isa table once per process: bk_isa_decode per instruction was a visible share of
 * the run. An entry holds when the instruction's field the opcode's forms are told apart
 * by (if any) is zero, as it is in every form emitted here; otherwise decode as before. */
enum { LV_OK = 0x80, LV_LDDW = 0x40 };
static struct lv { uint8_t e, field; } lvt[256];
static pthread_once_t lv_once = PTHREAD_ONCE_INIT;

static void lv_init(void)
{
	for (int code = 0; code < 256; code++) {
		enum bk_op first;
		int n = bk_isa_forms((uint8_t)code, &first);
		if (!n)
			continue;
		uint8_t field = BK_M_NONE;
		bool ok = true;
		for (int i = 0; i < n; i++) {
			uint8_t k = bk_isa_info((enum bk_op)(first + i))->match;
			if (k == BK_M_NONE)
				continue;
			if (field != BK_M_NONE && field != k)
				ok = false;
			field = k;
		}
		struct bk_insn in[2];
		memset(in, 0, sizeof(in));
		in[0].code = (uint8_t)code;
		enum bk_op op = bk_isa_decode(in);
		if (!ok || op == BK_OP_INVALID)
			continue;
		const struct bk_opinfo *info = bk_isa_info(op);
		lvt[code].e = (uint8_t)(LV_OK | info->cpu | (info->slots == 2 ? LV_LDDW : 0));
		lvt[code].field = field;
	}
}

void bk__asm_fast_init(void)
{
	pthread_once(&lv_once, lv_init);
}

/* Would put() take IN (SLOTS long) at this cpu level? */
static inline bool level_ok(const struct asm_ctx *c, const struct bk_insn *in, int slots)
{
	const struct lv *l = &lvt[in->code];
	bool zero = l->field == BK_M_NONE || (l->field == BK_M_OFF ? in->off == 0 :
					       l->field == BK_M_IMM ? in->imm == 0 : in->src == 0);
	if ((l->e & LV_OK) && zero)
		return (l->e & 7) <= c->cpu && ((l->e & LV_LDDW) ? 2 : 1) == slots;
	enum bk_op op = bk_isa_decode(in);
	if (op == BK_OP_INVALID)
		return false;
	const struct bk_opinfo *info = bk_isa_info(op);
	return info->cpu <= c->cpu && info->slots == slots;
}

/* bk__asm_emit_insn for the common case, a store of 8 or 16 bytes into room the buffer
 * has; everything else (debug line marks, spilling, growing, errors) goes the long way. */
static inline int emit(struct asm_ctx *c, const struct bk_insn *in, int slots)
{
	struct asm_sec *s = &c->secs[c->cur];
	size_t len = s->data.len;
	/* an instruction with a fixup (pend_kind) has its field set by bk__asm_emit_insn: to
	 * zeros for a jump's offset and a load's immediate, which they are here already */
	if (c->pend_kind == FIX_JMP16 || c->pend_kind == FIX_LDDW)
		c->pend_kind = 0;
	if (__builtin_expect(c->loc_pending || c->pend_kind || s->type == BK_SHT_NOBITS || len + 16 > s->data.cap ||
			     (c->spill_fd >= 0 && len >= BK__ASM_SPILL_AT), 0))
		return bk__asm_emit_insn(c, in, slots);
	memcpy(s->data.data + len, in, 8 * (size_t)slots);
	s->data.len = len + 8 * (size_t)slots;
	return 0;
}

/* identifier characters: 1 may start one, 2 continues one */
static const uint8_t idc[256] = {
	['$'] = 3, ['.'] = 3, ['_'] = 3,
	['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2, ['5'] = 2, ['6'] = 2, ['7'] = 2, ['8'] = 2, ['9'] = 2,
#define L(x) [x] = 3, [x - 'a' + 'A'] = 3
	L('a'), L('b'), L('c'), L('d'), L('e'), L('f'), L('g'), L('h'), L('i'), L('j'), L('k'), L('l'), L('m'),
	L('n'), L('o'), L('p'), L('q'), L('r'), L('s'), L('t'), L('u'), L('v'), L('w'), L('x'), L('y'), L('z'),
#undef L
};

static inline bool id_start(char ch)
{
	return idc[(uint8_t)ch] & 1;
}

static inline bool id_char(char ch)
{
	return idc[(uint8_t)ch] != 0;
}

static inline const char *scan_id(const char *p)
{
	while (id_char(*p))
		p++;
	return p;
}

static inline bool blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static inline const char *skip_blank(const char *p)
{
	while (blank(*p))
		p++;
	return p;
}

/* Is P the 4-letter word W followed by a blank? */
static inline bool word4(const char *p, const char *w)
{
	return p[0] == w[0] && p[1] == w[1] && p[2] == w[2] && p[3] == w[3] && blank(p[4]);
}

/* The line ends at P (blanks, a '\r' or a '#' comment may come first): *next is the
 * next line. END, the end of the text, bounds the word-sized reads. */
static inline bool eol(const char *p, const char *end, const char **next)
{
	/* clang pads the comments of data lines with runs of spaces: eight at a time */
	uint64_t w8;
	while (p[0] == ' ' && end - p >= 8 && (memcpy(&w8, p, 8), w8 == 0x2020202020202020ull))
		p += 8;
	while (blank(*p) || *p == '\r')
		p++;
	if (*p == '\n') {
		*next = p + 1;
		return true;
	}
	if (*p == '#') {
		/* clang's comments after data in debug sections: nothing in one ends it early */
		*next = (const char *)memchr(p, '\n', (size_t)(end - p)) + 1;
		return true;
	}
	return false;
}

/* [-]decimal without a leading zero, at most 18 digits, not followed by a name character:
 * what the expression parser reads as that number and nothing else */
static inline const char *ldec(const char *p, int64_t *v)
{
	bool neg = *p == '-';
	const char *a = p + neg, *q = a;
	uint64_t u = 0;
	while ((unsigned)(*q - '0') <= 9 && q - a < 18)
		u = u * 10 + (uint64_t)(*q++ - '0');
	if (q == a || (*a == '0' && q - a > 1) || id_char(*q))
		return NULL;
	*v = neg ? -(int64_t)u : (int64_t)u;
	return q;
}

/* [-]number in any base the expression parser reads (0x.., 0b.., octal, 19 digits and
 * more); no symbols, no operators */
static const char *lnum_slow(const char *p, const char *end, int64_t *v)
{
	bool neg = *p == '-';
	p += neg;
	uint64_t u = 0;
	if (*p < '0' || *p > '9')
		return NULL;
	if (*p == '0' && asm_is_ident(p[1])) {
		if (!bk__asm_parse_number(&p, end, &u))
			return NULL;
	} else {
		while (*p >= '0' && *p <= '9') {
			if (u > (UINT64_MAX - 9) / 10)
				return NULL;
			u = u * 10 + (uint64_t)(*p - '0');
			p++;
		}
		if (asm_is_ident(*p))
			return NULL;
	}
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	return p;
}

static inline const char *lnum(const char *p, const char *end, int64_t *v)
{
	const char *q = ldec(p, v);
	return __builtin_expect(q != NULL, 1) ? q : lnum_slow(p, end, v);
}

/* The NN of "(uNN *)" at P (two bytes readable): what follows it, or NULL. */
static inline const char *usize(const char *p, int *size)
{
	if (p[0] == '8')
		return *size = BK_SIZE_B, p + 1;
	if (p[0] == '1' && p[1] == '6')
		return *size = BK_SIZE_H, p + 2;
	if (p[0] == '3' && p[1] == '2')
		return *size = BK_SIZE_W, p + 2;
	if (p[0] == '6' && p[1] == '4')
		return *size = BK_SIZE_DW, p + 2;
	return NULL;
}

static inline bool imm_ok(int64_t v)
{
	return v >= INT32_MIN && v <= (int64_t)UINT32_MAX;
}

/* An ALU assignment operator (= += -= *= /= %= |= &= ^= <<= >>= s>>=), not followed by
 * another '=': what follows it, or NULL. */
static inline const char *alu_op(const char *p, int *op)
{
	size_t n = 2;
	switch (p[0]) {
	case '=': *op = A_MOV; n = 1; break;
	case '+': *op = A_ADD; break;
	case '-': *op = A_SUB; break;
	case '*': *op = A_MUL; break;
	case '/': *op = A_DIV; break;
	case '%': *op = A_MOD; break;
	case '|': *op = A_OR; break;
	case '&': *op = A_AND; break;
	case '^': *op = A_XOR; break;
	case '<':
		if (p[1] != '<')
			return NULL;
		*op = A_LSH; n = 3; break;
	case '>':
		if (p[1] != '>')
			return NULL;
		*op = A_RSH; n = 3; break;
	case 's':
		if (p[1] != '>' || p[2] != '>')
			return NULL;
		*op = A_ARSH; n = 4; break;
	default:
		return NULL;
	}
	if (p[n - 1] != '=' || p[n] == '=')
		return NULL;
	return p + n;
}

/* A jump condition (== != > >= < <= & s> s>= s< s<=): what follows it, or NULL. */
static inline const char *jmp_op(const char *p, int *op)
{
	bool s = *p == 's';
	p += s;
	int o = -1;
	size_t n = 1;
	switch (p[0]) {
	case '=': if (!s && p[1] == '=') { o = J_EQ; n = 2; } break;
	case '!': if (!s && p[1] == '=') { o = J_NE; n = 2; } break;
	case '>': if (p[1] == '=') { o = s ? J_SGE : J_GE; n = 2; } else o = s ? J_SGT : J_GT; break;
	case '<': if (p[1] == '=') { o = s ? J_SLE : J_LE; n = 2; } else o = s ? J_SLT : J_LT; break;
	case '&': if (!s) o = J_SET; break;
	}
	if (o < 0)
		return NULL;
	*op = o;
	return p + n;
}

/* ".byte 12" and its kin with a plain number (most lines of clang's debug sections), as
 * data_values() takes them; 0 for anything else. */
static int data_line(struct asm_ctx *c, const char *p, const char *end, const char **next)
{
	const char *q = scan_id(p + 1);
	size_t n = (size_t)(q - p);
	int size;
	if (n == 5 && !memcmp(p, ".byte", 5))
		size = 1;
	else if (n == 5 && !memcmp(p, ".long", 5))
		size = 4;
	else if (n == 6 && !memcmp(p, ".short", 6))
		size = 2;
	else if (n == 5 && !memcmp(p, ".quad", 5))
		size = 8;
	else
		return 0;
	if (!blank(*q))
		return 0;
	int64_t v;
	const char *e = ldec(skip_blank(q), &v);
	if (!e || !eol(e, end, next))
		return 0;
	if (size < 8) {
		int64_t lo = -((int64_t)1 << (size * 8 - 1)), hi = (int64_t)((1ull << (size * 8)) - 1);
		if (v < lo || v > hi)
			return 0; /* the general path words the error */
	}
	uint64_t u = (uint64_t)v;
	struct asm_sec *s = &c->secs[c->cur];
	size_t len = s->data.len;
	if (__builtin_expect(c->loc_pending || s->type == BK_SHT_NOBITS || len + 8 > s->data.cap ||
			     (c->spill_fd >= 0 && len >= BK__ASM_SPILL_AT), 0)) {
		int r = bk__asm_emit(c, &u, (size_t)size);
		return r ? r : 1;
	}
	memcpy(s->data.data + len, &u, 8); /* little-endian host; only SIZE bytes count */
	s->data.len = len + (size_t)size;
	return 1;
}

/* rN / wN, N in 0..10, as the matcher reads a register */
static inline const char *lreg(const char *p, char *w, int *n)
{
	if (p[0] != 'r' && p[0] != 'w')
		return NULL;
	unsigned d = (unsigned)(p[1] - '0');
	if (d > 9)
		return NULL;
	const char *q = p + 2;
	if ((unsigned)(*q - '0') <= 9) {
		d = d * 10 + (unsigned)(*q - '0');
		q++;
	}
	if (id_char(*q) || d > BK_MAX_REG)
		return NULL;
	*w = p[0];
	*n = (int)d;
	return q;
}

/* The symbol named by [p, q) as the expression parser takes it, or 0. */
static inline uint32_t lsym(struct asm_ctx *c, const struct asm_matcher *m, const char *p, const char *q)
{
	size_t n = (size_t)(q - p);
	if ((*p == 'r' || *p == 'w') && n >= 2 && p[1] >= '0' && p[1] <= '9')
		return 0;
	/* no keyword starts with '.': temporary labels skip the keyword table */
	if (*p != '.' && bk__asm_matcher_is_word(m, p, n))
		return 0;
	uint32_t y = bk__asm_sym_get(c, p, n);
	if (!y)
		return 0;
	struct asm_sym *s = &c->syms[y];
	if (s->sec == SEC_ABS && s->defined)
		return 0;
	bk__asm_sym_register(c, y);
	return y;
}

/* An instruction naming the symbol [p, q) (a `ll` load, a call): its fixup of KIND, then
 * its SLOTS; 1 when done, 0 to leave the line to the general path, < 0 an error. A
 * program names the same map or function again and again: the last symbol of each kind
 * is tried first, which spares the keyword table and the hash. */
static inline int sym_insn(struct asm_ctx *c, const struct asm_matcher *m, const char *p, const char *q, int kind,
			   const struct bk_insn *in, int slots)
{
	size_t n = (size_t)(q - p);
	uint32_t *last = &c->fast_sym[kind == FIX_CALL];
	uint32_t y = *last;
	const struct asm_sym *s = &c->syms[y];
	if (!y || s->nlen != n || memcmp(s->name, p, n) || (s->sec == SEC_ABS && s->defined)) {
		if (!(y = lsym(c, m, p, q)))
			return 0;
		*last = y;
	}
	int r = bk__asm_add_rfix(c, kind, bk__asm_cur_off(c), y);
	if (!r)
		r = emit(c, in, slots);
	return r ? r : 1;
}

/* "(uNN *)(rB + off)" after the '*' */
static inline __attribute__((always_inline)) const char *lmem(const char *p, const char *end, int *size, int *base, int *off)
{
	if (p[0] != '(' || p[1] != 'u' || !(p = usize(p + 2, size)))
		return NULL;
	if (p[0] != ' ' || p[1] != '*' || p[2] != ')' || p[3] != '(')
		return NULL;
	char w;
	if (!(p = lreg(p + 4, &w, base)) || w != 'r')
		return NULL;
	p = skip_blank(p);
	if (*p != '+' && *p != '-')
		return NULL;
	bool neg = *p == '-';
	p = skip_blank(p + 1);
	int64_t v;
	if (*p == '-' || !(p = lnum(p, end, &v)))
		return NULL;
	if (neg)
		v = -v;
	if (v < INT16_MIN || v > INT16_MAX)
		return NULL;
	*off = (int)v;
	p = skip_blank(p);
	return *p == ')' ? p + 1 : NULL;
}

/* One whole line of LLVM syntax from P, its first non-blank character, in one pass: the
 * common instruction forms, plain data and "label:". A '\n' must end the line before END,
 * the end of the text. 1: done, *next is the next line; 0: not taken (the general path,
 * the matcher, reads the line); <0: error. Takes only what the general path would take,
 * with the same result. It is the only fast path: a second one for statements (after
 * ';') paid for lines clang never writes. */
static inline __attribute__((always_inline)) int fast_line(struct asm_ctx *c, const struct asm_matcher *m,
							    const char *p, const char *end, const char **next)
{
	struct bk_insn in[2];
	memset(in, 0, sizeof(in));
	char w, w2;
	int d, s, off, size, op;
	int64_t v;
	const char *q, *e;
	switch (*p) {
	case 'r':
	case 'w': {
		if (!(q = lreg(p, &w, &d)))
			goto label;
		if (!(q = alu_op(skip_blank(q), &op)))
			return 0;
		q = skip_blank(q);
		uint8_t cls = w == 'r' ? BK_CLASS_ALU64 : BK_CLASS_ALU;
		in[0].dst = (uint8_t)d;
		if ((e = lreg(q, &w2, &s))) {
			if (w2 != w || !eol(e, end, next))
				return 0;
			in[0].code = (uint8_t)(cls | BK_SRC_X | op);
			in[0].src = (uint8_t)s;
			goto put1;
		}
		if (*q == '*') {
			if (op != A_MOV || !(e = lmem(q + 1, end, &size, &s, &off)) || (size == BK_SIZE_DW && w != 'r') ||
			    !eol(e, end, next))
				return 0;
			in[0].code = (uint8_t)(BK_CLASS_LDX | BK_MODE_MEM | size);
			in[0].src = (uint8_t)s;
			in[0].off = (int16_t)off;
			goto put1;
		}
		if ((e = lnum(q, end, &v))) {
			e = skip_blank(e);
			if (op == A_MOV && w == 'r' && e[0] == 'l' && e[1] == 'l') {
				if (!eol(e + 2, end, next))
					return 0;
				in[0].code = 0x18;
				in[0].imm = (int32_t)(uint32_t)(uint64_t)v;
				in[1].imm = (int32_t)(uint32_t)((uint64_t)v >> 32);
				if (!level_ok(c, in, 2))
					return 0;
				int r = emit(c, in, 2);
				return r ? r : 1;
			}
			if (!imm_ok(v) || !eol(e, end, next))
				return 0;
			in[0].code = (uint8_t)(cls | BK_SRC_K | op);
			in[0].imm = (int32_t)(uint32_t)v;
			goto put1;
		}
		if (op == A_MOV && w == 'r' && id_start(*q)) {
			/* rD = sym ll */
			e = scan_id(q + 1);
			const char *g = skip_blank(e);
			if (g[0] != 'l' || g[1] != 'l' || !eol(g + 2, end, next))
				return 0;
			in[0].code = 0x18;
			if (!level_ok(c, in, 2))
				return 0;
			return sym_insn(c, m, q, e, FIX_LDDW, in, 2);
		}
		return 0;
	}
	case '*': {
		if (!(e = lmem(p + 1, end, &size, &d, &off)))
			return 0;
		e = skip_blank(e);
		if (*e != '=' || e[1] == '=')
			return 0;
		e = skip_blank(e + 1);
		in[0].dst = (uint8_t)d;
		in[0].off = (int16_t)off;
		if ((q = lreg(e, &w, &s))) {
			if ((size == BK_SIZE_DW && w != 'r') || !eol(q, end, next))
				return 0;
			in[0].code = (uint8_t)(BK_CLASS_STX | BK_MODE_MEM | size);
			in[0].src = (uint8_t)s;
			goto put1;
		}
		if (!(q = lnum(e, end, &v)) || !imm_ok(v) || !eol(q, end, next))
			return 0;
		in[0].code = (uint8_t)(BK_CLASS_ST | BK_MODE_MEM | size);
		in[0].imm = (int32_t)(uint32_t)v;
		goto put1;
	}
	case 'i': {
		if (p[1] != 'f' || p[2] != ' ')
			goto label;
		if (!(q = lreg(skip_blank(p + 3), &w, &d)) || !(q = jmp_op(skip_blank(q), &op)))
			return 0;
		q = skip_blank(q);
		uint8_t cls = w == 'r' ? BK_CLASS_JMP : BK_CLASS_JMP32;
		in[0].dst = (uint8_t)d;
		if ((e = lreg(q, &w2, &s))) {
			if (w2 != w)
				return 0;
			in[0].code = (uint8_t)(cls | BK_SRC_X | op);
			in[0].src = (uint8_t)s;
		} else if ((e = lnum(q, end, &v)) && imm_ok(v)) {
			in[0].code = (uint8_t)(cls | BK_SRC_K | op);
			in[0].imm = (int32_t)(uint32_t)v;
		} else
			return 0;
		q = skip_blank(e);
		if (!word4(q, "goto"))
			return 0;
		q = skip_blank(q + 5);
		goto target;
	}
	case 'g':
		if (!word4(p, "goto"))
			goto label;
		q = skip_blank(p + 5);
		in[0].code = BK_CLASS_JMP | J_JA;
	target: {
		if (!id_start(*q))
			return 0;
		e = scan_id(q + 1);
		if (!eol(e, end, next) || !level_ok(c, in, 1))
			return 0;
		uint32_t y = lsym(c, m, q, e);
		if (!y)
			return 0;
		struct asm_sym *t = &c->syms[y];
		uint64_t here = bk__asm_cur_off(c);
		if (t->defined && t->sec == c->cur) {
			/* a backward jump: resolved now, as the fixup would be */
			int64_t delta = ((int64_t)t->value - (int64_t)(here + 8));
			if (delta % 8 == 0 && delta / 8 >= INT16_MIN && delta / 8 <= INT16_MAX) {
				in[0].off = (int16_t)(delta / 8);
				goto put1;
			}
		}
		int r = bk__asm_add_jump(c, here, y, q);
		if (!r)
			r = emit(c, in, 1);
		return r ? r : 1;
	}
	case 'c':
		if (!word4(p, "call"))
			goto label;
		q = skip_blank(p + 5);
		in[0].code = BK_CLASS_JMP | J_CALL;
		if (*q >= '0' && *q <= '9') {
			if (!(e = lnum(q, end, &v)) || !imm_ok(v) || !eol(e, end, next))
				return 0;
			in[0].imm = (int32_t)(uint32_t)v;
			goto put1;
		}
		if (!id_start(*q))
			return 0;
		e = scan_id(q + 1);
		if (!eol(e, end, next))
			return 0;
		in[0].src = BK_PSEUDO_CALL;
		if (bk_isa_decode(in) != BK_OP_CALL_LOCAL || !level_ok(c, in, 1))
			return 0;
		return sym_insn(c, m, q, e, FIX_CALL, in, 1);
	case 'l': {
		/* lock *(u64 *)(rD + off) += rS, and |= &= ^= */
		if (!word4(p, "lock"))
			goto label;
		q = skip_blank(p + 5);
		if (*q != '*' || !(e = lmem(q + 1, end, &size, &d, &off)) || (size != BK_SIZE_W && size != BK_SIZE_DW))
			return 0;
		if (!(e = alu_op(skip_blank(e), &op)) || (op != A_ADD && op != A_OR && op != A_AND && op != A_XOR))
			return 0;
		if (!(q = lreg(skip_blank(e), &w, &s)) || (size == BK_SIZE_DW && w != 'r') || !eol(q, end, next))
			return 0;
		in[0].code = (uint8_t)(BK_CLASS_STX | BK_MODE_ATOMIC | size);
		in[0].dst = (uint8_t)d;
		in[0].src = (uint8_t)s;
		in[0].off = (int16_t)off;
		in[0].imm = op;
		goto put1;
	}
	case 'e':
		if (p[1] != 'x' || p[2] != 'i' || p[3] != 't' || !eol(p + 4, end, next))
			goto label;
		in[0].code = BK_CLASS_JMP | J_EXIT;
		goto put1;
	default:
		goto label;
	}
put1:
	if (!level_ok(c, in, 1))
		return 0;
	int r = emit(c, in, 1);
	return r ? r : 1;
label:
	if (*p == '.') {
		int dr = data_line(c, p, end, next);
		if (dr)
			return dr;
	}
	/* "name:" alone on its line */
	if (!id_start(*p))
		return 0;
	q = scan_id(p + 1);
	if (*q != ':' || !eol(q + 1, end, next))
		return 0;
	int lr = bk__asm_define_label(c, p, (size_t)(q - p), p);
	return lr ? lr : 1;
}

/* The lines from P up to LIM (each ends in '\n') while the one-pass reader takes them,
 * blank lines and whole-line comments with them: a loop here rather than a call per line
 * from the line loop (the call, its frame and the loop's own tests were a fifth of a
 * line's cost). *NEXT: the first line not taken (or LIM). 0, or <0 on an error. */
int bk__asm_fast_lines(struct asm_ctx *c, const struct asm_matcher *m, const char *p, const char *lim,
		       const char *end, const char **next)
{
	int r = 0;
	while (p < lim) {
		const char *a = skip_blank(p), *nl;
		c->line_start = p;
		if (*a == '\n' || *a == '#') {
			nl = *a == '\n' ? a : memchr(a, '\n', (size_t)(lim - a));
		} else {
			c->stmt = a;
			if ((r = fast_line(c, m, a, end, &nl)) <= 0)
				break;
			nl--;
		}
		c->line++;
		p = nl + 1;
	}
	*next = p;
	return r < 0 ? r : 0;
}
