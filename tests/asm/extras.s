# Directives beyond what clang writes, each as llvm-mc-19 does it: numeric labels
# (1:, 1b, 1f, in jumps, calls and data), .pushsection/.popsection, .previous, .comm,
# .lcomm and .incbin (test_asm.sh runs this from a directory holding inc.bin).
	.text
	.globl	f
f:
1:
	r0 = 1
	if r0 > 5 goto 1f
	goto 1b
2:	r1 = 2
1:
	if r1 == 0 goto 2b
	call 1f
	r3 = c1 ll
	r4 = l1 ll
	exit
1:	exit
	.section	.rodata,"a",@progbits
	.long	1b
	.quad	2b
	.pushsection	sec2,"ax",@progbits
	r0 = 7
	.pushsection	.data
	.long	3
	.popsection
	r0 = 8
	.popsection
	.long	9
	.section	s3,"a",@progbits
	.byte	1
	.previous
	.long	10
	.previous
	.byte	2
	.incbin	"inc.bin"
	.incbin	"inc.bin", 2
	.incbin	"inc.bin", 1, 3
	.comm	c1,16,8
	.comm	c2,4
	.lcomm	l1,12
	.lcomm	l2,3
	.data
	.quad	c2
