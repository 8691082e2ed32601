# DWARF that llvm-mc generates from directives: the line table (.file N, .loc with
# every option, two .loc in a row, a .loc before data, big line and address steps, two
# code sections) and .debug_frame (.cfi_startproc/.cfi_endproc). Compared byte for byte
# with llvm-mc-19 by tests/asm/test_asm.sh.
	.text
	.file	"dwarf.c"
	.file	0 "/src/dir" "dwarf.c" md5 0x00112233445566778899aabbccddeeff
	.file	1 "sub" "dwarf1.c" md5 0x00112233445566778899aabbccddeeff
	.file	4 "/src/dir" "top.h" md5 0x42
	.file	5 "sub" "dwarf.c" md5 0x00112233445566778899aabbccddeeff
	.file	2 "/usr/include/linux" "bpf.h" md5 0xffeeddccbbaa99887766554433221100
	.file	3 "sub" "other.h" md5 0x1
	.cfi_sections .debug_frame
	.section	xdp,"ax",@progbits
	.globl	prog
	.p2align	3
	.type	prog,@function
prog:
	.cfi_startproc
	.loc	1 8 2 prologue_end
	r0 = 0
	.loc	1 9 0 is_stmt 0
	.loc	1 10 5
	r1 = r10
	.loc	2 2000 7 is_stmt 1 discriminator 3
	r1 += -8
	.loc	3 3 1 basic_block epilogue_begin isa 1
	r2 = 1 ll
	.loc	4 1
	w0 = 1
	.zero	8
	.loc	1 40 3
	.zero	2000
	r0 = 2
	.loc	1 12 9
	exit
	.cfi_endproc
	.section	tc,"ax",@progbits
	.globl	other
	.p2align	3
other:
	.cfi_startproc
	.loc	2 30 1 prologue_end
	r0 = 1
	.loc	2 31 1
	exit
	.cfi_endproc
	.section	.rodata,"a",@progbits
	.loc	1 77 0
	.long	5
	.section	.debug_line,"",@progbits
.Lline_table_start0:
