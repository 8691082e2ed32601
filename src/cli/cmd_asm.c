#include "cli.h"

#include "bpfkit/asm.h"
#include "bpfkit/isa.h"
#include "bpfkit/object.h"
#include "bpfkit/probe.h"
#include "bpfkit/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

BK_COMMAND(asm, bk_cmd_asm, "assemble LLVM, ubpf or Intel-like (ebpf_asm) syntax into an ELF object")

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bpfkit asm [-mcpu=v1|v2|v3|v4|generic|probe] [--syntax=llvm|ubpf|intel]\n"
		"                  [--raw] [--threads=N] [-o OUT] IN.s\n"
		"  Assembles IN.s ('-' reads stdin) into an ELF relocatable laid out as llvm-mc-19\n"
		"  writes it (default OUT: IN with .o, or a.out for stdin; '-' writes stdout).\n"
		"  -mcpu      newest instruction set allowed (default v4); generic = v1; probe asks\n"
		"             the running kernel and falls back to v1 with a warning\n"
		"  --syntax   input syntax (default: guessed from the text, else llvm)\n"
		"  --raw      write the bare bytecode of the first code section instead of ELF\n"
		"  --threads  1: one thread; 2: two threads whatever the size (default: two for\n"
		"             LLVM-syntax files of 4 MiB or more); the object is the same\n");
}

int bk_cmd_asm(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *cpu_s = NULL;
	int syntax = BK_ASM_AUTO, threads = 0;
	bool raw = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (bk_cli_is_help(a)) {
			usage(stdout);
			return 0;
		} else if (!strncmp(a, "-mcpu=", 6) || !strncmp(a, "--mcpu=", 7)) {
			cpu_s = strchr(a, '=') + 1;
		} else if ((!strcmp(a, "-mcpu") || !strcmp(a, "--mcpu")) && i + 1 < argc) {
			cpu_s = argv[++i];
		} else if (!strncmp(a, "--syntax=", 9)) {
			syntax = bk_asm_parse_syntax(a + 9);
			if (syntax < 0)
				return bk_cli_fail("asm", "unknown syntax '%s' (llvm, ubpf, intel)", a + 9);
		} else if (!strcmp(a, "--syntax") && i + 1 < argc) {
			syntax = bk_asm_parse_syntax(argv[++i]);
			if (syntax < 0)
				return bk_cli_fail("asm", "unknown syntax '%s' (llvm, ubpf, intel)", argv[i]);
		} else if (!strncmp(a, "--threads=", 10)) {
			char *e;
			long t = strtol(a + 10, &e, 10);
			if (*e || e == a + 10 || t < 1 || t > 2)
				return bk_cli_fail("asm", "--threads: '%s' is not 1 or 2", a + 10);
			threads = (int)t;
		} else if (!strcmp(a, "--raw")) {
			raw = true;
		} else if (!strcmp(a, "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strncmp(a, "-o", 2) && a[2]) {
			out = a + 2;
		} else if (a[0] == '-' && a[1]) {
			usage(stderr);
			return bk_cli_fail("asm", "unknown option '%s'", a);
		} else if (!in) {
			in = a;
		} else {
			return bk_cli_fail("asm", "more than one input file ('%s', '%s')", in, a);
		}
	}
	if (!in) {
		usage(stderr);
		return 2;
	}
	int cpu = 4;
	if (cpu_s) {
		if (!strcmp(cpu_s, "probe")) {
			struct bk_err perr = { 0 };
			int lvl = bk_probe_cpu_level(&perr);
			if (lvl < 1) {
				fprintf(stderr, "bpfkit asm: warning: -mcpu=probe: cannot ask the kernel (%s); using v1\n",
					perr.msg[0] ? perr.msg : "unknown reason");
				cpu = 1;
			} else {
				cpu = lvl;
				fprintf(stderr, "bpfkit asm: -mcpu=probe: the running kernel accepts v%d\n", cpu);
			}
		} else {
			cpu = bk_isa_parse_cpu(cpu_s);
			if (cpu < 1)
				return bk_cli_fail("asm", "unknown -mcpu '%s' (v1, v2, v3, v4, generic, probe)", cpu_s);
		}
	}
	char *defout = NULL;
	if (!out) {
		if (!strcmp(in, "-")) {
			out = "a.out";
		} else {
			size_t n = strlen(in);
			defout = malloc(n + 3);
			if (!defout)
				return bk_cli_fail("asm", "out of memory");
			memcpy(defout, in, n + 1);
			char *dot = strrchr(defout, '.');
			char *slash = strrchr(defout, '/');
			if (dot && (!slash || dot > slash))
				*dot = 0;
			strcat(defout, raw ? ".bin" : ".o");
			out = defout;
		}
	}
	struct bk_err err = { 0 };
	int used = 0;
	uint8_t *text = NULL;
	size_t len = 0;
	int rc = 1;
	struct bk_asm_opts opts = BK_OPTS_INIT(bk_asm_opts, .name = strcmp(in, "-") ? in : "<stdin>",
					       .cpu = cpu, .syntax = (enum bk_asm_syntax)syntax, .threads = threads,
					       .threads_used = &used);
	if (strcmp(in, "-")) {
		int fd = open(in, O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "bpfkit asm: %s: %s\n", in, strerror(errno));
			goto done;
		}
		close(fd);
	}
	if (raw) {
		struct bk_buf b = { 0 };
		if (bk_read_file(in, &text, &len, &err) < 0) {
			fprintf(stderr, "bpfkit asm: %s\n", err.msg);
			goto done;
		}
		if (bk_asm_raw((const char *)text, len, &opts, &b, &err) < 0 ||
		    bk_write_file(out, b.data ? (const void *)b.data : (const void *)"", b.len, &err) < 0)
			fprintf(stderr, "%s\n", err.msg);
		else
			rc = 0;
		bk_buf_free(&b);
	} else {
		/* streamed: neither the input nor the code is held in memory whole */
		if (bk_asm_file_write(in, out, &opts, &err) < 0)
			fprintf(stderr, "%s\n", err.msg);
		else
			rc = 0;
		if (!rc && threads == 2 && used != 2)
			fprintf(stderr, "bpfkit asm: note: %s assembled in one thread (not an LLVM-syntax file, "
				"no .section line after the middle, or halves that depend on each other)\n", in);
	}
done:
	free(text);
	free(defout);
	return rc;
}
