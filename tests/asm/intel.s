; Every form of the ebpf_asm (Intel-like) syntax bpfkit accepts. \
  (this comment continues on this line)
.equ	HASH, 1
.equ	KEYSZ, 4
.equ	bpf_map_lookup_elem, 1
.text
.section prog
.globl entry
entry:
	ld	r0.l, [r1+013]
	ld	r2, fp
	ld	r3.l, r4
	ld	r4.l, 0xfe
	ld	r5, 0x1122334455667788
	ld	r6, 7
	ld	r1, counters
	ld	r2.b, [r1]
	ld	r2.w, [r1-2]
	ld	r2.q, [r1+8]
	ld	[r10-8], r1
	ld	[r10-4].l, r1
	ld	[r10-2].w, r1
	ld	[r10-1].b, r1
	ld	[r0].b, 12
	ld	[r0+4].l, -1
	ld	[r0+8].q, 0x7fffffff
	ldpkt	r0, [14]
	ldpkt	r0.b, [r2]
	ldpkt	r0.w, [r2+2]
	xadd	[r0], r1
	xadd	[r0+4].l, r1
	add	r0, r4
	add	r0.l, 1
	sub	r1, 2
	mul	r1, 4
	div	r1.l, r2
	mod	r1, 3
	and	r1, 0xff
	or	r1.l, r2.l
	xor	r1, r1
	lsh	r1, 2.l
	rsh	r1, 2
	arsh	r1, r3
	neg	r2
	neg	r2.l
	end	le, r3.w
	end	be, r3.l
	end	be, r3
	jr	+6
	jr	nz, r0, r1, +6
	jr	>=, r0, 14, -2
	jr	s<, r0, -1, out
	jr	&, r1, 8, out
	jr	e, r1, r2, out
	call	bpf_map_lookup_elem
	call	sub1
out:
	exit
sub1:
	ld	r0, 0
	exit
.section maps
counters: HASH, KEYSZ, 8, 1024, P
.data
.section license
_license:
	asciz	"GPL"
