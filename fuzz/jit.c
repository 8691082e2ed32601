/* libFuzzer: the same arbitrary bytecode through the interpreter and the JIT; any
 * difference (return code, r0, memory, stats, error text up to its first address), a
 * crash or a sanitizer report is a finding. The first 64 bytes are the memory r1 points
 * to (one static buffer, so both engines see the same addresses), the rest the program.
 * Programs that use r10 other than as the base of a load or store (moving, comparing or
 * storing its value) are skipped: the stack is allocated per run and its address
 * legitimately differs. */
#include "bpfkit/jit.h"
#include "bpfkit/isa.h"
#include "fuzz_vm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/unit/jit_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* r10 only as the base of a load or store: its value (compared, moved, stored) differs. */
static bool reads_r10(const struct bk_insn *insns, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t cls = insns[i].code & 7;
		bool base_ok = (cls == 1 && insns[i].src == 10 && insns[i].dst != 10) ||
			       ((cls == 2 || cls == 3) && insns[i].dst == 10 && insns[i].src != 10);
		if ((insns[i].src == 10 || insns[i].dst == 10) && !base_ok)
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 64 + 8)
		return 0;
	const uint8_t *init = data;
	size_t n;
	struct bk_insn *insns = fz_insns(data + 64, size - 64, &n);
	if (!insns)
		return 0;
	if (reads_r10(insns, n)) {
		free(insns);
		return 0;
	}
	struct bk_vm *vm = fz_vm();
	struct bk_err err = { 0 };
	if (vm) {
		struct bk_prog *p;
		if (bk_vm_load(vm, insns, n, NULL, &p, &err) == 0) {
			struct jd_outcome a, b;
			jd_run(p, init, 1000, &a);
			if (bk_jit_attach(p, NULL, &err) < 0) {
				fprintf(stderr, "jit refused a loaded program: %s\n", err.msg);
				abort();
			}
			jd_run(p, init, 1000, &b);
			if (!jd_same(&a, &b)) {
				fprintf(stderr, "interp/jit differ: ret %d/%d r0 %llx/%llx mem %d '%s' / '%s'\n",
					a.ret, b.ret, (unsigned long long)a.r0, (unsigned long long)b.r0,
					memcmp(a.mem, b.mem, sizeof(a.mem)) != 0, a.msg, b.msg);
				abort();
			}
		}
	}
	bk_vm_free(vm);
	free(insns);
	return 0;
}
