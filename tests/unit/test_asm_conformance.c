/* The bpf_conformance suite through the ubpf-syntax assembler: every tests/ files
 * assembles, `-- raw` bytes match exactly, and every program survives two round trips
 * through the printer (ubpf text and LLVM text, reassembled to the same bytes). Every
 * negative/invalid_ file file is rejected with "file:line:col: reason". */
#include "bpfkit/asm.h"
#include "bpfkit/disasm.h"
#include "bpfkit/util.h"
#include "unit/tap.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static int n_files, n_raw, n_rt_ubpf, n_rt_llvm, n_lossy;

static bool lossy_llvm(const struct bk_insn *in)
{
	/* LLVM text that cannot carry the bytes: call N with src 1/2, skb[rS] with imm */
	if (in->code == 0x85 && in->src)
		return true;
	if ((in->code == 0x40 || in->code == 0x48 || in->code == 0x50) && in->imm)
		return true;
	return false;
}

static void round_trip(const char *name, const struct bk_buf *code, enum bk_syntax syn)
{
	const struct bk_insn *in = (const struct bk_insn *)code->data;
	size_t n = code->len / 8;
	struct bk_buf text = { 0 };
	struct bk_print_opts po = BK_OPTS_INIT(bk_print_opts, .syntax = syn, .decimal = true);
	char line[256];
	bool lossy = false;
	for (size_t i = 0; i < n;) {
		int k = bk_insn_format(&in[i], n - i, &po, line, sizeof(line));
		if (syn == BK_SYNTAX_LLVM && lossy_llvm(&in[i]))
			lossy = true;
		bk_buf_printf(&text, "%s\n", line);
		i += (size_t)k;
	}
	if (lossy) {
		n_lossy++;
		bk_buf_free(&text);
		return;
	}
	struct bk_buf again = { 0 };
	struct bk_err err = { 0 };
	struct bk_asm_opts o = BK_OPTS_INIT(bk_asm_opts, .name = name,
					    .syntax = syn == BK_SYNTAX_LLVM ? BK_ASM_LLVM : BK_ASM_UBPF);
	int r = bk_asm_raw((const char *)text.data, text.len, &o, &again, &err);
	bool same = r == 0 && again.len == code->len && !memcmp(again.data, code->data, code->len);
	if (!same)
		printf("not ok asm conformance %s round trip %s: %s\n", syn == BK_SYNTAX_LLVM ? "llvm" : "ubpf",
		       name, r ? err.msg : "bytes differ");
	else if (syn == BK_SYNTAX_LLVM)
		n_rt_llvm++;
	else
		n_rt_ubpf++;
	bk_buf_free(&again);
	bk_buf_free(&text);
}

static void positive(const char *dir, const char *file)
{
	char path[2048];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	uint8_t *data = NULL;
	size_t len = 0;
	struct bk_err err = { 0 };
	if (bk_read_file(path, &data, &len, &err) < 0) {
		printf("not ok asm conformance %s: %s\n", file, err.msg);
		return;
	}
	struct bk_buf code = { 0 };
	struct bk_asm_opts o = BK_OPTS_INIT(bk_asm_opts, .name = file, .syntax = BK_ASM_UBPF);
	if (bk_asm_raw((const char *)data, len, &o, &code, &err) < 0) {
		printf("not ok asm conformance %s: %s\n", file, err.msg);
		free(data);
		return;
	}
	n_files++;
	const char *raw = strstr((const char *)data, "\n-- raw");
	if (raw) {
		/* one little-endian 64-bit slot per token */
		const char *p = raw + 7;
		struct bk_buf want = { 0 };
		while (*p && !(p[0] == '-' && p[1] == '-')) {
			char *e;
			unsigned long long v = strtoull(p, &e, 0);
			if (e == p) {
				p++;
				continue;
			}
			bk_buf_append(&want, &v, 8);
			p = e;
		}
		if (want.len == code.len && !memcmp(want.data, code.data, code.len))
			n_raw++;
		else
			printf("not ok asm conformance %s: bytes differ from -- raw\n", file);
		bk_buf_free(&want);
	}
	round_trip(file, &code, BK_SYNTAX_UBPF);
	round_trip(file, &code, BK_SYNTAX_LLVM);
	bk_buf_free(&code);
	free(data);
}

static void negative(const char *dir, const char *file, const char *expect)
{
	char path[2048];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	uint8_t *data = NULL;
	size_t len = 0;
	struct bk_err err = { 0 };
	if (bk_read_file(path, &data, &len, &err) < 0) {
		printf("not ok asm conformance negative %s: %s\n", file, err.msg);
		return;
	}
	struct bk_buf code = { 0 };
	struct bk_asm_opts o = BK_OPTS_INIT(bk_asm_opts, .name = file, .syntax = BK_ASM_UBPF);
	int r = bk_asm_raw((const char *)data, len, &o, &code, &err);
	char prefix[512];
	snprintf(prefix, sizeof(prefix), "%s:", file);
	CHECKF(r < 0 && !strncmp(err.msg, prefix, strlen(prefix)) && strstr(err.msg, expect) && code.len == 0,
	       "asm conformance rejects %s with line and reason ('%s' -> '%s')", file, expect, err.msg);
	bk_buf_free(&code);
	free(data);
}

int main(void)
{
	const char *shared = getenv("SHARED");
	char dir[1024];
	if (!shared) {
		printf("skip asm conformance: SHARED is unset (run through make check)\n");
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s/conformance/tests", shared);
	DIR *d = opendir(dir);
	if (!d) {
		printf("skip asm conformance: no %s\n", dir);
		return 0;
	}
	struct dirent *e;
	int total = 0;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > 5 && !strcmp(e->d_name + l - 5, ".data")) {
			total++;
			positive(dir, e->d_name);
		}
	}
	closedir(d);
	printf("# %d of %d files assembled, %d raw sections matched, round trips: ubpf %d, llvm %d (%d lossy in LLVM text)\n",
	       n_files, total, n_raw, n_rt_ubpf, n_rt_llvm, n_lossy);
	CHECK("asm conformance: every tests/*.data assembles", total > 300 && n_files == total);
	CHECK("asm conformance: -- raw sections match", n_raw >= 1);
	CHECK("asm conformance: ubpf round trip of every program", n_rt_ubpf == total);
	CHECK("asm conformance: llvm round trip of every program with LLVM-expressible bytes",
	      n_rt_llvm + n_lossy == total && n_rt_llvm > 250);

	snprintf(dir, sizeof(dir), "%s/conformance/negative", shared);
	static const struct { const char *file, *reason; } neg[] = {
		{ "invalid_imm32_dec_range.data", ":5:12: immediate 2147483648 out of range" },
		{ "invalid_imm32_hex_range.data", ":5:12: immediate 4294967296 out of range" },
		{ "invalid_label.data", ":4:4: undefined label 'NOT_A_LABEL'" },
		{ "invalid_lock.data", ":4:1: invalid number of operands for lock" },
		{ "invalid_lock2.data", ":4:1: invalid number of operands for lock" },
		{ "invalid_mnemonic.data", ":5:1: unknown instruction 'ldxq'" },
		{ "invalid_offset.data", ":4:1: invalid operands for 'ldxb'" },
		{ "invalid_offset_range.data", ":5:15: offset 65536 out of range [-32768, 32767]" },
		{ "invalid_operand_count.data", ":4:1: invalid operands for 'lddw'" },
		{ "invalid_register.data", ":4:9: invalid register '%r50'" },
		{ "invalid_unknown_directive.data", ":4:1: unknown directive '-- Unknown directive'" },
	};
	int seen = 0;
	d = opendir(dir);
	if (d) {
		while ((e = readdir(d)))
			if (!strncmp(e->d_name, "invalid_", 8) && strstr(e->d_name, ".data"))
				seen++;
		closedir(d);
	}
	CHECKF(seen == (int)(sizeof(neg) / sizeof(neg[0])), "asm conformance: %d negative/invalid_* files known (%d on disk)",
	       (int)(sizeof(neg) / sizeof(neg[0])), seen);
	for (size_t i = 0; i < sizeof(neg) / sizeof(neg[0]); i++)
		negative(dir, neg[i].file, neg[i].reason);
	return 0;
}
