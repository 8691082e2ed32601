/* The path-exploring verifier. Structure follows the kernel's: structural checks
 * (ld_imm64 pairs, subprograms, jump ranges, reachability), then a depth-first walk
 * of every path with a stack of pending branches, checkpoints at prune points and
 * pruning when a new state is covered by an explored one. Messages are the
 * kernel's, because users search for them. */
#include "vbounds.h"
#include "bpfkit/disasm.h"
#include "bpfkit/progtype.h"

#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VAR_OFF (1LL << 29)
#define MAX_JMP_SEQ 8192
#define MAX_CKPT 16384
#define MAX_PER_INSN 64
#define MAX_SUBPROGS 256
#define VF_UNPROVED 0x80 /* internal insn flag: some path's access was not bounds-proved */

struct ckpt {
	struct vstate st;
	int insn, next, parent, branches;
};

/* One processed instruction of a path: the tree of paths, walked backwards by the
 * precision backtracking. ck is the checkpoint whose state is this insn's input. */
struct hent {
	int32_t insn, prev, ck;
	int8_t frame;
	int8_t sframe;            /* stack slot this insn spilled to / filled from: frame, */
	uint8_t spi;              /* slot index (0 = fp-512), sframe -1 when none */
	uint8_t nlink;            /* conditional jumps: scalars linked to the operands */
	uint16_t done;            /* registers of this frame a walk already took from here */
	uint8_t all_done;         /* every checkpoint behind is marked all precise */
	uint32_t link_off;
};

/* A visit of a loop (an SCC reached through one chain of calls): it starts at the first
 * checkpoint inside, ends when that checkpoint has no path left to explore. */
struct svisit {
	int scc, ncalls;
	int calls[MAX_FRAMES];
	int entry;                      /* checkpoint, -1 when no visit is in progress */
	int nbe;                        /* backedges waiting */
};

/* A path pruned inside a loop against a state whose precision marks are not final:
 * the marks it gets later still have to reach this path (kernel: bpf_scc_backedge). */
struct sbackedge {
	int visit, hist, curframe, ck, insn;
};

struct pending {
	struct vstate st;
	int insn, prev;
};

struct venv {
	const struct bk_insn *insns;
	int n;
	int prog_type;
	bool priv;
	int log_level;
	bool btf_func_info;
	const struct bk_vmap *maps;
	int nmaps;
	const bool *map_lock;           /* per map: value with a spin lock (may be NULL) */
	uint32_t limit;
	struct bk_buf *log;
	size_t log_limit;
	/* per insn */
	uint8_t *prune, *flags, *is_second;
	uint16_t *live;
	int *head;
	int *subprog_of;
	/* subprograms */
	int nsub;
	int sub_start[MAX_SUBPROGS + 1];
	int sub_depth[MAX_SUBPROGS];
	bool sub_is_cb[MAX_SUBPROGS];
	/* global functions: verified on their own (root_sub), called as "assumed valid" */
	const struct bk_vfunc *funcs;
	int nfuncs;
	int sub_func[MAX_SUBPROGS];     /* index into funcs of a global subprogram, else -1 */
	bool sub_called[MAX_SUBPROGS];
	bool sub_func_done[MAX_SUBPROGS];
	int root_sub;                   /* the subprogram do_check starts from */
	size_t insn_log_end;            /* log length right after the insn being processed */
	int ck_before;                  /* checkpoints of the roots already verified */
	int pending_cb[64], npending_cb;
	/* exploration */
	struct ckpt *ck;
	int nck, capck, live_ck, peak_ck;
	struct pending *stack;
	int nstack, capstack;
	uint32_t processed, jmps, prev_processed, prev_jmps;
	uint32_t id_gen;
	int max_per_insn;
	/* path history for precision backtracking: one entry per processed insn */
	struct hent *hist;
	int nhist, caphist;
	uint16_t *links;
	int nlinks, caplinks;
	int pending_ck;
	int print_frame;                /* the frame whose state is being logged */
	int access_slot;                /* stack slot of this frame the insn accessed, -1 none */
	/* level 2: the instruction whose registers are still to be printed; as the kernel
	 * does, they are printed when the next instruction is reached and not pruned */
	const struct bk_insn *pend_in;
	int pend_frame, pend_slot;
	uint64_t call_slots, pend_slots; /* stack slots a helper wrote (bit = slot, 0 = fp-512) */
	struct vframe *pool;
	int npool;
	/* loops: strongly connected components of the CFG (kernel: compute_scc), the visits
	 * of them in progress and the loop hits whose precision waits for the visit's end */
	int *scc;
	struct svisit *vis;
	int nvis, capvis;
	struct sbackedge *be;
	int nbe, capbe;
	uint32_t prec_marks;            /* scalars newly marked precise, ever */

	/* result */
	int err_insn;
	char msg[256];
	int code;
};

static const char *type_str(int t)
{
	switch (t) {
	case T_NOT_INIT: return "?";
	case T_SCALAR: return "scalar";
	case T_CTX: return "ctx";
	case T_MAP_PTR: return "map_ptr";
	case T_MAP_VALUE: return "map_value";
	case T_STACK: return "fp";
	case T_PKT: return "pkt";
	case T_PKT_META: return "pkt_meta";
	case T_PKT_END: return "pkt_end";
	case T_MEM: return "mem";
	case T_RINGBUF_MEM: return "ringbuf_mem";
	case T_FUNC: return "func";
	case T_MAP_KEY: return "map_key";
	case T_SOCK_COMMON: return "sock_common";
	}
	return "?";
}

static const char *rtype_str(const struct vreg *r, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s", type_str(r->type), r->maybe_null ? "_or_null" : "");
	return buf;
}

/* ---- log ---- */

static void logf_(struct venv *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct venv *e, const char *fmt, ...)
{
	if (!e->log || e->log->len >= e->log_limit)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	bk_buf_append(e->log, buf, strlen(buf));
}

/* Records the rejection: the kernel's message (its last line is kept in msg). */
static int verr(struct venv *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int verr(struct venv *e, int code, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (e->log && e->log->len < e->log_limit)
		bk_buf_printf(e->log, "%s\n", buf);
	size_t l = strlen(buf);
	if (l >= sizeof e->msg)
		l = sizeof e->msg - 1;
	memcpy(e->msg, buf, l);
	e->msg[l] = 0;
	if (!e->code)
		e->code = code;
	return code;
}

/* A message line that precedes the final one (the kernel prints two). */
static void vnote(struct venv *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vnote(struct venv *e, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (e->log && e->log->len < e->log_limit)
		bk_buf_printf(e->log, "%s\n", buf);
}

static void print_insn(struct venv *e, int i)
{
	char buf[160];
	const struct bk_insn *in = &e->insns[i];
	if (in->code == (BK_CLASS_LD | BK_MODE_IMM | BK_SIZE_DW) && in->src == BK_PSEUDO_FUNC) {
		/* the kernel prints a function's address as its instruction offset */
		logf_(e, "%d: (18) r%d = %#x\n", i, in->dst, (unsigned)in->imm);
		return;
	}
	struct bk_print_opts po = { .sz = sizeof po, .syntax = BK_SYNTAX_KERNEL };
	bk_insn_format(in, (size_t)(e->n - i), &po, buf, sizeof buf);
	logf_(e, "%d: %s\n", i, buf);
}

/* Numbers as the kernel prints them: decimal within the s16 range, hex (of the 64-bit
 * pattern) beyond. */
static void put_num(struct bk_buf *b, uint64_t v, bool sgn)
{
	if (sgn ? ((int64_t)v >= -32768 && (int64_t)v <= 32767) : v <= 32767)
		bk_buf_printf(b, sgn ? "%lld" : "%llu", (long long)v);
	else
		bk_buf_printf(b, "%#llx", (unsigned long long)v);
}

/* A signed 32-bit bound as the kernel's table holds it: near zero the signed value, else
 * its 32-bit pattern (which then also prints, and merges with equal bounds, as one). */
static uint64_t s32_val(int32_t v)
{
	return v >= -32768 && v <= 32767 ? (uint64_t)(int64_t)v : (uint64_t)(uint32_t)v;
}

/* The kernel's print_scalar_ranges: bounds at their type's extreme are left out, equal
 * bounds are written once as "a=b=value". */
static void put_ranges(struct bk_buf *b, const struct vreg *r, const char **sep)
{
	struct { const char *name; uint64_t val; bool omit; } m[] = {
		{ "smin", (uint64_t)r->smin, r->smin == S64_MIN },
		{ "smax", (uint64_t)r->smax, r->smax == S64_MAX },
		{ "umin", r->umin, r->umin == 0 },
		{ "umax", r->umax, r->umax == U64_MAX },
		{ "smin32", s32_val(r->s32min), r->s32min == S32_MIN },
		{ "smax32", s32_val(r->s32max), r->s32max == S32_MAX },
		{ "umin32", r->u32min, r->u32min == 0 },
		{ "umax32", r->u32max, r->u32max == U32_MAX },
	};
	int n = (int)(sizeof m / sizeof m[0]);
	for (int i = 0; i < n; i++) {
		if (m[i].omit)
			continue;
		bool neg1 = m[i].name[0] == 's' && (int64_t)m[i].val < 0;
		bk_buf_printf(b, "%s%s=", *sep, m[i].name);
		*sep = ",";
		for (int j = i + 2; j < n; j += 2) {
			if (m[j].omit || m[j].val != m[i].val)
				continue;
			bool neg2 = m[j].name[0] == 's' && (int64_t)m[j].val < 0;
			if (neg2 != neg1)
				continue;
			m[j].omit = true;
			bk_buf_printf(b, "%s=", m[j].name);
		}
		put_num(b, m[i].val, m[i].name[0] == 's');
	}
}

static void print_reg(struct venv *e, struct bk_buf *b, int regno, const struct vreg *r)
{
	char t[32];
	if (regno >= 0)
		bk_buf_printf(b, " R%d=", regno);
	if (r->type == T_SCALAR && r->precise)
		bk_buf_printf(b, "P");
	if (r->type == T_SCALAR && tnum_is_const(r->var)) {
		put_num(b, r->var.value, true);
		return;
	}
	if (r->type == T_STACK && tnum_is_const(r->var) && !r->var.value) {
		if (r->frameno != e->print_frame)
			bk_buf_printf(b, "fp[%d]%d", r->frameno, r->off);
		else
			bk_buf_printf(b, "fp%d", r->off);
		return;
	}
	bk_buf_printf(b, "%s(", rtype_str(r, t, sizeof t));
	const char *sep = "";
	if (r->id) {
		bk_buf_printf(b, "id=%u", r->id & ~ID_ADD_CONST);
		if (r->id & ID_ADD_CONST)
			bk_buf_printf(b, "%+d", r->off);
		sep = ",";
	}
	if (r->ref_obj_id) { bk_buf_printf(b, "%sref_obj_id=%u", sep, r->ref_obj_id); sep = ","; }
	if ((r->type == T_MAP_VALUE || r->type == T_MAP_PTR || r->type == T_MAP_KEY) && r->map >= 0 &&
	    r->map < e->nmaps) {
		const char *mn = e->maps[r->map].name;
		/* the inner map of a map-in-map is a template without a name in the kernel */
		for (int k = 0; k < e->nmaps && mn; k++)
			if (e->maps[k].inner == r->map && (e->maps[k].type == 12 || e->maps[k].type == 13))
				mn = NULL;
		if (mn && *mn)
			bk_buf_printf(b, "%smap=%.15s", sep, mn), sep = ",";
		bk_buf_printf(b, "%sks=%u,vs=%u", sep, e->maps[r->map].key_size, e->maps[r->map].value_size);
		sep = ",";
	}
	if (r->type != T_SCALAR && r->off) { bk_buf_printf(b, "%soff=%d", sep, r->off); sep = ","; }
	if (r->type == T_PKT || r->type == T_PKT_META) {
		/* a range below zero (the pointer is at or beyond the packet's end) prints as
		 * the kernel prints it: the 64-bit pattern */
		if (r->range < 0)
			bk_buf_printf(b, "%sr=%#llx", sep, (unsigned long long)(int64_t)r->range);
		else
			bk_buf_printf(b, "%sr=%d", sep, r->range);
		sep = ",";
	}
	if (r->type == T_MEM || r->type == T_RINGBUF_MEM) { bk_buf_printf(b, "%ssz=%d", sep, r->range); sep = ","; }
	if (tnum_is_const(r->var)) {
		if (r->var.value)
			bk_buf_printf(b, "%simm=%llx", sep, (unsigned long long)r->var.value);
	} else {
		put_ranges(b, r, &sep);
		if (r->var.mask != U64_MAX) {
			char tn[64];
			tnum_str(tn, sizeof tn, r->var);
			bk_buf_printf(b, "%svar_off=%s", sep, tn);
		}
	}
	bk_buf_printf(b, ")");
}

/* Bytes of the spilled register in slot sl (a narrow spill fills the low addresses). */
static int spill_bytes(const uint8_t *sl)
{
	int n = 0;
	while (n < 8 && sl[n] == SLOT_SPILL)
		n++;
	return n;
}

/* Bits the unsigned value needs (the kernel's get_reg_width). */
static int reg_width(const struct vreg *r)
{
	int w = 0;
	for (uint64_t v = r->umax; v; v >>= 1)
		w++;
	return w;
}

/* The references the path holds, after the stack slots as the kernel prints them. */
static void print_refs(struct bk_buf *b, const struct vstate *st)
{
	if (st->nrefs && st->refs[0]) {
		bk_buf_printf(b, " refs=%u", st->refs[0]);
		for (int i = 1; i < st->nrefs; i++)
			if (st->refs[i])
				bk_buf_printf(b, ",%u", st->refs[i]);
	}
}

/* The registers and stack slots an instruction read or wrote (the kernel's "scratched"
 * marks), after it ran: what level 2 prints beside the instruction. */
static void print_scratched(struct venv *e, const struct vstate *st, const struct bk_insn *in, int frame_before)
{
	if (!e->log || e->log->len >= e->log_limit)
		return;
	int cls = BK_CLASS(in->code), op = BK_OP(in->code);
	uint16_t regs = 0;
	int slot = -1;
	switch (cls) {
	case BK_CLASS_ALU: case BK_CLASS_ALU64:
		regs = (uint16_t)(1u << in->dst);
		if (BK_SRCBIT(in->code) && op != BK_ALU_END && op != BK_ALU_NEG)
			regs |= (uint16_t)(1u << in->src);
		break;
	case BK_CLASS_LDX:
		regs = (uint16_t)(1u << in->dst | 1u << in->src);
		slot = e->access_slot;
		break;
	case BK_CLASS_ST: case BK_CLASS_STX:
		regs = (uint16_t)(1u << in->dst);
		if (cls == BK_CLASS_STX)
			regs |= (uint16_t)(1u << in->src);
		slot = e->access_slot;
		break;
	case BK_CLASS_LD:
		regs = (uint16_t)(1u << in->dst);
		break;
	case BK_CLASS_JMP: case BK_CLASS_JMP32:
		if (op == BK_JCALL)
			regs = 1;
		else if (op != BK_JEXIT && op != BK_JA && in->code != (BK_CLASS_JMP | BK_JMAYGOTO)) {
			regs = (uint16_t)(1u << in->dst);
			if (BK_SRCBIT(in->code))
				regs |= (uint16_t)(1u << in->src);
		}
		break;
	}
	if (st->curframe != frame_before)
		return;
	const struct vframe *f = st->fr[st->curframe];
	struct bk_buf *b = e->log;
	bool any = false;
	e->print_frame = st->curframe;
	for (int i = 0; i <= 10; i++)
		any |= (regs & (1u << i)) && f->regs[i].type != T_NOT_INIT;
	uint64_t slots = (slot >= 0 && slot < MAX_STACK / 8 ? 1ULL << slot : 0) |
			 (cls == BK_CLASS_JMP && op == BK_JCALL ? e->call_slots : 0);
	if (slots)
		any = true;
	/* a helper call scratches R0-R5 even when none of them holds a value after it (a
	 * void helper): the kernel prints the line then, with only the references if any */
	if (cls == BK_CLASS_JMP && op == BK_JCALL && in->src != BK_PSEUDO_CALL)
		any = true;
	if (!any)
		return;
	if (b->len != e->insn_log_end) {
		/* something (mark_precise) was logged after the instruction: the kernel then
		 * prints the state on a line of its own, numbered by its insn_idx */
		int idx = (int)(in - e->insns);
		if ((cls != BK_CLASS_JMP && cls != BK_CLASS_JMP32) || op == BK_JCALL)
			idx += in->code == (BK_CLASS_LD | BK_MODE_IMM | BK_SIZE_DW) ? 2 : 1;
		bk_buf_printf(b, "%d:", idx);
		goto regs;
	}
	/* the kernel puts the state on the instruction's line, from column 38 or so */
	size_t ls = b->len;
	while (ls > 0 && b->data[ls - 1] != '\n')
		ls--;
	if (b->len && b->data[b->len - 1] == '\n') {
		size_t start = ls - 1;
		while (start > 0 && b->data[start - 1] != '\n')
			start--;
		size_t pos = b->len - start; /* the line with its newline */
		size_t al = (pos + 4 > 40 ? pos + 4 : 40);
		al = (al + 7) / 8 * 8 - pos - 1;
		b->len--;
		bk_buf_printf(b, "%*c;", (int)al, ' ');
	}
regs:
	if (st->curframe)
		bk_buf_printf(b, " frame%d:", st->curframe);
	for (int i = 0; i <= 10; i++)
		if ((regs & (1u << i)) && f->regs[i].type != T_NOT_INIT)
			print_reg(e, b, i, &f->regs[i]);
	/* slots from fp-8 down, as the kernel prints them */
	for (slot = MAX_STACK / 8 - 1; slot >= 0; slot--) {
		if (!(slots & (1ULL << slot)))
			continue;
		const uint8_t *sl = &f->slot[slot * 8];
		int off = -MAX_STACK + slot * 8;
		if (sl[0] == SLOT_SPILL) {
			bk_buf_printf(b, " fp%d=", off);
			for (int k = 7; k >= spill_bytes(sl); k--) /* the bytes above a narrow spill */
				bk_buf_printf(b, "%c", "?rm0"[sl[k]]);
			print_reg(e, b, -1, &SPILL(f, slot));
		} else {
			char m[9];
			for (int k = 0; k < 8; k++)
				m[7 - k] = "?rm0"[sl[k]];
			m[8] = 0;
			bk_buf_printf(b, " fp%d=%s", off, m);
		}
	}
	print_refs(b, st);
	if (f->is_callback)
		bk_buf_printf(b, " cb");
	bk_buf_printf(b, "\n");
}

static void print_state(struct venv *e, const struct vstate *st)
{
	if (!e->log || e->log->len >= e->log_limit)
		return;
	const struct vframe *f = st->fr[st->curframe];
	e->print_frame = st->curframe;
	if (st->curframe)
		bk_buf_printf(e->log, " frame%d:", st->curframe);
	for (int i = 0; i <= 10; i++)
		if (f->regs[i].type != T_NOT_INIT)
			print_reg(e, e->log, i, &f->regs[i]);
	for (int s = MAX_STACK / 8 - 1; s >= 0; s--) { /* from fp-8 down, as the kernel */
		const uint8_t *sl = &f->slot[s * 8];
		int off = -MAX_STACK + s * 8;
		if (sl[0] == SLOT_SPILL) {
			bk_buf_printf(e->log, " fp%d=", off);
			for (int k = 7; k >= spill_bytes(sl); k--)
				bk_buf_printf(e->log, "%c", "?rm0"[sl[k]]);
			print_reg(e, e->log, -1, &SPILL(f, s));
		} else {
			bool any = false;
			for (int k = 0; k < 8; k++)
				any |= sl[k] != SLOT_INVALID;
			if (any) {
				char m[9];
				for (int k = 0; k < 8; k++)
					m[7 - k] = "?rm0"[sl[k]];
				m[8] = 0;
				bk_buf_printf(e->log, " fp%d=%s", off, m);
			}
		}
	}
	print_refs(e->log, st);
	if (f->is_callback)
		bk_buf_printf(e->log, " cb");
	bk_buf_printf(e->log, "\n");
}

/* ---- states ---- */

/* Frames are recycled through a free list: allocating and freeing 8 KiB blocks on
 * every branch made malloc grow and trim the heap all the time. */
static struct vframe *frame_get(struct venv *e)
{
	struct vframe *f = e->pool;
	if (f) {
		e->pool = f->pool_next;
		e->npool--;
		return f;
	}
	return malloc(sizeof(*f));
}

static void frame_put(struct venv *e, struct vframe *f)
{
	if (!f)
		return;
	free(f->spill_base);
	f->pool_next = e->pool;
	e->pool = f;
	e->npool++;
}

static struct vframe *frame_new(struct venv *e)
{
	struct vframe *f = frame_get(e);
	if (f) {
		memset(f, 0, sizeof(*f));
		f->spill_lo = MAX_STACK / 8;
	}
	return f;
}

/* Room in f's spill block down to slot s. */
static int spill_reserve(struct vframe *f, int s)
{
	if (s >= f->spill_lo)
		return 0;
	int n = MAX_STACK / 8 - s, old = MAX_STACK / 8 - f->spill_lo;
	struct vreg *p = malloc(sizeof(*p) * (size_t)n);
	if (!p)
		return -ENOMEM;
	if (old)
		memcpy(p + (n - old), f->spill_base, sizeof(*p) * (size_t)old);
	free(f->spill_base);
	f->spill_base = p;
	f->spill_lo = s;
	return 0;
}

/* The spill block of the copy starts at the lowest slot that holds a spill now. */
static int frame_copy(struct vframe *d, const struct vframe *s)
{
	memcpy(d, s, sizeof(*d));
	int lo = 0;
	while (lo < MAX_STACK / 8 && s->slot[lo * 8] != SLOT_SPILL)
		lo++;
	d->spill_lo = MAX_STACK / 8;
	d->spill_base = NULL;
	if (lo < MAX_STACK / 8) {
		if (spill_reserve(d, lo))
			return -ENOMEM;
		memcpy(d->spill_base, &SPILL(s, lo), sizeof(struct vreg) * (size_t)(MAX_STACK / 8 - lo));
	}
	return 0;
}

static int state_copy(struct venv *e, struct vstate *dst, const struct vstate *src)
{
	*dst = *src;
	for (int i = 0; i <= src->curframe; i++) {
		dst->fr[i] = frame_get(e);
		if (dst->fr[i] && frame_copy(dst->fr[i], src->fr[i])) {
			frame_put(e, dst->fr[i]);
			dst->fr[i] = NULL;
		}
		if (!dst->fr[i]) {
			for (int j = 0; j < i; j++)
				frame_put(e, dst->fr[j]);
			return -ENOMEM;
		}
	}
	for (int i = src->curframe + 1; i < MAX_FRAMES; i++)
		dst->fr[i] = NULL;
	return 0;
}

static void state_free(struct venv *e, struct vstate *st)
{
	for (int i = 0; i < MAX_FRAMES; i++) {
		frame_put(e, st->fr[i]);
		st->fr[i] = NULL;
	}
}

static struct vreg *cur_regs(struct vstate *st)
{
	return st->fr[st->curframe]->regs;
}

/* ---- structural checks (kernel: resolve_pseudo_ldimm64, check_subprogs, check_cfg) ---- */

/* Targets are computed in 64 bits: a hostile imm must not overflow; anything outside
 * the int range becomes -1 (out of range). */
static int clip_target(int64_t t)
{
	return t < 0 || t > INT32_MAX ? -1 : (int)t;
}

static int insn_target(const struct bk_insn *in, int i)
{
	if (in->code == (BK_CLASS_JMP32 | 0x00))
		return clip_target((int64_t)i + in->imm + 1);
	return i + in->off + 1;
}

static bool is_jmp(const struct bk_insn *in)
{
	int c = BK_CLASS(in->code);
	if (c != BK_CLASS_JMP && c != BK_CLASS_JMP32)
		return false;
	int op = BK_OP(in->code);
	return op != BK_JCALL && op != BK_JEXIT;
}

static bool is_pseudo_call(const struct bk_insn *in)
{
	return in->code == (BK_CLASS_JMP | BK_JCALL) && in->src == BK_PSEUDO_CALL;
}

static bool is_ldimm64(const struct bk_insn *in)
{
	return in->code == (BK_CLASS_LD | BK_SIZE_DW | BK_MODE_IMM);
}

static int add_subprog(struct venv *e, int start)
{
	for (int i = 0; i < e->nsub; i++)
		if (e->sub_start[i] == start)
			return 0;
	if (e->nsub >= MAX_SUBPROGS)
		return verr(e, -E2BIG, "too many subprograms");
	int i = e->nsub++;
	while (i > 0 && e->sub_start[i - 1] > start) {
		e->sub_start[i] = e->sub_start[i - 1];
		i--;
	}
	e->sub_start[i] = start;
	return 0;
}

static bool calls_callback(int32_t id)
{
	const struct vhelper *h = bk_v_helper(id);
	if (!h)
		return false;
	for (int a = 0; a < 5; a++)
		if (h->args[a] == A_FUNC)
			return true;
	return false;
}

static int check_structure(struct venv *e)
{
	const struct bk_insn *in = e->insns;
	int n = e->n;
	/* which slots are second halves of ld_imm64 (checked for validity below) */
	for (int i = 0; i < n; i++)
		if (is_ldimm64(&in[i]) && i + 1 < n) {
			e->is_second[i + 1] = 1;
			i++;
		}
	/* subprograms */
	e->nsub = 0;
	add_subprog(e, 0);
	for (int i = 0; i < n; i++) {
		if (is_pseudo_call(&in[i]) || (is_ldimm64(&in[i]) && in[i].src == BK_PSEUDO_FUNC)) {
			int t = clip_target((int64_t)i + in[i].imm + 1);
			if (t < 0 || t >= n) {
				e->err_insn = i;
				if (is_pseudo_call(&in[i]))
					return verr(e, -EINVAL, "call to invalid destination");
				return verr(e, -EINVAL, "function out of range from insn %d to %d", i, t);
			}
			if (!e->priv) {
				e->err_insn = i;
				return verr(e, -EPERM, "function calls to other bpf functions are allowed for CAP_BPF");
			}
			if (add_subprog(e, t))
				return e->code;
			if (is_ldimm64(&in[i]))
				e->pending_cb[e->npending_cb < 64 ? e->npending_cb++ : 63] = t;
		}
		if (is_ldimm64(&in[i]))
			i++;
	}
	e->sub_start[e->nsub] = n;
	for (int k = 0; k < e->npending_cb; k++)
		for (int s = 0; s < e->nsub; s++)
			if (e->sub_start[s] == e->pending_cb[k])
				e->sub_is_cb[s] = true;
	if (!e->btf_func_info)
		for (int i = 0; i < n; i++)
			if (is_ldimm64(&in[i]) && in[i].src == BK_PSEUDO_FUNC && !e->is_second[i]) {
				e->err_insn = i;
				return verr(e, -EINVAL, "missing btf func_info");
			}
	for (int s = 0; s < e->nsub; s++) {
		int lo = e->sub_start[s], hi = e->sub_start[s + 1];
		for (int i = lo; i < hi; i++) {
			e->subprog_of[i] = s;
			if (!is_jmp(&in[i]))
				continue;
			int t = insn_target(&in[i], i);
			if (t < lo || t >= hi) {
				e->err_insn = i;
				return verr(e, -EINVAL, "jump out of range from insn %d to %d", i, t);
			}
			if (e->is_second[t]) {
				e->err_insn = i;
				return verr(e, -EINVAL, "jump into the middle of ldimm64 insn %d", t - 1);
			}
		}
		const struct bk_insn *last = &in[hi - 1];
		int lc = BK_CLASS(last->code);
		if (e->is_second[hi - 1] ||
		    !((lc == BK_CLASS_JMP || lc == BK_CLASS_JMP32) &&
		      (BK_OP(last->code) == BK_JEXIT || BK_OP(last->code) == BK_JA))) {
			e->err_insn = hi - 1;
			return verr(e, -EINVAL, "last insn is not an exit or jmp");
		}
	}
	/* ld_imm64 pairs and pseudo sources */
	for (int i = 0; i < n; i++) {
		if (!is_ldimm64(&in[i]))
			continue;
		if (i == n - 1 || in[i + 1].code || in[i + 1].dst || in[i + 1].src || in[i + 1].off) {
			e->err_insn = i;
			return verr(e, -EINVAL, "invalid bpf_ld_imm64 insn");
		}
		if (in[i].src == 0 || in[i].src == BK_PSEUDO_FUNC) {
			/* fine */
		} else if (in[i].src == BK_PSEUDO_MAP_FD || in[i].src == BK_PSEUDO_MAP_VALUE ||
			   in[i].src == BK_PSEUDO_MAP_IDX || in[i].src == BK_PSEUDO_MAP_IDX_VALUE) {
			if (in[i].imm < 0 || in[i].imm >= e->nmaps) {
				e->err_insn = i;
				return verr(e, -EBADF, "fd %d is not pointing to valid bpf_map", in[i].imm);
			}
			if ((in[i].src == BK_PSEUDO_MAP_VALUE || in[i].src == BK_PSEUDO_MAP_IDX_VALUE) &&
			    ((uint32_t)in[i + 1].imm >= e->maps[in[i].imm].value_size ||
			     e->maps[in[i].imm].type != 2 || e->maps[in[i].imm].max_entries != 1)) {
				e->err_insn = i;
				return verr(e, -EINVAL, "invalid access to map value pointer, value_size=%u off=%u",
					    e->maps[in[i].imm].value_size, (uint32_t)in[i + 1].imm);
			}
		} else {
			e->err_insn = i;
			return verr(e, -EINVAL, "unrecognized bpf_ld_imm64 insn");
		}
		i++;
	}
	/* reachability: DFS over the CFG (kernel check_cfg) */
	uint8_t *st = calloc((size_t)n, 1);
	int *stk = malloc(sizeof(int) * (size_t)n * 2 + 16);
	if (!st || !stk) {
		free(st);
		free(stk);
		return verr(e, -ENOMEM, "out of memory");
	}
	int rc = 0;
	for (int s = 0; s < e->nsub && !rc; s++) {
		int sp = 0;
		if (st[e->sub_start[s]])
			continue;
		stk[sp++] = e->sub_start[s];
		st[e->sub_start[s]] = 1;
		while (sp && !rc) {
			int t = stk[sp - 1];
			const struct bk_insn *x = &in[t];
			int succ[2], ns = 0;
			int cls = BK_CLASS(x->code);
			if ((cls == BK_CLASS_JMP || cls == BK_CLASS_JMP32) && BK_OP(x->code) == BK_JEXIT) {
				ns = 0;
			} else if (is_jmp(x)) {
				int tgt = insn_target(x, t);
				if (BK_OP(x->code) == BK_JA && x->code != (BK_CLASS_JMP | BK_JMAYGOTO)) {
					succ[ns++] = tgt;
				} else {
					succ[ns++] = t + 1;
					succ[ns++] = tgt;
				}
				e->prune[tgt] = 1;
				if (BK_OP(x->code) != BK_JA)
					e->prune[t] = 1;
			} else {
				succ[ns++] = t + (is_ldimm64(x) ? 2 : 1);
				/* the kernel's visit_func_call_insn: the instruction after any call
				 * is a prune point */
				if (x->code == (BK_CLASS_JMP | BK_JCALL) && t + 1 < e->n && !e->prune[t + 1])
					e->prune[t + 1] = 1;
				if (is_pseudo_call(x))
					e->prune[t] = 1;
				else if (x->code == (BK_CLASS_JMP | BK_JCALL) && x->src == 0 && calls_callback(x->imm))
					e->prune[t] = 3; /* callback iterations converge here */
			}
			int pushed = 0;
			for (int k = 0; k < ns; k++) {
				int w = succ[k];
				if (w < 0 || w >= n) {
					e->err_insn = t;
					rc = verr(e, -EINVAL, "jump out of range from insn %d to %d", t, w);
					break;
				}
				if (st[w] == 0) {
					st[w] = 1;
					stk[sp++] = w;
					pushed = 1;
					break;
				}
				if (st[w] == 1) {
					if (e->prune[w] != 3)
						e->prune[w] = 2; /* loop head */
					if (!e->priv) {
						e->err_insn = t;
						rc = verr(e, -EINVAL, "back-edge from insn %d to %d", t, w);
						break;
					}
				}
			}
			if (!pushed && !rc) {
				st[t] = 2;
				sp--;
			}
		}
	}
	for (int i = 0; i < n && !rc; i++) {
		if (!st[i] && !e->is_second[i]) {
			e->err_insn = i;
			rc = verr(e, -EINVAL, "unreachable insn %d", i);
		}
	}
	free(st);
	free(stk);
	return rc;
}

/* Static liveness of registers (backward dataflow): at a prune point only the
 * registers some later instruction may read decide whether two states differ. */
static void compute_liveness(struct venv *e)
{
	const struct bk_insn *in = e->insns;
	int n = e->n;
	uint16_t *use = calloc((size_t)n, 2), *def = calloc((size_t)n, 2);
	if (!use || !def) {
		for (int i = 0; i < n; i++)
			e->live[i] = 0x7ff;
		free(use);
		free(def);
		return;
	}
	for (int i = 0; i < n; i++) {
		const struct bk_insn *x = &in[i];
		int cls = BK_CLASS(x->code), op = BK_OP(x->code);
		uint16_t u = 0, d = 0;
		if (e->is_second[i]) {
			use[i] = 0;
			def[i] = 0;
			continue;
		}
		switch (cls) {
		case BK_CLASS_ALU: case BK_CLASS_ALU64:
			if (op == BK_ALU_MOV) {
				if (BK_SRCBIT(x->code)) u |= 1u << x->src;
			} else {
				u |= 1u << x->dst;
				if (BK_SRCBIT(x->code)) u |= 1u << x->src;
			}
			d |= 1u << x->dst;
			break;
		case BK_CLASS_LDX:
			u |= 1u << x->src;
			d |= 1u << x->dst;
			break;
		case BK_CLASS_ST:
			u |= 1u << x->dst;
			break;
		case BK_CLASS_STX:
			u |= 1u << x->dst | 1u << x->src;
			if (BK_MODE(x->code) == BK_MODE_ATOMIC) {
				u |= 1u; /* cmpxchg reads r0 */
				if (x->imm & BK_ATOMIC_FETCH)
					d |= 1u << x->src;
				if (x->imm == BK_ATOMIC_CMPXCHG)
					d |= 1u;
			}
			break;
		case BK_CLASS_LD:
			if (is_ldimm64(x))
				d |= 1u << x->dst;
			else {
				u |= 1u << 6 | 1u << x->src | 0x3e;
				d |= 0x3f;
			}
			break;
		case BK_CLASS_JMP: case BK_CLASS_JMP32:
			if (op == BK_JCALL) {
				u |= 0x3e;
				d |= 0x3f;
			} else if (op == BK_JEXIT) {
				u |= 1u;
				if (e->subprog_of[i] == 0)
					u |= 0; /* main exit: r0 only */
			} else if (op != BK_JA) {
				u |= 1u << x->dst;
				if (BK_SRCBIT(x->code)) u |= 1u << x->src;
			}
			break;
		}
		use[i] = u;
		def[i] = d;
	}
	for (int i = 0; i < n; i++)
		e->live[i] = 0;
	bool changed = true;
	for (int iter = 0; changed && iter < 1000; iter++) {
		changed = false;
		for (int i = n - 1; i >= 0; i--) {
			if (e->is_second[i])
				continue;
			const struct bk_insn *x = &in[i];
			int cls = BK_CLASS(x->code), op = BK_OP(x->code);
			uint16_t out = 0;
			if ((cls == BK_CLASS_JMP || cls == BK_CLASS_JMP32) && op == BK_JEXIT) {
				out = 0;
			} else if (is_jmp(x)) {
				int t = insn_target(x, i);
				if (t >= 0 && t < n) out |= e->live[t];
				if (op != BK_JA || x->code == (BK_CLASS_JMP | BK_JMAYGOTO))
					if (i + 1 < n) out |= e->live[i + 1];
			} else {
				int nx = i + (is_ldimm64(x) ? 2 : 1);
				if (nx < n) out |= e->live[nx];
				if (is_pseudo_call(x))
					out |= 0x3c0; /* callee-saved stay live across the call */
			}
			uint16_t lin = (uint16_t)(use[i] | (out & ~def[i])) | (1u << 10);
			if (lin != e->live[i]) {
				e->live[i] = lin;
				changed = true;
			}
		}
	}
	free(use);
	free(def);
}

/* ---- state comparison ---- */

struct idmap {
	uint32_t old[64], cur[64];
	int n;
};

static bool check_ids(struct idmap *m, uint32_t o, uint32_t c)
{
	if (!o && !c)
		return true;
	if (!o || !c)
		return false;
	for (int i = 0; i < m->n; i++) {
		if (m->old[i] == o)
			return m->cur[i] == c;
		if (m->cur[i] == c)
			return false;
	}
	if (m->n >= 64)
		return false;
	m->old[m->n] = o;
	m->cur[m->n] = c;
	m->n++;
	return true;
}

static bool range_within(const struct vreg *o, const struct vreg *c)
{
	return o->umin <= c->umin && o->umax >= c->umax && o->smin <= c->smin &&
	       o->smax >= c->smax && o->u32min <= c->u32min && o->u32max >= c->u32max &&
	       o->s32min <= c->s32min && o->s32max >= c->s32max;
}

/* ign: imprecise scalars match any scalar (the kernel's NOT_EXACT comparison). */
static bool regsafe(const struct vreg *o, const struct vreg *c, struct idmap *m, bool exact, bool ign)
{
	if (exact) {
		if (o->type != c->type || o->maybe_null != c->maybe_null || o->off != c->off ||
		    o->var.value != c->var.value || o->var.mask != c->var.mask || o->umin != c->umin ||
		    o->umax != c->umax || o->smin != c->smin || o->smax != c->smax ||
		    o->u32min != c->u32min || o->u32max != c->u32max || o->s32min != c->s32min ||
		    o->s32max != c->s32max || o->range != c->range || o->map != c->map ||
		    o->frameno != c->frameno)
			return false;
		if (o->type == T_NOT_INIT)
			return true;
		return check_ids(m, o->id, c->id) && check_ids(m, o->ref_obj_id, c->ref_obj_id);
	}
	if (o->type == T_NOT_INIT)
		return true;
	if (c->type == T_NOT_INIT || o->type != c->type || o->maybe_null != c->maybe_null)
		return false;
	switch (o->type) {
	case T_SCALAR:
		if (ign && !o->precise)
			return true;
		if ((o->id ^ c->id) & ID_ADD_CONST || ((o->id & ID_ADD_CONST) && o->off != c->off))
			return false;
		if (o->id && !check_ids(m, o->id, c->id))
			return false;
		return range_within(o, c) && tnum_in(o->var, c->var);
	case T_PKT: case T_PKT_META:
		if (o->range > c->range || o->off != c->off)
			return false;
		if (!check_ids(m, o->id, c->id))
			return false;
		return range_within(o, c) && tnum_in(o->var, c->var);
	case T_STACK:
		return o->off == c->off && o->frameno == c->frameno && range_within(o, c) &&
		       tnum_in(o->var, c->var);
	case T_MAP_VALUE: case T_MEM: case T_RINGBUF_MEM: case T_MAP_KEY:
		if (o->map != c->map || o->off != c->off || o->range != c->range)
			return false;
		if (o->maybe_null && !check_ids(m, o->id, c->id))
			return false;
		if ((o->ref_obj_id || c->ref_obj_id) && !check_ids(m, o->ref_obj_id, c->ref_obj_id))
			return false;
		return range_within(o, c) && tnum_in(o->var, c->var);
	case T_CTX: case T_PKT_END:
		return o->off == c->off && range_within(o, c) && tnum_in(o->var, c->var);
	case T_MAP_PTR:
		return o->map == c->map;
	case T_SOCK_COMMON:
		return o->off == c->off && (!o->maybe_null || check_ids(m, o->id, c->id));
	case T_FUNC:
		return o->subprog == c->subprog;
	}
	return false;
}

static bool slot_all_misc(const uint8_t *sl)
{
	for (int k = 0; k < 8; k++)
		if (sl[k] != SLOT_MISC && sl[k] != SLOT_ZERO)
			return false;
	return true;
}

static bool stacksafe(const struct vframe *o, const struct vframe *c, struct idmap *m, bool exact, bool ign)
{
	for (int i = 0; i < MAX_STACK; i++) {
		uint8_t os = o->slot[i], cs = c->slot[i];
		if (ign && (i % 8) == 0 && os == SLOT_SPILL && spill_bytes(&o->slot[i]) == 8 &&
		    SPILL(o, i / 8).type == T_SCALAR && !SPILL(o, i / 8).precise &&
		    ((cs == SLOT_SPILL && spill_bytes(&c->slot[i]) == 8 && SPILL(c, i / 8).type == T_SCALAR) ||
		     slot_all_misc(&c->slot[i]))) {
			i += 7;
			continue;
		}
		if (exact) {
			if (os != cs)
				return false;
			if (os == SLOT_SPILL && (i % 8) == 0 &&
			    !regsafe(&SPILL(o, i / 8), &SPILL(c, i / 8), m, true, false))
				return false;
			continue;
		}
		if (os == SLOT_INVALID)
			continue;
		if (os == SLOT_MISC) {
			if (cs == SLOT_INVALID)
				return false;
			if (cs == SLOT_SPILL && SPILL(c, i / 8).type != T_SCALAR)
				return false;
			continue;
		}
		if (os == SLOT_ZERO) {
			if (cs == SLOT_ZERO)
				continue;
			if (cs == SLOT_SPILL && tnum_equals_const(SPILL(c, i / 8).var, 0) &&
			    SPILL(c, i / 8).type == T_SCALAR)
				continue;
			return false;
		}
		/* spill */
		if (cs != SLOT_SPILL)
			return false;
		if ((i % 8) == 0 && !regsafe(&SPILL(o, i / 8), &SPILL(c, i / 8), m, false, ign))
			return false;
	}
	return true;
}

/* mode: 0 imprecise scalars ignored, 1 every scalar's range compared, 2 exact. */
static bool states_equal(struct venv *e, const struct vstate *o, const struct vstate *c, int mode)
{
	bool exact = mode == 2, ign = mode == 0 && e->priv;
	if (o->curframe != c->curframe || o->nrefs != c->nrefs)
		return false;
	struct idmap m;
	m.n = 0;
	for (int f = 0; f <= o->curframe; f++) {
		const struct vframe *of = o->fr[f], *cf = c->fr[f];
		if (of->callsite != cf->callsite || of->is_callback != cf->is_callback)
			return false;
		uint16_t live = f == o->curframe ? e->live[c->insn] : 0x7ff;
		for (int r = 0; r <= 10; r++) {
			if (!(live & (1u << r)))
				continue;
			if (!regsafe(&of->regs[r], &cf->regs[r], &m, exact, ign))
				return false;
		}
		if (!stacksafe(of, cf, &m, exact, ign))
			return false;
	}
	for (int i = 0; i < o->nrefs; i++)
		if (!check_ids(&m, o->refs[i], c->refs[i]))
			return false;
	return true;
}

/* A path ended (exit or pruned): checkpoints that have no live descendants left
 * become usable for pruning. */
static void scc_exit(struct venv *e, int k);

static void path_done(struct venv *e, int parent)
{
	while (parent >= 0) {
		struct ckpt *k = &e->ck[parent];
		if (--k->branches > 0)
			break;
		scc_exit(e, parent);
		parent = k->parent;
	}
}

/* ---- precision (kernel: mark_chain_precision, backtrack_insn) ----
 * Scalars start imprecise: pruning ignores their values. When a scalar's value decides
 * safety (pointer arithmetic, a helper's size argument, a branch decided by its range,
 * a callback's return value), the registers and spilled slots it came from are found by
 * walking the path history backwards, and marked precise in every checkpoint on the
 * way. Precision lives only in checkpoints: a checkpoint marked precise has all its
 * ancestors marked too, so a walk may stop at the first one already precise. */

struct bt {
	uint16_t reg[MAX_FRAMES];
	uint64_t stk[MAX_FRAMES];
	int frame;
};

static bool bt_empty(const struct bt *b)
{
	for (int f = 0; f <= b->frame; f++)
		if (b->reg[f] || b->stk[f])
			return false;
	return true;
}

static int hist_push(struct venv *e, struct vstate *st, int insn)
{
	if (e->nhist == e->caphist) {
		int nc = e->caphist ? e->caphist * 2 : 1024;
		struct hent *p = realloc(e->hist, sizeof(*p) * (size_t)nc);
		if (!p)
			return verr(e, -ENOMEM, "out of memory");
		e->hist = p;
		e->caphist = nc;
	}
	struct hent *h = &e->hist[e->nhist];
	h->insn = insn;
	h->prev = st->hist;
	h->ck = e->pending_ck;
	h->frame = (int8_t)st->curframe;
	h->sframe = -1;
	h->spi = 0;
	h->nlink = 0;
	h->done = 0;
	h->all_done = 0;
	h->link_off = 0;
	e->pending_ck = -1;
	st->hist = e->nhist++;
	return 0;
}

static void hist_stack(struct venv *e, struct vstate *st, int frameno, int idx)
{
	if (st->hist < 0 || idx < 0 || idx >= MAX_STACK)
		return;
	e->hist[st->hist].sframe = (int8_t)frameno;
	e->hist[st->hist].spi = (uint8_t)(idx / 8);
}

struct link_rec { struct venv *e; uint32_t id1, id2; int frame; bool oom; int n; };

/* Records, for a conditional jump, the scalars sharing an id with its operands (they
 * are refined together, so they need precision together). Code: frame << 8 | stack
 * flag 0x80 | register or slot index. */
static void hist_links(struct venv *e, struct vstate *st, uint32_t id1, uint32_t id2)
{
	if (st->hist < 0 || (!id1 && !id2))
		return;
	int start = e->nlinks;
	for (int f = 0; f <= st->curframe; f++) {
		const struct vframe *fr = st->fr[f];
		for (int k = 0; k < 11 + MAX_STACK / 8; k++) {
			const struct vreg *r;
			if (k < 11) {
				r = &fr->regs[k];
			} else {
				if (fr->slot[(k - 11) * 8] != SLOT_SPILL)
					continue;
				r = &SPILL(fr, k - 11);
			}
			if (r->type != T_SCALAR || !r->id || (r->id != id1 && r->id != id2))
				continue;
			if (e->nlinks == e->caplinks) {
				int nc = e->caplinks ? e->caplinks * 2 : 256;
				uint16_t *p = nc <= (1 << 22) ? realloc(e->links, sizeof(*p) * (size_t)nc) : NULL;
				if (!p) {
					/* out of room: a walk that reaches this jump marks everything */
					e->nlinks = start;
					e->hist[st->hist].nlink = 0xff;
					return;
				}
				e->links = p;
				e->caplinks = nc;
			}
			e->links[e->nlinks++] = (uint16_t)(f << 8 | (k < 11 ? k : 0x80 | (k - 11)));
			if (e->nlinks - start >= 254)
				goto done;
		}
	}
done:
	e->hist[st->hist].link_off = (uint32_t)start;
	e->hist[st->hist].nlink = (uint8_t)(e->nlinks - start);
}

static void mark_all_precise_state(struct venv *e, struct vstate *st)
{
	for (int f = 0; f <= st->curframe; f++) {
		struct vframe *fr = st->fr[f];
		for (int r = 0; r <= 10; r++)
			if (fr->regs[r].type == T_SCALAR && !fr->regs[r].precise) {
				fr->regs[r].precise = 1;
				e->prec_marks++;
			}
		for (int s = 0; s < MAX_STACK / 8; s++)
			if (fr->slot[s * 8] == SLOT_SPILL && SPILL(fr, s).type == T_SCALAR && !SPILL(fr, s).precise) {
				SPILL(fr, s).precise = 1;
				e->prec_marks++;
			}
	}
}

/* The walk could not follow a value (kernel: mark_all_scalars_precise). */
static void mark_all_precise(struct venv *e, int h)
{
	for (; h >= 0 && !e->hist[h].all_done; h = e->hist[h].prev) {
		e->hist[h].all_done = 1;
		if (e->hist[h].ck >= 0)
			mark_all_precise_state(e, &e->ck[e->hist[h].ck].st);
	}
}

/* Marks the wanted scalars precise in checkpoint state st; drops from the masks what
 * is not a scalar there or was precise already. */
static void bt_apply(struct venv *e, struct bt *b, struct vstate *st)
{
	for (int f = 0; f <= b->frame; f++) {
		struct vframe *fr = st->fr[f];
		for (int r = 0; r <= 10; r++) {
			if (!(b->reg[f] & (1u << r)))
				continue;
			struct vreg *x = &fr->regs[r];
			if (x->type != T_SCALAR || x->precise) {
				b->reg[f] &= (uint16_t)~(1u << r);
			} else {
				x->precise = 1;
				e->prec_marks++;
			}
		}
		for (int s = 0; s < MAX_STACK / 8; s++) {
			if (!(b->stk[f] & (1ull << s)))
				continue;
			if (fr->slot[s * 8] != SLOT_SPILL || SPILL(fr, s).type != T_SCALAR || SPILL(fr, s).precise) {
				b->stk[f] &= ~(1ull << s);
			} else {
				SPILL(fr, s).precise = 1;
				e->prec_marks++;
			}
		}
	}
}

static void bt_set_code(struct bt *b, uint16_t c)
{
	int f = c >> 8;
	if (c & 0x80)
		b->stk[f] |= 1ull << (c & 0x3f);
	else
		b->reg[f] |= (uint16_t)(1u << (c & 0xf));
}

static bool bt_has_code(const struct bt *b, uint16_t c)
{
	int f = c >> 8;
	if (c & 0x80)
		return b->stk[f] & (1ull << (c & 0x3f));
	return b->reg[f] & (1u << (c & 0xf));
}

/* From the output of the instruction of entry h (followed by nxt_insn in frame
 * nxt_frame) to its input. 1 = cannot follow: mark everything. */
static int bt_insn(struct venv *e, struct bt *b, const struct hent *h, int nxt_insn, int nxt_frame)
{
	const struct bk_insn *x = &e->insns[h->insn];
	int cls = BK_CLASS(x->code), op = BK_OP(x->code);
	if (nxt_frame == h->frame + 1) {
		/* a call entering its callee (or bpf_loop its callback) */
		int c = h->frame;
		if (b->frame != c + 1)
			return 1;
		if (is_pseudo_call(x))
			b->reg[c] |= b->reg[c + 1] & 0x3e;
		else if (b->reg[c + 1] & (1u << 2))
			b->reg[c] |= 1u << 3; /* the callback's r2 is bpf_loop's r3 */
		b->reg[c + 1] = 0;
		b->stk[c + 1] = 0;
		b->frame = c;
		return 0;
	}
	if (nxt_frame == h->frame - 1) {
		/* an exit back to the caller */
		int c = nxt_frame;
		if (b->frame != c || !(cls == BK_CLASS_JMP && op == BK_JEXIT))
			return 1;
		if (nxt_insn >= 0 && nxt_insn < e->n && !is_pseudo_call(&e->insns[nxt_insn]) &&
		    e->insns[nxt_insn].code == (BK_CLASS_JMP | BK_JCALL)) {
			/* a callback returning to its helper call: the caller's registers are
			 * untouched, the callback's r0 is not passed on */
			b->reg[c + 1] = 0;
			b->stk[c + 1] = 0;
			b->frame = c + 1;
			return 0;
		}
		if (b->reg[c] & 0x3e)
			return 1;
		bool r0 = b->reg[c] & 1u;
		b->reg[c] &= (uint16_t)~1u;
		b->reg[c + 1] = 0;
		b->stk[c + 1] = 0;
		if (r0 && nxt_insn > 0 && is_pseudo_call(&e->insns[nxt_insn - 1]))
			b->reg[c + 1] = 1;
		b->frame = c + 1;
		return 0;
	}
	if (nxt_frame != h->frame || b->frame != h->frame)
		return 1;
	uint16_t *m = &b->reg[b->frame];
	uint16_t dbit = (uint16_t)(1u << x->dst), sbit = (uint16_t)(1u << x->src);
	switch (cls) {
	case BK_CLASS_ALU: case BK_CLASS_ALU64:
		if (!(*m & dbit))
			return 0;
		if (op == BK_ALU_END || op == BK_ALU_NEG)
			return 0;
		if (op == BK_ALU_MOV) {
			*m &= (uint16_t)~dbit;
			if (BK_SRCBIT(x->code) && x->src != 10)
				*m |= sbit;
		} else if (BK_SRCBIT(x->code)) {
			*m |= sbit;
		}
		return 0;
	case BK_CLASS_LDX:
		if (!(*m & dbit))
			return 0;
		*m &= (uint16_t)~dbit;
		if (h->sframe >= 0)
			b->stk[h->sframe] |= 1ull << h->spi;
		return 0;
	case BK_CLASS_ST: case BK_CLASS_STX:
		if (BK_MODE(x->code) == BK_MODE_ATOMIC) {
			if (((x->imm & BK_ATOMIC_FETCH) && (*m & sbit)) ||
			    (x->imm == BK_ATOMIC_CMPXCHG && (*m & 1u)) ||
			    (h->sframe >= 0 && (b->stk[h->sframe] & (1ull << h->spi))))
				return 1;
			return 0;
		}
		if (h->sframe >= 0 && (b->stk[h->sframe] & (1ull << h->spi))) {
			b->stk[h->sframe] &= ~(1ull << h->spi);
			if (cls == BK_CLASS_STX)
				*m |= sbit;
		}
		return 0;
	case BK_CLASS_LD:
		if (is_ldimm64(x)) {
			*m &= (uint16_t)~dbit;
			return 0;
		}
		if (*m & 0x3e)
			return 1;
		*m &= (uint16_t)~1u;
		return 0;
	case BK_CLASS_JMP: case BK_CLASS_JMP32:
		if (op == BK_JCALL) {
			if (x->src == BK_PSEUDO_CALL || (*m & 0x3e))
				return 1;
			*m &= (uint16_t)~1u;
			return 0;
		}
		if (op == BK_JEXIT)
			return 1;
		if (op == BK_JA || x->code == (BK_CLASS_JMP | BK_JMAYGOTO))
			return 0;
		if (h->nlink == 0xff)
			return 1;
		{
			bool any = false;
			for (int i = 0; i < h->nlink; i++)
				any |= bt_has_code(b, e->links[h->link_off + (uint32_t)i]);
			if (BK_SRCBIT(x->code) && (any || (*m & (dbit | sbit)))) {
				*m |= dbit | sbit;
				any = true;
			}
			if (any)
				for (int i = 0; i < h->nlink; i++)
					bt_set_code(b, e->links[h->link_off + (uint32_t)i]);
		}
		return 0;
	}
	return 1;
}

/* Walks from entry h (whose input state the masks describe) back to the start. */
/* ---- the kernel's level-2 trace of the backtracking ("mark_precise: ...") ---- */

static void bt_fmt(const struct bt *b, int f, char *regs, char *stk, size_t n)
{
	size_t l = 0;
	regs[0] = stk[0] = 0;
	for (int r = 0; r <= 10 && l < n; r++)
		if (b->reg[f] & (1u << r))
			l += (size_t)snprintf(regs + l, n - l, "%sr%d", l ? "," : "", r);
	l = 0;
	for (int s = MAX_STACK / 8 - 1; s >= 0 && l < n; s--)
		if (b->stk[f] & (1ull << s))
			l += (size_t)snprintf(stk + l, n - l, "%s%d", l ? "," : "", -(MAX_STACK / 8 - s) * 8);
}

/* The first insn of the state segment that path entry h belongs to: its checkpoint's. */
static int bt_first_idx(struct venv *e, int h)
{
	for (; h >= 0; h = e->hist[h].prev)
		if (e->hist[h].ck >= 0)
			return e->hist[h].insn;
	return e->sub_start[e->root_sub];
}

static void bt_log_header(struct venv *e, const struct bt *b, int last, int first, int subseq)
{
	logf_(e, "mark_precise: frame%d: last_idx %d first_idx %d subseq_idx %d \n", b->frame, last, first,
	      subseq);
}

static void bt_log_before(struct venv *e, const struct bt *b, int insn)
{
	char regs[128], stk[512], buf[160];
	bt_fmt(b, b->frame, regs, stk, sizeof regs);
	struct bk_print_opts po = { .sz = sizeof po, .syntax = BK_SYNTAX_KERNEL };
	bk_insn_format(&e->insns[insn], (size_t)(e->n - insn), &po, buf, sizeof buf);
	logf_(e, "mark_precise: frame%d: regs=%s stack=%s before %d: %s\n", b->frame, regs, stk, insn, buf);
}

static void bt_log_parent(struct venv *e, const struct bt *b, const struct vstate *ks)
{
	char regs[128], stk[512];
	bt_fmt(b, b->frame, regs, stk, sizeof regs);
	logf_(e, "mark_precise: frame%d: parent state regs=%s stack=%s: ", b->frame, regs, stk);
	print_state(e, ks);
}

static void bt_walk(struct venv *e, struct bt *b, int h)
{
	int start = h;
	bool trace = e->log_level >= 2 && e->log;
	if (trace)
		bt_log_header(e, b, e->hist[h].insn, bt_first_idx(e, h), -1);
	while (h >= 0) {
		struct hent *x = &e->hist[h];
		/* a walk from here with these registers (or more) was done: everything behind
		 * is marked already. Keeps loops from walking their whole history each turn
		 * (level 2 then prints a shorter trace than the kernel's: walking on as the
		 * kernel does made corpus/gotol's log 6x the kernel's) */
		bool simple = true;
		for (int f = 0; f <= b->frame; f++)
			if (b->stk[f] || (f != b->frame && b->reg[f]))
				simple = false;
		if (simple && x->frame == b->frame) {
			if (!(b->reg[b->frame] & (uint16_t)~x->done))
				return;
			x->done |= b->reg[b->frame];
		}
		if (x->ck >= 0) {
			struct vstate *ks = &e->ck[x->ck].st;
			if (ks->curframe != b->frame) {
				mark_all_precise(e, start);
				return;
			}
			bt_apply(e, b, ks);
			if (trace)
				bt_log_parent(e, b, ks);
			if (bt_empty(b))
				return;
			if (trace && x->prev >= 0)
				bt_log_header(e, b, e->hist[x->prev].insn, bt_first_idx(e, x->prev), x->insn);
		}
		int p = x->prev;
		if (p < 0)
			return;
		if (trace)
			bt_log_before(e, b, e->hist[p].insn);
		if (bt_insn(e, b, &e->hist[p], x->insn, x->frame)) {
			mark_all_precise(e, start);
			return;
		}
		if (bt_empty(b))
			return;
		h = p;
	}
}

/* Register regno (of the current frame) or stack slot (frame, spi) matters at the
 * instruction being processed. */
static void mark_precise(struct venv *e, struct vstate *st, int regno)
{
	if (!e->priv || st->hist < 0)
		return;
	struct vreg *r = &cur_regs(st)[regno];
	if (r->type != T_SCALAR)
		return;
	struct bt b;
	memset(&b, 0, sizeof b);
	b.frame = st->curframe;
	b.reg[b.frame] = (uint16_t)(1u << regno);
	bt_walk(e, &b, st->hist);
}

static void mark_precise_slot(struct venv *e, struct vstate *st, int frameno, int spi)
{
	if (!e->priv || st->hist < 0)
		return;
	struct bt b;
	memset(&b, 0, sizeof b);
	b.frame = st->curframe;
	b.stk[frameno] = 1ull << spi;
	bt_walk(e, &b, st->hist);
}

/* cur was found equivalent to checkpoint k at insn: what k needed precise, cur's path
 * needs too (kernel: propagate_precision). */
static void propagate_from(struct venv *e, int h, int curframe, const struct vstate *k, int insn, bool all)
{
	if (!e->priv || h < 0)
		return;
	struct bt b;
	memset(&b, 0, sizeof b);
	b.frame = curframe;
	for (int f = 0; f <= k->curframe; f++) {
		const struct vframe *fr = k->fr[f];
		for (int r = 0; r <= 10; r++)
			if (fr->regs[r].type == T_SCALAR && (all || fr->regs[r].precise))
				b.reg[f] |= (uint16_t)(1u << r);
		for (int s = 0; s < MAX_STACK / 8; s++)
			if (fr->slot[s * 8] == SLOT_SPILL && SPILL(fr, s).type == T_SCALAR && (all || SPILL(fr, s).precise))
				b.stk[f] |= 1ull << s;
	}
	if (bt_empty(&b))
		return;
	if (bt_insn(e, &b, &e->hist[h], insn, curframe)) {
		mark_all_precise(e, h);
		return;
	}
	if (!bt_empty(&b))
		bt_walk(e, &b, h);
}

static void propagate_precision(struct venv *e, struct vstate *cur, const struct vstate *k, int insn,
				bool all)
{
	propagate_from(e, cur->hist, cur->curframe, k, insn, all);
}

/* ---- loops as the kernel sees them (compute_scc, maybe_enter_scc/maybe_exit_scc) ----
 * A path pruned inside a loop against a state still being explored, or one whose loop
 * has such hits pending, cannot take that state's precision marks yet: they are final
 * only when the visit of the loop ends, and are propagated then, to a fixed point. */

static int insn_succ(const struct venv *e, int t, int succ[2])
{
	const struct bk_insn *x = &e->insns[t];
	int cls = BK_CLASS(x->code), ns = 0;
	if (e->is_second[t] || ((cls == BK_CLASS_JMP || cls == BK_CLASS_JMP32) && BK_OP(x->code) == BK_JEXIT))
		return 0;
	if (is_jmp(x)) {
		if (BK_OP(x->code) != BK_JA || x->code == (BK_CLASS_JMP | BK_JMAYGOTO))
			succ[ns++] = t + 1;
		succ[ns++] = insn_target(x, t);
	} else {
		succ[ns++] = t + (is_ldimm64(x) ? 2 : 1);
	}
	return ns;
}

/* Tarjan's algorithm, iterative, numbering the components that hold a cycle from 1 in
 * the order they complete, as the kernel does (its numbers appear in the log). */
static int compute_scc(struct venv *e)
{
	int n = e->n;
	int *pre = calloc((size_t)n, sizeof(int)), *low = malloc(sizeof(int) * (size_t)n);
	int *stk = malloc(sizeof(int) * (size_t)n), *dfs = malloc(sizeof(int) * (size_t)n);
	e->scc = calloc((size_t)n, sizeof(int));
	if (!pre || !low || !stk || !dfs || !e->scc) {
		free(pre); free(low); free(stk); free(dfs);
		return verr(e, -ENOMEM, "out of memory");
	}
	int next_pre = 1, next_scc = 1;
	for (int i = 0; i < n; i++) {
		if (pre[i])
			continue;
		int ssz = 0, dsz = 1;
		dfs[0] = i;
		while (dsz) {
			int w = dfs[dsz - 1], succ[2], ns = insn_succ(e, w, succ);
			if (!pre[w]) {
				low[w] = pre[w] = next_pre++;
				stk[ssz++] = w;
			}
			bool down = false;
			for (int j = 0; j < ns && !down; j++) {
				int v = succ[j];
				if (v < 0 || v >= n)
					continue;
				if (!pre[v]) {
					dfs[dsz++] = v;
					down = true;
				} else if (low[v] < low[w]) {
					low[w] = low[v];
				}
			}
			if (down)
				continue;
			if (low[w] < pre[w]) {
				dsz--;
				continue;
			}
			bool cyc = stk[ssz - 1] != w;
			for (int j = 0; j < ns; j++)
				cyc |= succ[j] == w;
			int t;
			do {
				t = stk[--ssz];
				low[t] = INT32_MAX;
				if (cyc)
					e->scc[t] = next_scc;
			} while (t != w);
			next_scc += cyc;
			dsz--;
		}
	}
	free(pre); free(low); free(stk); free(dfs);
	return 0;
}

/* The visit a state at insn belongs to: the loop of the outermost frame whose current
 * instruction is in one, with the call sites leading there. -1 when in no loop. */
static int scc_visit(struct venv *e, const struct vstate *st, int insn, bool alloc)
{
	int calls[MAX_FRAMES], nc = 0, scc = 0;
	if (!e->scc)
		return -1;
	for (int i = 0; i <= st->curframe && !scc; i++) {
		int idx = i == st->curframe ? insn : st->fr[i + 1]->callsite;
		if (idx >= 0 && idx < e->n && e->scc[idx])
			scc = e->scc[idx];
		else if (i < st->curframe)
			calls[nc++] = idx;
	}
	if (!scc)
		return -1;
	for (int v = 0; v < e->nvis; v++)
		if (e->vis[v].scc == scc && e->vis[v].ncalls == nc &&
		    !memcmp(e->vis[v].calls, calls, sizeof(int) * (size_t)nc))
			return v;
	if (!alloc)
		return -1;
	if (e->nvis == e->capvis) {
		int nc2 = e->capvis ? e->capvis * 2 : 16;
		struct svisit *p = realloc(e->vis, sizeof(*p) * (size_t)nc2);
		if (!p)
			return -1;
		e->vis = p;
		e->capvis = nc2;
	}
	struct svisit *v = &e->vis[e->nvis];
	memset(v, 0, sizeof(*v));
	v->scc = scc;
	v->ncalls = nc;
	memcpy(v->calls, calls, sizeof(int) * (size_t)nc);
	v->entry = -1;
	return e->nvis++;
}

static void log_scc(struct venv *e, const char *what, int v)
{
	if (e->log_level < 2)
		return;
	char buf[128];
	int len = 0;
	for (int i = 0; i < e->vis[v].ncalls && len < 100; i++)
		len += snprintf(buf + len, sizeof buf - (size_t)len, "%d,", e->vis[v].calls[i]);
	buf[len] = 0;
	logf_(e, "SCC %s (%s%d)\n", what, buf, e->vis[v].scc);
}

/* A new checkpoint k: the first one inside a loop starts a visit. */
static void scc_enter(struct venv *e, int k)
{
	int v = scc_visit(e, &e->ck[k].st, e->ck[k].insn, true);
	if (v >= 0 && e->vis[v].entry < 0) {
		e->vis[v].entry = k;
		log_scc(e, "enter", v);
	}
}

/* Precision marks of a checkpoint inside a loop whose visit has hits pending are not
 * final (kernel: incomplete_read_marks): compare every scalar's range then. */
static bool scc_incomplete(struct venv *e, int k)
{
	int v = scc_visit(e, &e->ck[k].st, e->ck[k].insn, false);
	return v >= 0 && e->vis[v].nbe > 0;
}

static void scc_backedge(struct venv *e, const struct vstate *cur, int k, int insn)
{
	propagate_precision(e, (struct vstate *)cur, &e->ck[k].st, insn, false);
	int v = scc_visit(e, &e->ck[k].st, e->ck[k].insn, false);
	if (v < 0 || e->vis[v].entry < 0 || !e->priv)
		return;
	if (e->nbe == e->capbe) {
		int nc = e->capbe ? e->capbe * 2 : 64;
		struct sbackedge *p = realloc(e->be, sizeof(*p) * (size_t)nc);
		if (!p) {
			/* cannot wait for the final marks: take them all now */
			propagate_precision(e, (struct vstate *)cur, &e->ck[k].st, insn, true);
			return;
		}
		e->be = p;
		e->capbe = nc;
	}
	e->be[e->nbe++] = (struct sbackedge){ v, cur->hist, cur->curframe, k, insn };
	e->vis[v].nbe++;
	log_scc(e, "backedge", v);
}

/* Checkpoint k has no path left: if it started a visit, the visit ends and the marks
 * its loop hits wait for are propagated until nothing changes (kernel: 64 rounds, then
 * everything precise). */
static void scc_exit(struct venv *e, int k)
{
	int v = scc_visit(e, &e->ck[k].st, e->ck[k].insn, false);
	if (v < 0 || e->vis[v].entry != k)
		return;
	log_scc(e, "exit", v);
	e->vis[v].entry = -1;
	if (!e->vis[v].nbe)
		return;
	for (int round = 0;; round++) {
		uint32_t before = e->prec_marks;
		for (int i = 0; i < e->nbe; i++) {
			struct sbackedge *b = &e->be[i];
			if (b->visit != v)
				continue;
			if (round >= 64)
				mark_all_precise(e, b->hist);
			else
				propagate_from(e, b->hist, b->curframe, &e->ck[b->ck].st, b->insn, false);
		}
		if (round >= 64 || e->prec_marks == before)
			break;
	}
	int j = 0;
	for (int i = 0; i < e->nbe; i++)
		if (e->be[i].visit != v)
			e->be[j++] = e->be[i];
	e->nbe = j;
	e->vis[v].nbe = 0;
}

/* 1 = pruned, 0 = continue, <0 = error. */
static int is_state_visited(struct venv *e, struct vstate *cur, int insn)
{
	int cnt = 0;
	bool cbsite = e->prune[insn] == 3;
	bool may_goto = e->insns[insn].code == (BK_CLASS_JMP | BK_JMAYGOTO);
	for (int i = e->head[insn]; i >= 0; i = e->ck[i].next) {
		struct ckpt *k = &e->ck[i];
		cnt++;
		if (k->branches > 0) {
			/* a state still being explored: every scalar's range must be within it,
			 * as its precision marks are not complete yet (kernel: RANGE_WITHIN) */
			if (may_goto && k->st.may_goto_depth != cur->may_goto_depth && states_equal(e, &k->st, cur, 1)) {
				scc_backedge(e, cur, i, insn);
				return 1;
			}
			if (cbsite && states_equal(e, &k->st, cur, 1)) {
				propagate_precision(e, cur, &k->st, insn, true);
				return 1;
			}
			if (cbsite)
				continue; /* another callback iteration is not an infinite loop */
			if (k->st.cb_depth == cur->cb_depth && k->st.may_goto_depth == cur->may_goto_depth &&
			    states_equal(e, &k->st, cur, 2)) {
				e->err_insn = insn;
				return verr(e, -EINVAL, "infinite loop detected at insn %d", insn);
			}
			continue;
		}
		bool loop = e->nbe && scc_incomplete(e, i);
		if (states_equal(e, &k->st, cur, loop ? 1 : 0)) {
			if (loop)
				scc_backedge(e, cur, i, insn);
			else
				propagate_precision(e, cur, &k->st, insn, false);
			return 1;
		}
	}
	/* the kernel's heuristic: a new checkpoint after at least 2 jumps and 8 insns, or
	 * where it forces one (may_goto, callback calls); not at every loop head, so the
	 * first iterations of a loop are one state, as the kernel's level-2 log shows */
	bool add = cbsite || may_goto ||
		   (e->jmps - e->prev_jmps >= 2 && e->processed - e->prev_processed >= 8);
	if (!add || cnt >= MAX_PER_INSN || e->nck >= MAX_CKPT)
		return 0;
	if (e->nck == e->capck) {
		int nc = e->capck ? e->capck * 2 : 256;
		struct ckpt *p = realloc(e->ck, sizeof(*p) * (size_t)nc);
		if (!p)
			return 0;
		e->ck = p;
		e->capck = nc;
	}
	struct ckpt *k = &e->ck[e->nck];
	if (state_copy(e, &k->st, cur))
		return 0;
	k->insn = insn;
	k->parent = cur->parent;
	k->branches = 1;
	k->next = e->head[insn];
	e->head[insn] = e->nck;
	e->pending_ck = e->nck;
	cur->parent = e->nck;
	e->nck++;
	scc_enter(e, e->nck - 1);
	e->live_ck++;
	if (e->live_ck > e->peak_ck)
		e->peak_ck = e->live_ck;
	if (cnt + 1 > e->max_per_insn)
		e->max_per_insn = cnt + 1;
	e->prev_jmps = e->jmps;
	e->prev_processed = e->processed;
	return 0;
}

/* The checkpoint at insn that the previous iteration of a loop through insn left
 * on this path (kernel: find_prev_entry), -1 when this is the first. */
static int prev_iteration(struct venv *e, const struct vstate *cur, int insn)
{
	int k = cur->parent;
	if (k >= 0 && e->ck[k].insn == insn)
		k = e->ck[k].parent;
	for (; k >= 0; k = e->ck[k].parent) {
		const struct vstate *o = &e->ck[k].st;
		if (e->ck[k].insn != insn || o->curframe != cur->curframe)
			continue;
		bool same = true;
		for (int f = 0; f <= o->curframe && same; f++)
			same = o->fr[f]->callsite == cur->fr[f]->callsite;
		if (same)
			return k;
	}
	return -1;
}

static void widen_reg(const struct vreg *o, struct vreg *c, struct idmap *m)
{
	if (o->type != T_SCALAR || c->type != T_SCALAR || o->precise || c->precise ||
	    regsafe(o, c, m, true, false))
		return;
	v_mark_unknown(c);
}

/* The next iteration of a may_goto loop forgets the imprecise scalars that changed
 * since the previous one (kernel: widen_imprecise_scalars): a counter no check reads
 * becomes unknown, so the third iteration is covered by the second and the loop
 * converges instead of being unrolled to the 8192-jump limit. */
static void widen_imprecise(const struct vstate *o, struct vstate *c)
{
	struct idmap m;
	m.n = 0;
	for (int f = o->curframe; f >= 0; f--) {
		const struct vframe *of = o->fr[f];
		struct vframe *cf = c->fr[f];
		for (int r = 0; r <= 10; r++)
			widen_reg(&of->regs[r], &cf->regs[r], &m);
		for (int s = 0; s < MAX_STACK / 8; s++)
			if (of->slot[s * 8] == SLOT_SPILL && cf->slot[s * 8] == SLOT_SPILL)
				widen_reg(&SPILL(of, s), &SPILL(cf, s), &m);
	}
}

static int push_branch(struct venv *e, struct vstate *cur, int insn, int prev)
{
	if (e->nstack >= MAX_JMP_SEQ) {
		e->err_insn = prev;
		return verr(e, -E2BIG, "The sequence of %d jumps is too complex.", e->nstack);
	}
	if (e->nstack == e->capstack) {
		int nc = e->capstack ? e->capstack * 2 : 64;
		struct pending *p = realloc(e->stack, sizeof(*p) * (size_t)nc);
		if (!p)
			return verr(e, -ENOMEM, "out of memory");
		e->stack = p;
		e->capstack = nc;
	}
	struct pending *p = &e->stack[e->nstack];
	if (state_copy(e, &p->st, cur))
		return verr(e, -ENOMEM, "out of memory");
	p->insn = insn;
	p->prev = prev;
	p->st.insn = insn;
	e->nstack++;
	if (cur->parent >= 0)
		e->ck[cur->parent].branches++;
	return 0;
}

/* ---- registers ---- */

static int check_reg_read(struct venv *e, struct vreg *regs, int r)
{
	if (r > 10)
		return verr(e, -EINVAL, "R%d is invalid", r);
	if (regs[r].type == T_NOT_INIT)
		return verr(e, -EACCES, "R%d !read_ok", r);
	return 0;
}

static int check_reg_write(struct venv *e, int r)
{
	if (r > 10)
		return verr(e, -EINVAL, "R%d is invalid", r);
	if (r == 10)
		return verr(e, -EACCES, "frame pointer is read only");
	return 0;
}

static bool is_ptr(const struct vreg *r)
{
	return r->type != T_SCALAR && r->type != T_NOT_INIT;
}

static void for_each_reg(struct vstate *st, void (*fn)(struct vreg *, void *), void *arg)
{
	for (int f = 0; f <= st->curframe; f++) {
		struct vframe *fr = st->fr[f];
		for (int r = 0; r <= 10; r++)
			fn(&fr->regs[r], arg);
		for (int s = 0; s < MAX_STACK / 8; s++)
			if (fr->slot[s * 8] == SLOT_SPILL)
				fn(&SPILL(fr, s), arg);
	}
}

/* ---- memory access ---- */

static int stack_bounds(struct venv *e, int regno, const struct vreg *r, int off, int size,
			int kind /* 0 read 1 write 2 helper read 3 helper write */, int64_t *lo, int64_t *hi)
{
	const char *extra = (kind == 0 || kind == 2) ? " read from" : " write to";
	int64_t min_off, max_off;
	if (tnum_is_const(r->var)) {
		min_off = (int64_t)r->var.value + off;
		max_off = min_off + size;
	} else {
		if (r->smax >= MAX_VAR_OFF || r->smin <= -MAX_VAR_OFF)
			return verr(e, -EACCES, "invalid unbounded variable-offset%s stack R%d", extra, regno);
		min_off = r->smin + off;
		max_off = r->smax + off + size;
	}
	if (min_off < -MAX_STACK || max_off > 0 || size < 0 || (kind >= 2 && min_off >= 0)) {
		if (tnum_is_const(r->var))
			return verr(e, -EACCES, "invalid%s stack R%d off=%d size=%d", extra, regno, off, size);
		char tn[64];
		tnum_str(tn, sizeof tn, r->var);
		return verr(e, -EACCES, "invalid variable-offset%s stack R%d var_off=%s off=%d size=%d",
			    extra, regno, tn, off, size);
	}
	*lo = min_off;
	*hi = max_off;
	return 0;
}

static void note_depth(struct venv *e, struct vstate *st, int frameno, int64_t lo)
{
	int sub = st->fr[frameno]->subprog;
	int d = (int)-lo;
	if (d > e->sub_depth[sub])
		e->sub_depth[sub] = d;
}

/* Before a scalar is copied (move, spill, fill): it gets an id the copy will share; a
 * register that is another plus a constant gets a fresh one (kernel:
 * assign_scalar_id_before_mov). */
static void id_before_mov(struct venv *e, struct vreg *r)
{
	if (r->type != T_SCALAR)
		return;
	if (r->id & ID_ADD_CONST) {
		r->id = 0;
		r->off = 0;
	}
	if (!r->id && !tnum_is_const(r->var))
		r->id = ++e->id_gen;
}

static int check_stack_write(struct venv *e, struct vstate *st, int regno, const struct vreg *ptr,
			     int off, int size, struct vreg *val, bool is_imm_zero)
{
	int64_t lo, hi;
	int rc = stack_bounds(e, regno, ptr, off, size, 1, &lo, &hi);
	if (rc)
		return rc;
	if (tnum_is_const(ptr->var) && (lo % size)) {
		return verr(e, -EACCES, "misaligned stack access off %lld+%d+%d size %d",
			    (long long)ptr->var.value, ptr->off, off - ptr->off, size);
	}
	struct vframe *f = st->fr[ptr->frameno];
	note_depth(e, st, ptr->frameno, lo);
	if (!tnum_is_const(ptr->var)) {
		/* variable offset: every byte that may be written becomes misc; spills die */
		for (int64_t a = lo; a < hi; a++) {
			int idx = (int)(a + MAX_STACK);
			if (f->slot[idx] == SLOT_SPILL) {
				int s = idx / 8;
				for (int k = 0; k < 8; k++)
					if (f->slot[s * 8 + k] == SLOT_SPILL)
						f->slot[s * 8 + k] = SLOT_MISC;
			}
			if (f->slot[idx] != SLOT_ZERO || !is_imm_zero)
				f->slot[idx] = f->slot[idx] == SLOT_INVALID && !is_imm_zero ? SLOT_MISC :
					       (is_imm_zero && f->slot[idx] == SLOT_ZERO ? SLOT_ZERO : SLOT_MISC);
		}
		return 0;
	}
	int idx = (int)(lo + MAX_STACK);
	int s = idx / 8;
	if (size == 8 && val && (val->type != T_SCALAR || !is_imm_zero || true) && (idx % 8) == 0) {
		if (val->type == T_SCALAR && is_imm_zero && tnum_equals_const(val->var, 0) && val->id == 0 &&
		    false) {
			memset(&f->slot[idx], SLOT_ZERO, 8);
			return 0;
		}
		if (spill_reserve(f, s))
			return verr(e, -ENOMEM, "out of memory");
		/* the slot and the register are the same scalar from here on: both get an id
		 * (the kernel's assign_scalar_id_before_mov on a spill) */
		if (e->priv)
			id_before_mov(e, val);
		SPILL(f, s) = *val;
		SPILL(f, s).precise = 0;
		memset(&f->slot[idx], SLOT_SPILL, 8);
		hist_stack(e, st, ptr->frameno, idx);
		return 0;
	}
	if (size < 8 && val && val->type == T_SCALAR && (idx % 8) == 0 && e->priv) {
		/* a narrow spill (kernel: bpf_capable): the register keeps its value in the
		 * slot's low bytes; an id ties them when the value fits */
		bool fits = reg_width(val) <= size * 8;
		if (fits)
			id_before_mov(e, val);
		if (spill_reserve(f, s))
			return verr(e, -ENOMEM, "out of memory");
		SPILL(f, s) = *val;
		SPILL(f, s).precise = 0;
		if (!fits)
			SPILL(f, s).id = 0;
		for (int k = size; k < 8; k++)
			if (f->slot[idx + k] == SLOT_SPILL)
				f->slot[idx + k] = SLOT_MISC;
		memset(&f->slot[idx], SLOT_SPILL, (size_t)size);
		hist_stack(e, st, ptr->frameno, idx);
		return 0;
	}
	/* a write into a spilled register's slot leaves data: misc where it was written
	 * before (kernel: scrub_spilled_slot) */
	if (f->slot[s * 8] == SLOT_SPILL) {
		for (int k = 0; k < 8; k++)
			if (f->slot[s * 8 + k] != SLOT_INVALID)
				f->slot[s * 8 + k] = SLOT_MISC;
	}
	uint8_t t = is_imm_zero ? SLOT_ZERO : SLOT_MISC;
	for (int k = 0; k < size; k++)
		f->slot[idx + k] = t;
	return 0;
}

static int check_stack_read(struct venv *e, struct vstate *st, int regno, const struct vreg *ptr,
			    int off, int size, struct vreg *dst, bool sx)
{
	int64_t lo, hi;
	int rc = stack_bounds(e, regno, ptr, off, size, 0, &lo, &hi);
	if (rc)
		return rc;
	if (tnum_is_const(ptr->var) && (lo % size)) {
		return verr(e, -EACCES, "misaligned stack access off %lld+%d+%d size %d",
			    (long long)ptr->var.value, ptr->off, off - ptr->off, size);
	}
	struct vframe *f = st->fr[ptr->frameno];
	if (!tnum_is_const(ptr->var)) {
		for (int64_t a = lo; a < hi; a++) {
			int idx = (int)(a + MAX_STACK);
			if (f->slot[idx] == SLOT_INVALID && !e->priv)
				return verr(e, -EACCES, "invalid variable-offset read from stack R%d", regno);
		}
		if (dst) {
			v_mark_unknown(dst);
			if (sx) v_coerce_sx(dst, size); else v_coerce(dst, size);
		}
		return 0;
	}
	int idx = (int)(lo + MAX_STACK);
	int s = idx / 8;
	int spilled = f->slot[idx] == SLOT_SPILL && (idx % 8) == 0 ? spill_bytes(&f->slot[idx]) : 0;
	if (spilled == 8 && size == 8) {
		hist_stack(e, st, ptr->frameno, idx);
		if (dst) {
			uint8_t fr = dst->frameno;
			*dst = SPILL(f, s);
			(void)fr;
		}
		return 0;
	}
	if (f->slot[idx] == SLOT_SPILL && SPILL(f, s).type != T_SCALAR)
		return verr(e, -EACCES, "invalid size of register fill");
	bool all_zero = true;
	for (int k = 0; k < size; k++) {
		uint8_t t = f->slot[idx + k];
		if (t != SLOT_ZERO)
			all_zero = false;
		if (t == SLOT_INVALID && !e->priv)
			return verr(e, -EACCES, "invalid read from stack off %d+%d size %d",
				    (int)lo, k, size);
	}
	if (spilled >= size && SPILL(f, s).type == T_SCALAR) {
		/* a narrow fill of a spilled scalar: its value cut to the size, the same
		 * scalar (id) when nothing is cut off */
		hist_stack(e, st, ptr->frameno, idx);
		if (dst) {
			struct vreg *sp = &SPILL(f, s);
			if (e->priv && size == 4 && spilled == 4 && reg_width(sp) <= 32)
				id_before_mov(e, sp);
			*dst = *sp;
			dst->precise = 0;
			if (reg_width(sp) > size * 8 || sx)
				dst->id = 0;
			if (sx) v_coerce_sx(dst, size); else v_coerce(dst, size);
			if (tnum_is_const(dst->var))
				dst->id = 0;
		}
		return 0;
	}
	int spill_cnt = 0;
	for (int k = 0; k < size && f->slot[s * 8] == SLOT_SPILL; k++)
		spill_cnt += f->slot[idx + k] == SLOT_SPILL;
	if (spill_cnt == size && SPILL(f, s).type == T_SCALAR && tnum_equals_const(SPILL(f, s).var, 0)) {
		/* every byte read belongs to a spilled zero (kernel: the register fill of a
		 * zero) */
		hist_stack(e, st, ptr->frameno, idx);
		if (dst)
			v_mark_const(dst, 0);
		return 0;
	}
	if (dst) {
		if (all_zero)
			v_mark_const(dst, 0);
		else {
			v_mark_unknown(dst);
			if (sx) v_coerce_sx(dst, size); else v_coerce(dst, size);
		}
	}
	return 0;
}

static int check_mem_region(struct venv *e, int regno, const struct vreg *r, int off, int size,
			    uint32_t mem_size, const char *what, bool zero_ok)
{
	(void)zero_ok;
	if (r->smin < 0 && (r->smin == S64_MIN || off + r->smin != (int64_t)(int32_t)(off + r->smin) ||
			    r->smin + off < 0))
		return verr(e, -EACCES, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.", regno);
	int64_t a = r->smin + off;
	if (a < 0 || (uint64_t)a + (uint64_t)size > mem_size || size <= 0) {
		if (!strcmp(what, "map value"))
			vnote(e, "invalid access to map value, value_size=%u off=%lld size=%d", mem_size, (long long)a, size);
		else
			vnote(e, "invalid access to memory, mem_size=%u off=%lld size=%d", mem_size, (long long)a, size);
		return verr(e, -EACCES, "R%d min value is outside of the allowed memory range", regno);
	}
	if (r->umax >= (uint64_t)MAX_VAR_OFF)
		return verr(e, -EACCES, "R%d unbounded memory access, make sure to bounds check any such access", regno);
	a = (int64_t)r->umax + off;
	if (a < 0 || (uint64_t)a + (uint64_t)size > mem_size) {
		if (!strcmp(what, "map value"))
			vnote(e, "invalid access to map value, value_size=%u off=%lld size=%d", mem_size, (long long)a, size);
		else
			vnote(e, "invalid access to memory, mem_size=%u off=%lld size=%d", mem_size, (long long)a, size);
		return verr(e, -EACCES, "R%d max value is outside of the allowed memory range", regno);
	}
	return 0;
}

static int check_pkt(struct venv *e, int regno, const struct vreg *r, int off, int size)
{
	if (r->smin < 0)
		return verr(e, -EACCES, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.", regno);
	if (off < 0 || size <= 0 || (int64_t)off + size > r->range) {
		vnote(e, "invalid access to packet, off=%d size=%d, R%d(id=%u,off=%d,r=%d)", off, size,
		      regno, r->id, off, r->range);
		return verr(e, -EACCES, "R%d offset is outside of the packet", regno);
	}
	return 0;
}

static bool pkt_access_ok(int t)
{
	return t == BK_VPROG_XDP || t == BK_VPROG_SCHED_CLS || t == BK_VPROG_SCHED_ACT;
}

/* One load or store through register regno at insn offset `ioff`. */
static int check_mem_access(struct venv *e, struct vstate *st, int regno, int ioff, int size,
			    bool write, int value_regno, struct vreg *dst, bool sx, bool st_imm_zero,
			    bool *proven)
{
	struct vreg *regs = cur_regs(st);
	struct vreg *r = &regs[regno];
	int off = ioff + r->off;
	char t[32];
	struct vreg *val = value_regno >= 0 ? &regs[value_regno] : NULL;
	*proven = true;
	switch (r->type) {
	case T_STACK:
		if (tnum_is_const(r->var) && r->frameno == st->curframe) {
			/* level 2 prints the slot beside the instruction (kernel: scratched) */
			int64_t at = MAX_STACK + (int64_t)r->var.value + off;
			e->access_slot = at >= 0 && at < MAX_STACK ? (int)(at / 8) : -1;
		}
		if (tnum_is_const(r->var) && (((int64_t)r->var.value + off) % size))
			return verr(e, -EACCES, "misaligned stack access off %lld+%d+%d size %d",
				    (long long)r->var.value, r->off, ioff, size);
		if (write) {
			struct vreg tmp;
			if (!val) {
				v_mark_const(&tmp, 0);
				val = NULL;
			}
			return check_stack_write(e, st, regno, r, off, size, val, st_imm_zero);
		}
		return check_stack_read(e, st, regno, r, off, size, dst, sx);
	case T_CTX: {
		if (r->maybe_null)
			break;
		if (r->off < 0)
			return verr(e, -EACCES, "negative offset ctx ptr R%d off=%d disallowed", regno, r->off);
		if (r->off)
			return verr(e, -EACCES, "dereference of modified ctx ptr R%d off=%d disallowed", regno, r->off);
		if (!tnum_is_const(r->var) || r->var.value) {
			char tn[64];
			tnum_str(tn, sizeof tn, r->var);
			return verr(e, -EACCES, "variable ctx access var_off=%s disallowed", tn);
		}
		if (write && val && is_ptr(val) && !e->priv)
			return verr(e, -EACCES, "R%d leaks addr into ctx", value_regno);
		struct vctx_access a = bk_v_ctx_access(e->prog_type, off, size, write);
		if (!a.ok)
			return verr(e, -EACCES, "invalid bpf_context access off=%d size=%d", off, size);
		if (!write && dst) {
			if (a.ret_type == T_SCALAR) {
				v_mark_unknown(dst);
				if (sx) v_coerce_sx(dst, size); else v_coerce(dst, size);
			} else {
				memset(dst, 0, sizeof(*dst));
				dst->type = (uint8_t)a.ret_type;
				v_bounds_zero(dst);
				dst->id = 0;
				dst->range = 0;
				if (a.ret_type == T_SOCK_COMMON) {
					dst->maybe_null = 1;
					dst->id = ++e->id_gen;
				}
			}
		}
		return 0;
	}
	case T_MAP_PTR:
		if (write || off < 0 || off + size > 256) {
			uint32_t mt = e->maps[r->map].type;
			const char *sn = mt == 1 || mt == 5 || mt == 9 || mt == 10 ? "bpf_htab" :
					 mt == 2 || mt == 3 || mt == 6 ? "bpf_array" : mt == 27 ? "bpf_ringbuf_map" : "bpf_map";
			if (write)
				return verr(e, -EACCES, "only read from %s is supported", sn);
			return verr(e, -EACCES, "access beyond struct %s at off %d size %d", sn, off, size);
		}
		if (dst) {
			v_mark_unknown(dst);
			v_coerce(dst, size);
		}
		return 0;
	case T_MAP_VALUE:
		if (r->maybe_null)
			break;
		if (write && val && is_ptr(val) && !e->priv)
			return verr(e, -EACCES, "R%d leaks addr into map", value_regno);
		{
			int rc = check_mem_region(e, regno, r, off, size, e->maps[r->map].value_size, "map value", false);
			if (rc)
				return rc;
		}
		if (!write && dst) {
			v_mark_unknown(dst);
			if (sx) v_coerce_sx(dst, size); else v_coerce(dst, size);
		}
		return 0;
	case T_SOCK_COMMON:
		if (r->maybe_null)
			break;
		if (write)
			return verr(e, -EACCES, "R%d cannot write into %s", regno, rtype_str(r, t, sizeof t));
		if (r->smin < 0)
			return verr(e, -EACCES, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.", regno);
		if (off < 0 || !bk_progtype_sock_common_access((uint32_t)off, (uint32_t)size))
			return verr(e, -EACCES, "R%d invalid %s access off=%d size=%d", regno,
				    rtype_str(r, t, sizeof t), off, size);
		*proven = false;
		if (dst) {
			v_mark_unknown(dst);
			v_coerce(dst, size);
		}
		return 0;
	case T_MEM:
	case T_RINGBUF_MEM:
		if (r->maybe_null)
			break;
		{
			int rc = check_mem_region(e, regno, r, off, size, (uint32_t)r->range, "mem", false);
			if (rc)
				return rc;
		}
		if (!write && dst) {
			v_mark_unknown(dst);
			if (sx) v_coerce_sx(dst, size); else v_coerce(dst, size);
		}
		return 0;
	case T_PKT:
	case T_PKT_META:
		if (write && !pkt_access_ok(e->prog_type))
			return verr(e, -EACCES, "cannot write into packet");
		if (write && val && is_ptr(val) && !e->priv)
			return verr(e, -EACCES, "R%d leaks addr into packet", value_regno);
		{
			int rc = check_pkt(e, regno, r, off, size);
			if (rc)
				return rc;
		}
		if (!write && dst) {
			v_mark_unknown(dst);
			if (sx) v_coerce_sx(dst, size); else v_coerce(dst, size);
		}
		return 0;
	default:
		break;
	}
	return verr(e, -EACCES, "R%d invalid mem access '%s'", regno, rtype_str(r, t, sizeof t));
}

/* ---- ALU ---- */

static const char *alu_str(int op)
{
	static const char *const s[] = { "+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=",
					 "neg", "%=", "^=", "=", "s>>=", "endian" };
	return s[((op >> 4) & 15) < 14 ? ((op >> 4) & 15) : 0];
}

static int check_sane_offset(struct venv *e, const struct vreg *r, int ptype, bool is_off_reg)
{
	char t[32];
	struct vreg tmp = { .type = (uint8_t)ptype };
	rtype_str(&tmp, t, sizeof t);
	if (is_off_reg && tnum_is_const(r->var) &&
	    ((int64_t)r->var.value >= MAX_VAR_OFF || (int64_t)r->var.value <= -MAX_VAR_OFF))
		return verr(e, -EACCES, "math between %s pointer and %lld is not allowed", t,
			    (long long)r->var.value);
	if (!is_off_reg && (r->off >= MAX_VAR_OFF || r->off <= -MAX_VAR_OFF))
		return verr(e, -EACCES, "%s pointer offset %d is not allowed", t, r->off);
	if (r->smin == S64_MIN)
		return verr(e, -EACCES, "math between %s pointer and register with unbounded min value is not allowed", t);
	if (r->smin >= MAX_VAR_OFF || r->smin <= -MAX_VAR_OFF)
		return verr(e, -EACCES, "value %lld makes %s pointer be out of bounds", (long long)r->smin, t);
	return 0;
}

static int ptr_alu(struct venv *e, const struct bk_insn *in, struct vreg *dst, struct vreg *ptr,
		   const struct vreg *off, bool is64)
{
	int op = BK_OP(in->code);
	char t[32];
	if (!is64) {
		if (op == BK_ALU_SUB && e->priv) {
			v_mark_unknown(dst);
			return 0;
		}
		return verr(e, -EACCES, "R%d 32-bit pointer arithmetic prohibited", in->dst);
	}
	if (ptr->maybe_null)
		return verr(e, -EACCES, "R%d pointer arithmetic on %s prohibited, null-check it first",
			    in->dst, rtype_str(ptr, t, sizeof t));
	bool known = tnum_is_const(off->var);
	switch (ptr->type) {
	case T_CTX: case T_MAP_VALUE: case T_STACK: case T_PKT: case T_PKT_META: case T_MEM:
	case T_RINGBUF_MEM: case T_FUNC: case T_MAP_KEY:
		break;
	case T_MAP_PTR:
		if (known && off->var.value == 0 && op == BK_ALU_ADD)
			break;
		/* fallthrough */
	default:
		return verr(e, -EACCES, "R%d pointer arithmetic on %s prohibited", in->dst,
			    rtype_str(ptr, t, sizeof t));
	}
	int rc = check_sane_offset(e, off, ptr->type, true);
	if (!rc)
		rc = check_sane_offset(e, ptr, ptr->type, false);
	if (rc)
		return rc;
	struct vreg res = *ptr;
	switch (op) {
	case BK_ALU_ADD:
		if (known) {
			res.off = (int32_t)(ptr->off + (int64_t)off->var.value);
			if ((int64_t)ptr->off + (int64_t)off->var.value != res.off)
				return verr(e, -EACCES, "R%d pointer arithmetic overflow", in->dst);
		} else {
			struct vreg v = *ptr, s = *off;
			v.type = T_SCALAR;
			v_scalar_alu(BK_ALU_ADD, true, &v, &s);
			res.var = v.var;
			res.smin = v.smin; res.smax = v.smax; res.umin = v.umin; res.umax = v.umax;
			res.s32min = v.s32min; res.s32max = v.s32max; res.u32min = v.u32min; res.u32max = v.u32max;
			if (res.type == T_PKT || res.type == T_PKT_META) {
				res.id = ++e->id_gen;
				res.range = 0;
			}
		}
		break;
	case BK_ALU_SUB:
		if (dst != ptr)
			return verr(e, -EACCES, "R%d tried to subtract pointer from scalar", in->dst);
		if (ptr->type == T_STACK && !e->priv)
			return verr(e, -EACCES, "R%d subtraction from stack pointer prohibited", in->dst);
		if (known) {
			res.off = (int32_t)(ptr->off - (int64_t)off->var.value);
		} else {
			struct vreg v = *ptr, s = *off;
			v.type = T_SCALAR;
			v_scalar_alu(BK_ALU_SUB, true, &v, &s);
			res.var = v.var;
			res.smin = v.smin; res.smax = v.smax; res.umin = v.umin; res.umax = v.umax;
			res.s32min = v.s32min; res.s32max = v.s32max; res.u32min = v.u32min; res.u32max = v.u32max;
			if (res.type == T_PKT || res.type == T_PKT_META) {
				res.id = ++e->id_gen;
				res.range = 0;
			}
		}
		break;
	case BK_ALU_AND: case BK_ALU_OR: case BK_ALU_XOR:
		return verr(e, -EACCES, "R%d bitwise operator %s on pointer prohibited", in->dst, alu_str(op));
	default:
		return verr(e, -EACCES, "R%d pointer arithmetic with %s operator prohibited", in->dst, alu_str(op));
	}
	rc = check_sane_offset(e, &res, res.type, false);
	if (rc)
		return rc;
	if (res.type == T_STACK && !e->priv && !tnum_is_const(res.var))
		return verr(e, -EACCES, "R%d variable stack access prohibited for !root", in->dst);
	*dst = res;
	return 0;
}

static int do_alu(struct venv *e, struct vstate *st, const struct bk_insn *in, enum bk_op bop)
{
	struct vreg *regs = cur_regs(st);
	bool is64 = BK_CLASS(in->code) == BK_CLASS_ALU64;
	int op = BK_OP(in->code);
	bool x = BK_SRCBIT(in->code);
	const struct bk_opinfo *info = bk_isa_info(bop);
	int rc;
	if (op == BK_ALU_END || op == BK_ALU_NEG) {
		if ((rc = check_reg_read(e, regs, in->dst)) || (rc = check_reg_write(e, in->dst)))
			return rc;
		if (is_ptr(&regs[in->dst])) {
			if (!e->priv)
				return verr(e, -EACCES, "R%d pointer arithmetic prohibited", in->dst);
			v_mark_unknown(&regs[in->dst]);
			return 0;
		}
		if (op == BK_ALU_NEG) {
			struct vreg z;
			v_mark_const(&z, 0);
			v_scalar_alu(BK_ALU_SUB, is64, &z, &regs[in->dst]);
			z.id = 0;
			regs[in->dst] = z;
		} else {
			/* the known bits move with their bytes: cut to the width, swapped unless
			 * it is a conversion to little endian (this host's order) */
			int bytes = in->imm == 16 ? 2 : in->imm == 32 ? 4 : 8;
			bool swap = BK_SRCBIT(in->code) || BK_CLASS(in->code) == BK_CLASS_ALU64;
			struct tnum t = bytes < 8 ? tnum_cast(regs[in->dst].var, bytes) : regs[in->dst].var;
			if (swap) {
				struct tnum u = TNUM(0, 0);
				for (int k = 0; k < bytes; k++) {
					u.value |= ((t.value >> (8 * k)) & 0xff) << (8 * (bytes - 1 - k));
					u.mask |= ((t.mask >> (8 * k)) & 0xff) << (8 * (bytes - 1 - k));
				}
				t = u;
			}
			v_mark_unknown(&regs[in->dst]);
			if (tnum_is_const(t)) {
				v_mark_const(&regs[in->dst], t.value);
			} else {
				regs[in->dst].var = t;
				v_sync(&regs[in->dst]);
			}
		}
		return 0;
	}
	struct vreg srcv;
	if (x) {
		if ((rc = check_reg_read(e, regs, in->src)))
			return rc;
		srcv = regs[in->src];
	} else {
		v_mark_const(&srcv, (uint64_t)(int64_t)in->imm);
		if (!is64)
			v_mark_const(&srcv, (uint32_t)in->imm);
	}
	if (op == BK_ALU_MOV) {
		if ((rc = check_reg_write(e, in->dst)))
			return rc;
		struct vreg *d = &regs[in->dst];
		if (info->fmt == BK_F_ASCAST) {
			v_mark_unknown(d);
			return 0;
		}
		if (in->off && x) { /* movsx */
			if (is_ptr(&srcv)) {
				if (!e->priv)
					return verr(e, -EACCES, "R%d sign-extension part of pointer", in->src);
				v_mark_unknown(d);
				return 0;
			}
			struct vreg v = srcv;
			v_coerce_sx(&v, in->off / 8);
			v.id = 0;
			if (!is64) {
				v_mark_unknown(d);
				*d = v;
				d->umax = U32_MAX;
				struct vreg w = v;
				(void)w;
				v_mark_unknown(d);
				d->var = tnum_subreg(v.var);
				d->s32min = (int32_t)v.smin;
				d->s32max = (int32_t)v.smax;
				d->umax = U32_MAX;
				v_sync(d);
				v_zext32(d);
				v_sync(d);
			} else {
				*d = v;
			}
			return 0;
		}
		if (is64) {
			if (x && srcv.type == T_SCALAR) {
				id_before_mov(e, &regs[in->src]);
				srcv = regs[in->src];
			}
			*d = srcv;
			if (d->type == T_SCALAR && tnum_is_const(d->var))
				d->id = 0;
			return 0;
		}
		if (is_ptr(&srcv)) {
			if (!e->priv)
				return verr(e, -EACCES, "R%d partial copy of pointer", in->src);
			v_mark_unknown(d);
			return 0;
		}
		/* a source that fits in 32 bits is copied whole: the two are one scalar (id) */
		bool fits = srcv.type == T_SCALAR && srcv.umax <= U32_MAX;
		if (x && fits) {
			id_before_mov(e, &regs[in->src]);
			srcv = regs[in->src];
		}
		struct vreg v = srcv;
		if (!fits || !x)
			v.id = 0;
		/* the low half with its 32-bit bounds, zero-extended (kernel: zext_32_to_64) */
		v_zext32(&v);
		v_sync(&v);
		if (tnum_is_const(v.var))
			v.id = 0;
		*d = v;
		return 0;
	}
	if ((rc = check_reg_read(e, regs, in->dst)) || (rc = check_reg_write(e, in->dst)))
		return rc;
	struct vreg *d = &regs[in->dst];
	if ((op == BK_ALU_DIV || op == BK_ALU_MOD) && !x && in->imm == 0)
		return verr(e, -EINVAL, "div by zero");
	if ((op == BK_ALU_LSH || op == BK_ALU_RSH || op == BK_ALU_ARSH) && !x) {
		int bits = is64 ? 64 : 32;
		if (in->imm < 0 || in->imm >= bits)
			return verr(e, -EINVAL, "invalid shift %d", in->imm);
	}
	bool dp = is_ptr(d), sp = is_ptr(&srcv);
	if (dp && sp) {
		if (op == BK_ALU_SUB && e->priv) {
			v_mark_unknown(d);
			return 0;
		}
		return verr(e, -EACCES, "R%d pointer %s pointer prohibited", in->dst, alu_str(op));
	}
	if (dp) {
		if (x && srcv.type == T_SCALAR)
			mark_precise(e, st, in->src);
		return ptr_alu(e, in, d, d, &srcv, is64);
	}
	if (sp) {
		if (d->type == T_SCALAR)
			mark_precise(e, st, in->dst);
		if (op == BK_ALU_ADD || !is64 || op == BK_ALU_SUB) {
			struct vreg p = srcv;
			if (op == BK_ALU_SUB && is64)
				return verr(e, -EACCES, "R%d tried to subtract pointer from scalar", in->dst);
			return ptr_alu(e, in, d, &p, d, is64);
		}
		if (e->priv) {
			v_mark_unknown(d);
			return 0;
		}
		return verr(e, -EACCES, "R%d pointer arithmetic with %s operator prohibited", in->dst, alu_str(op));
	}
	/* scalar op scalar */
	uint32_t id0 = d->id;
	int32_t off0 = d->off;
	switch (op) {
	case BK_ALU_ADD: case BK_ALU_SUB: case BK_ALU_MUL: case BK_ALU_AND: case BK_ALU_OR:
	case BK_ALU_XOR:
		v_scalar_alu(op, is64, d, &srcv);
		break;
	case BK_ALU_LSH: case BK_ALU_RSH: case BK_ALU_ARSH: {
		int bits = is64 ? 64 : 32;
		struct tnum sv = is64 ? srcv.var : tnum_subreg(srcv.var);
		if (tnum_is_const(sv) && sv.value < (uint64_t)bits) {
			struct vreg s = srcv;
			v_mark_const(&s, sv.value);
			v_scalar_alu(op, is64, d, &s);
		} else {
			/* as div and mod: all 64 bits unknown, even after a 32-bit operation (the
			 * kernel gives up before it zero-extends) */
			v_mark_unknown(d);
		}
		break;
	}
	default: /* div, mod: the kernel keeps no range, not even the zero upper half */
		v_mark_unknown(d);
		break;
	}
	d->id = 0;
	d->off = 0;
	/* a copy plus a constant stays tied to the copy, with the constant (printed
	 * id=N+off; the kernel 6.18's BPF_ADD_CONST): one constant at most */
	struct tnum sc = is64 ? srcv.var : tnum_subreg(srcv.var);
	if (e->priv && (op == BK_ALU_ADD || op == BK_ALU_SUB) && id0 && !(id0 & ID_ADD_CONST) &&
	    tnum_is_const(sc)) {
		int64_t val = is64 ? (int64_t)sc.value : (int64_t)(int32_t)(uint32_t)sc.value;
		if (val >= INT32_MIN && val <= INT32_MAX && !(op == BK_ALU_SUB && val == INT32_MIN)) {
			d->id = id0 | (is64 ? ID_ADD_CONST64 : ID_ADD_CONST32);
			d->off = op == BK_ALU_SUB ? -(int32_t)val : (int32_t)val;
		}
	}
	(void)off0;
	return 0;
}

/* ---- conditional jumps ---- */

struct null_arg { uint32_t id; bool is_null; const bool *lock_map; const struct bk_vmap *maps; int nmaps; };

static void mark_null_fn(struct vreg *r, void *arg)
{
	struct null_arg *a = arg;
	if (!r->maybe_null || r->id != a->id)
		return;
	if (a->is_null) {
		v_mark_const(r, 0);
	} else {
		/* the id only tied the copies for this check (the kernel resets it too,
		 * except on a value with a spin lock: the lock is held by that id) */
		r->maybe_null = 0;
		if (r->type != T_MAP_VALUE || !a->lock_map || r->map < 0 || !a->lock_map[r->map])
			r->id = 0;
		if (r->type == T_MAP_VALUE && r->map >= 0 && r->map < a->nmaps &&
		    (a->maps[r->map].type == 12 || a->maps[r->map].type == 13) && a->maps[r->map].inner >= 0 &&
		    a->maps[r->map].inner < a->nmaps) {
			r->type = T_MAP_PTR;
			r->map = a->maps[r->map].inner;
			r->id = 0;
			r->off = 0;
		}
	}
}

struct pkt_arg { uint32_t id; int type; int range; };

static void pkt_range_fn(struct vreg *r, void *arg)
{
	struct pkt_arg *a = arg;
	if (r->type == a->type && r->id == a->id && r->range < a->range)
		r->range = a->range;
}

static void find_good_pkt(struct vstate *st, const struct vreg *dst, int range)
{
	if (dst->off < 0 || range <= 0)
		return;
	struct pkt_arg a = { dst->id, dst->type, range };
	for_each_reg(st, pkt_range_fn, &a);
}

struct link_arg { uint32_t id; const struct vreg *src; };

static void link_fn(struct vreg *r, void *arg)
{
	struct link_arg *a = arg;
	if (r->type == T_SCALAR && r->id == a->id && r != a->src) {
		uint8_t fr = r->frameno;
		*r = *a->src;
		r->frameno = fr;
	}
}

static void sync_linked(struct vstate *st, struct vreg *r)
{
	if (r->type != T_SCALAR || !r->id)
		return;
	struct link_arg a = { r->id, r };
	for_each_reg(st, link_fn, &a);
}

/* Packet comparisons against data_end: `ptr OP end` holding in a branch. */
static void pkt_cmp(struct vstate *st, int op, bool swapped, struct vreg *ptr)
{
	/* normalise to "ptr OP end" */
	if (swapped)
		op = v_flip_op(op);
	int range = -1;
	switch (op) {
	case BK_JLE: /* ptr <= end: [ptr-off, ptr) readable */
		range = ptr->off;
		break;
	case BK_JLT: /* ptr < end: one more byte, but nothing from a zero offset */
		if (ptr->off == 0)
			return;
		range = ptr->off + 1;
		break;
	default:
		return;
	}
	find_good_pkt(st, ptr, range);
}

static int refine_branch(struct venv *e, struct vstate *st, const struct bk_insn *in, int op, bool is64)
{
	struct vreg *regs = cur_regs(st);
	struct vreg *d = &regs[in->dst];
	struct vreg imm, *s;
	if (BK_SRCBIT(in->code)) {
		s = &regs[in->src];
	} else {
		v_mark_const(&imm, is64 ? (uint64_t)(int64_t)in->imm : (uint32_t)in->imm);
		if (!is64)
			v_mark_const(&imm, (uint64_t)(int64_t)in->imm);
		s = &imm;
	}
	/* null checks */
	if (is64 && (op == BK_JEQ || op == BK_JNE)) {
		struct vreg *p = NULL, *z = NULL;
		if (d->maybe_null && s->type == T_SCALAR && tnum_equals_const(s->var, 0))
			p = d, z = s;
		else if (s->maybe_null && d->type == T_SCALAR && tnum_equals_const(d->var, 0))
			p = s, z = d;
		(void)z;
		if (p) {
			struct null_arg a = { p->id, op == BK_JEQ, e->map_lock, e->maps, e->nmaps };
			uint32_t ref = p->ref_obj_id;
			if (a.is_null && ref) {
				for (int i = 0; i < st->nrefs; i++)
					if (st->refs[i] == ref) {
						st->refs[i] = st->refs[st->nrefs - 1];
						st->ref_insn[i] = st->ref_insn[st->nrefs - 1];
						st->ref_lock[i] = st->ref_lock[st->nrefs - 1];
						st->nrefs--;
						break;
					}
			}
			for_each_reg(st, mark_null_fn, &a);
			return 0;
		}
	}
	/* packet pointers against the end */
	if (is64 && BK_SRCBIT(in->code)) {
		if ((d->type == T_PKT && s->type == T_PKT_END) || (d->type == T_PKT_META && s->type == T_PKT)) {
			pkt_cmp(st, op, false, d);
			return 0;
		}
		if ((d->type == T_PKT_END && s->type == T_PKT) || (d->type == T_PKT && s->type == T_PKT_META)) {
			pkt_cmp(st, op, true, s);
			return 0;
		}
	}
	if (d->type != T_SCALAR || s->type != T_SCALAR)
		return 0;
	v_refine(op, is64, d, s);
	if (v_bounds_empty(d) || v_bounds_empty(s))
		return 1;
	sync_linked(st, d);
	if (s != &imm)
		sync_linked(st, s);
	return 0;
}

static int cond_taken(struct venv *e, struct vstate *st, const struct bk_insn *in, int op, bool is64)
{
	struct vreg *regs = cur_regs(st);
	struct vreg *d = &regs[in->dst], imm, *s;
	if (BK_SRCBIT(in->code)) {
		s = &regs[in->src];
	} else {
		v_mark_const(&imm, (uint64_t)(int64_t)in->imm);
		s = &imm;
	}
	(void)e;
	if (d->type == T_SCALAR && s->type == T_SCALAR)
		return v_branch_taken(op, is64, d, s);
	/* a non-null pointer compared with 0 */
	if (is_ptr(d) && !d->maybe_null && s->type == T_SCALAR && tnum_equals_const(s->var, 0) && is64 &&
	    d->type != T_SCALAR) {
		if (op == BK_JEQ) return 0;
		if (op == BK_JNE) return 1;
	}
	/* pkt_end compared with a packet pointer that is already known in range */
	return -1;
}

/* ---- helper calls ---- */

static int check_helper_mem(struct venv *e, struct vstate *st, int regno, uint64_t size,
			    bool write, bool zero_ok)
{
	struct vreg *r = &cur_regs(st)[regno];
	char t[32];
	switch (r->type) {
	case T_STACK: {
		int64_t lo, hi;
		if (size == 0 && zero_ok)
			return 0;
		int rc = stack_bounds(e, regno, r, r->off, (int)size, write ? 3 : 2, &lo, &hi);
		if (rc)
			return rc;
		struct vframe *f = st->fr[r->frameno];
		note_depth(e, st, r->frameno, lo);
		for (int64_t a = lo; a < hi; a++) {
			int idx = (int)(a + MAX_STACK);
			if (write) {
				if (f->slot[idx] == SLOT_SPILL) {
					int s = idx / 8;
					for (int k = 0; k < 8; k++)
						if (f->slot[s * 8 + k] != SLOT_INVALID)
							f->slot[s * 8 + k] = SLOT_MISC;
				}
				f->slot[idx] = SLOT_MISC;
				/* the helper writes byte by byte: level 2 prints the slots */
				if (r->frameno == st->curframe)
					e->call_slots |= 1ULL << (idx / 8);
			} else if (f->slot[idx] == SLOT_INVALID && !e->priv) {
				return verr(e, -EACCES, "invalid indirect read from stack R%d off %lld+%lld size %llu",
					    regno, (long long)lo, (long long)(a - lo), (unsigned long long)size);
			}
		}
		return 0;
	}
	case T_PKT: case T_PKT_META:
		return check_pkt(e, regno, r, r->off, (int)size);
	case T_MAP_VALUE:
		if (r->maybe_null)
			break;
		return check_mem_region(e, regno, r, r->off, (int)size, e->maps[r->map].value_size, "map value", zero_ok);
	case T_MEM: case T_RINGBUF_MEM:
		if (r->maybe_null)
			break;
		return check_mem_region(e, regno, r, r->off, (int)size, (uint32_t)r->range, "mem", zero_ok);
	default:
		break;
	}
	if (r->maybe_null && zero_ok)
		return 0;
	return verr(e, -EACCES, "R%d type=%s expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_",
		    regno, rtype_str(r, t, sizeof t));
}

/* The value of 4 stack bytes if the verifier knows it (zeroed or a spilled constant). */
static int64_t stack_const_u32(struct vstate *st, const struct vreg *r)
{
	struct vframe *f = st->fr[r->frameno];
	int64_t a = (int64_t)r->var.value + r->off + MAX_STACK;
	if (a < 0 || a + 4 > MAX_STACK)
		return -1;
	bool zero = true;
	for (int k = 0; k < 4; k++)
		zero &= f->slot[a + k] == SLOT_ZERO;
	if (zero)
		return 0;
	if ((a % 8) == 0 && f->slot[a] == SLOT_SPILL && SPILL(f, a / 8).type == T_SCALAR &&
	    tnum_is_const(SPILL(f, a / 8).var))
		return (uint32_t)SPILL(f, a / 8).var.value;
	return -1;
}

static void clear_pkt_fn(struct vreg *r, void *arg)
{
	(void)arg;
	if (r->type == T_PKT || r->type == T_PKT_META || r->type == T_PKT_END)
		v_mark_unknown(r);
}

struct rel_arg { uint32_t ref; };
static void release_fn(struct vreg *r, void *arg)
{
	struct rel_arg *a = arg;
	if (r->ref_obj_id == a->ref && is_ptr(r))
		v_mark_unknown(r);
}

static int check_helper(struct venv *e, struct vstate *st, const struct bk_insn *in, int insn_idx,
			int *callback)
{
	struct vreg *regs = cur_regs(st);
	const struct vhelper *h = bk_v_helper(in->imm);
	const char *name = bk_helper_name(in->imm);
	char t[32];
	*callback = -1;
	if (!h) {
		if (!name || in->imm <= 0)
			return verr(e, -EINVAL, "invalid func unknown#%d", in->imm);
		return verr(e, -EINVAL, "program of this type cannot use helper %s#%d", name, in->imm);
	}
	if (!(h->types & bk_v_prog_class(e->prog_type)) || ((h->types & V_PERFMON) && !e->priv))
		return verr(e, -EINVAL, "program of this type cannot use helper %s#%d", h->name, in->imm);
	int map = -1;
	uint64_t const_size = 0;
	int release_ref = -1;
	int64_t const_key = -1;
	for (int a = 0; a < 5; a++) {
		int regno = a + 1;
		int k = h->args[a];
		if (k == A_NONE)
			break;
		struct vreg *r = &regs[regno];
		int rc = check_reg_read(e, regs, regno);
		if (rc)
			return rc;
		switch (k) {
		case A_ANY:
			break;
		case A_MAP:
			if (r->type != T_MAP_PTR)
				return verr(e, -EACCES, "R%d type=%s expected=map_ptr", regno, rtype_str(r, t, sizeof t));
			map = r->map;
			break;
		case A_KEY:
		case A_VALUE: {
			if (map < 0)
				return verr(e, -EACCES, "invalid map_ptr to access map->%s", k == A_KEY ? "key" : "value");
			uint32_t sz = k == A_KEY ? e->maps[map].key_size : e->maps[map].value_size;
			if (!sz)
				return verr(e, -EACCES, "invalid zero-sized read");
			if (r->type == T_SCALAR || r->type == T_CTX || r->maybe_null || r->type == T_MAP_PTR ||
			    r->type == T_PKT_END)
				return verr(e, -EACCES, "R%d type=%s expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_",
					    regno, rtype_str(r, t, sizeof t));
			/* map_pop_elem, map_peek_elem: the value argument is written (MEM_UNINIT) */
			rc = check_helper_mem(e, st, regno, sz, k == A_VALUE && (in->imm == 88 || in->imm == 89), false);
			if (rc)
				return rc;
			if (k == A_KEY && r->type == T_STACK && tnum_is_const(r->var) && sz == 4) {
				const_key = stack_const_u32(st, r);
				int64_t ka = (int64_t)r->var.value + r->off + MAX_STACK;
				if (const_key >= 0 && st->fr[r->frameno]->slot[ka] == SLOT_SPILL)
					mark_precise_slot(e, st, r->frameno, (int)(ka / 8));
			}
			break;
		}
		case A_CTX:
			if (r->type != T_CTX)
				return verr(e, -EACCES, "R%d type=%s expected=ctx", regno, rtype_str(r, t, sizeof t));
			if (r->off)
				return verr(e, -EACCES, "dereference of modified ctx ptr R%d off=%d disallowed", regno, r->off);
			break;
		case A_MEM: case A_UNINIT_MEM: case A_MEM_OR_NULL: {
			if (k == A_MEM_OR_NULL && r->type == T_SCALAR && tnum_equals_const(r->var, 0)) {
				mark_precise(e, st, regno);
				break;
			}
			if (r->type == T_SCALAR || r->type == T_CTX || r->type == T_MAP_PTR || r->type == T_PKT_END ||
			    r->maybe_null)
				return verr(e, -EACCES, "R%d type=%s expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_",
					    regno, rtype_str(r, t, sizeof t));
			/* size is checked with the next argument */
			break;
		}
		case A_SIZE: case A_SIZE_OR_ZERO: {
			if (r->type != T_SCALAR)
				return verr(e, -EACCES, "R%d type=%s expected=scalar", regno, rtype_str(r, t, sizeof t));
			mark_precise(e, st, regno);
			if (r->smin < 0)
				return verr(e, -EACCES, "R%d min value is negative, either use unsigned or 'var &= const'", regno);
			if (r->umin == 0 && k == A_SIZE)
				return verr(e, -EACCES, "R%d invalid zero-sized read: u64=[%lld,%lld]", regno,
					    (long long)r->umin, (long long)r->umax);
			if (r->umax >= (uint64_t)MAX_VAR_OFF)
				return verr(e, -EACCES, "R%d unbounded memory access, use 'var &= const' or 'if (var < const)'", regno);
			bool wr = h->args[a - 1] == A_UNINIT_MEM;
			const struct vreg *pm = &regs[regno - 1];
			if (h->args[a - 1] == A_MEM_OR_NULL && pm->type == T_SCALAR)
				break;
			rc = check_helper_mem(e, st, regno - 1, r->umax, wr, k == A_SIZE_OR_ZERO);
			if (rc)
				return rc;
			break;
		}
		case A_CONST_ALLOC:
			if (r->type != T_SCALAR)
				return verr(e, -EACCES, "R%d type=%s expected=scalar", regno, rtype_str(r, t, sizeof t));
			mark_precise(e, st, regno);
			if (!tnum_is_const(r->var))
				return verr(e, -EACCES, "R%d is not a known constant'", regno);
			const_size = r->var.value;
			break;
		case A_RINGBUF_MEM:
			if (r->type != T_RINGBUF_MEM || r->maybe_null)
				return verr(e, -EACCES, "R%d type=%s expected=ringbuf_mem", regno, rtype_str(r, t, sizeof t));
			if (r->off || !tnum_is_const(r->var) || r->var.value)
				return verr(e, -EACCES, "R%d must have zero offset when passed to release func", regno);
			release_ref = (int)r->ref_obj_id;
			break;
		case A_FUNC:
			if (r->type != T_FUNC)
				return verr(e, -EACCES, "R%d type=%s expected=func", regno, rtype_str(r, t, sizeof t));
			*callback = r->subprog;
			break;
		case A_STACK_OR_NULL:
			if (r->type == T_SCALAR)
				mark_precise(e, st, regno);
			if (!(r->type == T_STACK || (r->type == T_SCALAR && tnum_equals_const(r->var, 0))))
				return verr(e, -EACCES, "R%d type=%s expected=fp", regno, rtype_str(r, t, sizeof t));
			break;
		}
	}
	if (map >= 0) {
		uint32_t mt = e->maps[map].type;
		bool ok = true;
		if (in->imm == 12 && mt != 3)
			return verr(e, -EINVAL, "expected prog array map for tail call");
		else if (in->imm >= 130 && in->imm <= 133)
			ok = mt == 27;
		else if (in->imm >= 1 && in->imm <= 3)
			ok = mt != 3 && mt != 27;
		if (!ok)
			return verr(e, -EINVAL, "cannot pass map_type %u into func %s#%d", mt, h->name, in->imm);
	}
	if ((in->imm == 93 || in->imm == 94) && cur_regs(st)[1].type == T_MAP_VALUE && cur_regs(st)[1].id) {
		/* bpf_spin_lock / bpf_spin_unlock: the held lock is a reference named by the
		 * map value's id, as the kernel 6.18 keeps (and prints) it */
		uint32_t id = cur_regs(st)[1].id;
		if (in->imm == 93 && st->nrefs < MAX_REFS) {
			st->refs[st->nrefs] = id;
			st->ref_insn[st->nrefs] = (uint32_t)insn_idx;
			st->ref_lock[st->nrefs] = 1;
			st->nrefs++;
		} else if (in->imm == 94) {
			for (int i = 0; i < st->nrefs; i++)
				if (st->ref_lock[i] && st->refs[i] == id) {
					st->refs[i] = st->refs[st->nrefs - 1];
					st->ref_insn[i] = st->ref_insn[st->nrefs - 1];
					st->ref_lock[i] = st->ref_lock[st->nrefs - 1];
					st->nrefs--;
					break;
				}
		}
	}
	if (release_ref >= 0) {
		bool found = false;
		for (int i = 0; i < st->nrefs; i++)
			if (st->refs[i] == (uint32_t)release_ref) {
				st->refs[i] = st->refs[st->nrefs - 1];
				st->ref_insn[i] = st->ref_insn[st->nrefs - 1];
				st->ref_lock[i] = st->ref_lock[st->nrefs - 1];
				st->nrefs--;
				found = true;
				break;
			}
		if (!found)
			return verr(e, -EINVAL, "R1 must be referenced when passed to release function");
		struct rel_arg ra = { (uint32_t)release_ref };
		for_each_reg(st, release_fn, &ra);
	}
	if (h->pkt_changing)
		for_each_reg(st, clear_pkt_fn, NULL);
	regs = cur_regs(st);
	for (int r = 1; r <= 5; r++) {
		memset(&regs[r], 0, sizeof(regs[r]));
		regs[r].type = T_NOT_INIT;
	}
	struct vreg *r0 = &regs[0];
	switch (h->ret) {
	case R_VOID: /* nothing to read in R0 after it, as in the kernel */
		memset(r0, 0, sizeof(*r0));
		r0->type = T_NOT_INIT;
		break;
	case R_INT:
		v_mark_unknown(r0);
		if (h->ret_min != S64_MIN || h->ret_max != S64_MAX) {
			r0->umin = (uint64_t)h->ret_min;
			r0->umax = (uint64_t)h->ret_max;
			v_sync(r0);
		}
		break;
	case R_MAP_VALUE_OR_NULL:
		memset(r0, 0, sizeof(*r0));
		r0->type = T_MAP_VALUE;
		r0->maybe_null = 1;
		if (in->imm == 1 && map >= 0 && (e->maps[map].type == 2 || e->maps[map].type == 6) &&
		    const_key >= 0 && (uint64_t)const_key < e->maps[map].max_entries)
			r0->maybe_null = 0; /* array lookup with a constant key in range never fails */
		/* a map-in-map lookup stays a value of the outer map until the null check
		 * makes it the inner map's pointer (kernel: mark_ptr_or_null_reg) */
		r0->map = map;
		/* a value with a spin lock keeps an id: the lock is held by it (kernel) */
		r0->id = r0->maybe_null || (r0->type == T_MAP_VALUE && map >= 0 && e->map_lock && e->map_lock[map]) ?
			 ++e->id_gen : 0;
		v_bounds_zero(r0);
		break;
	case R_RINGBUF_OR_NULL:
		memset(r0, 0, sizeof(*r0));
		r0->type = T_RINGBUF_MEM;
		r0->maybe_null = 1;
		r0->range = (int32_t)const_size;
		r0->id = ++e->id_gen;
		v_bounds_zero(r0);
		if (st->nrefs >= MAX_REFS)
			return verr(e, -EINVAL, "too many references");
		r0->ref_obj_id = ++e->id_gen;
		st->refs[st->nrefs] = r0->ref_obj_id;
		st->ref_insn[st->nrefs] = (uint32_t)insn_idx;
		st->ref_lock[st->nrefs] = 0;
		st->nrefs++;
		break;
	}
	return 0;
}

/* ---- calls and exits ---- */

static int enter_frame(struct venv *e, struct vstate *st, int callsite, int target, bool cb,
		       const struct vreg *cb_ctx)
{
	if (st->curframe + 1 >= MAX_FRAMES)
		return verr(e, -E2BIG, "the call stack of %d frames is too deep", st->curframe + 2);
	struct vframe *caller = st->fr[st->curframe];
	struct vframe *f = frame_new(e);
	if (!f)
		return verr(e, -ENOMEM, "out of memory");
	f->callsite = callsite;
	int sub = e->subprog_of[target];
	f->subprog = sub;
	f->is_callback = cb;
	for (int r = 0; r <= 10; r++)
		f->regs[r].type = T_NOT_INIT;
	if (cb) {
		/* the index: SCALAR_VALUE with no bounds, as the kernel's set_loop_callback_state */
		v_mark_unknown(&f->regs[1]);
		f->regs[2] = *cb_ctx;
	} else {
		for (int r = 1; r <= 5; r++)
			f->regs[r] = caller->regs[r];
	}
	f->regs[10].type = T_STACK;
	v_bounds_zero(&f->regs[10]);
	f->regs[10].frameno = (uint8_t)(st->curframe + 1);
	st->curframe++;
	st->fr[st->curframe] = f;
	if (!cb) {
		for (int r = 0; r <= 5; r++) {
			memset(&caller->regs[r], 0, sizeof(struct vreg));
			caller->regs[r].type = T_NOT_INIT;
		}
	}
	return 0;
}

/* A prototype bpfkit can check: at most 5 arguments of known kinds, sizes a register
 * range holds (anything else is verified inline, as a static function). */
static bool global_proto_ok(const struct bk_vfunc *f)
{
	if (f->nargs > 5)
		return false;
	for (int a = 0; a < f->nargs; a++)
		if (f->arg[a] < BK_VARG_SCALAR || f->arg[a] > BK_VARG_MEM ||
		    (f->arg[a] == BK_VARG_MEM && (!f->arg_size[a] || f->arg_size[a] > (1u << 29))))
			return false;
	return true;
}

/* Between two roots the kernel frees its explored states: pruning never crosses them. */
static void reset_root(struct venv *e)
{
	for (int i = 0; i < e->nck; i++)
		state_free(e, &e->ck[i].st);
	e->ck_before += e->nck;
	e->nck = 0;
	e->live_ck = 0;
	for (int i = 0; i < e->n; i++)
		e->head[i] = -1;
	e->nhist = 0;
	e->nlinks = 0;
	e->pending_ck = -1;
	e->nvis = 0;
	e->nbe = 0;
}

/* A call of a global function: the arguments must match its prototype (the kernel's
 * btf_check_subprog_call); the callee is verified on its own later, the caller sees an
 * unknown scalar in R0. */
static int call_global(struct venv *e, struct vstate *st, int sub)
{
	const struct bk_vfunc *fn = &e->funcs[e->sub_func[sub]];
	struct vreg *regs = cur_regs(st);
	int rc = 0;
	char t[32];
	if (fn->unsupported) {
		/* the kernel refuses the prototype at the first call (btf_prepare_func_args) */
		if (fn->why[0])
			rc = verr(e, -EINVAL, "%s", fn->why);
		return verr(e, -EINVAL, "Caller passes invalid args into func#%d ('%s')", sub, fn->name);
	}
	for (int a = 0; a < fn->nargs && !rc; a++) {
		int regno = a + 1;
		struct vreg *r = &regs[regno];
		if ((rc = check_reg_read(e, regs, regno)))
			return rc;
		switch (fn->arg[a]) {
		case BK_VARG_SCALAR:
			if (r->type != T_SCALAR)
				rc = verr(e, -EINVAL, "R%d is not a scalar", regno);
			break;
		case BK_VARG_CTX:
			if (r->type == T_CTX && (r->off || !tnum_equals_const(r->var, 0)))
				rc = verr(e, -EACCES, "dereference of modified ctx ptr R%d off=%d disallowed",
					  regno, r->off);
			else if (r->type != T_CTX)
				rc = verr(e, -EINVAL, "arg#%d expects pointer to ctx", a);
			break;
		case BK_VARG_MEM: {
			if (r->type == T_SCALAR && tnum_equals_const(r->var, 0))
				break; /* NULL: the prototype allows it */
			struct vreg saved = *r;
			r->maybe_null = 0;
			if (saved.type == T_SCALAR || saved.type == T_CTX || saved.type == T_MAP_PTR ||
			    saved.type == T_PKT_END || saved.type == T_FUNC || saved.type == T_SOCK_COMMON)
				rc = verr(e, -EACCES, "R%d type=%s expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_",
					  regno, rtype_str(&saved, t, sizeof t));
			else
				rc = check_helper_mem(e, st, regno, fn->arg_size[a], false, false);
			*r = saved;
			break;
		}
		}
	}
	if (rc)
		return verr(e, rc, "Caller passes invalid args into func#%d ('%s')", sub, fn->name);
	if (e->log_level >= 1)
		logf_(e, "Func#%d ('%s') is global and assumed valid.\n", sub, fn->name);
	e->sub_called[sub] = true;
	for (int r = 1; r <= 5; r++) {
		memset(&regs[r], 0, sizeof(regs[r]));
		regs[r].type = T_NOT_INIT;
	}
	v_mark_unknown(&regs[0]);
	return 0;
}

/* ---- main loop ---- */

static int do_check(struct venv *e)
{
	struct vstate cur;
	memset(&cur, 0, sizeof cur);
	cur.parent = -1;
	cur.hist = -1;
	e->pending_ck = -1;
	cur.fr[0] = frame_new(e);
	if (!cur.fr[0])
		return verr(e, -ENOMEM, "out of memory");
	struct vframe *f0 = cur.fr[0];
	f0->callsite = -1;
	f0->subprog = e->root_sub;
	if (e->root_sub) {
		/* a global function: its arguments as its prototype types them */
		const struct bk_vfunc *fn = &e->funcs[e->sub_func[e->root_sub]];
		for (int a = 0; a < fn->nargs; a++) {
			struct vreg *r = &f0->regs[a + 1];
			if (fn->arg[a] == BK_VARG_CTX) {
				r->type = T_CTX;
				v_bounds_zero(r);
			} else if (fn->arg[a] == BK_VARG_MEM) {
				r->type = T_MEM;
				v_bounds_zero(r);
				r->maybe_null = 1;
				r->id = ++e->id_gen;
				r->range = (int32_t)fn->arg_size[a];
			} else {
				v_mark_unknown(r);
			}
		}
	} else {
		f0->regs[1].type = T_CTX;
		v_bounds_zero(&f0->regs[1]);
	}
	f0->regs[10].type = T_STACK;
	v_bounds_zero(&f0->regs[10]);
	int insn = e->sub_start[e->root_sub], prev = -1;
	bool print_from = false;
	if (e->log_level >= 2) {
		logf_(e, "0:");
		print_state(e, &cur);
	}
	int rc = 0;
	for (;;) {
		if (insn < 0 || insn >= e->n) {
			e->err_insn = prev;
			rc = verr(e, -EFAULT, "invalid insn idx %d insn_cnt %d", insn, e->n);
			break;
		}
		cur.insn = insn;
		if (++e->processed > e->limit) {
			e->err_insn = insn;
			rc = verr(e, -E2BIG, "BPF program is too large. Processed %u insn", e->processed);
			break;
		}
		int pruned = 0;
		if (e->prune[insn]) {
			pruned = is_state_visited(e, &cur, insn);
			if (pruned < 0) {
				rc = pruned;
				break;
			}
		}
		if (e->pend_in && !pruned) {
			int slot = e->access_slot;
			uint64_t cs = e->call_slots;
			e->access_slot = e->pend_slot;
			e->call_slots = e->pend_slots;
			print_scratched(e, &cur, e->pend_in, e->pend_frame);
			e->access_slot = slot;
			e->call_slots = cs;
		}
		e->pend_in = NULL;
		if (pruned) {
			if (e->log_level >= 1 && print_from)
				logf_(e, "from %d to %d: safe\n", prev, insn);
			else if (e->log_level >= 1)
				logf_(e, "%d: safe\n", insn);
			goto path_end;
		}
		if (print_from && e->log_level >= 1) {
			logf_(e, "from %d to %d:", prev, insn);
			print_state(e, &cur);
			if (e->log_level >= 2) {
				/* every register of a popped state counts as touched: the kernel
				 * prints them again before the instruction */
				logf_(e, "%d:", insn);
				print_state(e, &cur);
			}
		}
		print_from = false;
		if ((rc = hist_push(e, &cur, insn)))
			break;
		e->flags[insn] |= BK_VF_VISITED;
		if (e->log_level >= 1)
			print_insn(e, insn);
		e->insn_log_end = e->log ? e->log->len : 0;

		const struct bk_insn *in = &e->insns[insn];
		int frame_before = cur.curframe;
		e->access_slot = -1;
		e->call_slots = 0;
		enum bk_op bop = bk_isa_decode(in);
		struct vreg *regs = cur_regs(&cur);
		int cls = BK_CLASS(in->code);
		int next = insn + 1;
		e->err_insn = insn;
		if (cls == BK_CLASS_STX && BK_MODE(in->code) == BK_MODE_ATOMIC &&
		    BK_SIZE(in->code) != BK_SIZE_W && BK_SIZE(in->code) != BK_SIZE_DW) {
			rc = verr(e, -EINVAL, "invalid atomic operand size");
			break;
		}
		if (bop == BK_OP_INVALID || e->is_second[insn]) {
			rc = verr(e, -EINVAL, "unknown opcode %02x", in->code);
			break;
		}
		const struct bk_opinfo *info = bk_isa_info(bop);
		if (cls == BK_CLASS_LDX || cls == BK_CLASS_ST || cls == BK_CLASS_STX) {
			/* the runtime may skip its check only where every path reached memory whose
			 * bounds the verifier proved (not the context, rewritten; not a map) */
			int base = cls == BK_CLASS_LDX ? in->src : in->dst;
			int t = base <= 10 ? regs[base].type : T_NOT_INIT;
			if (t != T_STACK && t != T_MAP_VALUE && t != T_PKT && t != T_PKT_META && t != T_MEM &&
			    t != T_RINGBUF_MEM)
				e->flags[insn] |= VF_UNPROVED;
		}
		switch (cls) {
		case BK_CLASS_ALU:
		case BK_CLASS_ALU64: {
			static const char *const cn[] = { "", "", "", "", "BPF_ALU", "", "", "BPF_ALU" };
			if (((info->zero & BK_Z_SRC) && in->src) || ((info->zero & BK_Z_OFF) && in->off) ||
			    ((info->zero & BK_Z_IMM) && in->imm)) {
				rc = verr(e, -EINVAL, "%s uses reserved fields", cn[cls]);
				break;
			}
			rc = do_alu(e, &cur, in, bop);
			break;
		}
		case BK_CLASS_LDX: {
			if (in->imm) {
				rc = verr(e, -EINVAL, "BPF_LDX uses reserved fields");
				break;
			}
			if ((rc = check_reg_read(e, regs, in->src)) || (rc = check_reg_write(e, in->dst)))
				break;
			struct vreg dst = regs[in->dst];
			bool proven;
			rc = check_mem_access(e, &cur, in->src, in->off, info->mem_size, false, -1, &dst,
					      BK_MODE(in->code) == BK_MODE_MEMSX, false, &proven);
			if (rc)
				break;
			dst.frameno = regs[in->dst].frameno;
			regs[in->dst] = dst;
			break;
		}
		case BK_CLASS_ST:
		case BK_CLASS_STX: {
			bool proven;
			if (BK_MODE(in->code) == BK_MODE_ATOMIC) {
				if ((rc = check_reg_read(e, regs, in->src)) || (rc = check_reg_read(e, regs, in->dst)))
					break;
				if (in->imm == BK_ATOMIC_CMPXCHG && (rc = check_reg_read(e, regs, 0)))
					break;
				if (is_ptr(&regs[in->src]) && !e->priv) {
					rc = verr(e, -EACCES, "R%d leaks addr into mem", in->src);
					break;
				}
				struct vreg *d = &regs[in->dst];
				if (d->type == T_CTX || d->type == T_PKT || d->type == T_PKT_META) {
					char t[32];
					rc = verr(e, -EACCES, "BPF_ATOMIC stores into R%d %s is not allowed", in->dst,
						  rtype_str(d, t, sizeof t));
					break;
				}
				struct vreg loaded;
				memset(&loaded, 0, sizeof loaded);
				rc = check_mem_access(e, &cur, in->dst, in->off, info->mem_size, false, -1, &loaded,
						      false, false, &proven);
				if (rc)
					break;
				if (d->type == T_STACK && tnum_is_const(d->var)) {
					/* a spilled pointer cannot be the target of an atomic op */
					struct vframe *f = cur.fr[d->frameno];
					int idx = (int)d->var.value + d->off + in->off + MAX_STACK;
					if (idx >= 0 && idx < MAX_STACK && f->slot[idx] == SLOT_SPILL &&
					    SPILL(f, idx / 8).type != T_SCALAR) {
						rc = verr(e, -EACCES, "R%d invalid mem access 'scalar'", in->dst);
						break;
					}
				}
				struct vreg misc;
				v_mark_unknown(&misc);
				rc = check_mem_access(e, &cur, in->dst, in->off, info->mem_size, true, -1, NULL,
						      false, false, &proven);
				if (rc)
					break;
				if (d->type == T_STACK && tnum_is_const(d->var)) {
					struct vframe *f = cur.fr[d->frameno];
					int idx = (int)d->var.value + d->off + in->off + MAX_STACK;
					for (int k = 0; k < info->mem_size; k++)
						f->slot[idx + k] = SLOT_MISC;
				}
				if (in->imm == BK_ATOMIC_CMPXCHG) {
					v_mark_unknown(&regs[0]);
					if (info->mem_size == 4) v_coerce(&regs[0], 4);
				} else if (in->imm & BK_ATOMIC_FETCH) {
					v_mark_unknown(&regs[in->src]);
					if (info->mem_size == 4) v_coerce(&regs[in->src], 4);
				}
				break;
			}
			if (cls == BK_CLASS_STX) {
				if (in->imm) {
					rc = verr(e, -EINVAL, "BPF_STX uses reserved fields");
					break;
				}
				if ((rc = check_reg_read(e, regs, in->src)) || (rc = check_reg_read(e, regs, in->dst)))
					break;
				const struct vreg *v = &regs[in->src];
				bool zero = v->type == T_SCALAR && tnum_equals_const(v->var, 0) && info->mem_size < 8;
				const struct vreg *pd = &regs[in->dst];
				bool narrow_spill = e->priv && pd->type == T_STACK && tnum_is_const(pd->var) &&
						    ((int64_t)pd->var.value + pd->off + in->off) % 8 == 0;
				if (info->mem_size < 8 && v->type == T_SCALAR && regs[in->dst].type == T_STACK &&
				    !narrow_spill) {
					/* zero bytes on the stack are only as good as the register's
					 * precision: the kernel marks it here */
					if (zero)
						mark_precise(e, &cur, in->src);
					rc = check_mem_access(e, &cur, in->dst, in->off, info->mem_size, true, -1, NULL,
							      false, zero, &proven);
				} else {
					rc = check_mem_access(e, &cur, in->dst, in->off, info->mem_size, true, in->src,
							      NULL, false, zero, &proven);
				}
			} else {
				if (in->src) {
					rc = verr(e, -EINVAL, "BPF_ST uses reserved fields");
					break;
				}
				if ((rc = check_reg_read(e, regs, in->dst)))
					break;
				struct vreg *d = &regs[in->dst];
				if (d->type == T_STACK && (info->mem_size == 8 ||
							   (e->priv && tnum_is_const(d->var) &&
							    ((int64_t)d->var.value + d->off + in->off) % 8 == 0))) {
					/* an 8-byte immediate store, or an aligned narrower one (privileged), is
					 * tracked as a spilled constant */
					struct vreg c;
					v_mark_const(&c, (uint64_t)(int64_t)in->imm);
					int slot = 11;
					struct vreg saved = regs[0];
					(void)slot;
					regs[0] = c;
					rc = check_mem_access(e, &cur, in->dst, in->off, info->mem_size, true, 0, NULL,
							      false, in->imm == 0, &proven);
					regs = cur_regs(&cur);
					regs[0] = saved;
				} else {
					rc = check_mem_access(e, &cur, in->dst, in->off, info->mem_size, true, -1, NULL,
							      false, in->imm == 0, &proven);
				}
			}
			break;
		}
		case BK_CLASS_LD: {
			if (is_ldimm64(in)) {
				if ((rc = check_reg_write(e, in->dst)))
					break;
				struct vreg *d = &regs[in->dst];
				uint8_t fr = d->frameno;
				memset(d, 0, sizeof(*d));
				d->frameno = fr;
				uint64_t v = (uint32_t)in->imm | ((uint64_t)(uint32_t)in[1].imm << 32);
				switch (in->src) {
				case 0:
					v_mark_const(d, v);
					break;
				case BK_PSEUDO_MAP_FD: case BK_PSEUDO_MAP_IDX:
					d->type = T_MAP_PTR;
					d->map = in->imm;
					v_bounds_zero(d);
					break;
				case BK_PSEUDO_MAP_VALUE: case BK_PSEUDO_MAP_IDX_VALUE:
					d->type = T_MAP_VALUE;
					d->map = in->imm;
					v_bounds_zero(d);
					d->off = in[1].imm;
					break;
				case BK_PSEUDO_FUNC:
					d->type = T_FUNC;
					d->subprog = clip_target((int64_t)insn + in->imm + 1);
					v_bounds_zero(d);
					break;
				default:
					rc = verr(e, -EINVAL, "unrecognized bpf_ld_imm64 insn");
				}
				next = insn + 2;
				break;
			}
			if (BK_SIZE(in->code) == BK_SIZE_DW || BK_MODE(in->code) == BK_MODE_IMM) {
				rc = verr(e, -EINVAL, "invalid BPF_LD_IMM insn");
				break;
			}
			/* legacy packet loads */
			if (!(e->prog_type == BK_VPROG_SOCKET_FILTER || e->prog_type == BK_VPROG_SCHED_CLS ||
			      e->prog_type == BK_VPROG_SCHED_ACT)) {
				rc = verr(e, -EINVAL, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
				break;
			}
			if ((rc = check_reg_read(e, regs, 6)))
				break;
			if (BK_MODE(in->code) == BK_MODE_IND && (rc = check_reg_read(e, regs, in->src)))
				break;
			if (regs[6].type != T_CTX) {
				rc = verr(e, -EINVAL, "at the time of BPF_LD_ABS|IND R6 != pointer to skb");
				break;
			}
			for (int r = 1; r <= 5; r++) {
				memset(&regs[r], 0, sizeof(regs[r]));
				regs[r].type = T_NOT_INIT;
			}
			v_mark_unknown(&regs[0]);
			v_coerce(&regs[0], info->mem_size);
			break;
		}
		case BK_CLASS_JMP:
		case BK_CLASS_JMP32: {
			int op = BK_OP(in->code);
			bool is64 = cls == BK_CLASS_JMP;
			if (op == BK_JEXIT || op == BK_JCALL)
				e->jmps++;
			if (op == BK_JEXIT) {
				if (in->imm || in->src || in->dst || in->off) {
					rc = verr(e, -EINVAL, "BPF_EXIT uses reserved fields");
					break;
				}
				if ((rc = check_reg_read(e, regs, 0))) {
					break;
				}
				struct vframe *f = cur.fr[cur.curframe];
				if (cur.curframe > 0) {
					struct vframe *caller = cur.fr[cur.curframe - 1];
					if (f->is_callback) {
						struct vreg *r0 = &regs[0];
						mark_precise(e, &cur, 0);
						if (r0->type != T_SCALAR) {
							char t[32];
							rc = verr(e, -EACCES, "At callback return the register R0 is not a known value (%s)",
								  rtype_str(r0, t, sizeof t));
							break;
						}
						if (r0->smin < 0 || r0->smax > 1) {
							if (tnum_is_const(r0->var))
								rc = verr(e, -EACCES, "At callback return the register R0 has value %lld should have been in [0, 1]",
									  (long long)r0->var.value);
							else
								rc = verr(e, -EACCES, "At callback return the register R0 has unknown scalar value should have been in [0, 1]");
							break;
						}
						next = f->callsite; /* the call again: the next iteration */
					} else {
						struct vreg r0 = regs[0];
						if (r0.type == T_STACK && r0.frameno == cur.curframe) {
							rc = verr(e, -EINVAL, "cannot return stack pointer to the caller");
							break;
						}
						caller->regs[0] = r0;
					}
					if (!f->is_callback)
						next = f->callsite + 1;
					frame_put(e, f);
					cur.fr[cur.curframe] = NULL;
					cur.curframe--;
					break;
				}
				if (e->root_sub && regs[0].type != T_SCALAR) {
					char t[32];
					rc = verr(e, -EINVAL, "At subprogram exit the register R0 is not a scalar value (%s)",
						  rtype_str(&regs[0], t, sizeof t));
					break;
				}
				/* main program exit */
				int leak = 0;
				while (leak < cur.nrefs && cur.ref_lock[leak])
					leak++;
				if (leak < cur.nrefs) {
					vnote(e, "Unreleased reference id=%u alloc_insn=%u", cur.refs[leak],
					      cur.ref_insn[leak]);
					rc = verr(e, -EINVAL, "BPF_EXIT instruction in main prog would lead to reference leak");
					break;
				}
				if (is_ptr(&regs[0]) && !e->priv) {
					rc = verr(e, -EACCES, "R0 leaks addr as return value");
					break;
				}
				goto path_end;
			}
			if (op == BK_JCALL) {
				if (in->code != (BK_CLASS_JMP | BK_JCALL)) {
					rc = verr(e, -EINVAL, "unknown opcode %02x", in->code);
					break;
				}
				if (in->off || in->dst || (in->src != BK_PSEUDO_CALL && in->src != 0 && in->src != BK_PSEUDO_KFUNC_CALL)) {
					rc = verr(e, -EINVAL, "BPF_CALL uses reserved fields");
					break;
				}
				if (in->src == BK_PSEUDO_KFUNC_CALL) {
					rc = verr(e, -EINVAL, "kernel function calls are not supported offline");
					break;
				}
				if (in->src == BK_PSEUDO_CALL) {
					int target = clip_target((int64_t)insn + in->imm + 1);
					if (e->sub_func[e->subprog_of[target]] >= 0) {
						rc = call_global(e, &cur, e->subprog_of[target]);
						break;
					}
					rc = enter_frame(e, &cur, insn, target, false, NULL);
					next = target;
					break;
				}
				int cb = -1;
				struct vreg cbctx = regs[3];
				/* bpf_loop: one more callback iteration waits on the stack (its exit
				 * comes back to this call), and this path goes on as if the callback
				 * ran no more; iterations stop when the state at the call repeats. */
				struct vstate pre;
				bool have_pre = e->prune[insn] == 3 && !state_copy(e, &pre, &cur);
				rc = check_helper(e, &cur, in, insn, &cb);
				if (!rc && cb >= 0 && have_pre) {
					rc = enter_frame(e, &pre, insn, cb, true, &cbctx);
					if (!rc) {
						pre.fr[pre.curframe]->cb_ret_insn = insn;
						pre.cb_depth++;
						rc = push_branch(e, &pre, cb, insn);
					}
				} else if (!rc && cb >= 0) {
					rc = verr(e, -ENOMEM, "out of memory");
				}
				if (have_pre)
					state_free(e, &pre);
				break;
			}
			if (op == BK_JA) {
				if (in->src || in->dst || (is64 && in->imm) || (!is64 && in->off)) {
					rc = verr(e, -EINVAL, "BPF_JA uses reserved fields");
					break;
				}
				next = insn_target(in, insn);
				e->jmps++;
				break;
			}
			if (in->code == (BK_CLASS_JMP | BK_JMAYGOTO)) {
				/* as the kernel: the way out first, the next iteration waits on the
				 * stack one may_goto deeper */
				if (in->src || in->dst || in->imm) {
					rc = verr(e, -EINVAL, "invalid may_goto imm %d", in->imm);
					break;
				}
				e->jmps++;
				int pk = e->priv ? prev_iteration(e, &cur, insn) : -1;
				rc = push_branch(e, &cur, insn + 1, insn);
				if (rc)
					break;
				struct pending *p = &e->stack[e->nstack - 1];
				p->st.may_goto_depth++;
				if (pk >= 0)
					widen_imprecise(&e->ck[pk].st, &p->st);
				next = insn_target(in, insn);
				break;
			}
			/* conditional */
			if ((rc = check_reg_read(e, regs, in->dst)))
				break;
			if (BK_SRCBIT(in->code) && (rc = check_reg_read(e, regs, in->src)))
				break;
			if (BK_SRCBIT(in->code) ? in->imm != 0 : in->src != 0) {
				rc = verr(e, -EINVAL, "BPF_JMP/JMP32 uses reserved fields");
				break;
			}
			if (!e->priv && BK_SRCBIT(in->code) && is_ptr(&regs[in->src]) && !(
			    (regs[in->dst].type == T_PKT || regs[in->dst].type == T_PKT_END ||
			     regs[in->dst].type == T_PKT_META))) {
				rc = verr(e, -EACCES, "R%d pointer comparison prohibited", in->src);
				break;
			}
			e->jmps++;
			int target = insn_target(in, insn);
			int taken = cond_taken(e, &cur, in, op, is64);
			bool dsc = regs[in->dst].type == T_SCALAR;
			bool ssc = BK_SRCBIT(in->code) && regs[in->src].type == T_SCALAR;
			if (taken >= 0) {
				if (dsc)
					mark_precise(e, &cur, in->dst);
				if (ssc)
					mark_precise(e, &cur, in->src);
			} else {
				hist_links(e, &cur, dsc ? regs[in->dst].id : 0, ssc ? regs[in->src].id : 0);
			}
			if (taken == 1) {
				next = target;
				break;
			}
			if (taken == 0)
				break;
			/* both ways: the taken side waits on the stack */
			rc = push_branch(e, &cur, target, insn);
			if (rc)
				break;
			struct pending *p = &e->stack[e->nstack - 1];
			int r1 = refine_branch(e, &p->st, in, op, is64);
			if (r1 == 1) {
				/* impossible: drop it */
				state_free(e, &p->st);
				e->nstack--;
				if (cur.parent >= 0)
					e->ck[cur.parent].branches--;
			}
			int r2 = refine_branch(e, &cur, in, v_negate_op(op), is64);
			if (r1 == 1 || r2 == 1) {
				/* one side is impossible: the ranges decided it, as a taken branch */
				if (dsc)
					mark_precise(e, &cur, in->dst);
				if (ssc)
					mark_precise(e, &cur, in->src);
			}
			if (r2 == 1)
				goto path_end;
			break;
		}
		}
		if (rc)
			break;
		if (e->log_level >= 2) {
			int op = BK_OP(in->code);
			if ((cls == BK_CLASS_JMP || cls == BK_CLASS_JMP32) && op != BK_JCALL && op != BK_JA &&
			    op != BK_JEXIT && in->code != (BK_CLASS_JMP | BK_JMAYGOTO)) {
				print_scratched(e, &cur, in, frame_before);
			} else {
				e->pend_in = in;
				e->pend_frame = frame_before;
				e->pend_slot = e->access_slot;
				e->pend_slots = e->call_slots;
			}
		}
		prev = insn;
		insn = next;
		continue;
path_end:
		path_done(e, cur.parent);
		state_free(e, &cur);
		if (!e->nstack) {
			rc = 0;
			goto out;
		}
		{
			struct pending *p = &e->stack[--e->nstack];
			cur = p->st;
			insn = p->insn;
			prev = p->prev;
			print_from = true;
		}
	}
	/* error: drop everything */
out:
	state_free(e, &cur);
	while (e->nstack)
		state_free(e, &e->stack[--e->nstack].st);
	return rc;
}

/* The combined stack of the deepest call chain (kernel: check_max_stack_depth). */
static int check_stack_depth(struct venv *e)
{
	/* depth-first over calls from each subprogram, with memo-free recursion bounded by 8 frames */
	struct { int sub, pc, depth, frames; } stk[MAX_FRAMES + 1];
	int sp = 0;
	stk[0].sub = 0;
	stk[0].pc = e->sub_start[0];
	int d0 = e->sub_depth[0] ? (e->sub_depth[0] + 31) / 32 * 32 : 32;
	stk[0].depth = d0;
	stk[0].frames = 1;
	int worst = 0;
	long budget = 1000000;
	while (sp >= 0 && budget-- > 0) {
		int s = stk[sp].sub;
		int end = e->sub_start[s + 1];
		if (stk[sp].depth > MAX_STACK) {
			e->err_insn = -1;
			return verr(e, -EACCES, "combined stack size of %d calls is %d. Too large",
				    stk[sp].frames, stk[sp].depth);
		}
		if (stk[sp].depth > worst)
			worst = stk[sp].depth;
		int i = stk[sp].pc;
		for (; i < end; i++) {
			if (is_pseudo_call(&e->insns[i]) && (e->flags[i] & BK_VF_VISITED))
				break;
			if (is_ldimm64(&e->insns[i]) && e->insns[i].src == BK_PSEUDO_FUNC &&
			    (e->flags[i] & BK_VF_VISITED))
				break;
		}
		if (i >= end) {
			sp--;
			continue;
		}
		stk[sp].pc = i + (is_ldimm64(&e->insns[i]) ? 2 : 1);
		if (sp + 1 >= MAX_FRAMES)
			continue;
		int t = clip_target((int64_t)i + e->insns[i].imm + 1);
		int cs = e->subprog_of[t];
		int d = e->sub_depth[cs] ? (e->sub_depth[cs] + 31) / 32 * 32 : 32;
		sp++;
		stk[sp].sub = cs;
		stk[sp].pc = e->sub_start[cs];
		stk[sp].depth = stk[sp - 1].depth + d;
		stk[sp].frames = stk[sp - 1].frames + 1;
	}
	return 0;
}

static const struct { const char *pat, *advice; } advices[] = {
	{ "invalid mem access 'map_value_or_null'", "check the pointer bpf_map_lookup_elem returned against NULL before using it" },
	{ "invalid mem access 'ringbuf_mem_or_null'", "check the pointer bpf_ringbuf_reserve returned against NULL before using it" },
	{ "invalid mem access 'scalar'", "this register holds a number, not a pointer: load it from a pointer the verifier knows (ctx, stack, map value, packet)" },
	{ "invalid access to packet", "add a bounds check against data_end before this load (if (data + N > data_end) return ...)" },
	{ "offset is outside of the packet", "add a bounds check against data_end before this load (if (data + N > data_end) return ...)" },
	{ "!read_ok", "the register is read before anything was written to it; after a call r1-r5 are clobbered" },
	{ "invalid bpf_context access", "this program type may not access that context field at that size; see the context struct" },
	{ "unreachable insn", "remove the dead code or jump to it" },
	{ "jump out of range", "a jump target lies outside the function" },
	{ "back-edge", "loops need CAP_BPF (privileged load)" },
	{ "infinite loop detected", "the loop's state never changes: make its condition depend on a counter" },
	{ "unbounded min value", "bound the index from below (use an unsigned type or check index >= 0)" },
	{ "min value is negative", "use an unsigned index or check index >= 0 before using it" },
	{ "max value is outside", "compare the index with the map value size before the access" },
	{ "min value is outside", "the offset is outside the map value: check it against the value size" },
	{ "unbounded memory access", "bound the size or index with 'var &= const' or 'if (var < const)'" },
	{ "variable-offset read from stack", "bound the stack index with a comparison before reading" },
	{ "cannot use helper", "this helper is not available to this program type" },
	{ "BPF program is too large", "the verifier explores every path: reduce branches or loop iterations" },
	{ "Unreleased reference", "every bpf_ringbuf_reserve needs a bpf_ringbuf_submit or bpf_ringbuf_discard on every path" },
	{ "Too large", "the combined stack of the deepest call chain exceeds 512 bytes: shrink locals or inline" },
	{ "frame pointer is read only", "r10 is the frame pointer; copy it to another register first" },
	{ "invalid write to stack", "the stack is 512 bytes below r10: offsets must be in [-512, 0)" },
	{ "invalid read from stack", "the stack is 512 bytes below r10: offsets must be in [-512, 0)" },
	{ "div by zero", "division by the constant 0" },
	{ "pointer arithmetic", "only add or subtract scalars to pointers, after the null check" },
};

/* Frames kept per thread between calls (about 1.6 KiB each). */
#define TL_POOL_MAX 2048
static _Thread_local struct vframe *tl_pool;
static _Thread_local int tl_npool;

int bk_verify(const struct bk_insn *insns, size_t n, const struct bk_verify_opts *opts,
	      struct bk_buf *log, struct bk_verify_result *res, struct bk_err *err)
{
	struct venv e;
	memset(&e, 0, sizeof e);
	e.insns = insns;
	e.n = (int)n;
	e.prog_type = BK_OPTS_GET(opts, prog_type, 0);
	if (!e.prog_type)
		e.prog_type = BK_VPROG_SOCKET_FILTER;
	e.priv = !BK_OPTS_GET(opts, unprivileged, false);
	e.log_level = BK_OPTS_GET(opts, log_level, 0);
	e.btf_func_info = BK_OPTS_GET(opts, btf_func_info, false);
	e.maps = BK_OPTS_GET(opts, maps, NULL);
	e.nmaps = e.maps ? (int)BK_OPTS_GET(opts, nmaps, 0) : 0;
	e.map_lock = e.maps ? BK_OPTS_GET(opts, map_spin_lock, NULL) : NULL;
	e.limit = BK_OPTS_GET(opts, insn_limit, 0);
	if (!e.limit)
		e.limit = 1000000;
	e.log = log;
	e.log_limit = BK_OPTS_GET(opts, log_limit, 0);
	if (!e.log_limit)
		e.log_limit = 16u << 20;
	if (log && log->len)
		e.log_limit += log->len;
	e.err_insn = -1;
	e.pool = tl_pool;
	e.npool = tl_npool;
	tl_pool = NULL;
	tl_npool = 0;
	int cpu = BK_OPTS_GET(opts, cpu, 0);
	if (res) {
		memset(res, 0, sizeof(*res));
		res->err_insn = -1;
	}
	int rc = 0;
	if (n == 0 || n > 1000000) {
		rc = n == 0 ? -EINVAL : -E2BIG;
		verr(&e, rc, n == 0 ? "empty program" : "program too large: %zu insns", n);
		goto done;
	}
	e.prune = calloc(n, 1);
	e.flags = calloc(n, 1);
	e.is_second = calloc(n, 1);
	e.live = calloc(n, sizeof(uint16_t));
	e.head = malloc(n * sizeof(int));
	e.subprog_of = calloc(n, sizeof(int));
	if (!e.prune || !e.flags || !e.is_second || !e.live || !e.head || !e.subprog_of) {
		rc = verr(&e, -ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		e.head[i] = -1;
	if (cpu > 0 && cpu < 4) {
		for (size_t i = 0; i < n; i++) {
			enum bk_op op = bk_isa_decode(&insns[i]);
			if (op != BK_OP_INVALID && bk_isa_info(op)->cpu > cpu) {
				e.err_insn = (int)i;
				rc = verr(&e, -EINVAL, "insn %zu needs -mcpu=v%d", i, bk_isa_info(op)->cpu);
				goto done;
			}
			if (op != BK_OP_INVALID && bk_isa_info(op)->slots == 2)
				i++;
		}
	}
	rc = check_structure(&e);
	if (rc)
		goto done;
	compute_liveness(&e);
	rc = compute_scc(&e);
	if (rc)
		goto done;
	e.funcs = BK_OPTS_GET(opts, funcs, NULL);
	e.nfuncs = e.funcs ? (int)BK_OPTS_GET(opts, nfuncs, 0) : 0;
	for (int s = 0; s < e.nsub; s++) {
		e.sub_func[s] = -1;
		for (int k = 0; k < e.nfuncs && s > 0; k++)
			if ((int64_t)e.funcs[k].insn == e.sub_start[s] && e.funcs[k].global &&
			    (e.funcs[k].unsupported || global_proto_ok(&e.funcs[k])))
				e.sub_func[s] = k;
	}
	rc = do_check(&e);
	/* then every global function a verified path called, once each, as the kernel's
	 * do_check_subprogs (a function called only from another global one comes next round) */
	for (bool again = !rc; again && !rc;) {
		again = false;
		for (int s = 1; s < e.nsub && !rc; s++) {
			if (e.sub_func[s] < 0 || !e.sub_called[s] || e.sub_func_done[s])
				continue;
			const char *fname = e.funcs[e.sub_func[s]].name;
			reset_root(&e);
			e.root_sub = s;
			if (e.log_level >= 1)
				logf_(&e, "Validating %s() func#%d...\n", fname, s);
			rc = do_check(&e);
			e.sub_func_done[s] = true;
			again = true;
			if (!rc && e.log_level >= 1)
				logf_(&e, "Func#%d ('%s') is safe for any args that match its prototype\n", s, fname);
		}
	}
	if (!rc)
		rc = check_stack_depth(&e);
done:
	if (!rc && log && e.log_level >= 1)
		bk_buf_printf(log, "processed %u insns (limit %u) max_states_per_insn %d total_states %d peak_states %d mark_read 0\n",
			      e.processed, e.limit, e.max_per_insn, e.nck + e.ck_before, e.nck + e.ck_before);
	else if (rc && log && e.log_level >= 1)
		bk_buf_printf(log, "processed %u insns (limit %u) max_states_per_insn %d total_states %d peak_states %d mark_read 0\n",
			      e.processed, e.limit, e.max_per_insn, e.nck + e.ck_before, e.nck + e.ck_before);
	if (res) {
		res->accepted = rc == 0;
		res->err_insn = rc ? e.err_insn : -1;
		res->processed = e.processed;
		res->total_states = (uint32_t)(e.nck + e.ck_before);
		res->peak_states = (uint32_t)(e.nck + e.ck_before);
		res->max_states_per_insn = (uint32_t)e.max_per_insn;
		res->stack_depth = e.sub_depth[0];
		if (rc) {
			snprintf(res->msg, sizeof res->msg, "%s", e.msg);
			if (!BK_OPTS_GET(opts, no_advice, false))
				for (size_t i = 0; i < sizeof(advices) / sizeof(advices[0]); i++)
					if (strstr(e.msg, advices[i].pat)) {
						snprintf(res->advice, sizeof res->advice, "%s", advices[i].advice);
						break;
					}
		}
		if (!rc && e.flags) {
			for (int i = 0; i < e.n; i++) {
				int c = BK_CLASS(insns[i].code);
				if ((e.flags[i] & BK_VF_VISITED) && !(e.flags[i] & VF_UNPROVED) &&
				    (c == BK_CLASS_LDX || c == BK_CLASS_ST || c == BK_CLASS_STX))
					e.flags[i] |= BK_VF_MEM_SAFE;
				e.flags[i] &= (uint8_t)~VF_UNPROVED;
			}
			res->insn_flags = e.flags;
			e.flags = NULL;
		}
	}
	if (rc) {
		if (e.err_insn >= 0)
			bk_err_set(err, rc, "insn %d: %s", e.err_insn, e.msg);
		else
			bk_err_set(err, rc, "%s", e.msg);
	}
	for (int i = 0; i < e.nck; i++)
		state_free(&e, &e.ck[i].st);
	/* keep some frames for the next call on this thread: fresh pages cost more than
	 * verifying a small program */
	while (e.pool && e.npool > TL_POOL_MAX) {
		struct vframe *f = e.pool;
		e.pool = f->pool_next;
		e.npool--;
		free(f);
	}
	tl_pool = e.pool;
	tl_npool = e.npool;
	free(e.ck);
	free(e.stack);
	free(e.prune);
	free(e.flags);
	free(e.is_second);
	free(e.live);
	free(e.hist);
	free(e.links);
	free(e.head);
	free(e.scc);
	free(e.vis);
	free(e.be);
	free(e.subprog_of);
	return rc;
}

void bk_verify_result_free(struct bk_verify_result *res)
{
	if (!res)
		return;
	free(res->insn_flags);
	res->insn_flags = NULL;
}
