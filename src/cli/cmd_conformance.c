/* `bpfkit conformance` runs bpf_conformance .data files; `bpfkit conformance-plugin`
 * speaks the upstream runner's plugin protocol. Both run programs as BK_PROG_RAW with
 * the suite's six helpers. */
#include "cli.h"

#include "bpfkit/isa.h"
#include "bpfkit/jit.h"
#include "bpfkit/util.h"
#include "bpfkit/vm.h"
#if __has_include("bpfkit/asm.h")
#include "bpfkit/asm.h"
#define HAVE_ASM 1
#else
#define HAVE_ASM 0
#endif

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

BK_COMMAND(conformance, bk_cmd_conformance, "run bpf_conformance .data tests with the interpreter")
BK_COMMAND(conformance-plugin, bk_cmd_conformance_plugin, "the bpf_conformance plugin protocol (program hex on stdin)")

struct conf_case {
	char *asm_text, *mem, *result, *raw, *error;
	bool has_error, has_result, has_asm, has_raw;
};

static void case_free(struct conf_case *c)
{
	free(c->asm_text);
	free(c->mem);
	free(c->result);
	free(c->raw);
	free(c->error);
}

/* Splits a .data file into its sections ("-- NAME" lines; '#' lines are comments). */
static void parse_data(char *text, struct conf_case *c)
{
	struct bk_buf *cur = NULL;
	struct bk_buf asm_b = { 0 }, mem_b = { 0 }, res_b = { 0 }, raw_b = { 0 }, err_b = { 0 };
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[--n] = 0;
		if (!strncmp(line, "-- ", 3)) {
			const char *s = line + 3;
			cur = NULL;
			if (!strcmp(s, "asm")) {
				cur = &asm_b;
				c->has_asm = true;
			} else if (!strcmp(s, "mem")) {
				cur = &mem_b;
			} else if (!strcmp(s, "result")) {
				cur = &res_b;
				c->has_result = true;
			} else if (!strcmp(s, "raw")) {
				cur = &raw_b;
				c->has_raw = true;
			} else if (!strncmp(s, "error", 5)) {
				cur = &err_b;
				c->has_error = true;
				bk_buf_printf(&err_b, "%s", s + 5);
			}
			continue;
		}
		/* `-- error` text may follow on the same line or the next. */
		if (line[0] == '#' && cur != &err_b)
			continue;
		if (cur)
			bk_buf_printf(cur, "%s\n", line);
	}
	struct bk_buf *bufs[] = { &asm_b, &mem_b, &res_b, &raw_b, &err_b };
	char **outs[] = { &c->asm_text, &c->mem, &c->result, &c->raw, &c->error };
	for (int i = 0; i < 5; i++) {
		bk_buf_append(bufs[i], "", 1);
		*outs[i] = (char *)bufs[i]->data;
	}
}

/* `-- raw`: 64-bit little-endian words ("0x5566778800000018") or hex bytes. */
static int parse_raw(const char *text, struct bk_buf *out, struct bk_err *err)
{
	if (strstr(text, "0x")) {
		const char *p = text;
		while (*p) {
			while (*p == ' ' || *p == '\n' || *p == '\t')
				p++;
			if (!*p)
				break;
			char *end;
			errno = 0;
			unsigned long long w = strtoull(p, &end, 16);
			if (end == p || errno)
				return bk_err_set(err, -EINVAL, "-- raw: bad word near '%.16s'", p);
			uint8_t b[8];
			for (int i = 0; i < 8; i++)
				b[i] = (uint8_t)(w >> (8 * i));
			bk_buf_append(out, b, 8);
			p = end;
		}
		return 0;
	}
	return bk_parse_hex_bytes(text, out, err);
}

static int assemble(const char *text, struct bk_buf *out, struct bk_err *err)
{
#if HAVE_ASM
	struct bk_asm_opts ao = BK_OPTS_INIT(bk_asm_opts, .syntax = BK_ASM_UBPF, .cpu = 4);
	return bk_asm_raw(text, strlen(text), &ao, out, err);
#else
	(void)text;
	(void)out;
	return bk_err_set(err, -ENOSYS, "no assembler in this build (only -- raw programs run)");
#endif
}

static const char *engine;   /* NULL: the default (the JIT on x86-64) */
static bool use_jit;
static int jit_compiled, jit_refused;

enum verdict { V_PASS, V_FAIL, V_SKIP };

static enum verdict run_case(const char *path, int cpu, char *why, size_t whylen)
{
	uint8_t *text;
	size_t len;
	struct bk_err err = { 0 };
	if (bk_read_file(path, &text, &len, &err) < 0) {
		snprintf(why, whylen, "%s", err.msg);
		return V_FAIL;
	}
	char *t = realloc(text, len + 1);
	if (!t) {
		free(text);
		snprintf(why, whylen, "out of memory");
		return V_FAIL;
	}
	t[len] = 0;
	struct conf_case c = { 0 };
	parse_data(t, &c);
	free(t);
	/* Everything under negative/ must be refused, with or without an -- error line. */
	if (strstr(path, "negative/"))
		c.has_error = true;

	enum verdict v = V_FAIL;
	struct bk_buf prog = { 0 }, mem = { 0 };
	struct bk_vm *vm = NULL;
	int ret;
	if (c.has_asm && c.asm_text[0] && !(HAVE_ASM == 0 && c.has_raw))
		ret = assemble(c.asm_text, &prog, &err);
	else if (c.has_raw)
		ret = parse_raw(c.raw, &prog, &err);
	else
		ret = bk_err_set(&err, -EINVAL, "no program");
	if (ret == -ENOSYS) {
		snprintf(why, whylen, "%s", err.msg);
		v = V_SKIP;
		goto out;
	}
	if (ret == 0 && prog.len % 8)
		ret = bk_err_set(&err, -EINVAL, "program is %zu bytes, not a multiple of 8", prog.len);
	if (ret == 0 && c.mem[0])
		ret = bk_parse_hex_bytes(c.mem, &mem, &err);
	if (ret == 0 && !c.has_error) {
		int need = bk_isa_min_cpu((const struct bk_insn *)prog.data, prog.len / 8);
		if (need > cpu) {
			snprintf(why, whylen, "needs cpu v%d", need);
			v = V_SKIP;
			goto out;
		}
	}
	uint64_t r0 = 0;
	if (ret == 0) {
		vm = bk_vm_new(NULL);
		if (!vm || bk_vm_register_conformance_helpers(vm, &err))
			ret = bk_err_set(&err, -ENOMEM, "out of memory");
	}
	struct bk_prog *p = NULL;
	if (ret == 0) {
		struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .cpu = cpu);
		ret = bk_vm_load(vm, (const struct bk_insn *)prog.data, prog.len / 8, &po, &p, &err);
	}
	if (ret == 0 && use_jit) {
		/* A program the JIT refuses runs in the interpreter (counted apart). */
		struct bk_err jerr = { 0 };
		if (bk_jit_attach(p, NULL, &jerr) == 0)
			jit_compiled++;
		else
			jit_refused++;
	}
	if (ret == 0) {
		struct bk_run_opts ro = BK_OPTS_INIT(bk_run_opts, .data_in = mem.data,
						     .data_size_in = mem.len);
		struct bk_run_result res;
		ret = bk_prog_test_run(p, &ro, &res, &err);
		if (ret == 0) {
			r0 = res.retval;
			bk_run_result_free(&res);
		}
	}
	if (c.has_error) {
		if (ret < 0) {
			v = V_PASS;
			snprintf(why, whylen, "%s", err.msg);
		} else if (c.has_result && strtoull(c.result, NULL, 16) != r0) {
			/* A negative test with a wrong expected value: the runner must fail it. */
			v = V_PASS;
			snprintf(why, whylen, "r0 = 0x%llx differs from the expected 0x%s",
				 (unsigned long long)r0, c.result);
			why[strcspn(why, "\n")] = 0;
		} else {
			snprintf(why, whylen, "expected an error, got r0 = 0x%llx", (unsigned long long)r0);
		}
	} else if (ret < 0) {
		snprintf(why, whylen, "%s", err.msg);
	} else {
		unsigned long long want = strtoull(c.result, NULL, 16);
		if (want == r0)
			v = V_PASS;
		else
			snprintf(why, whylen, "r0 = 0x%llx, expected 0x%llx", (unsigned long long)r0,
				 want);
	}
out:
	bk_vm_free(vm);
	bk_buf_free(&prog);
	bk_buf_free(&mem);
	case_free(&c);
	return v;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect(const char *path, char ***list, size_t *n)
{
	DIR *d = opendir(path);
	if (!d) {
		*list = realloc(*list, (*n + 1) * sizeof(char *));
		(*list)[(*n)++] = strdup(path);
		return;
	}
	size_t first = *n;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 5, ".data"))
			continue;
		char *full = malloc(strlen(path) + l + 2);
		sprintf(full, "%s/%s", path, e->d_name);
		*list = realloc(*list, (*n + 1) * sizeof(char *));
		(*list)[(*n)++] = full;
	}
	closedir(d);
	qsort(*list + first, *n - first, sizeof(char *), cmp_str);
}

int bk_cmd_conformance(int argc, char **argv)
{
	int cpu = 4, verbose = 0;
	char **files = NULL;
	size_t n = 0;
	for (int i = 1; i < argc; i++) {
		if (bk_cli_is_help(argv[i])) {
			printf("Usage: bpfkit conformance [--cpu v1|v2|v3|v4] [--engine interp|jit] [-v] PATH...\n"
			       "Runs bpf_conformance .data files (or directories of them) in the\n"
			       "interpreter: r1 = the -- mem bytes, r2 = their length, helpers 0..5 of\n"
			       "the suite. A test needing a newer cpu than --cpu is skipped; a test\n"
			       "with -- error (or any file under a negative/ directory) passes when\n"
			       "assembling, loading or running fails cleanly.\n"
			       "Prints FAIL/SKIP lines (PASS too with -v) and ends with\n"
			       "'N passed, N failed, N skipped'. The engine is the JIT on x86-64 (the\n"
			       "interpreter elsewhere or with --engine interp); with the JIT the line\n"
			       "before the last counts the programs it compiled.\n");
			return 0;
		}
		if (!strcmp(argv[i], "--cpu") && i + 1 < argc) {
			cpu = bk_isa_parse_cpu(argv[++i]);
			if (cpu <= 0)
				return bk_cli_fail("conformance", "bad --cpu '%s' (v1..v4)", argv[i]);
		} else if (!strncmp(argv[i], "--cpu=", 6) || !strncmp(argv[i], "-mcpu=", 6)) {
			cpu = bk_isa_parse_cpu(argv[i] + 6);
			if (cpu <= 0)
				return bk_cli_fail("conformance", "bad cpu '%s' (v1..v4)", argv[i] + 6);
		} else if (!strcmp(argv[i], "-v")) {
			verbose = 1;
		} else if (!strcmp(argv[i], "--engine") && i + 1 < argc) {
			engine = argv[++i];
			if (strcmp(engine, "jit") && strcmp(engine, "interp"))
				return bk_cli_fail("conformance", "bad --engine '%s' (interp, jit)", engine);
		} else if (argv[i][0] == '-') {
			return bk_cli_fail("conformance", "unknown option '%s'", argv[i]);
		} else {
			collect(argv[i], &files, &n);
		}
	}
	if (!n)
		return bk_cli_fail("conformance", "no test files given (see --help)");
	use_jit = engine ? !strcmp(engine, "jit") : bk_jit_supported();
	if (use_jit && !bk_jit_supported())
		return bk_cli_fail("conformance", "the JIT needs an x86-64 host (use --engine interp)");
	int pass = 0, fail = 0, skip = 0;
	for (size_t i = 0; i < n; i++) {
		char why[BK_ERR_MAX + 64] = "";
		enum verdict v = run_case(files[i], cpu, why, sizeof(why));
		const char *name = strrchr(files[i], '/') ? strrchr(files[i], '/') + 1 : files[i];
		if (v == V_PASS) {
			pass++;
			if (verbose)
				printf("PASS %s%s%s\n", name, why[0] ? ": " : "", why);
		} else if (v == V_FAIL) {
			fail++;
			printf("FAIL %s: %s\n", name, why);
		} else {
			skip++;
			printf("SKIP %s: %s\n", name, why);
		}
		free(files[i]);
	}
	free(files);
	if (use_jit)
		printf("jit: %d compiled, %d refused (run in the interpreter)\n", jit_compiled,
		       jit_refused);
	printf("%d passed, %d failed, %d skipped\n", pass, fail, skip);
	return fail ? 1 : 0;
}

int bk_cmd_conformance_plugin(int argc, char **argv)
{
	const char *prog_hex = NULL, *mem_hex = NULL;
	int cpu = 4;
	for (int i = 1; i < argc; i++) {
		if (bk_cli_is_help(argv[i])) {
			printf("Usage: bpfkit conformance-plugin [--program HEX] [--cpu vN] [--engine interp|jit]\n"
			       "                                 [MEMORY-HEX]\n"
			       "The bpf_conformance plugin protocol: the program as hex bytes on stdin\n"
			       "(or --program), the input memory as hex in the argument; prints r0 in\n"
			       "hex. Exits non-zero with a message when loading or running fails.\n"
			       "The engine is the JIT on x86-64 (the interpreter elsewhere).\n");
			return 0;
		}
		if (!strcmp(argv[i], "--program") && i + 1 < argc)
			prog_hex = argv[++i];
		else if (!strcmp(argv[i], "--engine") && i + 1 < argc) {
			engine = argv[++i];
			if (strcmp(engine, "jit") && strcmp(engine, "interp"))
				return bk_cli_fail("conformance-plugin", "bad --engine '%s' (interp, jit)", engine);
		}
		else if (!strcmp(argv[i], "--cpu") && i + 1 < argc) {
			cpu = bk_isa_parse_cpu(argv[++i]);
			if (cpu <= 0)
				return bk_cli_fail("conformance-plugin", "bad --cpu '%s'", argv[i]);
		} else if (argv[i][0] == '-' && argv[i][1])
			return bk_cli_fail("conformance-plugin", "unknown option '%s'", argv[i]);
		else if (!mem_hex)
			mem_hex = argv[i];
		else
			return bk_cli_fail("conformance-plugin", "unexpected argument '%s'", argv[i]);
	}
	struct bk_err err = { 0 };
	struct bk_buf prog = { 0 }, mem = { 0 };
	uint8_t *in = NULL;
	int rc = 1;
	if (!prog_hex) {
		size_t len;
		if (bk_read_file("-", &in, &len, &err) < 0)
			goto fail;
		char *t = realloc(in, len + 1);
		if (!t)
			goto fail;
		in = (uint8_t *)t;
		t[len] = 0;
		prog_hex = t;
	}
	if (bk_parse_hex_bytes(prog_hex, &prog, &err) < 0)
		goto fail;
	if (prog.len % 8) {
		bk_err_set(&err, -EINVAL, "program is %zu bytes, not a multiple of 8", prog.len);
		goto fail;
	}
	if (mem_hex && bk_parse_hex_bytes(mem_hex, &mem, &err) < 0)
		goto fail;
	struct bk_vm *vm = bk_vm_new(NULL);
	if (!vm) {
		bk_err_set(&err, -ENOMEM, "out of memory");
		goto fail;
	}
	struct bk_prog *p;
	struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .cpu = cpu);
	struct bk_run_opts ro = BK_OPTS_INIT(bk_run_opts, .data_in = mem.data, .data_size_in = mem.len);
	struct bk_run_result res;
	if (bk_vm_register_conformance_helpers(vm, &err) == 0 &&
	    bk_vm_load(vm, (const struct bk_insn *)prog.data, prog.len / 8, &po, &p, &err) == 0 &&
	    bk_cli_use_jit(p, engine, &err) == 0 &&
	    bk_prog_test_run(p, &ro, &res, &err) == 0) {
		printf("%llx\n", (unsigned long long)res.retval);
		bk_run_result_free(&res);
		rc = 0;
	}
	bk_vm_free(vm);
fail:
	if (rc)
		bk_cli_fail("conformance-plugin", "%s", err.msg[0] ? err.msg : "failed");
	free(in);
	bk_buf_free(&prog);
	bk_buf_free(&mem);
	return rc;
}
