#!/bin/sh
# .rept/.endr and .set/.equ with label values, byte-identical to llvm-mc-19, and their
# errors: file:line:col, no output file.
. "$ROOT/tests/lib.sh"
A="$ROOT/tests/asm"
if command -v llvm-mc-19 >/dev/null 2>&1; then
	llvm-mc-19 -triple bpf -filetype=obj "$A/rept_set.s" -o "$T/mc.o"
	"$BPFKIT" asm "$A/rept_set.s" -o "$T/bk.o"
	check_same "asm rept_set.s: .rept (nested, 0, numeric labels) and .set aliases byte-identical to llvm-mc-19" "$T/mc.o" "$T/bk.o"
	# the same text in the middle of a file read in pieces: a .rept body cut by a piece end
	awk 'BEGIN { print "\t.text\nbig:"; for (i = 0; i < 40000; i++) print "\tr0 += 1"
		print "\t.rept 3"; for (i = 0; i < 30000; i++) print "\tr1 += 2"; print "\t.endr\n\texit" }' > "$T/big.s"
	llvm-mc-19 -triple bpf -filetype=obj "$T/big.s" -o "$T/big.mc.o"
	"$BPFKIT" asm "$T/big.s" -o "$T/big.o"
	check_same "asm: a 30,000-line .rept body read across pieces, byte-identical to llvm-mc-19" "$T/big.mc.o" "$T/big.o"
	# an empty body (and one of blank lines) repeats nothing: the fuzzer found the empty one
	printf '\t.text\n\t.rept 3\n\t.endr\n\t.rept 2\n\n\t.endr\n\texit\n' > "$T/empty.s"
	llvm-mc-19 -triple bpf -filetype=obj "$T/empty.s" -o "$T/empty.mc.o"
	"$BPFKIT" asm "$T/empty.s" -o "$T/empty.o"
	check_same "asm: empty .rept bodies, byte-identical to llvm-mc-19" "$T/empty.mc.o" "$T/empty.o"
else
	skip "asm rept_set.s vs llvm-mc-19" "llvm-mc-19 not installed"
fi
printf '\t.text\n\tr0 = 1\n\t.endr\n' > "$T/e1.s"
check_fails "asm: .endr without .rept is file:line:col" "e1.s:3:2: unmatched '.endr'" "$BPFKIT" asm "$T/e1.s" -o "$T/e1.o"
printf '\t.text\n\t.rept 2\n\tr0 = 1\n' > "$T/e2.s"
check_fails "asm: .rept without .endr names the .rept" "e2.s:2:2: no matching '.endr'" "$BPFKIT" asm "$T/e2.s" -o "$T/e2.o"
printf '\t.text\n\t.rept -1\n\t.endr\n' > "$T/e3.s"
check_fails "asm: negative .rept count" "e3.s:2:8: count is negative" "$BPFKIT" asm "$T/e3.s" -o "$T/e3.o"
printf '\t.text\n\t.rept 2\nlab:\n\tr0 = 1\n\t.endr\n' > "$T/e4.s"
check_fails "asm: a label in a repeated body is a duplicate at its line" "e4.s:3:1: duplicate label 'lab'" "$BPFKIT" asm "$T/e4.s" -o "$T/e4.o"
printf '\t.text\n\t.set a, nowhere + 4\n\tr0 = 1\n' > "$T/e5.s"
check_fails "asm: .set of a symbol defined nowhere" "e5.s:2:10: .set: 'nowhere' is not defined" "$BPFKIT" asm "$T/e5.s" -o "$T/e5.o"
printf '\t.text\nf:\n\t.set f, 4\n' > "$T/e6.s"
check_fails "asm: .set of a label" "e6.s:3:7: 'f' is already defined as a label" "$BPFKIT" asm "$T/e6.s" -o "$T/e6.o"
printf '\t.text\n\t.set a, a + 1\n' > "$T/e7.s"
check_fails "asm: .set in terms of itself" "e7.s:2:10: 'a' cannot be defined in terms of itself" "$BPFKIT" asm "$T/e7.s" -o "$T/e7.o"
n=0; for i in 1 2 3 4 5 6 7; do [ -e "$T/e$i.o" ] && n=$((n + 1)); done
[ $n = 0 ] && ok "asm: no output file after any of these errors" || notok "asm: no output file after any of these errors" "$n written"
rm -rf "$T"
