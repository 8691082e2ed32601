/* bpfkit BTF: .BTF (types and strings) and .BTF.ext (func_info, line_info, CO-RE
 * relocations) parsed safely from untrusted bytes, plus what loaders and printers derive
 * from them: map definitions of BTF-defined maps (`.maps`), DATASEC layouts of global
 * data, and line info per instruction for `objdump -S`.
 *
 * Parsed structures own copies of everything (nothing points into the input). Strings
 * returned are NUL-terminated and valid while the owning struct lives. */
#ifndef BPFKIT_BTF_H
#define BPFKIT_BTF_H

#include "common.h"
#include "object.h"

#ifdef __cplusplus
extern "C" {
#endif

enum bk_btf_kind {
	BK_BTF_KIND_UNKN = 0, BK_BTF_KIND_INT = 1, BK_BTF_KIND_PTR = 2, BK_BTF_KIND_ARRAY = 3,
	BK_BTF_KIND_STRUCT = 4, BK_BTF_KIND_UNION = 5, BK_BTF_KIND_ENUM = 6, BK_BTF_KIND_FWD = 7,
	BK_BTF_KIND_TYPEDEF = 8, BK_BTF_KIND_VOLATILE = 9, BK_BTF_KIND_CONST = 10,
	BK_BTF_KIND_RESTRICT = 11, BK_BTF_KIND_FUNC = 12, BK_BTF_KIND_FUNC_PROTO = 13,
	BK_BTF_KIND_VAR = 14, BK_BTF_KIND_DATASEC = 15, BK_BTF_KIND_FLOAT = 16,
	BK_BTF_KIND_DECL_TAG = 17, BK_BTF_KIND_TYPE_TAG = 18, BK_BTF_KIND_ENUM64 = 19,
	BK_BTF_KIND_MAX = 19,
};

/* INT encoding bits */
enum { BK_BTF_INT_SIGNED = 1, BK_BTF_INT_CHAR = 2, BK_BTF_INT_BOOL = 4 };
/* FUNC linkage (vlen) and VAR linkage */
enum { BK_BTF_STATIC = 0, BK_BTF_GLOBAL = 1, BK_BTF_EXTERN = 2 };

/* One entry of a type's trailing list: STRUCT/UNION members, FUNC_PROTO parameters,
 * ENUM/ENUM64 values, DATASEC variables. Unused fields are 0. */
struct bk_btf_member {
	const char *name;       /* "" when anonymous */
	uint32_t type;          /* member, parameter or DATASEC variable type id */
	uint32_t bit_offset;    /* STRUCT/UNION: offset in bits */
	uint32_t bitfield_size; /* STRUCT/UNION with kflag: bitfield width, else 0 */
	uint32_t offset, size;  /* DATASEC: byte offset and size of the variable */
	int64_t value;          /* ENUM (sign per kflag) and ENUM64 */
};

struct bk_btf_type {
	uint32_t id;
	const char *name;       /* "" when anonymous */
	uint8_t kind;           /* enum bk_btf_kind */
	bool kflag;
	uint16_t vlen;
	/* size for INT, STRUCT, UNION, ENUM, ENUM64, DATASEC, FLOAT; else the referenced
	 * type id (PTR, TYPEDEF, modifiers, FUNC -> FUNC_PROTO, FUNC_PROTO -> return type,
	 * VAR, DECL_TAG, TYPE_TAG) */
	uint32_t size;
	uint32_t type;
	/* INT */
	uint8_t int_encoding, int_offset, int_bits;
	/* ARRAY */
	uint32_t array_type, array_index_type, array_nelems;
	/* VAR linkage, FUNC linkage (vlen) */
	uint32_t linkage;
	/* DECL_TAG: member/param index or -1 */
	int32_t component_idx;
	struct bk_btf_member *members; /* vlen entries */
};

struct bk_btf {
	uint32_t nr_types;            /* types[0] is void; valid ids are 0..nr_types-1 */
	struct bk_btf_type *types;
	char *strings;                /* the string section (copy) */
	uint32_t str_len;
	uint32_t hdr_len, type_off, type_len, str_off; /* header as read */
};

/* Parses .BTF bytes. Checks the header, every record and every reference (type ids and
 * string offsets in range, sizes consistent); hostile input gets a one-line error. */
int bk_btf_parse(const void *data, size_t len, struct bk_btf **out, struct bk_err *err);
void bk_btf_free(struct bk_btf *btf);
/* NULL when ID is out of range. */
const struct bk_btf_type *bk_btf_type_by_id(const struct bk_btf *btf, uint32_t id);
/* String at OFF in the string section, NULL when out of range. */
const char *bk_btf_str(const struct bk_btf *btf, uint32_t off);
/* First type of KIND (0 = any kind) named NAME: its id, or -ENOENT. */
int bk_btf_find(const struct bk_btf *btf, const char *name, int kind);
/* Follows TYPEDEF, VOLATILE, CONST, RESTRICT and TYPE_TAG; returns the id reached. */
uint32_t bk_btf_skip_mods(const struct bk_btf *btf, uint32_t id);
/* Size in bytes of a type as the kernel computes it (arrays multiply, pointers are 8);
 * negative errno for void, functions or loops. */
int64_t bk_btf_type_size(const struct bk_btf *btf, uint32_t id);
/* Appends every type as `bpftool btf dump file X` prints it (raw format). */
int bk_btf_dump_raw(const struct bk_btf *btf, struct bk_buf *out);
/* "INT", "PTR", ... as bpftool prints kinds; "UNKNOWN" otherwise. */
const char *bk_btf_kind_name(unsigned kind);

/* ---- .BTF.ext --------------------------------------------------------------------- */

struct bk_btf_func_info {
	uint32_t insn_off;   /* bytes, as in the object (divide by 8 for the slot) */
	uint32_t type_id;    /* a FUNC */
};
struct bk_btf_line_info {
	uint32_t insn_off;   /* bytes */
	const char *file;    /* file name */
	const char *text;    /* the source line's text ("" when absent) */
	uint32_t line, col;
	uint32_t file_name_off, line_off;
};
struct bk_btf_core_relo {
	uint32_t insn_off;   /* bytes */
	uint32_t type_id;
	const char *access;  /* access string, e.g. "0:1" */
	uint32_t access_str_off;
	uint32_t kind;       /* enum bpf_core_relo_kind: 0 field byte offset, ... */
};

/* The records of one code section. */
struct bk_btf_ext_sec {
	const char *name;    /* the code section's name */
	uint32_t n;
	struct bk_btf_func_info *func;  /* set in func_secs */
	struct bk_btf_line_info *line;  /* set in line_secs */
	struct bk_btf_core_relo *core;  /* set in core_secs */
};

struct bk_btf_ext {
	uint32_t func_rec_size, line_rec_size, core_rec_size;
	struct bk_btf_ext_sec *func_secs, *line_secs, *core_secs;
	size_t nfunc_secs, nline_secs, ncore_secs;
};

/* Parses .BTF.ext; strings are resolved against BTF (which must outlive the result). */
int bk_btf_ext_parse(const void *data, size_t len, const struct bk_btf *btf,
		     struct bk_btf_ext **out, struct bk_err *err);
void bk_btf_ext_free(struct bk_btf_ext *ext);
/* The records of section SEC in a block (NULL when none). */
const struct bk_btf_ext_sec *bk_btf_ext_func(const struct bk_btf_ext *ext, const char *sec);
const struct bk_btf_ext_sec *bk_btf_ext_line(const struct bk_btf_ext *ext, const char *sec);
const struct bk_btf_ext_sec *bk_btf_ext_core(const struct bk_btf_ext *ext, const char *sec);
/* The line record for the instruction at byte INSN_OFF of section SEC: exact match only
 * (objdump -S prints a source line where a record starts). NULL when none. */
const struct bk_btf_line_info *bk_btf_ext_line_at(const struct bk_btf_ext *ext,
						  const char *sec, uint32_t insn_off);

/* Parses the object's .BTF and (when present) .BTF.ext. -ENOENT when there is no .BTF;
 * *ext is NULL when there is no .BTF.ext. */
int bk_object_btf(const struct bk_object *obj, struct bk_btf **btf, struct bk_btf_ext **ext,
		  struct bk_err *err);

/* ---- map definitions (libbpf's reading of `.maps`) -------------------------------- */

enum { BK_PIN_NONE = 0, BK_PIN_BY_NAME = 1 };

struct bk_btf_map_def {
	char *name;             /* the variable's name */
	unsigned sec;           /* section index of .maps */
	uint64_t offset;        /* byte offset of the variable in .maps */
	uint32_t type;          /* __uint(type, ...) : enum bpf_map_type */
	uint32_t key_size, value_size, max_entries, map_flags, numa_node, pinning;
	uint64_t map_extra;
	uint32_t key_type_id, value_type_id; /* BTF ids of __type(key/value), 0 when sizes only */
	bool has_spin_lock;     /* value is a struct with a struct bpf_spin_lock member */
	uint32_t spin_lock_off;
	/* map-in-map: the inner map's definition from __array(values, struct ...), with
	 * name "<outer>.inner" as libbpf names it; NULL otherwise */
	struct bk_btf_map_def *inner;
	/* initial slots of a map-in-map (or prog array) from `.values = { &a, ... }`:
	 * init_names[i] is the map (or program) in slot i, NULL for an empty slot */
	uint32_t ninit;
	char **init_names;
};

/* Reads every BTF-defined map of OBJ (`.maps`), as libbpf does: map parameters from the
 * struct members (type/max_entries/map_flags/numa_node/pinning/map_extra as
 * pointer-to-array dimensions, key/value as pointer-to types or key_size/value_size),
 * inner maps for `values`, initial slots from .rel.maps. Returns the count in *n;
 * 0 with *out NULL when the object has no .maps. Errors name the map and member. */
int bk_btf_map_defs(const struct bk_object *obj, const struct bk_btf *btf,
		    struct bk_btf_map_def **out, size_t *n, struct bk_err *err);
void bk_btf_map_defs_free(struct bk_btf_map_def *defs, size_t n);

/* The DATASEC named SEC (".data", ".rodata", ".bss", ".maps", "license", ...): its type
 * id or -ENOENT. Its members are the variables (type, offset, size). In objects the
 * DATASEC size is 0 and offsets come from symbols: see bk_btf_datasec_layout. */
int bk_btf_datasec(const struct bk_btf *btf, const char *sec);
/* Variable offsets of a DATASEC as a loader must use them: each variable's offset from
 * its symbol in OBJ (libbpf's fixup), else the recorded offset. OFFSETS has vlen slots. */
int bk_btf_datasec_layout(const struct bk_object *obj, const struct bk_btf *btf, uint32_t id,
			  uint64_t *offsets, struct bk_err *err);

#ifdef __cplusplus
}
#endif
#endif
