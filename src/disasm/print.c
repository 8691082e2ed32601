#include "bpfkit/disasm.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const helper_names[] = {
#define BK_HELPER(id, name) [id] = "bpf_" #name,
#include "bpfkit/helpers.def"
#undef BK_HELPER
};

const char *bk_helper_name(int32_t id)
{
	if (id < 0 || (size_t)id >= sizeof(helper_names) / sizeof(helper_names[0]))
		return NULL;
	return helper_names[id];
}

int64_t bk_insn_branch_target(const struct bk_insn *in, size_t i)
{
	enum bk_op op = bk_isa_decode(in);
	if (op == BK_OP_INVALID)
		return -1;
	switch (bk_isa_info(op)->fmt) {
	case BK_F_JA:
	case BK_F_JCOND:
		return (int64_t)i + 1 + in->off;
	case BK_F_JA32:
		return (int64_t)i + 1 + in->imm;
	default:
		return op == BK_OP_CALL_LOCAL ? (int64_t)i + 1 + in->imm : -1;
	}
}

/* A growing cursor into the caller's buffer; output is cut, never overrun. */
struct out {
	char *p;
	size_t left;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->p, o->left, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t w = (size_t)n < o->left ? (size_t)n : (o->left ? o->left - 1 : 0);
	o->p += w;
	o->left -= w;
}

/* Signed number in the syntax's style: LLVM hex "-0x4", others decimal. */
static void num(struct out *o, int64_t v, bool hex)
{
	if (!hex)
		put(o, "%" PRId64, v);
	else if (v < 0)
		put(o, "-0x%" PRIx64, (uint64_t)0 - (uint64_t)v);
	else
		put(o, "0x%" PRIx64, (uint64_t)v);
}

static void reg(struct out *o, enum bk_syntax syn, char kind, unsigned r)
{
	if (syn == BK_SYNTAX_UBPF)
		put(o, "%%r%u", r);
	else
		put(o, "%c%u", kind, r);
}

int bk_insn_format(const struct bk_insn *in, size_t avail, const struct bk_print_opts *opts,
		   char *buf, size_t len)
{
	enum bk_syntax syn = BK_OPTS_GET(opts, syntax, BK_SYNTAX_LLVM);
	bool llvm = syn == BK_SYNTAX_LLVM, kern = syn == BK_SYNTAX_KERNEL;
	bool hex = llvm && !BK_OPTS_GET(opts, decimal, false);
	struct out o = { buf, len };
	if (len)
		buf[0] = 0;
	enum bk_op op = avail ? bk_isa_decode(in) : BK_OP_INVALID;
	const struct bk_opinfo *info = bk_isa_info(op);
	if (info && info->slots > avail)
		op = BK_OP_INVALID;
	/* LLVM's decoder also refuses a few reserved fields (measured with llvm-objdump-19 on
	 * every row with each reserved field set): the offset of ALU forms that do not use
	 * it, the offset of lddw, and exit's imm. Its text is what this syntax promises. */
	if (llvm && info && op != BK_OP_INVALID &&
	    ((((info->fmt == BK_F_ALU_K || info->fmt == BK_F_ALU_X) && info->match != BK_M_OFF) ||
	      info->fmt == BK_F_LDDW) ? in->off != 0 : info->fmt == BK_F_EXIT && in->imm != 0))
		op = BK_OP_INVALID;
	if (op == BK_OP_INVALID || !info->text[syn][0]) {
		if (kern && avail)
			put(&o, "(%02x) ", in->code);
		put(&o, "<unknown>");
		return 1;
	}
	if (kern && !BK_OPTS_GET(opts, no_opcode, false))
		put(&o, "(%02x) ", in->code);
	uint64_t imm64 = (uint32_t)in->imm;
	if (info->slots == 2)
		imm64 |= (uint64_t)(uint32_t)in[1].imm << 32;

	for (const char *t = info->text[syn]; *t; t++) {
		if (*t != '%') {
			if (o.left > 1) {
				*o.p++ = *t;
				*o.p = 0;
				o.left--;
			}
			continue;
		}
		switch (*++t) {
		case 'D': reg(&o, syn, 'r', in->dst); break;
		case 'd': reg(&o, syn, 'w', in->dst); break;
		case 'S': reg(&o, syn, 'r', in->src); break;
		case 's': reg(&o, syn, 'w', in->src); break;
		case 'i': num(&o, in->imm, hex); break;
		case 'x':
			if (kern)
				put(&o, "0x%x", (uint32_t)in->imm);
			else
				num(&o, in->imm, hex);
			break;
		case 'o':
			if (llvm) {
				put(&o, "%c ", in->off < 0 ? '-' : '+');
				num(&o, in->off < 0 ? -(int64_t)in->off : in->off, hex);
			} else
				put(&o, "%+d", in->off);
			break;
		case 'j':
			if (hex)
				put(&o, in->off < 0 ? "-0x%x" : "+0x%x", in->off < 0 ? -in->off : in->off);
			else
				put(&o, "%+d", in->off);
			break;
		case 'J':
			if (hex)
				put(&o, in->imm < 0 ? "-0x%" PRIx64 : "+0x%" PRIx64,
				    in->imm < 0 ? (uint64_t)0 - (uint64_t)(int64_t)in->imm : (uint64_t)in->imm);
			else
				put(&o, "%+" PRId64, (int64_t)in->imm);
			break;
		case 'c': num(&o, in->imm, hex); break;
		case 'H': {
			const char *name = NULL;
			if (BK_OPTS_HAS(opts, helper_name) && opts->helper_name)
				name = opts->helper_name(in->imm, opts->ctx);
			if (!name)
				name = bk_helper_name(in->imm);
			put(&o, "%s#%d", name ? name : "unknown", in->imm);
			break;
		}
		case 'L':
			if (llvm)
				num(&o, (int64_t)imm64, hex);
			else
				put(&o, "0x%" PRIx64, imm64);
			break;
		case 'p':
			num(&o, in->src, hex);
			put(&o, ", ");
			num(&o, in->imm, hex);
			break;
		case 'P': {
			char tmp[128];
			if (BK_OPTS_HAS(opts, pseudo_text) && opts->pseudo_text &&
			    !opts->pseudo_text(in, tmp, sizeof(tmp), opts->ctx))
				put(&o, "%s", tmp);
			else if (in->src == BK_PSEUDO_MAP_FD || in->src == BK_PSEUDO_MAP_IDX)
				put(&o, "map[%s:%d]", in->src == BK_PSEUDO_MAP_FD ? "fd" : "idx", in->imm);
			else if (in->src == BK_PSEUDO_MAP_VALUE || in->src == BK_PSEUDO_MAP_IDX_VALUE)
				put(&o, "map[%s:%d][0]+%d", in->src == BK_PSEUDO_MAP_VALUE ? "fd" : "idx", in->imm,
				    in[1].imm);
			else if (in->src == BK_PSEUDO_FUNC)
				put(&o, "subprog[%+d]", in->imm);
			else
				put(&o, "btf_id:%d", in->imm);
			break;
		}
		case 'a':
			num(&o, (uint32_t)in->imm >> 16, hex);
			put(&o, ", ");
			num(&o, (uint32_t)in->imm & 0xffff, hex);
			break;
		default: put(&o, "%%%c", *t); break;
		}
	}
	return info->slots;
}

int bk_disasm_raw(const struct bk_insn *insns, size_t n, const struct bk_print_opts *opts,
		  bool no_raw, struct bk_buf *out)
{
	char text[256];
	enum bk_syntax syn = BK_OPTS_GET(opts, syntax, BK_SYNTAX_LLVM);
	for (size_t i = 0; i < n;) {
		int k = bk_insn_format(&insns[i], n - i, opts, text, sizeof(text));
		int r;
		if (syn == BK_SYNTAX_LLVM) {
			r = bk_buf_printf(out, "%8zu:\t", i);
			if (!no_raw) {
				const uint8_t *b = (const uint8_t *)&insns[i];
				for (int j = 0; j < 8 * k; j++)
					r |= bk_buf_printf(out, "%02x ", b[j]);
				out->len--; /* the last byte's space becomes the tab */
				r |= bk_buf_printf(out, "\t");
			}
		} else if (syn == BK_SYNTAX_KERNEL)
			r = bk_buf_printf(out, "%4zu: ", i);
		else
			r = 0;
		r |= bk_buf_printf(out, "%s\n", text);
		if (r)
			return r;
		i += (size_t)k;
	}
	return 0;
}
