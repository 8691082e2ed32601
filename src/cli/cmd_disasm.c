#include "cli.h"

#include "bpfkit/disasm.h"

#include <stdlib.h>
#include <string.h>

BK_COMMAND(disasm, bk_cmd_disasm, "list raw BPF bytecode (no ELF) in LLVM, ubpf or kernel syntax")

/* Shared with objdump: --syntax=NAME or --syntax NAME. Returns -1 on a bad name. */
int bk_cli_parse_syntax(const char *s)
{
	if (!strcmp(s, "llvm"))
		return BK_SYNTAX_LLVM;
	if (!strcmp(s, "ubpf") || !strcmp(s, "conformance"))
		return BK_SYNTAX_UBPF;
	if (!strcmp(s, "kernel") || !strcmp(s, "bpftool"))
		return BK_SYNTAX_KERNEL;
	return -1;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: bpfkit disasm [--syntax=llvm|ubpf|kernel] [--no-show-raw-insn] FILE\n"
		   "  FILE holds raw instructions, 8 bytes each, little-endian (\"-\" = stdin).\n"
		   "  llvm: as llvm-objdump-19 -d --mcpu=v4; ubpf: the conformance suite's assembler\n"
		   "  syntax (re-assemblable); kernel: as bpftool prog dump xlated.\n");
}

int bk_cmd_disasm(int argc, char **argv)
{
	struct bk_print_opts po = BK_OPTS_INIT(bk_print_opts, .syntax = BK_SYNTAX_LLVM);
	bool no_raw = false;
	const char *file = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (bk_cli_is_help(a)) {
			usage(stdout);
			return 0;
		} else if (!strncmp(a, "--syntax", 8)) {
			const char *v = a[8] == '=' ? a + 9 : (a[8] == 0 && i + 1 < argc) ? argv[++i] : "";
			int s = bk_cli_parse_syntax(v);
			if (s < 0)
				return bk_cli_fail("disasm", "unknown syntax '%s' (llvm, ubpf, kernel)", v);
			po.syntax = (enum bk_syntax)s;
		} else if (!strcmp(a, "--no-show-raw-insn"))
			no_raw = true;
		else if (a[0] == '-' && a[1])
			return bk_cli_fail("disasm", "unknown option '%s'", a);
		else if (file)
			return bk_cli_fail("disasm", "one FILE only");
		else
			file = a;
	}
	if (!file) {
		usage(stderr);
		return 2;
	}
	struct bk_err err = { 0 };
	uint8_t *data;
	size_t len;
	if (bk_read_file(file, &data, &len, &err))
		return bk_cli_fail("disasm", "%s", err.msg);
	if (len % 8) {
		free(data);
		return bk_cli_fail("disasm", "%s: size %zu is not a multiple of 8 (raw BPF instructions)", file, len);
	}
	struct bk_buf out = { 0 };
	/* Copy to an aligned array: the file buffer's alignment is malloc's, but be explicit. */
	struct bk_insn *insns = malloc(len ? len : 1);
	if (!insns) {
		free(data);
		return bk_cli_fail("disasm", "out of memory");
	}
	memcpy(insns, data, len);
	free(data);
	int r = bk_disasm_raw(insns, len / 8, &po, no_raw, &out);
	free(insns);
	if (r) {
		bk_buf_free(&out);
		return bk_cli_fail("disasm", "out of memory");
	}
	fwrite(out.data, 1, out.len, stdout);
	bk_buf_free(&out);
	return 0;
}
