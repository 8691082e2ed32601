# The complete example of shared/isa/syntax-llvm.md section 7, plus data directives.
	.section	xdp,"ax",@progbits   // program section: needs "ax"
	.globl	prog                    # global function symbol
	.p2align	3
	.type	prog,@function
prog:
	.set	KEY, 4
	r6 = r1
	w1 = KEY
	*(u32 *)(r10 - 4) = w1
	r2 = r10
	r2 += -4
	r1 = counters ll                # lddw + R_BPF_64_64
	call 1                          # helper call (src=0)
	if r0 == 0 goto .Lmiss          # .L label: not in the symbol table
	r1 = 1
	lock *(u64 *)(r0 + 0) += r1
	r1 = atomic_fetch_add((u64 *)(r0 + 8), r1)
.Lmiss:
	w1 = *(u32 *)(r6 + 12)
	call helper_sub                 # local call, resolved at assembly time (src=1)
	call ext_kfunc                  # extern: imm=-1 + R_BPF_64_32
	r0 = (s16)r0
	r0 s/= 3
	r0 = bswap32 r0
.Lloop:
	if w0 s> 100 goto .Lloop
	gotol .Lout
	r0 = 0x1122334455667788 ll
	r3 = counters + 8 ll
	r4 = .Lstr ll
.Lout:
	w0 = 2; exit                    # ';' separates statements
.Lfunc_end0:
	.size	prog, .Lfunc_end0-prog
	.p2align	3
	.type	helper_sub,@function
helper_sub:
	w0 = w1
	w0 *= 3
	exit
	.type	counters,@object
	.section	.maps,"aw",@progbits
	.globl	counters
	.p2align	3
counters:
	.zero	32
	.size	counters, 32
	.section	.rodata.str1.1,"aMS",@progbits,1
.Lstr:
	.asciz	"hello\tworld\n"
	.ascii	"\x41\102C"
	.data
	.p2align	2
vals:
	.byte	1, 2, 0xff
	.short	-1
	.long	.Lout-prog, counters
	.quad	prog + 16, 0x0102030405060708
	.section	.bss,"aw",@nobits
zeros:
	.zero	24
	.type	_license,@object
	.section	license,"aw",@progbits
	.globl	_license
_license:
	.asciz	"GPL"
	.size	_license, 4
	.addrsig
	.addrsig_sym counters
