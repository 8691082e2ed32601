/* bench/jit: the bpfkit JIT against the interpreter and the kernel's JIT on the same
 * bytecode, the cost of one call, and how fast the JIT compiles.
 * Loop programs (kernel-verifiable) run as socket filters through bk_prog_test_run with
 * repeat (interpreter, then JIT-attached) and through BPF_PROG_TEST_RUN in the kernel
 * (its reported duration). Best of 3 each. Build and run: sh bench/jit/run.sh.
 * Not part of make check: timings vary with load. */
#include "bpfkit/jit.h"
#include "bpfkit/vm.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define I(c, d, s, o, i) ((struct bk_insn){ .code = (c), .dst = (d), .src = (s), .off = (o), .imm = (i) })
#define MOV(d, i) I(0xb7, d, 0, 0, i)
#define MOVX(d, s) I(0xbf, d, s, 0, 0)
#define EXIT I(0x95, 0, 0, 0, 0)
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* r0 = r0 * 31 + r2; r2 ^= r0 >> 7; r2 += 13 (32-bit), 1000 times */
static const struct bk_insn alu_loop[] = {
	MOV(0, 1), MOV(1, 1000), MOV(2, 7),
	I(0x27, 0, 0, 0, 31), I(0x0f, 0, 2, 0, 0), MOVX(3, 0), I(0x77, 3, 0, 0, 7),
	I(0xaf, 2, 3, 0, 0), I(0x04, 2, 0, 0, 13), I(0x17, 1, 0, 0, 1), I(0x55, 1, 0, -8, 0),
	EXIT,
};
/* stack read-modify-write: 500 iterations of loads and stores at constant offsets */
static const struct bk_insn stack_loop[] = {
	MOV(0, 0), MOV(1, 500), I(0x7b, 10, 0, -8, 0), I(0x7b, 10, 0, -16, 0),
	I(0x79, 3, 10, -8, 0), I(0x0f, 3, 1, 0, 0), I(0x7b, 10, 3, -8, 0),
	I(0x61, 4, 10, -16, 0), I(0xaf, 0, 4, 0, 0), I(0x0f, 0, 3, 0, 0), I(0x63, 10, 0, -16, 0),
	I(0x17, 1, 0, 0, 1), I(0x55, 1, 0, -9, 0), EXIT,
};
/* bpf-to-bpf call in a loop: 500 calls of a 2-instruction leaf */
static const struct bk_insn call_loop[] = {
	MOV(6, 500), MOV(7, 0),
	MOVX(1, 6), I(0x85, 0, 1, 0, 5), I(0x0f, 7, 0, 0, 0), I(0x17, 6, 0, 0, 1),
	I(0x55, 6, 0, -5, 0), MOVX(0, 7), EXIT,
	MOVX(0, 1), I(0x07, 0, 0, 0, 3), EXIT,
};
/* primes below 300 by trial division (mod in the inner loop): r0 = count */
static const struct bk_insn prime_loop[] = {
	MOV(0, 0), MOV(1, 2),                      /* n = 2 */
	/* 2: */ MOV(2, 2),                        /* d = 2 */
	/* 3: */ MOVX(3, 2), I(0x2f, 3, 2, 0, 0),  /* d*d */
	I(0x2d, 3, 1, 5, 0),                       /* if d*d > n goto prime (+5 -> 11) */
	MOVX(4, 1), I(0x9f, 4, 2, 0, 0),           /* n % d */
	I(0x15, 4, 0, 3, 0),                       /* if 0 goto next (+3 -> 12) */
	I(0x07, 2, 0, 0, 1), I(0x05, 0, 0, -8, 0), /* d++, goto 3 */
	/* 11: */ I(0x07, 0, 0, 0, 1),             /* count++ */
	/* 12: */ I(0x07, 1, 0, 0, 1), I(0xa5, 1, 0, -12, 300), /* n++; if n < 300 goto 2 */
	EXIT,
};
static const struct bk_insn trivial[] = { MOV(0, 1), EXIT };

struct bench {
	const char *name;
	const struct bk_insn *p;
	size_t n;
	unsigned repeat;
	bool loop;
};

static const struct bench benches[] = {
	{ "alu_loop", alu_loop, N(alu_loop), 20000, true },
	{ "stack_loop", stack_loop, N(stack_loop), 20000, true },
	{ "call_loop", call_loop, N(call_loop), 20000, true },
	{ "prime_loop", prime_loop, N(prime_loop), 5000, true },
	{ "trivial", trivial, N(trivial), 10000000, false },
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ns per run, best of 3; this thread's CPU time over the whole repeat (duration_ns is an
 * integer, and the kernel stops its timer while preempted: so does a CPU-time clock) */
static double time_runs(struct bk_prog *prog, const uint8_t *pkt, size_t len, unsigned repeat)
{
	double best = 1e18;
	for (int k = 0; k < 3; k++) {
		struct bk_run_result res;
		struct bk_err e = { 0 };
		struct bk_run_opts ro = BK_OPTS_INIT(bk_run_opts, .data_in = pkt, .data_size_in = len,
						     .repeat = repeat);
		double t0 = now();
		if (bk_prog_test_run(prog, &ro, &res, &e)) {
			fprintf(stderr, "%s\n", e.msg);
			return -1;
		}
		double t = (now() - t0) / repeat;
		bk_run_result_free(&res);
		if (t < best)
			best = t;
	}
	return best;
}

int main(void)
{
	uint8_t pkt[64] = { 0 };
	pkt[12] = 0x08;
	struct bk_vm *vm = bk_vm_new(NULL);
	double lsum = 0;
	int lcount = 0;
	printf("| program | interp ns/run | JIT ns/run | kernel JIT ns/run | JIT/kernel |\n");
	printf("|---|---|---|---|---|\n");
	for (size_t b = 0; b < N(benches); b++) {
		const struct bench *x = &benches[b];
		struct bk_prog *prog;
		struct bk_err e = { 0 };
		struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .type = BK_PROG_SOCKET_FILTER);
		if (bk_vm_load(vm, x->p, x->n, &po, &prog, &e)) {
			fprintf(stderr, "%s: %s\n", x->name, e.msg);
			return 1;
		}
		double ins = time_runs(prog, pkt, sizeof(pkt), x->repeat / (x->loop ? 10 : 1));
		if (bk_jit_attach(prog, NULL, &e)) {
			fprintf(stderr, "%s: %s\n", x->name, e.msg);
			return 1;
		}
		double jns = time_runs(prog, pkt, sizeof(pkt), x->repeat);
		double kns = -1;
		int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "bk_bench", "GPL",
				       (const struct bpf_insn *)x->p, x->n, NULL);
		if (fd >= 0) {
			for (int k = 0; k < 3; k++) {
				LIBBPF_OPTS(bpf_test_run_opts, to, .data_in = pkt, .data_size_in = sizeof(pkt),
					    .repeat = x->repeat);
				if (bpf_prog_test_run_opts(fd, &to) == 0 && (kns < 0 || to.duration < kns))
					kns = to.duration;
			}
			close(fd);
		}
		double ratio = kns > 0 ? jns / kns : 0;
		if (x->loop && kns > 0) {
			lsum += log(ratio);
			lcount++;
		}
		printf(x->loop ? "| %s | %.1f | %.1f | %.0f | %.2f |\n" : "| %s | %.2f | %.2f | %.0f | %.3f |\n",
		       x->name, ins, jns, kns, ratio);
		bk_prog_free(prog);
	}
	if (lcount)
		printf("\ngeomean JIT/kernel-JIT over loop programs: %.2fx\n", exp(lsum / lcount));

	/* the lean entry (bk_jit_exec: context set up once), the trivial program */
	{
		struct bk_prog *tp;
		struct bk_err te = { 0 };
		struct bk_jit_ctx *c = NULL;
		if (bk_vm_load(vm, trivial, N(trivial), NULL, &tp, &te) == 0 &&
		    bk_jit_attach(tp, NULL, &te) == 0)
			c = bk_jit_ctx_new(tp, NULL, &te);
		if (c) {
			double best = 1e18;
			uint64_t sum = 0, v = 0;
			for (int k = 0; k < 5; k++) {
				double t0 = now();
				for (int i = 0; i < 10000000; i++) {
					bk_jit_exec(c, (uint64_t)i, &v);
					sum += v;
				}
				double t = (now() - t0) / 1e7;
				if (t < best)
					best = t;
			}
			printf("lean entry (bk_jit_exec, trivial program, 10^7 calls, best of 5): %.2f ns per call (r0 sum %llu)\n",
			       best, (unsigned long long)sum);
			bk_jit_ctx_free(c);
		} else {
			printf("lean entry: %s\n", te.msg);
		}
	}

	/* compile speed: a 200,000-instruction program of ALU, stack and jump forms */
	size_t n = 200000;
	struct bk_insn *big = calloc(n, sizeof(*big));
	uint64_t s = 88172645463325252ULL;
	for (size_t i = 0; i < n - 1; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		uint8_t r = (uint8_t)(s % 10);
		switch (s >> 32 & 7) {
		case 0: big[i] = I(0x07, r, 0, 0, (int32_t)(s >> 40)); break;
		case 1: big[i] = I(0x2f, r, (uint8_t)((s >> 8) % 10), 0, 0); break;
		case 2: big[i] = I(0x7b, 10, r, -8 * (int16_t)(1 + (s >> 16) % 8), 0); break;
		case 3: big[i] = I(0x79, r, 10, -8 * (int16_t)(1 + (s >> 16) % 8), 0); break;
		case 4: big[i] = I(0x55, r, 0, (int16_t)((s >> 16) % 16), 3); break;
		case 5: big[i] = I(0xc4, r, 0, 0, 3); break;
		case 6: big[i] = I(0x3f, r, (uint8_t)((s >> 8) % 10), 0, 0); break;
		default: big[i] = MOV(r, (int32_t)s); break;
		}
		if ((big[i].code == 0x55) && i + 1 + (size_t)big[i].off >= n - 1)
			big[i].off = 0;
	}
	big[n - 1] = EXIT;
	struct bk_prog *bp;
	struct bk_err e = { 0 };
	if (bk_vm_load(vm, big, n, NULL, &bp, &e) == 0) {
		double best = 1e18;
		for (int k = 0; k < 3; k++) {
			double t0 = now();
			bk_jit_attach(bp, NULL, &e);
			double t = now() - t0;
			if (t < best)
				best = t;
		}
		struct bk_jit_info info;
		bk_jit_code(bp, &info);
		printf("compile: %zu instructions in %.1f ms: %.1f M instructions/s (%zu bytes of code)\n",
		       n, best / 1e6, (double)n / best * 1e3, info.code_size);
	} else {
		fprintf(stderr, "big: %s\n", e.msg);
	}
	free(big);
	bk_vm_free(vm);
	return 0;
}
