/* The x86-64 JIT for the userspace runtime.
 *
 * Every instruction the interpreter runs is compiled; the interpreter (interp_body.h)
 * is the reference and the results, stats and error messages are the same.
 *  - BPF registers live in x86 registers, as in the kernel's JIT (r0=rax r1=rdi r2=rsi
 *    r3=rdx r4=rcx r5=r8 r6=rbx r7=r13 r8=r14 r9=r15 r10=rbp; r9/r11 scratch, r10 the
 *    step budget, r12 the run state). ALU, jumps, lddw and exit are inline; div/mod test only for zero
 *    (and -1 when signed); 32-bit operations get no extra zero-extension (x86 clears the
 *    upper half already).
 *  - Loads and stores: a constant offset from r10 inside the current frame needs no
 *    check; any other address is compared inline with the frames in use (the lower
 *    bound moves with the call depth, so a subprogram cannot reach below its own frame)
 *    and, out of line, with the region the last slow check found; only then does the
 *    runtime (the vm's region search, context accessors) see it.
 *  - bpf-to-bpf calls are native calls: the r6..r9 the callee writes (and the current
 *    program, when a tail call may change it) are pushed, the frame pointer moves down
 *    512 bytes; the depth is the frame pointer's, checked against BK_VM_MAX_DEPTH with one
 *    compare per call (out of line only for a frame deeper than any before in the run).
 *    Every exit is a plain ret: the entry itself calls the main program's code.
 *    callx, helpers, atomics and ld_abs/ld_ind go through the runtime with the registers
 *    spilled. A tail call jumps into the target's code (compiled on first use) with
 *    the frames kept, as the interpreter does.
 *  - The step budget counts backward jumps, calls and tail calls only; r10 holds it
 *    together with the count of calls, so neither touches memory. A program the
 *    verifier bounds (prog->proof_bound) has a second body without the back-edge count,
 *    run when the budget exceeds the bound.
 *  - In a proved program: array map lookups inline, and an address computed into a
 *    register that dies at the access it feeds is folded into that access.
 *  - Optional constant blinding (bpf_jit_harden): every 32/64-bit immediate of the
 *    program reaches a register as (imm ^ key) ^ key with a random key per program.
 * Code pages are written, then switched to read+execute: never writable and executable
 * at once. */
#include "bpfkit/jit.h"
#include "../vm/vm_internal.h"
#include "bpfkit/isa.h"
#include "bpfkit/maps.h"
#include "bpfkit/verifier.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>

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
	uint64_t stk_lo;          /* lowest byte of the frames in use (runtime side) */
	uint64_t stk_hi;
	/* The machine code works on a + 512 (lea r11, [base + off + 512]) so that the
	 * lower bound of the frames in use is rbp itself: */
	uint64_t hi[9];           /* hi[s]: highest a + 512 of an S-byte stack access */
	/* The two regions the last slow checks found (packet and table, say), most recent
	 * first: */
	uint64_t cstart[2];       /* 512 + the region's start */
	uint64_t crlim[2][9];     /* a - start < crlim[s]: an S-byte read is inside */
	uint64_t cwlim[2][9];     /* the same for writes (0 when read-only) */
	uint64_t cache_live;      /* 0: nothing above is set yet (a run starts so: cheap entry) */
	uint64_t target;          /* callx / tail call destination */
	uint64_t rsp_save;
	uint64_t calls;           /* calls counted by the runtime (callx, and r10's folded in) */
	/* While machine code runs, r10 holds a part of the budget and the calls made since the
	 * runtime last saw it: (units - 1) << BUD_S | calls. A back-edge subtracts 1 << BUD_S,
	 * a call (1 << BUD_S) - 1, so neither touches memory; the part running out borrows
	 * (one sub+jb). At most BUD_CHUNK units are in r10, the rest in breserve. Saved in
	 * braw around C calls; C code works on budget (sync_in/out). */
	uint64_t braw;
	uint64_t breserve;
	uint64_t reserve0;        /* breserve at the start of a run */
	uint64_t tmp;
	/* The depth is the frame pointer's: frame F has rbp = r10_0 - 512 F. A bpf-to-bpf
	 * call with rbp below thr makes a frame deeper than any this run made so far: only
	 * then (out of line) is the limit checked (rbp above rbp_min) and thr moved to that
	 * rbp. One compare per call; the deepest frame's rbp is thr - 512. */
	uint64_t thr;
	uint64_t rbp_min;
	uint64_t budget0;         /* braw at the start of a run (the prologue loads it) */
	/* The runtime (C) ran during this run: what it may have changed here and in the
	 * bk_run is reset before the next run. A run of machine code alone changes nothing
	 * the next run reads, so it needs no reset at all. */
	uint32_t dirty;
	uint32_t fd, fdmax, maxfd;
	/* may_goto's count per frame of this run, as the interpreter and the kernel keep it
	 * (a call, a callback and a tail-called program each start with a full count):
	 * frame F's is at mg[F], found from the frame pointer as (r10_0 - rbp) / 128. */
	uint64_t r10_0;
	uint32_t mg[BK_VM_MAX_DEPTH];
	uint32_t base;
	int ret;
	struct bk_run *run;
	struct bk_prog *prog;     /* current (tail calls change it, returns restore it) */
	struct bk_region c[2];
};

struct jit {
	uint8_t *code;
	size_t size, map_size;
	uint32_t *slot_off;       /* n + 1 */
	/* A program with a run bound (prog->proof_bound) has a second body without step
	 * counting on its back-edges, run when the budget exceeds the bound (jit_entry). */
	uint8_t *fast;
	uint32_t *fast_off;
	size_t fast_size;
	uint64_t bound;
	uint32_t fast_entry;      /* entry offset in the fast body */
	struct bk_jit_info info;
	bool blind;
	bool no_proofs;
	uint32_t entry;           /* offset of the entry (jit_fn); the body starts at 0 */
};

/* The entry: BPF r1..r5 arrive where SysV puts the first five arguments (the registers
 * the JIT maps them to), the state in r9; r0 comes back in rax. */
typedef uint64_t (*jit_fn)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			   struct jst *st);

#define OFF(f)      ((int32_t)offsetof(struct jst, f))
#define BUD_S       30
#define BUD_CMASK   ((1ULL << BUD_S) - 1)
#define BUD_CHUNK   ((1ULL << BUD_S) - 2)   /* calls in r10 stay below 1 << BUD_S */
#define OFF_R(i)    ((int32_t)(offsetof(struct jst, r) + 8 * (i)))
#define OFF_HI(s)   ((int32_t)(offsetof(struct jst, hi) + 8 * (s)))
#define OFF_CS(k)   ((int32_t)(offsetof(struct jst, cstart) + 8 * (k)))
#define OFF_CR(k, s) ((int32_t)(offsetof(struct jst, crlim) + 72 * (k) + 8 * (s)))
#define OFF_CW(k, s) ((int32_t)(offsetof(struct jst, cwlim) + 72 * (k) + 8 * (s)))

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
static const uint8_t map[11] = { RAX, RDI, RSI, RDX, RCX, R8, RBX, R13, R14, R15, RBP };

struct fix { uint32_t pos, target; };

struct ool { uint32_t j1, j2, back, after, idx; uint8_t size; bool store; };
struct refill { uint32_t jpos, idx, resume; bool slot; };
struct cslow { uint32_t jpos, idx, back; };

struct em {
	uint8_t *b;
	size_t n, cap;
	struct fix *fx;
	size_t nfx, capfx;
	bool oom;
	struct ool *ool;
	size_t nool, capool;
	struct refill *rf;
	size_t nrf, caprf;
	struct cslow *cs;
	size_t ncs, capcs;
	bool blind;
	bool tails;               /* the program may tail call: calls save the current program */
	uint64_t key;
	const uint8_t *proof;     /* the verifier's BK_VF_* per slot, NULL: check everything */
	bool *target;             /* jump_targets() */
	uint16_t *live;           /* live_out() for a proved program, else NULL */
	uint8_t *wmask;           /* write_masks() */
	bool may_goto;            /* the program has may_goto: calls set the callee's count */
	/* The body for runs whose budget exceeds the program's bound: back-edges are plain
	 * jumps (calls still count: the stats need them, and the budget cannot fire). */
	bool nobudget;
	size_t proved, direct, inlined;
	/* Code emitted while track is set that names r12 (the state) or r10 (the budget), or
	 * jumps to a runtime stub: the entry must set them up (prologue). */
	bool track, uses_st;
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
	if (e->track && (r == 12 || b == 12 || r == 10 || b == 10))
		e->uses_st = true;
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
	bool i8 = imm >= -128 && imm <= 127;
	e1(e, i8 ? 0x83 : 0x81);    /* the sign-extended imm8 form when it holds the value */
	modrr(e, ext, rm);
	if (i8)
		e1(e, (uint8_t)imm);
	else
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
/* V, N of its *CAP elements of SZ bytes used, with room for one more (FIRST when it had
 * none); V as it was, full and with oom set, when memory ran out. */
static void *grow(struct em *e, void *v, size_t n, size_t *cap, size_t sz, size_t first)
{
	if (n < *cap)
		return v;
	size_t nc = *cap ? *cap * 2 : first;
	void *nv = realloc(v, nc * sz);
	if (!nv) {
		e->oom = true;
		return v;
	}
	*cap = nc;
	return nv;
}
/* Special fix-up targets (beyond any slot). */
#define T_NZ    (UINT32_MAX - 2)
#define T_DEPTH (UINT32_MAX - 3)

static void fix(struct em *e, size_t pos, uint32_t target)
{
	if (e->track && target >= T_DEPTH)
		e->uses_st = true;
	e->fx = grow(e, e->fx, e->nfx, &e->capfx, sizeof(*e->fx), 64);
	if (e->nfx == e->capfx)
		return;
	e->fx[e->nfx++] = (struct fix){ (uint32_t)pos, target };
}

enum { CC_B = 2, CC_AE = 3, CC_E = 4, CC_NE = 5, CC_BE = 6, CC_A = 7, CC_L = 0xC,
       CC_GE = 0xD, CC_LE = 0xE, CC_G = 0xF };


/* ---- the runtime side ---- */

static void cache_sync(struct jst *st)
{
	for (int k = 0; k < 2; k++) {
		const struct bk_region *c = &st->c[k];
		st->cstart[k] = c->start + BK_VM_STACK_SIZE;
		for (uint64_t sz = 1; sz <= 8; sz++) {
			uint64_t lim = c->size >= sz ? c->size - sz + 1 : 0;
			st->crlim[k][sz] = lim;
			st->cwlim[k][sz] = c->writable ? lim : 0;
		}
	}
	st->cache_live = 1;
}

static bool in_cache(const struct jst *st, uint64_t a, uint64_t sz, bool wr)
{
	if (!st->cache_live)
		return false;
	for (int k = 0; k < 2; k++) {
		const struct bk_region *c = &st->c[k];
		if (c->size >= sz && a - c->start <= c->size - sz && (!wr || c->writable))
			return true;
	}
	return false;
}

/* A region the slow check found becomes the most recent cache entry. */
static int slow(struct jst *st, uint64_t a, uint32_t sz, bool wr)
{
	struct bk_region nc;
	int k = bk__mem_slow(st->run, a, sz, wr, &nc);
	if (k == 0) {
		if (!st->cache_live)
			st->c[0] = (struct bk_region){ 0, 0, false, 0 };
		st->c[1] = st->c[0];
		st->c[0] = nc;
		cache_sync(st);
	}
	return k;
}

/* The budget and calls r10 holds (BRAW) into the state's counts. */
static void bud_fold(struct jst *st, uint64_t braw)
{
	st->calls += braw & BUD_CMASK;
	st->budget = st->breserve + (uint64_t)(((int64_t)braw >> BUD_S) + 1);
}
/* BUDGET as r10 holds it: as much as fits, no calls; 0 units: the part is spent. */
static uint64_t bud_split(uint64_t budget, uint64_t *reserve)
{
	uint64_t part = budget < BUD_CHUNK ? budget : BUD_CHUNK;
	*reserve = budget - part;
	return (part - 1) << BUD_S;
}
static void sync_in(struct jst *st)
{
	st->dirty = 1;
	bud_fold(st, st->braw);
}
static void sync_out(struct jst *st)
{
	st->braw = bud_split(st->budget, &st->breserve);
}

static int fault(struct jst *st, size_t idx, int code, const char *msg)
{
	st->ret = bk__fault(st->run, st->prog, idx, code, "%s", msg);
	return 1;
}

#define INMEM(a, sz, wr) \
	(((a) >= st->stk_lo && (a) <= st->stk_hi - (sz)) || \
	 in_cache(st, a, sz, wr))
#define SLOW(a, sz, wr) \
	slow(st, a, sz, wr)

static int jit_oob(struct jst *st, uint32_t idx)
{
	st->ret = bk__fault(st->run, st->prog, idx, -ELOOP,
			    "step budget exhausted (%llu back-edges and calls): runaway loop?",
			    (unsigned long long)st->run->budget_init);
	st->budget = 0;
	return 1;
}

static int jit_depth(struct jst *st, uint32_t idx)
{
	st->dirty = 1;
	st->ret = bk__fault(st->run, st->prog, idx, -E2BIG,
			    "call depth exceeds %d frames of %d bytes", BK_VM_MAX_DEPTH,
			    BK_VM_STACK_SIZE);
	return 1;
}

/* A run with BUDGET steps left takes the body without step counting: it cannot run out. */
static bool jit_fast(const struct jit *j, uint64_t budget)
{
	return j->fast && budget > j->bound;
}

static int tail_call(struct jst *st)
{
	struct bk_run *run = st->run;
	struct bk_prog *t = run->tail_target;
	run->pending &= ~BK_PEND_TAIL;
	if (!bk_jit_attached(t)) {
		const struct jit *me = st->prog->jit;
		struct bk_jit_opts o = BK_OPTS_INIT(bk_jit_opts, .blind = me->blind,
						    .no_proofs = me->no_proofs);
		struct bk_err e = { 0 };
		if (bk_jit_attach(t, &o, &e) < 0) {
			/* the target stays with the interpreter; this run cannot continue */
			st->ret = bk__fault(run, t, 0, e.code, "tail call target: %s", e.msg);
			return 1;
		}
	}
	st->prog = t;
	run->prog = t;
	run->stats.tail_calls++;
	st->mg[st->fd] = BK_VM_MAY_GOTO_MAX;   /* a tail-called program starts a full count */
	if (--st->budget == 0)
		return jit_oob(st, 0);
	const struct jit *j = t->jit;
	st->target = (uint64_t)(uintptr_t)(jit_fast(j, st->budget) ? j->fast + j->fast_off[0] :
					   j->code + j->slot_off[0]);
	return 2;
}

/* The map helpers a proved program calls directly (emit_direct_helper). An update or
 * delete may free memory a cached region covers: the cache is dropped as after any
 * helper. */
static void drop_cache(struct jst *st)
{
	if (st->cache_live && (st->c[0].size || st->c[1].size)) {
		st->c[0].size = st->c[1].size = 0;
		cache_sync(st);
	}
}
static uint64_t jd_lookup(struct bk_map *m, const void *key, struct jst *st)
{
	st->dirty = 1;
	st->run->stats.helper_calls++;
	return (uint64_t)(uintptr_t)bk_map_lookup(m, key);
}
static uint64_t jd_update(struct bk_map *m, const void *key, const void *val, uint64_t flags,
			  struct jst *st)
{
	st->dirty = 1;
	st->run->stats.helper_calls++;
	long r = bk_map_update(m, key, val, flags);
	drop_cache(st);
	return (uint64_t)(int64_t)r;
}
static uint64_t jd_delete(struct bk_map *m, const void *key, struct jst *st)
{
	st->dirty = 1;
	st->run->stats.helper_calls++;
	long r = bk_map_delete(m, key);
	drop_cache(st);
	return (uint64_t)(int64_t)r;
}

/* A helper with the registers in st->r; mirrors interp_body.h's helper_call. */
static int helper_call(struct jst *st, uint32_t idx, const struct bk_helper *h)
{
	struct bk_run *run = st->run;
	uint64_t *r = st->r;
	run->budget = st->budget;
	run->depth = st->base + st->fd;
	run->prog = st->prog;
	run->helper = h;
	run->stats.helper_calls++;
	r[0] = h->fn(run, r[1], r[2], r[3], r[4], r[5]);
	drop_cache(st);
	st->budget = run->budget;
	if (run->pending) {
		if (run->pending & BK_PEND_FAIL) {
			int ret = run->err_code;
			bk__fault(run, st->prog, idx, ret, "helper %s: %s", h->name, run->why);
			st->ret = ret;
			return 1;
		}
		if (run->pending & BK_PEND_STOP) {
			st->ret = 0;
			return 1;
		}
		if (run->pending & BK_PEND_TAIL)
			return tail_call(st);
	}
	return 0;
}

/* One instruction executed by the runtime with the registers spilled in st->r.
 * 0: continue, 1: leave the program (st->ret says how), 2: tail call to st->target,
 * 3: local call to st->target (callx). Mirrors interp_body.h. */
static int jit_op_body(struct jst *st, uint32_t idx, uint64_t rsp)
{
	struct bk_run *run = st->run;
	const struct bk_dinsn *pc = &st->prog->code[idx];
	uint64_t *r = st->r;
	int k, ret;
	switch (pc->op) {
#define LOAD(name, type, ext, sx) case BK_OP_##name: { \
		uint64_t a = r[pc->src] + (uint64_t)(int64_t)pc->off; \
		if (!INMEM(a, sizeof(type), 0)) { \
			if ((k = SLOW(a, sizeof(type), false)) < 0) \
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
			if ((k = SLOW(a, sizeof(type), true)) < 0) \
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
			if ((k = SLOW(a, sizeof(type), true)) < 0) \
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
	BK_MEM_FORMS(LOAD, STORE, ATOMIC_OP, ATOMIC_FETCH, pc->imm, r[pc->src])
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
	case BK_XOP_CALL_HELPER:
		return helper_call(st, idx, (const struct bk_helper *)(uintptr_t)pc->imm);
	case BK_OP_CALLX: {
		const struct bk_prog *cur = st->prog;
		uint64_t v = r[pc->dst];
		uint64_t rel = v - (uint64_t)(uintptr_t)cur->code;
		if (rel < cur->n * sizeof(struct bk_dinsn) && rel % sizeof(struct bk_dinsn) == 0 &&
		    cur->code[rel / sizeof(struct bk_dinsn)].op != BK_XOP_NOP) {
			if (st->fd >= st->fdmax)
				return jit_depth(st, idx);
			st->calls++;
			if (r[10] < st->thr)
				st->thr = r[10];
			if (--st->budget == 0)
				return jit_oob(st, idx);
			const struct jit *j = cur->jit;
			st->target = (uint64_t)(uintptr_t)(j->code + j->slot_off[rel / sizeof(struct bk_dinsn)]);
			return 3;
		}
		const struct bk_helper *h = v < BK_VM_MAX_HELPER_ID ? run->vm->helpers[v] : NULL;
		if (!h || (h->types && !(h->types & (1ULL << cur->pt->type)))) {
			st->ret = bk__fault(run, cur, idx, -EFAULT,
					    "callx to 0x%llx: neither a function of the program nor a helper",
					    (unsigned long long)v);
			return 1;
		}
		return helper_call(st, idx, h);
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

static int jit_op(struct jst *st, uint32_t idx, uint64_t rsp)
{
	/* the call depth is in the native stack, the frames in use below the frame pointer */
	st->fd = (uint32_t)((st->r10_0 - st->r[10]) / BK_VM_STACK_SIZE);
	st->stk_lo = st->r[10] - BK_VM_STACK_SIZE;
	sync_in(st);
	int ret = jit_op_body(st, idx, rsp);
	sync_out(st);
	return ret;
}

/* r10's part of the budget ran out: the next part, or the run is over. */
static int jit_refill(struct jst *st, uint32_t idx)
{
	sync_in(st);
	int ret = st->budget == 0 ? jit_oob(st, idx) : 0;
	sync_out(st);
	return ret;
}

/* ---- code generation ---- */

/* The budget lives in r10 while machine code runs, in the state around C calls. */
static void spill(struct em *e)
{
	for (int i = 0; i < 11; i++)
		rm(e, 1, 0x89, map[i], R12, OFF_R(i));
	rm(e, 1, 0x89, R10, R12, OFF(braw));
}
static void reload(struct em *e)
{
	for (int i = 0; i < 11; i++)
		rm(e, 1, 0x8B, map[i], R12, OFF_R(i));
	rm(e, 1, 0x8B, R10, R12, OFF(braw));
}
static void call_abs(struct em *e, void *fn)
{
	mov_ri64(e, RAX, (uint64_t)(uintptr_t)fn);
	e1(e, 0xFF);
	modrr(e, 2, RAX);          /* call rax */
}
/* Registers to the state, FN(st, idx); a non-zero answer leaves through the T_NZ stub
 * (exit or tail call). The registers come back from the state. */
static void runtime_call(struct em *e, void *fn, uint32_t idx)
{
	spill(e);
	mov_rr(e, 1, RDI, R12);
	mov_ri64(e, RSI, idx);
	mov_rr(e, 1, RDX, RSP);
	call_abs(e, fn);
	rr(e, 0, 0x85, RAX, RAX);  /* test eax, eax */
	fix(e, jcc32(e, CC_NE), T_NZ);
	reload(e);
}
/* op qword/dword [r12+disp], imm8 */
static void mem_imm8(struct em *e, int w, unsigned opc, int ext, int32_t disp, int8_t v)
{
	rex(e, w, 0, R12, false);
	e1(e, opc);
	modmem(e, ext, R12, disp);
	e1(e, (uint8_t)v);
}
/* A fault stub (esi = slot) unless the flags say otherwise. */
static void guard(struct em *e, unsigned cc_ok, uint32_t idx, uint32_t stub)
{
	size_t ok = jcc32(e, cc_ok);
	mov_ri64(e, RSI, idx);
	fix(e, jmp32(e), stub);
	patch_here(e, ok);
}
/* An out-of-line budget refill (jit_refill) reached from the rel32 at JPOS, going on at
 * slot RESUME (or code offset RESUME when !SLOT). */
static void refill_at(struct em *e, size_t jpos, uint32_t idx, uint32_t resume, bool slot)
{
	e->rf = grow(e, e->rf, e->nrf, &e->caprf, sizeof(*e->rf), 64);
	if (e->nrf == e->caprf)
		return;
	e->rf[e->nrf++] = (struct refill){ (uint32_t)jpos, idx, resume, slot };
}
/* A taken backward jump: one less in the budget, and to T unless r10's part ran out
 * (one sub+jae per loop iteration). */
static void back_jump(struct em *e, uint32_t idx, uint32_t t)
{
	if (e->nobudget) {
		fix(e, jmp32(e), t);
		return;
	}
	ri(e, 1, 5, R10, (int32_t)(1u << BUD_S));     /* sub r10, 1 << BUD_S */
	fix(e, jcc32(e, CC_AE), t);
	refill_at(e, jmp32(e), idx, t, true);
}
/* A call: one more call and one less budget, both in r10. */
static void call_count(struct em *e, uint32_t idx)
{
	ri(e, 1, 5, R10, (int32_t)((1u << BUD_S) - 1));  /* sub r10, (1 << BUD_S) - 1 */
	size_t j = jcc32(e, CC_B);
	refill_at(e, j, idx, (uint32_t)e->n, false);
}

/* REG = V; with blinding V never appears in the code: (V ^ key) ^ key through TMP. */
static void load_k(struct em *e, int reg, uint64_t v, int tmp)
{
	if (!e->blind) {
		mov_ri64(e, reg, v);
		return;
	}
	rex(e, 1, 0, reg, false);
	e1(e, 0xB8u + (unsigned)(reg & 7));
	e8(e, v ^ e->key);
	rex(e, 1, 0, tmp, false);
	e1(e, 0xB8u + (unsigned)(tmp & 7));
	e8(e, e->key);
	rr(e, 1, 0x31, tmp, reg);
}

static void emit_div(struct em *e, int w, const struct bk_dinsn *pc, bool is_k, bool mod, bool sgn)
{
	int d = map[pc->dst];
	if (is_k) {
		uint64_t y = w ? pc->imm : (uint32_t)pc->imm;
		/* a constant divisor: the zero and -1 cases are known now */
		if ((w ? y : (uint32_t)y) == 0) {
			if (mod)
				mov_rr(e, w, d, d);
			else
				rr(e, 0, 0x31, d, d);
			return;
		}
		load_k(e, R11, y, R9);
	} else {
		mov_rr(e, w, R11, map[pc->src]);
	}
	size_t nz = 0, end1 = 0, endm = 0;
	if (!is_k) {
		rr(e, w, 0x85, R11, R11);
		nz = jcc32(e, CC_NE);
		/* y == 0: x/0 = 0, x%0 = x */
		if (mod)
			mov_rr(e, w, d, d);
		else
			rr(e, 0, 0x31, d, d);
		end1 = jmp32(e);
		patch_here(e, nz);
	}
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
	/* rax and rdx are BPF r0 and r3: kept in r9 and the state around the division */
	if (d != RAX)
		mov_rr(e, 1, R9, RAX);
	if (d != RDX)
		rm(e, 1, 0x89, RDX, R12, OFF(tmp));
	if (d != RAX)
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
	int res = mod ? RDX : RAX;
	if (d == RAX || d == RDX) {
		mov_rr(e, w, d, res);        /* also zero-extends a 32-bit result */
		if (d != RAX)
			mov_rr(e, 1, RAX, R9);
		if (d != RDX)
			rm(e, 1, 0x8B, RDX, R12, OFF(tmp));
	} else {
		mov_rr(e, w, d, res);
		mov_rr(e, 1, RAX, R9);
		rm(e, 1, 0x8B, RDX, R12, OFF(tmp));
	}
	if (!is_k)
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

/* REX with an index register (X < 0: none) */
static void rexx(struct em *e, int w, int r, int x, int b, bool force)
{
	unsigned v = 0x40u | (unsigned)w << 3 | (unsigned)(r >> 3 & 1) << 2 |
		     (x >= 0 ? (unsigned)(x >> 3 & 1) << 1 : 0) | (unsigned)(b >> 3 & 1);
	if (v != 0x40 || force)
		e1(e, v);
}
/* [base + index * 2^scale + disp] (INDEX < 0: none; BASE < 0: none, a disp32), with the
 * shortest displacement that holds DISP */
static void modmemx(struct em *e, int reg, int base, int index, int scale, int32_t disp)
{
	if (base < 0) {
		e1(e, (unsigned)(reg & 7) << 3 | 4);
		e1(e, (unsigned)scale << 6 | (unsigned)(index >= 0 ? index & 7 : 4) << 3 | 5);
		e4(e, (uint32_t)disp);
		return;
	}
	unsigned mod = disp == 0 && (base & 7) != 5 ? 0x00 : disp >= -128 && disp <= 127 ? 0x40 : 0x80;
	if (index < 0 && (base & 7) != 4) {
		e1(e, mod | (unsigned)(reg & 7) << 3 | (unsigned)(base & 7));
	} else {
		e1(e, mod | (unsigned)(reg & 7) << 3 | 4);
		e1(e, (unsigned)scale << 6 | (unsigned)(index >= 0 ? index & 7 : 4) << 3 |
		      (unsigned)(base & 7));
	}
	if (mod == 0x40)
		e1(e, (uint8_t)disp);
	else if (mod == 0x80)
		e4(e, (uint32_t)disp);
}

/* The access itself at [base + index * 2^scale + disp] (INDEX, BASE < 0: none). */
static void access(struct em *e, const struct bk_dinsn *pc, int size, bool store, bool imm,
		   bool sx, int base, int index, int scale, int32_t disp)
{
	int rb = base < 0 ? 0 : base;
	if (store && imm && !e->blind) {
		if (size == 2)
			e1(e, 0x66);
		rexx(e, size == 8, 0, index, rb, false);
		e1(e, size == 1 ? 0xC6 : 0xC7);
		modmemx(e, 0, base, index, scale, disp);
		if (size == 1)
			e1(e, (unsigned)pc->imm & 0xff);
		else if (size == 2) {
			uint16_t v = (uint16_t)pc->imm;
			put(e, &v, 2);
		} else
			e4(e, (uint32_t)pc->imm);
	} else if (store) {
		int s = imm ? R9 : map[pc->src];
		if (size == 2)
			e1(e, 0x66);
		rexx(e, size == 8, s, index, rb, size == 1);
		e1(e, size == 1 ? 0x88 : 0x89);
		modmemx(e, s, base, index, scale, disp);
	} else {
		int d = map[pc->dst];
		if (sx) {
			rexx(e, 1, d, index, rb, false);
			if (size == 4)
				e1(e, 0x63);
			else {
				e1(e, 0x0F);
				e1(e, size == 1 ? 0xBE : 0xBF);
			}
		} else if (size >= 4) {
			rexx(e, size == 8, d, index, rb, false);
			e1(e, 0x8B);
		} else {
			rexx(e, 0, d, index, rb, false);
			e1(e, 0x0F);
			e1(e, size == 1 ? 0xB6 : 0xB7);
		}
		modmemx(e, d, base, index, scale, disp);
	}
}

/* A load or store: r10 plus a constant inside the current frame needs no check; any
 * other address is compared with the frames in use inline, and out of line with the
 * cached region, then the runtime. */
static void emit_mem(struct em *e, const struct bk_dinsn *pc, uint32_t idx, int size,
		     bool store, bool imm, bool sx)
{
	int breg = store ? pc->dst : pc->src;
	if (store && imm && e->blind)
		load_k(e, R9, pc->imm, R11);
	if (breg == BK_MAX_REG && pc->off >= -BK_VM_STACK_SIZE && pc->off + size <= 0) {
		access(e, pc, size, store, imm, sx, RBP, -1, 0, pc->off);
		return;
	}
	if (e->proof && (e->proof[idx] & BK_VF_MEM_SAFE)) {
		access(e, pc, size, store, imm, sx, map[breg], -1, 0, pc->off);
		e->proved++;
		return;
	}
	rm(e, 1, 0x8D, R11, map[breg], pc->off + BK_VM_STACK_SIZE);  /* lea r11, [base+off+512] */
	rr(e, 1, 0x39, RBP, R11);                     /* cmp r11, rbp */
	size_t j1 = jcc32(e, CC_B);
	rm(e, 1, 0x3B, R11, R12, OFF_HI(size));       /* cmp r11, [hi+size] */
	size_t j2 = jcc32(e, CC_A);
	size_t back = e->n;
	access(e, pc, size, store, imm, sx, R11, -1, 0, -BK_VM_STACK_SIZE);
	e->ool = grow(e, e->ool, e->nool, &e->capool, sizeof(*e->ool), 64);
	if (e->nool == e->capool)
		return;
	e->ool[e->nool++] = (struct ool){ (uint32_t)j1, (uint32_t)j2, (uint32_t)back,
					  (uint32_t)e->n, idx, (uint8_t)size, store };
}

static void emit_ool(struct em *e, const struct ool *o)
{
	patch_here(e, o->j1);
	patch_here(e, o->j2);
	mem_imm8(e, 1, 0x83, 7, OFF(cache_live), 0);                   /* cmp qword [live], 0 */
	size_t empty = jcc32(e, CC_E);
	for (int k = 0; k < 2; k++) {
		rm(e, 1, 0x2B, R11, R12, OFF_CS(k));                       /* sub r11, [cstart] */
		rm(e, 1, 0x3B, R11, R12, o->store ? OFF_CW(k, o->size) : OFF_CR(k, o->size));
		size_t miss = jcc32(e, CC_AE);                              /* cmp r11, [lim] */
		rm(e, 1, 0x03, R11, R12, OFF_CS(k));                       /* add r11, [cstart] */
		e1(e, 0xE9);
		e4(e, (uint32_t)(o->back - (e->n + 4)));
		patch_here(e, miss);
		rm(e, 1, 0x03, R11, R12, OFF_CS(k));                       /* add r11, [cstart] */
	}
	patch_here(e, empty);
	runtime_call(e, (void *)jit_op, o->idx);
	e1(e, 0xE9);
	e4(e, (uint32_t)(o->after - (e->n + 4)));
}

static void emit_jump(struct em *e, const struct bk_dinsn *pc, uint32_t idx, int w, bool is_k,
		      unsigned cc, bool test)
{
	int d = map[pc->dst];
	if (is_k && e->blind) {
		load_k(e, R11, pc->imm, R9);
		rr(e, w, test ? 0x85 : 0x39, R11, d);
	} else if (is_k) {
		if (test) {
			rex(e, w, 0, d, false);
			e1(e, 0xF7);
			modrr(e, 0, d);
			e4(e, (uint32_t)pc->imm);
		} else if (pc->imm == 0) {
			rr(e, w, 0x85, d, d);    /* test: the flags of cmp d, 0 (CF = OF = 0) */
		} else
			ri(e, w, 7, d, (int32_t)pc->imm);
	} else {
		rr(e, w, test ? 0x85 : 0x39, map[pc->src], d);
	}
	uint32_t t = (uint32_t)pc->off;
	if (t <= idx && !e->nobudget) {
		size_t skip = jcc32(e, cc ^ 1);
		back_jump(e, idx, t);
		patch_here(e, skip);
	} else {
		fix(e, jcc32(e, cc), t);
	}
}

/* r11 = 4 * the current frame's index in this run: (r10_0 - rbp) / 128. */
static void mg_index(struct em *e)
{
	rm(e, 1, 0x8B, R11, R12, OFF(r10_0));          /* mov r11, [r10_0] */
	rr(e, 1, 0x29, RBP, R11);                      /* sub r11, rbp */
	rex(e, 1, 0, R11, false); e1(e, 0xC1); modrr(e, 5, R11); e1(e, 7);   /* shr r11, 7 */
}
/* OPC /EXT dword [r12 + r11 + mg] */
static void mg_mem(struct em *e, unsigned opc, int ext)
{
	if (e->track)
		e->uses_st = true;
	e1(e, 0x43);                                   /* REX.X (r11) REX.B (r12) */
	e1(e, opc);
	e1(e, 0x84u | (unsigned)ext << 3);             /* mod 10, rm 100: SIB + disp32 */
	e1(e, (R11 & 7) << 3 | (R12 & 7));
	e4(e, (uint32_t)OFF(mg));
}

/* The new frame of a bpf-to-bpf call (checks and counts done): the r6..r9 the callee
 * may write (all of them when the callee is not known or a tail call could change the
 * program) and the current program (when a tail call may change it) pushed, the frames
 * in use one lower, a native call, and back. The callee runs at rsp = 0 mod 16 (a
 * padding push when the count is even), as C calls need. */
static const uint8_t push_r6_r9[4][2] = { { 0x53, 0 }, { 0x41, 0x55 }, { 0x41, 0x56 }, { 0x41, 0x57 } };
static void call_frame(struct em *e, uint32_t target, bool indirect)
{
	unsigned save = indirect || e->tails ? 0xF : e->wmask[target];
	int n = 0;
	for (int k = 0; k < 4; k++) {
		if (save & 1u << k) {
			if (push_r6_r9[k][1]) e1(e, push_r6_r9[k][0]);
			e1(e, push_r6_r9[k][1] ? push_r6_r9[k][1] : push_r6_r9[k][0]);
			n++;
		}
	}
	if (e->tails) {
		rex(e, 0, 0, R12, false); e1(e, 0xFF); modmem(e, 6, R12, OFF(prog));   /* push [prog] */
		n++;
	}
	bool pad = !(n & 1);
	if (pad) {
		e1(e, 0x41); e1(e, 0x53);                  /* push r11 */
	}
	ri(e, 1, 5, RBP, BK_VM_STACK_SIZE);            /* sub rbp, 512 */
	if (e->may_goto) {
		/* the callee's may_goto count starts full (its own frame's slot) */
		mg_index(e);
		mg_mem(e, 0xC7, 0);
		e4(e, BK_VM_MAY_GOTO_MAX);
	}
	if (indirect) {
		rex(e, 0, 0, R12, false); e1(e, 0xFF); modmem(e, 2, R12, OFF(target)); /* call [target] */
	} else {
		e1(e, 0xE8);
		e4(e, 0);
		fix(e, e->n - 4, target);
	}
	ri(e, 1, 0, RBP, BK_VM_STACK_SIZE);            /* add rbp, 512 */
	if (pad) {
		e1(e, 0x41); e1(e, 0x5B);                  /* pop r11 */
	}
	if (e->tails) {
		rex(e, 0, 0, R12, false); e1(e, 0x8F); modmem(e, 0, R12, OFF(prog));   /* pop [prog] */
	}
	for (int k = 3; k >= 0; k--) {
		if (save & 1u << k) {
			if (push_r6_r9[k][1]) e1(e, push_r6_r9[k][0]);
			e1(e, (push_r6_r9[k][1] ? push_r6_r9[k][1] : push_r6_r9[k][0]) + 8);  /* pop */
		}
	}
}

/* Map helpers of a proved program, called as plain C functions: the verifier checked the
 * map pointer and the key and value memory, so the runtime's argument checks and the
 * register spill are not needed. BPF r1..r4 already sit in the SysV argument registers;
 * r0 comes back in rax. The budget register (caller-saved r10) is kept on the stack
 * (twice: calls stay 16-byte aligned). */
/* The map in r1 at a call in slot IDX, when an lddw of a map sets it in the same
 * straight-line code (no jump lands in between, nothing else writes r1); else NULL. */
static struct bk_map *r1_map(const struct bk_prog *prog, const struct em *e, uint32_t idx)
{
	for (uint32_t k = idx; k-- > 0;) {
		if (e->target[k + 1])
			return NULL;
		const struct bk_dinsn *d = &prog->code[k];
		if (d->op == BK_XOP_NOP)
			continue;
		if (d->op >= BK_OP__COUNT)
			return NULL;
		int fmt = bk_isa_info((enum bk_op)d->op)->fmt;
		if (fmt == BK_F_ST || fmt == BK_F_STX)
			continue;
		if (fmt != BK_F_ALU_K && fmt != BK_F_ALU_X && fmt != BK_F_NEG && fmt != BK_F_MOVSX &&
		    fmt != BK_F_END && fmt != BK_F_LDDW && fmt != BK_F_LDX && fmt != BK_F_LDXSX)
			return NULL;
		if (d->dst != 1)
			continue;
		uint8_t src = prog->insns[k].src;
		if (d->op == BK_OP_LDDW && (src == BK_PSEUDO_MAP_FD || src == BK_PSEUDO_MAP_IDX))
			return (struct bk_map *)(uintptr_t)d->imm;
		return NULL;
	}
	return NULL;
}

/* bpf_map_lookup_elem on an array map, inline as the kernel does it: the verifier
 * proved r1 is that map and r2 points to its 4-byte key, so the value is
 * base + key * stride when key < max_entries, else NULL. Per-cpu arrays too when the
 * map set has one cpu (its cpu number is then always 0; the count cannot change once a
 * per-cpu map exists). The element addresses come from the map itself. */
static bool emit_array_lookup(struct em *e, const struct bk_prog *prog, uint32_t idx)
{
	struct bk_map *m = r1_map(prog, e, idx);
	if (!m)
		return false;
	const struct bk_map_def *def = bk_map_def(m);
	if (!(def->type == BK_MAP_ARRAY ||
	      (def->type == BK_MAP_PERCPU_ARRAY && bk_maps_ncpus(prog->vm->maps) == 1)) ||
	    def->key_size != 4 || !def->max_entries || def->max_entries > INT32_MAX)
		return false;
	uint32_t k0 = 0, k1 = 1;
	uint8_t *v0 = bk_map_lookup(m, &k0);
	uint8_t *v1 = def->max_entries > 1 ? bk_map_lookup(m, &k1) : v0 + 8;
	if (!v0 || !v1 || v1 <= v0 || (uint64_t)(v1 - v0) > INT32_MAX)
		return false;
	int32_t stride = (int32_t)(v1 - v0);
	rm(e, 0, 0x8B, RAX, RSI, 0);                               /* mov eax, [rsi] */
	rex(e, 0, 0, RAX, false);
	e1(e, 0x3D);
	e4(e, def->max_entries);                                   /* cmp eax, max_entries */
	size_t null = jcc32(e, CC_AE);
	if ((stride & (stride - 1)) == 0) {
		int sh = __builtin_ctz((unsigned)stride);
		if (sh) {
			rex(e, 1, 0, RAX, false); e1(e, 0xC1); modrr(e, 4, RAX); e1(e, (unsigned)sh);
		}
	} else {
		rex(e, 1, RAX, RAX, false); e1(e, 0x69); modrr(e, RAX, RAX); e4(e, (uint32_t)stride);
	}
	mov_ri64(e, R11, (uint64_t)(uintptr_t)v0);
	rr(e, 1, 0x01, R11, RAX);                                  /* add rax, r11 */
	size_t done = jmp32(e);
	patch_here(e, null);
	rr(e, 0, 0x31, RAX, RAX);
	patch_here(e, done);
	/* the helper call is counted as the interpreter counts it */
	rm(e, 1, 0x8B, R11, R12, OFF(run));
	rm(e, 1, 0xFF, 0, R11, (int32_t)(offsetof(struct bk_run, stats) +
					  offsetof(struct bk_run_stats, helper_calls)));
	e->inlined++;
	return true;
}

static bool emit_direct_helper(struct em *e, const struct bk_prog *prog, const struct bk_dinsn *pc,
			       uint32_t idx)
{
	const struct bk_helper *h = (const struct bk_helper *)(uintptr_t)pc->imm;
	if (!e->proof || !(e->proof[idx] & BK_VF_VISITED) || !h->kernel_proto)
		return false;
	if (h->id == 1 && h->map_op && !e->blind && emit_array_lookup(e, prog, idx))
		return true;
	void *fn;
	int streg;
	switch (h->id) {
	case 1: fn = (void *)jd_lookup; streg = RDX; break;
	case 2: fn = (void *)jd_update; streg = R8; break;
	case 3: fn = (void *)jd_delete; streg = RDX; break;
	default: return false;
	}
	mov_rr(e, 1, streg, R12);
	e1(e, 0x41); e1(e, 0x52);                                  /* push r10 */
	e1(e, 0x41); e1(e, 0x52);
	call_abs(e, fn);
	e1(e, 0x41); e1(e, 0x5A);                                  /* pop r10 */
	e1(e, 0x41); e1(e, 0x5A);
	e->direct++;
	return true;
}

static void emit_call_local(struct em *e, uint32_t idx, uint32_t target)
{
	rm(e, 1, 0x3B, RBP, R12, OFF(thr));            /* cmp rbp, [thr] */
	size_t deeper = jcc32(e, CC_B);
	e->cs = grow(e, e->cs, e->ncs, &e->capcs, sizeof(*e->cs), 16);
	if (e->ncs == e->capcs)
		return;
	e->cs[e->ncs++] = (struct cslow){ (uint32_t)deeper, idx, (uint32_t)e->n };
	call_count(e, idx);
	call_frame(e, target, false);
}

/* Slots a jump, call or function reference may reach: a pair of slots compiled as one
 * instruction must not have its second slot among them. */
static bool *jump_targets(const struct bk_prog *prog)
{
	bool *t = calloc(prog->n + 1, 1);
	if (!t)
		return NULL;
	t[0] = true;
	for (size_t i = 0; i < prog->n; i++) {
		const struct bk_dinsn *d = &prog->code[i];
		if (d->op == BK_OP_LDDW && prog->insns[i].src == BK_PSEUDO_FUNC) {
			uintptr_t rel = (uintptr_t)d->imm - (uintptr_t)prog->code;
			if (rel / sizeof(*d) <= prog->n)
				t[rel / sizeof(*d)] = true;
			continue;
		}
		if (d->op >= BK_OP__COUNT)
			continue;
		int fmt = bk_isa_info((enum bk_op)d->op)->fmt;
		if (fmt == BK_F_JA || fmt == BK_F_JA32 || fmt == BK_F_JCOND || d->op == BK_OP_CALL_LOCAL)
			if (d->off >= 0 && (size_t)d->off <= prog->n)
				t[d->off] = true;
	}
	return t;
}

/* Per subprogram entry (slot 0, call and function-reference targets): which of r6..r9
 * (bits 0..3) an instruction of the subprogram names. Its own calls save what their
 * callees write, so this is what a call to it must save. */
static uint8_t *write_masks(const struct bk_prog *prog)
{
	uint8_t *m = calloc(prog->n + 1, 1);
	bool *entry = calloc(prog->n + 1, 1);
	if (!m || !entry) {
		free(m);
		free(entry);
		return NULL;
	}
	entry[0] = true;
	for (size_t i = 0; i < prog->n; i++) {
		const struct bk_dinsn *d = &prog->code[i];
		if (d->op == BK_OP_CALL_LOCAL && d->off >= 0 && (size_t)d->off < prog->n)
			entry[d->off] = true;
		if (d->op == BK_OP_LDDW && prog->insns[i].src == BK_PSEUDO_FUNC) {
			uintptr_t rel = ((uintptr_t)d->imm - (uintptr_t)prog->code) / sizeof(*d);
			if (rel < prog->n)
				entry[rel] = true;
		}
	}
	/* A jump from one subprogram into another, or one running off its end into the
	 * next, makes the ranges meaningless: then every call saves everything. */
	size_t cur = 0;
	bool mixed = false;
	for (size_t i = 0; i < prog->n && !mixed; i++) {
		if (entry[i])
			cur = i;
		const struct bk_dinsn *d = &prog->code[i];
		if (i + 1 < prog->n && entry[i + 1] && d->op != BK_OP_EXIT && d->op != BK_OP_JA &&
		    d->op != BK_OP_JA32)
			mixed = true;
		if (d->op >= BK_OP__COUNT || d->op == BK_OP_CALL_LOCAL)
			continue;
		int fmt = bk_isa_info((enum bk_op)d->op)->fmt;
		if (fmt != BK_F_JA && fmt != BK_F_JA32 && fmt != BK_F_JCOND)
			continue;
		size_t t = (size_t)d->off, lo = t < i ? t : i, hi = t < i ? i : t;
		for (size_t k = lo + 1; k <= hi && !mixed; k++)
			if (entry[k])
				mixed = true;
	}
	if (mixed) {
		memset(m, 0xF, prog->n + 1);
		free(entry);
		return m;
	}
	cur = 0;
	for (size_t i = 0; i < prog->n; i++) {
		if (entry[i])
			cur = i;
		const struct bk_dinsn *d = &prog->code[i];
		if (d->dst >= 6 && d->dst <= 9)
			m[cur] |= (uint8_t)(1u << (d->dst - 6));
		if (d->src >= 6 && d->src <= 9)
			m[cur] |= (uint8_t)(1u << (d->src - 6));
	}
	free(entry);
	return m;
}

/* Registers live after each slot (bit r), for a proved program only: the verifier's
 * rules then hold on every path (no read of r1..r5 after a call, nothing but r0 read
 * after an exit: a caller's r6..r9 come back from its call frame). NULL for others. */
static uint16_t *live_out(const struct bk_prog *prog)
{
	size_t n = prog->n;
	uint16_t *in = calloc(n + 1, sizeof(*in)), *out = calloc(n + 1, sizeof(*out));
	uint16_t *use = calloc(n + 1, sizeof(*use)), *def = calloc(n + 1, sizeof(*def));
	uint32_t *succ = calloc(2 * (n + 1), sizeof(*succ));
	if (!in || !out || !use || !def || !succ) {
		free(out);
		out = NULL;
		goto done;
	}
	const uint16_t all = 0x7FF, args = 0x3E, clob = 0x3F;
	for (size_t i = 0; i < n; i++) {
		const struct bk_dinsn *d = &prog->code[i];
		uint32_t s0 = (uint32_t)i + 1, s1 = UINT32_MAX;
		uint16_t u = all, df = 0, D = (uint16_t)(1u << d->dst), S = (uint16_t)(1u << d->src);
		if (d->op == BK_XOP_NOP) {
			u = 0;
		} else if (d->op == BK_XOP_CALL_HELPER) {
			u = args;
			df = clob;
		} else if (d->op < BK_OP__COUNT) {
			const struct bk_opinfo *info = bk_isa_info((enum bk_op)d->op);
			bool x = info->code & 0x08;
			switch (info->fmt) {
			case BK_F_ALU_K: case BK_F_ALU_X:
				if (d->op == BK_OP_MOV64_K || d->op == BK_OP_MOV32_K)
					u = 0;
				else if (d->op == BK_OP_MOV64_X || d->op == BK_OP_MOV32_X)
					u = S;
				else
					u = (uint16_t)(D | (info->fmt == BK_F_ALU_X ? S : 0));
				df = D;
				break;
			case BK_F_NEG: case BK_F_END: u = D; df = D; break;
			case BK_F_MOVSX: u = S; df = D; break;
			case BK_F_LDDW: u = 0; df = D; s0 = (uint32_t)i + 2; break;
			case BK_F_LDX: case BK_F_LDXSX: u = S; df = D; break;
			case BK_F_ST: u = D; break;
			case BK_F_STX: u = (uint16_t)(D | S); break;
			case BK_F_ATOMIC: u = (uint16_t)(D | S | 1); break;
			case BK_F_LDABS: case BK_F_LDIND: u = (uint16_t)(1u << 6 | S); df = clob; break;
			case BK_F_JA: case BK_F_JA32:
				if (d->op == BK_OP_MAY_GOTO) {
					s1 = (uint32_t)d->off;
				} else {
					s0 = (uint32_t)d->off;
				}
				u = 0;
				break;
			case BK_F_JCOND: u = (uint16_t)(D | (x ? S : 0)); s1 = (uint32_t)d->off; break;
			case BK_F_CALL: case BK_F_CALLX:
				u = (uint16_t)(args | (info->fmt == BK_F_CALLX ? D : 0));
				df = clob;
				break;
			case BK_F_EXIT: u = 1; s0 = UINT32_MAX; break;
			default: break;
			}
		}
		use[i] = (uint16_t)(u | 1u << 10);
		def[i] = df;
		succ[2 * i] = s0 <= n ? s0 : UINT32_MAX;
		succ[2 * i + 1] = s1 <= n ? s1 : UINT32_MAX;
	}
	in[n] = all;   /* running off the end: a fault, whatever is live */
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = n; i-- > 0;) {
			uint16_t o = 0;
			for (int k = 0; k < 2; k++)
				if (succ[2 * i + k] != UINT32_MAX)
					o |= in[succ[2 * i + k]];
			uint16_t ni = (uint16_t)(use[i] | (o & ~def[i]));
			if (o != out[i] || ni != in[i]) {
				out[i] = o;
				in[i] = ni;
				changed = true;
			}
		}
	}
done:
	free(in);
	free(use);
	free(def);
	free(succ);
	return out;
}

/* lea D, [B + I + disp8] (I < 0: no index) */
static void lea3(struct em *e, int d, int b, int i, int8_t disp)
{
	e1(e, 0x48u | (unsigned)(d >> 3 & 1) << 2 | (unsigned)(i >= 0 ? (i >> 3 & 1) << 1 : 0) |
	      (unsigned)(b >> 3 & 1));
	e1(e, 0x8D);
	e1(e, 0x44u | (unsigned)(d & 7) << 3);          /* mod 01, rm 100: SIB + disp8 */
	e1(e, (unsigned)(i >= 0 ? (i & 7) : 4) << 3 | (unsigned)(b & 7));
	e1(e, (uint8_t)disp);
}

/* Two slots as one x86 instruction (the second slot not a jump target):
 *   rD = rS; rD += imm / rT   ->  lea rD, [rS + imm / rT]
 *   rD <<= 32; rD >>= 32      ->  mov eD, eD */
static bool peephole(struct em *e, const struct bk_dinsn *a)
{
	const struct bk_dinsn *b = a + 1;
	if (a->op == BK_OP_MOV64_X && b->dst == a->dst && a->src != a->dst && !e->blind) {
		int d = map[a->dst], s = map[a->src];
		if (b->op == BK_OP_ADD64_K && (int64_t)b->imm >= -128 && (int64_t)b->imm <= 127) {
			lea3(e, d, s, -1, (int8_t)b->imm);
			return true;
		}
		if (b->op == BK_OP_ADD64_X) {
			lea3(e, d, s, b->src == a->dst ? s : map[b->src], 0);
			return true;
		}
		return false;
	}
	if (a->op == BK_OP_LSH64_K && b->op == BK_OP_RSH64_K && b->dst == a->dst &&
	    a->imm == 32 && b->imm == 32) {
		mov_rr(e, 0, map[a->dst], map[a->dst]);
		return true;
	}
	return false;
}

/* An address computation and the access it feeds as one access, in a proved program
 * (the slots after the first not jump targets):
 *   [rB <<= s (1..3);]  rD = rA / rD = K (lddw);  rD += rB / imm;  load or store via rD + off
 *     ->  the access at [rA/K + rB * 2^s / imm + off]
 * when rD (and a shifted rB) are dead after the access or its loaded register. The
 * kernel computes each step. Returns the slots taken, 0 for none. */
static size_t fold_addr(struct em *e, const struct bk_prog *prog, size_t i, size_t *nslots)
{
	if (!e->live || e->blind)
		return 0;
	const struct bk_dinsn *code = prog->code;
	size_t k = i;
	int sreg = -1, scale = 0;
	if (code[k].op == BK_OP_LSH64_K && code[k].imm >= 1 && code[k].imm <= 3) {
		sreg = code[k].dst;
		scale = (int)code[k].imm;
		k++;
	}
	if (k + 3 >= prog->n)
		return 0;
	const struct bk_dinsn *a = &code[k];
	int64_t disp = 0;
	int base = -1, index = -1;
	uint64_t K = 0;
	bool lddw = a->op == BK_OP_LDDW;
	if (a->op == BK_OP_MOV64_X && a->src != a->dst && a->src != sreg)
		base = map[a->src];
	else if (!lddw)
		return 0;
	size_t kb = k + (lddw ? 2 : 1);
	const struct bk_dinsn *b = &code[kb], *c = &code[kb + 1];
	uint32_t ci = (uint32_t)(kb + 1);
	int D = a->dst;
	if (D == 10 || b->dst != D || ci >= prog->n || !(e->proof[ci] & BK_VF_MEM_SAFE) ||
	    c->op >= BK_OP__COUNT)
		return 0;
	for (size_t t = i + 1; t <= ci; t++)
		if (e->target[t])
			return 0;
	if (b->op == BK_OP_ADD64_X && b->src != D && (sreg < 0 || b->src == sreg)) {
		index = map[b->src];
	} else if (b->op == BK_OP_ADD64_K && sreg < 0) {
		disp = (int64_t)b->imm;
	} else {
		return 0;
	}
	if (sreg == D)
		return 0;
	const struct bk_opinfo *info = bk_isa_info((enum bk_op)c->op);
	bool load = info->fmt == BK_F_LDX || info->fmt == BK_F_LDXSX;
	bool store = info->fmt == BK_F_ST || info->fmt == BK_F_STX;
	if ((!load && !store) || info->mem_size == 0)
		return 0;
	if ((load ? c->src : c->dst) != D ||
	    (info->fmt == BK_F_STX && (c->src == D || (sreg >= 0 && c->src == sreg))))
		return 0;
	uint16_t after = e->live[ci];
	if (load)
		after &= (uint16_t)~(1u << c->dst);
	if ((after & 1u << D) || (sreg >= 0 && (after & 1u << sreg)))
		return 0;
	disp += c->off;
	bool k11 = false;
	if (lddw) {
		K = a->imm;
		int64_t full = (int64_t)K + disp;
		if ((int64_t)K >= INT32_MIN && (int64_t)K <= INT32_MAX && full >= INT32_MIN &&
		    full <= INT32_MAX)
			disp = full;
		else
			k11 = true;   /* K in r11 as the base */
	}
	if (disp < INT32_MIN || disp > INT32_MAX)
		return 0;
	if (k11) {
		mov_ri64(e, R11, K);
		base = R11;
	}
	access(e, c, info->mem_size, store, info->fmt == BK_F_ST, info->fmt == BK_F_LDXSX,
	       base, index, scale, (int32_t)disp);
	e->proved++;
	*nslots = ci - i + 1 - (lddw ? 1 : 0);   /* the lddw's second slot is no instruction */
	return ci - i + 1;
}

/* r0 and the callee-saved r6-r9 the program uses (bit N of USED: rN) start at 0. */
static void zero_used(struct em *e, unsigned used)
{
	static const int zero[] = { 0, 6, 7, 8, 9 };
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		if (used >> zero[i] & 1)
			rr(e, 0, 0x31, map[zero[i]], map[zero[i]]);   /* xor r32, r32 */
}

/* The entry (jit_fn), after the body (which starts at offset 0): the callee-saved
 * registers the program uses, r12 = state, the registers the program names and the
 * arguments do not set zeroed (the interpreter's start), r10 = the frame pointer when the
 * program has memory or calls, then a native call of the body, so that every exit (of
 * the main program or of a subprogram) is a plain ret. A fault anywhere leaves through
 * rsp_save (the body's rsp) with a ret. A LEAN body (one that never names the state or
 * the budget, so it cannot call the runtime or fault) gets only its registers. */
static void prologue(struct em *e, const struct bk_prog *prog, bool calls, bool lean)
{
	unsigned used = 0;
	bool frame = e->tails || e->may_goto;
	for (size_t i = 0; i < prog->n; i++) {
		const struct bk_dinsn *d = &prog->code[i];
		if (d->op == BK_XOP_NOP)
			continue;
		used |= 1u << (d->dst & 15) | 1u << (d->src & 15);
		if (d->op >= BK_OP__COUNT) {
			frame = true;
			continue;
		}
		switch (bk_isa_info((enum bk_op)d->op)->fmt) {
		case BK_F_ALU_K: case BK_F_ALU_X: case BK_F_NEG: case BK_F_MOVSX: case BK_F_END:
		case BK_F_LDDW: case BK_F_JA: case BK_F_JA32: case BK_F_JCOND: case BK_F_EXIT:
			break;
		default:
			/* loads, stores, calls: their checks bound the frames in use with rbp */
			frame = true;
		}
	}
	if (e->tails)
		used = 0x7FF;       /* the target of a tail call runs on this entry */
	if (used & 1u << BK_MAX_REG)
		frame = true;
	if (lean) {
		static const struct { int reg, bpf; } ls[] = { { RBX, 6 }, { RBP, 10 }, { R13, 7 },
							       { R14, 8 }, { R15, 9 } };
		bool sv[5];
		int n = 0;
		for (int i = 0; i < 5; i++) {
			sv[i] = ls[i].bpf == 10 ? frame : (used >> ls[i].bpf & 1);
			if (sv[i]) {
				rex(e, 0, 0, ls[i].reg, false);
				e1(e, 0x50u + (unsigned)(ls[i].reg & 7));
				n++;
			}
		}
		zero_used(e, used);
		if (frame)
			rm(e, 1, 0x8B, RBP, R9, OFF(r10_0));   /* mov rbp, [st + r10_0] */
		if (!n) {
			e1(e, 0xE9);                           /* jmp body: its exit returns */
			e4(e, (uint32_t)(0 - (e->n + 4)));
			return;
		}
		e1(e, 0xE8);                                   /* call body */
		e4(e, (uint32_t)(0 - (e->n + 4)));
		for (int i = 4; i >= 0; i--) {
			if (sv[i]) {
				rex(e, 0, 0, ls[i].reg, false);
				e1(e, 0x58u + (unsigned)(ls[i].reg & 7));
			}
		}
		e1(e, 0xC3);
		return;
	}
	/* push order; the BPF register each holds (-1: the state) */
	static const struct { int reg, bpf; } cs[] = { { RBX, 6 }, { RBP, 10 }, { R12, -1 },
						       { R13, 7 }, { R14, 8 }, { R15, 9 } };
	bool save[6];
	int k = 0;
	for (int i = 0; i < 6; i++) {
		save[i] = cs[i].bpf < 0 || (cs[i].bpf == 10 ? frame : (used >> cs[i].bpf & 1));
		if (save[i]) {
			rex(e, 0, 0, cs[i].reg, false);
			e1(e, 0x50u + (unsigned)(cs[i].reg & 7));
			k++;
		}
	}
	/* the body runs at rsp = 0 mod 16 (entry 8, k pushes, the call of the body) */
	bool pad = k & 1;
	if (pad)
		ri(e, 1, 5, RSP, 8);
	mov_rr(e, 1, R12, R9);
	zero_used(e, used);
	if (frame)
		rm(e, 1, 0x8B, RBP, R12, OFF(r10_0));
	rm(e, 1, 0x8B, R10, R12, OFF(budget0));
	rm(e, 1, 0x8D, R11, RSP, -8);
	rm(e, 1, 0x89, R11, R12, OFF(rsp_save));       /* the body's rsp */
	if (calls) {
		rm(e, 1, 0x8D, R11, RBP, BK_VM_STACK_SIZE);
		rm(e, 1, 0x89, R11, R12, OFF(thr));        /* the first call is deeper */
	}
	if (e->may_goto) {
		rex(e, 0, 0, R12, false); e1(e, 0xC7); modmem(e, 0, R12, OFF(mg)); e4(e, BK_VM_MAY_GOTO_MAX);
	}
	e1(e, 0xE8);                                   /* call body */
	e4(e, (uint32_t)(0 - (e->n + 4)));
	rm(e, 1, 0x89, R10, R12, OFF(braw));
	if (pad)
		ri(e, 1, 0, RSP, 8);
	for (int i = 5; i >= 0; i--) {
		if (save[i]) {
			rex(e, 0, 0, cs[i].reg, false);
			e1(e, 0x58u + (unsigned)(cs[i].reg & 7));
		}
	}
	e1(e, 0xC3);
}

static int compile(struct bk_prog *prog, struct em *e, uint32_t *slot_off, size_t *native,
		   size_t *runtime, bool calls, uint32_t *entry, struct bk_err *err)
{
	e->track = true;
	for (size_t i = 0; i <= prog->n; i++) {
		const struct bk_dinsn *pc = &prog->code[i];
		uint32_t idx = (uint32_t)i;
		int d = map[pc->dst], s = map[pc->src];
		int32_t k = (int32_t)pc->imm;
		slot_off[i] = (uint32_t)e->n;
		/* the end-of-program slot faults: it counts only if execution can reach it */
		if (i == prog->n)
			e->track = e->target[i] || !prog->n ||
				   (prog->code[i - 1].op != BK_OP_EXIT && prog->code[i - 1].op != BK_OP_JA);
		if (pc->op == BK_XOP_NOP && i < prog->n)
			continue;   /* second half of an lddw */
		size_t nins, nf = fold_addr(e, prog, i, &nins);
		if (nf) {
			for (size_t t = 1; t < nf; t++)
				slot_off[++i] = (uint32_t)e->n;
			*native += nins;
			continue;
		}
		if (i + 1 < prog->n && !e->target[i + 1] && peephole(e, pc)) {
			slot_off[++i] = (uint32_t)e->n;
			*native += 2;
			continue;
		}
		bool rt = false;
		switch (pc->op) {
#define ALU(id, w, opc, ext) \
		case BK_OP_##id##_K: \
			if (e->blind) { load_k(e, R11, pc->imm, R9); rr(e, w, opc, R11, d); } \
			else ri(e, w, ext, d, k); \
			break; \
		case BK_OP_##id##_X: rr(e, w, opc, s, d); break;
#define ALU2(id, opc, ext) ALU(id##64, 1, opc, ext) ALU(id##32, 0, opc, ext)
		ALU2(ADD, 0x01, 0)
		ALU2(SUB, 0x29, 5)
		ALU2(OR, 0x09, 1)
		ALU2(AND, 0x21, 4)
		ALU2(XOR, 0x31, 6)
		case BK_OP_MUL64_K: case BK_OP_MUL32_K: {
			int w = pc->op == BK_OP_MUL64_K;
			if (e->blind) {
				load_k(e, R11, pc->imm, R9);
				rr0f(e, w, 0xAF, d, R11, false);
				break;
			}
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
		case BK_OP_MOV64_K: load_k(e, d, pc->imm, R11); break;
		case BK_OP_MOV64_X: if (d != s) mov_rr(e, 1, d, s); break;
		case BK_OP_MOV32_K: load_k(e, d, (uint32_t)pc->imm, R11); break;
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
		case BK_OP_LDDW: load_k(e, d, pc->imm, R11); break;
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
				back_jump(e, idx, t);
			else
				fix(e, jmp32(e), t);
			break;
		}
		case BK_OP_MAY_GOTO: {
			/* taken once the loop allowance is used up; until then one less */
			uint32_t t = (uint32_t)pc->off;
			mg_index(e);
			mg_mem(e, 0x83, 7);                          /* cmp dword [mg + r11], 0 */
			e1(e, 0);
			size_t dec = jcc32(e, CC_NE);
			if (t <= idx)
				back_jump(e, idx, t);
			else
				fix(e, jmp32(e), t);
			patch_here(e, dec);
			mg_mem(e, 0xFF, 1);                          /* dec dword [mg + r11] */
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
			/* the main program returns to its entry, a subprogram to its call */
			e1(e, 0xC3);
			break;
		case BK_OP_CALL_LOCAL:
			emit_call_local(e, idx, (uint32_t)pc->off);
			break;
		case BK_OP_CALLX: {
			spill(e);
			mov_rr(e, 1, RDI, R12);
			mov_ri64(e, RSI, idx);
			mov_rr(e, 1, RDX, RSP);
			call_abs(e, (void *)jit_op);
			e1(e, 0x83); modrr(e, 7, RAX); e1(e, 3);       /* cmp eax, 3 */
			size_t local = jcc32(e, CC_E);
			rr(e, 0, 0x85, RAX, RAX);
			fix(e, jcc32(e, CC_NE), T_NZ);
			reload(e);
			size_t done = jmp32(e);
			patch_here(e, local);
			reload(e);
			call_frame(e, 0, true);
			patch_here(e, done);
			rt = true;
			break;
		}
		case BK_XOP_CALL_HELPER:
			if (emit_direct_helper(e, prog, pc, idx))
				break;
			/* fall through */
		case BK_OP_LDABS_B: case BK_OP_LDABS_H: case BK_OP_LDABS_W:
		case BK_OP_LDIND_B: case BK_OP_LDIND_H: case BK_OP_LDIND_W:
		default:
			/* helpers, atomics, legacy packet loads, the never-reached slots */
			runtime_call(e, (void *)jit_op, idx);
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
	e->track = true;
	for (size_t i = 0; i < e->nool; i++)
		emit_ool(e, &e->ool[i]);
	for (size_t i = 0; i < e->nrf; i++) {
		const struct refill *f = &e->rf[i];
		patch_here(e, f->jpos);
		spill(e);
		mov_rr(e, 1, RDI, R12);
		mov_ri64(e, RSI, f->idx);
		call_abs(e, (void *)jit_refill);
		rr(e, 0, 0x85, RAX, RAX);
		fix(e, jcc32(e, CC_NE), T_NZ);
		reload(e);
		if (f->slot) {
			fix(e, jmp32(e), f->resume);
		} else {
			e1(e, 0xE9);
			e4(e, (uint32_t)(f->resume - (e->n + 4)));
		}
	}
	/* a call deeper than any before in this run: the depth limit, then the new low */
	for (size_t i = 0; i < e->ncs; i++) {
		const struct cslow *c = &e->cs[i];
		patch_here(e, c->jpos);
		rm(e, 1, 0x3B, RBP, R12, OFF(rbp_min));    /* cmp rbp, [rbp_min] */
		guard(e, CC_A, c->idx, T_DEPTH);
		rm(e, 1, 0x89, RBP, R12, OFF(thr));
		e1(e, 0xE9);
		e4(e, (uint32_t)(c->back - (e->n + 4)));
	}
	/* reached only from code that named the state */
	e->track = false;
	/* T_NZ: eax 2 is a tail call (registers from the state, into the target's body),
	 * anything else leaves */
	uint32_t nz = (uint32_t)e->n;
	e1(e, 0x83); modrr(e, 7, RAX); e1(e, 2);       /* cmp eax, 2 */
	size_t not_tail = jcc32(e, CC_NE);
	reload(e);
	rex(e, 0, 0, R12, false); e1(e, 0xFF); modmem(e, 4, R12, OFF(target));  /* jmp [target] */
	patch_here(e, not_tail);
	size_t to_leave = jmp32(e);
	/* the depth fault (esi = slot) */
	uint32_t depth = (uint32_t)e->n;
	rm(e, 1, 0x89, R10, R12, OFF(braw));
	rex(e, 1, 0, RSP, false); e1(e, 0x83); modrr(e, 4, RSP); e1(e, 0xF0);
	mov_rr(e, 1, RDI, R12);
	call_abs(e, (void *)jit_depth);
	patch_here(e, to_leave);
	rm(e, 1, 0x8B, RSP, R12, OFF(rsp_save));
	rm(e, 1, 0x8B, R10, R12, OFF(braw));           /* the budget as the runtime left it */
	e1(e, 0xC3);
	*entry = (uint32_t)e->n;
	prologue(e, prog, calls, !e->uses_st);
	if (e->oom)
		return bk_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < e->nfx; i++) {
		uint32_t t = e->fx[i].target;
		uint32_t to = t == T_NZ ? nz :
			      t == T_DEPTH ? depth : slot_off[t];
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
	free(j->fast_off);
	free(j);
}

/* clang's -fsanitize=function reads a type signature before the called address: the
 * machine code has none. */
#if defined(__clang__)
#define BK_NO_FUNCTION_SANITIZER __attribute__((no_sanitize("function")))
#else
#define BK_NO_FUNCTION_SANITIZER
#endif

/* The state of runs on one stack: what is fixed for the stack and the budget, set once
 * (per bk_jit_ctx, per test run). */
static void st_init(struct jst *st, struct bk_run *run, struct bk_prog *prog, uint64_t budget)
{
	memset(st, 0, sizeof(*st));
	uint64_t stk_hi = (uint64_t)(uintptr_t)run->stack + BK_VM_STACK_TOTAL;
	st->base = run->depth;
	st->fdmax = BK_VM_MAX_DEPTH - 1 - st->base;
	st->stk_lo = stk_hi - (uint64_t)(st->base + 1) * BK_VM_STACK_SIZE;
	st->stk_hi = stk_hi;

	for (int s = 1; s <= 8; s++)
		st->hi[s] = stk_hi - (uint64_t)s + BK_VM_STACK_SIZE;
	st->r10_0 = st->stk_lo + BK_VM_STACK_SIZE;
	st->rbp_min = st->r10_0 - (uint64_t)st->fdmax * BK_VM_STACK_SIZE;
	st->thr = st->r10_0 + BK_VM_STACK_SIZE;
	st->budget0 = st->braw = bud_split(budget, &st->reserve0);
	st->breserve = st->reserve0;
	st->mg[0] = BK_VM_MAY_GOTO_MAX;
	st->run = run;
	st->prog = prog;
}

/* After a run in which the runtime ran: back to a fresh run (as bk__run_once resets). */
static void st_reset(struct jst *st, struct bk_run *run, struct bk_prog *root)
{
	st->dirty = 0;
	st->ret = 0;
	st->calls = 0;
	st->breserve = st->reserve0;
	st->cache_live = 0;
	st->prog = root;
	st->mg[0] = BK_VM_MAY_GOTO_MAX;
	run->prog = root;
	run->pending = 0;
	run->err_code = 0;
	run->depth = st->base;
	run->budget = run->budget_init;
	run->may_goto = BK_VM_MAY_GOTO_MAX;
	run->nregions = run->nfixed;
	memset(&run->stats, 0, sizeof(run->stats));
	memset(&run->redirect, 0, sizeof(run->redirect));
}

/* The run's outcome into the bk_run: budget, program, statistics; its error or r0. */
static int st_done(struct jst *st, struct bk_run *run, const struct jit *j, uint64_t v,
		   uint64_t *r0)
{
	bud_fold(st, st->braw);
	st->braw &= ~BUD_CMASK;
	run->budget = st->budget;
	run->prog = st->prog;
	run->depth = st->base;
	run->stats.calls += st->calls;
	uint32_t deepest = st->base + 1 +
			   (uint32_t)((st->r10_0 + BK_VM_STACK_SIZE - st->thr) / BK_VM_STACK_SIZE);
	if (deepest > run->stats.max_depth)
		run->stats.max_depth = deepest;
	if (st->ret < 0)
		return st->ret;
	if (!(run->pending & BK_PEND_STOP))
		*r0 = v;
	return 0;
}

BK_NO_FUNCTION_SANITIZER
static inline uint64_t enter(const struct jit *j, struct jst *st, uint64_t r1, uint64_t r2,
			     uint64_t r3, uint64_t r4, uint64_t r5)
{
	jit_fn fn;
	uint64_t left = st->reserve0 + (uint64_t)(((int64_t)st->budget0 >> BUD_S) + 1);
	void *code = jit_fast(j, left) ? j->fast + j->fast_entry : j->code + j->entry;
	memcpy(&fn, &code, sizeof(fn));
	return fn(r1, r2, r3, r4, r5, st);
}

BK_NO_FUNCTION_SANITIZER
static int jit_run(struct bk_run *run, struct bk_prog *prog, const uint64_t args[5], uint64_t *r0)
{
	struct jst st;
	st_init(&st, run, prog, run->budget);
	uint64_t v = enter(prog->jit, &st, args[0], args[1], args[2], args[3], args[4]);
	return st_done(&st, run, prog->jit, v, r0);
}

/* bk_prog_test_run's REPEAT runs, each as bk__run_once would run it, on one state: a run
 * that only ran machine code leaves nothing to reset. The statistics are the last run's. */
BK_NO_FUNCTION_SANITIZER
static int jit_repeat(struct bk_run *run, struct bk_prog *prog, const uint64_t args[5],
		      uint32_t repeat, uint64_t *r0)
{
	struct jst st;
	st_init(&st, run, prog, run->budget_init);
	st.dirty = 1;
	const struct jit *j = prog->jit;
	uint64_t a1 = args[0], a2 = args[1], a3 = args[2], a4 = args[3], a5 = args[4];
	uint64_t v = 0;
	for (uint32_t i = 0; i < repeat; i++) {
		if (st.dirty)
			st_reset(&st, run, prog);
		v = enter(j, &st, a1, a2, a3, a4, a5);
		if (st.ret < 0)
			break;
	}
	*r0 = 0;
	int ret = st_done(&st, run, j, v, r0);
	return bk__run_end(run, ret, r0);
}

/* One body into E (its code in e->b): the emitter's buffers are its own, the analyses
 * (targets, write masks) shared. */
static int build(struct bk_prog *prog, struct em *e, uint32_t *off, struct bk_jit_info *info,
		 bool calls, uint32_t *entry, struct bk_err *err)
{
	int ret = compile(prog, e, off, &info->native, &info->runtime, calls, entry, err);
	free(e->fx);
	free(e->ool);
	free(e->rf);
	free(e->cs);
	e->fx = NULL;
	e->ool = NULL;
	e->rf = NULL;
	e->cs = NULL;
	e->nfx = e->capfx = e->nool = e->capool = e->nrf = e->caprf = e->ncs = e->capcs = 0;
	info->proved = e->proved;
	info->direct = e->direct;
	info->inlined = e->inlined;
	info->code_size = e->n;
	return ret;
}

int bk_jit_attach(struct bk_prog *prog, const struct bk_jit_opts *opts, struct bk_err *err)
{
	if (!bk_jit_supported())
		return bk_err_set(err, -EOPNOTSUPP, "the JIT needs an x86-64 host");
	struct em e = { 0 }, f = { 0 };
	e.blind = BK_OPTS_GET(opts, blind, false);
	bool no_proofs = BK_OPTS_GET(opts, no_proofs, false);
	if (!no_proofs)
		e.proof = prog->proof;
	/* any helper may ask for a tail call (bk_run_tail_call), callx may reach one */
	bool calls = false;
	for (size_t i = 0; i < prog->n; i++) {
		if (prog->code[i].op == BK_XOP_CALL_HELPER || prog->code[i].op == BK_OP_CALLX)
			e.tails = true;
		if (prog->code[i].op == BK_OP_MAY_GOTO)
			e.may_goto = true;
		if (prog->code[i].op == BK_OP_CALL_LOCAL || prog->code[i].op == BK_OP_CALLX)
			calls = true;
	}
	if (e.blind && getrandom(&e.key, sizeof(e.key), 0) != (ssize_t)sizeof(e.key))
		e.key = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)prog;
	uint64_t bound = e.proof ? prog->proof_bound : 0;
	struct jit *j = calloc(1, sizeof(*j));
	uint32_t *off = calloc(prog->n + 1, sizeof(*off));
	uint32_t *foff = bound ? calloc(prog->n + 1, sizeof(*foff)) : NULL;
	struct bk_jit_info finfo = { 0 };
	int ret;
	if (!j || !off || (bound && !foff)) {
		ret = bk_err_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	e.target = jump_targets(prog);
	e.wmask = write_masks(prog);
	if (e.proof && !(e.live = live_out(prog))) {
		ret = bk_err_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	if (!e.target || !e.wmask) {
		ret = bk_err_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	f = e;
	f.nobudget = true;
	ret = build(prog, &e, off, &j->info, calls, &j->entry, err);
	if (ret < 0)
		goto fail;
	if (bound && (ret = build(prog, &f, foff, &finfo, calls, &j->fast_entry, err)) < 0)
		goto fail;
	long pg = 4096;
	size_t fstart = (e.n + 63) & ~(size_t)63;
	size_t total = bound ? fstart + f.n : e.n;
	j->map_size = (total + (size_t)pg - 1) & ~((size_t)pg - 1);
	void *m = mmap(NULL, j->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		ret = bk_err_set(err, -ENOMEM, "cannot map code pages");
		goto fail;
	}
	memcpy(m, e.b, e.n);
	if (bound) {
		memset((uint8_t *)m + e.n, 0xCC, fstart - e.n);   /* int3 */
		memcpy((uint8_t *)m + fstart, f.b, f.n);
	}
	if (mprotect(m, j->map_size, PROT_READ | PROT_EXEC) < 0) {
		munmap(m, j->map_size);
		ret = bk_err_set(err, -errno, "cannot make code pages executable");
		goto fail;
	}
	j->code = m;
	j->size = e.n;
	j->slot_off = off;
	if (bound) {
		j->fast = (uint8_t *)m + fstart;
		j->fast_off = foff;
		j->fast_size = f.n;
		j->bound = bound;
	}
	j->blind = e.blind;
	j->no_proofs = no_proofs;
	j->info.ninsns = prog->n;
	j->info.blinded = e.blind;
	j->info.step_bound = bound;
	free(e.b);
	free(f.b);
	free(e.target);
	free(e.wmask);
	free(e.live);
	bk_jit_detach(prog);
	prog->jit = j;
	prog->jit_free = jit_free;
	prog->jit_run = jit_run;
	prog->jit_repeat = jit_repeat;
	return 0;
fail:
	free(e.b);
	free(f.b);
	free(e.fx);
	free(e.ool);
	free(e.rf);
	free(e.cs);
	free(e.target);
	free(e.wmask);
	free(e.live);
	free(off);
	free(foff);
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
	prog->jit_repeat = NULL;
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
	if (info) {
		*info = j->info;
		if (j->fast)
			info->code_size = j->fast_size;
	}
	return j->fast ? j->fast : j->code;
}

long bk_jit_slot_offset(const struct bk_prog *prog, size_t idx)
{
	if (!bk_jit_attached(prog) || idx > prog->n)
		return -1;
	const struct jit *j = prog->jit;
	return (long)(j->fast ? j->fast_off : j->slot_off)[idx];
}

struct bk_jit_ctx {
	struct jst st;            /* the template: a run of machine code alone leaves it as is */
	struct bk_run run;
	struct bk_prog *prog;
};

struct bk_jit_ctx *bk_jit_ctx_new(struct bk_prog *prog, const struct bk_exec_opts *opts,
				  struct bk_err *err)
{
	if (!bk_jit_attached(prog)) {
		bk_err_set(err, -EINVAL, "the program has no machine code (bk_jit_attach first)");
		return NULL;
	}
	size_t nregs = BK_OPTS_GET(opts, nregions, 0);
	const struct bk_mem_region *regs = BK_OPTS_GET(opts, regions, NULL);
	if (nregs > BK_VM_MAX_REGIONS / 2) {
		bk_err_set(err, -E2BIG, "too many memory regions (%zu, max %d)", nregs,
			   BK_VM_MAX_REGIONS / 2);
		return NULL;
	}
	struct bk_jit_ctx *c = calloc(1, sizeof(*c));
	if (!c) {
		bk_err_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	bk__run_init(&c->run, prog);
	c->prog = prog;
	for (size_t i = 0; i < nregs && regs; i++)
		c->run.regions[i] = (struct bk_region){ (uint64_t)(uintptr_t)regs[i].start,
							regs[i].size, regs[i].writable, BK_REG_MEM };
	c->run.nregions = c->run.nfixed = (int)nregs;
	uint64_t budget = BK_OPTS_GET(opts, budget, 0);
	c->run.budget_init = budget ? budget : BK_VM_DEFAULT_BUDGET;
	c->run.trace = BK_OPTS_GET(opts, trace, NULL);
	c->run.user = BK_OPTS_GET(opts, user, NULL);
	c->run.stack = calloc(1, BK_VM_STACK_TOTAL);
	if (!c->run.stack) {
		free(c);
		bk_err_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	st_init(&c->st, &c->run, prog, c->run.budget_init);
	st_reset(&c->st, &c->run, prog);
	return c;
}

BK_NO_FUNCTION_SANITIZER
int bk_jit_exec(struct bk_jit_ctx *c, uint64_t r1, uint64_t *r0)
{
	struct bk_prog *prog = c->prog;
	struct jst *st = &c->st;
	if (__builtin_expect(prog->jit_run != jit_run, 0))
		return bk_err_set(c->run.err, -EINVAL, "the program's machine code was detached");
	if (__builtin_expect(st->dirty, 0))
		st_reset(st, &c->run, prog);
	uint64_t v = enter(prog->jit, st, r1, 0, 0, 0, 0);
	if (__builtin_expect(st->dirty, 0)) {
		int ret = st_done(st, &c->run, prog->jit, v, &v);
		if (ret < 0)
			return ret;
		if (c->run.pending & BK_PEND_STOP)
			v = c->run.stop_r0;
	}
	*r0 = v;
	return 0;
}

const char *bk_jit_ctx_error(const struct bk_jit_ctx *c)
{
	return c->run.errbuf.msg;
}

void bk_jit_ctx_free(struct bk_jit_ctx *c)
{
	if (!c)
		return;
	bk__run_fini(&c->run);
	free(c);
}
