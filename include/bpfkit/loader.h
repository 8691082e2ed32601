/* bpfkit loader — clang-built objects into the runtime, the way libbpf loads them into
 * the kernel.
 *
 * Two steps, so every consumer of a program sees the same relocated instructions:
 *  1. bk_link_object (no VM, nothing created): finds the programs (FUNC symbols of the
 *     executable sections other than .text), appends the .text subprograms each one calls
 *     (R_BPF_64_32 calls, ld_imm64 of a function) in first-use order as libbpf does, and
 *     turns every R_BPF_64_64 into a pseudo load naming a map of the object by index:
 *     BPF_PSEUDO_MAP_IDX (src 5, imm = map index) for maps, BPF_PSEUDO_MAP_IDX_VALUE
 *     (src 6, imm = map index, next imm = offset) for global data, BPF_PSEUDO_FUNC
 *     (src 4, imm = relative slot) for callbacks. The maps are the object's `.maps`
 *     (BTF-defined) and legacy `maps` definitions, then one single-element array per
 *     global data section named as libbpf names it (`<obj>.rodata` ...). Anything the
 *     runtime cannot run is refused here with its name: an unknown or unimplemented
 *     helper, a helper the program type may not call, a kfunc or other extern, an
 *     unsupported map type. The verifier and the kernel front end can use this output
 *     as is (src 5/6 is the kernel's fd_array form).
 *  2. bk_load_object: creates the maps in the VM's map set (global data initialised,
 *     `.rodata` read-only for programs and frozen), loads every program into the VM
 *     (bk_vm_load), and fills the statically initialised slots of prog arrays and
 *     map-in-map outers, as libbpf does after loading.
 * Nothing here prints. */
#ifndef BPFKIT_LOADER_H
#define BPFKIT_LOADER_H

#include "common.h"
#include "isa.h"
#include "maps.h"
#include "object.h"
#include "progtype.h"
#include "vm.h"

#ifdef __cplusplus
extern "C" {
#endif

enum bk_link_map_kind {
	BK_LMAP_BTF = 0,   /* SEC(".maps") */
	BK_LMAP_LEGACY,    /* SEC("maps"), struct bpf_map_def */
	BK_LMAP_DATA,      /* .data* */
	BK_LMAP_RODATA,    /* .rodata* */
	BK_LMAP_BSS,       /* .bss* */
};

/* A statically initialised slot of a prog array or map-in-map (`.values = { ... }`). */
struct bk_link_slot {
	uint32_t index;    /* key in the outer map */
	bool is_prog;      /* target is a program (index into progs[]) or a map (maps[]) */
	uint32_t target;
};

struct bk_link_map {
	char name[BK_MAP_NAME_LEN];       /* as the kernel would show it (global data: libbpf's) */
	char *full_name;                  /* the symbol or section name, untruncated */
	enum bk_link_map_kind kind;
	struct bk_map_def def;            /* def.inner points at inner_def when has_inner */
	struct bk_map_def inner_def;
	bool has_inner;
	uint32_t pinning;                 /* LIBBPF_PIN_* from BTF */
	uint32_t sec;                     /* ELF section index the definition or data is in */
	uint64_t sec_off;
	const uint8_t *init;              /* global data: initial value (NULL for .bss) */
	size_t init_size;
	struct bk_link_slot *slots;
	size_t nslots;
	char *pending;                    /* internal: slot target names while linking */
	uint32_t npending;
};

struct bk_link_prog {
	char *name;                       /* the function's symbol name */
	char *sec_name;                   /* its ELF section */
	uint32_t sec;
	const struct bk_progtype *type;   /* from the section (or opts->type); NULL if unknown */
	struct bk_insn *insns;            /* main program, then appended subprograms */
	size_t n;
	size_t main_n;                    /* slots of the main program before the subprograms */
};

struct bk_linked {
	char obj_name[64];                /* libbpf's object name (the file name up to the first '.') */
	char license[128];
	uint32_t kern_version;
	struct bk_link_map *maps;
	size_t nmaps;
	struct bk_link_prog *progs;
	size_t nprogs;
};

struct bk_load_opts {
	size_t sz;
	/* libbpf's object name, used for global data map names; NULL = derived from the
	 * object's file name as libbpf derives it. */
	const char *obj_name;
	/* Every program's type; NULL = from its section name (progtype.h). */
	const struct bk_progtype *type;
	int cpu;                          /* instruction set accepted, 0 = v4 */
	/* Only this program must be loadable (by function or section name): the others are
	 * still linked and loaded when they can be (tail-call targets), but a problem in one
	 * of them is not an error. NULL = all must load. */
	const char *prog;
};

int bk_link_object(const struct bk_object *obj, const struct bk_load_opts *opts,
		   struct bk_linked **out, struct bk_err *err);
void bk_linked_free(struct bk_linked *l);
/* Index of the program whose function name (first) or section name is NAME, or -ENOENT. */
int bk_linked_find_prog(const struct bk_linked *l, const char *name);

/* A loaded object: the VM owns its maps and programs; this keeps the correspondence. */
struct bk_loaded {
	struct bk_linked *linked;
	struct bk_map **maps;             /* [linked->nmaps] */
	struct bk_prog **progs;           /* [linked->nprogs]; NULL for one that did not load */
};

int bk_load_object(struct bk_vm *vm, const struct bk_object *obj,
		   const struct bk_load_opts *opts, struct bk_loaded **out, struct bk_err *err);
/* Loads raw bytecode (a .bin of instructions) as one program with no maps. */
int bk_load_raw(struct bk_vm *vm, const void *data, size_t len, const struct bk_load_opts *opts,
		struct bk_loaded **out, struct bk_err *err);
/* Frees the bookkeeping only: maps and programs stay in the VM. */
void bk_loaded_free(struct bk_loaded *lo);
/* The program by function or section name (NULL name: the only or first program). */
struct bk_prog *bk_loaded_prog(const struct bk_loaded *lo, const char *name, struct bk_err *err);

/* Writes elements given in `bpftool map dump -j` form (what bk_map_dump_json prints)
 * into M, with BPF_ANY semantics (queue/stack: pushed in order). Returns the number of
 * elements written or a negative errno with the byte offset of the problem. */
int bk_map_load_json(struct bk_map *m, const char *json, size_t len, struct bk_err *err);

#ifdef __cplusplus
}
#endif
#endif
