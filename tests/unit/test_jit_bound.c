/* The verifier's run bound (bk_prog_prove: prog->proof_bound) in the JIT: a proved loop
 * program gets a body without step counting on its back-edges, taken only when the
 * budget exceeds the bound. For every budget, below, at and above the bound, the JIT
 * gives the interpreter's result and error; a tail call into a bounded program with
 * little budget left takes the counting body; may_goto, callbacks and tail calls leave
 * a program without a bound. */
#include "tap.h"

#include "bpfkit/asm.h"
#include "bpfkit/helpers.h"
#include "bpfkit/jit.h"
#include "bpfkit/maps.h"
#include "bpfkit/vm.h"
#include "vm/vm_internal.h"

#include <errno.h>
#include <stdlib.h>

#if defined(__x86_64__)

/* sum of 0..99 with a bpf-to-bpf call in the loop body: 100 back-edges, 100 calls */
static const char loop_text[] =
	"  r6 = 0\n"
	"  r7 = 0\n"
	"l:\n"
	"  r1 = r7\n"
	"  call f\n"
	"  r6 += r0\n"
	"  r7 += 1\n"
	"  if r7 < 100 goto l\n"
	"  r0 = r6\n"
	"  exit\n"
	"f:\n"
	"  r0 = r1\n"
	"  exit\n";

/* tail calls slot 0 of the prog array (map 0), then returns 7 */
static const char tail_text[] =
	"  r2 = 0 ll\n"
	"  r3 = 0\n"
	"  call 12\n"
	"  r0 = 7\n"
	"  exit\n";

/* a may_goto loop: proved, but with no bound */
static const char mg_text[] =
	"  r0 = 0\n"
	"l:\n"
	"  may_goto out\n"
	"  r1 = 1\n"
	"  goto l\n"
	"out:\n"
	"  exit\n";

struct outcome {
	int ret;
	uint64_t r0;
	struct bk_run_stats st;
	char msg[BK_ERR_MAX];
};

static struct bk_prog *load(struct bk_vm *vm, const char *text, struct bk_map **maps, size_t nmaps)
{
	struct bk_buf b = { 0 };
	struct bk_err e = { 0 };
	if (bk_asm_raw(text, strlen(text), NULL, &b, &e)) {
		printf("not ok jit bound: assemble: %s\n", e.msg);
		return NULL;
	}
	struct bk_insn *ins = (struct bk_insn *)b.data;
	size_t n = b.len / sizeof(*ins);
	for (size_t i = 0; i + 1 < n; i++)
		if (ins[i].code == 0x18) {
			ins[i].src = 5;     /* map by index */
			i++;
		}
	struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .type = BK_PROG_XDP, .maps = maps,
					      .nmaps = nmaps);
	struct bk_prog *p = NULL;
	if (bk_vm_load(vm, ins, n, &po, &p, &e))
		printf("not ok jit bound: load: %s\n", e.msg);
	free(b.data);
	return p;
}

/* a test run on a 64-byte packet (the tail call needs the context in r1) */
static void run(struct bk_prog *p, uint64_t budget, struct outcome *o)
{
	static const uint8_t pkt[64];
	struct bk_run_opts ro = BK_OPTS_INIT(bk_run_opts, .data_in = pkt, .data_size_in = sizeof pkt,
					     .budget = budget);
	struct bk_run_result res;
	struct bk_err e = { 0 };
	memset(o, 0, sizeof(*o));
	o->ret = bk_prog_test_run(p, &ro, &res, &e);
	if (o->ret) {
		snprintf(o->msg, sizeof(o->msg), "%s", e.msg);
		return;
	}
	o->r0 = res.retval;
	o->st = res.stats;
	bk_run_result_free(&res);
}

static bool same(const struct outcome *a, const struct outcome *b, bool stats)
{
	if (a->ret != b->ret || a->r0 != b->r0 || strcmp(a->msg, b->msg))
		return false;
	return !stats || (a->st.back_edges == b->st.back_edges && a->st.calls == b->st.calls &&
			  a->st.max_depth == b->st.max_depth);
}

int main(void)
{
	struct bk_err e = { 0 };
	struct bk_vm *vm = bk_vm_new(NULL);
	if (!vm || bk_helpers_install(vm, &e)) {
		printf("not ok jit bound: setup: %s\n", e.msg);
		return 0;
	}
	struct bk_prog *p = load(vm, loop_text, NULL, 0);
	if (!p)
		return 0;
	/* the interpreter's reference for every budget, before any proof or JIT */
	static const uint64_t budgets[] = { 1, 2, 3, 100, 150, 199, 200, 201, 202, 0 };
	enum { NB = sizeof(budgets) / sizeof(budgets[0]) };
	struct outcome ref[NB], got;
	for (size_t i = 0; i < NB; i++)
		run(p, budgets[i], &ref[i]);
	CHECKF(ref[0].ret == -ELOOP && ref[NB - 1].ret == 0 && ref[NB - 1].r0 == 4950 &&
	       ref[NB - 1].st.back_edges == 99 && ref[NB - 1].st.calls == 100,
	       "jit bound: the loop program runs out with budget 1, sums to 4950 by default (%d %llu)",
	       ref[NB - 1].ret, (unsigned long long)ref[NB - 1].r0);

	int pr = bk_prog_prove(p, &e);
	uint64_t bound = p->proof_bound;
	struct bk_exec_opts co = BK_OPTS_INIT(bk_exec_opts, .count_insns = true);
	struct bk_run_stats cs = { 0 };
	uint64_t r0 = 0;
	bk_prog_exec(p, &co, &r0, &cs, &e);   /* the loop program reads no context */
	CHECKF(pr == 0 && bound >= cs.insns && bound < 100000,
	       "jit bound: proved, bound %llu covers the %llu instructions executed",
	       (unsigned long long)bound, (unsigned long long)cs.insns);
	int ja = bk_jit_attach(p, NULL, &e);
	struct bk_jit_info info = { 0 };
	bk_jit_code(p, &info);
	CHECKF(ja == 0 && info.step_bound == bound, "jit bound: attached with step_bound %llu (%s)",
	       (unsigned long long)info.step_bound, ja ? e.msg : "");
	/* budgets around the bound, where the body switches */
	size_t bad = 0;
	for (size_t i = 0; i < NB; i++) {
		run(p, budgets[i], &got);
		/* above the bound the back-edges are not counted: stats compared below it */
		if (!same(&ref[i], &got, budgets[i] && budgets[i] <= bound) && bad++ < 3)
			printf("# budget %llu: interp %d %llu '%s' back-edges %llu, jit %d %llu '%s' back-edges %llu\n",
			       (unsigned long long)budgets[i], ref[i].ret, (unsigned long long)ref[i].r0,
			       ref[i].msg, (unsigned long long)ref[i].st.back_edges, got.ret,
			       (unsigned long long)got.r0, got.msg, (unsigned long long)got.st.back_edges);
	}
	CHECKF(bad == 0, "jit bound: interpreter and JIT agree for budgets 1..202 and the default (%zu differ)", bad);
	struct outcome at[2], fast;
	run(p, bound, &at[0]);
	run(p, bound + 1, &at[1]);
	run(p, 0, &fast);
	CHECKF(at[0].ret == 0 && at[0].st.back_edges == 99 && at[1].ret == 0 && at[1].r0 == 4950 &&
	       at[1].st.back_edges == 0 && at[1].st.calls == 100 && fast.st.back_edges == 0,
	       "jit bound: a budget equal to the bound counts back-edges (%llu), above it not (%llu), calls still counted (%llu)",
	       (unsigned long long)at[0].st.back_edges, (unsigned long long)at[1].st.back_edges,
	       (unsigned long long)at[1].st.calls);

	/* a tail call into the bounded program with less budget left than its bound takes
	 * the counting body: the interpreter's error */
	struct bk_map *pa;
	struct bk_map_def def = { .type = BK_MAP_PROG_ARRAY, .key_size = 4, .value_size = 4,
				  .max_entries = 1 };
	snprintf(def.name, sizeof def.name, "jmp");
	if (bk_map_create(bk_vm_maps(vm), &def, &pa, &e)) {
		printf("not ok jit bound: prog array: %s\n", e.msg);
		return 0;
	}
	uint32_t key = 0, id = bk_prog_id(p);
	bk_map_sys_update(pa, &key, &id, 0, &e);
	struct bk_prog *t = load(vm, tail_text, &pa, 1);
	if (!t)
		return 0;
	struct outcome tref[3], tgot[3];
	static const uint64_t tb[3] = { 60, 250, 0 };
	bk_jit_detach(p);
	for (int i = 0; i < 3; i++)
		run(t, tb[i], &tref[i]);
	int tp = bk_prog_prove(t, &e);
	CHECKF(tp == 0 && t->proof_bound == 0, "jit bound: a tail-calling program is proved without a bound (%d %s)",
	       tp, tp ? e.msg : "");
	bk_jit_attach(p, NULL, &e);
	bk_jit_attach(t, NULL, &e);
	for (int i = 0; i < 3; i++)
		run(t, tb[i], &tgot[i]);
	if (tref[0].ret != -ELOOP)
		printf("# tail call: %s\n", tref[0].msg);
	CHECKF(tref[0].ret == -ELOOP && tref[2].r0 == 4950 && same(&tref[0], &tgot[0], false) &&
	       same(&tref[1], &tgot[1], false) && same(&tref[2], &tgot[2], false),
	       "jit bound: tail call into a bounded program, budgets 60/250/default: %d/%d/%d as the interpreter's %d/%d/%d",
	       tgot[0].ret, tgot[1].ret, tgot[2].ret, tref[0].ret, tref[1].ret, tref[2].ret);

	struct bk_prog *m = load(vm, mg_text, NULL, 0);
	if (m) {
		int mp = bk_prog_prove(m, &e);
		CHECKF(mp == 0 && m->proof_bound == 0, "jit bound: a may_goto program is proved without a bound (%d %s)",
		       mp, mp ? e.msg : "");
	}
	bk_vm_free(vm);
	return 0;
}

#else
int main(void)
{
	printf("skip jit bound: the JIT needs an x86-64 host\n");
	return 0;
}
#endif
