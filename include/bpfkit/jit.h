/* bpfkit jit — an x86-64 JIT for the userspace runtime (include/bpfkit/vm.h).
 *
 * bk_jit_attach compiles a loaded program; from then on bk_prog_exec and
 * bk_prog_test_run run the machine code instead of the interpreter (except when
 * instructions are counted), with the same results and the same errors. */
#ifndef BPFKIT_JIT_H
#define BPFKIT_JIT_H

#include "common.h"
#include "vm.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bk_jit_opts {
	size_t sz;
	/* Constant blinding, as the kernel's bpf_jit_harden: no 32- or 64-bit immediate
	 * of the program appears in the machine code (a random key per compilation). */
	bool blind;
	/* Compile every load and store with its check even when the program carries the
	 * verifier's proof (bk_prog_prove, vm.h); by default a proved access is a plain
	 * load or store. */
	bool no_proofs;
};

struct bk_jit_info {
	size_t code_size;    /* bytes of machine code */
	size_t ninsns;       /* slots compiled */
	size_t native;       /* slots compiled to inline machine code */
	size_t runtime;      /* slots executed by a call into the runtime (helpers, atomics,
	                      * callx, ld_abs/ld_ind) */
	size_t proved;       /* loads and stores compiled without a check (the verifier's proof) */
	size_t direct;       /* helper calls compiled as direct calls (map helpers, proved) */
	bool blinded;        /* constants blinded */
	/* The verifier's bound on the instructions one run executes (bk_prog_prove; 0: none,
	 * e.g. may_goto, callbacks, tail calls). Such a program has a second body without
	 * step counting on its loops' back-edges, taken by every run whose budget exceeds
	 * the bound (it cannot run out); runs with a smaller budget count as before. Stats
	 * of a run in that body report no back-edges (calls are still counted). The code,
	 * slot offsets and code_size given here are that body's. */
	uint64_t step_bound;
	size_t inlined;      /* array map lookups compiled inline (proved, as the kernel does) */
};

/* Whether this build can JIT (x86-64 only). */
bool bk_jit_supported(void);

/* Compiles PROG and attaches the code to it. Every instruction the interpreter runs is
 * compiled (bpf-to-bpf calls, callx, tail calls, may_goto included); a tail call target
 * is compiled when first reached. On failure the program stays with the interpreter. */
int bk_jit_attach(struct bk_prog *prog, const struct bk_jit_opts *opts, struct bk_err *err);
/* Back to the interpreter; frees the code. */
void bk_jit_detach(struct bk_prog *prog);
bool bk_jit_attached(const struct bk_prog *prog);
/* Machine code of an attached program (NULL if none), and facts about it. */
const void *bk_jit_code(const struct bk_prog *prog, struct bk_jit_info *info);
/* Byte offset of slot IDX in the code (for listings); -1 if none. */
long bk_jit_slot_offset(const struct bk_prog *prog, size_t idx);

/* The lean entry, for embedders that run one program very often (as DPDK's
 * rte_bpf_exec): a context set up once (stack, regions, budget from OPTS; opts->args are
 * ignored) that runs the attached machine code with r1 = R1 (r2..r5 = 0) and no other
 * per-call setup. Results and errors are those of bk_prog_exec. A context serves one
 * thread at a time. bk_jit_exec returns 0 with *r0, or a negative errno with the message
 * in bk_jit_ctx_error. */
struct bk_jit_ctx;
struct bk_jit_ctx *bk_jit_ctx_new(struct bk_prog *prog, const struct bk_exec_opts *opts,
				  struct bk_err *err);
int bk_jit_exec(struct bk_jit_ctx *ctx, uint64_t r1, uint64_t *r0);
const char *bk_jit_ctx_error(const struct bk_jit_ctx *ctx);
void bk_jit_ctx_free(struct bk_jit_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
