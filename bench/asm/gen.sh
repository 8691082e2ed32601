#!/bin/sh
# bench/asm/gen.sh N > file: an N-instruction LLVM-syntax file as clang -S writes it, for
# bench/asm/run.sh and tests/asm/test_split.sh: functions of 92 instructions with labels,
# jumps, loads/stores, atomics, helper and local calls and map loads with relocations, in 16
# code sections, plus .loc-free directives. The text depends on N alone.
set -eu
awk -v n="${1:?usage: gen.sh N}" 'BEGIN {
	print "\t.text"; print "\t.file\t\"bench.c\""
	nf = int(n / 92)
	for (f = 0; f < nf; f++) {
		printf "\t.section\tprog%d,\"ax\",@progbits\n\t.globl\tfunc%d\n\t.p2align\t3\n\t.type\tfunc%d,@function\nfunc%d:\n", f % 16, f, f, f
		for (i = 0; i < 96; i += 12) {
			printf "\tr6 = r1\n\tw1 = *(u32 *)(r6 + 4)\n\tr2 = r10\n\tr2 += -8\n"
			printf "\t*(u64 *)(r10 - 8) = r1\n\tr1 = counters ll\n\tcall 1\n"
			printf "\tif r0 == 0 goto .LBB%d_%d\n\tr1 = 1\n\tlock *(u64 *)(r0 + 0) += r1\n", f, i
			printf ".LBB%d_%d:\n\tw0 = w6\n", f, i
		}
		printf "\tw0 &= 255\n\tcall func%d\n\tr0 <<= 32\n\texit\n", (f + 1) % nf
		printf ".Lfunc_end%d:\n\t.size\tfunc%d, .Lfunc_end%d-func%d\n", f, f, f, f
	}
	print "\t.section\t.maps,\"aw\",@progbits\n\t.globl\tcounters\n\t.p2align\t3\ncounters:\n\t.zero\t32\n\t.size\tcounters, 32"
	print "\t.section\tlicense,\"aw\",@progbits\n\t.globl\t_license\n_license:\n\t.asciz\t\"GPL\"\n\t.size\t_license, 4"
}'
