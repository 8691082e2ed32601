/* libFuzzer harness for the assembler: the input is assembled as LLVM, ubpf and Intel
 * syntax (object and raw output). Any input must give an object or a one-line error,
 * never a crash, leak or undefined behaviour. */
#include "bpfkit/asm.h"
#include "bpfkit/object.h"
#include "bpfkit/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum bk_asm_syntax syn[] = { BK_ASM_LLVM, BK_ASM_UBPF, BK_ASM_INTEL };
	for (size_t i = 0; i < 3; i++) {
		/* .include must not wander the file system */
		struct bk_asm_opts o = BK_OPTS_INIT(bk_asm_opts, .name = "fuzz.s", .syntax = syn[i],
						    .cpu = 1 + (int)(size % 4), .include_dir = "/nonexistent");
		struct bk_err err = { 0 };
		struct bk_object *obj = NULL;
		if (bk_asm_object((const char *)data, size, &o, &obj, &err) == 0) {
			struct bk_buf b = { 0 };
			bk_object_write(obj, &b, &err);
			bk_buf_free(&b);
			bk_object_free(obj);
		} else if (!err.msg[0] || strchr(err.msg, '\n')) {
			abort(); /* every failure explains itself in one line */
		}
		struct bk_buf raw = { 0 };
		bk_asm_raw((const char *)data, size, &o, &raw, &err);
		bk_buf_free(&raw);
	}
	return 0;
}
