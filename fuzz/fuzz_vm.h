/* What the bytecode fuzzers (fuzz/vm.c, fuzz/jit.c) share: the program taken from the
 * input, and the vm it loads into. */
#ifndef BK_FUZZ_VM_H
#define BK_FUZZ_VM_H

#include "bpfkit/vm.h"

#include <stdlib.h>
#include <string.h>

/* The whole instructions in CODE (SIZE bytes), malloc'ed (caller frees), *N of them;
 * NULL when out of memory. */
static struct bk_insn *fz_insns(const uint8_t *code, size_t size, size_t *n)
{
	*n = size / sizeof(struct bk_insn);
	struct bk_insn *insns = malloc(*n * sizeof(*insns));
	if (insns)
		memcpy(insns, code, *n * sizeof(*insns));
	return insns;
}

/* A vm with the conformance convention's helpers and one array map (2 x 16 bytes) for
 * lddw map references; NULL when it cannot be made. */
static struct bk_vm *fz_vm(void)
{
	struct bk_vm *vm = bk_vm_new(NULL);
	struct bk_err err = { 0 };
	struct bk_map *m;
	struct bk_map_def d = { .type = BK_MAP_ARRAY, .key_size = 4, .value_size = 16,
				.max_entries = 2 };
	if (!vm || bk_vm_register_conformance_helpers(vm, &err)) {
		bk_vm_free(vm);
		return NULL;
	}
	bk_map_create(bk_vm_maps(vm), &d, &m, &err);
	return vm;
}

#endif
