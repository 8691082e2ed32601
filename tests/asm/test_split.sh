#!/bin/sh
# bpfkit asm in two threads: a big LLVM-syntax file is cut at a `.section` line after its
# middle, the halves are assembled at once and merged. The object must be the one that one
# thread writes (and llvm-mc-19 writes) byte for byte: labels defined in one half and used
# in the other (jumps both ways, calls, lddw, data words, .size), sections continued and
# created in the second half, .globl/.weak/.type before the definition. Where the halves
# depend on each other (.set, numeric labels, .loc, a duplicate label, an alignment the
# first half's size does not keep, flags that differ), the second half is read again by
# one thread: same object, same error message, no output file on error.
. "$ROOT/tests/lib.sh"
have_mc=yes
command -v llvm-mc-19 >/dev/null 2>&1 || have_mc=

# join F S OUT: F, comment lines, then S (which starts with a .section line), padded so
# that the cut (the first line after 52% of OUT) falls in the comment lines: the second
# half is comments, then S.
join() {
	f=$(wc -c < "$1") s=$(wc -c < "$2")
	want=$((3 * f + 2 * s))
	awk -v n=$((want - f + 200)) 'BEGIN { while (n > 0) { print "# padding padding padding padding padding padding padding padding padding pad"; n -= 76 } }' > "$T/pad"
	cat "$1" "$T/pad" "$2" > "$3"
}

# both NAME FILE merged|fallback: one thread and two threads give the same bytes (and
# llvm-mc-19's); with two threads asked for, the note says whether the halves were merged
both() {
	"$BPFKIT" asm --threads=1 "$2" -o "$T/one.o" 2> "$T/one.err" || { notok "$1: one thread" "$(cat "$T/one.err")"; return; }
	"$BPFKIT" asm --threads=2 "$2" -o "$T/two.o" 2> "$T/two.err" || { notok "$1: two threads" "$(cat "$T/two.err")"; return; }
	check_same "asm split: $1: two threads, the bytes of one thread" "$T/one.o" "$T/two.o"
	if [ "$3" = merged ]; then
		[ ! -s "$T/two.err" ] && ok "asm split: $1: assembled in two threads" ||
			notok "asm split: $1: assembled in two threads" "$(cat "$T/two.err")"
	else
		grep -q "note: .* one thread" "$T/two.err" && ok "asm split: $1: back to one thread" ||
			notok "asm split: $1: back to one thread" "no note: $(cat "$T/two.err")"
	fi
	if [ -n "$have_mc" ]; then
		llvm-mc-19 -triple bpf -mcpu=v4 -filetype=obj "$2" -o "$T/mc.o"
		check_same "asm split: $1: byte-identical to llvm-mc-19" "$T/mc.o" "$T/two.o"
	fi
}

# same_error NAME FILE: the same message from one and two threads, and no output file
same_error() {
	rm -f "$T/one.o" "$T/two.o"
	if "$BPFKIT" asm --threads=1 "$2" -o "$T/one.o" 2> "$T/one.err" ||
	   "$BPFKIT" asm --threads=2 "$2" -o "$T/two.o" 2> "$T/two.err"; then
		notok "asm split: $1: refused" "assembled"
		return
	fi
	check_same "asm split: $1: the message of one thread" "$T/one.err" "$T/two.err"
	[ ! -e "$T/two.o" ] && grep -q "^$T/x.s:[0-9]*:[0-9]*: " "$T/two.err" && ok "asm split: $1: file:line:col, no output" ||
		notok "asm split: $1: file:line:col, no output" "$(cat "$T/two.err")"
}

cat > "$T/f.s" <<'EOF'
	.text
	.file	"split.c"
	.section	a,"ax",@progbits
	.globl	f
	.p2align	3
	.type	f,@function
f:
	r0 = 0
	if r1 == 0 goto .Lfwd
	call g
	call h
	call late
	r1 = tbl ll
	r2 = tbl + 16 ll
.Lback:
	r0 += 1
	.globl	late
	.weak	wk
	.hidden	g
	.section	.data,"aw",@progbits
	.p2align	3
d0:
	.quad	g
	.long	.Lback
	.long	.Lfwd
	.quad	wk
EOF
cat > "$T/s.s" <<'EOF'
	.section	a,"ax",@progbits
	r0 += 2
	if r0 > 5 goto .Lback
	if w0 < 7 goto .Lback
.Lfwd:
	exit
.Lfunc_end0:
	.size	f, .Lfunc_end0-f
	.globl	g
	.p2align	3
	.type	g,@function
g:
	call f
	r1 = d0 ll
	r1 = d0 + 8 ll
	gotol .Lback
	exit
h:
	r0 = 1
	exit
late:
wk:
	exit
	.type	late,@function
	.section	b,"ax",@progbits
	.globl	k
	.type	k,@function
k:
	call g
	call h
	goto .Lk
.Lk:
	exit
	.section	.data,"aw",@progbits
	.p2align	3
tbl:
	.quad	f
	.quad	d0 + 8
	.long	.Lback - f
	.long	.Lk
	.quad	.Lfwd
	.size	tbl, 28
	.section	.bss,"aw",@nobits
	.p2align	2
z:
	.zero	16
	.section	.maps,"aw",@progbits
	.globl	m
	.p2align	3
m:
	.zero	32
	.addrsig
	.addrsig_sym	g
	.addrsig_sym	f
EOF
join "$T/f.s" "$T/s.s" "$T/x.s"
both "labels, calls, lddw and data across the cut; sections continued and new" "$T/x.s" merged

# the first half ends in the middle of .data at an odd size; the second half aligns it
printf '\t.section\t.data,"aw",@progbits\n\t.byte\t1\n' >> "$T/f.s"
join "$T/f.s" "$T/s.s" "$T/x.s"
both "an alignment the first half's size does not keep" "$T/x.s" fallback

# .set, numeric labels, .loc in the second half / a .set constant of the first half used
cat "$T/f.s" > "$T/f2.s"
printf '\t.section\t.data,"aw",@progbits\n\t.zero\t7\n' >> "$T/f2.s"
{ cat "$T/s.s"; printf '\t.set\tcst, 5\n\t.section\ta,"ax",@progbits\n\tr0 = cst\n\texit\n'; } > "$T/s2.s"
join "$T/f2.s" "$T/s2.s" "$T/x.s"
both ".set in the second half" "$T/x.s" fallback
{ cat "$T/s.s"; printf '\t.section\ta,"ax",@progbits\n1:\n\tgoto 1b\n'; } > "$T/s2.s"
join "$T/f2.s" "$T/s2.s" "$T/x.s"
both "a numeric label in the second half" "$T/x.s" fallback
{ cat "$T/f2.s"; printf '\t.set\tk1, 3\n'; } > "$T/f3.s"
{ cat "$T/s.s"; printf '\t.section\ta,"ax",@progbits\n\tr0 = k1\n\tr1 = k1 ll\n\tcall k1\n\texit\n'; } > "$T/s2.s"
join "$T/f3.s" "$T/s2.s" "$T/x.s"
both "a .set constant of the first half used in the second" "$T/x.s" fallback
join "$T/f2.s" "$T/s.s" "$T/x.s"
both "the same halves merged again once the data is aligned" "$T/x.s" merged

# errors: a label defined in both halves, an undefined label in the second half (found
# after the merge: its line must count the first half's lines), flags that differ
{ cat "$T/s.s"; printf '\t.section\ta,"ax",@progbits\nf:\n\texit\n'; } > "$T/s2.s"
join "$T/f2.s" "$T/s2.s" "$T/x.s"
same_error "a label defined in both halves" "$T/x.s"
{ cat "$T/s.s"; printf '\t.section\ta,"ax",@progbits\n\tgoto .Lnowhere\n'; } > "$T/s2.s"
join "$T/f2.s" "$T/s2.s" "$T/x.s"
same_error "an undefined label in the second half" "$T/x.s"
grep -q "x.s:$(grep -n 'goto .Lnowhere' "$T/x.s" | cut -d: -f1):[0-9]*: undefined label" "$T/two.err" &&
	ok "asm split: the undefined label's line counts the first half's lines" ||
	notok "asm split: the undefined label's line counts the first half's lines" "$(cat "$T/two.err")"
{ printf '\t.section\tb,"aw",@progbits\n'; cat "$T/s.s"; } > "$T/s2.s"
{ cat "$T/f2.s"; printf '\t.section\tb,"ax",@progbits\n\texit\n'; } > "$T/f3.s"
join "$T/f3.s" "$T/s2.s" "$T/x.s"
same_error "a section declared again with other flags" "$T/x.s"

# what the second half settles alone before the merge: a .size over two of its own
# labels (folded: the end label is not carried over), one whose end label the first half
# refers to too (kept), a .size over labels of two of its sections (an error, with the
# line of one thread), a label only its own .size names that the first half defines too
{ cat "$T/s.s"; cat <<'EOF2'; } > "$T/s3.s"
	.section	c,"ax",@progbits
	.globl	q
	.type	q,@function
q:
	r0 = 3
	exit
.Lq_end:
	.size	q, .Lq_end-q
	.globl	q2
	.type	q2,@function
q2:
	exit
.Lq2_end:
	.size	q2, .Lq2_end-q2
EOF2
{ cat "$T/f2.s"; printf '\t.section\t.data,"aw",@progbits\n\t.long\t.Lq2_end\n\t.zero\t4\n'; } > "$T/f3.s"
join "$T/f3.s" "$T/s3.s" "$T/x.s"
both ".size over the second half's own labels, one of them used by the first half" "$T/x.s" merged
{ cat "$T/s3.s"; printf '\t.section\td,"ax",@progbits\n.Lother:\n\texit\n\t.size\tq, .Lother-q\n'; } > "$T/s4.s"
join "$T/f2.s" "$T/s4.s" "$T/x.s"
same_error "a .size over labels of two sections of the second half" "$T/x.s"
grep -q "x.s:$(grep -n 'size.q, .Lother-q' "$T/x.s" | cut -d: -f1):[0-9]*: " "$T/two.err" &&
	ok "asm split: the .size error's line counts the first half's lines" ||
	notok "asm split: the .size error's line counts the first half's lines" "$(cat "$T/two.err")"
{ cat "$T/f2.s"; printf '\t.section\ta,"ax",@progbits\n.Lq_end:\n\texit\n'; } > "$T/f3.s"
join "$T/f3.s" "$T/s3.s" "$T/x.s"
same_error "a label of both halves that only the second half's .size names" "$T/x.s"

# a big file as clang writes it (bench/asm/gen.sh, 150,000 instructions: the cut falls in
# a function, in a section the second half switches to again later), and one over the
# 4 MiB from which two threads are the default
sh "$ROOT/bench/asm/gen.sh" 150000 > "$T/big.s"
both "150,000 instructions in 16 code sections" "$T/big.s" merged

# cuts in the middle of a section: .text, which the second half switches to again after
# a data section (the cut's bytes go before the later ones); .bss, where one thread
# refuses what the second half took for bytes of a section; a comment block
awk 'BEGIN { print "\t.text\n\t.globl\tf\nf:"
	for (i = 0; i < 20000; i++) { if (i % 100 == 0) printf "\tif r0 > %d goto .L%d\n\tif r0 < %d goto .Lb%d\n", i, i + 150, i, i < 100 ? 50 : i - 50; if (i % 100 == 50) printf ".L%d:\n.Lb%d:\n", i + 100, i; print "\tr0 += 1" }
	print ".Lend:\n\texit\n\t.data\n\t.p2align\t3\nd:"
	for (i = 0; i < 100; i++) print "\t.quad\tf"
	print "\t.text\n\tcall f\n\tgoto .Lend\n\texit" }' > "$T/x.s"
both "a cut in .text, switched to again after .data" "$T/x.s" merged
awk 'BEGIN { print "\t.text\n\tr0 = 0\n\texit\n\t.bss\n\t.p2align\t3"
	for (i = 0; i < 20000; i++) printf "\t.globl\tb%d\nb%d:\n\t.zero\t8\n", i, i
	print "\t.text\n\tr1 = b7 ll\n\texit" }' > "$T/x.s"
both "a cut in .bss" "$T/x.s" fallback
awk 'BEGIN { print "\t.text\n\tr0 = 0\n/*"
	for (i = 0; i < 20000; i++) print "  r0 += 1"
	print "*/\n\texit" }' > "$T/x.s"
both "a cut in a comment block" "$T/x.s" fallback
sh "$ROOT/bench/asm/gen.sh" 250000 > "$T/big.s"
"$BPFKIT" asm --threads=1 "$T/big.s" -o "$T/one.o"
"$BPFKIT" asm "$T/big.s" -o "$T/def.o"
check_same "asm split: a 4.6 MB file, the default (two threads) gives one thread's bytes" "$T/one.o" "$T/def.o"
rm -rf "$T"
