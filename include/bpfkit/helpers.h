/* bpfkit helpers — the kernel helpers the userspace runtime implements.
 *
 * Two views of one table, indexed by the kernel's helper id (include/bpfkit/helpers.def):
 *  - the prototype, as data in the kernel's terms (struct bpf_func_proto): argument and
 *    return types, which program types may call the helper. The verifier reads these to
 *    type-check calls; the runtime reads the same data to check every pointer argument
 *    against the program's memory regions before the implementation runs.
 *  - the implementation (src/helpers/), reached through bk_helpers_install(), which
 *    registers every implemented helper with a VM.
 *
 * An id the runtime does not implement has no prototype (bk_helper_proto returns NULL); the
 * loader refuses programs that call it, naming the helper. */
#ifndef BPFKIT_HELPERS_H
#define BPFKIT_HELPERS_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Argument types, named and ordered as the kernel's enum bpf_arg_type bases. */
enum bk_arg_type {
	BK_ARG_DONTCARE = 0,       /* unused argument */
	BK_ARG_CONST_MAP_PTR,      /* a map pointer (ld_imm64 of a map, or a map-in-map lookup) */
	BK_ARG_PTR_TO_MAP_KEY,     /* key_size readable bytes of the map in the previous CONST_MAP_PTR */
	BK_ARG_PTR_TO_MAP_VALUE,   /* value_size bytes of that map (written if BK_ARG_MEM_UNINIT) */
	BK_ARG_PTR_TO_MEM,         /* memory whose size is the next argument (CONST_SIZE*) */
	BK_ARG_CONST_SIZE,         /* size of the previous PTR_TO_MEM, > 0 */
	BK_ARG_CONST_SIZE_OR_ZERO, /* size of the previous PTR_TO_MEM, may be 0 */
	BK_ARG_PTR_TO_CTX,         /* the context the program got in r1 */
	BK_ARG_ANYTHING,           /* any scalar */
	BK_ARG_PTR_TO_SPIN_LOCK,   /* the struct bpf_spin_lock inside a map value */
	BK_ARG_PTR_TO_RINGBUF_MEM, /* a record ringbuf_reserve returned (released by the call) */
	BK_ARG_CONST_ALLOC_SIZE_OR_ZERO, /* size of memory the helper returns */
	BK_ARG_PTR_TO_FUNC,        /* a subprogram (ld_imm64 src=4), a callback */
	BK_ARG_PTR_TO_STACK,       /* the program's stack (callback context) */
	BK_ARG_PTR_TO_CONST_STR,   /* NUL-terminated string in a read-only map value */
	BK_ARG__COUNT,
};
/* Modifiers or-ed into an argument type, as the kernel's type flags. */
#define BK_ARG_MAYBE_NULL  0x100u /* PTR_MAYBE_NULL: NULL accepted */
#define BK_ARG_MEM_RDONLY  0x200u /* MEM_RDONLY: the helper only reads */
#define BK_ARG_MEM_UNINIT  0x400u /* MEM_UNINIT (+MEM_WRITE): the helper writes, need not be initialised */
#define BK_ARG_OBJ_RELEASE 0x800u /* OBJ_RELEASE: the reference is released */
#define BK_ARG_BASE(t)     ((t) & 0xffu)

/* Return types, as the kernel's enum bpf_return_type (with flags folded in). */
enum bk_ret_type {
	BK_RET_INTEGER = 0,
	BK_RET_VOID,
	BK_RET_PTR_TO_MAP_VALUE_OR_NULL,   /* value_size bytes of the CONST_MAP_PTR argument's map */
	BK_RET_PTR_TO_RINGBUF_MEM_OR_NULL, /* the CONST_ALLOC_SIZE argument's bytes */
	BK_RET__COUNT,
};

/* The kernel's enum bpf_prog_type numbers of the types the runtime models. */
enum {
	BK_KPROG_SOCKET_FILTER = 1,
	BK_KPROG_SCHED_CLS = 3,
	BK_KPROG_XDP = 6,
};
#define BK_PT(t) (1ull << (t))
/* Not a kernel type: the conformance "raw" convention; every helper is callable. */
#define BK_PT_RAW (1ull << 63)

struct bk_helper_proto {
	uint32_t id;               /* enum bpf_func_id */
	const char *name;          /* without the bpf_ prefix, as helpers.def */
	uint8_t ret;               /* enum bk_ret_type */
	uint8_t nargs;
	uint16_t arg[5];           /* enum bk_arg_type | BK_ARG_* flags */
	bool gpl_only;             /* the kernel refuses it in non-GPL programs */
	bool changes_pkt_data;     /* packet pointers are invalid after the call */
	bool pkt_access;           /* memory arguments may point into the packet */
	uint64_t prog_types;       /* BK_PT(kernel type) | BK_PT_RAW, as this kernel's verifier allows */
};

/* The prototype of an implemented helper, or NULL (unknown or not implemented). */
const struct bk_helper_proto *bk_helper_proto(uint32_t id);
/* Implemented helpers in id order: for (i = 0; (p = bk_helper_proto_at(i)); i++). */
const struct bk_helper_proto *bk_helper_proto_at(size_t idx);
/* A kernel helper's name ("bpf_map_lookup_elem") is bk_helper_name() of disasm.h. */
/* Id of a kernel helper by name (with or without "bpf_"), or -ENOENT. */
int bk_helper_id(const char *name);
/* Whether a program of kernel type PROG_TYPE (or -1 for raw) may call the helper. */
bool bk_helper_allowed(const struct bk_helper_proto *p, int prog_type);
/* "ARG_PTR_TO_MAP_KEY", "RET_INTEGER", ... (base names, as the kernel's verifier log). */
const char *bk_arg_type_name(unsigned arg);
const char *bk_ret_type_name(unsigned ret);

/* Registers the implementation of every helper above with VM (src/helpers), replacing
 * any helper registered under the same id. bpf_get_prandom_u32 draws from the VM's
 * seeded generator; time, task and cpu helpers read the host (the calling process). */
struct bk_vm;
int bk_helpers_install(struct bk_vm *vm, struct bk_err *err);

#ifdef __cplusplus
}
#endif
#endif
