/* Instruction statements, matched against the printing templates of isa_table.def.
 *
 * Each template ("%D += %i", "ldxw %D, [%S%o]") is cut into tokens once; its shape
 * (the sequence of token kinds: register, expression, or a particular keyword or
 * punctuation) is the key of a hash table. A statement is cut the same way, its shape
 * looked up, and the few rows sharing that shape are tried in table order until one
 * accepts the operands (register width, register equality, value ranges). */
#include "asm_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { T_REG = 1, T_EXPR = 2, T_FIRST_CODE = 3 };
#define MAXTOK 32
#define NWORDS 256

struct tok {
	uint8_t kind;
	char ph;        /* template placeholder letter, 0 for literal */
	char w;         /* register width 'r' or 'w' (LLVM); 0 = any */
	int8_t reg;     /* register number (statement) or fixed register (template), -1 none */
	const char *s, *e;
};

struct cand {
	enum bk_op op;
	uint8_t ntok;
	bool flex_dst, flex_src; /* 32-bit memory ops: rN and wN both name the register */
	struct tok t[MAXTOK];
	int next;
};

struct shape {
	uint8_t key[MAXTOK];
	uint8_t len;
	int first; /* candidate index, -1 empty */
};

struct asm_matcher {
	int syntax;
	char words[NWORDS][24];
	uint8_t wlen[NWORDS];
	int nwords;
	int16_t whash[1024];
	struct cand *cands;
	int ncands;
	struct shape shapes[1024];
	/* keywords that start an ubpf statement (mnemonics), to tell them from labels */
};

static uint32_t hbytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static int word_find(const struct asm_matcher *m, const char *s, size_t n)
{
	if (n >= 24)
		return -1;
	for (uint32_t j = hbytes(s, n) & 1023;; j = (j + 1) & 1023) {
		int i = m->whash[j];
		if (i < 0)
			return -1;
		if (m->wlen[i] == n && !memcmp(m->words[i], s, n))
			return i + T_FIRST_CODE;
	}
}

static int word_add(struct asm_matcher *m, const char *s, size_t n)
{
	int k = word_find(m, s, n);
	if (k >= 0)
		return k;
	if (n >= 24 || m->nwords >= NWORDS - T_FIRST_CODE)
		return -1;
	int i = m->nwords++;
	memcpy(m->words[i], s, n);
	m->words[i][n] = 0;
	m->wlen[i] = (uint8_t)n;
	uint32_t j = hbytes(s, n) & 1023;
	while (m->whash[j] >= 0)
		j = (j + 1) & 1023;
	m->whash[j] = (int16_t)i;
	return i + T_FIRST_CODE;
}

static const char *const ops[] = {
	"s>>=", "<<=", ">>=", "s>=", "s<=", "s/=", "s%=", "+=", "-=", "*=", "/=", "%=", "|=", "&=",
	"^=", "==", "!=", ">=", "<=", "s>", "s<", ">", "<", "=", "&", "-", "+", "*", "(", ")", "[",
	"]", ",", "/", "%", "|", "^", "!", ":", "~",
};

static uint8_t op_len[sizeof(ops) / sizeof(ops[0])];

static size_t match_op(const char *p, const char *end)
{
	/* the hot path: most statements have one or two operators */
	char c0 = *p;
	if (!strchr("s<>+-*/%|&^=!()[],:~", c0) || !c0)
		return 0;
	if (!op_len[0])
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			op_len[i] = (uint8_t)strlen(ops[i]);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = op_len[i];
		if (ops[i][0] == c0 && (size_t)(end - p) >= n && !memcmp(p, ops[i], n))
			return n;
	}
	return 0;
}

#define is_reg asm_reg_name
#define scan_ident asm_scan_ident

/* Is there an expression operand (not a register or keyword) at p? */
static bool operand_start(const struct asm_matcher *m, const char *p, const char *end, bool kw_ok)
{
	if (p >= end)
		return false;
	if (*p >= '0' && *p <= '9')
		return true;
	if (*p == '(' )
		return false;
	if (!asm_is_ident_start(*p))
		return false;
	const char *e = scan_ident(p, end);
	char w;
	int n;
	if (is_reg(p, e, &w, &n))
		return false;
	if (!kw_ok && word_find(m, p, (size_t)(e - p)) >= 0)
		return false;
	return true;
}

/* Scans an expression operand: terms joined by + - * / << >>. */
static const char *scan_expr(const struct asm_matcher *m, const char *p, const char *end)
{
	for (;;) {
		p = asm_skip_ws(p, end);
		while (p < end && (*p == '+' || *p == '-' || *p == '~'))
			p = asm_skip_ws(p + 1, end);
		if (p < end && *p == '"') {
			p++;
			while (p < end && *p != '"')
				p++;
			if (p < end)
				p++;
		} else
			p = scan_ident(p, end);
		const char *q = asm_skip_ws(p, end);
		if (q >= end)
			return p;
		size_t ol = 0;
		if (*q == '+' || *q == '-' || *q == '*' || *q == '/')
			ol = 1;
		else if (q + 1 < end && ((q[0] == '<' && q[1] == '<') || (q[0] == '>' && q[1] == '>')))
			ol = 2;
		if (!ol || (q + ol < end && q[ol] == '='))
			return p;
		const char *r = asm_skip_ws(q + ol, end);
		if (!operand_start(m, r, end, false))
			return p;
		p = r;
	}
}

/* Cuts [p, end) into tokens. Templates (tmpl) have %X placeholders. Returns the count
 * or -1 if it does not fit / has a character no template uses. */
static int lex(struct asm_matcher *m, const char *p, const char *end, struct tok *t, bool tmpl,
	       bool add_words, const char **bad)
{
	int n = 0;
	bool ubpf = m->syntax == BK_ASM_UBPF;
	bool seen_operand = false;
	for (;;) {
		p = asm_skip_ws(p, end);
		if (p >= end)
			break;
		if (n >= MAXTOK) {
			*bad = p;
			return -1;
		}
		struct tok *k = &t[n];
		memset(k, 0, sizeof(*k));
		k->reg = -1;
		k->s = p;
		char ch = *p;
		if (tmpl && ch == '%' && p + 1 < end && strchr("DdSsixjJcLopaH", p[1])) {
			char ph = p[1];
			p += 2;
			if (ph == 'D' || ph == 'd' || ph == 'S' || ph == 's') {
				k->kind = T_REG;
				k->ph = ph;
				k->w = (ph == 'D' || ph == 'S') ? 'r' : 'w';
			} else if (ph == 'p' || ph == 'a') {
				if (n + 3 > MAXTOK)
					return -1;
				k->kind = T_EXPR;
				k->ph = ph;
				k->e = p;
				struct tok *c = &t[++n];
				memset(c, 0, sizeof(*c));
				c->kind = (uint8_t)word_add(m, ",", 1);
				c->reg = -1;
				c = &t[++n];
				memset(c, 0, sizeof(*c));
				c->kind = T_EXPR;
				c->ph = ph == 'p' ? 'q' : 'b';
				c->reg = -1;
			} else {
				k->kind = T_EXPR;
				k->ph = ph;
			}
			k->e = p;
			n++;
			seen_operand = true;
			continue;
		}
		if (ubpf && ch == '%' && p + 1 < end && p[1] == 'r') {
			const char *e = p + 2;
			int v = 0, nd = 0;
			while (e < end && *e >= '0' && *e <= '9' && nd < 3) {
				v = v * 10 + (*e - '0');
				e++;
				nd++;
			}
			if (!nd || (e < end && asm_is_ident(*e))) {
				*bad = p;
				return -1;
			}
			k->kind = T_REG;
			k->reg = (int8_t)v;
			k->e = p = e;
			n++;
			seen_operand = true;
			continue;
		}
		if (asm_is_ident_start(ch)) {
			const char *e = scan_ident(p, end);
			char w;
			int num;
			if (!ubpf && is_reg(p, e, &w, &num)) {
				k->kind = T_REG;
				k->w = w;
				k->reg = (int8_t)num;
				k->e = p = e;
				n++;
				seen_operand = true;
				continue;
			}
			if (e - p == 1 && *p == 's' && e < end && strchr("<>/%", *e)) {
				size_t ol = match_op(p, end);
				if (ol) {
					int code = add_words ? word_add(m, p, ol) : word_find(m, p, ol);
					if (code < 0) {
						*bad = p;
						return -1;
					}
					k->kind = (uint8_t)code;
					k->e = p = p + ol;
					n++;
					continue;
				}
			}
			bool kw_pos = !ubpf || tmpl || n == 0 ||
				      (t[n - 1].kind >= T_FIRST_CODE && !seen_operand &&
				       (m->words[t[n - 1].kind - T_FIRST_CODE][0] == 'c' ||
					m->words[t[n - 1].kind - T_FIRST_CODE][0] == 'l' ||
					m->words[t[n - 1].kind - T_FIRST_CODE][0] == 'f'));
			int code = -1;
			if (kw_pos)
				code = add_words ? word_add(m, p, (size_t)(e - p)) : word_find(m, p, (size_t)(e - p));
			if (code >= 0) {
				k->kind = (uint8_t)code;
				k->e = p = e;
				n++;
				continue;
			}
			if (tmpl && !add_words) {
				*bad = p;
				return -1;
			}
			if (tmpl) { /* literal register in a template: w0, r0 */
				*bad = p;
				return -1;
			}
			k->kind = T_EXPR;
			k->e = p = scan_expr(m, p, end);
			n++;
			seen_operand = true;
			continue;
		}
		if (ch >= '0' && ch <= '9') {
			k->kind = T_EXPR;
			k->e = p = scan_expr(m, p, end);
			n++;
			seen_operand = true;
			continue;
		}
		if ((ch == '+' || ch == '-') && !tmpl) {
			const char *q = asm_skip_ws(p + 1, end);
			if (operand_start(m, q, end, ubpf)) {
				k->kind = T_EXPR;
				k->e = p = scan_expr(m, p, end);
				n++;
				seen_operand = true;
				continue;
			}
		}
		size_t ol = match_op(p, end);
		if (!ol) {
			*bad = p;
			return -1;
		}
		int code = add_words ? word_add(m, p, ol) : word_find(m, p, ol);
		if (code < 0) {
			*bad = p;
			return -1;
		}
		k->kind = (uint8_t)code;
		k->e = p = p + ol;
		n++;
		seen_operand = true;
	}
	return n;
}

static struct shape *shape_slot(struct asm_matcher *m, const uint8_t *key, int len, bool create)
{
	for (uint32_t j = hbytes(key, (size_t)len) & 1023;; j = (j + 1) & 1023) {
		struct shape *s = &m->shapes[j];
		if (s->first < 0) {
			if (!create)
				return NULL;
			memcpy(s->key, key, (size_t)len);
			s->len = (uint8_t)len;
			return s;
		}
		if (s->len == len && !memcmp(s->key, key, (size_t)len))
			return s;
	}
}

static void add_cand(struct asm_matcher *m, const struct cand *c)
{
	uint8_t key[MAXTOK];
	for (int i = 0; i < c->ntok; i++)
		key[i] = c->t[i].kind;
	struct shape *s = shape_slot(m, key, c->ntok, true);
	int idx = m->ncands++;
	m->cands[idx] = *c;
	m->cands[idx].next = -1;
	if (s->first < 0)
		s->first = idx;
	else {
		int k = s->first;
		while (m->cands[k].next >= 0)
			k = m->cands[k].next;
		m->cands[k].next = idx;
	}
}

/* Fixed registers in LLVM templates (cmpxchg's r0/w0) are lexed as registers. */
static int lex_template(struct asm_matcher *m, const char *text, struct tok *t)
{
	const char *bad = NULL, *end = text + strlen(text);
	int n = 0;
	const char *p = text;
	/* first pass: collect words (identifiers and punctuation) */
	for (;;) {
		p = asm_skip_ws(p, end);
		if (p >= end)
			break;
		if (n >= MAXTOK)
			return -1;
		struct tok *k = &t[n];
		memset(k, 0, sizeof(*k));
		k->reg = -1;
		k->s = p;
		if (*p == '%' && p + 1 < end && strchr("DdSsixjJcLopaH", p[1])) {
			int r = lex(m, p, p + 2, t + n, true, true, &bad);
			if (r < 0)
				return -1;
			n += r;
			p += 2;
			continue;
		}
		if (asm_is_ident_start(*p)) {
			const char *e = scan_ident(p, end);
			char w;
			int num;
			if (m->syntax != BK_ASM_UBPF && is_reg(p, e, &w, &num)) {
				k->kind = T_REG;
				k->w = w;
				k->reg = (int8_t)num;
				k->ph = 'F';
				n++;
				p = e;
				continue;
			}
			if (e - p == 1 && *p == 's' && e < end && strchr("<>/%", *e)) {
				size_t ol = match_op(p, end);
				k->kind = (uint8_t)word_add(m, p, ol);
				n++;
				p += ol;
				continue;
			}
			int code = word_add(m, p, (size_t)(e - p));
			if (code < 0)
				return -1;
			k->kind = (uint8_t)code;
			n++;
			p = e;
			continue;
		}
		size_t ol = match_op(p, end);
		if (!ol)
			return -1;
		int code = word_add(m, p, ol);
		if (code < 0)
			return -1;
		k->kind = (uint8_t)code;
		n++;
		p += ol;
	}
	return n;
}

static struct asm_matcher *matcher_build(int syntax);

/* A matcher is read-only once built: one per syntax for the whole process, shared by the
 * threads of a split input, rather than built (a few hundred kilobytes) per use. */
static struct asm_matcher *shared_m[2];
static pthread_once_t shared_once[2] = { PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT };
static void build_llvm(void)
{
	shared_m[0] = matcher_build(BK_ASM_LLVM);
}
static void build_ubpf(void)
{
	shared_m[1] = matcher_build(BK_ASM_UBPF);
}

struct asm_matcher *bk__asm_matcher_new(int syntax)
{
	int k = syntax == BK_ASM_UBPF;
	pthread_once(&shared_once[k], k ? build_ubpf : build_llvm);
	/* NULL (out of memory) stays NULL: the callers report it */
	return shared_m[k];
}

static struct asm_matcher *matcher_build(int syntax)
{
	struct asm_matcher *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->syntax = syntax;
	memset(m->whash, 0xff, sizeof(m->whash));
	for (int i = 0; i < 1024; i++)
		m->shapes[i].first = -1;
	m->cands = calloc(2 * BK_OP__COUNT + 16, sizeof(*m->cands));
	if (!m->cands) {
		free(m);
		return NULL;
	}
	int si = syntax == BK_ASM_UBPF ? BK_SYNTAX_UBPF : BK_SYNTAX_LLVM;
	for (int op = 0; op < BK_OP__COUNT; op++) {
		const struct bk_opinfo *info = bk_isa_info((enum bk_op)op);
		const char *text = info->text[si];
		if (!text || !text[0])
			continue;
		struct cand c;
		memset(&c, 0, sizeof(c));
		c.op = (enum bk_op)op;
		int n = lex_template(m, text, c.t);
		if (n < 0)
			continue;
		c.ntok = (uint8_t)n;
		if (syntax == BK_ASM_LLVM) {
			/* clang writes 8/16/32-bit loads and stores with rN or wN alike */
			if ((info->fmt == BK_F_LDX) && info->mem_size < 8)
				c.flex_dst = true;
			if ((info->fmt == BK_F_STX && info->mem_size < 8) ||
			    (info->fmt == BK_F_ATOMIC && info->mem_size == 4 && !(info->match_value & 1) &&
			     info->match_value != BK_ATOMIC_XCHG && info->match_value != BK_ATOMIC_CMPXCHG))
				c.flex_src = true;
			/* clang -mcpu=v3/v4 prints the zero-extending move as rD = wS */
			if (op == BK_OP_MOV32_X)
				c.flex_dst = true;
		}
		add_cand(m, &c);
		/* ubpf memory operands may leave the offset out: [%r10] */
		if (syntax == BK_ASM_UBPF) {
			for (int i = 0; i < n; i++)
				if (c.t[i].ph == 'o') {
					struct cand d = c;
					memmove(&d.t[i], &d.t[i + 1], sizeof(d.t[0]) * (size_t)(n - i - 1));
					d.ntok--;
					add_cand(m, &d);
					break;
				}
		}
	}
	if (syntax == BK_ASM_UBPF) {
		/* spellings the bpf_conformance assembler also takes */
		static const struct { const char *text; enum bk_op op; } extra[] = {
			{ "call helper %c", BK_OP_CALL },
			{ "call helper %D", BK_OP_CALLX },
			{ "swap16 %D", BK_OP_BSWAP16 },
			{ "swap32 %D", BK_OP_BSWAP32 },
			{ "swap64 %D", BK_OP_BSWAP64 },
			{ "ja %J", BK_OP_JA },
			{ "mov64 %D, %i", BK_OP_MOV64_K },
			{ "mov64 %D, %S", BK_OP_MOV64_X },
			{ "add64 %D, %i", BK_OP_ADD64_K },
			{ "add64 %D, %S", BK_OP_ADD64_X },
		};
		for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
			struct cand c;
			memset(&c, 0, sizeof(c));
			c.op = extra[i].op;
			int n = lex_template(m, extra[i].text, c.t);
			if (n < 0 || extra[i].op == BK_OP_JA)
				continue;
			c.ntok = (uint8_t)n;
			add_cand(m, &c);
		}
	}
	return m;
}

bool bk__asm_matcher_is_word(const struct asm_matcher *m, const char *s, size_t n)
{
	return word_find(m, s, n) >= 0;
}

void bk__asm_matcher_free(struct asm_matcher *m)
{
	(void)m; /* shared, see bk__asm_matcher_new */
}

int bk__asm_check_cpu(struct asm_ctx *c, enum bk_op op, const char *at, const char *end)
{
	const struct bk_opinfo *info = bk_isa_info(op);
	if (info->cpu <= c->cpu)
		return 0;
	/* name the instruction as written, without its jump target */
	const char *e = end;
	for (const char *q = at; q + 4 <= end; q++)
		if (!memcmp(q, "goto", 4) && (q + 4 == end || q[4] == ' ' || q[4] == '\t')) {
			e = q + 4;
			break;
		}
	while (e > at && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return bk__asm_error(c, at, "'%.*s' needs -mcpu=v%d or newer (selected v%d)", (int)(e - at), at,
			 info->cpu, c->cpu);
}

struct bound {
	int dst, src;
	int64_t imm;
	int off;
	bool has_off;
	struct asm_expr target; /* jump, call or lddw symbol */
	int fix;                /* FIX_* or -1 */
	const char *fix_at;
	uint64_t imm64;
	bool wide;
	const char *bad_at;
	int prio;
	char why[160];
};

static int eval(struct asm_ctx *c, const struct tok *k, struct asm_expr *e)
{
	const char *p = k->s;
	int r = bk__asm_parse_expr(c, &p, k->e, e);
	if (r)
		return r;
	p = asm_skip_ws(p, k->e);
	if (p < k->e)
		return bk__asm_error(c, p, "unexpected '%.*s'", (int)(k->e - p), p);
	return 0;
}

static bool set_why(struct bound *b, const char *at, const char *msg)
{
	/* a value error from a form whose registers fit beats a register-width mismatch */
	int prio = strstr(msg, "register width") || strstr(msg, "is fixed") ? 1 : 2;
	if (prio > b->prio) {
		b->prio = prio;
		snprintf(b->why, sizeof(b->why), "%s", msg);
		b->bad_at = at;
	}
	return false;
}

/* 1 if the candidate takes the operands, 0 if not (b->why says why), <0 on error. */
static int bind(struct asm_ctx *c, const struct cand *cd, const struct tok *st, struct bound *b)
{
	const struct bk_opinfo *info = bk_isa_info(cd->op);
	bool llvm = c->syntax == BK_ASM_LLVM;
	b->dst = b->src = -1;
	b->imm = 0;
	b->off = 0;
	b->fix = -1;
	b->wide = false;
	b->imm64 = 0;
	for (int i = 0; i < cd->ntok; i++) {
		const struct tok *tt = &cd->t[i], *k = &st[i];
		if (tt->kind == T_REG) {
			if (k->reg > BK_MAX_REG) {
				char m[64];
				snprintf(m, sizeof(m), "invalid register '%.*s' (r0-r10)", (int)(k->e - k->s), k->s);
				set_why(b, k->s, m);
				return 0;
			}
			if (llvm && tt->w != k->w) {
				bool flex = (tt->ph == 'd' || tt->ph == 'D') ? cd->flex_dst : (tt->ph == 's' || tt->ph == 'S') ? cd->flex_src : false;
				if (!flex)
					return set_why(b, k->s, "invalid operand for instruction (register width)");
			}
			if (tt->ph == 'F') {
				if (k->reg != tt->reg)
					return set_why(b, k->s, "invalid operand for instruction (this register is fixed)");
				continue;
			}
			int *f = (tt->ph == 'D' || tt->ph == 'd') ? &b->dst : &b->src;
			if (*f >= 0 && *f != k->reg)
				return set_why(b, k->s, "the two registers of this form must be the same");
			*f = k->reg;
			continue;
		}
		if (tt->kind != T_EXPR) {
			continue;
		}
		struct asm_expr e;
		int r = eval(c, k, &e);
		if (r)
			return r;
		bool is_const = !e.a && !e.b;
		char m[160];
		switch (tt->ph) {
		case 'i':
		case 'x':
			if (!is_const)
				return set_why(b, k->s, "expected a constant immediate");
			if (e.c < INT32_MIN || e.c > (int64_t)UINT32_MAX) {
				snprintf(m, sizeof(m), "immediate %lld out of range [-2147483648, 4294967295]", (long long)e.c);
				set_why(b, k->s, m);
				return 0;
			}
			if (c->syntax == BK_ASM_UBPF && e.c > INT32_MAX) {
				/* decimal must fit int32; hex up to 0xffffffff */
				const char *q = k->s;
				while (q < k->e && (*q == '+' || *q == ' '))
					q++;
				if (!(q + 1 < k->e && q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))) {
					snprintf(m, sizeof(m), "immediate %lld out of range [-2147483648, 2147483647] (write larger values in hex)", (long long)e.c);
					set_why(b, k->s, m);
					return 0;
				}
			}
			b->imm = (int32_t)(uint32_t)e.c;
			break;
		case 'o':
			if (!is_const)
				return set_why(b, k->s, "expected a constant offset");
			if (e.c < INT16_MIN || e.c > INT16_MAX) {
				snprintf(m, sizeof(m), "offset %lld out of range [-32768, 32767]", (long long)e.c);
				set_why(b, k->s, m);
				return 0;
			}
			b->off = (int)e.c;
			b->has_off = true;
			break;
		case 'j':
		case 'J':
			if (is_const) {
				int64_t lo = tt->ph == 'j' ? INT16_MIN : INT32_MIN, hi = tt->ph == 'j' ? INT16_MAX : INT32_MAX;
				if (e.c < lo || e.c > hi) {
					snprintf(m, sizeof(m), "jump offset %lld out of range [%lld, %lld]%s", (long long)e.c,
						 (long long)lo, (long long)hi, tt->ph == 'j' ? "; use gotol (needs -mcpu=v4)" : "");
					set_why(b, k->s, m);
					return 0;
				}
				if (tt->ph == 'j')
					b->off = (int)e.c;
				else
					b->imm = e.c;
			} else {
				b->target = e;
				b->fix = cd->op == BK_OP_CALL_LOCAL ? FIX_CALL : tt->ph == 'j' ? FIX_JMP16 : FIX_JMP32;
				b->fix_at = k->s;
				if (cd->op == BK_OP_CALL_LOCAL)
					b->fix = FIX_JMP32;
			}
			break;
		case 'c':
			if (is_const) {
				if (llvm && cd->op != BK_OP_CALL)
					return set_why(b, k->s, "call by number is a helper call");
				if (e.c < INT32_MIN || e.c > (int64_t)UINT32_MAX) {
					snprintf(m, sizeof(m), "call number %lld out of range", (long long)e.c);
					set_why(b, k->s, m);
					return 0;
				}
				b->imm = (int32_t)(uint32_t)e.c;
			} else {
				if (cd->op != BK_OP_CALL_LOCAL || !llvm)
					return set_why(b, k->s, "expected a helper number");
				b->target = e;
				b->fix = FIX_CALL;
				b->fix_at = k->s;
			}
			break;
		case 'L':
			b->wide = true;
			if (is_const)
				b->imm64 = (uint64_t)e.c;
			else {
				b->target = e;
				b->fix = FIX_LDDW;
				b->fix_at = k->s;
			}
			break;
		case 'p':
			if (!is_const || e.c < 0 || e.c > 15)
				return set_why(b, k->s, "ld_pseudo source must be 0-15");
			b->src = (int)e.c;
			break;
		case 'q':
			if (!is_const || e.c < INT32_MIN || e.c > (int64_t)UINT32_MAX)
				return set_why(b, k->s, "ld_pseudo immediate must be a 32-bit constant");
			b->imm = (int32_t)(uint32_t)e.c;
			b->wide = true;
			b->imm64 = (uint32_t)e.c;
			break;
		case 'a':
		case 'b':
			if (!is_const || e.c < 0 || e.c > 0xffff)
				return set_why(b, k->s, "address space must be 0-65535");
			if (tt->ph == 'a')
				b->imm = e.c << 16;
			else
				b->imm |= e.c;
			break;
		default:
			return set_why(b, k->s, "unsupported operand");
		}
	}
	(void)info;
	return 1;
}

static int encode(struct asm_ctx *c, const struct cand *cd, struct bound *b, const char *stmt,
		  const char *end)
{
	const struct bk_opinfo *info = bk_isa_info(cd->op);
	int r = bk__asm_check_cpu(c, cd->op, stmt, end);
	if (r)
		return r;
	struct bk_insn in[2];
	memset(in, 0, sizeof(in));
	in[0].code = info->code;
	in[0].dst = (uint8_t)(b->dst < 0 ? 0 : b->dst);
	in[0].src = (uint8_t)(b->src < 0 ? 0 : b->src);
	in[0].off = (int16_t)b->off;
	in[0].imm = (int32_t)b->imm;
	bool pseudo = false;
	for (int i = 0; i < cd->ntok; i++)
		if (cd->t[i].ph == 'p')
			pseudo = true;
	switch (info->match) {
	case BK_M_OFF: in[0].off = (int16_t)info->match_value; break;
	case BK_M_IMM: in[0].imm = info->match_value; break;
	case BK_M_SRC:
		if (!pseudo)
			in[0].src = (uint8_t)info->match_value;
		break;
	}
	if (info->slots == 2 && !pseudo) {
		in[0].imm = (int32_t)(uint32_t)b->imm64;
		in[1].imm = (int32_t)(uint32_t)(b->imm64 >> 32);
	}
	if (cd->op == BK_OP_CALL_LOCAL && b->fix < 0 && c->syntax == BK_ASM_LLVM)
		in[0].imm = -1;
	if (b->fix >= 0 && (r = bk__asm_add_fix(c, b->fix, bk__asm_cur_off(c), &b->target, b->fix_at)))
		return r;
	return bk__asm_emit_insn(c, in, info->slots);
}

int bk__asm_match_insn(struct asm_ctx *c, struct asm_matcher *m, const char *p, const char *end)
{
	struct tok st[MAXTOK];
	const char *bad = NULL;
	int n = lex(m, p, end, st, false, false, &bad);
	const char *first_end = p;
	while (first_end < end && asm_is_ident(*first_end))
		first_end++;
	if (n < 0) {
		if (first_end > p && word_find(m, p, (size_t)(first_end - p)) < 0 &&
		    (c->syntax == BK_ASM_UBPF || !asm_is_ident_start(*p) || first_end == end ||
		     *asm_skip_ws(first_end, end) != '='))
			return bk__asm_error(c, p, "unknown instruction '%.*s'", (int)(first_end - p), p);
		return bk__asm_error(c, bad, "unexpected '%c' in instruction", *bad);
	}
	uint8_t key[MAXTOK];
	for (int i = 0; i < n; i++)
		key[i] = st[i].kind;
	struct shape *s = shape_slot(m, key, n, false);
	if (!s) {
		if (c->syntax == BK_ASM_UBPF) {
			if (n && st[0].kind < T_FIRST_CODE)
				return bk__asm_error(c, p, "unknown instruction '%.*s'", (int)(first_end - p), p);
			if (n && (st[0].kind == word_find(m, "lock", 4)))
				return bk__asm_error(c, p, "invalid number of operands for lock");
			return bk__asm_error(c, p, "invalid operands for '%.*s'", (int)(st[0].e - st[0].s), st[0].s);
		}
		if (n && st[0].kind == T_EXPR && asm_is_ident_start(*p) &&
		    (n == 1 || st[1].kind < T_FIRST_CODE || (*st[1].s != '=' && st[1].e[-1] != '=')))
			return bk__asm_error(c, p, "unknown instruction '%.*s'", (int)(first_end - p), p);
		return bk__asm_error(c, p, "invalid instruction '%.*s'", (int)(end - p), p);
	}
	struct bound b;
	b.why[0] = 0;
	b.bad_at = NULL;
	b.prio = 0;
	for (int ci = s->first; ci >= 0; ci = m->cands[ci].next) {
		const struct cand *cd = &m->cands[ci];
		int r = bind(c, cd, st, &b);
		if (r < 0)
			return r;
		if (r > 0)
			return encode(c, cd, &b, p, end);
	}
	return bk__asm_error(c, b.bad_at ? b.bad_at : p, "%s", b.why[0] ? b.why : "invalid operands");
}
