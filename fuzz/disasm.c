/* libFuzzer: arbitrary bytes as an instruction stream through the validator and all
 * three printers, and as an ELF file through the reader and the objdump listing. */
#include "bpfkit/disasm.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size / 8;
	struct bk_insn *insns = malloc(n ? n * 8 : 8);
	if (!insns)
		return 0;
	memcpy(insns, data, n * 8);
	struct bk_err err = { 0 };
	for (int cpu = 1; cpu <= 4; cpu++) {
		struct bk_validate_opts vo = BK_OPTS_INIT(bk_validate_opts, .cpu = cpu, .check_targets = true);
		bk_err_clear(&err);
		bk_isa_validate(insns, n, &vo, &err);
	}
	for (int s = 0; s < BK_SYNTAX__COUNT; s++) {
		struct bk_print_opts po = BK_OPTS_INIT(bk_print_opts, .syntax = (enum bk_syntax)s);
		struct bk_buf out = { 0 };
		bk_disasm_raw(insns, n, &po, s & 1, &out);
		bk_buf_free(&out);
	}
	free(insns);

	struct bk_object *obj;
	bk_err_clear(&err);
	if (!bk_object_read(data, size, "fuzz.o", &obj, &err)) {
		struct bk_objdump_opts oo = BK_OPTS_INIT(bk_objdump_opts, .relocs = true, .source = true);
		struct bk_buf out = { 0 };
		bk_objdump(obj, &oo, &out, &err);
		bk_buf_free(&out);
		bk_object_free(obj);
	}
	return 0;
}
