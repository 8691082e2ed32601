/* bpfkit vm — the userspace runtime: programs, memory model, interpreter, test runs.
 *
 * A struct bk_vm owns a map set (maps.h), a helper table and the programs loaded into
 * it (with kernel-like ids, so prog_array values name them). A struct bk_prog is one
 * loaded program: its instructions validated and pre-decoded, its type (progtype.h),
 * the maps it references and the helpers its calls resolve to. The loader (loader.h)
 * turns an ELF object into a bk_prog through bk_vm_load; raw bytecode goes straight in.
 *
 * Memory model. Program addresses are host addresses, and every load, store and atomic
 * is checked against the regions the program may touch: its stack frames, the context
 * (through the program type's field rules), the packet, map values (asked of the map
 * set), memory a helper registered for this run, and read-only data. A violation stops
 * the run with an error naming the instruction index and the address; the host is never
 * touched outside those regions. Helpers check the pointers they are given with
 * bk_run_mem before touching them.
 *
 * Execution. RFC 9669 semantics for every form of the instruction table (v1..v4);
 * bpf-to-bpf calls with a 512-byte frame each (depth at most BK_VM_MAX_DEPTH), callx,
 * tail calls (at most BK_VM_MAX_TAIL_CALLS per run), atomics, ld_abs/ld_ind. A step
 * budget counts taken back-edges and calls; running out stops the run with an error.
 * Nothing here prints. */
#ifndef BPFKIT_VM_H
#define BPFKIT_VM_H

#include "common.h"
#include "isa.h"
#include "maps.h"
#include "progtype.h"
#include "util.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BK_VM_STACK_SIZE     512   /* bytes per frame */
#define BK_VM_MAX_DEPTH      8     /* frames: the main program plus 7 nested calls */
#define BK_VM_MAX_TAIL_CALLS 33    /* the kernel's MAX_TAIL_CALL_CNT */
#define BK_VM_DEFAULT_BUDGET (1ULL << 26) /* back-edges + calls per run */
#define BK_VM_MAX_INSNS      (1U << 20)

struct bk_vm;
struct bk_prog;
struct bk_run;

/* ---- helpers: the call ABI ----
 * A helper gets the run it serves and r1..r5; its return value becomes r0. It must not
 * dereference a program pointer without bk_run_mem. To stop the program it calls
 * bk_run_fail (an error) or bk_run_stop (a normal exit with a given r0); the
 * interpreter checks after every helper call. */
typedef uint64_t (*bk_helper_fn)(struct bk_run *run, uint64_t r1, uint64_t r2, uint64_t r3,
				 uint64_t r4, uint64_t r5);

struct bk_helper {
	int32_t id;           /* the call's imm (the kernel's enum bpf_func_id for kernel helpers) */
	const char *name;     /* "bpf_map_lookup_elem"; used in messages */
	bk_helper_fn fn;
	/* Program types allowed to call it: bit (1 << type); 0 = every type. */
	uint64_t types;
	/* Behaves as the kernel helper with this id (bk_helper_proto): the memory it hands
	 * out and reads is what the verifier assumes. bk_helpers_install sets it; programs
	 * calling a helper without it are never proved (bk_prog_prove). */
	bool kernel_proto;
	/* For ids 1, 2, 3 (map_lookup_elem, map_update_elem, map_delete_elem) only: fn is
	 * exactly bk_map_lookup / bk_map_update / bk_map_delete on arguments checked as the
	 * kernel's prototype says (bk_helpers_install sets it). The interpreter then does
	 * the plain cases in place, with the same results and errors, and knows the region
	 * of the value a lookup returns; anything unusual still goes through fn. */
	bool map_op;
};

struct bk_vm_opts {
	size_t sz;
	struct bk_maps *maps;     /* use this map set (not owned); NULL = the vm makes its own */
	unsigned ncpus;           /* cpus of per-cpu maps when the vm makes the set; 0 = 1 */
	uint64_t seed;            /* bpf_get_prandom_u32 seed; 0 = fixed default */
};

struct bk_vm *bk_vm_new(const struct bk_vm_opts *opts);
void bk_vm_free(struct bk_vm *vm);
struct bk_maps *bk_vm_maps(struct bk_vm *vm);

/* Registers (or replaces) the helper with id h->id. The name is copied. Programs loaded
 * later resolve their calls against the table; a call to an unregistered id is refused
 * at load with the id (and the kernel's name for it, when it has one). */
int bk_vm_register_helper(struct bk_vm *vm, const struct bk_helper *h, struct bk_err *err);
const struct bk_helper *bk_vm_helper(const struct bk_vm *vm, int32_t id);
/* The six helpers of the conformance suite's environment (ids 0..5: gather_bytes,
 * memfrob, no_op, sqrti, strcmp_ext, unwind). */
int bk_vm_register_conformance_helpers(struct bk_vm *vm, struct bk_err *err);

/* ---- programs ---- */

struct bk_prog_opts {
	size_t sz;
	enum bk_prog_type type;     /* BK_PROG_RAW by default */
	int cpu;                    /* instruction set accepted: 0 = v4 */
	const char *name;           /* for messages and bk_vm_prog_by_name; copied */
	/* Maps referenced by lddw pseudo loads:
	 *  src 1 (BPF_PSEUDO_MAP_FD):   imm = map id in the vm's map set;
	 *  src 5 (BPF_PSEUDO_MAP_IDX):  imm = index into maps[];
	 *  src 2 (BPF_PSEUDO_MAP_VALUE): imm = map id, next imm = offset into element 0 of an
	 *                                array map (global data);
	 *  src 6 (BPF_PSEUDO_MAP_IDX_VALUE): the same with an index into maps[];
	 *  src 4 (BPF_PSEUDO_FUNC): imm = pc-relative slot of a subprogram (callbacks, callx).
	 * The loaded value of a map pseudo load is the struct bk_map * itself, which helpers
	 * receive as their map argument. */
	struct bk_map *const *maps;
	size_t nmaps;
	const char *license;        /* "GPL" etc., for helpers that need a GPL program */
	/* Verify at load (bk_prog_prove); when the verifier rejects the program or cannot
	 * model it, it loads all the same with every check kept. */
	bool prove;
};

/* Validates (bk_isa_validate with the program's cpu, pseudo loads allowed), resolves
 * helper calls, map references and subprogram targets, and pre-decodes. Errors name
 * the instruction index: a reserved field set, an unknown helper, a map index out of
 * range, a call to a helper the type may not use. The program belongs to the vm and gets
 * the next id (from 1). */
int bk_vm_load(struct bk_vm *vm, const struct bk_insn *insns, size_t n,
	       const struct bk_prog_opts *opts, struct bk_prog **out, struct bk_err *err);
/* Runs the offline verifier (verifier.h) over a loaded program, as the kernel would
 * (its type, its maps, cpu v4), and keeps its per-instruction facts: loads and stores it
 * proved in bounds then run without the runtime's memory check, in the interpreter and in
 * code the JIT compiles afterwards (bk_jit_attach). Results and errors do not change
 * for proved programs. Returns 0 when proved; a negative errno and why not (rejected,
 * a raw program, a helper replaced by the embedder, ...): the program keeps every check.
 * bk_prog_unprove drops the facts; bk_prog_proof returns them (n entries, or NULL). */
int bk_prog_prove(struct bk_prog *prog, struct bk_err *err);
void bk_prog_unprove(struct bk_prog *prog);
const uint8_t *bk_prog_proof(const struct bk_prog *prog);
/* Unloads one program (ids are not reused). */
void bk_prog_free(struct bk_prog *prog);

struct bk_prog *bk_vm_prog_by_id(const struct bk_vm *vm, uint32_t id);
struct bk_prog *bk_vm_prog_by_name(const struct bk_vm *vm, const char *name);
uint32_t bk_prog_id(const struct bk_prog *prog);
const char *bk_prog_name(const struct bk_prog *prog);
enum bk_prog_type bk_prog_type(const struct bk_prog *prog);
const struct bk_progtype *bk_prog_progtype(const struct bk_prog *prog);
struct bk_vm *bk_prog_vm(const struct bk_prog *prog);
/* The program's instructions as loaded (pseudo loads unresolved), n slots. */
const struct bk_insn *bk_prog_insns(const struct bk_prog *prog, size_t *n);

/* ---- running ---- */

/* Test-run semantics, as BPF_PROG_TEST_RUN:
 *  raw:    r1 = a private copy of data_in (NULL when empty), r2 = its length; data_out
 *          receives the memory afterwards; ctx is unused.
 *  xdp:    data_in is the packet, placed after 256 bytes of headroom. ctx_in (optional)
 *          is a struct xdp_md as the kernel's test run reads it: data = bytes of metadata
 *          at the start of data_in, data_end = where the linear packet ends (the bytes
 *          after it are fragments: the program does not see them, data_out returns them),
 *          data_meta and egress_ifindex 0; ingress_ifindex/rx_queue_index are kept.
 *          data_out is metadata + packet after adjust_head/tail/meta (+ fragments);
 *          ctx_out the xdp_md the kernel reports: data and data_end as offsets from
 *          data_meta, data_meta 0, ingress_ifindex/rx_queue_index as given.
 *  socket, tc: data_in is an Ethernet frame; ctx_in/ctx_out a struct __sk_buff (the
 *          writable fields come back). The socket filter sees the packet from the network
 *          header; its data_out has the Ethernet header zeroed.
 * `repeat` runs the program that many times (0 = 1) on one setup, as the kernel's
 * BPF_PROG_TEST_RUN does: data_in and ctx_in are copied in once, so every run sees the
 * packet, the context, the stack memory and the maps as the previous run left them (its
 * packet writes, bpf_xdp_adjust_* moves, map updates; only the first run's stack starts
 * zeroed). Each run starts with fresh registers, step budget, tail-call and may_goto
 * counts, statistics and redirect target. duration_ns is the average over the runs;
 * retval, data_out, ctx_out and stats are those of the last run; trace_printk output of
 * every run is appended to `trace`. */
struct bk_run_opts {
	size_t sz;
	const void *data_in;
	size_t data_size_in;
	const void *ctx_in;
	size_t ctx_size_in;
	uint32_t repeat;
	uint64_t budget;           /* back-edges + calls; 0 = BK_VM_DEFAULT_BUDGET */
	bool count_insns;          /* count executed instructions (slower dispatch) */
	struct bk_buf *trace;      /* trace_printk output is appended here; NULL = dropped */
	void *user;                /* for helpers: bk_run_user */
	uint32_t cpu;              /* the cpu the program runs on (per-cpu maps) */
};

struct bk_run_stats {
	uint64_t insns;            /* executed instructions (only with count_insns) */
	uint64_t back_edges;       /* taken backward jumps */
	uint64_t calls;            /* bpf-to-bpf calls and callx */
	uint64_t helper_calls;
	uint32_t tail_calls;
	uint32_t max_depth;        /* deepest frame reached (1 = main only) */
};

struct bk_run_result {
	uint64_t retval;           /* r0; for xdp/socket/tc the kernel reports its low 32 bits */
	uint64_t duration_ns;      /* average over `repeat` runs */
	struct bk_buf data_out;    /* owned by the caller: bk_run_result_free */
	struct bk_buf ctx_out;
	struct bk_run_stats stats; /* of the last run */
	bool stopped;              /* a helper ended the program with bk_run_stop */
};
void bk_run_result_free(struct bk_run_result *res);

/* Runs PROG with test-run semantics. Returns 0 (result in *res), or a negative errno
 * with a message naming the instruction index and the cause: -EFAULT for a memory
 * violation (with the address and size), -E2BIG call depth exceeded, -ELOOP step budget
 * exhausted, -EINVAL a bad input (packet too small, bad ctx_in), or a helper's error. */
int bk_prog_test_run(struct bk_prog *prog, const struct bk_run_opts *opts,
		     struct bk_run_result *res, struct bk_err *err);

/* Runs PROG once with the registers r1..r5 as given (r1 usually the context) and no
 * test-run setup: for embedders that manage memory themselves. Memory the program may
 * touch beyond its stack is passed as regions. */
struct bk_mem_region {
	void *start;
	size_t size;
	bool writable;
};
struct bk_exec_opts {
	size_t sz;
	uint64_t args[5];
	const struct bk_mem_region *regions;
	size_t nregions;
	uint64_t budget;
	bool count_insns;
	struct bk_buf *trace;
	void *user;
};
int bk_prog_exec(struct bk_prog *prog, const struct bk_exec_opts *opts, uint64_t *r0,
		 struct bk_run_stats *stats, struct bk_err *err);

/* ---- what helpers use ---- */

/* A host pointer to LEN bytes at program address ADDR if the program may read (write)
 * them; otherwise NULL, and the run fails with "helper NAME: invalid memory access ...".
 * LEN 0 returns a non-NULL pointer for any ADDR (nothing is touched). */
void *bk_run_mem(struct bk_run *run, uint64_t addr, uint64_t len, bool write);
/* The same check without failing the run (for helpers whose contract is to return an
 * error on a bad pointer). */
void *bk_run_mem_try(struct bk_run *run, uint64_t addr, uint64_t len, bool write);
/* Makes [start, start+size) accessible to the program for the rest of this run (memory a
 * helper hands out). At most 64 such regions per run; -ENOSPC past that. */
int bk_run_add_region(struct bk_run *run, void *start, size_t size, bool writable);
/* Ends the program with an error (the helper's message, prefixed by the instruction
 * index by the interpreter). Returns 0 so a helper can `return bk_run_fail(...)`. */
uint64_t bk_run_fail(struct bk_run *run, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Ends the program normally with r0 = RETVAL (conformance `unwind`). Returns RETVAL. */
uint64_t bk_run_stop(struct bk_run *run, uint64_t retval);
/* Calls the subprogram at FUNC (a value a BPF_PSEUDO_FUNC lddw produced) with r1..r5
 * in a new frame and stores its r0: bpf_loop and for_each_map_elem callbacks. Counts
 * against the depth and the step budget. 0 or a negative errno (the run has failed). */
int bk_run_call(struct bk_run *run, uint64_t func, const uint64_t args[5], uint64_t *r0);
/* Asks for a tail call into PROG once the helper returns (bpf_tail_call): returns 0,
 * or -E2BIG when the run has made BK_VM_MAX_TAIL_CALLS already (the program then
 * continues, as in the kernel). */
int bk_run_tail_call(struct bk_run *run, struct bk_prog *prog);

struct bk_vm *bk_run_vm(struct bk_run *run);
struct bk_prog *bk_run_prog(struct bk_run *run);     /* current (after tail calls) */
struct bk_maps *bk_run_maps(struct bk_run *run);
void *bk_run_user(struct bk_run *run);
struct bk_buf *bk_run_trace(struct bk_run *run);     /* NULL when not collected */
uint32_t bk_run_prandom(struct bk_run *run);         /* the vm's seeded generator */
uint32_t bk_run_cpu(struct bk_run *run);
/* The helper being called (for messages). */
const struct bk_helper *bk_run_helper(struct bk_run *run);

/* The packet of a packet program type: the whole buffer (headroom + data + tailroom)
 * and the current meta/data/end pointers inside it. Helpers that move them
 * (xdp_adjust_head/tail/meta, skb_change_*) change the fields and then call
 * bk_run_packet_changed, which updates the program's packet region and context. */
struct bk_packet {
	uint8_t *buf;
	size_t buf_size;
	uint8_t *meta, *data, *end;
	/* what the test run hands back: for socket/tc the frame starts at `frame`
	 * (the Ethernet header, before data for the socket filter's view). */
	uint8_t *frame;
};
struct bk_packet *bk_run_packet(struct bk_run *run);   /* NULL for raw */
void bk_run_packet_changed(struct bk_run *run);
/* The context buffer (the UAPI struct: xdp_md, __sk_buff) as the program sees it. */
void *bk_run_ctx(struct bk_run *run, size_t *size);
/* Redirect target recorded by bpf_redirect / redirect_map, read back by the caller. */
struct bk_redirect {
	bool set;
	uint32_t ifindex;
	uint64_t flags;
	struct bk_map *map;
	uint64_t key;
};
struct bk_redirect *bk_run_redirect(struct bk_run *run);

#ifdef __cplusplus
}
#endif
#endif
