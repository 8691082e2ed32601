/* Instruction-building macros for the verifier test programs (kernel-style). */
#ifndef BK_TEST_INSN_H
#define BK_TEST_INSN_H
#include "bpfkit/isa.h"

#define I_(c, d, s, o, i) { .code = (c), .dst = (d), .src = (s), .off = (o), .imm = (i) }
#define B_ 0x10
#define H_ 0x08
#define W_ 0x00
#define DW_ 0x18
/* ALU64 */
#define A64K(op, d, i) I_(0x07 | (op), d, 0, 0, i)
#define A64X(op, d, s) I_(0x0f | (op), d, s, 0, 0)
#define A32K(op, d, i) I_(0x04 | (op), d, 0, 0, i)
#define A32X(op, d, s) I_(0x0c | (op), d, s, 0, 0)
#define MOV(d, i) A64K(0xb0, d, i)
#define MOVR(d, s) A64X(0xb0, d, s)
#define MOV32(d, i) A32K(0xb0, d, i)
#define MOV32R(d, s) A32X(0xb0, d, s)
#define ADD(d, i) A64K(0x00, d, i)
#define ADDR(d, s) A64X(0x00, d, s)
#define SUB(d, i) A64K(0x10, d, i)
#define SUBR(d, s) A64X(0x10, d, s)
#define MUL(d, i) A64K(0x20, d, i)
#define MULR(d, s) A64X(0x20, d, s)
#define DIV(d, i) A64K(0x30, d, i)
#define DIVR(d, s) A64X(0x30, d, s)
#define OR(d, i) A64K(0x40, d, i)
#define ORR(d, s) A64X(0x40, d, s)
#define AND(d, i) A64K(0x50, d, i)
#define ANDR(d, s) A64X(0x50, d, s)
#define LSH(d, i) A64K(0x60, d, i)
#define LSHR(d, s) A64X(0x60, d, s)
#define RSH(d, i) A64K(0x70, d, i)
#define RSHR(d, s) A64X(0x70, d, s)
#define NEG(d) A64K(0x80, d, 0)
#define MOD(d, i) A64K(0x90, d, i)
#define MODR(d, s) A64X(0x90, d, s)
#define XOR(d, i) A64K(0xa0, d, i)
#define XORR(d, s) A64X(0xa0, d, s)
#define ARSH(d, i) A64K(0xc0, d, i)
#define ADD32(d, i) A32K(0x00, d, i)
#define ADD32R(d, s) A32X(0x00, d, s)
#define SUB32(d, i) A32K(0x10, d, i)
#define AND32(d, i) A32K(0x50, d, i)
#define OR32(d, i) A32K(0x40, d, i)
#define LSH32(d, i) A32K(0x60, d, i)
#define RSH32(d, i) A32K(0x70, d, i)
#define ARSH32(d, i) A32K(0xc0, d, i)
#define MUL32(d, i) A32K(0x20, d, i)
#define MOVSX(d, s, bits) I_(0xbf, d, s, bits, 0)
#define MOVSX32(d, s, bits) I_(0xbc, d, s, bits, 0)
#define BE(d, bits) I_(0xdc, d, 0, 0, bits)
#define LE(d, bits) I_(0xd4, d, 0, 0, bits)
/* memory */
#define LDX(sz, d, s, o) I_(0x61 | (sz), d, s, o, 0)
#define LDXS(sz, d, s, o) I_(0x81 | (sz), d, s, o, 0)
#define ST(sz, d, o, i) I_(0x62 | (sz), d, 0, o, i)
#define STX(sz, d, s, o) I_(0x63 | (sz), d, s, o, 0)
#define XADD(sz, d, s, o) I_(0xc3 | (sz), d, s, o, 0)
#define XFETCH(sz, d, s, o, op) I_(0xc3 | (sz), d, s, o, op)
#define LD64(d, v) I_(0x18, d, 0, 0, (int32_t)(uint32_t)(v)), I_(0, 0, 0, 0, (int32_t)((uint64_t)(v) >> 32))
#define LDMAP(d, m) I_(0x18, d, 1, 0, m), I_(0, 0, 0, 0, 0)
#define LDMAPV(d, m, o) I_(0x18, d, 2, 0, m), I_(0, 0, 0, 0, o)
#define LDFUNC(d, o) I_(0x18, d, 4, 0, o), I_(0, 0, 0, 0, 0)
#define LDABS(sz, i) I_(0x20 | (sz), 0, 0, 0, i)
#define LDIND(sz, s, i) I_(0x40 | (sz), 0, s, 0, i)
/* jumps */
#define JA(o) I_(0x05, 0, 0, o, 0)
#define MAYGOTO(o) I_(0xe5, 0, 0, o, 0)
#define JK(op, d, i, o) I_(0x05 | (op), d, 0, o, i)
#define JX(op, d, s, o) I_(0x0d | (op), d, s, o, 0)
#define J32K(op, d, i, o) I_(0x06 | (op), d, 0, o, i)
#define J32X(op, d, s, o) I_(0x0e | (op), d, s, o, 0)
#define JEQ 0x10
#define JGT 0x20
#define JGE 0x30
#define JSET 0x40
#define JNE 0x50
#define JSGT 0x60
#define JSGE 0x70
#define JLT 0xa0
#define JLE 0xb0
#define JSLT 0xc0
#define JSLE 0xd0
#define CALL(id) I_(0x85, 0, 0, 0, id)
#define CALLL(o) I_(0x85, 0, 1, 0, o)
#define EXIT I_(0x95, 0, 0, 0, 0)
#define RAW(c, d, s, o, i) I_(c, d, s, o, i)

/* *(u32 *)(fp-4) = 0; r2 = fp-4; r1 = map M; call bpf_map_lookup_elem: 6 slots */
#define LOOKUP(m) ST(W_, 10, -4, 0), MOVR(2, 10), ADD(2, -4), LDMAP(1, m), CALL(1)
/* XDP: r2 = data, r3 = data_end (2 slots); TC: same from __sk_buff */
#define XDP_PKT LDX(W_, 2, 1, 0), LDX(W_, 3, 1, 4)
#define TC_PKT LDX(W_, 2, 1, 76), LDX(W_, 3, 1, 80)
#define RET0 MOV(0, 0), EXIT
#endif
