/* Agreement with the kernel: random programs (ALU64/ALU32 of every form, forward
 * jumps of every kind, stack loads and stores of every size, atomics, v4 forms) run
 * in bpfkit and through BPF_PROG_TEST_RUN. The epilogue folds every register and
 * stack slot into r0, so the 32-bit return value reflects the whole final state.
 * Programs are straight-line or forward-jump-only over an initialized stack: cheap
 * for the kernel's verifier. */
#include "tap.h"

#include "bpfkit/vm.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#if BK_HAVE_KERN
#include <bpf/bpf.h>
#include <linux/bpf.h>
#endif

#define NPROGS 600
#define BODY 36
#define MAXN 160

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
static int32_t rimm(void)
{
	static const int32_t special[] = { 0, 1, -1, 2, 31, 32, 63, 64, 0x7fffffff, INT32_MIN,
					   0xffff, 0x8000, 0x80, -2 };
	switch (rnd() % 3) {
	case 0:
		return special[rnd() % (sizeof(special) / sizeof(special[0]))];
	case 1:
		return (int32_t)(rnd() % 33) - 16;
	default:
		return (int32_t)rnd();
	}
}

static enum bk_op alu_ops[BK_OP__COUNT], jmp_ops[BK_OP__COUNT], mem_ops[BK_OP__COUNT],
	atomic_ops[BK_OP__COUNT];
static int nalu, njmp, nmem, natomic;

static void classify(void)
{
	for (int op = 0; op < BK_OP__COUNT; op++) {
		const struct bk_opinfo *in = bk_isa_info(op);
		switch (in->fmt) {
		case BK_F_ALU_K: case BK_F_ALU_X: case BK_F_NEG: case BK_F_MOVSX: case BK_F_END:
			alu_ops[nalu++] = op;
			break;
		case BK_F_JCOND: case BK_F_JA: case BK_F_JA32:
			if (op != BK_OP_MAY_GOTO)
				jmp_ops[njmp++] = op;
			break;
		case BK_F_LDX: case BK_F_LDXSX: case BK_F_ST: case BK_F_STX:
			mem_ops[nmem++] = op;
			break;
		case BK_F_ATOMIC:
			atomic_ops[natomic++] = op;
			break;
		default:
			break;
		}
	}
}

static struct bk_insn mk(enum bk_op op, int dst, int src, int16_t off, int32_t imm)
{
	const struct bk_opinfo *in = bk_isa_info(op);
	struct bk_insn i = { .code = in->code, .dst = dst, .src = src, .off = off, .imm = imm };
	if (in->match == BK_M_OFF)
		i.off = (int16_t)in->match_value;
	else if (in->match == BK_M_IMM)
		i.imm = in->match_value;
	else if (in->match == BK_M_SRC)
		i.src = in->match_value;
	if (in->zero & BK_Z_SRC) i.src = 0;
	if ((in->zero & BK_Z_OFF) && in->match != BK_M_OFF) i.off = 0;
	if ((in->zero & BK_Z_IMM) && in->match != BK_M_IMM) i.imm = 0;
	if (in->zero & BK_Z_DST) i.dst = 0;
	return i;
}

#define R() ((int)(rnd() % 10))

static size_t gen(struct bk_insn *p)
{
	size_t n = 0;
	/* registers r0..r9 and 8 stack slots get random values */
	for (int r = 0; r < 10; r++) {
		uint64_t v = rnd();
		if (rnd() % 2) {
			p[n++] = (struct bk_insn){ .code = 0x18, .dst = r, .imm = (int32_t)v };
			p[n++] = (struct bk_insn){ .imm = (int32_t)(v >> 32) };
		} else {
			p[n++] = (struct bk_insn){ .code = 0xb7, .dst = r, .imm = rimm() };
		}
	}
	for (int s = 1; s <= 8; s++)
		p[n++] = (struct bk_insn){ .code = 0x7b, .dst = 10, .src = (uint8_t)(rnd() % 10), .off = (int16_t)(-8 * s) };
	size_t body_end = n + BODY;
	while (n < body_end) {
		unsigned kind = rnd() % 10;
		if (kind < 5) {
			enum bk_op op = alu_ops[rnd() % nalu];
			const struct bk_opinfo *in = bk_isa_info(op);
			int32_t imm = rimm();
			const char *nm = in->name;
			bool shift = strstr(nm, "SH") != NULL;   /* LSH, RSH, ARSH */
			if (shift && in->fmt == BK_F_ALU_K)
				imm = (int32_t)(rnd() % (in->alu32 ? 32 : 64));
			if ((strstr(nm, "DIV") || strstr(nm, "MOD")) && in->fmt == BK_F_ALU_K && imm == 0)
				imm = 3;
			p[n++] = mk(op, R(), R(), 0, imm);
		} else if (kind < 7) {
			enum bk_op op = jmp_ops[rnd() % njmp];
			int room = (int)(body_end - n - 1);
			int off = room > 0 ? (int)(rnd() % (unsigned)(room + 1)) : 0;
			/* An unconditional jump over code would leave it unreachable, which the
			 * kernel refuses: ja/gotol jump to the next instruction. */
			if (op == BK_OP_JA32)
				p[n++] = mk(op, 0, 0, 0, 0);
			else if (op == BK_OP_JA)
				p[n++] = mk(op, 0, 0, 0, 0);
			else
				p[n++] = mk(op, R(), R(), (int16_t)off, rimm());
		} else if (kind < 9) {
			enum bk_op op = mem_ops[rnd() % nmem];
			const struct bk_opinfo *in = bk_isa_info(op);
			int sz = in->mem_size;
			int off = -8 * (int)(1 + rnd() % 8) + sz * (int)(rnd() % (8 / sz));
			if (in->fmt == BK_F_LDX || in->fmt == BK_F_LDXSX)
				p[n++] = mk(op, R(), 10, (int16_t)off, 0);
			else
				p[n++] = mk(op, 10, R(), (int16_t)off, rimm());
		} else {
			enum bk_op op = atomic_ops[rnd() % natomic];
			const struct bk_opinfo *in = bk_isa_info(op);
			int sz = in->mem_size;
			int off = -8 * (int)(1 + rnd() % 8) + sz * (int)(rnd() % (8 / sz));
			p[n++] = mk(op, 10, R(), (int16_t)off, 0);
		}
	}
	/* epilogue: r0 = fold(r0..r9, stack) */
	for (int r = 1; r < 10; r++) {
		p[n++] = (struct bk_insn){ .code = 0x27, .dst = 0, .imm = 31 };
		p[n++] = (struct bk_insn){ .code = 0x0f, .dst = 0, .src = r };
	}
	for (int s = 1; s <= 8; s++) {
		p[n++] = (struct bk_insn){ .code = 0x79, .dst = 1, .src = 10, .off = (int16_t)(-8 * s) };
		p[n++] = (struct bk_insn){ .code = 0x27, .dst = 0, .imm = 31 };
		p[n++] = (struct bk_insn){ .code = 0x0f, .dst = 0, .src = 1 };
	}
	p[n++] = (struct bk_insn){ .code = 0xbf, .dst = 1, .src = 0 };
	p[n++] = (struct bk_insn){ .code = 0x77, .dst = 1, .imm = 32 };
	p[n++] = (struct bk_insn){ .code = 0xaf, .dst = 0, .src = 1 };
	p[n++] = (struct bk_insn){ .code = 0x95 };
	return n;
}

#if BK_HAVE_KERN
/* Context semantics: a one-load program per readable __sk_buff field, for socket and tc,
 * and the data_out of both, against the kernel's test run. */
static void ctx_fields(struct bk_vm *vm)
{
	uint8_t pkt[64];
	for (int i = 0; i < 64; i++)
		pkt[i] = (uint8_t)(i + 1);
	pkt[12] = 8;
	pkt[13] = 0;
	static const int offs[] = { 0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 68, 72, 84,
				    160, 164, 176 };
	static const struct { int bk, kern; } types[] = {
		{ BK_PROG_SOCKET_FILTER, BPF_PROG_TYPE_SOCKET_FILTER },
		{ BK_PROG_SCHED_CLS, BPF_PROG_TYPE_SCHED_CLS },
	};
	int same = 0, total = 0, out_same = 0, both = 0;
	for (size_t t = 0; t < 2; t++) {
		for (size_t k = 0; k < sizeof(offs) / sizeof(offs[0]); k++) {
			struct bk_insn p[] = { { .code = 0x61, .dst = 0, .src = 1, .off = (int16_t)offs[k] },
					       { .code = 0x95 } };
			int fd = bpf_prog_load(types[t].kern, "bk_ctx", "GPL", (const struct bpf_insn *)p, 2, NULL);
			uint8_t dout[128];
			LIBBPF_OPTS(bpf_test_run_opts, to, .data_in = pkt, .data_size_in = 64,
				    .data_out = dout, .data_size_out = sizeof(dout));
			long kr = -1, br = -1;
			if (fd >= 0 && bpf_prog_test_run_opts(fd, &to) == 0)
				kr = to.retval;
			if (fd >= 0)
				close(fd);
			struct bk_prog *bp;
			struct bk_err e = { 0 };
			struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .type = types[t].bk);
			struct bk_run_opts ro = BK_OPTS_INIT(bk_run_opts, .data_in = pkt, .data_size_in = 64);
			struct bk_run_result res;
			if (bk_vm_load(vm, p, 2, &po, &bp, &e) == 0) {
				if (bk_prog_test_run(bp, &ro, &res, &e) == 0) {
					br = (long)res.retval;
					both += kr >= 0;
					if (kr >= 0 && to.data_size_out == res.data_out.len &&
					    !memcmp(dout, res.data_out.data, res.data_out.len))
						out_same++;
					bk_run_result_free(&res);
				}
				bk_prog_free(bp);
			}
			total++;
			/* -1 on both sides: both refuse the access (at load or run) */
			if (kr == br)
				same++;
			else
				printf("# ctx %s off %d: kernel %ld, bpfkit %ld\n",
				       types[t].bk == BK_PROG_SCHED_CLS ? "tc" : "socket", offs[k], kr, br);
		}
	}
	CHECKF(same == total, "vm-kernel: __sk_buff field reads agree (%d/%d, socket and tc)", same, total);
	CHECKF(both > 0 && out_same == both, "vm-kernel: socket/tc data_out identical (%d/%d runs)", out_same, both);
}
#endif

int main(void)
{
#if !BK_HAVE_KERN
	printf("skip vm-kernel agreement: built without libbpf\n");
	return 0;
#else
	if (geteuid() != 0) {
		printf("skip vm-kernel agreement: not root (BPF_PROG_TEST_RUN needs CAP_BPF)\n");
		return 0;
	}
	classify();
	struct bk_vm *vm = bk_vm_new(NULL);
	uint8_t pkt[64] = { 0 };
	pkt[12] = 0x08;
	int accepted = 0, agree = 0, refused = 0, shown = 0, bk_fail = 0;
	char log[4096];
	for (int t = 0; t < NPROGS; t++) {
		struct bk_insn p[MAXN];
		size_t n = gen(p);
		LIBBPF_OPTS(bpf_prog_load_opts, lo, .log_buf = log, .log_size = sizeof(log), .log_level = 0);
		log[0] = 0;
		int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "bk_rand", "GPL",
				       (const struct bpf_insn *)p, n, &lo);
		if (fd < 0) {
			if (fd == -EPERM) {
				printf("skip vm-kernel agreement: kernel refused loading (EPERM)\n");
				bk_vm_free(vm);
				return 0;
			}
			lo.log_level = 1;
			lo.log_buf = log;
			fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "bk_rand", "GPL",
					   (const struct bpf_insn *)p, n, &lo);
			if (fd < 0) {
				refused++;
				if (shown++ < 3) {
					log[strcspn(log, "\n")] = 0;
					printf("# kernel refused program %d: %.200s\n", t, log[0] ? log : "?");
				}
				continue;
			}
		}
		LIBBPF_OPTS(bpf_test_run_opts, to, .data_in = pkt, .data_size_in = sizeof(pkt));
		int r = bpf_prog_test_run_opts(fd, &to);
		close(fd);
		if (r) {
			refused++;
			continue;
		}
		accepted++;
		struct bk_prog *prog;
		struct bk_err e = { 0 };
		struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .type = BK_PROG_SOCKET_FILTER);
		struct bk_run_opts ro = BK_OPTS_INIT(bk_run_opts, .data_in = pkt, .data_size_in = sizeof(pkt));
		struct bk_run_result res;
		if (bk_vm_load(vm, p, n, &po, &prog, &e) || bk_prog_test_run(prog, &ro, &res, &e)) {
			if (bk_fail++ < 5)
				printf("not ok vm-kernel program %d: bpfkit failed: %s\n", t, e.msg);
			continue;
		}
		if (res.retval == to.retval)
			agree++;
		else if (bk_fail++ < 5)
			printf("not ok vm-kernel program %d: bpfkit r0 0x%llx, kernel 0x%x\n", t,
			       (unsigned long long)res.retval, to.retval);
		bk_run_result_free(&res);
		bk_prog_free(prog);
	}
	ctx_fields(vm);
	printf("# %d generated, %d run by the kernel, %d refused, %d agree\n", NPROGS, accepted,
	       refused, agree);
	CHECKF(accepted >= 500, "vm-kernel: kernel ran %d of %d random programs (>= 500)", accepted, NPROGS);
	CHECKF(agree == accepted && accepted > 0, "vm-kernel: bpfkit agrees with the kernel on %d/%d",
	       agree, accepted);
	bk_vm_free(vm);
	return 0;
#endif
}
