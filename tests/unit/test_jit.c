/* The JIT against the interpreter: hand-picked programs, then random ones (every ALU,
 * jump, load/store and atomic form the table has), comparing r0, memory, stats and
 * the error message bit for bit. */
#include "bpfkit/jit.h"
#include "bpfkit/isa.h"
#include "bpfkit/vm.h"
#include "tap.h"
#include "jit_diff.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const int32_t special[] = { 0, 1, -1, 2, 7, 8, 31, 32, 63, 64, INT32_MIN, INT32_MAX,
				   0x7fff, -0x8000, 0xff, 0x80 };
static int32_t rimm(void)
{
	return rnd() & 1 ? special[rnd() % (sizeof(special) / sizeof(special[0]))] : (int32_t)rnd();
}

static enum bk_op forms[BK_OP__COUNT];
static size_t nforms;

static void pick_forms(void)
{
	for (int op = 0; op < BK_OP__COUNT; op++) {
		const struct bk_opinfo *in = bk_isa_info((enum bk_op)op);
		switch (in->fmt) {
		case BK_F_ALU_K: case BK_F_ALU_X: case BK_F_NEG: case BK_F_MOVSX: case BK_F_END:
		case BK_F_JCOND: case BK_F_JA: case BK_F_JA32: case BK_F_LDX: case BK_F_LDXSX:
		case BK_F_ST: case BK_F_STX: case BK_F_ATOMIC: case BK_F_LDDW:
			if ((in->match == BK_M_SRC && in->match_value != 0 && in->fmt == BK_F_LDDW) ||
			    op == BK_OP_MAY_GOTO)
				break;
			forms[nforms++] = (enum bk_op)op;
			break;
		default:
			break;
		}
	}
}

/* One random program of N slots ending in exit. Memory goes through r1 (the region)
 * and r10 (the stack), so most accesses are valid and some are not. */
static size_t gen(struct bk_insn *p, size_t n)
{
	size_t k = 0;
	for (int r = 0; r < 10; r++) {
		if (r == 1)
			continue;
		p[k++] = (struct bk_insn){ .code = 0xb7, .dst = (uint8_t)r, .imm = rimm() };
	}
	while (k < n - 1) {
		/* calls: local, callx through a function address or a helper number, may_goto */
		if (rnd() % 14 == 0 && k + 3 < n - 1) {
			uint8_t reg = (uint8_t)(rnd() % 10);
			int32_t t = (int32_t)(rnd() % (n - 1));
			switch (rnd() % 4) {
			case 0:
				p[k] = (struct bk_insn){ .code = 0x85, .src = 1, .imm = t - (int32_t)(k + 1) };
				k++;
				break;
			case 1:
				p[k] = (struct bk_insn){ .code = 0x18, .dst = reg, .src = 4,
							 .imm = t - (int32_t)(k + 1) };
				p[k + 1] = (struct bk_insn){ 0 };
				p[k + 2] = (struct bk_insn){ .code = 0x8d, .dst = reg };
				k += 3;
				break;
			case 2:
				p[k] = (struct bk_insn){ .code = 0xb7, .dst = reg, .imm = (int32_t)(rnd() % 3) };
				p[k + 1] = (struct bk_insn){ .code = 0x8d, .dst = reg };
				k += 2;
				break;
			default:
				p[k] = (struct bk_insn){ .code = 0xe5,
							 .off = (int16_t)(rnd() % 4 ? (int)(rnd() % (n - 1 - k))
									      : -(int)(rnd() % (k + 1)) - 1) };
				k++;
				break;
			}
			continue;
		}
		enum bk_op op = forms[rnd() % nforms];
		const struct bk_opinfo *in = bk_isa_info(op);
		if (in->slots == 2 && k + 2 >= n)
			continue;
		struct bk_insn x = { .code = in->code };
		x.dst = (uint8_t)(rnd() % 10);
		x.src = (uint8_t)(rnd() % 10);   /* r10's value differs between runs */
		x.imm = rimm();
		x.off = (int16_t)(rnd() % 3 == 0 ? (int16_t)rnd() : (int16_t)(rnd() % 64) - 32);
		bool mem = in->mem_size != 0;
		if (mem) {
			bool stack = rnd() & 1;
			int base = stack ? 10 : 1;
			int16_t off = stack ? (int16_t)(-(int)(rnd() % 72))
					    : (int16_t)(rnd() % 80) - 4;
			if (rnd() % 8 == 0)
				off = (int16_t)rnd();
			if (in->fmt == BK_F_LDX || in->fmt == BK_F_LDXSX) {
				x.src = (uint8_t)base;
				if (x.dst == 1 && rnd() % 4)
					x.dst = 2;
			} else {
				x.dst = (uint8_t)base;
			}
			if (in->fmt == BK_F_ATOMIC && (rnd() & 3))
				off &= (int16_t)~(in->mem_size - 1);
			x.off = off;
		} else if (x.dst == 1 && rnd() % 8) {
			x.dst = 0;
		}
		if (in->fmt == BK_F_JCOND || in->fmt == BK_F_JA) {
			int span = (int)(n - 1 - k);
			int back = (int)k;
			/* mostly forward; sometimes backward (loops the budget must stop) */
			x.off = rnd() % 16 ? (int16_t)(rnd() % (unsigned)span)
					   : (int16_t)(-(int)(rnd() % (unsigned)(back + 1)) - 1);
		}
		if (in->fmt == BK_F_JA32) {
			x.imm = (int32_t)(rnd() % (uint64_t)(n - 1 - k));
		}
		if (in->match == BK_M_OFF)
			x.off = (int16_t)in->match_value;
		else if (in->match == BK_M_IMM)
			x.imm = in->match_value;
		else if (in->match == BK_M_SRC)
			x.src = (uint8_t)in->match_value;
		if (in->zero & BK_Z_DST)
			x.dst = 0;
		if (in->zero & BK_Z_SRC)
			x.src = 0;
		if (in->zero & BK_Z_OFF)
			x.off = 0;
		if (in->zero & BK_Z_IMM)
			x.imm = 0;
		p[k++] = x;
		if (in->slots == 2)
			p[k++] = (struct bk_insn){ .imm = (int32_t)rnd() };
	}
	p[k++] = (struct bk_insn){ .code = 0x95 };
	return k;
}

static size_t ncalls, ndeep;

static int differential(struct bk_vm *vm, size_t count, size_t *errors, size_t *loaded)
{
	struct bk_insn prog[64];
	uint8_t init[64];
	int bad = 0;
	for (size_t it = 0; it < count; it++) {
		size_t n = gen(prog, 16 + rnd() % 40);
		for (size_t i = 0; i < sizeof(init); i++)
			init[i] = (uint8_t)rnd();
		struct bk_prog *p;
		struct bk_err err = { 0 };
		if (bk_vm_load(vm, prog, n, NULL, &p, &err) < 0)
			continue;
		(*loaded)++;
		struct jd_outcome a, b;
		jd_run(p, init, 300, &a);
		if (bk_jit_attach(p, NULL, &err) < 0) {
			if (bad++ < 3)
				printf("not ok jit random %zu: refused: %s\n", it, err.msg);
			bk_prog_free(p);
			continue;
		}
		jd_run(p, init, 300, &b);
		if (a.ret)
			(*errors)++;
		if (a.st.calls)
			ncalls++;
		if (a.ret == -E2BIG)
			ndeep++;
		if (!jd_same(&a, &b)) {
			if (bad++ < 3) {
				printf("not ok jit random %zu: mem %d stats %d/%d: interp ret %d r0 0x%llx '%s' / jit ret %d r0 0x%llx '%s'\n",
				       it, memcmp(a.mem, b.mem, 64) != 0, (int)a.st.back_edges,
				       (int)b.st.back_edges, a.ret, (unsigned long long)a.r0, a.msg, b.ret,
				       (unsigned long long)b.r0, b.msg);
				for (size_t i = 0; i < n; i++)
					printf("#  %zu: %02x %u %u %d %d\n", i, prog[i].code, prog[i].dst,
					       prog[i].src, prog[i].off, prog[i].imm);
			}
		}
		bk_prog_free(p);
	}
	return bad;
}

static uint64_t h_add(struct bk_run *run, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return a + b * 3 + c * 5 + d * 7 + e * 11;
}

int main(int argc, char **argv)
{
	if (!bk_jit_supported()) {
		printf("skip jit: not an x86-64 host\n");
		return 0;
	}
	size_t count = argc > 1 ? strtoull(argv[1], NULL, 0) : 100000;
	pick_forms();
	struct bk_vm *vm = bk_vm_new(NULL);
	struct bk_err err = { 0 };
	CHECK("jit vm", vm != NULL);

	/* a helper call: r0 from the helper, registers r6..r9 kept, r1..r5 passed */
	struct bk_helper h = { .id = 1, .name = "add", .fn = h_add };
	bk_vm_register_helper(vm, &h, &err);
	struct bk_insn call[] = {
		{ .code = 0xb7, .dst = 1, .imm = 1 }, { .code = 0xb7, .dst = 2, .imm = 2 },
		{ .code = 0xb7, .dst = 3, .imm = 3 }, { .code = 0xb7, .dst = 4, .imm = 4 },
		{ .code = 0xb7, .dst = 5, .imm = 5 }, { .code = 0xb7, .dst = 6, .imm = 100 },
		{ .code = 0x85, .imm = 1 },
		{ .code = 0x0f, .dst = 0, .src = 6 }, { .code = 0x95 },
	};
	struct bk_prog *p;
	uint64_t r0 = 0;
	int ret = bk_vm_load(vm, call, 9, NULL, &p, &err);
	CHECKF(ret == 0, "jit helper program loads (%s)", err.msg);
	if (ret == 0) {
		ret = bk_jit_attach(p, NULL, &err);
		CHECKF(ret == 0 && bk_jit_attached(p), "jit compiles a helper call (%s)", err.msg);
		struct bk_exec_opts eo = BK_OPTS_INIT(bk_exec_opts);
		ret = bk_prog_exec(p, &eo, &r0, NULL, &err);
		CHECKF(ret == 0 && r0 == 1 + 6 + 15 + 28 + 55 + 100, "jit helper call r0 = %llu",
		       (unsigned long long)r0);
		bk_prog_free(p);
	}

	/* an infinite loop stops at the budget with the interpreter's error */
	struct bk_insn loop[] = { { .code = 0x07, .dst = 0, .imm = 1 }, { .code = 0x05, .off = -2 },
				  { .code = 0x95 } };
	ret = bk_vm_load(vm, loop, 3, NULL, &p, &err);
	if (ret == 0) {
		struct bk_exec_opts eo = BK_OPTS_INIT(bk_exec_opts, .budget = 1000);
		struct bk_err e1 = { 0 }, e2 = { 0 };
		int a = bk_prog_exec(p, &eo, &r0, NULL, &e1);
		bk_jit_attach(p, NULL, &err);
		int b = bk_prog_exec(p, &eo, &r0, NULL, &e2);
		CHECKF(a == -ELOOP && b == -ELOOP && !strcmp(e1.msg, e2.msg),
		       "jit runaway loop stops at the budget (%s)", e2.msg);
		bk_prog_free(p);
	}

	/* a bpf-to-bpf call: r6 kept across it, the callee's stack frame below the caller's */
	struct bk_insn local[] = {
		{ .code = 0xb7, .dst = 6, .imm = 5 },
		{ .code = 0x7a, .dst = 10, .off = -8, .imm = 100 },     /* *(u64 *)(r10 - 8) = 100 */
		{ .code = 0xbf, .dst = 1, .src = 10 },                  /* r1 = r10 */
		{ .code = 0x85, .src = 1, .imm = 4 },                   /* call +4 */
		{ .code = 0x0f, .dst = 0, .src = 6 },                   /* r0 += r6 */
		{ .code = 0x79, .dst = 2, .src = 10, .off = -8 },
		{ .code = 0x0f, .dst = 0, .src = 2 }, { .code = 0x95 },
		/* callee: r6 = 1000; *(u64 *)(r10 - 8) = 7; r0 = *(u64 *)(r1 - 8) (caller's) + 7 */
		{ .code = 0xb7, .dst = 6, .imm = 1000 },
		{ .code = 0x7a, .dst = 10, .off = -8, .imm = 7 },
		{ .code = 0x79, .dst = 0, .src = 1, .off = -8 },
		{ .code = 0x07, .dst = 0, .imm = 7 }, { .code = 0x95 },
	};
	ret = bk_vm_load(vm, local, 13, NULL, &p, &err);
	CHECKF(ret == 0, "jit local-call program loads (%s)", err.msg);
	if (ret == 0) {
		ret = bk_jit_attach(p, NULL, &err);
		struct bk_jit_info info;
		bk_jit_code(p, &info);
		CHECKF(ret == 0 && info.native == 13, "jit compiles a local call inline (%s)", err.msg);
		struct bk_exec_opts eo = BK_OPTS_INIT(bk_exec_opts);
		struct bk_run_stats rs;
		ret = bk_prog_exec(p, &eo, &r0, &rs, &err);
		CHECKF(ret == 0 && r0 == 107 + 5 + 100 && rs.calls == 1 && rs.max_depth == 2,
		       "jit local call: r0 %llu, calls %llu, depth %u (%s)", (unsigned long long)r0,
		       (unsigned long long)rs.calls, rs.max_depth, ret ? err.msg : "");
		bk_prog_free(p);
	}

	/* the lean entry: a context set up once, then r1 in, r0 out; errors as bk_prog_exec */
	struct bk_insn lean[] = {
		{ .code = 0x71, .dst = 2, .src = 1 },                   /* r2 = *(u8 *)(r1 + 0) */
		{ .code = 0xbf, .dst = 0, .src = 2 }, { .code = 0x07, .dst = 0, .imm = 1 },
		{ .code = 0x95 },
	};
	ret = bk_vm_load(vm, lean, 4, NULL, &p, &err);
	CHECKF(ret == 0, "jit lean program loads (%s)", err.msg);
	if (ret == 0) {
		CHECK("jit lean entry needs machine code", !bk_jit_ctx_new(p, NULL, &err) && err.code == -EINVAL);
		uint8_t cell[16];
		struct bk_mem_region reg = { cell, sizeof(cell), false };
		struct bk_exec_opts eo = BK_OPTS_INIT(bk_exec_opts, .regions = &reg, .nregions = 1);
		struct bk_jit_ctx *c = NULL;
		if (bk_jit_attach(p, NULL, &err) == 0)
			c = bk_jit_ctx_new(p, &eo, &err);
		CHECKF(c != NULL, "jit lean context (%s)", err.msg);
		if (c) {
			bool good = true;
			for (unsigned i = 0; i < 1000 && good; i++) {
				cell[i % 16] = (uint8_t)i;
				uint64_t v = 0;
				good = bk_jit_exec(c, (uint64_t)(uintptr_t)&cell[i % 16], &v) == 0 &&
				       v == (uint8_t)i + 1u;
			}
			CHECK("jit lean entry: 1000 runs, r0 = *r1 + 1", good);
			uint64_t v = 0;
			int a = bk_jit_exec(c, 0x10, &v);
			char m1[BK_ERR_MAX];
			snprintf(m1, sizeof(m1), "%s", bk_jit_ctx_error(c));
			eo.args[0] = 0x10;
			struct bk_err e2 = { 0 };
			int b = bk_prog_exec(p, &eo, &v, NULL, &e2);
			CHECKF(a == -EFAULT && b == a && !strcmp(m1, e2.msg),
			       "jit lean entry faults as bk_prog_exec: %s", m1);
			bk_jit_ctx_free(c);
		}
		bk_prog_free(p);
	}

	/* may_goto's count is per frame in both engines (as the kernel keeps it): a
	 * subprogram called twice loops the full 1 << 23 times on each call */
	struct bk_insn mg[] = {
		{ .code = 0xb7, .dst = 6 }, { .code = 0xb7, .dst = 7 },
		{ .code = 0x85, .src = 1, .imm = 5 },                   /* call sub */
		{ .code = 0x0f, .dst = 6, .src = 0 },                   /* r6 += r0 */
		{ .code = 0x07, .dst = 7, .imm = 1 },
		{ .code = 0xa5, .dst = 7, .off = -4, .imm = 2 },        /* if r7 < 2 goto call */
		{ .code = 0xbf, .dst = 0, .src = 6 }, { .code = 0x95 },
		/* sub: r0 = 0; l: may_goto out; r0 += 1; goto l; out: exit */
		{ .code = 0xb7, .dst = 0 }, { .code = 0xe5, .off = 2 },
		{ .code = 0x07, .dst = 0, .imm = 1 }, { .code = 0x05, .off = -3 }, { .code = 0x95 },
	};
	ret = bk_vm_load(vm, mg, 13, NULL, &p, &err);
	CHECKF(ret == 0, "jit may_goto program loads (%s)", err.msg);
	if (ret == 0) {
		struct bk_exec_opts eo = BK_OPTS_INIT(bk_exec_opts);
		uint64_t ri = 0, rj = 0;
		int a = bk_prog_exec(p, &eo, &ri, NULL, &err);
		int b = bk_jit_attach(p, NULL, &err);
		if (!b)
			b = bk_prog_exec(p, &eo, &rj, NULL, &err);
		CHECKF(a == 0 && b == 0 && ri == 2ull << 23 && rj == ri,
		       "jit may_goto count per frame: interp %llu, jit %llu (%s)",
		       (unsigned long long)ri, (unsigned long long)rj, err.msg);
		bk_prog_free(p);
	}

	/* a budget beyond 32 bits (the JIT keeps it in two parts): same stats as the interpreter */
	struct bk_insn cnt[] = { { .code = 0xb7, .dst = 1, .imm = 10 },
				 { .code = 0x85, .src = 1, .imm = 3 },            /* call +3 */
				 { .code = 0x17, .dst = 1, .imm = 1 },            /* r1 -= 1 */
				 { .code = 0x55, .dst = 1, .off = -3 },           /* if r1 != 0 goto -3 */
				 { .code = 0x95 },
				 { .code = 0x07, .dst = 0, .imm = 1 }, { .code = 0x95 } };
	ret = bk_vm_load(vm, cnt, 7, NULL, &p, &err);
	if (ret == 0) {
		struct bk_exec_opts eo = BK_OPTS_INIT(bk_exec_opts, .budget = (1ULL << 32) + 5);
		struct bk_run_stats s1, s2;
		uint64_t a0 = 0, b0 = 1;
		int a = bk_prog_exec(p, &eo, &a0, &s1, &err);
		bk_jit_attach(p, NULL, &err);
		int b = bk_prog_exec(p, &eo, &b0, &s2, &err);
		CHECKF(a == 0 && b == 0 && a0 == b0 && a0 == 10 && s1.calls == 10 && s2.calls == 10 &&
		       s1.back_edges == 9 && s2.back_edges == 9,
		       "jit counts calls and back-edges with a budget over 2^32 (%llu calls, %llu back-edges)",
		       (unsigned long long)s2.calls, (unsigned long long)s2.back_edges);
		bk_prog_free(p);
	}

	/* a fetching atomic may not write r10: the JIT's unchecked r10 accesses rely on it */
	struct bk_insn a10[] = { { .code = 0x7a, .dst = 10, .off = -8 },
				 { .code = 0xdb, .dst = 10, .src = 10, .off = -8, .imm = 0x01 },
				 { .code = 0x95 } };
	struct bk_err e10 = { 0 };
	ret = bk_vm_load(vm, a10, 3, NULL, &p, &e10);
	CHECKF(ret == -EINVAL && strstr(e10.msg, "insn 1") && strstr(e10.msg, "r10 is read only"),
	       "atomic fetch into r10 refused at load (%s)", e10.msg);

	/* unbounded recursion stops at the depth limit with the interpreter's error */
	struct bk_insn rec[] = { { .code = 0x85, .src = 1, .imm = -1 }, { .code = 0x95 } };
	ret = bk_vm_load(vm, rec, 2, NULL, &p, &err);
	if (ret == 0) {
		struct bk_exec_opts eo = BK_OPTS_INIT(bk_exec_opts);
		struct bk_err e1 = { 0 }, e2 = { 0 };
		int a = bk_prog_exec(p, &eo, &r0, NULL, &e1);
		bk_jit_attach(p, NULL, &err);
		int b = bk_prog_exec(p, &eo, &r0, NULL, &e2);
		CHECKF(a == -E2BIG && b == -E2BIG && !strcmp(e1.msg, e2.msg),
		       "jit recursion stops at depth %d (%s)", BK_VM_MAX_DEPTH, e2.msg);
		bk_prog_free(p);
	}

	/* blinding: none of the program's immediates appears in the code, same result */
	struct bk_insn imms[] = {
		{ .code = 0xb7, .dst = 0, .imm = 0x12345678 },          /* r0 = K */
		{ .code = 0x07, .dst = 0, .imm = 0x2468ace0 },          /* r0 += K */
		{ .code = 0xa7, .dst = 0, .imm = 0x5a5a1234 },          /* r0 ^= K */
		{ .code = 0x27, .dst = 0, .imm = 0x31415927 },          /* r0 *= K */
		{ .code = 0x7a, .dst = 10, .off = -8, .imm = 0x71727374 },
		{ .code = 0x79, .dst = 1, .src = 10, .off = -8 },
		{ .code = 0x0f, .dst = 0, .src = 1 },
		{ .code = 0x18, .dst = 2, .imm = 0x0badcafe }, { .imm = 0x0ddba11 },
		{ .code = 0x0f, .dst = 0, .src = 2 },
		{ .code = 0x15, .dst = 0, .off = 1, .imm = 0x6b6b6b6b }, /* if r0 == K goto +1 */
		{ .code = 0x37, .dst = 0, .imm = 0x1f2f3f4f },          /* r0 /= K */
		{ .code = 0x95 },
	};
	size_t nimms = sizeof(imms) / sizeof(imms[0]);
	ret = bk_vm_load(vm, imms, nimms, NULL, &p, &err);
	if (ret == 0) {
		struct bk_exec_opts eo = BK_OPTS_INIT(bk_exec_opts);
		uint64_t want = 0, got = 1, plain = 2;
		bk_prog_exec(p, &eo, &want, NULL, &err);
		bk_jit_attach(p, NULL, &err);
		bk_prog_exec(p, &eo, &plain, NULL, &err);
		const uint8_t *code = bk_jit_code(p, NULL);
		struct bk_jit_info info;
		bk_jit_code(p, &info);
		int seen_plain = 0;
		for (size_t i = 0; i < nimms; i++)
			for (size_t o = 0; o + 4 <= info.code_size; o++)
				if (imms[i].imm && !memcmp(code + o, &imms[i].imm, 4))
					seen_plain++;
		struct bk_jit_opts jo = BK_OPTS_INIT(bk_jit_opts, .blind = true);
		ret = bk_jit_attach(p, &jo, &err);
		code = bk_jit_code(p, &info);
		int seen = 0;
		for (size_t i = 0; i < nimms; i++)
			for (size_t o = 0; ret == 0 && o + 4 <= info.code_size; o++)
				if (imms[i].imm && !memcmp(code + o, &imms[i].imm, 4))
					seen++;
		bk_prog_exec(p, &eo, &got, NULL, &err);
		CHECKF(ret == 0 && info.blinded && seen == 0 && seen_plain >= 8 && got == want &&
		       plain == want,
		       "jit blinding: %d of the program's immediates in the plain code, %d in the blinded code, same r0",
		       seen_plain, seen);
		/* code pages: never writable and executable at once */
		FILE *f = fopen("/proc/self/maps", "r");
		char line[512];
		int found = 0, wx = 0;
		while (f && fgets(line, sizeof(line), f)) {
			unsigned long lo, hi;
			char perm[8];
			if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perm) != 3)
				continue;
			if (strchr(perm, 'w') && strchr(perm, 'x'))
				wx++;
			if ((uintptr_t)code >= lo && (uintptr_t)code < hi)
				found = !strncmp(perm, "r-x", 3);
		}
		if (f)
			fclose(f);
		CHECKF(found && wx == 0, "jit code page is r-x and no mapping is writable+executable (%d w+x)", wx);
		bk_prog_free(p);
	}

	size_t errors = 0, loaded = 0;
	int bad = differential(vm, count, &errors, &loaded);
	CHECKF(bad == 0 && loaded > count / 2,
	       "jit agrees with the interpreter on %zu random programs (%zu loaded, %zu of them faulting), r0, memory, stats and errors",
	       count, loaded, errors);
	CHECKF(ncalls > count / 50 && ndeep > 0,
	       "jit random programs with bpf-to-bpf calls or callx: %zu, reaching the depth limit: %zu",
	       ncalls, ndeep);
	bk_vm_free(vm);
	return 0;
}
