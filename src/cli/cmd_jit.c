/* bpfkit jit: compile a program with the x86-64 JIT and list the machine code per
 * BPF instruction (capstone when the build has it, else the bytes). */
#include "cli.h"

#include "bpfkit/disasm.h"
#include "bpfkit/isa.h"
#include "bpfkit/helpers.h"
#include "bpfkit/jit.h"
#include "bpfkit/loader.h"
#include "bpfkit/object.h"
#include "bpfkit/util.h"
#include "bpfkit/vm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if BK_HAVE_CAPSTONE
#include <capstone/capstone.h>
#endif

BK_COMMAND(jit, bk_cmd_jit, "compile a program with the x86-64 JIT and list the code")

static void list_range(const uint8_t *code, size_t from, size_t to)
{
#if BK_HAVE_CAPSTONE
	csh cs;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) == CS_ERR_OK) {
		cs_insn *ins;
		size_t n = cs_disasm(cs, code + from, to - from, from, 0, &ins);
		size_t done = 0;
		for (size_t i = 0; i < n; i++) {
			printf("\t%6llx:  %s %s\n", (unsigned long long)ins[i].address, ins[i].mnemonic,
			       ins[i].op_str);
			done += ins[i].size;
		}
		if (n)
			cs_free(ins, n);
		cs_close(&cs);
		if (done == to - from)
			return;
	}
#endif
	for (size_t o = from; o < to; o += 16) {
		printf("\t%6zx: ", o);
		for (size_t k = o; k < to && k < o + 16; k++)
			printf(" %02x", code[k]);
		printf("\n");
	}
}

int bk_cmd_jit(int argc, char **argv)
{
	const char *file = NULL, *sec = NULL, *outfile = NULL;
	bool raw = false, quiet = false, blind = false, no_proofs = false;
	int cpu = 4;
	for (int i = 1; i < argc; i++) {
		if (bk_cli_is_help(argv[i])) {
			printf("Usage: bpfkit jit FILE [--prog NAME] [--raw] [--cpu vN] [--blind] [--no-proofs]\n"
			       "                 [-o CODE.bin] [-q]\n"
			       "Loads the program into the userspace runtime as `bpfkit run` does (an ELF\n"
			       "object through the loader: maps created, relocations resolved; --prog\n"
			       "picks one by function or section name, by default the first; --raw reads\n"
			       "a file of raw instructions), compiles it with the x86-64 JIT and lists\n"
			       "each BPF instruction with its machine code. -q prints only the summary,\n"
			       "-o writes the machine code, --blind blinds the program's constants.\n"
			       "Loads and stores the offline verifier proves in bounds are compiled\n"
			       "without a check (the summary counts them); --no-proofs checks them all.\n");
			return 0;
		}
		if ((!strcmp(argv[i], "--prog") || !strcmp(argv[i], "--section")) && i + 1 < argc)
			sec = argv[++i];
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			outfile = argv[++i];
		else if (!strcmp(argv[i], "--raw"))
			raw = true;
		else if (!strcmp(argv[i], "--blind"))
			blind = true;
		else if (!strcmp(argv[i], "--no-proofs"))
			no_proofs = true;
		else if (!strcmp(argv[i], "-q"))
			quiet = true;
		else if (!strcmp(argv[i], "--cpu") && i + 1 < argc) {
			cpu = bk_isa_parse_cpu(argv[++i]);
			if (cpu <= 0)
				return bk_cli_fail("jit", "bad --cpu '%s' (v1..v4)", argv[i]);
		} else if (argv[i][0] == '-' && argv[i][1])
			return bk_cli_fail("jit", "unknown option '%s'", argv[i]);
		else if (!file)
			file = argv[i];
		else
			return bk_cli_fail("jit", "unexpected argument '%s'", argv[i]);
	}
	if (!file)
		return bk_cli_fail("jit", "no input file (see --help)");
	if (!bk_jit_supported())
		return bk_cli_fail("jit", "the JIT needs an x86-64 host");
	struct bk_err err = { 0 };
	struct bk_object *obj = NULL;
	struct bk_loaded *lo = NULL;
	uint8_t *data = NULL;
	const char *name = "prog";
	int rc = 1;
	struct bk_vm *vm = bk_vm_new(NULL);
	struct bk_prog *p = NULL;
	if (!vm) {
		bk_err_set(&err, -ENOMEM, "out of memory");
		goto out;
	}
	if (raw) {
		size_t len;
		if (bk_read_file(file, &data, &len, &err) < 0)
			goto out;
		if (len % 8 || !len) {
			bk_err_set(&err, -EINVAL, "%zu bytes is not a whole number of instructions", len);
			goto out;
		}
		if (bk_vm_register_conformance_helpers(vm, &err) < 0)
			goto out;
		struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .cpu = cpu, .name = name);
		if (bk_vm_load(vm, (const struct bk_insn *)data, len / 8, &po, &p, &err) < 0)
			goto out;
	} else {
		struct bk_load_opts lopts = BK_OPTS_INIT(bk_load_opts, .cpu = cpu, .prog = sec);
		if (bk_helpers_install(vm, &err) < 0 || bk_object_open(file, &obj, &err) < 0 ||
		    bk_load_object(vm, obj, &lopts, &lo, &err) < 0)
			goto out;
		if (!(p = bk_loaded_prog(lo, sec, &err)))
			goto out;
		name = bk_prog_name(p);
	}
	if (!no_proofs)
		bk_prog_prove(p, NULL);   /* rejected: every access keeps its check */
	struct bk_jit_opts jo = BK_OPTS_INIT(bk_jit_opts, .blind = blind);
	if (bk_jit_attach(p, &jo, &err) < 0)
		goto out;
	struct bk_jit_info info;
	const uint8_t *code = bk_jit_code(p, &info);
	size_t n;
	const struct bk_insn *insns = bk_prog_insns(p, &n);
	if (outfile && bk_write_file(outfile, code, info.code_size, &err) < 0)
		goto out;
	if (!quiet) {
		struct bk_print_opts pr = BK_OPTS_INIT(bk_print_opts);
		long start = bk_jit_slot_offset(p, 0);
		printf("prologue:\n");
		list_range(code, 0, (size_t)start);
		for (size_t i = 0; i < n;) {
			char text[256];
			int k = bk_insn_format(insns + i, n - i, &pr, text, sizeof(text));
			if (k < 1)
				k = 1;
			printf("%zu: %s\n", i, text);
			size_t next = i + (size_t)k <= n ? i + (size_t)k : n;
			list_range(code, (size_t)bk_jit_slot_offset(p, i),
				   (size_t)bk_jit_slot_offset(p, next));
			i = next;
		}
		printf("epilogue:\n");
		list_range(code, (size_t)bk_jit_slot_offset(p, n), info.code_size);
	}
	char bound[160] = "";
	int bl = 0;
	if (info.inlined)
		bl = snprintf(bound, sizeof(bound), ", %zu map lookups inline", info.inlined);
	if (info.step_bound)
		snprintf(bound + bl, sizeof(bound) - (size_t)bl,
			 ", back-edges uncounted under a budget over %llu",
			 (unsigned long long)info.step_bound);
	printf("%s: %zu instructions, %zu bytes of x86-64, %zu inline, %zu through the runtime, "
	       "%zu accesses proved%s%s\n", name, info.ninsns, info.code_size, info.native,
	       info.runtime, info.proved, bound, info.blinded ? ", constants blinded" : "");
	rc = 0;
out:
	if (rc)
		bk_cli_fail("jit", "%s", err.msg[0] ? err.msg : "failed");
	bk_loaded_free(lo);
	bk_vm_free(vm);
	bk_object_free(obj);
	free(data);
	return rc;
}
