/* bpfkit object model: what an ELF64 BPF relocatable means, independent of how it was
 * read or built. The reader fills it, the assembler builds it, objdump prints it, the
 * loader consumes it and the writer lays it out byte for byte as llvm-mc-19 does.
 *
 * The structures are public so printers can walk them without a call per field; treat
 * them as read-only and change an object only through the bk_object_* builders, which
 * keep the derived views (program sections, .rel links, symbol order) consistent.
 *
 * Indexes are ELF indexes: sections[0] is the null section, symbols[0] the null symbol.
 * The section list holds every section in ELF order, including .strtab, .symtab,
 * .rel* and .llvm_addrsig, so a printer sees the file as readelf does. The reader keeps
 * the bytes of .strtab, .symtab and .rel* as read (for hex dumps), but the writer ignores
 * them and regenerates those sections from the names, symbols and relocations; built
 * objects have data == NULL there. */
#ifndef BPFKIT_OBJECT_H
#define BPFKIT_OBJECT_H

#include "common.h"
#include "util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ELF constants the model uses, so users need not include <elf.h>. */
enum {
	BK_SHT_NULL = 0, BK_SHT_PROGBITS = 1, BK_SHT_SYMTAB = 2, BK_SHT_STRTAB = 3,
	BK_SHT_RELA = 4, BK_SHT_NOBITS = 8, BK_SHT_REL = 9,
	BK_SHT_LLVM_ADDRSIG = 0x6fff4c03,
};
enum {
	BK_SHF_WRITE = 0x1, BK_SHF_ALLOC = 0x2, BK_SHF_EXECINSTR = 0x4, BK_SHF_MERGE = 0x10,
	BK_SHF_STRINGS = 0x20, BK_SHF_INFO_LINK = 0x40, BK_SHF_EXCLUDE = 0x80000000u,
};
enum { BK_STB_LOCAL = 0, BK_STB_GLOBAL = 1, BK_STB_WEAK = 2 };
enum {
	BK_STT_NOTYPE = 0, BK_STT_OBJECT = 1, BK_STT_FUNC = 2, BK_STT_SECTION = 3,
	BK_STT_FILE = 4,
};
enum { BK_STV_DEFAULT = 0, BK_STV_INTERNAL = 1, BK_STV_HIDDEN = 2, BK_STV_PROTECTED = 3 };
enum { BK_SHN_UNDEF = 0, BK_SHN_ABS = 0xfff1, BK_SHN_COMMON = 0xfff2 };

/* Relocation types, numbered as LLVM does (GNU as 2.40 numbers them differently). */
enum {
	BK_R_BPF_NONE = 0,
	BK_R_BPF_64_64 = 1,        /* lddw imm pair */
	BK_R_BPF_64_ABS64 = 2,     /* 64-bit data word */
	BK_R_BPF_64_ABS32 = 3,     /* 32-bit data word */
	BK_R_BPF_64_NODYLD32 = 4,  /* 32-bit data word, writable target / .BTF.ext insn_off */
	BK_R_BPF_64_RELATIVE = 8,
	BK_R_BPF_64_32 = 10,       /* call imm, in slots */
};

struct bk_reloc {
	uint64_t offset;   /* byte offset in the target section */
	uint32_t type;     /* BK_R_BPF_* */
	uint32_t sym;      /* index into symbols[] */
};

/* What a section is for: the derived view loaders and printers ask about. */
enum bk_sec_kind {
	BK_SEC_OTHER = 0,
	BK_SEC_NULL,
	BK_SEC_PROG,      /* SHF_EXECINSTR: instructions (.text and SEC("...") programs) */
	BK_SEC_MAPS,      /* .maps: BTF-defined maps */
	BK_SEC_LEGACY_MAPS, /* maps: legacy struct bpf_map_def array */
	BK_SEC_LICENSE,
	BK_SEC_VERSION,
	BK_SEC_DATA,      /* .data* */
	BK_SEC_RODATA,    /* .rodata* */
	BK_SEC_BSS,       /* .bss* */
	BK_SEC_BTF,
	BK_SEC_BTF_EXT,
	BK_SEC_REL,       /* relocations for section `info` */
	BK_SEC_SYMTAB,
	BK_SEC_STRTAB,
	BK_SEC_ADDRSIG,   /* .llvm_addrsig */
	BK_SEC_DEBUG,     /* .debug_* */
};

struct bk_section {
	char *name;
	uint32_t type;        /* BK_SHT_* */
	uint64_t flags;       /* BK_SHF_* */
	uint64_t addr;        /* always 0 in relocatables; kept for fidelity */
	uint64_t addralign;
	uint64_t entsize;
	uint32_t link, info;  /* as in the ELF header (section indexes for REL/SYMTAB) */
	uint64_t size;        /* NOBITS: the size, with data == NULL */
	uint8_t *data;        /* size bytes; NULL for NOBITS (and built SYMTAB/STRTAB/REL) */
	enum bk_sec_kind kind;
	/* Relocations that apply to this section, in file order. */
	struct bk_reloc *relocs;
	size_t nrelocs, cap_relocs;
	uint32_t rel_sec;     /* index of the REL section holding them, 0 if none */
	uint64_t file_offset; /* sh_offset as read (0 for built objects) */
};

struct bk_symbol {
	char *name;           /* "" for unnamed (section symbols, the null symbol) */
	uint64_t value;
	uint64_t size;
	uint8_t type;         /* BK_STT_* */
	uint8_t bind;         /* BK_STB_* */
	uint8_t vis;          /* BK_STV_* */
	uint16_t shndx;       /* section index or BK_SHN_* */
};

struct bk_object {
	char *name;                 /* file name used in messages */
	uint8_t osabi, abiversion;
	uint16_t e_type;            /* ET_REL */
	uint32_t e_flags;
	uint64_t shoff;             /* e_shoff as read (0 for built objects) */
	struct bk_section *sections;
	size_t nsections, cap_sections;
	struct bk_symbol *symbols;
	size_t nsymbols, cap_symbols;
	uint32_t symtab_sec, strtab_sec, shstrtab_sec; /* 0 when absent */
};

/* ---- reading ---------------------------------------------------------------------- */

/* Parses an ELF64 little-endian EM_BPF relocatable. NAME is used in messages
 * ("NAME: section 3 'xdp': offset past end of file"). Hostile input gets a one-line
 * error, never a crash. The object does not point into DATA. */
int bk_object_read(const void *data, size_t len, const char *name, struct bk_object **out,
		   struct bk_err *err);
int bk_object_open(const char *path, struct bk_object **out, struct bk_err *err);
void bk_object_free(struct bk_object *obj);

/* ---- lookups ---------------------------------------------------------------------- */

/* Index of the first section named NAME, or -ENOENT. */
int bk_object_find_section(const struct bk_object *obj, const char *name);
/* Index of the first symbol named NAME, or -ENOENT. */
int bk_object_find_symbol(const struct bk_object *obj, const char *name);
/* Symbols defined at SEC+OFFSET that name a place (FUNC, OBJECT, NOTYPE; not SECTION or
 * FILE), for disassembly labels. Starts after symbol index START (use 0 for the first);
 * returns the index or -ENOENT. Iterate: for (i = 0; (i = f(o, s, off, i)) > 0;) */
int bk_object_symbol_at(const struct bk_object *obj, unsigned sec, uint64_t offset,
			unsigned start);
/* The relocation of section SEC at OFFSET, or NULL (binary search; relocs of clang
 * objects are sorted by offset, a linear scan is used when they are not). */
const struct bk_reloc *bk_object_reloc_at(const struct bk_object *obj, unsigned sec,
					  uint64_t offset);
/* Name shown for a relocation's symbol: the symbol's name, or for a section symbol the
 * section's name (as llvm-objdump and llvm-readelf show it). */
const char *bk_object_sym_display_name(const struct bk_object *obj, unsigned sym);

/* "R_BPF_64_64", ...; "Unknown" for numbers LLVM does not name (llvm-readelf prints
 * "Unknown" too). */
const char *bk_reloc_type_name(unsigned type);
/* Inverse of bk_reloc_type_name; -ENOENT when unknown. */
int bk_reloc_type_from_name(const char *name);

static inline bool bk_section_is_prog(const struct bk_section *s)
{
	return s->kind == BK_SEC_PROG;
}

/* ---- building (assembler) -------------------------------------------------------- */

/* A new empty object: the null section and null symbol only. */
struct bk_object *bk_object_new(const char *name);
/* Appends a section; returns its index or a negative errno. DATA may be NULL (zeros or,
 * for NOBITS, nothing); SIZE bytes are copied. The kind is derived from name/type/flags. */
int bk_object_add_section(struct bk_object *obj, const char *name, uint32_t type,
			  uint64_t flags, uint64_t addralign, const void *data, uint64_t size,
			  struct bk_err *err);
/* Appends bytes to a section (not NOBITS); NOBITS grows with bk_object_set_size. */
int bk_object_append(struct bk_object *obj, unsigned sec, const void *data, size_t len,
		     struct bk_err *err);
int bk_object_set_size(struct bk_object *obj, unsigned sec, uint64_t size, struct bk_err *err);
/* Appends a symbol in the given order; returns its index or a negative errno. The writer
 * keeps this order, so add locals first (as llvm-mc does): file symbol, then local
 * symbols and section symbols, then globals. */
int bk_object_add_symbol(struct bk_object *obj, const char *name, uint64_t value,
			 uint64_t size, uint8_t type, uint8_t bind, uint8_t vis, uint16_t shndx,
			 struct bk_err *err);
/* Appends a relocation to section SEC's list (in the order given). */
int bk_object_add_reloc(struct bk_object *obj, unsigned sec, uint64_t offset, uint32_t type,
			uint32_t sym, struct bk_err *err);
/* Gives a built object the section layout llvm-mc-19 writes: .strtab at index 1, each
 * section with relocations followed by its .rel<name>, then .llvm_addrsig (when
 * ADDRSIG_SYMS is non-NULL: the ULEB128 list of those symbol indexes), then .symtab.
 * Section indexes in symbols, links and infos are renumbered. Does nothing to sections
 * that are already there (an object that was read is already laid out). */
int bk_object_finalize(struct bk_object *obj, const uint32_t *addrsig_syms, size_t naddrsig,
		       struct bk_err *err);

/* ---- writing ---------------------------------------------------------------------- */

/* Lays out the object exactly as llvm-mc-19 / clang-19 do (see src/object/write.c) and
 * appends the bytes to OUT. An object read from clang-19, llvm-mc-19 or llvm-objcopy-19
 * output is written back byte-identical; other producers' layouts (GNU as, a separate
 * .shstrtab) come out in LLVM's layout. Regenerates .strtab, .symtab and .rel*. */
int bk_object_write(const struct bk_object *obj, struct bk_buf *out, struct bk_err *err);
/* bk_object_write + bk_write_file (no partial file on failure). */
int bk_object_write_file(const struct bk_object *obj, const char *path, struct bk_err *err);

struct bk_object_write_opts {
	size_t sz;
	/* Supplies the contents of a section that has a size but data == NULL (a producer
	 * that kept them in a scratch file rather than in memory): LEN bytes of section SEC
	 * from offset OFF into BUF. Returns 0 or a negative errno (and sets ERR). */
	int (*read)(void *ctx, unsigned sec, uint64_t off, void *buf, size_t len, struct bk_err *err);
	void *ctx;
	/* Optional, for a file: writes all SIZE bytes of such a section to FD at its current
	 * offset (FOFF, every byte before it written) and leaves the offset after them, e.g.
	 * with copy_file_range from a scratch file, without a copy through the writer's
	 * buffer. Returns 0, a negative errno (and sets ERR), or 1 if it wrote nothing and
	 * the writer is to use read instead. */
	int (*copy)(void *ctx, unsigned sec, int fd, uint64_t foff, uint64_t size, struct bk_err *err);
};
/* bk_object_write_file with section contents from opts->read where data is NULL. */
int bk_object_write_file_opts(const struct bk_object *obj, const char *path,
			      const struct bk_object_write_opts *opts, struct bk_err *err);
/* The steps of bk_object_write_file_opts, for a producer that writes section contents
 * into the file itself, ahead of the object's symbols and relocations (from another
 * thread, at the offsets of bk_object_layout; its copy hook then only moves FD's offset
 * past them). bk_object_file_open makes the temporary file that stands for PATH (its
 * name in *TMP) and returns its descriptor or a negative errno; bk_object_write_fd
 * writes the object into it; bk_object_file_done renames it over PATH if E is 0, else
 * removes it, and closes FD and frees TMP either way: it returns E or its own error. */
int bk_object_file_open(const char *path, char **tmp, struct bk_err *err);
int bk_object_write_fd(const struct bk_object *obj, int fd, const struct bk_object_write_opts *opts,
		       struct bk_err *err);
int bk_object_file_done(const char *path, int fd, char *tmp, int e, struct bk_err *err);
/* Where the writer puts each section's contents: OFFS[i] for section i (0 for those it
 * regenerates, .strtab, .symtab, .rel*, .llvm_addrsig, which come after). Only the
 * sections' types, sizes and alignments count, so it is known before the symbols and
 * before bk_object_finalize, which inserts only regenerated sections. Returns where
 * the contents end. */
uint64_t bk_object_layout(const struct bk_object *obj, uint64_t *offs);

#ifdef __cplusplus
}
#endif
#endif
