/* The JIT's entry paths against the interpreter: bk_prog_test_run with repeat (the JIT's
 * own loop, its state reset only after a run in which the runtime ran) and the lean
 * bk_jit_exec (a context reused across runs, faults and stops included), and the host's
 * callee-saved registers kept by a prologue that saves only what the program uses. */
#define VM_INSNS_ONLY
#include "vm_insns.h"

#include "bpfkit/jit.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static unsigned ncount;
/* helper 1: counts its calls, r0 = r1 * 2 + the count of this run's sequence */
static uint64_t h_count(struct bk_run *run, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return a * 2 + (++ncount);
}
/* helper 2: fails on its third call overall, stops (r0 = 42) when r1 == 9 */
static unsigned nfail;
static uint64_t h_fail(struct bk_run *run, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	if (a == 9)
		return bk_run_stop(run, 42);
	if (++nfail == 3 || a == 7)
		return bk_run_fail(run, -EPERM, "refused on call %u (r1 %llu)", nfail, (unsigned long long)a);
	return a + 100;
}

static const struct bk_insn p_trivial[] = { MOV(0, 1), EXIT };
/* 10 back-edges */
static const struct bk_insn p_loop[] = { MOV(0, 0), MOV(1, 10), ADDX(0, 1), ADDK(1, -1),
					 I(0x55, 1, 0, -3, 0), EXIT };
/* a loop of 4 calls to a subprogram that calls another (depth 3), r6..r9 live */
static const struct bk_insn p_calls[] = {
	MOV(6, 4), MOV(7, 0), MOV(8, 3), MOV(9, 5),
	/* 4: */ MOVX(1, 6), LCALL(7), ADDX(7, 0), ADDX(7, 8), ADDK(6, -1), I(0x55, 6, 0, -6, 0),
	/* 10: */ MOVX(0, 7), ADDX(0, 9), EXIT,
	/* 13: sub1 */ MOV(6, 1000), STX(SZ_DW, 10, 1, -8), LCALL(3), LDX(SZ_DW, 2, 10, -8),
	ADDX(0, 2), EXIT,
	/* 19: sub2 */ MOVX(0, 1), ADDK(0, 7), EXIT,
};
/* helper calls in a loop (the runtime runs every repeat) */
static const struct bk_insn p_helper[] = { MOV(6, 3), MOV(7, 0),
					   MOVX(1, 6), CALL(1), ADDX(7, 0), ADDK(6, -1),
					   I(0x55, 6, 0, -5, 0), MOVX(0, 7), EXIT };
/* r1 = 9: the helper stops the program */
static const struct bk_insn p_stop[] = { MOV(1, 9), CALL(2), MOV(0, 5), EXIT };
/* the helper fails on its third call: in the first run */
static const struct bk_insn p_fail[] = { MOV(1, 1), CALL(2), MOV(1, 1), CALL(2), MOV(1, 1), CALL(2),
					 EXIT };
/* unbounded recursion: the depth limit */
static const struct bk_insn p_rec[] = { LCALL(-1), EXIT };
/* a runaway loop: the budget */
static const struct bk_insn p_spin[] = { ADDK(0, 1), I(0x05, 0, 0, -2, 0), EXIT };
/* a load out of bounds */
static const struct bk_insn p_oob[] = { LDX(SZ_DW, 0, 1, 4096), EXIT };
/* may_goto: its full count (1 << 23) around the loop */
static const struct bk_insn p_mg[] = { MOV(0, 0), I(0xe5, 0, 0, 2, 0), ADDK(0, 1),
				       I(0x05, 0, 0, -3, 0), EXIT };

struct outcome {
	int ret;
	uint64_t r0;
	struct bk_run_stats st;
	bool stopped;
	char msg[BK_ERR_MAX];
	unsigned count, fail;
};

static void test_run(struct bk_prog *p, uint32_t repeat, uint64_t budget, struct outcome *o)
{
	uint8_t data[64] = { 0 };
	struct bk_run_opts ro = BK_OPTS_INIT(bk_run_opts, .data_in = data, .data_size_in = sizeof(data),
					     .repeat = repeat, .budget = budget);
	struct bk_run_result res;
	struct bk_err err = { 0 };
	memset(o, 0, sizeof(*o));
	ncount = nfail = 0;
	o->ret = bk_prog_test_run(p, &ro, &res, &err);
	o->count = ncount;
	o->fail = nfail;
	if (o->ret == 0) {
		o->r0 = res.retval;
		o->st = res.stats;
		o->stopped = res.stopped;
		bk_run_result_free(&res);
	} else {
		snprintf(o->msg, sizeof(o->msg), "%s", err.msg);
		char *x = strstr(o->msg, "0x");
		if (x)
			*x = 0;
	}
}

static bool same(const struct outcome *a, const struct outcome *b)
{
	return a->ret == b->ret && a->r0 == b->r0 && a->stopped == b->stopped &&
	       a->st.back_edges == b->st.back_edges && a->st.calls == b->st.calls &&
	       a->st.helper_calls == b->st.helper_calls && a->st.tail_calls == b->st.tail_calls &&
	       a->st.max_depth == b->st.max_depth && a->count == b->count && a->fail == b->fail &&
	       !strcmp(a->msg, b->msg);
}

/* Many values live across the calls: a JIT entry that lost a callee-saved register
 * changes the sums. */
__attribute__((noinline)) static bool keeps_registers(struct bk_jit_ctx *c, uint64_t want)
{
	uint64_t a = 1, b = 2, d = 3, e = 5, f = 7, g = 11, h = 13, bad = 0;
	for (uint64_t i = 0; i < 1000; i++) {
		uint64_t v = 0;
		bk_jit_exec(c, i, &v);
		if (v != want + i)
			bad++;
		a += i; b ^= a; d += b * 3; e += d >> 3; f ^= e + i; g += f * 5; h += g ^ a;
	}
	uint64_t a2 = 1, b2 = 2, d2 = 3, e2 = 5, f2 = 7, g2 = 11, h2 = 13;
	for (uint64_t i = 0; i < 1000; i++) {
		__asm__ volatile("" ::: "memory");
		a2 += i; b2 ^= a2; d2 += b2 * 3; e2 += d2 >> 3; f2 ^= e2 + i; g2 += f2 * 5; h2 += g2 ^ a2;
	}
	return !bad && a == a2 && b == b2 && d == d2 && e == e2 && f == f2 && g == g2 && h == h2;
}

int main(void)
{
	if (!bk_jit_supported()) {
		printf("skip jit entry: not an x86-64 host\n");
		return 0;
	}
	struct bk_vm *vm = bk_vm_new(NULL);
	struct bk_err err = { 0 };
	struct bk_helper h1 = { .id = 1, .name = "count", .fn = h_count };
	struct bk_helper h2 = { .id = 2, .name = "fail", .fn = h_fail };
	CHECK("jit entry helpers", vm && !bk_vm_register_helper(vm, &h1, &err) &&
				   !bk_vm_register_helper(vm, &h2, &err));

	static const struct {
		const char *name;
		const struct bk_insn *p;
		size_t n;
		uint64_t budget;
		int want;
	} progs[] = {
		{ "trivial", p_trivial, N(p_trivial), 0, 0 },
		{ "loop", p_loop, N(p_loop), 0, 0 },
		{ "calls", p_calls, N(p_calls), 0, 0 },
		{ "helper", p_helper, N(p_helper), 0, 0 },
		{ "stop", p_stop, N(p_stop), 0, 0 },
		{ "fail", p_fail, N(p_fail), 0, -EPERM },
		{ "recursion", p_rec, N(p_rec), 0, -E2BIG },
		{ "budget", p_spin, N(p_spin), 500, -ELOOP },
		{ "oob", p_oob, N(p_oob), 0, -EFAULT },
		{ "may_goto", p_mg, N(p_mg), 0, 0 },
	};
	static const uint32_t repeats[] = { 1, 2, 5 };
	for (size_t k = 0; k < N(progs); k++) {
		struct bk_prog *p;
		int ret = bk_vm_load(vm, progs[k].p, progs[k].n, NULL, &p, &err);
		CHECKF(ret == 0, "jit entry %s loads (%s)", progs[k].name, err.msg);
		if (ret)
			continue;
		struct outcome a[N(repeats)], b[N(repeats)];
		for (size_t r = 0; r < N(repeats); r++)
			test_run(p, repeats[r], progs[k].budget, &a[r]);
		ret = bk_jit_attach(p, NULL, &err);
		CHECKF(ret == 0, "jit entry %s compiles (%s)", progs[k].name, err.msg);
		for (size_t r = 0; r < N(repeats) && ret == 0; r++) {
			test_run(p, repeats[r], progs[k].budget, &b[r]);
			CHECKF(same(&a[r], &b[r]) && a[r].ret == progs[k].want,
			       "jit entry %s, repeat %u: ret %d/%d r0 %llu/%llu calls %llu/%llu back-edges "
			       "%llu/%llu helpers %llu/%llu depth %u/%u helper runs %u/%u '%s'/'%s'",
			       progs[k].name, repeats[r], a[r].ret, b[r].ret,
			       (unsigned long long)a[r].r0, (unsigned long long)b[r].r0,
			       (unsigned long long)a[r].st.calls, (unsigned long long)b[r].st.calls,
			       (unsigned long long)a[r].st.back_edges, (unsigned long long)b[r].st.back_edges,
			       (unsigned long long)a[r].st.helper_calls, (unsigned long long)b[r].st.helper_calls,
			       a[r].st.max_depth, b[r].st.max_depth, a[r].count + a[r].fail,
			       b[r].count + b[r].fail, a[r].msg, b[r].msg);
		}
		bk_prog_free(p);
	}

	/* the lean entry: a run the helper fails or stops, then plain runs, on one context;
	 * each as bk_prog_exec gives it */
	struct bk_insn lean[] = { MOV(6, 1), I(0x55, 1, 0, 1, 3), MOV(6, 2), CALL(2),
				  ADDX(0, 6), EXIT };
	struct bk_prog *p;
	int ret = bk_vm_load(vm, lean, N(lean), NULL, &p, &err);
	struct bk_jit_ctx *c = NULL;
	if (ret == 0 && bk_jit_attach(p, NULL, &err) == 0)
		c = bk_jit_ctx_new(p, NULL, &err);
	CHECKF(c != NULL, "jit entry lean context (%s)", err.msg);
	if (c) {
		static const uint64_t ins[] = { 0, 1, 3, 9, 4, 7, 5, 9, 9, 2, 7, 7, 6, 3 };
		int bad = 0;
		for (size_t i = 0; i < N(ins); i++) {
			uint64_t va = 0, vb = 0;
			struct bk_exec_opts eo = BK_OPTS_INIT(bk_exec_opts);
			eo.args[0] = ins[i];
			struct bk_err ea = { 0 };
			nfail = 100;   /* only r1 == 7 fails */
			int ra = bk_prog_exec(p, &eo, &va, NULL, &ea);
			nfail = 100;
			int rb = bk_jit_exec(c, ins[i], &vb);
			const char *mb = rb ? bk_jit_ctx_error(c) : "";
			if (ra != rb || (ra == 0 && va != vb) || (ra && strcmp(ea.msg, mb))) {
				if (bad++ < 3)
					printf("# r1 %llu: exec %d %llu '%s', lean %d %llu '%s'\n",
					       (unsigned long long)ins[i], ra, (unsigned long long)va, ea.msg,
					       rb, (unsigned long long)vb, mb);
			}
		}
		CHECKF(bad == 0, "jit entry lean: %zu runs with faults and stops between, as bk_prog_exec",
		       N(ins));
		bk_jit_ctx_free(c);
	}
	bk_prog_free(p);

	/* callee-saved registers: a program naming r6..r9 and r10 (bpf-to-bpf call included),
	 * and one naming none of them */
	struct bk_insn regs[] = { MOV(6, 1), MOV(7, 2), MOV(8, 3), MOV(9, 4), STX(SZ_DW, 10, 1, -8),
				  LCALL(4), LDX(SZ_DW, 0, 10, -8), ADDX(0, 6), ADDX(0, 9), EXIT,
				  MOV(6, -1), MOV(7, -1), MOV(8, -1), MOV(9, -1), EXIT };
	struct bk_insn bare[] = { MOVX(0, 1), ADDK(0, 40), EXIT };
	/* no call, no checked access: an entry without the state */
	struct bk_insn leaf[] = { MOV(6, 1), MOV(7, 2), MOV(8, 3), MOVX(9, 1), STX(SZ_DW, 10, 9, -8),
				  LDX(SZ_DW, 0, 10, -8), ADDX(0, 6), ADDX(0, 8), EXIT };
	struct { const char *name; struct bk_insn *p; size_t n; uint64_t want; } rk[] = {
		{ "r6..r10", regs, N(regs), 5 }, { "none", bare, N(bare), 40 },
		{ "r6..r10 without the state", leaf, N(leaf), 4 },
	};
	for (size_t k = 0; k < N(rk); k++) {
		c = NULL;
		if (bk_vm_load(vm, rk[k].p, rk[k].n, NULL, &p, &err) == 0) {
			if (bk_jit_attach(p, NULL, &err) == 0)
				c = bk_jit_ctx_new(p, NULL, &err);
			CHECKF(c && keeps_registers(c, rk[k].want),
			       "jit entry keeps the host's callee-saved registers (program using %s)",
			       rk[k].name);
			bk_jit_ctx_free(c);
			bk_prog_free(p);
		} else {
			CHECKF(0, "jit entry %s loads (%s)", rk[k].name, err.msg);
		}
	}
	/* r10 holds at most 2^30 - 2 units of the budget: a run past that refills it, and
	 * the calls counted in r10 are kept (JIT only: the interpreter would take seconds) */
	const int32_t loops = 1 << 30;
	struct bk_insn big[] = { MOV(6, 0), MOV(7, 0),
				 LCALL(6), ADDX(7, 0),
				 ADDK(6, 1), I(0x55, 6, 0, -2, loops),
				 LCALL(2), ADDX(0, 7), EXIT,
				 MOV(0, 1), EXIT };
	if (bk_vm_load(vm, big, N(big), NULL, &p, &err) == 0 && bk_jit_attach(p, NULL, &err) == 0) {
		uint64_t need = (uint64_t)loops + 1;   /* 2 calls, loops - 1 back-edges */
		struct bk_exec_opts eo = BK_OPTS_INIT(bk_exec_opts, .budget = need + 1);
		struct bk_run_stats rs;
		uint64_t v = 0;
		ret = bk_prog_exec(p, &eo, &v, &rs, &err);
		CHECKF(ret == 0 && v == 2 && rs.calls == 2 && rs.back_edges == (uint64_t)loops - 1 &&
		       rs.max_depth == 2,
		       "jit budget over r10's part: %d, r0 %llu, %llu calls, %llu back-edges (%s)", ret,
		       (unsigned long long)v, (unsigned long long)rs.calls,
		       (unsigned long long)rs.back_edges, ret ? err.msg : "");
		eo.budget = need;
		ret = bk_prog_exec(p, &eo, &v, &rs, &err);
		CHECKF(ret == -ELOOP && strstr(err.msg, "insn 6"),
		       "jit budget over r10's part runs out at the last call (%s)", err.msg);
		bk_prog_free(p);
	} else {
		CHECKF(0, "jit budget program (%s)", err.msg);
	}
	bk_vm_free(vm);
	return 0;
}
