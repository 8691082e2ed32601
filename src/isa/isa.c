#include "bpfkit/isa.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MEMSZ(code) (BK_SIZE(code) == BK_SIZE_B ? 1 : BK_SIZE(code) == BK_SIZE_H ? 2 : \
		     BK_SIZE(code) == BK_SIZE_W ? 4 : 8)

static const struct bk_opinfo table[BK_OP__COUNT] = {
#define BK_INSN(id, code_, match_, mval, zero_, cpu_, group_, fmt_, llvm, ubpf, kern)      \
	[BK_OP_##id] = {                                                                 \
		.name = #id, .code = code_, .match = BK_M_##match_, .match_value = mval, \
		.zero = zero_, .cpu = cpu_, .group = BK_G_##group_, .fmt = BK_F_##fmt_,  \
		.slots = (code_) == 0x18 ? 2 : 1,                                        \
		.mem_size = (BK_F_##fmt_ == BK_F_LDX || BK_F_##fmt_ == BK_F_LDXSX ||     \
			     BK_F_##fmt_ == BK_F_ST || BK_F_##fmt_ == BK_F_STX ||        \
			     BK_F_##fmt_ == BK_F_ATOMIC || BK_F_##fmt_ == BK_F_LDABS ||  \
			     BK_F_##fmt_ == BK_F_LDIND) ? MEMSZ(code_) : 0,              \
		.alu32 = BK_CLASS(code_) == BK_CLASS_ALU,                                \
		.text = { llvm, ubpf, kern },                                           \
	},
#include "bpfkit/isa_table.def"
#undef BK_INSN
};

/* Rows are sorted by opcode, so the forms of one opcode are contiguous. */
static uint8_t first_form[256], form_count[256];

static void build_index(void)
{
	static bool done;
	if (done)
		return;
	for (int i = BK_OP__COUNT - 1; i >= 0; i--) {
		first_form[table[i].code] = (uint8_t)i;
		form_count[table[i].code]++;
	}
	done = true;
}

/* The table is constant, so the index is built once; a constructor keeps
 * bk_isa_decode free of a branch on the hot path of loaders and fuzzers. */
__attribute__((constructor)) static void isa_init(void) { build_index(); }

const struct bk_opinfo *bk_isa_info(enum bk_op op)
{
	return (unsigned)op < BK_OP__COUNT ? &table[op] : NULL;
}

int bk_isa_forms(uint8_t code, enum bk_op *first)
{
	if (first)
		*first = form_count[code] ? (enum bk_op)first_form[code] : BK_OP_INVALID;
	return form_count[code];
}

enum bk_op bk_isa_decode(const struct bk_insn *insn)
{
	unsigned n = form_count[insn->code];
	for (unsigned i = first_form[insn->code], e = i + n; i < e; i++) {
		const struct bk_opinfo *o = &table[i];
		switch (o->match) {
		case BK_M_NONE: return (enum bk_op)i;
		case BK_M_OFF: if (insn->off == o->match_value) return (enum bk_op)i; break;
		case BK_M_IMM: if (insn->imm == o->match_value) return (enum bk_op)i; break;
		case BK_M_SRC: if (insn->src == o->match_value) return (enum bk_op)i; break;
		}
	}
	return BK_OP_INVALID;
}

const char *bk_isa_group_name(enum bk_group g)
{
	static const char *names[] = { "base32", "base64", "atomic32", "atomic64", "divmul32",
				       "divmul64", "packet", "callx", "linux" };
	return (unsigned)g < sizeof(names) / sizeof(names[0]) ? names[g] : "?";
}

const char *bk_isa_cpu_name(int cpu)
{
	static const char *names[] = { "?", "v1", "v2", "v3", "v4" };
	return cpu >= 1 && cpu <= 4 ? names[cpu] : "?";
}

int bk_isa_parse_cpu(const char *s)
{
	if (!strcmp(s, "generic"))
		return 1;
	if (s[0] == 'v' && s[1] >= '1' && s[1] <= '4' && !s[2])
		return s[1] - '0';
	return -EINVAL;
}

static const char *field_name(int z)
{
	return z == BK_Z_DST ? "dst_reg" : z == BK_Z_SRC ? "src_reg" : z == BK_Z_OFF ? "offset" : "imm";
}

static int64_t field_value(const struct bk_insn *in, int z)
{
	return z == BK_Z_DST ? in->dst : z == BK_Z_SRC ? in->src : z == BK_Z_OFF ? in->off : in->imm;
}

/* Which register fields an instruction really uses (the rest must be zero). */
static void regs_used(const struct bk_opinfo *o, bool *dst, bool *src)
{
	*dst = !(o->zero & BK_Z_DST);
	*src = !(o->zero & BK_Z_SRC) && o->match != BK_M_SRC;
}

int bk_isa_validate(const struct bk_insn *insns, size_t n, const struct bk_validate_opts *opts,
		    struct bk_err *err)
{
	int cpu = BK_OPTS_GET(opts, cpu, 0);
	bool pseudo = BK_OPTS_GET(opts, allow_pseudo, false);
	bool targets = BK_OPTS_HAS(opts, check_targets) ? opts->check_targets : true;
	const char *name = BK_OPTS_GET(opts, name, NULL);
	const char *sep = name ? ": " : "";
	if (!name)
		name = "";
	if (!cpu)
		cpu = 4;
	if (n == 0)
		return bk_err_set(err, -EINVAL, "%s%sempty program", name, sep);

	for (size_t i = 0; i < n; i++) {
		const struct bk_insn *in = &insns[i];
		enum bk_op op = bk_isa_decode(in);
		if (op == BK_OP_INVALID) {
			if (bk_isa_forms(in->code, NULL))
				return bk_err_set(err, -EINVAL,
						  "%s%sinsn %zu: opcode 0x%02x with invalid %s %d", name, sep, i,
						  in->code,
						  field_name(table[first_form[in->code]].match == BK_M_OFF ? BK_Z_OFF :
							     table[first_form[in->code]].match == BK_M_IMM ? BK_Z_IMM :
							     BK_Z_SRC),
						  table[first_form[in->code]].match == BK_M_OFF ? in->off :
						  table[first_form[in->code]].match == BK_M_IMM ? in->imm : in->src);
			return bk_err_set(err, -EINVAL, "%s%sinsn %zu: unknown opcode 0x%02x", name, sep, i,
					  in->code);
		}
		const struct bk_opinfo *o = &table[op];
		for (int z = 1; z <= BK_Z_IMM; z <<= 1)
			if ((o->zero & z) && field_value(in, z))
				return bk_err_set(err, -EINVAL, "%s%sinsn %zu: reserved field %s is %lld, must be 0 (opcode 0x%02x)",
						  name, sep, i, field_name(z), (long long)field_value(in, z), in->code);
		bool ud, us;
		regs_used(o, &ud, &us);
		if (ud && in->dst > BK_MAX_REG)
			return bk_err_set(err, -EINVAL, "%s%sinsn %zu: invalid dst register r%d", name, sep, i, in->dst);
		if (us && in->src > BK_MAX_REG)
			return bk_err_set(err, -EINVAL, "%s%sinsn %zu: invalid src register r%d", name, sep, i, in->src);
		if (o->cpu > cpu && o->group != BK_G_LINUX)
			return bk_err_set(err, -EINVAL, "%s%sinsn %zu: %s needs -mcpu=%s or newer (selected %s)", name,
					  sep, i, o->name, bk_isa_cpu_name(o->cpu), bk_isa_cpu_name(cpu));
		if (!pseudo && ((op >= BK_OP_LDDW_PSEUDO1 && op <= BK_OP_LDDW_PSEUDO6) || op == BK_OP_CALL_KFUNC))
			return bk_err_set(err, -EINVAL, "%s%sinsn %zu: %s needs a loader (src_reg %d)", name, sep, i,
					  o->name, in->src);
		if (o->slots == 2) {
			if (i + 1 >= n)
				return bk_err_set(err, -EINVAL, "%s%sinsn %zu: lddw is missing its second half", name, sep, i);
			const struct bk_insn *h = &insns[i + 1];
			if (h->code || h->dst || h->src || h->off)
				return bk_err_set(err, -EINVAL, "%s%sinsn %zu: invalid second half of lddw (code 0x%02x)",
						  name, sep, i + 1, h->code);
			i++;
		}
	}
	if (!targets)
		return 0;
	/* Jumps may not land on the second slot of an lddw. */
	uint8_t *half = calloc(n, 1);
	if (!half)
		return bk_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i += table[bk_isa_decode(&insns[i])].slots)
		if (table[bk_isa_decode(&insns[i])].slots == 2)
			half[i + 1] = 1;
	int ret = 0;
	for (size_t i = 0; i < n && !ret; i++) {
		const struct bk_insn *in = &insns[i];
		enum bk_op op = bk_isa_decode(in);
		const struct bk_opinfo *o = &table[op];
		int64_t t;
		const char *what = "jump";
		if (o->fmt == BK_F_JA || o->fmt == BK_F_JCOND)
			t = (int64_t)i + 1 + in->off;
		else if (o->fmt == BK_F_JA32)
			t = (int64_t)i + 1 + in->imm;
		else if (op == BK_OP_CALL_LOCAL)
			t = (int64_t)i + 1 + in->imm, what = "call";
		else if (op == BK_OP_LDDW_PSEUDO4)
			t = (int64_t)i + 1 + in->imm, what = "function address";
		else {
			i += o->slots - 1;
			continue;
		}
		if (t < 0 || t >= (int64_t)n)
			ret = bk_err_set(err, -EINVAL, "%s%sinsn %zu: %s target %lld is outside the program (0..%zu)",
					  name, sep, i, what, (long long)t, n - 1);
		else if (half[t])
			ret = bk_err_set(err, -EINVAL, "%s%sinsn %zu: %s target %lld is the middle of an lddw",
					  name, sep, i, what, (long long)t);
		i += o->slots - 1;
	}
	free(half);
	return ret;
}

int bk_isa_min_cpu(const struct bk_insn *insns, size_t n)
{
	int cpu = 1;
	for (size_t i = 0; i < n; i++) {
		enum bk_op op = bk_isa_decode(&insns[i]);
		if (op == BK_OP_INVALID)
			continue;
		if (table[op].cpu > cpu && table[op].group != BK_G_LINUX)
			cpu = table[op].cpu;
		i += table[op].slots - 1;
	}
	return cpu;
}
