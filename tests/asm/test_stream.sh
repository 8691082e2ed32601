#!/bin/sh
# bpfkit asm on files whose sections outgrow the in-memory buffer: their bytes go to a
# scratch file, and every fixup that lands on bytes already moved out (forward jumps
# over thousands of instructions, gotol, local and global calls, calls to a local
# function of another section, lddw of local data with
# an offset, data words naming labels defined later) is patched as the object is written.
# The object must still be byte-identical to llvm-mc-19's, and an error must leave
# neither the output nor a scratch file behind.
. "$ROOT/tests/lib.sh"
if ! command -v llvm-mc-19 >/dev/null 2>&1; then
	skip "asm stream: big sections byte-identical to llvm-mc-19" "llvm-mc-19 not installed"
	exit 0
fi
# Two code sections written in turns, a data section of labels: about 40,000 instructions.
gen() { # gen NFUNC EXTRA-LAST-LINE
	awk -v nf="$1" -v extra="$2" 'BEGIN {
	print "\t.text"
	for (f = 0; f < nf; f++) {
		s = f % 2 ? "b" : "a"
		printf "\t.section\t%s,\"ax\",@progbits\n\t.globl\tf%d\n\t.p2align\t3\n\t.type\tf%d,@function\nf%d:\n", s, f, f, f
		# a jump over the whole function (about 5,000 instructions, 40 KB)
		printf "\tif r1 > 7 goto .LBB%d_end\n\tgotol .LBB%d_end\n\tcall s%d\n\tcall f%d\n", f, f, f, (f + 1) % nf
		# a local function of the other section: relocated against that section, and
		# its immediate is not the -1 of a call to a global symbol
		printf "\tcall s%d\n", (f + 1) % nf
		printf "\tr2 = data+%d ll\n\tr3 = counters ll\n", 8 * f
		for (i = 0; i < 5000; i++) {
			if (i % 500 == 0)
				printf "\tif r0 == %d goto .LBB%d_%d\n", i, f, i + 250
			if (i % 500 == 250)
				printf ".LBB%d_%d:\n", f, i
			printf "\tr0 += %d\n", i
		}
		printf ".LBB%d_end:\n\texit\n", f
		printf "s%d:\n\tr0 = 1\n\texit\n", f
		printf ".Lfunc_end%d:\n\t.size\tf%d, .Lfunc_end%d-f%d\n", f, f, f, f
	}
	print "\t.data\n\t.p2align\t3\ndata:"
	for (f = 0; f < nf; f++) {
		for (k = 0; k < 600; k++)
			printf "\t.quad\t%d\n", k
		printf "\t.quad\tf%d+8\n\t.long\t.Lfunc_end%d\n\t.long\t.Lfunc_end%d-f%d\n", f, f, f, f
	}
	print ".Ldata_end:\n\t.size\tdata, .Ldata_end-data"
	print "\t.section\t.maps,\"aw\",@progbits\n\t.globl\tcounters\n\t.p2align\t3\ncounters:\n\t.zero\t32"
	if (extra != "")
		print extra
}'
}
gen 8 "" > "$T/big.s"
llvm-mc-19 -triple bpf -mcpu=v4 -filetype=obj "$T/big.s" -o "$T/mc.o"
"$BPFKIT" asm "$T/big.s" -o "$T/bk.o"
check_same "asm stream: 40,000 instructions in two code sections and 40 KB of data, byte-identical to llvm-mc-19" "$T/mc.o" "$T/bk.o"
# the same through stdout (no scratch file there)
"$BPFKIT" asm "$T/big.s" -o - > "$T/bk-stdout.o"
check_same "asm stream: written to stdout, the same bytes" "$T/mc.o" "$T/bk-stdout.o"
# and with the scratch file in \$TMPDIR when the output's directory is not writable for it
# is not testable as root; the library call without streaming must agree too
"$BPFKIT" asm --syntax=llvm - -o "$T/bk-stdin.o" < "$T/big.s"
check_same "asm stream: read from stdin, the same bytes" "$T/mc.o" "$T/bk-stdin.o"

# an error found only at the end (an undefined label) after megabytes were moved out:
# one line with file:line:col, no output, nothing left in the directory
gen 8 "	goto .Lnowhere" > "$T/bad.s"
mkdir -p "$T/out"
check_fails "asm stream: undefined label at the end of a big file is file:line:col" \
	"bad.s:[0-9]*:[0-9]*: undefined label '.Lnowhere'" "$BPFKIT" asm "$T/bad.s" -o "$T/out/bad.o"
if [ -z "$(ls -A "$T/out")" ]; then ok "asm stream: no output and no scratch file left after the error"
else notok "asm stream: no output and no scratch file left after the error" "$(ls -A "$T/out" | tr '\n' ' ')"; fi
# a jump that does not fit, found when the section is long gone to the scratch file
awk 'BEGIN { print "\t.text\n\tgoto .Lfar"; for (i = 0; i < 40000; i++) print "\tr0 += 1"; print ".Lfar:\n\texit" }' > "$T/far.s"
check_fails "asm stream: a 16-bit jump over 40,000 instructions is refused with gotol suggested" \
	"far.s:2:.*does not fit in 16 bits.*gotol" "$BPFKIT" asm "$T/far.s" -o "$T/out/far.o"
[ ! -e "$T/out/far.o" ] && ok "asm stream: no output file after a jump that does not fit" ||
	notok "asm stream: no output file after a jump that does not fit" "far.o exists"
rm -rf "$T"
