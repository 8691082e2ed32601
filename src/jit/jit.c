/* The x86-64 JIT for the userspace runtime.
 *
 * What is compiled, and how (the rest is refused with the instruction named):
 *  - inline machine code, BPF registers kept in x86 registers as the kernel's JIT does
 *    (r0=rax r1=rdi r2=rsi r3=rdx r4=rcx r5=r8 r6=rbx r7=r13 r8=r14 r9=r15 r10=rbp;
 *    r9/r10/r11 scratch, r12 the run state): every ALU64/ALU32 form (div/mod with only
 *    the zero test, sdiv/smod with the zero and -1 tests, shifts, neg, movsx, byte swaps;
 *    no extra zero-extension: 32-bit x86 operations already clear the upper half), lddw
 *    (resolved by the vm at load), every conditional and unconditional jump, exit;
 *    loads and stores whose address falls in the stack (one inline range compare).
 *  - a call into the runtime (the vm's own region check, context accessors, the helper
 *    ABI with its pending stop/fail handling, exactly as interp_body.h): loads and
 *    stores outside the stack, atomics, ld_abs/ld_ind, helper calls, the end-of-program
 *    and unresolved-instruction faults.
 *  - the step budget is decremented on every backward jump, as the interpreter does.
 * Not compiled (refused): bpf-to-bpf calls, callx, may_goto, bpf_tail_call (helper 12);
 * a helper asking for a tail call by other means fails the run. No constant blinding.
 * Code pages are written, then switched to read+execute (never writable and
 * executable at once). */
#include "bpfkit/jit.h"
#include "../vm/vm_internal.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

bool bk_jit_supported(void)
{
#if defined(__x86_64__)
	return true;
#else
	return false;
#endif
}

/* Run state the machine code reads through r12. */
struct jst {
	uint64_t r[11];
	uint64_t budget;
	uint64_t stk_lo;
	uint64_t lim[9];          /* lim[size]: highest (addr - stk_lo) of a SIZE access */
	struct bk_run *run;
	struct bk_prog *prog;
	int ret;
	struct bk_region c;       /* the last region hit, as the interpreter keeps it */
};

struct jit {
	uint8_t *code;
	size_t size, map_size;
	uint32_t *slot_off;       /* n + 1 */
	struct bk_jit_info info;
};

#define OFF_R(i)   ((int32_t)(offsetof(struct jst, r) + 8 * (i)))
#define OFF_BUDGET ((int32_t)offsetof(struct jst, budget))
#define OFF_STKLO  ((int32_t)offsetof(struct jst, stk_lo))
#define OFF_LIM(s) ((int32_t)(offsetof(struct jst, lim) + 8 * (s)))

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
static const uint8_t map[11] = { RAX, RDI, RSI, RDX, RCX, R8, RBX, R13, R14, R15, RBP };

struct fix { uint32_t pos, target; };

struct em {
	uint8_t *b;
	size_t n, cap;
	struct fix *fx;
	size_t nfx, capfx;
	bool oom;
};

static void put(struct em *e, const void *p, size_t k)
{
	if (e->n + k > e->cap) {
		size_t nc = e->cap ? e->cap * 2 : 4096;
		while (nc < e->n + k)
			nc *= 2;
		uint8_t *nb = realloc(e->b, nc);
		if (!nb) {
			e->oom = true;
			return;
		}
		e->b = nb;
		e->cap = nc;
	}
	memcpy(e->b + e->n, p, k);
	e->n += k;
}
static void e1(struct em *e, unsigned v) { uint8_t b = (uint8_t)v; put(e, &b, 1); }
static void e4(struct em *e, uint32_t v) { put(e, &v, 4); }
static void e8(struct em *e, uint64_t v) { put(e, &v, 8); }

static void rex(struct em *e, int w, int r, int b, bool force)
{
	unsigned v = 0x40u | (unsigned)w << 3 | (unsigned)(r >> 3 & 1) << 2 | (unsigned)(b >> 3 & 1);
	if (v != 0x40 || force)
		e1(e, v);
}
static void modrr(struct em *e, int reg, int rm) { e1(e, 0xC0u | (unsigned)(reg & 7) << 3 | (unsigned)(rm & 7)); }
static void modmem(struct em *e, int reg, int base, int32_t disp)
{
	e1(e, 0x80u | (unsigned)(reg & 7) << 3 | (unsigned)(base & 7));
	if ((base & 7) == 4)
		e1(e, 0x24);
	e4(e, (uint32_t)disp);
}
/* opc reg, rm (register form) */
static void rr(struct em *e, int w, unsigned opc, int reg, int rm)
{
	rex(e, w, reg, rm, false);
	e1(e, opc);
	modrr(e, reg, rm);
}
static void rr0f(struct em *e, int w, unsigned opc, int reg, int rm, bool force)
{
	rex(e, w, reg, rm, force);
	e1(e, 0x0F);
	e1(e, opc);
	modrr(e, reg, rm);
}
static void ri(struct em *e, int w, int ext, int rm, int32_t imm)
{
	rex(e, w, 0, rm, false);
	e1(e, 0x81);
	modrr(e, ext, rm);
	e4(e, (uint32_t)imm);
}
static void mov_rr(struct em *e, int w, int dst, int src) { rr(e, w, 0x89, src, dst); }
static void mov_ri64(struct em *e, int dst, uint64_t v)
{
	if (v <= 0xffffffffu) {
		rex(e, 0, 0, dst, false);
		e1(e, 0xB8u + (unsigned)(dst & 7));
		e4(e, (uint32_t)v);
	} else if ((int64_t)v == (int32_t)v) {
		rex(e, 1, 0, dst, false);
		e1(e, 0xC7);
		modrr(e, 0, dst);
		e4(e, (uint32_t)v);
	} else {
		rex(e, 1, 0, dst, false);
		e1(e, 0xB8u + (unsigned)(dst & 7));
		e8(e, v);
	}
}
/* opc reg, [base+disp] / [base+disp], reg */
static void rm(struct em *e, int w, unsigned opc, int reg, int base, int32_t disp)
{
	rex(e, w, reg, base, false);
	e1(e, opc);
	modmem(e, reg, base, disp);
}
static size_t jcc32(struct em *e, unsigned cc)
{
	e1(e, 0x0F);
	e1(e, 0x80u + cc);
	e4(e, 0);
	return e->n - 4;
}
static size_t jmp32(struct em *e)
{
	e1(e, 0xE9);
	e4(e, 0);
	return e->n - 4;
}
static void patch_here(struct em *e, size_t pos)
{
	if (!e->oom) {
		uint32_t rel = (uint32_t)(e->n - (pos + 4));
		memcpy(e->b + pos, &rel, 4);
	}
}
static void fix(struct em *e, size_t pos, uint32_t target)
{
	if (e->nfx == e->capfx) {
		size_t nc = e->capfx ? e->capfx * 2 : 64;
		struct fix *nf = realloc(e->fx, nc * sizeof(*nf));
		if (!nf) {
			e->oom = true;
			return;
		}
		e->fx = nf;
		e->capfx = nc;
	}
	e->fx[e->nfx++] = (struct fix){ (uint32_t)pos, target };
}

enum { CC_B = 2, CC_AE = 3, CC_E = 4, CC_NE = 5, CC_BE = 6, CC_A = 7, CC_L = 0xC,
       CC_GE = 0xD, CC_LE = 0xE, CC_G = 0xF };

/* ---- the runtime side ---- */

static int fault(struct jst *st, size_t idx, int code, const char *msg)
{
	st->ret = bk__fault(st->run, st->prog, idx, code, "%s", msg);
	return 1;
}

#define INMEM(a, sz, wr) \
	((a) - st->stk_lo <= st->lim[0] - (sz) || \
	 (st->c.size >= (sz) && (a) - st->c.start <= st->c.size - (sz) && (!(wr) || st->c.writable)))

/* One instruction executed by the runtime with the registers spilled in st->r.
 * 0: continue, 1: leave the program (st->ret says how). Mirrors interp_body.h. */
static int jit_op(struct jst *st, uint32_t idx)
{
	struct bk_run *run = st->run;
	const struct bk_dinsn *pc = &st->prog->code[idx];
	uint64_t *r = st->r;
	int k, ret;
	switch (pc->op) {
#define LOAD(name, type, ext, sx) case BK_OP_##name: { \
		uint64_t a = r[pc->src] + (uint64_t)(int64_t)pc->off; \
		if (!INMEM(a, sizeof(type), 0)) { \
			if ((k = bk__mem_slow(run, a, sizeof(type), false, &st->c)) < 0) \
				return fault(st, idx, -EFAULT, run->why); \
			if (k == 1) { uint64_t v_; \
				if ((ret = bk__ctx_load(run, a, sizeof(type), &v_)) < 0) \
					{ bk__fault(run, st->prog, idx, ret, "%s", run->why); st->ret = ret; return 1; } \
				r[pc->dst] = (sx) ? (uint64_t)(ext)(type)v_ : v_; return 0; } \
		} \
		type v; memcpy(&v, (const void *)(uintptr_t)a, sizeof(type)); \
		r[pc->dst] = (uint64_t)(ext)v; return 0; }
#define STORE(name, type, val) case BK_OP_##name: { \
		uint64_t a = r[pc->dst] + (uint64_t)(int64_t)pc->off; \
		if (!INMEM(a, sizeof(type), 1)) { \
			if ((k = bk__mem_slow(run, a, sizeof(type), true, &st->c)) < 0) \
				return fault(st, idx, -EFAULT, run->why); \
			if (k == 1) { \
				if ((ret = bk__ctx_store(run, a, sizeof(type), (uint64_t)(val))) < 0) \
					{ bk__fault(run, st->prog, idx, ret, "%s", run->why); st->ret = ret; return 1; } \
				return 0; } \
		} \
		type v = (type)(val); memcpy((void *)(uintptr_t)a, &v, sizeof(type)); return 0; }
#define ATOMIC_ADDR(type) \
		uint64_t a = r[pc->dst] + (uint64_t)(int64_t)pc->off; \
		if (a & (sizeof(type) - 1)) { \
			st->ret = bk__fault(run, st->prog, idx, -EFAULT, "misaligned atomic access at 0x%llx", \
					    (unsigned long long)a); return 1; } \
		if (!INMEM(a, sizeof(type), 1)) { \
			if ((k = bk__mem_slow(run, a, sizeof(type), true, &st->c)) < 0) \
				return fault(st, idx, -EFAULT, run->why); \
			if (k == 1) return fault(st, idx, -EACCES, "atomic operation on the context"); \
		} \
		type *p_ = (type *)(uintptr_t)a;
#define ATOMIC_OP(name, type, op) case BK_OP_##name: { ATOMIC_ADDR(type) \
		__atomic_##op(p_, (type)r[pc->src], __ATOMIC_SEQ_CST); return 0; }
#define ATOMIC_FETCH(name, type, op) case BK_OP_##name: { ATOMIC_ADDR(type) \
		r[pc->src] = (uint64_t)__atomic_##op(p_, (type)r[pc->src], __ATOMIC_SEQ_CST); return 0; }
#define LDPKT(name, sz, offexpr) case BK_OP_##name: { \
		int64_t o_ = (offexpr); \
		if (!run->has_pkt || o_ < 0 || (uint64_t)o_ + sz > (uint64_t)(run->pkt.end - run->pkt.data)) { \
			run->pending |= BK_PEND_STOP; run->stop_r0 = 0; r[0] = 0; st->ret = 0; return 1; } \
		const uint8_t *q_ = run->pkt.data + o_; uint64_t v_ = 0; \
		for (int i_ = 0; i_ < sz; i_++) v_ = v_ << 8 | q_[i_]; \
		r[0] = v_; return 0; }
	LOAD(LDX_B, uint8_t, uint64_t, 0)
	LOAD(LDX_H, uint16_t, uint64_t, 0)
	LOAD(LDX_W, uint32_t, uint64_t, 0)
	LOAD(LDX_DW, uint64_t, uint64_t, 0)
	LOAD(LDXS_B, int8_t, int64_t, 1)
	LOAD(LDXS_H, int16_t, int64_t, 1)
	LOAD(LDXS_W, int32_t, int64_t, 1)
	STORE(ST_B, uint8_t, pc->imm)
	STORE(ST_H, uint16_t, pc->imm)
	STORE(ST_W, uint32_t, pc->imm)
	STORE(ST_DW, uint64_t, pc->imm)
	STORE(STX_B, uint8_t, r[pc->src])
	STORE(STX_H, uint16_t, r[pc->src])
	STORE(STX_W, uint32_t, r[pc->src])
	STORE(STX_DW, uint64_t, r[pc->src])
	ATOMIC_OP(ATOMIC32_ADD, uint32_t, fetch_add)
	ATOMIC_OP(ATOMIC32_OR, uint32_t, fetch_or)
	ATOMIC_OP(ATOMIC32_AND, uint32_t, fetch_and)
	ATOMIC_OP(ATOMIC32_XOR, uint32_t, fetch_xor)
	ATOMIC_FETCH(ATOMIC32_FETCH_ADD, uint32_t, fetch_add)
	ATOMIC_FETCH(ATOMIC32_FETCH_OR, uint32_t, fetch_or)
	ATOMIC_FETCH(ATOMIC32_FETCH_AND, uint32_t, fetch_and)
	ATOMIC_FETCH(ATOMIC32_FETCH_XOR, uint32_t, fetch_xor)
	ATOMIC_FETCH(ATOMIC32_XCHG, uint32_t, exchange_n)
	ATOMIC_OP(ATOMIC64_ADD, uint64_t, fetch_add)
	ATOMIC_OP(ATOMIC64_OR, uint64_t, fetch_or)
	ATOMIC_OP(ATOMIC64_AND, uint64_t, fetch_and)
	ATOMIC_OP(ATOMIC64_XOR, uint64_t, fetch_xor)
	ATOMIC_FETCH(ATOMIC64_FETCH_ADD, uint64_t, fetch_add)
	ATOMIC_FETCH(ATOMIC64_FETCH_OR, uint64_t, fetch_or)
	ATOMIC_FETCH(ATOMIC64_FETCH_AND, uint64_t, fetch_and)
	ATOMIC_FETCH(ATOMIC64_FETCH_XOR, uint64_t, fetch_xor)
	ATOMIC_FETCH(ATOMIC64_XCHG, uint64_t, exchange_n)
	case BK_OP_ATOMIC32_CMPXCHG: { ATOMIC_ADDR(uint32_t)
		uint32_t expected = (uint32_t)r[0];
		__atomic_compare_exchange_n(p_, &expected, (uint32_t)r[pc->src], false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		r[0] = expected;
		return 0; }
	case BK_OP_ATOMIC64_CMPXCHG: { ATOMIC_ADDR(uint64_t)
		uint64_t expected = r[0];
		__atomic_compare_exchange_n(p_, &expected, r[pc->src], false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
		r[0] = expected;
		return 0; }
	LDPKT(LDABS_B, 1, (int32_t)pc->imm)
	LDPKT(LDABS_H, 2, (int32_t)pc->imm)
	LDPKT(LDABS_W, 4, (int32_t)pc->imm)
	LDPKT(LDIND_B, 1, (int64_t)(int32_t)((uint32_t)r[pc->src] + (uint32_t)pc->imm))
	LDPKT(LDIND_H, 2, (int64_t)(int32_t)((uint32_t)r[pc->src] + (uint32_t)pc->imm))
	LDPKT(LDIND_W, 4, (int64_t)(int32_t)((uint32_t)r[pc->src] + (uint32_t)pc->imm))
	case BK_XOP_CALL_HELPER: {
		const struct bk_helper *h = (const struct bk_helper *)(uintptr_t)pc->imm;
		run->budget = st->budget;
		run->depth = 0;
		run->prog = st->prog;
		run->helper = h;
		run->stats.helper_calls++;
		r[0] = h->fn(run, r[1], r[2], r[3], r[4], r[5]);
		st->c.size = 0;
		st->budget = run->budget;
		if (run->pending) {
			if (run->pending & BK_PEND_FAIL) {
				ret = run->err_code;
				bk__fault(run, st->prog, idx, ret, "helper %s: %s", h->name, run->why);
				st->ret = ret;
				return 1;
			}
			if (run->pending & BK_PEND_STOP) {
				st->ret = 0;
				return 1;
			}
			if (run->pending & BK_PEND_TAIL)
				return fault(st, idx, -EOPNOTSUPP, "tail call in JIT-compiled code");
		}
		return 0;
	}
	case BK_XOP_NOP:
		return fault(st, idx, -EFAULT, "execution ran past the last instruction");
	default:
		return fault(st, idx, -EINVAL, "instruction was not resolved at load");
	}
#undef LOAD
#undef STORE
#undef ATOMIC_ADDR
#undef ATOMIC_OP
#undef ATOMIC_FETCH
#undef LDPKT
}

static int jit_oob(struct jst *st, uint32_t idx)
{
	st->ret = bk__fault(st->run, st->prog, idx, -ELOOP,
			    "step budget exhausted (%llu back-edges and calls): runaway loop?",
			    (unsigned long long)st->run->budget_init);
	st->budget = 0;
	return 1;
}

/* ---- code generation ---- */

/* Registers to the state, call FN(st, idx), back. */
static void runtime_call(struct em *e, void *fn, uint32_t idx, bool spill)
{
	if (spill)
		for (int i = 0; i < 11; i++)
			rm(e, 1, 0x89, map[i], R12, OFF_R(i));
	mov_rr(e, 1, RDI, R12);
	mov_ri64(e, RSI, idx);
	mov_ri64(e, RAX, (uint64_t)(uintptr_t)fn);
	e1(e, 0xFF);
	modrr(e, 2, RAX);          /* call rax */
	rr(e, 0, 0x85, RAX, RAX);  /* test eax, eax */
	fix(e, jcc32(e, CC_NE), UINT32_MAX);  /* leave */
	if (spill)
		for (int i = 0; i < 11; i++)
			rm(e, 1, 0x8B, map[i], R12, OFF_R(i));
}

/* Backward jumps count against the budget. */
static void backedge(struct em *e, uint32_t idx)
{
	rex(e, 1, 0, R12, false);
	e1(e, 0x83);
	modmem(e, 5, R12, OFF_BUDGET);   /* sub qword [r12+budget], 1 */
	e1(e, 1);
	size_t ok = jcc32(e, CC_NE);
	mov_ri64(e, RSI, idx);
	fix(e, jmp32(e), UINT32_MAX - 1);  /* the budget stub */
	patch_here(e, ok);
}

static void emit_div(struct em *e, int w, const struct bk_dinsn *pc, bool is_k, bool mod, bool sgn)
{
	int d = map[pc->dst];
	if (is_k)
		mov_ri64(e, R11, w ? pc->imm : (uint32_t)pc->imm);
	else
		mov_rr(e, w, R11, map[pc->src]);
	rr(e, w, 0x85, R11, R11);
	size_t nz = jcc32(e, CC_NE);
	/* y == 0: x/0 = 0, x%0 = x */
	if (mod)
		mov_rr(e, w, d, d);
	else
		rr(e, 0, 0x31, d, d);
	size_t end1 = jmp32(e), endm = 0;
	patch_here(e, nz);
	if (sgn) {
		rex(e, w, 0, R11, false);
		e1(e, 0x83);
		modrr(e, 7, R11);
		e1(e, 0xFF);                 /* cmp r11, -1 */
		size_t notm1 = jcc32(e, CC_NE);
		if (mod)
			rr(e, 0, 0x31, d, d);
		else {
			rex(e, w, 0, d, false);
			e1(e, 0xF7);
			modrr(e, 3, d);      /* neg */
		}
		endm = jmp32(e);
		patch_here(e, notm1);
	}
	mov_rr(e, 1, R9, RAX);
	mov_rr(e, 1, R10, RDX);
	mov_rr(e, w, RAX, d);
	if (sgn) {
		if (w)
			e1(e, 0x48);
		e1(e, 0x99);                 /* cqo / cdq */
	} else {
		rr(e, 0, 0x31, RDX, RDX);
	}
	rex(e, w, 0, R11, false);
	e1(e, 0xF7);
	modrr(e, sgn ? 7 : 6, R11);          /* (i)div r11 */
	mov_rr(e, 1, R11, mod ? RDX : RAX);
	if (!w)
		mov_rr(e, 0, R11, R11);
	mov_rr(e, 1, RAX, R9);
	mov_rr(e, 1, RDX, R10);
	mov_rr(e, 1, d, R11);
	patch_here(e, end1);
	if (sgn)
		patch_here(e, endm);
}

static void emit_shift(struct em *e, int w, const struct bk_dinsn *pc, bool is_k, int ext)
{
	int d = map[pc->dst];
	if (is_k) {
		rex(e, w, 0, d, false);
		e1(e, 0xC1);
		modrr(e, ext, d);
		e1(e, (unsigned)(pc->imm & (w ? 63 : 31)));
		return;
	}
	int s = map[pc->src];
	if (d == RCX) {
		mov_rr(e, 1, R9, RCX);
		if (s != RCX)
			mov_rr(e, 1, RCX, s);
		rex(e, w, 0, R9, false);
		e1(e, 0xD3);
		modrr(e, ext, R9);
		mov_rr(e, 1, RCX, R9);
	} else {
		mov_rr(e, 1, R11, RCX);
		if (s != RCX)
			mov_rr(e, 1, RCX, s);
		rex(e, w, 0, d, false);
		e1(e, 0xD3);
		modrr(e, ext, d);
		mov_rr(e, 1, RCX, R11);
	}
}

/* Inline stack access: lea r11,[base+off]; in the current frames? else the runtime. */
static void emit_mem(struct em *e, const struct bk_dinsn *pc, uint32_t idx, int size,
		     bool store, bool imm, bool sx)
{
	int base = map[store ? pc->dst : pc->src];
	rm(e, 1, 0x8D, R11, base, pc->off);          /* lea r11, [base+off] */
	mov_rr(e, 1, R10, R11);
	rm(e, 1, 0x2B, R10, R12, OFF_STKLO);          /* sub r10, [stk_lo] */
	rm(e, 1, 0x3B, R10, R12, OFF_LIM(size));      /* cmp r10, [lim+size] */
	size_t fast = jcc32(e, CC_BE);
	runtime_call(e, (void *)jit_op, idx, true);
	size_t done = jmp32(e);
	patch_here(e, fast);
	/* [r11]: mod 00, rm 011 with REX.B */
	if (store) {
		if (imm) {
			if (size == 2)
				e1(e, 0x66);
			rex(e, size == 8, 0, R11, false);
			e1(e, size == 1 ? 0xC6 : 0xC7);
			e1(e, 0x03);
			if (size == 1)
				e1(e, (unsigned)pc->imm & 0xff);
			else if (size == 2) {
				uint16_t v = (uint16_t)pc->imm;
				put(e, &v, 2);
			} else
				e4(e, (uint32_t)pc->imm);
		} else {
			int s = map[pc->src];
			if (size == 2)
				e1(e, 0x66);
			rex(e, size == 8, s, R11, size == 1);
			e1(e, size == 1 ? 0x88 : 0x89);
			e1(e, (unsigned)(s & 7) << 3 | 3);
		}
	} else {
		int d = map[pc->dst];
		if (sx) {
			rex(e, 1, d, R11, false);
			if (size == 4)
				e1(e, 0x63);
			else {
				e1(e, 0x0F);
				e1(e, size == 1 ? 0xBE : 0xBF);
			}
		} else if (size >= 4) {
			rex(e, size == 8, d, R11, false);
			e1(e, 0x8B);
		} else {
			rex(e, 0, d, R11, false);
			e1(e, 0x0F);
			e1(e, size == 1 ? 0xB6 : 0xB7);
		}
		e1(e, (unsigned)(d & 7) << 3 | 3);
	}
	patch_here(e, done);
}

static int emit_jump(struct em *e, const struct bk_dinsn *pc, uint32_t idx, int w, bool is_k,
		     unsigned cc, bool test)
{
	int d = map[pc->dst];
	if (is_k) {
		if (test) {
			rex(e, w, 0, d, false);
			e1(e, 0xF7);
			modrr(e, 0, d);
			e4(e, (uint32_t)pc->imm);
		} else
			ri(e, w, 7, d, (int32_t)pc->imm);
	} else {
		rr(e, w, test ? 0x85 : 0x39, map[pc->src], d);
	}
	uint32_t t = (uint32_t)pc->off;
	if (t <= idx) {
		size_t skip = jcc32(e, cc ^ 1);
		backedge(e, idx);
		fix(e, jmp32(e), t);
		patch_here(e, skip);
	} else {
		fix(e, jcc32(e, cc), t);
	}
	return 0;
}

static int compile(struct bk_prog *prog, struct em *e, uint32_t *slot_off, size_t *native,
		   size_t *runtime, struct bk_err *err)
{
	/* prologue: callee-saved registers, 16-byte aligned calls, r12 = state */
	static const uint8_t pro[] = { 0x55, 0x53, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57,
				       0x48, 0x83, 0xEC, 0x08, 0x49, 0x89, 0xFC };
	put(e, pro, sizeof(pro));
	for (int i = 0; i < 11; i++)
		rm(e, 1, 0x8B, map[i], R12, OFF_R(i));
	for (size_t i = 0; i <= prog->n; i++) {
		const struct bk_dinsn *pc = &prog->code[i];
		uint32_t idx = (uint32_t)i;
		int d = map[pc->dst], s = map[pc->src];
		int32_t k = (int32_t)pc->imm;
		slot_off[i] = (uint32_t)e->n;
		if (pc->op == BK_XOP_NOP && i < prog->n)
			continue;   /* second half of an lddw */
		bool rt = false;
		switch (pc->op) {
#define ALU(id, w, opc, ext) \
		case BK_OP_##id##_K: ri(e, w, ext, d, k); break; \
		case BK_OP_##id##_X: rr(e, w, opc, s, d); break;
#define ALU2(id, opc, ext) ALU(id##64, 1, opc, ext) ALU(id##32, 0, opc, ext)
		ALU2(ADD, 0x01, 0)
		ALU2(SUB, 0x29, 5)
		ALU2(OR, 0x09, 1)
		ALU2(AND, 0x21, 4)
		ALU2(XOR, 0x31, 6)
		case BK_OP_MUL64_K: case BK_OP_MUL32_K: {
			int w = pc->op == BK_OP_MUL64_K;
			rex(e, w, d, d, false);
			e1(e, 0x69);
			modrr(e, d, d);
			e4(e, (uint32_t)k);
			break;
		}
		case BK_OP_MUL64_X: rr0f(e, 1, 0xAF, d, s, false); break;
		case BK_OP_MUL32_X: rr0f(e, 0, 0xAF, d, s, false); break;
		case BK_OP_DIV64_K: emit_div(e, 1, pc, true, false, false); break;
		case BK_OP_DIV64_X: emit_div(e, 1, pc, false, false, false); break;
		case BK_OP_DIV32_K: emit_div(e, 0, pc, true, false, false); break;
		case BK_OP_DIV32_X: emit_div(e, 0, pc, false, false, false); break;
		case BK_OP_MOD64_K: emit_div(e, 1, pc, true, true, false); break;
		case BK_OP_MOD64_X: emit_div(e, 1, pc, false, true, false); break;
		case BK_OP_MOD32_K: emit_div(e, 0, pc, true, true, false); break;
		case BK_OP_MOD32_X: emit_div(e, 0, pc, false, true, false); break;
		case BK_OP_SDIV64_K: emit_div(e, 1, pc, true, false, true); break;
		case BK_OP_SDIV64_X: emit_div(e, 1, pc, false, false, true); break;
		case BK_OP_SDIV32_K: emit_div(e, 0, pc, true, false, true); break;
		case BK_OP_SDIV32_X: emit_div(e, 0, pc, false, false, true); break;
		case BK_OP_SMOD64_K: emit_div(e, 1, pc, true, true, true); break;
		case BK_OP_SMOD64_X: emit_div(e, 1, pc, false, true, true); break;
		case BK_OP_SMOD32_K: emit_div(e, 0, pc, true, true, true); break;
		case BK_OP_SMOD32_X: emit_div(e, 0, pc, false, true, true); break;
		case BK_OP_LSH64_K: emit_shift(e, 1, pc, true, 4); break;
		case BK_OP_LSH64_X: emit_shift(e, 1, pc, false, 4); break;
		case BK_OP_LSH32_K: emit_shift(e, 0, pc, true, 4); break;
		case BK_OP_LSH32_X: emit_shift(e, 0, pc, false, 4); break;
		case BK_OP_RSH64_K: emit_shift(e, 1, pc, true, 5); break;
		case BK_OP_RSH64_X: emit_shift(e, 1, pc, false, 5); break;
		case BK_OP_RSH32_K: emit_shift(e, 0, pc, true, 5); break;
		case BK_OP_RSH32_X: emit_shift(e, 0, pc, false, 5); break;
		case BK_OP_ARSH64_K: emit_shift(e, 1, pc, true, 7); break;
		case BK_OP_ARSH64_X: emit_shift(e, 1, pc, false, 7); break;
		case BK_OP_ARSH32_K: emit_shift(e, 0, pc, true, 7); break;
		case BK_OP_ARSH32_X: emit_shift(e, 0, pc, false, 7); break;
		case BK_OP_NEG64: rex(e, 1, 0, d, false); e1(e, 0xF7); modrr(e, 3, d); break;
		case BK_OP_NEG32: rex(e, 0, 0, d, false); e1(e, 0xF7); modrr(e, 3, d); break;
		case BK_OP_MOV64_K: mov_ri64(e, d, pc->imm); break;
		case BK_OP_MOV64_X: if (d != s) mov_rr(e, 1, d, s); break;
		case BK_OP_MOV32_K: mov_ri64(e, d, (uint32_t)pc->imm); break;
		case BK_OP_MOV32_X: mov_rr(e, 0, d, s); break;
		case BK_OP_MOVSX32_8: rr0f(e, 0, 0xBE, d, s, true); break;
		case BK_OP_MOVSX32_16: rr0f(e, 0, 0xBF, d, s, false); break;
		case BK_OP_MOVSX64_8: rr0f(e, 1, 0xBE, d, s, true); break;
		case BK_OP_MOVSX64_16: rr0f(e, 1, 0xBF, d, s, false); break;
		case BK_OP_MOVSX64_32: rr(e, 1, 0x63, d, s); break;
		case BK_OP_LE16: rr0f(e, 0, 0xB7, d, d, false); break;
		case BK_OP_LE32: mov_rr(e, 0, d, d); break;
		case BK_OP_LE64: break;
		case BK_OP_BE16: case BK_OP_BSWAP16:
			e1(e, 0x66);
			rex(e, 0, 0, d, false);
			e1(e, 0xC1);
			modrr(e, 0, d);
			e1(e, 8);                       /* rol r16, 8 */
			rr0f(e, 0, 0xB7, d, d, false);  /* movzx r32, r16 */
			break;
		case BK_OP_BE32: case BK_OP_BSWAP32:
			rex(e, 0, 0, d, false); e1(e, 0x0F); e1(e, 0xC8u + (unsigned)(d & 7)); break;
		case BK_OP_BE64: case BK_OP_BSWAP64:
			rex(e, 1, 0, d, false); e1(e, 0x0F); e1(e, 0xC8u + (unsigned)(d & 7)); break;
		case BK_OP_LDDW: mov_ri64(e, d, pc->imm); break;
		case BK_OP_LDX_B: emit_mem(e, pc, idx, 1, false, false, false); break;
		case BK_OP_LDX_H: emit_mem(e, pc, idx, 2, false, false, false); break;
		case BK_OP_LDX_W: emit_mem(e, pc, idx, 4, false, false, false); break;
		case BK_OP_LDX_DW: emit_mem(e, pc, idx, 8, false, false, false); break;
		case BK_OP_LDXS_B: emit_mem(e, pc, idx, 1, false, false, true); break;
		case BK_OP_LDXS_H: emit_mem(e, pc, idx, 2, false, false, true); break;
		case BK_OP_LDXS_W: emit_mem(e, pc, idx, 4, false, false, true); break;
		case BK_OP_ST_B: emit_mem(e, pc, idx, 1, true, true, false); break;
		case BK_OP_ST_H: emit_mem(e, pc, idx, 2, true, true, false); break;
		case BK_OP_ST_W: emit_mem(e, pc, idx, 4, true, true, false); break;
		case BK_OP_ST_DW: emit_mem(e, pc, idx, 8, true, true, false); break;
		case BK_OP_STX_B: emit_mem(e, pc, idx, 1, true, false, false); break;
		case BK_OP_STX_H: emit_mem(e, pc, idx, 2, true, false, false); break;
		case BK_OP_STX_W: emit_mem(e, pc, idx, 4, true, false, false); break;
		case BK_OP_STX_DW: emit_mem(e, pc, idx, 8, true, false, false); break;
		case BK_OP_JA: case BK_OP_JA32: {
			uint32_t t = (uint32_t)pc->off;
			if (t <= idx)
				backedge(e, idx);
			fix(e, jmp32(e), t);
			break;
		}
#define JMP(id, cc, test) \
		case BK_OP_##id##64_K: emit_jump(e, pc, idx, 1, true, cc, test); break; \
		case BK_OP_##id##64_X: emit_jump(e, pc, idx, 1, false, cc, test); break; \
		case BK_OP_##id##32_K: emit_jump(e, pc, idx, 0, true, cc, test); break; \
		case BK_OP_##id##32_X: emit_jump(e, pc, idx, 0, false, cc, test); break;
		JMP(JEQ, CC_E, false)
		JMP(JNE, CC_NE, false)
		JMP(JGT, CC_A, false)
		JMP(JGE, CC_AE, false)
		JMP(JLT, CC_B, false)
		JMP(JLE, CC_BE, false)
		JMP(JSET, CC_NE, true)
		JMP(JSGT, CC_G, false)
		JMP(JSGE, CC_GE, false)
		JMP(JSLT, CC_L, false)
		JMP(JSLE, CC_LE, false)
		case BK_OP_EXIT:
			rm(e, 1, 0x89, RAX, R12, OFF_R(0));
			fix(e, jmp32(e), UINT32_MAX);
			break;
		case BK_XOP_CALL_HELPER: {
			const struct bk_helper *h = (const struct bk_helper *)(uintptr_t)pc->imm;
			if (h->id == 12)
				return bk_err_set(err, -EOPNOTSUPP,
						  "instruction %zu: the JIT does not compile tail calls (%s)",
						  i, h->name);
			runtime_call(e, (void *)jit_op, idx, true);
			rt = true;
			break;
		}
		case BK_OP_CALL_LOCAL: case BK_OP_CALLX: case BK_OP_MAY_GOTO:
			return bk_err_set(err, -EOPNOTSUPP,
					  "instruction %zu: the JIT does not compile %s yet", i,
					  bk_isa_info((enum bk_op)pc->op)->name);
		case BK_OP_LDABS_B: case BK_OP_LDABS_H: case BK_OP_LDABS_W:
		case BK_OP_LDIND_B: case BK_OP_LDIND_H: case BK_OP_LDIND_W:
		default:
			/* atomics, legacy packet loads, the never-reached slots */
			runtime_call(e, (void *)jit_op, idx, true);
			rt = true;
			break;
		}
		if (i == prog->n)
			;   /* the end-of-program slot */
		else if (rt)
			(*runtime)++;
		else
			(*native)++;
	}
	/* budget stub (idx in esi), then the common exit */
	uint32_t stub = (uint32_t)e->n;
	mov_rr(e, 1, RDI, R12);
	mov_ri64(e, RAX, (uint64_t)(uintptr_t)jit_oob);
	e1(e, 0xFF);
	modrr(e, 2, RAX);
	uint32_t leave = (uint32_t)e->n;
	static const uint8_t epi[] = { 0x48, 0x83, 0xC4, 0x08, 0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D,
				       0x41, 0x5C, 0x5B, 0x5D, 0xC3 };
	put(e, epi, sizeof(epi));
	if (e->oom)
		return bk_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < e->nfx; i++) {
		uint32_t t = e->fx[i].target;
		uint32_t to = t == UINT32_MAX ? leave : t == UINT32_MAX - 1 ? stub : slot_off[t];
		uint32_t rel = to - (e->fx[i].pos + 4);
		memcpy(e->b + e->fx[i].pos, &rel, 4);
	}
	return 0;
}

static void jit_free(void *p)
{
	struct jit *j = p;
	if (!j)
		return;
	if (j->code)
		munmap(j->code, j->map_size);
	free(j->slot_off);
	free(j);
}

static int jit_run(struct bk_run *run, struct bk_prog *prog, const uint64_t args[5], uint64_t *r0)
{
	struct jit *j = prog->jit;
	struct jst st;
	memset(&st, 0, sizeof(st));
	uint64_t stk_hi = (uint64_t)(uintptr_t)run->stack + BK_VM_STACK_TOTAL;
	uint64_t span = (uint64_t)(run->depth + 1) * BK_VM_STACK_SIZE;
	st.stk_lo = stk_hi - span;
	st.lim[0] = span;
	for (int s = 1; s <= 8; s++)
		st.lim[s] = span - (uint64_t)s;
	for (int i = 0; i < 5; i++)
		st.r[i + 1] = args[i];
	st.r[10] = st.stk_lo + BK_VM_STACK_SIZE;
	st.budget = run->budget;
	st.run = run;
	st.prog = prog;
	if (run->depth + 1 > run->stats.max_depth)
		run->stats.max_depth = run->depth + 1;
	int (*fn)(struct jst *);
	void *code = j->code;
	memcpy(&fn, &code, sizeof(fn));
	fn(&st);
	run->budget = st.budget;
	run->prog = prog;
	if (st.ret < 0)
		return st.ret;
	if (!(run->pending & BK_PEND_STOP))
		*r0 = st.r[0];
	return 0;
}

int bk_jit_attach(struct bk_prog *prog, const struct bk_jit_opts *opts, struct bk_err *err)
{
	(void)opts;
	if (!bk_jit_supported())
		return bk_err_set(err, -EOPNOTSUPP, "the JIT needs an x86-64 host");
	struct em e = { 0 };
	struct jit *j = calloc(1, sizeof(*j));
	uint32_t *off = calloc(prog->n + 1, sizeof(*off));
	int ret;
	if (!j || !off) {
		ret = bk_err_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	ret = compile(prog, &e, off, &j->info.native, &j->info.runtime, err);
	if (ret < 0)
		goto fail;
	long pg = 4096;
	j->map_size = (e.n + (size_t)pg - 1) & ~((size_t)pg - 1);
	void *m = mmap(NULL, j->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		ret = bk_err_set(err, -ENOMEM, "cannot map code pages");
		goto fail;
	}
	memcpy(m, e.b, e.n);
	if (mprotect(m, j->map_size, PROT_READ | PROT_EXEC) < 0) {
		munmap(m, j->map_size);
		ret = bk_err_set(err, -errno, "cannot make code pages executable");
		goto fail;
	}
	j->code = m;
	j->size = e.n;
	j->slot_off = off;
	j->info.code_size = e.n;
	j->info.ninsns = prog->n;
	free(e.b);
	free(e.fx);
	bk_jit_detach(prog);
	prog->jit = j;
	prog->jit_free = jit_free;
	prog->jit_run = jit_run;
	return 0;
fail:
	free(e.b);
	free(e.fx);
	free(off);
	free(j);
	return ret;
}

void bk_jit_detach(struct bk_prog *prog)
{
	if (prog->jit_free)
		prog->jit_free(prog->jit);
	prog->jit = NULL;
	prog->jit_free = NULL;
	prog->jit_run = NULL;
}

bool bk_jit_attached(const struct bk_prog *prog)
{
	return prog->jit_run == jit_run;
}

const void *bk_jit_code(const struct bk_prog *prog, struct bk_jit_info *info)
{
	if (!bk_jit_attached(prog))
		return NULL;
	const struct jit *j = prog->jit;
	if (info)
		*info = j->info;
	return j->code;
}

long bk_jit_slot_offset(const struct bk_prog *prog, size_t idx)
{
	if (!bk_jit_attached(prog) || idx > prog->n)
		return -1;
	return (long)((const struct jit *)prog->jit)->slot_off[idx];
}
