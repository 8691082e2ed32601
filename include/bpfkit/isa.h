/* The BPF instruction set (RFC 9669 + the Linux forms), driven by one table:
 * include/bpfkit/isa_table.def. Every other module names instructions by
 * enum bk_op and asks this module for facts about them. */
#ifndef BPFKIT_ISA_H
#define BPFKIT_ISA_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Same layout as the kernel's struct bpf_insn (little-endian). */
struct bk_insn {
	uint8_t code;
	uint8_t dst : 4;
	uint8_t src : 4;
	int16_t off;
	int32_t imm;
};

enum bk_op {
#define BK_INSN(id, ...) BK_OP_##id,
#include "isa_table.def"
#undef BK_INSN
	BK_OP__COUNT,
	BK_OP_INVALID = BK_OP__COUNT,
};

/* Encoding fields (RFC 9669 §3). */
enum {
	BK_CLASS_LD = 0x00, BK_CLASS_LDX = 0x01, BK_CLASS_ST = 0x02, BK_CLASS_STX = 0x03,
	BK_CLASS_ALU = 0x04, BK_CLASS_JMP = 0x05, BK_CLASS_JMP32 = 0x06, BK_CLASS_ALU64 = 0x07,
	BK_SIZE_W = 0x00, BK_SIZE_H = 0x08, BK_SIZE_B = 0x10, BK_SIZE_DW = 0x18,
	BK_MODE_IMM = 0x00, BK_MODE_ABS = 0x20, BK_MODE_IND = 0x40, BK_MODE_MEM = 0x60,
	BK_MODE_MEMSX = 0x80, BK_MODE_ATOMIC = 0xc0,
	BK_SRC_K = 0x00, BK_SRC_X = 0x08,
	BK_ATOMIC_FETCH = 0x01, BK_ATOMIC_XCHG = 0xe1, BK_ATOMIC_CMPXCHG = 0xf1,
	/* lddw src values (Linux pseudo loads) and call src values */
	BK_PSEUDO_MAP_FD = 1, BK_PSEUDO_MAP_VALUE = 2, BK_PSEUDO_BTF_ID = 3, BK_PSEUDO_FUNC = 4,
	BK_PSEUDO_MAP_IDX = 5, BK_PSEUDO_MAP_IDX_VALUE = 6,
	BK_PSEUDO_CALL = 1, BK_PSEUDO_KFUNC_CALL = 2,
	BK_MAX_REG = 10, /* r10 is the read-only frame pointer */
};
#define BK_CLASS(code) ((code) & 0x07)
#define BK_SIZE(code) ((code) & 0x18)
#define BK_MODE(code) ((code) & 0xe0)
#define BK_OP(code) ((code) & 0xf0)
#define BK_SRCBIT(code) ((code) & 0x08)

enum bk_match { BK_M_NONE, BK_M_OFF, BK_M_IMM, BK_M_SRC };
enum { BK_Z_DST = 1, BK_Z_SRC = 2, BK_Z_OFF = 4, BK_Z_IMM = 8 };

/* RFC 9669 conformance groups, plus the two Linux-only families. */
enum bk_group {
	BK_G_BASE32, BK_G_BASE64, BK_G_ATOMIC32, BK_G_ATOMIC64, BK_G_DIVMUL32, BK_G_DIVMUL64,
	BK_G_PACKET, BK_G_CALLX, BK_G_LINUX,
};

/* Operand shape: what a printer prints and a parser expects. */
enum bk_fmt {
	BK_F_ALU_K, BK_F_ALU_X, BK_F_NEG, BK_F_MOVSX, BK_F_ASCAST, BK_F_END, BK_F_LDDW,
	BK_F_LDABS, BK_F_LDIND, BK_F_LDX, BK_F_LDXSX, BK_F_ST, BK_F_STX, BK_F_ATOMIC,
	BK_F_JA, BK_F_JA32, BK_F_JCOND, BK_F_CALL, BK_F_CALLX, BK_F_EXIT,
};

enum bk_syntax { BK_SYNTAX_LLVM, BK_SYNTAX_UBPF, BK_SYNTAX_KERNEL, BK_SYNTAX__COUNT };

enum bk_cpu { BK_CPU_V1 = 1, BK_CPU_V2 = 2, BK_CPU_V3 = 3, BK_CPU_V4 = 4 };

struct bk_opinfo {
	const char *name;      /* the table id, e.g. "ADD64_K" */
	uint8_t code;
	uint8_t match;         /* enum bk_match */
	int32_t match_value;
	uint8_t zero;          /* BK_Z_* fields that must be zero */
	uint8_t cpu;           /* first -mcpu level clang-19 emits it at */
	uint8_t group;         /* enum bk_group */
	uint8_t fmt;           /* enum bk_fmt */
	uint8_t slots;         /* 2 for lddw, else 1 */
	uint8_t mem_size;      /* bytes accessed by loads/stores/atomics, else 0 */
	bool alu32;            /* result written as 32 bits and zero-extended */
	const char *text[BK_SYNTAX__COUNT]; /* templates, "" when the syntax lacks the form */
};

const struct bk_opinfo *bk_isa_info(enum bk_op op);
/* The form an instruction encodes, from its opcode and match field only
 * (reserved fields are the validator's business). BK_OP_INVALID if none. */
enum bk_op bk_isa_decode(const struct bk_insn *insn);
/* The forms sharing one opcode byte: *first and count (0 if the opcode is undefined). */
int bk_isa_forms(uint8_t code, enum bk_op *first);

const char *bk_isa_group_name(enum bk_group g);
const char *bk_isa_cpu_name(int cpu); /* "v1".."v4" */
/* "v1".."v4", "generic" (v1). "probe" is resolved by the caller (see probe.h). */
int bk_isa_parse_cpu(const char *s);

struct bk_validate_opts {
	size_t sz;
	int cpu;              /* 0 = v4 */
	bool allow_pseudo;    /* lddw src 1..6, call src 2 (only meaningful after loading) */
	bool check_targets;   /* jumps/calls inside the program (default true via BK_OPTS_INIT users) */
	const char *name;     /* prefix for messages, e.g. a file or section name */
};
/* Checks a raw instruction stream: unknown opcode, reserved field set, bad register,
 * lddw without its second half, jump or call target outside the program or inside
 * an lddw, instruction newer than opts->cpu. The message names the instruction index. */
int bk_isa_validate(const struct bk_insn *insns, size_t n, const struct bk_validate_opts *opts,
		    struct bk_err *err);

/* The lowest cpu level needed by every instruction of a stream. */
int bk_isa_min_cpu(const struct bk_insn *insns, size_t n);

#ifdef __cplusplus
}
#endif
#endif
