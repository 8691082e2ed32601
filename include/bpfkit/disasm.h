/* One instruction printer for every tool (objdump, disasm, verifier logs, prog dump
 * xlated), in three syntaxes: LLVM (llvm-objdump-19 --mcpu=v4), ubpf/bpf_conformance,
 * and the kernel's (bpftool prog dump xlated). Templates come from isa_table.def. */
#ifndef BPFKIT_DISASM_H
#define BPFKIT_DISASM_H

#include "isa.h"
#include "util.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bk_print_opts {
	size_t sz;
	enum bk_syntax syntax;
	bool decimal;    /* LLVM syntax: decimal numbers (llvm-objdump --no-print-imm-hex) */
	bool no_opcode;  /* kernel syntax: leave out the "(b7) " prefix */
	/* Kernel syntax: the name of helper `id` ("bpf_map_lookup_elem"); NULL = built-in list. */
	const char *(*helper_name)(int32_t id, void *ctx);
	/* Kernel syntax: text for an lddw with src != 0 (e.g. "map[id:5]"); return 0 if written. */
	int (*pseudo_text)(const struct bk_insn *insn, char *buf, size_t len, void *ctx);
	void *ctx;
};

/* Formats the instruction at insn (avail = slots readable there). Writes the text
 * (no newline) and returns the number of slots it spans (1 or 2). Undecodable input
 * prints as "<unknown>" (LLVM's word) and spans 1 slot. */
int bk_insn_format(const struct bk_insn *insn, size_t avail, const struct bk_print_opts *opts,
		   char *buf, size_t len);

/* The kernel's name for helper `id` (enum bpf_func_id), or NULL. */
const char *bk_helper_name(int32_t id);

/* Absolute target slot of a jump or local call at index i, or -1 if not a branch. */
int64_t bk_insn_branch_target(const struct bk_insn *insn, size_t i);

/* A plain listing of raw bytecode, one instruction per line:
 * LLVM: "%8u:\t<raw bytes>\t<text>" as llvm-objdump prints (raw bytes unless no_raw). */
int bk_disasm_raw(const struct bk_insn *insns, size_t n, const struct bk_print_opts *opts,
		  bool no_raw, struct bk_buf *out);

#ifdef __cplusplus
}
#endif
#endif

/* ---- object listings (llvm-objdump -d [-r] [-S]) ---------------------------------- */
#include "object.h"

struct bk_objdump_opts {
	size_t sz;
	enum bk_syntax syntax;   /* LLVM (default) or UBPF text after the raw bytes */
	bool relocs;             /* -r: relocation lines under their instruction */
	bool no_raw;             /* --no-show-raw-insn */
	bool source;             /* -S: source lines from .BTF.ext line info */
	const char *const *sections; /* -j: only these sections (NULL-terminated), NULL = all */
	const char *file_name;   /* name printed in the header line (default obj->name) */
};

/* Appends the listing llvm-objdump-19 -d --mcpu=v4 prints for OBJ. */
int bk_objdump(const struct bk_object *obj, const struct bk_objdump_opts *opts,
	       struct bk_buf *out, struct bk_err *err);
