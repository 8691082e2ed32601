/* bpfkit jit: compile a program with the x86-64 JIT and list the machine code per
 * BPF instruction (capstone when the build has it, else the bytes). */
#include "cli.h"

#include "bpfkit/disasm.h"
#include "bpfkit/isa.h"
#include "bpfkit/jit.h"
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
	const char *file = NULL, *sec = NULL;
	bool raw = false, quiet = false;
	int cpu = 4;
	for (int i = 1; i < argc; i++) {
		if (bk_cli_is_help(argv[i])) {
			printf("Usage: bpfkit jit FILE [--prog SECTION] [--raw] [--cpu vN] [-q]\n"
			       "Loads the program (an ELF object's section, by default the first\n"
			       "executable one, or with --raw a file of raw instructions) into the\n"
			       "userspace runtime, compiles it with the x86-64 JIT and lists each BPF\n"
			       "instruction with its machine code. -q prints only the summary.\n"
			       "Programs using what the JIT does not compile are refused naming the\n"
			       "instruction.\n");
			return 0;
		}
		if ((!strcmp(argv[i], "--prog") || !strcmp(argv[i], "--section")) && i + 1 < argc)
			sec = argv[++i];
		else if (!strcmp(argv[i], "--raw"))
			raw = true;
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
	uint8_t *data = NULL;
	const uint8_t *insns;
	size_t len;
	const char *name = "prog";
	if (raw) {
		if (bk_read_file(file, &data, &len, &err) < 0)
			return bk_cli_fail("jit", "%s", err.msg);
		insns = data;
	} else {
		if (bk_object_open(file, &obj, &err) < 0)
			return bk_cli_fail("jit", "%s", err.msg);
		int s = -1;
		if (sec)
			s = bk_object_find_section(obj, sec);
		else
			for (size_t i = 0; i < obj->nsections; i++)
				if ((obj->sections[i].flags & BK_SHF_EXECINSTR) && obj->sections[i].size &&
				    obj->sections[i].data) {
					s = (int)i;
					break;
				}
		if (s < 0 || !obj->sections[s].data) {
			bk_object_free(obj);
			return bk_cli_fail("jit", "%s: no program section%s%s", file, sec ? " " : "",
					   sec ? sec : "");
		}
		insns = obj->sections[s].data;
		len = obj->sections[s].size;
		name = obj->sections[s].name;
	}
	int rc = 1;
	struct bk_vm *vm = bk_vm_new(NULL);
	struct bk_prog *p = NULL;
	if (len % 8 || !len) {
		bk_err_set(&err, -EINVAL, "%zu bytes is not a whole number of instructions", len);
		goto out;
	}
	if (!vm || bk_vm_register_conformance_helpers(vm, &err) < 0)
		goto out;
	struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .cpu = cpu, .name = name);
	if (bk_vm_load(vm, (const struct bk_insn *)insns, len / 8, &po, &p, &err) < 0)
		goto out;
	if (bk_jit_attach(p, NULL, &err) < 0)
		goto out;
	struct bk_jit_info info;
	const uint8_t *code = bk_jit_code(p, &info);
	size_t n = len / 8;
	if (!quiet) {
		struct bk_print_opts pr = BK_OPTS_INIT(bk_print_opts);
		long start = bk_jit_slot_offset(p, 0);
		printf("prologue:\n");
		list_range(code, 0, (size_t)start);
		for (size_t i = 0; i < n;) {
			char text[256];
			int k = bk_insn_format((const struct bk_insn *)insns + i, n - i, &pr, text,
					       sizeof(text));
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
	printf("%s: %zu instructions, %zu bytes of x86-64, %zu inline, %zu through the runtime\n",
	       name, info.ninsns, info.code_size, info.native, info.runtime);
	rc = 0;
out:
	if (rc)
		bk_cli_fail("jit", "%s", err.msg);
	bk_vm_free(vm);
	bk_object_free(obj);
	free(data);
	return rc;
}
