/* The interpreter's fast paths: stack accesses at r10 + a constant offset run unchecked
 * (proved at load), two regions are cached for the inline access check. Each check runs
 * with and without the instruction counter (the two instantiations of the interpreter)
 * and must give the same results and the same errors as the checked path. */
#include "vm_insns.h"

static uint64_t budget = 1000000;

static int exec(const struct bk_insn *p, size_t n, const struct bk_mem_region *regs, size_t nregs,
		uint64_t r1, bool count, uint64_t *r0, struct bk_err *err)
{
	struct bk_prog *prog;
	bk_err_clear(err);
	int ret = bk_vm_load(vm, p, n, NULL, &prog, err);
	if (ret)
		return ret;
	struct bk_exec_opts xo = BK_OPTS_INIT(bk_exec_opts, .args = { r1 }, .regions = regs,
					      .nregions = nregs, .budget = budget,
					      .count_insns = count);
	ret = bk_prog_exec(prog, &xo, r0, NULL, err);
	bk_prog_free(prog);
	return ret;
}

#define BOTH(name, want, ...) do { \
	const struct bk_insn p_[] = { __VA_ARGS__ }; \
	for (int c_ = 0; c_ < 2; c_++) { \
		uint64_t r0_ = 0xdead; struct bk_err e_; \
		int ret_ = exec(p_, N(p_), NULL, 0, 0, c_, &r0_, &e_); \
		if (ret_) printf("not ok %s%s: %s\n", name, c_ ? " (counting)" : "", e_.msg); \
		else CHECKF(r0_ == (uint64_t)(want), "%s%s (r0 = 0x%llx)", name, \
			    c_ ? " (counting)" : "", (unsigned long long)r0_); \
	} \
} while (0)

#define BOTH_ERR(name, code, pat, ...) do { \
	const struct bk_insn p_[] = { __VA_ARGS__ }; \
	for (int c_ = 0; c_ < 2; c_++) { \
		uint64_t r0_ = 0; struct bk_err e_; \
		int ret_ = exec(p_, N(p_), NULL, 0, 0, c_, &r0_, &e_); \
		CHECKF(ret_ == (code) && strstr(e_.msg, pat), "%s%s (ret %d: %s)", name, \
		       c_ ? " (counting)" : "", ret_, e_.msg); \
	} \
} while (0)

static void frame_access(void)
{
	/* every size at both ends of the frame: stx, then ldx back */
	BOTH("stx/ldx dw at r10-512 and r10-8", 0x1111111122222222ULL + 0x3333333344444444ULL,
	     LDDW(1, 0x1111111122222222ULL), LDDW(2, 0x3333333344444444ULL),
	     I(0x7b, 10, 1, -512, 0), I(0x7b, 10, 2, -8, 0),
	     I(0x79, 3, 10, -512, 0), I(0x79, 4, 10, -8, 0), MOVX(0, 3), I(0x0f, 0, 4, 0, 0), EXIT);
	BOTH("stx/ldx w at r10-512 and r10-4", 0xa1b2c3d4ULL + 0x01020304ULL,
	     I(0xb4, 1, 0, 0, (int32_t)0xa1b2c3d4), MOV(2, 0x01020304),
	     I(0x63, 10, 1, -512, 0), I(0x63, 10, 2, -4, 0),
	     I(0x61, 3, 10, -512, 0), I(0x61, 4, 10, -4, 0), MOVX(0, 3), I(0x0f, 0, 4, 0, 0), EXIT);
	BOTH("stx/ldx h at r10-512 and r10-2 (zero-extended)", 0xfffeULL + 0x1234ULL,
	     MOV(1, -2), MOV(2, 0x1234),
	     I(0x6b, 10, 1, -512, 0), I(0x6b, 10, 2, -2, 0),
	     I(0x69, 3, 10, -512, 0), I(0x69, 4, 10, -2, 0), MOVX(0, 3), I(0x0f, 0, 4, 0, 0), EXIT);
	BOTH("stx/ldx b at r10-512 and r10-1", 0xffULL + 0x7fULL,
	     MOV(1, -1), MOV(2, 0x7f),
	     I(0x73, 10, 1, -512, 0), I(0x73, 10, 2, -1, 0),
	     I(0x71, 3, 10, -512, 0), I(0x71, 4, 10, -1, 0), MOVX(0, 3), I(0x0f, 0, 4, 0, 0), EXIT);
	BOTH("st imm dw sign-extended, w/h/b truncated", 0xffffffffffffff85ULL ^ 0x55667788ULL ^ 0x7788ULL ^ 0x88ULL,
	     I(0x7a, 10, 0, -16, -123), I(0x62, 10, 0, -20, 0x55667788),
	     I(0x6a, 10, 0, -22, 0x7788), I(0x72, 10, 0, -23, 0x88),
	     I(0x79, 0, 10, -16, 0), I(0x61, 1, 10, -20, 0), I(0xaf, 0, 1, 0, 0),
	     I(0x69, 1, 10, -22, 0), I(0xaf, 0, 1, 0, 0), I(0x71, 1, 10, -23, 0),
	     I(0xaf, 0, 1, 0, 0), EXIT);
	/* a store that straddles the top of the frame is not specialized and still faults */
	BOTH_ERR("dw at r10-4 crosses the frame top", -EFAULT, "invalid write of 8 bytes",
		 MOV(1, 1), I(0x7b, 10, 1, -4, 0), MOV(0, 0), EXIT);
	BOTH_ERR("r10-520 is below the frame", -EFAULT,
		 "stack outside the current frames (r10-520)",
		 I(0x79, 0, 10, -520, 0), EXIT);
	/* a subprogram's r10 names its own frame; the caller's slot is untouched */
	BOTH("callee frame is its own", 7 * 1000 + 5,
	     MOV(1, 7), I(0x7b, 10, 1, -8, 0),
	     I(0x85, 0, 1, 0, 4),                         /* call +4 */
	     I(0x79, 1, 10, -8, 0), I(0x27, 1, 0, 0, 1000), I(0x0f, 0, 1, 0, 0), EXIT,
	     MOV(1, 5), I(0x7b, 10, 1, -8, 0), I(0x79, 0, 10, -8, 0), EXIT);
	/* a callee reaches its caller's frame through a pointer (checked path) */
	BOTH("callee writes the caller's frame through a pointer", 42,
	     MOV(1, 0), I(0x7b, 10, 1, -8, 0), MOVX(1, 10), I(0x07, 1, 0, 0, -8),
	     I(0x85, 0, 1, 0, 2),
	     I(0x79, 0, 10, -8, 0), EXIT,
	     I(0x7a, 1, 0, 0, 42), EXIT);
}

static void r10_read_only(void)
{
	const struct bk_insn p[] = {
		MOV(1, 0), I(0x7b, 10, 1, -8, 0),
		I(0xdb, 1, 10, 0, 0x01),   /* r10 = atomic_fetch_add(r1 + 0, r10) */
		MOV(0, 0), EXIT,
	};
	struct bk_prog *prog;
	struct bk_err e = { 0 };
	int ret = bk_vm_load(vm, p, N(p), NULL, &prog, &e);
	CHECKF(ret == -EINVAL && strstr(e.msg, "insn 2") && strstr(e.msg, "frame pointer r10 is read only"),
	       "atomic fetch into r10 refused at load (%d: %s)", ret, e.msg);
	const struct bk_insn q[] = {
		MOV(0, 0), I(0x7b, 10, 0, -8, 0), MOVX(1, 10), I(0x07, 1, 0, 0, -8),
		I(0xdb, 1, 10, 0, 0x00),   /* lock *(u64 *)(r1 + 0) += r10: r10 only read */
		MOV(0, 1), EXIT,
	};
	ret = bk_vm_load(vm, q, N(q), NULL, &prog, &e);
	CHECKF(ret == 0, "atomic add reading r10 still loads (%d: %s)", ret, ret ? e.msg : "");
	if (!ret)
		bk_prog_free(prog);
}

/* Three regions read in turn in a loop (more than the two cached), then a write into the
 * read-only one: the cache must never turn a read permission into a write one. */
static void region_cache(void)
{
	static uint64_t a[4] = { 1, 2, 3, 4 }, b[4] = { 10, 20, 30, 40 }, c[4] = { 100, 200, 300, 400 };
	struct bk_mem_region regs[3] = {
		{ a, sizeof(a), true }, { b, sizeof(b), false }, { c, sizeof(c), true },
	};
	/* r1 = a; r2 = b; r3 = c (from the registers the test passes through memory) */
	const struct bk_insn sum[] = {
		LDDW(2, (uintptr_t)b), LDDW(3, (uintptr_t)c),
		MOV(0, 0), MOV(4, 4),
		/* loop: r0 += *r1 + *r2 + *r3; advance all three */
		I(0x79, 5, 1, 0, 0), I(0x0f, 0, 5, 0, 0),
		I(0x79, 5, 2, 0, 0), I(0x0f, 0, 5, 0, 0),
		I(0x79, 5, 3, 0, 0), I(0x0f, 0, 5, 0, 0),
		I(0x07, 1, 0, 0, 8), I(0x07, 2, 0, 0, 8), I(0x07, 3, 0, 0, 8),
		I(0x17, 4, 0, 0, 1), I(0x55, 4, 0, -11, 0),
		EXIT,
	};
	for (int cnt = 0; cnt < 2; cnt++) {
		uint64_t r0 = 0;
		struct bk_err e;
		int ret = exec(sum, N(sum), regs, 3, (uintptr_t)a, cnt, &r0, &e);
		CHECKF(ret == 0 && r0 == 1110, "three regions in turn%s (%d, r0 %llu: %s)",
		       cnt ? " (counting)" : "", ret, (unsigned long long)r0, ret ? e.msg : "");
	}
	const struct bk_insn wr[] = {
		LDDW(2, (uintptr_t)b),
		I(0x79, 0, 2, 0, 0), I(0x79, 3, 1, 0, 0), I(0x0f, 0, 3, 0, 0),
		I(0x7b, 1, 0, 8, 0),       /* a[1] = r0: writable */
		I(0x7b, 2, 0, 8, 0),       /* b[1] = r0: read-only, b was just read */
		EXIT,
	};
	for (int cnt = 0; cnt < 2; cnt++) {
		uint64_t r0 = 0;
		struct bk_err e;
		a[1] = 2;
		int ret = exec(wr, N(wr), regs, 3, (uintptr_t)a, cnt, &r0, &e);
		CHECKF(ret == -EACCES || ret == -EFAULT, "write to a cached read-only region faults%s (%d: %s)",
		       cnt ? " (counting)" : "", ret, e.msg);
		CHECKF(strstr(e.msg, "insn 6") && strstr(e.msg, "read-only"),
		       "the fault names insn 6 and read-only memory%s (%s)", cnt ? " (counting)" : "", e.msg);
		CHECKF(a[1] == 11 && b[1] == 20, "the writable store happened, the other did not%s",
		       cnt ? " (counting)" : "");
	}
}

/* Each function invocation has its own may_goto count (the kernel keeps it in the
 * function's stack frame and sets it at entry): a function called twice loops the full
 * count both times, and the caller's count is where it was after the calls. */
static void may_goto_per_frame(void)
{
	budget = 1ULL << 26;
	BOTH("may_goto: each call gets the full count", 3ULL << 23,
	     I(0x85, 0, 1, 0, 9), MOVX(6, 0),             /* r6 = f() */
	     I(0x85, 0, 1, 0, 7), I(0x0f, 6, 0, 0, 0),    /* r6 += f() */
	     MOV(0, 0),                                    /* main's own loop */
	     I(0xe5, 0, 0, 2, 0), I(0x07, 0, 0, 0, 1), I(0x05, 0, 0, -3, 0),
	     I(0x0f, 0, 6, 0, 0), EXIT,
	     MOV(0, 0),                                    /* 10, f: count may_goto passes */
	     I(0xe5, 0, 0, 2, 0), I(0x07, 0, 0, 0, 1), I(0x05, 0, 0, -3, 0),
	     EXIT);
	budget = 1000000;
}

/* Fused pairs: results, the executed-instruction count (each half counts), and a jump
 * into the second half of a pair. */
static void fused(void)
{
	const struct bk_insn p[] = {
		MOV(1, 0), MOV(2, 5),
		I(0x05, 0, 0, 1, 0),                   /* ja +1: into the second half of 3-4 */
		I(0x07, 1, 0, 0, 1),                   /* 3: r1 += 1 } one handler */
		I(0x55, 1, 0, -2, 3),                  /* 4: if r1 != 3 goto 3 } */
		MOVX(3, 2), I(0x07, 3, 0, 0, 7),       /* r3 = r2 + 7 */
		MOVX(4, 2), I(0x0f, 4, 1, 0, 0),       /* r4 = r2 + r1 */
		MOVX(5, 1), I(0x0f, 5, 5, 0, 0),       /* r5 = r1; r5 += r5: not fused (T == D) */
		MOVX(0, 3), I(0x67, 0, 0, 0, 8), I(0x4f, 0, 4, 0, 0),
		I(0x67, 0, 0, 0, 8), I(0x4f, 0, 5, 0, 0),
		I(0x0f, 6, 1, 0, 0), I(0x25, 6, 0, 1, 100), /* add + jgt, not taken */
		EXIT, EXIT,
	};
	for (int cnt = 0; cnt < 2; cnt++) {
		struct bk_prog *prog;
		struct bk_err e = { 0 };
		uint64_t r0 = 0;
		struct bk_run_stats st = { 0 };
		if (bk_vm_load(vm, p, N(p), NULL, &prog, &e)) {
			printf("not ok fused pairs: %s\n", e.msg);
			return;
		}
		struct bk_exec_opts xo = BK_OPTS_INIT(bk_exec_opts, .count_insns = cnt);
		int ret = bk_prog_exec(prog, &xo, &r0, &st, &e);
		CHECKF(ret == 0 && r0 == 0x0c0806, "fused pairs compute%s (%d, r0 0x%llx)",
		       cnt ? " (counting)" : "", ret, (unsigned long long)r0);
		if (cnt)
			CHECKF(st.insns == 24, "fused pairs count each instruction (%llu, want 24)",
			       (unsigned long long)st.insns);
		bk_prog_free(prog);
	}
}

int main(void)
{
	if (vm_setup(false))
		return 1;
	frame_access();
	r10_read_only();
	region_cache();
	may_goto_per_frame();
	fused();
	bk_vm_free(vm);
	return 0;
}
