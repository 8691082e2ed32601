/* What the tests that encode instructions by hand share: the constructors (test_vm.c,
 * test_vm_fast.c, test_vm_xdpctx.c, test_jit_entry.c, test_progtype_kernel.c) and, unless
 * VM_INSNS_ONLY is defined first, the vm the interpreter tests load into and its setup. */
#ifndef BK_TEST_VM_INSNS_H
#define BK_TEST_VM_INSNS_H

#include "tap.h"

/* Check names carry error messages; a cut message is fine. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#include "bpfkit/vm.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#define I(c, d, s, o, i) ((struct bk_insn){ .code = (c), .dst = (d), .src = (s), .off = (o), .imm = (i) })
#define MOV(d, i) I(0xb7, d, 0, 0, i)
#define MOVX(d, s) I(0xbf, d, s, 0, 0)
#define ADDK(d, i) I(0x07, d, 0, 0, i)
#define ADDX(d, s) I(0x0f, d, s, 0, 0)
#define SUBX(d, s) I(0x1f, d, s, 0, 0)
#define ORX(d, s) I(0x4f, d, s, 0, 0)
#define LSHK(d, i) I(0x67, d, 0, 0, i)
#define JEQK(d, i, o) I(0x15, d, 0, o, i)
#define CALL(id) I(0x85, 0, 0, 0, id)
#define LCALL(rel) I(0x85, 0, 1, 0, rel)
#define EXIT I(0x95, 0, 0, 0, 0)
/* LDX/STX sizes */
#define SZ_W 0x00
#define SZ_H 0x08
#define SZ_B 0x10
#define SZ_DW 0x18
#define LDX(sz, d, s, o) I(0x61 | (sz), d, s, o, 0)
#define STX(sz, d, s, o) I(0x63 | (sz), d, s, o, 0)
#define LDDW(d, v) I(0x18, d, 0, 0, (int32_t)(uint32_t)(v)), I(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))
#define N(a) (sizeof(a) / sizeof((a)[0]))

#ifndef VM_INSNS_ONLY
static struct bk_vm *vm;

/* Makes `vm`, with the conformance convention's helpers when HELPERS; 0, or -1 after a
 * "not ok" line. */
static int vm_setup(bool helpers)
{
	struct bk_err e = { 0 };
	vm = bk_vm_new(NULL);
	if (!vm || (helpers && bk_vm_register_conformance_helpers(vm, &e))) {
		printf("not ok vm setup: %s\n", vm ? e.msg : "bk_vm_new failed");
		return -1;
	}
	return 0;
}
#endif

#endif
