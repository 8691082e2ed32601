/* bpfkit assembler: LLVM (clang -S / llvm-mc), ubpf/bpf_conformance and ebpf_asm
 * (Intel-like) syntax to an ELF object laid out as llvm-mc-19 writes it, or to bare
 * bytecode. Instructions are recognised through the templates of isa_table.def, so the
 * assembler and the printers cannot disagree about a form.
 *
 * Errors name "file:line:column: problem". Nothing is produced on error. */
#ifndef BPFKIT_ASM_H
#define BPFKIT_ASM_H

#include "common.h"
#include "util.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bk_object;

enum bk_asm_syntax {
	BK_ASM_AUTO = 0, /* decide from the text (bk_asm_detect) */
	BK_ASM_LLVM,     /* clang -S / llvm-mc: r1 = *(u32 *)(r2 + 4) */
	BK_ASM_UBPF,     /* bpf_conformance / ubpf: ldxw %r1, [%r2+4]; accepts whole .data files */
	BK_ASM_INTEL,    /* ebpf_asm: ld r1.l, [r2+4] */
};

struct bk_asm_opts {
	size_t sz;
	const char *name;          /* file name used in messages; "<input>" when NULL */
	int cpu;                   /* 1..4: instructions newer than this are errors; 0 = 4 */
	enum bk_asm_syntax syntax;
	/* Base directory for ebpf_asm `.include` (NULL: the current directory). */
	const char *include_dir;
	/* LLVM-syntax files read by bk_asm_file / bk_asm_file_write: 0 = two threads for
	 * files of 4 MiB or more, 1 = one thread, 2 = two threads whatever the size. The
	 * object is the same either way. */
	int threads;
	/* If set, receives how many threads assembled the file: 2 when it was split and the
	 * halves merged, 1 otherwise (one thread asked for, a small file, or halves that
	 * depend on each other: .set, .loc, numeric labels, .previous, ... in the second). */
	int *threads_used;
};

/* Assembles TEXT into a new object (caller frees with bk_object_free). */
int bk_asm_object(const char *text, size_t len, const struct bk_asm_opts *opts,
		  struct bk_object **out, struct bk_err *err);

/* Assembles the file PATH ("-" = stdin) into a new object. LLVM syntax is read and
 * assembled a piece at a time, so memory follows the object's size, not the text's;
 * the other syntaxes are read whole. opts->name defaults to PATH. */
int bk_asm_file(const char *path, const struct bk_asm_opts *opts, struct bk_object **out,
		struct bk_err *err);

/* Assembles the file PATH ("-" = stdin) and writes the object to OUT ("-" = stdout) with
 * no partial file on error. Besides reading LLVM text a piece at a time, it keeps big
 * sections' contents in an unlinked scratch file (in OUT's directory, else $TMPDIR or
 * /tmp) rather than in memory, so memory follows the number of symbols and relocations,
 * not the size of the code. */
int bk_asm_file_write(const char *path, const char *out, const struct bk_asm_opts *opts,
		      struct bk_err *err);

/* Assembles TEXT and appends the bytes of its first non-empty code section to OUT.
 * Relocations, if any, are left as the assembler wrote the fields (e.g. imm = 0). */
int bk_asm_raw(const char *text, size_t len, const struct bk_asm_opts *opts,
	       struct bk_buf *out, struct bk_err *err);

/* Guesses the syntax of TEXT: a conformance file (`-- asm`) or `%rN` registers are
 * ubpf; `;` comments with ebpf_asm mnemonics (`ld`, `jr`, `.l` suffixes) are Intel;
 * everything else is LLVM. */
enum bk_asm_syntax bk_asm_detect(const char *text, size_t len);

/* "llvm", "ubpf", "intel" (also "conformance", "ebpf_asm") -> enum; -EINVAL otherwise. */
int bk_asm_parse_syntax(const char *s);

#ifdef __cplusplus
}
#endif
#endif
