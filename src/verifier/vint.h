/* Internal to the verifier: abstract values, states, tables. */
#ifndef BK_VERIFIER_INT_H
#define BK_VERIFIER_INT_H

#include "bpfkit/verifier.h"
#include <stdint.h>

#define S64_MIN INT64_MIN
#define S64_MAX INT64_MAX
#define U64_MAX UINT64_MAX
#define S32_MIN INT32_MIN
#define S32_MAX INT32_MAX
#define U32_MAX UINT32_MAX

/* Tristate numbers: bits in mask are unknown, the others equal value's. */
struct tnum {
	uint64_t value, mask;
};
#define TNUM(v, m) ((struct tnum){ .value = (v), .mask = (m) })
extern const struct tnum tnum_unknown;
struct tnum tnum_const(uint64_t v);
struct tnum tnum_range(uint64_t min, uint64_t max);
struct tnum tnum_add(struct tnum a, struct tnum b);
struct tnum tnum_sub(struct tnum a, struct tnum b);
struct tnum tnum_and(struct tnum a, struct tnum b);
struct tnum tnum_or(struct tnum a, struct tnum b);
struct tnum tnum_xor(struct tnum a, struct tnum b);
struct tnum tnum_mul(struct tnum a, struct tnum b);
struct tnum tnum_lshift(struct tnum a, unsigned s);
struct tnum tnum_rshift(struct tnum a, unsigned s);
struct tnum tnum_arshift(struct tnum a, unsigned s, unsigned bits);
struct tnum tnum_intersect(struct tnum a, struct tnum b);
struct tnum tnum_cast(struct tnum a, unsigned bytes);
struct tnum tnum_subreg(struct tnum a);
struct tnum tnum_clear_subreg(struct tnum a);
struct tnum tnum_with_subreg(struct tnum reg, struct tnum sub);
bool tnum_is_const(struct tnum a);
bool tnum_in(struct tnum a, struct tnum b); /* b ⊆ a */
bool tnum_equals_const(struct tnum a, uint64_t v);
int tnum_sbin(char *buf, size_t n, struct tnum a);
int tnum_str(char *buf, size_t n, struct tnum a);

enum vtype {
	T_NOT_INIT, T_SCALAR, T_CTX, T_MAP_PTR, T_MAP_VALUE, T_STACK, T_PKT, T_PKT_META,
	T_PKT_END, T_MEM, T_RINGBUF_MEM, T_FUNC, T_MAP_KEY, T_SOCK_COMMON,
};

struct vreg {
	uint8_t type;
	uint8_t maybe_null;
	uint8_t frameno;     /* stack pointers: which frame */
	uint8_t precise;
	int32_t off;         /* fixed offset of pointers */
	struct tnum var;
	int64_t smin, smax;
	uint64_t umin, umax;
	int32_t s32min, s32max;
	uint32_t u32min, u32max;
	uint32_t id;         /* null-check / packet / scalar-copy identity */
#define ID_ADD_CONST64 (1u << 31) /* scalar: the copy plus off (64-bit add) */
#define ID_ADD_CONST32 (1u << 30) /* scalar: the copy plus off (32-bit add) */
#define ID_ADD_CONST (ID_ADD_CONST64 | ID_ADD_CONST32)
	uint32_t ref_obj_id; /* acquired reference (ringbuf) */
	int32_t range;       /* packet: bytes proved readable; mem: size */
	int32_t map;         /* map index for map_ptr / map_value */
	int32_t subprog;     /* T_FUNC target insn */
};

enum { SLOT_INVALID = 0, SLOT_SPILL, SLOT_MISC, SLOT_ZERO };
#define MAX_STACK 512
#define MAX_FRAMES 8
#define MAX_REFS 16

/* Spilled registers live in a block of their own holding slots spill_lo..63 only:
 * most programs spill a few slots near the frame pointer, and every checkpoint and
 * pending branch copies its frames. */
struct vframe {
	struct vreg regs[11];
	int callsite;                   /* insn of the call, -1 for main */
	int subprog;                    /* index into subprogs */
	int is_callback;                /* callback of bpf_loop: its own exit rules */
	int cb_ret_insn;                /* where the callback returns (the helper call) */
	struct vframe *pool_next;       /* free list of recycled frames */
	int spill_lo;                   /* first slot with room in spill_base; 64 = none */
	struct vreg *spill_base;        /* slots spill_lo..63, malloc'ed */
	uint8_t slot[MAX_STACK];        /* byte i = fp-512+i */
};
/* The spilled register of 8-byte slot s (0 = fp-512); valid where slot[] says SLOT_SPILL. */
#define SPILL(f, s) ((f)->spill_base[(s) - (f)->spill_lo])

struct vstate {
	struct vframe *fr[MAX_FRAMES];
	int curframe;
	int nrefs;
	uint32_t refs[MAX_REFS];
	uint32_t ref_insn[MAX_REFS];
	uint8_t ref_lock[MAX_REFS];     /* the reference is a held bpf_spin_lock (its map value's id) */
	int parent;                     /* checkpoint index, -1 none */
	int insn;
	uint32_t jmp_history;
	int hist;                       /* last entry of the path history, -1 none */
	uint32_t cb_depth;              /* callback iterations pushed on this path */
	uint32_t may_goto_depth;        /* may_goto iterations pushed on this path */
};

/* Context field rules per program type: progtype.h's tables, the runtime's too. */
struct vctx_access {
	int ok;          /* 1 allowed */
	int ret_type;    /* T_SCALAR, T_PKT, T_PKT_END, T_PKT_META, T_SOCK_COMMON (or null) */
};
int bk_v_ctx_size(int prog_type);
struct vctx_access bk_v_ctx_access(int prog_type, int off, int size, int write);

/* Helper prototypes. */
enum varg {
	A_NONE, A_ANY, A_MAP, A_KEY, A_VALUE, A_CTX, A_MEM, A_MEM_OR_NULL, A_UNINIT_MEM,
	A_SIZE, A_SIZE_OR_ZERO, A_CONST_ALLOC, A_RINGBUF_MEM, A_FUNC, A_STACK_OR_NULL, A_CONST,
};
enum vret { R_INT, R_VOID, R_MAP_VALUE_OR_NULL, R_RINGBUF_OR_NULL };
struct vhelper {
	int id;
	const char *name;
	uint8_t args[5];
	uint8_t ret;
	uint8_t pkt_changing;
	uint32_t types;           /* bitmask of allowed program classes, see V_* */
	int64_t ret_min, ret_max; /* known return range (R_INT) */
};
enum { V_BASE = 1, V_SKB = 2, V_TC = 4, V_XDP = 8, V_TRACE = 16, V_PERFMON = 32 };
const struct vhelper *bk_v_helper(int id);
uint32_t bk_v_prog_class(int prog_type);

#endif
