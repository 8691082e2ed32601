#!/bin/sh
# .rept/.endr and .set/.equ with label values, byte-identical to llvm-mc-19, and their
# errors: file:line:col, no output file.
. "$ROOT/tests/lib.sh"
A="$ROOT/tests/asm"
# same_as_mc NAME FILE: bpfkit assembles FILE to the bytes llvm-mc-19 does.
same_as_mc() {
	rm -f "$T/mc.o" "$T/bk.o"
	llvm-mc-19 -triple bpf -filetype=obj "$2" -o "$T/mc.o"
	"$BPFKIT" asm "$2" -o "$T/bk.o"
	check_same "$1" "$T/mc.o" "$T/bk.o"
}
if command -v llvm-mc-19 >/dev/null 2>&1; then
	same_as_mc "asm rept_set.s: .rept (nested, 0, numeric labels) and .set aliases byte-identical to llvm-mc-19" "$A/rept_set.s"
	# the same text in the middle of a file read in pieces: a .rept body cut by a piece end
	awk 'BEGIN { print "\t.text\nbig:"; for (i = 0; i < 40000; i++) print "\tr0 += 1"
		print "\t.rept 3"; for (i = 0; i < 30000; i++) print "\tr1 += 2"; print "\t.endr\n\texit" }' > "$T/big.s"
	same_as_mc "asm: a 30,000-line .rept body read across pieces, byte-identical to llvm-mc-19" "$T/big.s"
	# an empty body (and one of blank lines) repeats nothing: the fuzzer found the empty one
	printf '\t.text\n\t.rept 3\n\t.endr\n\t.rept 2\n\n\t.endr\n\texit\n' > "$T/empty.s"
	same_as_mc "asm: empty .rept bodies, byte-identical to llvm-mc-19" "$T/empty.s"
else
	skip "asm rept_set.s vs llvm-mc-19" "llvm-mc-19 not installed"
fi

# The errors, one a line: what is checked | the source (a printf format) | LINE:COL: message.
# Case K is written to eK.s, must fail with "eK.s:LINE:COL: message" and leave no eK.o.
k=0 written=0
while IFS='|' read -r what src want <&3; do
	k=$((k + 1))
	printf "$src" > "$T/e$k.s"
	check_fails "asm: $what" "e$k.s:$want" "$BPFKIT" asm "$T/e$k.s" -o "$T/e$k.o"
	[ -e "$T/e$k.o" ] && written=$((written + 1))
done 3<<'CASES'
.endr without .rept is file:line:col|\t.text\n\tr0 = 1\n\t.endr\n|3:2: unmatched '.endr'
.rept without .endr names the .rept|\t.text\n\t.rept 2\n\tr0 = 1\n|2:2: no matching '.endr'
negative .rept count|\t.text\n\t.rept -1\n\t.endr\n|2:8: count is negative
a label in a repeated body is a duplicate at its line|\t.text\n\t.rept 2\nlab:\n\tr0 = 1\n\t.endr\n|3:1: duplicate label 'lab'
.set of a symbol defined nowhere|\t.text\n\t.set a, nowhere + 4\n\tr0 = 1\n|2:10: .set: 'nowhere' is not defined
.set of a label|\t.text\nf:\n\t.set f, 4\n|3:7: 'f' is already defined as a label
.set in terms of itself|\t.text\n\t.set a, a + 1\n|2:10: 'a' cannot be defined in terms of itself
CASES
if [ $k = 7 ] && [ $written = 0 ]; then
	ok "asm: no output file after any of these errors"
else
	notok "asm: no output file after any of these errors" "$written written of $k cases"
fi
rm -rf "$T"
