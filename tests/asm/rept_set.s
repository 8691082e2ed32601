# .rept/.endr (nested, count 0, numeric labels in the body, data) and .set/.equ with
# label values (aliases of functions and of temporary labels plus a constant, chains,
# forward references, a global alias): tests/asm/test_rept_set.sh checks the object
# against llvm-mc-19 byte for byte.
	.text
	.globl	f
	.type	f,@function
f:
	.rept 3
	r0 += 1
	.rept 2
	r1 = 2 # inner
	.endr
1:
	if r0 > 9 goto 1b
	.endr
	.rept 0
	r9 = 9
	.endr
	call	alias
	r2 = mid ll
	goto	tail
.Ltmp:
	r0 = 2
	exit
.Lend:
	.size	f, .Lend-f
	.set	alias, f
	.set	mid, .Ltmp + 8
	.set	tail, .Ltmp
	.globl	galias
	.set	galias, .Ltmp
	.equ	later, fwd
	.set	k, 5
	.set	chain, mid + 8
	.data
	.rept	2
	.byte	1, 2
	.short	k
	.endr
fwd:
	.long	mid
	.quad	chain
	.long	k
	.long	later
