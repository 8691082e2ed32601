/* Kernel capability probes through the raw bpf(2) syscall: libc only, so the
 * userspace core (assembler, compiler driver) can resolve -mcpu=probe without
 * libbpf. `bpfkit feature probe` reads its ISA and helper answers from here too.
 *
 * Each probe loads a tiny program and reads the kernel's verdict (and, for
 * helpers, its refusal message); the probe programs are closed at once. */
#ifndef BPFKIT_PROBE_H
#define BPFKIT_PROBE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Newest -mcpu level (1..4) whose instructions the running kernel accepts.
 * Negative errno when the kernel cannot load even a v1 program (no bpf(2),
 * no privilege); the error says which. */
int bk_probe_cpu_level(struct bk_err *err);

/* 1 if the kernel accepts the instructions that -mcpu=vLEVEL adds, 0 if it
 * refuses them, negative errno if the probe itself could not run. */
int bk_probe_isa(int level, struct bk_err *err);

/* 1 if a program of PROG_TYPE (enum bpf_prog_type) may call helper HELPER_ID,
 * 0 if the verifier refuses it (unknown helper or not allowed for the type),
 * negative errno if the probe could not decide (the type itself cannot load). */
int bk_probe_helper(int prog_type, int helper_id, struct bk_err *err);

/* 1 if a trivial program of PROG_TYPE loads; 0 if the kernel refuses it. */
int bk_probe_prog_type(int prog_type, struct bk_err *err);

/* 1 if a trivial program (r0 = 0; exit) of PROG_TYPE loads as it is. */
int bk_probe_prog_loads(int prog_type);
/* 1 if the kernel takes programs over 4096 instructions / with bounded loops. */
int bk_probe_large_insn_limit(void);
int bk_probe_bounded_loops(void);

/* Loads a raw program for probing: returns the fd (caller closes) or a negative
 * errno; LOG (may be NULL) receives the verifier log. */
struct bk_probe_load_opts {
	size_t sz;
	int prog_type;
	int expected_attach_type;
	char *log;
	size_t log_size;
	unsigned log_level;
	unsigned prog_flags;
	unsigned attach_btf_id;   /* tracing/lsm: a vmlinux BTF function id */
};
int bk_probe_load(const void *insns, size_t insn_cnt, const struct bk_probe_load_opts *opts,
		  struct bk_err *err);

#ifdef __cplusplus
}
#endif
#endif
