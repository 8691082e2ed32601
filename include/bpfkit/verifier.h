/* The offline verifier: decides, as the Linux verifier does, whether a program is
 * safe to run, and says why not in the kernel's own words.
 *
 * It explores every path of the program (depth first, with state pruning), tracks
 * register types (scalar, ctx, stack, packet, map value, ...) and scalar ranges
 * (tnum + signed/unsigned 64- and 32-bit bounds), stack slots, references, and
 * checks every memory access, helper call and context field access. The log it
 * writes follows the kernel's format: on acceptance the "processed N insns ..."
 * statistics line, on rejection the listing of the failing instruction and the
 * kernel's message, then one line of advice when the fix is known. */
#ifndef BPFKIT_VERIFIER_H
#define BPFKIT_VERIFIER_H

#include "isa.h"
#include "util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Program types use the kernel's numbers (enum bpf_prog_type). */
enum bk_vprog_type {
	BK_VPROG_SOCKET_FILTER = 1,
	BK_VPROG_KPROBE = 2,
	BK_VPROG_SCHED_CLS = 3,
	BK_VPROG_SCHED_ACT = 4,
	BK_VPROG_TRACEPOINT = 5,
	BK_VPROG_XDP = 6,
	BK_VPROG_PERF_EVENT = 7,
	BK_VPROG_RAW_TRACEPOINT = 17,
};

/* A map the program refers to: `lddw rX, map` (src 1) with imm = index into this
 * array (src 2: map value at imm index, second-half imm offset). Kernel numbers for
 * the type (enum bpf_map_type). */
struct bk_vmap {
	uint32_t type, key_size, value_size, max_entries;
	int32_t inner;            /* map-in-map (types 12, 13): index of the inner map's entry */
	const char *name;         /* as the kernel knows it (log level 2: map=NAME); may be NULL */
};

/* A function of the program as its BTF describes it (func_info + FUNC_PROTO). Global
 * functions (linkage global) are verified as the kernel does: once, on their own, with
 * arguments typed from the prototype (any scalar, the context, or a possibly-NULL pointer
 * to arg_size bytes); a call checks the arguments against the prototype and gives an
 * unknown scalar in R0. */
enum bk_varg {
	BK_VARG_SCALAR = 1,       /* int, enum */
	BK_VARG_CTX,              /* pointer to the program type's context struct */
	BK_VARG_MEM,              /* pointer to a sized type: NULL or arg_size readable bytes */
};
struct bk_vfunc {
	uint32_t insn;            /* first instruction */
	bool global;
	/* The prototype is one the kernel refuses for a global function (a void pointer,
	 * a struct by value, no scalar return): a call of it is rejected, as the kernel's
	 * btf_prepare_func_args does, with why[] (the kernel's line) before the message. */
	bool unsupported;
	uint8_t nargs;
	uint8_t arg[5];           /* enum bk_varg; an `__arg_ctx` (decl tag "arg:ctx") pointer is CTX */
	uint32_t arg_size[5];
	char name[64];
	char why[192];            /* unsupported: the kernel's reason, one line */
};

struct bk_verify_opts {
	size_t sz;
	int prog_type;            /* enum bk_vprog_type; 0 = socket filter */
	int cpu;                  /* -mcpu level the instructions may use; 0 = v4 */
	int log_level;            /* 0 none, 1 kernel level 1, 2 register state per insn */
	bool unprivileged;        /* the stricter rules of unprivileged loads */
	const struct bk_vmap *maps;
	size_t nmaps;
	uint32_t insn_limit;      /* processed-instruction limit; 0 = 1000000 as the kernel */
	size_t log_limit;         /* bytes of log kept; 0 = 16 MiB */
	bool no_advice;           /* leave out the advice line */
	bool btf_func_info;       /* the program comes with BTF func_info (callbacks need it) */
	const struct bk_vfunc *funcs; /* BTF view of the functions (may be NULL: all static) */
	size_t nfuncs;
	/* per map (nmaps, may be NULL): its value holds a struct bpf_spin_lock. A lookup then
	 * gives the value an id that a held lock names (level 2 prints it, and `refs=`). */
	const bool *map_spin_lock;
};

/* Per-instruction facts the runtime may use after acceptance (insn_flags). */
enum {
	BK_VF_VISITED = 1,        /* reached on some path */
	/* A load, store or atomic that on every path reached memory whose bounds the
	 * verifier proved (stack, map value, packet, helper memory): the runtime may skip
	 * its own check there. Context and map-pointer accesses never get it. */
	BK_VF_MEM_SAFE = 2,
};

struct bk_verify_result {
	bool accepted;
	int err_insn;             /* failing instruction index, -1 if none */
	uint32_t processed;       /* instructions processed (the kernel's count) */
	uint32_t total_states, peak_states, max_states_per_insn;
	uint32_t stack_depth;     /* largest stack depth of the main program, bytes */
	char msg[256];            /* the kernel's message for the rejection (last line) */
	char advice[256];         /* one line of advice, "" when none is known */
	uint8_t *insn_flags;      /* n entries of BK_VF_*, malloc'ed; caller frees */
};

/* Verifies n instructions. Returns 0 when accepted, a negative errno when rejected
 * (-EACCES for unsafe accesses, -EINVAL for malformed programs, -E2BIG when too
 * complex: as the kernel). err gets "insn N: message". The log (may be NULL) gets
 * the kernel-format log text; res (may be NULL) the verdict and statistics. */
int bk_verify(const struct bk_insn *insns, size_t n, const struct bk_verify_opts *opts,
	      struct bk_buf *log, struct bk_verify_result *res, struct bk_err *err);

void bk_verify_result_free(struct bk_verify_result *res);

/* A program taken out of an ELF object, ready for bk_verify: its subprograms from
 * .text appended, calls fixed up, maps (BTF-defined `.maps`, and .data/.rodata/.bss
 * as one-entry arrays) turned into indexes (lddw src 1 / src 2 with imm = index). */
struct bk_object;
struct bk_vprog {
	char *name;               /* the function symbol */
	char *sec;                /* its section */
	int type;                 /* from the section name, -1 if unknown */
	struct bk_insn *insns;
	size_t n;
	struct bk_vmap *maps;
	char **map_names;
	size_t nmaps;
	bool btf_func_info;
	struct bk_vfunc *funcs;   /* from BTF, one per function (NULL without BTF) */
	size_t nfuncs;
	bool *map_spin_lock;      /* per map: the value holds a struct bpf_spin_lock (BTF) */
};
/* Every program of OBJ (functions of executable sections other than .text). */
int bk_vprogs_from_object(const struct bk_object *obj, struct bk_vprog **out, size_t *n,
			  struct bk_err *err);
void bk_vprogs_free(struct bk_vprog *p, size_t n);

/* "socket_filter", "xdp", "tc"/"sched_cls", "kprobe", "tracepoint", ... → type; -1 if unknown.
 * Also maps an ELF section name ("xdp", "socket", "tc", "kprobe/...") to a type. */
int bk_vprog_type_parse(const char *name);
int bk_vprog_type_from_section(const char *sec);
const char *bk_vprog_type_name(int type);

#ifdef __cplusplus
}
#endif
#endif
