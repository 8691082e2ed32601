/* Internal: scalar bounds and comparison transfer functions. */
#ifndef BK_VBOUNDS_H
#define BK_VBOUNDS_H
#include "vint.h"
#include <string.h>

/* The operation field (code & 0xf0) of ALU and JMP instructions. */
enum {
	BK_ALU_ADD = 0x00, BK_ALU_SUB = 0x10, BK_ALU_MUL = 0x20, BK_ALU_DIV = 0x30,
	BK_ALU_OR = 0x40, BK_ALU_AND = 0x50, BK_ALU_LSH = 0x60, BK_ALU_RSH = 0x70,
	BK_ALU_NEG = 0x80, BK_ALU_MOD = 0x90, BK_ALU_XOR = 0xa0, BK_ALU_MOV = 0xb0,
	BK_ALU_ARSH = 0xc0, BK_ALU_END = 0xd0,
};
enum {
	BK_JA = 0x00, BK_JEQ = 0x10, BK_JGT = 0x20, BK_JGE = 0x30, BK_JSET = 0x40,
	BK_JNE = 0x50, BK_JSGT = 0x60, BK_JSGE = 0x70, BK_JCALL = 0x80, BK_JEXIT = 0x90,
	BK_JLT = 0xa0, BK_JLE = 0xb0, BK_JSLT = 0xc0, BK_JSLE = 0xd0, BK_JMAYGOTO = 0xe0,
};

void v_mark_unknown(struct vreg *r);
void v_mark_const(struct vreg *r, uint64_t v);
void v_bounds_zero(struct vreg *r);
bool v_is_const(const struct vreg *r);
bool v_is_const32(const struct vreg *r);
void v_sync(struct vreg *r);
bool v_bounds_empty(const struct vreg *r);
void v_zext32(struct vreg *r);
void v_coerce(struct vreg *r, int size);
void v_coerce_sx(struct vreg *r, int size);
void v_scalar_alu(int op, bool is64, struct vreg *d, const struct vreg *s);
int v_branch_taken(int op, bool is64, const struct vreg *a, const struct vreg *b);
int v_flip_op(int op);
int v_negate_op(int op);
void v_refine(int op, bool is64, struct vreg *a, struct vreg *b);
#endif
