/* ebpf_asm's Intel-like syntax: `op dst, src` with size suffixes (.b .w .l .q), `[reg+disp]`
 * memory operands, `ld` for every move/load/store, `jr cc, a, b, target`, `;` comments,
 * `\` continuation, `.equ`, `.include`, map definitions in `.section maps` and `asciz`.
 * Each statement is mapped to a row of isa_table.def through the row's ubpf mnemonic
 * ("ldxw", "add32", "jsgt", ...), so no opcode appears here. */
#include "asm_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum opk { O_NONE, O_REG, O_MEM, O_IMM };

struct operand {
	enum opk kind;
	int reg;
	char size;          /* 'b' 'w' 'l' 'q' or 0 */
	struct asm_expr e;  /* immediate, or memory displacement */
	const char *s, *e_end;
};

/* Mnemonic of a row in the ubpf template: the text before the first operand. */
static size_t row_mnemonic(const struct bk_opinfo *info, const char **out)
{
	const char *t = info->text[BK_SYNTAX_UBPF];
	size_t n = 0;
	while (t[n] && t[n] != '%' && t[n] != '[')
		n++;
	while (n && t[n - 1] == ' ')
		n--;
	*out = t;
	return n;
}

/* The row whose ubpf mnemonic is MN (and, for ALU/JMP, whose source is a register
 * when srcx). BK_OP_INVALID if none. */
static enum bk_op find_row(const char *mn, int srcx)
{
	size_t ml = strlen(mn);
	for (int op = 0; op < BK_OP__COUNT; op++) {
		const struct bk_opinfo *info = bk_isa_info((enum bk_op)op);
		const char *t;
		size_t n = row_mnemonic(info, &t);
		if (n != ml || memcmp(t, mn, n))
			continue;
		if (srcx >= 0 && (info->fmt == BK_F_ALU_K || info->fmt == BK_F_ALU_X || info->fmt == BK_F_JCOND) &&
		    ((info->code & BK_SRC_X) != 0) != (srcx != 0))
			continue;
		return (enum bk_op)op;
	}
	return BK_OP_INVALID;
}

static bool strip_size(const char *s, const char **e, char *size)
{
	if (*e - s >= 3 && (*e)[-2] == '.' && strchr("bwlq", (*e)[-1])) {
		*size = (*e)[-1];
		*e -= 2;
		return true;
	}
	*size = 0;
	return false;
}

static bool parse_reg(const char *s, const char *e, int *r)
{
	if (e - s == 2 && s[0] == 'f' && s[1] == 'p') {
		*r = 10;
		return true;
	}
	char w;
	return asm_reg_name(s, e, &w, r) && w == 'r';
}

static int parse_operand(struct asm_ctx *c, const char *s, const char *e, struct operand *o)
{
	memset(o, 0, sizeof(*o));
	s = asm_skip_ws(s, e);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	o->s = s;
	o->e_end = e;
	if (s >= e)
		return bk__asm_error(c, s, "missing operand");
	strip_size(s, &e, &o->size);
	if (*s == '[') {
		if (e[-1] != ']')
			return bk__asm_error(c, s, "expected ']' to close the memory operand");
		const char *p = asm_skip_ws(s + 1, e - 1), *q = p;
		while (q < e - 1 && asm_is_ident(*q))
			q++;
		o->kind = O_MEM;
		if (parse_reg(p, q, &o->reg)) {
			if (o->reg > 10)
				return bk__asm_error(c, p, "invalid register '%.*s' (r0-r10, fp)", (int)(q - p), p);
			q = asm_skip_ws(q, e - 1);
			if (q < e - 1) {
				if (*q != '+' && *q != '-')
					return bk__asm_error(c, q, "expected '+' or '-' displacement");
				int r = bk__asm_const_expr(c, q, e - 1, &o->e.c);
				if (r)
					return r;
			}
		} else {
			o->reg = -1; /* [disp]: packet offset */
			int r = bk__asm_const_expr(c, p, e - 1, &o->e.c);
			if (r)
				return r;
		}
		return 0;
	}
	if (parse_reg(s, e, &o->reg)) {
		if (o->reg > 10)
			return bk__asm_error(c, s, "invalid register '%.*s' (r0-r10, fp)", (int)(e - s), s);
		o->kind = O_REG;
		return 0;
	}
	o->kind = O_IMM;
	const char *p = s;
	int r = bk__asm_parse_expr(c, &p, e, &o->e);
	if (r)
		return r;
	p = asm_skip_ws(p, e);
	if (p < e)
		return bk__asm_error(c, p, "unexpected '%.*s' in operand", (int)(e - p), p);
	return 0;
}

static int split_operands(struct asm_ctx *c, const char *p, const char *end, struct operand *ops, int max, int *n)
{
	*n = 0;
	p = asm_skip_ws(p, end);
	if (p >= end)
		return 0;
	for (;;) {
		const char *q = p;
		int depth = 0;
		while (q < end && (depth || *q != ',')) {
			if (*q == '[')
				depth++;
			else if (*q == ']')
				depth--;
			q++;
		}
		if (*n >= max)
			return bk__asm_error(c, p, "too many operands");
		int r = parse_operand(c, p, q, &ops[(*n)++]);
		if (r)
			return r;
		if (q >= end)
			return 0;
		p = q + 1;
	}
}

static char size_of2(const struct operand *a, const struct operand *b, char def, struct asm_ctx *c, const char *at,
		     int *err)
{
	char sa = a ? a->size : 0, sb = b ? b->size : 0;
	if (sa && sb && sa != sb) {
		*err = bk__asm_error(c, at, "operand sizes differ (.%c and .%c)", sa, sb);
		return 0;
	}
	return sa ? sa : sb ? sb : def;
}

static const char *mem_suffix(char size)
{
	return size == 'b' ? "b" : size == 'w' ? "h" : size == 'l' ? "w" : "dw";
}

static int emit_row(struct asm_ctx *c, enum bk_op op, const char *at, const char *end, int dst, int src,
		    int off, int64_t imm, const struct asm_expr *target, int fixkind)
{
	if (op == BK_OP_INVALID)
		return bk__asm_error(c, at, "no such instruction form");
	int r = bk__asm_check_cpu(c, op, at, end);
	if (r)
		return r;
	const struct bk_opinfo *info = bk_isa_info(op);
	struct bk_insn in[2];
	memset(in, 0, sizeof(in));
	in[0].code = info->code;
	in[0].dst = (uint8_t)(dst < 0 ? 0 : dst);
	in[0].src = (uint8_t)(src < 0 ? 0 : src);
	in[0].off = (int16_t)off;
	in[0].imm = (int32_t)imm;
	if (info->slots == 2) {
		in[0].imm = (int32_t)(uint32_t)imm;
		in[1].imm = (int32_t)(uint32_t)((uint64_t)imm >> 32);
	}
	switch (info->match) {
	case BK_M_OFF: in[0].off = (int16_t)info->match_value; break;
	case BK_M_IMM: in[0].imm = info->match_value; break;
	case BK_M_SRC: in[0].src = (uint8_t)info->match_value; break;
	}
	if (target && (target->a || target->b) &&
	    (r = bk__asm_add_fix(c, fixkind, bk__asm_cur_off(c), target, at)))
		return r;
	return bk__asm_emit_insn(c, in, info->slots);
}

static int check_imm32(struct asm_ctx *c, const struct operand *o)
{
	if (o->e.a || o->e.b)
		return bk__asm_error(c, o->s, "expected a constant");
	if (o->e.c < INT32_MIN || o->e.c > INT32_MAX)
		return bk__asm_error(c, o->s, "immediate %lld out of range [-2147483648, 2147483647]", (long long)o->e.c);
	return 0;
}

static int check_off(struct asm_ctx *c, const struct operand *o)
{
	if (o->e.c < INT16_MIN || o->e.c > INT16_MAX)
		return bk__asm_error(c, o->s, "displacement %lld out of range [-32768, 32767]", (long long)o->e.c);
	return 0;
}

/* jump/call target: +N / -N (relative slots) or a label */
static int target(struct asm_ctx *c, const struct operand *o, int64_t *rel, struct asm_expr *e)
{
	if (o->kind != O_IMM)
		return bk__asm_error(c, o->s, "expected a jump target (+N, -N or a label)");
	*rel = 0;
	memset(e, 0, sizeof(*e));
	if (!o->e.a && !o->e.b) {
		if (*o->s != '+' && *o->s != '-')
			return bk__asm_error(c, o->s, "a numeric jump target needs its sign (+%lld)", (long long)o->e.c);
		*rel = o->e.c;
		return 0;
	}
	*e = o->e;
	return 0;
}

static const struct { const char *names[5]; const char *mn; } conds[] = {
	{ { "eq", "e", "=", "z", "==" }, "jeq" },
	{ { "ne", "!=", "nz", NULL, NULL }, "jne" },
	{ { "gt", ">", NULL, NULL, NULL }, "jgt" },
	{ { "ge", ">=", NULL, NULL, NULL }, "jge" },
	{ { "lt", "<", NULL, NULL, NULL }, "jlt" },
	{ { "le", "<=", NULL, NULL, NULL }, "jle" },
	{ { "sgt", "s>", NULL, NULL, NULL }, "jsgt" },
	{ { "sge", "s>=", "p", NULL, NULL }, "jsge" },
	{ { "slt", "s<", "n", NULL, NULL }, "jslt" },
	{ { "sle", "s<=", NULL, NULL, NULL }, "jsle" },
	{ { "set", "&", "and", NULL, NULL }, "jset" },
};

static const char *const alu_ops[] = { "add", "sub", "mul", "div", "mod", "and", "or", "xor", "lsh", "rsh", "arsh" };

static int insn(struct asm_ctx *c, const char *p, const char *end)
{
	const char *mn = p;
	while (p < end && asm_is_ident(*p))
		p++;
	size_t ml = (size_t)(p - mn);
	const char *args = p;
	struct operand op[5];
	int n = 0, r;
	char buf[32];
#define MN(w) (ml == sizeof(w) - 1 && !memcmp(mn, w, ml))
	if (MN("jr")) {
		/* the condition is not an operand expression: split by hand */
		const char *q = asm_skip_ws(args, end), *ce = q;
		while (ce < end && *ce != ',')
			ce++;
		if (ce >= end) {
			if ((r = split_operands(c, args, end, op, 1, &n)))
				return r;
			if (!n)
				return bk__asm_error(c, mn, "jr takes a target (+N, -N or a label)");
			int64_t rel;
			struct asm_expr e;
			if ((r = target(c, &op[0], &rel, &e)))
				return r;
			if (rel < INT16_MIN || rel > INT16_MAX)
				return bk__asm_error(c, op[0].s, "jump offset %lld out of range [-32768, 32767]", (long long)rel);
			return emit_row(c, find_row("ja", -1), mn, end, 0, 0, (int)rel, 0, &e, FIX_JMP16);
		}
		const char *cs = q, *cend = ce;
		while (cend > cs && (cend[-1] == ' ' || cend[-1] == '\t'))
			cend--;
		const char *jm = NULL;
		for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]) && !jm; i++)
			for (int k = 0; k < 5 && conds[i].names[k]; k++)
				if ((size_t)(cend - cs) == strlen(conds[i].names[k]) && !memcmp(cs, conds[i].names[k], (size_t)(cend - cs)))
					jm = conds[i].mn;
		if (!jm)
			return bk__asm_error(c, cs, "unknown jump condition '%.*s'", (int)(cend - cs), cs);
		if ((r = split_operands(c, ce + 1, end, op, 5, &n)))
			return r;
		if (n != 3)
			return bk__asm_error(c, mn, "jr with a condition takes cc, dst, src, target");
		if (op[0].kind != O_REG || op[0].size || op[1].size)
			return bk__asm_error(c, op[0].s, "jr compares a register (no size suffix)");
		int64_t rel;
		struct asm_expr e;
		if ((r = target(c, &op[2], &rel, &e)))
			return r;
		if (rel < INT16_MIN || rel > INT16_MAX)
			return bk__asm_error(c, op[2].s, "jump offset %lld out of range [-32768, 32767]", (long long)rel);
		if (op[1].kind == O_REG)
			return emit_row(c, find_row(jm, 1), mn, end, op[0].reg, op[1].reg, (int)rel, 0, &e, FIX_JMP16);
		if (op[1].kind != O_IMM || (r = check_imm32(c, &op[1])))
			return r ? r : bk__asm_error(c, op[1].s, "expected a register or an immediate");
		return emit_row(c, find_row(jm, 0), mn, end, op[0].reg, -1, (int)rel, op[1].e.c, &e, FIX_JMP16);
	}
	if ((r = split_operands(c, args, end, op, 5, &n)))
		return r;
	if (MN("exit")) {
		if (n)
			return bk__asm_error(c, op[0].s, "exit takes no operand");
		return emit_row(c, find_row("exit", -1), mn, end, -1, -1, 0, 0, NULL, 0);
	}
	if (MN("call")) {
		if (n != 1 || op[0].kind != O_IMM)
			return bk__asm_error(c, mn, "call takes a helper number or a label");
		if (!op[0].e.a && !op[0].e.b && *op[0].s != '+' && *op[0].s != '-') {
			if ((r = check_imm32(c, &op[0])))
				return r;
			return emit_row(c, find_row("call", -1), mn, end, -1, -1, 0, op[0].e.c, NULL, 0);
		}
		int64_t rel;
		struct asm_expr e;
		if ((r = target(c, &op[0], &rel, &e)))
			return r;
		return emit_row(c, find_row("call local", -1), mn, end, -1, -1, 0, rel, &e, FIX_JMP32);
	}
	if (MN("neg")) {
		if (n != 1 || op[0].kind != O_REG)
			return bk__asm_error(c, mn, "neg takes one register");
		char sz = op[0].size ? op[0].size : 'q';
		if (sz != 'q' && sz != 'l')
			return bk__asm_error(c, op[0].s, "neg is .q or .l");
		return emit_row(c, find_row(sz == 'q' ? "neg" : "neg32", -1), mn, end, op[0].reg, -1, 0, 0, NULL, 0);
	}
	if (MN("end")) {
		const char *q = asm_skip_ws(args, end);
		bool be;
		if (end - q >= 2 && !memcmp(q, "le", 2))
			be = false;
		else if (end - q >= 2 && !memcmp(q, "be", 2))
			be = true;
		else
			return bk__asm_error(c, q, "end takes le or be");
		if (n != 2 || op[1].kind != O_REG)
			return bk__asm_error(c, mn, "end takes le|be, register");
		char sz = op[1].size ? op[1].size : 'q';
		int bits = sz == 'q' ? 64 : sz == 'l' ? 32 : sz == 'w' ? 16 : 0;
		if (!bits)
			return bk__asm_error(c, op[1].s, "end is .q, .l or .w");
		snprintf(buf, sizeof(buf), "%s%d", be ? "be" : "le", bits);
		return emit_row(c, find_row(buf, -1), mn, end, op[1].reg, -1, 0, 0, NULL, 0);
	}
	if (MN("xadd")) {
		if (n != 2 || op[0].kind != O_MEM || op[0].reg < 0 || op[1].kind != O_REG)
			return bk__asm_error(c, mn, "xadd takes [reg+disp], reg");
		if ((r = check_off(c, &op[0])))
			return r;
		char sz = size_of2(&op[0], &op[1], 'q', c, mn, &r);
		if (r)
			return r;
		if (sz != 'q' && sz != 'l')
			return bk__asm_error(c, mn, "xadd is .q or .l");
		return emit_row(c, find_row(sz == 'q' ? "lock add" : "lock add32", -1), mn, end, op[0].reg, op[1].reg,
				(int)op[0].e.c, 0, NULL, 0);
	}
	if (MN("ldpkt")) {
		if (n != 2 || op[0].kind != O_REG || op[0].reg != 0 || op[1].kind != O_MEM)
			return bk__asm_error(c, mn, "ldpkt takes r0, [disp] or r0, [reg+disp]");
		char sz = size_of2(&op[0], &op[1], 'l', c, mn, &r);
		if (r)
			return r;
		if (sz == 'q')
			return bk__asm_error(c, mn, "ldpkt has no .q form");
		if (op[1].e.c < INT32_MIN || op[1].e.c > INT32_MAX)
			return bk__asm_error(c, op[1].s, "displacement out of range");
		snprintf(buf, sizeof(buf), "%s%s", op[1].reg < 0 ? "ldabs" : "ldind", sz == 'b' ? "b" : sz == 'w' ? "h" : "w");
		return emit_row(c, find_row(buf, -1), mn, end, -1, op[1].reg < 0 ? -1 : op[1].reg, 0, op[1].e.c, NULL, 0);
	}
	if (MN("ld")) {
		if (n != 2)
			return bk__asm_error(c, mn, "ld takes two operands");
		char sz = size_of2(&op[0], &op[1], 'q', c, mn, &r);
		if (r)
			return r;
		if (op[0].kind == O_REG && op[1].kind == O_REG) {
			if (sz != 'q' && sz != 'l')
				return bk__asm_error(c, mn, "register moves are .q or .l");
			return emit_row(c, find_row(sz == 'q' ? "mov" : "mov32", 1), mn, end, op[0].reg, op[1].reg, 0, 0, NULL, 0);
		}
		if (op[0].kind == O_REG && op[1].kind == O_IMM) {
			if (sz == 'l') {
				if ((r = check_imm32(c, &op[1])))
					return r;
				return emit_row(c, find_row("mov32", 0), mn, end, op[0].reg, -1, 0, op[1].e.c, NULL, 0);
			}
			if (sz != 'q')
				return bk__asm_error(c, mn, "immediate loads are .q or .l");
			/* .q: lddw, with a relocation for a map (or any symbol) */
			return emit_row(c, find_row("lddw", -1), mn, end, op[0].reg, -1, 0,
					op[1].e.a ? op[1].e.c : op[1].e.c, &op[1].e, FIX_LDDW);
		}
		if (op[0].kind == O_REG && op[1].kind == O_MEM) {
			if (op[1].reg < 0 || (r = check_off(c, &op[1])))
				return r ? r : bk__asm_error(c, op[1].s, "expected [reg+disp]");
			snprintf(buf, sizeof(buf), "ldx%s", mem_suffix(sz));
			return emit_row(c, find_row(buf, -1), mn, end, op[0].reg, op[1].reg, (int)op[1].e.c, 0, NULL, 0);
		}
		if (op[0].kind == O_MEM && (op[1].kind == O_REG || op[1].kind == O_IMM)) {
			if (op[0].reg < 0 || (r = check_off(c, &op[0])))
				return r ? r : bk__asm_error(c, op[0].s, "expected [reg+disp]");
			if (op[1].kind == O_REG) {
				snprintf(buf, sizeof(buf), "stx%s", mem_suffix(sz));
				return emit_row(c, find_row(buf, -1), mn, end, op[0].reg, op[1].reg, (int)op[0].e.c, 0, NULL, 0);
			}
			if ((r = check_imm32(c, &op[1])))
				return r;
			snprintf(buf, sizeof(buf), "st%s", mem_suffix(sz));
			return emit_row(c, find_row(buf, -1), mn, end, op[0].reg, -1, (int)op[0].e.c, op[1].e.c, NULL, 0);
		}
		return bk__asm_error(c, mn, "unsupported ld operands");
	}
	for (size_t i = 0; i < sizeof(alu_ops) / sizeof(alu_ops[0]); i++) {
		if (ml != strlen(alu_ops[i]) || memcmp(mn, alu_ops[i], ml))
			continue;
		if (n != 2 || op[0].kind != O_REG || (op[1].kind != O_REG && op[1].kind != O_IMM))
			return bk__asm_error(c, mn, "%s takes a register and a register or immediate", alu_ops[i]);
		char sz = size_of2(&op[0], &op[1], 'q', c, mn, &r);
		if (r)
			return r;
		if (sz != 'q' && sz != 'l')
			return bk__asm_error(c, mn, "ALU operations are .q or .l");
		snprintf(buf, sizeof(buf), "%s%s", alu_ops[i], sz == 'l' ? "32" : "");
		if (op[1].kind == O_IMM && (r = check_imm32(c, &op[1])))
			return r;
		return emit_row(c, find_row(buf, op[1].kind == O_REG), mn, end, op[0].reg,
				op[1].kind == O_REG ? op[1].reg : -1, 0, op[1].kind == O_IMM ? op[1].e.c : 0, NULL, 0);
	}
#undef MN
	return bk__asm_error(c, mn, "unknown instruction '%.*s'", (int)ml, mn);
}

static int map_def(struct asm_ctx *c, const char *p, const char *end)
{
	uint32_t v[5] = { 0 };
	int i = 0;
	for (; i < 5; i++) {
		const char *q = p;
		while (q < end && *q != ',')
			q++;
		const char *s = asm_skip_ws(p, q), *e = q;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (i == 4 && s < e && asm_is_ident_start(*s) && !strchr("0123456789", *s)) {
			bool letters = true;
			for (const char *k = s; k < e; k++)
				if (*k != 'P' && *k != 'L')
					letters = false;
			if (letters) {
				for (const char *k = s; k < e; k++)
					v[4] |= *k == 'P' ? 1u : 2u; /* BPF_F_NO_PREALLOC, BPF_F_NO_COMMON_LRU */
				i++;
				break;
			}
		}
		int64_t x;
		int r = bk__asm_const_expr(c, s, e, &x);
		if (r)
			return r;
		if (x < 0 || x > UINT32_MAX)
			return bk__asm_error(c, s, "map field out of range [0, 4294967295]");
		v[i] = (uint32_t)x;
		if (q >= end) {
			i++;
			break;
		}
		p = q + 1;
	}
	if (i < 4)
		return bk__asm_error(c, p, "a map takes type, key_size, value_size, max_entries[, flags]");
	return bk__asm_emit(c, v, sizeof(v));
}

static int read_include(struct asm_ctx *c, const char *name, size_t n, const char *at, char **text, size_t *len)
{
	char path[4096];
	const char *dir = c->include_dir;
	if (dir && name[0] != '/')
		snprintf(path, sizeof(path), "%s/%.*s", dir, (int)n, name);
	else
		snprintf(path, sizeof(path), "%.*s", (int)n, name);
	uint8_t *data = NULL;
	struct bk_err e2 = { 0 };
	if (bk_read_file(path, &data, len, &e2) < 0)
		return bk__asm_error(c, at, "cannot include '%s': %s", path, e2.msg);
	*text = (char *)data;
	return 0;
}

static int run(struct asm_ctx *c, const char *text, size_t len, const char *fname, bool *data_mode,
	       bool *maps_mode);

static int line(struct asm_ctx *c, const char *p, const char *end, bool *data_mode, bool *maps_mode)
{
	p = asm_skip_ws(p, end);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	if (p >= end)
		return 0;
	c->stmt = p;
	/* label (a map definition follows its label on the same line) */
	const char *q = p;
	while (q < end && asm_is_ident(*q) && *q != '.')
		q++;
	if (q > p && q < end && *q == ':') {
		if (*p >= '0' && *p <= '9')
			return bk__asm_error(c, p, "a label must not start with a digit");
		int r = bk__asm_define_label(c, p, (size_t)(q - p), p);
		if (r)
			return r;
		uint32_t y = bk__asm_sym_find(c, p, (size_t)(q - p));
		const char *rest = asm_skip_ws(q + 1, end);
		if (*maps_mode && rest < end) {
			c->syms[y].bind = BK_STB_GLOBAL;
			c->syms[y].type = BK_STT_OBJECT;
			if ((r = bk__asm_set_size(c, y, 20)))
				return r;
			return map_def(c, rest, end);
		}
		p = rest;
		if (p >= end)
			return 0;
	}
	if (*p == '.') {
		const char *d = p++;
		while (p < end && asm_is_ident(*p))
			p++;
		size_t n = (size_t)(p - d);
		const char *a = asm_skip_ws(p, end);
#define D(w) (n == sizeof(w) - 1 && !memcmp(d, w, n))
		if (D(".text")) {
			*data_mode = false;
			*maps_mode = false;
			return bk__asm_section(c, ".text", 5, BK_SHT_PROGBITS, BK_SHF_ALLOC | BK_SHF_EXECINSTR, 0, true);
		}
		if (D(".data")) {
			*data_mode = true;
			*maps_mode = false;
			return bk__asm_section(c, ".data", 5, BK_SHT_PROGBITS, BK_SHF_ALLOC | BK_SHF_WRITE, 0, true);
		}
		if (D(".section")) {
			if (a >= end)
				return bk__asm_error(c, a, "expected a section name");
			const char *ne = end;
			if (end - a == 4 && !memcmp(a, "maps", 4)) {
				*maps_mode = true;
				int r = bk__asm_section(c, a, 4, BK_SHT_PROGBITS, BK_SHF_ALLOC | BK_SHF_WRITE, 0, true);
				if (!r)
					c->secs[c->cur].align = 4;
				return r;
			}
			*maps_mode = false;
			size_t before = c->nsecs;
			int r = bk__asm_section(c, a, (size_t)(ne - a), BK_SHT_PROGBITS,
					    *data_mode ? BK_SHF_ALLOC | BK_SHF_WRITE : BK_SHF_ALLOC | BK_SHF_EXECINSTR, 0, true);
			if (!r && c->nsecs > before && !*data_mode)
				c->secs[c->cur].align = 8;
			if (!r && c->nsecs == before && (c->secs[c->cur].is_code == *data_mode))
				return bk__asm_error(c, a, "section '%s' was %s before", c->secs[c->cur].name,
						 *data_mode ? "text" : "data");
			return r;
		}
		if (D(".globl") || D(".global")) {
			const char *e = a;
			while (e < end && asm_is_ident(*e))
				e++;
			if (e == a)
				return bk__asm_error(c, a, "expected a symbol name");
			uint32_t y = bk__asm_sym_get(c, a, (size_t)(e - a));
			if (!y)
				return -ENOMEM;
			c->syms[y].bind = BK_STB_GLOBAL;
			c->syms[y].bind_set = true;
			bk__asm_sym_register(c, y);
			return 0;
		}
		if (D(".equ")) {
			const char *comma = a;
			while (comma < end && *comma != ',')
				comma++;
			if (comma >= end)
				return bk__asm_error(c, a, ".equ takes name, value");
			const char *ne = comma;
			while (ne > a && (ne[-1] == ' ' || ne[-1] == '\t'))
				ne--;
			if (ne == a || (*a >= '0' && *a <= '9'))
				return bk__asm_error(c, a, "bad .equ name");
			const char *vs = asm_skip_ws(comma + 1, end), *ve = end;
			char sz;
			strip_size(vs, &ve, &sz);
			int64_t v;
			int r = bk__asm_const_expr(c, vs, ve, &v);
			if (r)
				return r;
			uint32_t y = bk__asm_sym_get(c, a, (size_t)(ne - a));
			if (!y)
				return -ENOMEM;
			struct asm_sym *s = &c->syms[y];
			if (s->defined && s->sec != SEC_ABS)
				return bk__asm_error(c, a, "'%.*s' is already a label", (int)(ne - a), a);
			/* redefinition takes effect from the next line, as in ebpf_asm */
			s->defined = true;
			s->sec = SEC_ABS;
			s->value = (uint64_t)v;
			s->temp = true; /* equates stay out of the symbol table */
			return 0;
		}
		if (D(".include")) {
			const char *s = a, *e = end;
			if (s < e && *s == '"') {
				s++;
				if (e[-1] != '"' || e - 1 <= s)
					return bk__asm_error(c, a, "unterminated file name");
				e--;
			}
			if (s >= e)
				return bk__asm_error(c, a, ".include takes a file name");
			if (c->include_depth >= 16)
				return bk__asm_error(c, a, ".include nested too deeply");
			char *t = NULL;
			size_t tl = 0;
			int r = read_include(c, s, (size_t)(e - s), a, &t, &tl);
			if (r)
				return r;
			char *fname = bk__asm_strdup(c, s, (size_t)(e - s));
			if (!fname || !bk__asm_strdup(c, "", 0)) {
				free(t);
				return -ENOMEM;
			}
			free(c->owned[c->nowned - 1]);
			c->owned[c->nowned - 1] = t; /* symbol names point into it */
			const char *save_name = c->name;
			uint32_t save_line = c->line;
			const char *save_ls = c->line_start;
			c->include_depth++;
			r = run(c, t, tl, fname, data_mode, maps_mode);
			c->include_depth--;
			if (!r) {
				c->name = save_name;
				c->line = save_line;
				c->line_start = save_ls;
			}
			return r;
		}
#undef D
		return bk__asm_error(c, d, "unknown directive '%.*s'", (int)n, d);
	}
	if (*maps_mode)
		return bk__asm_error(c, p, "a map definition needs a label: name: type, key_size, value_size, max_entries");
	if (*data_mode) {
		const char *w = p;
		while (p < end && asm_is_ident(*p))
			p++;
		if (p - w == 5 && !memcmp(w, "asciz", 5)) {
			const char *s = asm_skip_ws(p, end);
			if (s >= end || *s != '"')
				return bk__asm_error(c, s, "asciz takes a string in quotes");
			const char *e = s + 1;
			while (e < end && *e != '"')
				e++;
			if (e >= end)
				return bk__asm_error(c, s, "unterminated string");
			int r = bk__asm_emit(c, s + 1, (size_t)(e - s - 1));
			if (!r)
				r = bk__asm_emit(c, "", 1);
			return r;
		}
		return bk__asm_error(c, w, "only asciz data is supported in data sections");
	}
	return insn(c, p, end);
}

static int run(struct asm_ctx *c, const char *text, size_t len, const char *fname, bool *data_mode,
	       bool *maps_mode)
{
	const char *p = text, *end = text + len;
	uint32_t ln = 1;
	int r = 0;
	char *joined = NULL;
	size_t jcap = 0;
	c->name = fname;
	while (p < end && !r) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		c->line = ln;
		c->line_start = p;
		const char *e = le;
		while (e > p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > p && e[-1] == '\\') {
			/* continuation: join physical lines (rare; copied) */
			size_t jl = 0;
			uint32_t first = ln;
			const char *ls = p;
			for (;;) {
				const char *ce = e - 1;
				if (jl + (size_t)(ce - p) + 1 > jcap) {
					jcap = (jl + (size_t)(ce - p) + 1) * 2;
					char *nj = realloc(joined, jcap);
					if (!nj) {
						free(joined);
						return -ENOMEM;
					}
					joined = nj;
				}
				memcpy(joined + jl, p, (size_t)(ce - p));
				jl += (size_t)(ce - p);
				joined[jl++] = ' ';
				p = le + 1;
				ln++;
				if (p >= end)
					break;
				nl = memchr(p, '\n', (size_t)(end - p));
				le = nl ? nl : end;
				e = le;
				while (e > p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
					e--;
				if (!(e > p && e[-1] == '\\')) {
					if (jl + (size_t)(e - p) > jcap) {
						jcap = (jl + (size_t)(e - p)) * 2 + 1;
						char *nj = realloc(joined, jcap);
						if (!nj) {
							free(joined);
							return -ENOMEM;
						}
						joined = nj;
					}
					memcpy(joined + jl, p, (size_t)(e - p));
					jl += (size_t)(e - p);
					p = le + 1;
					ln++;
					break;
				}
			}
			char *keep = bk__asm_strdup(c, joined, jl);
			if (!keep) {
				free(joined);
				return -ENOMEM;
			}
			c->line = first;
			c->line_start = keep;
			(void)ls;
			const char *sc = memchr(keep, ';', jl);
			r = line(c, keep, sc ? sc : keep + jl, data_mode, maps_mode);
			continue;
		}
		const char *sc = p;
		bool in_str = false;
		while (sc < e && (in_str || *sc != ';')) {
			if (*sc == '"')
				in_str = !in_str;
			sc++;
		}
		r = line(c, p, sc, data_mode, maps_mode);
		p = le + 1;
		ln++;
	}
	free(joined);
	return r;
}

int bk__asm_intel(struct asm_ctx *c, const char *text, size_t len)
{
	bool data_mode = false, maps_mode = false;
	return run(c, text, len, c->name, &data_mode, &maps_mode);
}
