/* Internal structures of the runtime, shared by the loader of programs (vm.c), the
 * interpreter (interp.c) and the test-run setup (run.c). The JIT reads them too. */
#ifndef BK_VM_INTERNAL_H
#define BK_VM_INTERNAL_H

#include "bpfkit/vm.h"

#define BK_VM_MAX_HELPER_ID 1024
#define BK_VM_MAX_REGIONS   72
#define BK_VM_STACK_TOTAL   (BK_VM_STACK_SIZE * BK_VM_MAX_DEPTH)
#define BK_VM_MAY_GOTO_MAX  (1u << 23)  /* the kernel's BPF_MAX_LOOPS */

/* Handler indexes beyond the table's forms. */
enum {
	BK_XOP_CALL_HELPER = BK_OP__COUNT, /* imm = struct bk_helper * */
	BK_XOP_NOP,                        /* second slot of an lddw: never reached */
	BK_XOP__COUNT,
};

#define BK_FUSE_JUMPS(X) \
	X(JEQ64_K) X(JEQ32_K) X(JEQ64_X) X(JEQ32_X) \
	X(JGT64_K) X(JGT32_K) X(JGT64_X) X(JGT32_X) \
	X(JGE64_K) X(JGE32_K) X(JGE64_X) X(JGE32_X) \
	X(JSET64_K) X(JSET32_K) X(JSET64_X) X(JSET32_X) \
	X(JNE64_K) X(JNE32_K) X(JNE64_X) X(JNE32_X) \
	X(JSGT64_K) X(JSGT32_K) X(JSGT64_X) X(JSGT32_X) \
	X(JSGE64_K) X(JSGE32_K) X(JSGE64_X) X(JSGE32_X) \
	X(JLT64_K) X(JLT32_K) X(JLT64_X) X(JLT32_X) \
	X(JLE64_K) X(JLE32_K) X(JLE64_X) X(JLE32_X) \
	X(JSLT64_K) X(JSLT32_K) X(JSLT64_X) X(JSLT32_X) \
	X(JSLE64_K) X(JSLE32_K) X(JSLE64_X) X(JSLE32_X)

/* ALU that may follow a mov of the same width into the same register: X(NAME, W64) with
 * NAME = OP64_K / OP32_K / OP64_X / OP32_X, W64 = 1 for the 64-bit ones. In the fused slot
 * of an _X pair, imm is the second operand's register: rS when it was rD (rD = rS; rD op= rD). */
#define BK_FUSE_MOVALU(X) \
	X(SUB64_K, 1) X(MUL64_K, 1) X(AND64_K, 1) X(OR64_K, 1) X(XOR64_K, 1) X(LSH64_K, 1) \
	X(RSH64_K, 1) X(ARSH64_K, 1) X(ADD32_K, 0) X(SUB32_K, 0) X(MUL32_K, 0) X(AND32_K, 0) \
	X(OR32_K, 0) X(XOR32_K, 0) X(LSH32_K, 0) X(RSH32_K, 0) X(ARSH32_K, 0) \
	X(SUB64_X, 1) X(MUL64_X, 1) X(AND64_X, 1) X(OR64_X, 1) X(XOR64_X, 1) X(LSH64_X, 1) \
	X(RSH64_X, 1) X(ARSH64_X, 1) X(ADD32_X, 0) X(SUB32_X, 0) X(MUL32_X, 0) X(AND32_X, 0) \
	X(OR32_X, 0) X(XOR32_X, 0) X(LSH32_X, 0) X(RSH32_X, 0) X(ARSH32_X, 0)

/* Loads and stores that get an unchecked form when proved. */
#define BK_UNCHECKED_OPS(X) \
	X(LDX_B) X(LDX_H) X(LDX_W) X(LDX_DW) X(LDXS_B) X(LDXS_H) X(LDXS_W) \
	X(ST_B) X(ST_H) X(ST_W) X(ST_DW) X(STX_B) X(STX_H) X(STX_W) X(STX_DW)

/* Forms only the interpreter knows, in prog->fast (never in prog->code, which the JIT
 * reads): loads and stores at r10 + a constant offset that lies inside the current frame,
 * proved at load, so they run without a memory check. */
enum {
	BK_FOP_LDX_FP_B = BK_XOP__COUNT,
	BK_FOP_LDX_FP_H,
	BK_FOP_LDX_FP_W,
	BK_FOP_LDX_FP_DW,
	BK_FOP_STX_FP_B,
	BK_FOP_STX_FP_H,
	BK_FOP_STX_FP_W,
	BK_FOP_STX_FP_DW,
	BK_FOP_ST_FP_B,
	BK_FOP_ST_FP_H,
	BK_FOP_ST_FP_W,
	BK_FOP_ST_FP_DW,
	/* Pairs run by one handler (the second slot stays as it was, for jumps into it):
	 * mov rD, rS + add rD, imm/rT (T != D), and add rD, imm/rS + a conditional jump
	 * (the loop counter step and test). */
	BK_FOP_MOVADD64_K,
	BK_FOP_MOVADD64_X,
	/* mov rD, rS + OP rD, imm (two-address code from three-address arithmetic). */
#define X(o, w) BK_FOP_MOV##o,
	BK_FUSE_MOVALU(X)
#undef X
#define X(j) BK_FOP_ADDK_##j, BK_FOP_ADDX_##j,
	BK_FUSE_JUMPS(X)
#undef X
	/* ldxw/ldxdw of a context field that reads as a packet pointer (data, data_end,
	 * data_meta for the program's type): imm = offsetof(struct bk_packet, the pointer).
	 * Taken when the base register is the context; anything else runs as the plain load. */
	BK_FOP_LDX_W_CTXPKT,
	BK_FOP_LDX_DW_CTXPKT,
	/* Helper calls of a struct bk_helper with map_op set (imm = the helper), done in place
	 * for plain arguments; otherwise the call goes through h->fn as BK_XOP_CALL_HELPER. */
	BK_FOP_MAP_LOOKUP,
	BK_FOP_MAP_UPDATE,
	BK_FOP_MAP_DELETE,
	/* A whole map-helper call site (imm = struct bk_fcall *): the argument setup of
	 * constant map and keys/values on the stack at constant offsets, the call, and the
	 * test of a lookup's result when one follows. Only the first slot changes. */
	BK_FOP_FMAP_LOOKUP,
	BK_FOP_FMAP_UPDATE,
	BK_FOP_FMAP_DELETE,
	/* Loads and stores the verifier proved in bounds (prog->proof, BK_VF_MEM_SAFE): run
	 * without the memory check, in the order of BK_UNCHECKED_OPS. */
#define X(o) BK_FOP_U_##o,
	BK_UNCHECKED_OPS(X)
#undef X
	BK_FOP__COUNT,
};

/* The loads, stores and atomics, one list for the interpreter (interp_body.h) and the
 * JIT's runtime fallback (src/jit/jit.c): each defines LOAD(name, type, ext, sign),
 * STORE(name, type, value), ATOMIC_OP(name, type, builtin) and ATOMIC_FETCH(...) and
 * passes the expressions of the immediate and of the source register. CMPXCHG is
 * written out by each (it reads r0). */
#define BK_MEM_FORMS(LOAD, STORE, ATOMIC_OP, ATOMIC_FETCH, IMM, SRC) \
	LOAD(LDX_B, uint8_t, uint64_t, 0) \
	LOAD(LDX_H, uint16_t, uint64_t, 0) \
	LOAD(LDX_W, uint32_t, uint64_t, 0) \
	LOAD(LDX_DW, uint64_t, uint64_t, 0) \
	LOAD(LDXS_B, int8_t, int64_t, 1) \
	LOAD(LDXS_H, int16_t, int64_t, 1) \
	LOAD(LDXS_W, int32_t, int64_t, 1) \
	STORE(ST_B, uint8_t, IMM) \
	STORE(ST_H, uint16_t, IMM) \
	STORE(ST_W, uint32_t, IMM) \
	STORE(ST_DW, uint64_t, IMM) \
	STORE(STX_B, uint8_t, SRC) \
	STORE(STX_H, uint16_t, SRC) \
	STORE(STX_W, uint32_t, SRC) \
	STORE(STX_DW, uint64_t, SRC) \
	ATOMIC_OP(ATOMIC32_ADD, uint32_t, fetch_add) \
	ATOMIC_OP(ATOMIC32_OR, uint32_t, fetch_or) \
	ATOMIC_OP(ATOMIC32_AND, uint32_t, fetch_and) \
	ATOMIC_OP(ATOMIC32_XOR, uint32_t, fetch_xor) \
	ATOMIC_FETCH(ATOMIC32_FETCH_ADD, uint32_t, fetch_add) \
	ATOMIC_FETCH(ATOMIC32_FETCH_OR, uint32_t, fetch_or) \
	ATOMIC_FETCH(ATOMIC32_FETCH_AND, uint32_t, fetch_and) \
	ATOMIC_FETCH(ATOMIC32_FETCH_XOR, uint32_t, fetch_xor) \
	ATOMIC_FETCH(ATOMIC32_XCHG, uint32_t, exchange_n) \
	ATOMIC_OP(ATOMIC64_ADD, uint64_t, fetch_add) \
	ATOMIC_OP(ATOMIC64_OR, uint64_t, fetch_or) \
	ATOMIC_OP(ATOMIC64_AND, uint64_t, fetch_and) \
	ATOMIC_OP(ATOMIC64_XOR, uint64_t, fetch_xor) \
	ATOMIC_FETCH(ATOMIC64_FETCH_ADD, uint64_t, fetch_add) \
	ATOMIC_FETCH(ATOMIC64_FETCH_OR, uint64_t, fetch_or) \
	ATOMIC_FETCH(ATOMIC64_FETCH_AND, uint64_t, fetch_and) \
	ATOMIC_FETCH(ATOMIC64_FETCH_XOR, uint64_t, fetch_xor) \
	ATOMIC_FETCH(ATOMIC64_XCHG, uint64_t, exchange_n)

/* One pre-decoded slot: 16 bytes. `off` is the memory offset, or for jumps and local
 * calls the absolute target slot. `imm` is sign-extended (lddw: the 64-bit value,
 * resolved pseudo loads included; helper calls: the struct bk_helper *). */
struct bk_dinsn {
	uint16_t op;
	uint8_t dst, src;
	int32_t off;
	uint64_t imm;
};

/* A map-helper call site run by one handler (BK_FOP_FMAP_*): what the setup instructions
 * leave in r1..r4, proved at load (the map is one of the vm's, the key and value lie
 * inside the frame), and where the run goes on. */
struct bk_fcall {
	const struct bk_helper *h;
	struct bk_map *map;
	uint64_t r4;
	int32_t koff, voff;      /* r2 = r10 + koff; r3 = r10 + voff (when BK_FC_R3) */
	uint32_t call;           /* slot of the call */
	uint32_t ninsns;         /* instructions after the first, the call included */
	uint32_t jz;             /* lookup + `if r0 == 0 goto`: its target slot (BK_FC_JZ) */
	uint32_t vsize;          /* the region of a looked-up value */
	bool writable;
	uint8_t set;             /* BK_FC_* */
	/* BK_FC_ST: the window starts with *(u32/u64 *)(r10 + soff) = sreg (or simm when
	 * sreg is 0xff), typically the key */
	uint8_t sreg, ssize;
	int32_t soff;
	uint64_t simm;
};
/* BK_FC_KEYREG: the store is the whole 4-byte key: the lookup takes its value */
enum { BK_FC_R3 = 1, BK_FC_R4 = 2, BK_FC_JZ = 4, BK_FC_JZ_BACK = 8, BK_FC_ST = 16,
       BK_FC_KEYREG = 32 };

struct bk_vm {
	struct bk_maps *maps;
	bool own_maps;
	uint64_t seed;
	struct bk_helper *helpers[BK_VM_MAX_HELPER_ID];
	struct bk_prog **progs;   /* by id - 1; NULL once freed */
	size_t nprogs, cap_progs;
};

struct bk_prog {
	struct bk_vm *vm;
	uint32_t id;
	char *name;
	char *license;
	const struct bk_progtype *pt;
	struct bk_insn *insns;     /* as given */
	struct bk_dinsn *code;     /* n slots, same indexes */
	size_t n;
	/* A compiled form (the JIT), run by bk__run_once instead of the interpreter when
	 * set and instructions are not being counted; freed with the program. */
	void *jit;
	int (*jit_run)(struct bk_run *run, struct bk_prog *prog, const uint64_t args[5],
		       uint64_t *r0);
	void (*jit_free)(void *jit);
	/* REPEAT such runs for bk_prog_test_run, each as bk__run_once would run it (the
	 * statistics and outcome are the last run's); stops at the first fault. */
	int (*jit_repeat)(struct bk_run *run, struct bk_prog *prog, const uint64_t args[5],
			  uint32_t repeat, uint64_t *r0);
	/* The interpreter's form: prog->code with BK_FOP_* specializations, n + 1 slots with
	 * the same indexes (a BPF_PSEUDO_FUNC value still points into prog->code). */
	struct bk_dinsn *fast;
	struct bk_fcall *fcalls;   /* the BK_FOP_FMAP_* slots of fast point here */
	/* The verifier's facts (bk_prog_prove): n entries of BK_VF_* (verifier.h), NULL when
	 * the program is not proved; a slot with BK_VF_MEM_SAFE is a load/store/atomic the
	 * runtime may run without its memory check. */
	uint8_t *proof;
	/* With the proof: a bound on the instructions (so on the back-edges and calls) any
	 * one run of the program executes, from the verifier's exploration; 0 when none is
	 * known (may_goto, callbacks, callx, tail calls). A run whose step budget exceeds it
	 * cannot run out, so an engine may leave the counting out (the JIT does). */
	uint64_t proof_bound;
	/* The maps given at load (bk_prog_opts.maps), for src 5/6 pseudo loads. */
	struct bk_map **maps;
	size_t nmaps;
};

enum bk_region_kind { BK_REG_MEM, BK_REG_CTX };

struct bk_region {
	uint64_t start, size;
	bool writable;
	uint8_t kind;
};

enum { BK_PEND_FAIL = 1, BK_PEND_STOP = 2, BK_PEND_TAIL = 4 };

struct bk_run {
	struct bk_vm *vm;
	struct bk_prog *prog;          /* current program */
	uint8_t *stack;                /* BK_VM_STACK_TOTAL bytes, frame 0 at the top */
	struct bk_region regions[BK_VM_MAX_REGIONS];
	int nregions;
	int nfixed;                    /* regions set up by the run itself (packet, ctx, mem) */
	int pkt_region;                /* index of the packet region, -1 if none */
	const struct bk_progtype *pt;
	uint8_t *ctx;
	size_t ctx_size;
	struct bk_packet pkt;
	bool has_pkt;
	struct bk_redirect redirect;
	/* outcome and control */
	int pending;                   /* BK_PEND_* set by helpers */
	uint64_t stop_r0;
	struct bk_prog *tail_target;
	struct bk_err *err;
	int err_code;
	uint32_t depth;                /* frame the interpreter is running in */
	uint64_t budget, budget_init;
	char why[256];                 /* the cause of a fault, before the location is added */
	struct bk_err errbuf;          /* used when the caller passed no bk_err */
	uint32_t may_goto;             /* unused: both engines keep may_goto's count per frame */
	struct bk_run_stats stats;
	const struct bk_helper *helper;
	uint32_t cpu;
	void *user;
	struct bk_buf *trace;
	bool count_insns;
	bool exiting;                  /* a nested bk_run_call must unwind (stop or fail) */
};

/* Runs from slot ENTRY of PROG in frame run->depth. 0 with *r0, or a negative errno with
 * run->err set. */
int bk__interp(struct bk_run *run, struct bk_prog *prog, uint32_t entry, const uint64_t args[5],
	       uint64_t *r0);
int bk__interp_count(struct bk_run *run, struct bk_prog *prog, uint32_t entry,
		     const uint64_t args[5], uint64_t *r0);

/* Slow path of an access check: 0 plain memory (cache filled), 1 a context access,
 * negative: fault (error recorded). */
int bk__mem_slow(struct bk_run *run, uint64_t addr, uint32_t size, bool write,
		 struct bk_region *cache);
int bk__ctx_load(struct bk_run *run, uint64_t addr, uint32_t size, uint64_t *val);
int bk__ctx_store(struct bk_run *run, uint64_t addr, uint32_t size, uint64_t val);
/* Records a run-time fault at slot PC of the current program. */
int bk__fault(struct bk_run *run, const struct bk_prog *prog, size_t pc, int code,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* (Re)builds prog->fast from prog->code (and prog->proof): at load, and when the proof
 * changes. On failure the previous form stays. */
int bk__prog_predecode(struct bk_prog *prog, struct bk_err *err);
void bk__run_init(struct bk_run *run, struct bk_prog *prog);
void bk__run_fini(struct bk_run *run);
int bk__run_once(struct bk_run *run, struct bk_prog *root, const uint64_t args[5], uint64_t *r0);

/* The end of a run, for both engines: back-edges are the budget spent on neither calls nor
 * tail calls; a bpf_stop-like helper's value replaces r0. */
static inline int bk__run_end(struct bk_run *run, int ret, uint64_t *r0)
{
	uint64_t used = run->budget_init - run->budget;
	uint64_t other = run->stats.calls + run->stats.tail_calls;
	run->stats.back_edges = used > other ? used - other : 0;
	if (ret < 0)
		return ret;
	if (run->pending & BK_PEND_STOP)
		*r0 = run->stop_r0;
	return 0;
}

#endif
