/* The instruction table against itself and against LLVM: every row decodes back to
 * itself, the validator names index and problem, and the LLVM-syntax printer gives
 * llvm-objdump-19 --mcpu=v4's text for every form. */
#include "bpfkit/disasm.h"
#include "tap.h"

#include <stdlib.h>
#include <unistd.h>

/* A representative encoding of a row: r1/r2, off 0x10, imm 7, with the match field set. */
static void sample(enum bk_op op, struct bk_insn *in)
{
	const struct bk_opinfo *o = bk_isa_info(op);
	memset(in, 0, 2 * sizeof(*in));
	in->code = o->code;
	in->dst = 1, in->src = 2, in->off = 0x10, in->imm = 7;
	if (o->fmt == BK_F_JA || o->fmt == BK_F_JCOND)
		in->off = 2;
	if (o->zero & BK_Z_DST) in->dst = 0;
	if (o->zero & BK_Z_SRC) in->src = 0;
	if (o->zero & BK_Z_OFF) in->off = 0;
	if (o->zero & BK_Z_IMM) in->imm = 0;
	switch (o->match) {
	case BK_M_OFF: in->off = (int16_t)o->match_value; break;
	case BK_M_IMM: in->imm = o->match_value; break;
	case BK_M_SRC: in->src = (uint8_t)o->match_value; break;
	}
	if (op == BK_OP_ATOMIC32_CMPXCHG || op == BK_OP_ATOMIC64_CMPXCHG || o->fmt == BK_F_ATOMIC)
		in->off = 0x10;
	if (op == BK_OP_ADDR_SPACE_CAST)
		in->imm = 0x10000;
	if (o->slots == 2)
		in[1].imm = 0x11223344;
}

int main(void)
{
	struct bk_insn all[2 * BK_OP__COUNT * 5];
	size_t n = 0;
	int bad = 0;
	for (int op = 0; op < BK_OP__COUNT; op++) {
		sample((enum bk_op)op, &all[n]);
		if (bk_isa_decode(&all[n]) != (enum bk_op)op) {
			printf("not ok decode %s: got %d\n", bk_isa_info(op)->name, bk_isa_decode(&all[n]));
			bad++;
		}
		n += bk_isa_info(op)->slots;
	}
	CHECKF(bad == 0, "every one of the %d table rows decodes to itself", BK_OP__COUNT);
	/* Then each row again with each of its reserved fields set: LLVM prints some of
	 * these and refuses others, and the listing must say what it says. */
	size_t nvariants = 0;
	for (int op = 0; op < BK_OP__COUNT; op++) {
		const struct bk_opinfo *o = bk_isa_info(op);
		for (int z = 1; z <= BK_Z_IMM; z <<= 1) {
			if (!(o->zero & z))
				continue;
			struct bk_insn *in = &all[n];
			sample((enum bk_op)op, in);
			if (z == BK_Z_DST) in->dst = 3;
			if (z == BK_Z_SRC) in->src = 3;
			if (z == BK_Z_OFF) in->off = 1;
			if (z == BK_Z_IMM) in->imm = 1;
			n += o->slots;
			nvariants++;
		}
	}
	CHECKF(nvariants > 200, "%zu reserved-field variants added to the listing test", nvariants);
	CHECK("table has the 173 encodings of shared/isa", BK_OP__COUNT == 173);

	/* Validator: each problem named with its index. */
	struct bk_err e = { 0 };
	struct bk_insn p[4] = { { .code = 0xb7 }, { .code = 0x95 } };
	CHECK("valid two-insn program", bk_isa_validate(p, 2, NULL, &e) == 0);
	p[0].code = 0x8e;
	CHECK("unknown opcode named", bk_isa_validate(p, 2, NULL, &e) < 0 && strstr(e.msg, "insn 0: unknown opcode 0x8e"));
	bk_err_clear(&e);
	p[0] = (struct bk_insn){ .code = 0x95, .imm = 7 };
	CHECK("reserved field named", bk_isa_validate(p, 2, NULL, &e) < 0 && strstr(e.msg, "insn 0: reserved field imm"));
	bk_err_clear(&e);
	p[0] = (struct bk_insn){ .code = 0x18, .dst = 1 };
	CHECK("lddw missing second half", bk_isa_validate(p, 1, NULL, &e) < 0 && strstr(e.msg, "missing its second half"));
	bk_err_clear(&e);
	p[0] = (struct bk_insn){ .code = 0x05, .off = 5 };
	CHECK("jump out of range", bk_isa_validate(p, 2, NULL, &e) < 0 && strstr(e.msg, "insn 0: jump target 6 is outside"));
	bk_err_clear(&e);
	p[0] = (struct bk_insn){ .code = 0x05, .off = 1 };
	p[1] = (struct bk_insn){ .code = 0x18 };
	p[2] = (struct bk_insn){ 0 };
	p[3] = (struct bk_insn){ .code = 0x95 };
	CHECK("jump into lddw", bk_isa_validate(p, 4, NULL, &e) < 0 && strstr(e.msg, "middle of an lddw"));
	bk_err_clear(&e);
	p[0] = (struct bk_insn){ .code = 0xbf, .dst = 11, .src = 1 };
	p[1] = (struct bk_insn){ .code = 0x95 };
	CHECK("bad register", bk_isa_validate(p, 2, NULL, &e) < 0 && strstr(e.msg, "invalid dst register r11"));
	bk_err_clear(&e);
	p[0] = (struct bk_insn){ .code = 0xad, .dst = 1, .src = 2 };
	struct bk_validate_opts vo = BK_OPTS_INIT(bk_validate_opts, .cpu = 1, .check_targets = true);
	CHECK("cpu level", bk_isa_validate(p, 2, &vo, &e) < 0 && strstr(e.msg, "needs -mcpu=v2 or newer (selected v1)"));
	bk_err_clear(&e);
	p[0] = (struct bk_insn){ .code = 0xbf, .dst = 1, .src = 2, .off = 3 };
	CHECK("invalid match field", bk_isa_validate(p, 2, NULL, &e) < 0 && strstr(e.msg, "opcode 0xbf with invalid offset 3"));

	/* Printer vs llvm-objdump-19 on every form. */
	if (system("command -v llvm-mc-19 >/dev/null && command -v llvm-objdump-19 >/dev/null")) {
		printf("skip llvm listing: llvm-mc-19/llvm-objdump-19 not installed (scripts/install-deps.sh)\n");
		return 0;
	}
	char dir[] = "/tmp/bk-isa-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char path[256], cmd[1024];
	snprintf(path, sizeof path, "%s/all.s", dir);
	FILE *f = fopen(path, "w");
	fprintf(f, ".text\n");
	const uint8_t *b = (const uint8_t *)all;
	for (size_t i = 0; i < n * 8; i++)
		fprintf(f, ".byte 0x%02x\n", b[i]);
	fclose(f);
	snprintf(cmd, sizeof cmd,
		 "cd %s && llvm-mc-19 -triple bpfel -filetype=obj -o all.o all.s && "
		 "llvm-objdump-19 -d --mcpu=v4 all.o | sed -n '/^0000000000000000/,$p' | tail -n +2 | sed 's/ <[^ ]*>$//' > llvm.txt", dir);
	CHECK("llvm-mc + llvm-objdump ran", system(cmd) == 0);
	struct bk_buf out = { 0 };
	bk_disasm_raw(all, n, NULL, false, &out);
	snprintf(path, sizeof path, "%s/bk.txt", dir);
	f = fopen(path, "w");
	fwrite(out.data, 1, out.len, f);
	fclose(f);
	bk_buf_free(&out);
	snprintf(cmd, sizeof cmd, "cd %s && diff llvm.txt bk.txt > diff.txt", dir);
	int same = system(cmd) == 0;
	CHECK("LLVM-syntax listing of all 173 forms and their reserved-field variants identical to llvm-objdump-19 --mcpu=v4", same);
	if (!same) {
		snprintf(cmd, sizeof cmd, "head -30 %s/diff.txt | sed 's/^/# /'", dir);
		if (system(cmd)) {}
	}
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd)) {}
	return 0;
}
