#!/bin/sh
# bpfkit asm: llvm-mc-identical output for a hand-written file, Intel-like syntax checked
# against llvm-objdump-19, errors with file:line:col and no output file, cpu levels,
# probe, objdump round trip, and kernel loading of assembled corpus objects.
. "$ROOT/tests/lib.sh"
A="$ROOT/tests/asm"
have_mc=0; command -v llvm-mc-19 >/dev/null 2>&1 && have_mc=1

check "asm --help" sh -c "\"$BPFKIT\" asm --help | grep -q 'Usage: bpfkit asm'"

# 1. a file using every kind of statement clang writes: byte-identical to llvm-mc-19
if [ $have_mc = 1 ]; then
	llvm-mc-19 -triple bpf -mcpu=v4 -filetype=obj "$A/example.s" -o "$T/ex.mc.o"
	"$BPFKIT" asm "$A/example.s" -o "$T/ex.o"
	check_same "asm example.s: whole object byte-identical to llvm-mc-19" "$T/ex.mc.o" "$T/ex.o"
	# stdin, default output names, --raw
	"$BPFKIT" asm - -o "$T/stdin.o" < "$A/example.s"
	check_same "asm reads stdin" "$T/ex.mc.o" "$T/stdin.o"
	# DWARF from .file/.loc/.cfi_*: .debug_line, .debug_line_str, .debug_frame and their
	# relocations, byte-identical
	llvm-mc-19 -triple bpf -filetype=obj "$A/dwarf.s" -o "$T/dw.mc.o"
	"$BPFKIT" asm "$A/dwarf.s" -o "$T/dw.o"
	check_same "asm dwarf.s: line table, line strings and frames byte-identical to llvm-mc-19" "$T/dw.mc.o" "$T/dw.o"
	check "asm dwarf.s: the object has .debug_line, .debug_line_str and .debug_frame" sh -c \
		"llvm-readelf-19 -S '$T/dw.o' | grep -q ' .debug_line_str ' && llvm-readelf-19 -S '$T/dw.o' | grep -q ' .debug_frame '"
	# a big file with .loc: the same through the piece-by-piece reader
	awk 'BEGIN { print "\t.file\t0 \"/d\" \"a.c\"\n\t.file\t1 \"/d\" \"b.c\"\n\t.cfi_sections .debug_frame\n\t.section\tp,\"ax\",@progbits\n\t.cfi_startproc"
		for (i = 0; i < 60000; i++) { printf "\t.loc\t1 %d %d\n\tr0 = %d\n", 1 + (i * 7) % 5000, i % 80, i }
		print "\texit\n\t.cfi_endproc" }' > "$T/bigdw.s"
	llvm-mc-19 -triple bpf -filetype=obj "$T/bigdw.s" -o "$T/bigdw.mc.o"
	"$BPFKIT" asm "$T/bigdw.s" -o "$T/bigdw.o"
	check_same "asm: 60000 .loc lines read in pieces, byte-identical to llvm-mc-19" "$T/bigdw.mc.o" "$T/bigdw.o"
	# numeric labels, section stack, .comm/.lcomm, .incbin
	mkdir -p "$T/x"
	printf 'ABCDEFGH' > "$T/x/inc.bin"
	(cd "$T/x" && llvm-mc-19 -triple bpf -filetype=obj "$A/extras.s" -o ex.mc.o && "$BPFKIT" asm "$A/extras.s" -o ex.o)
	check_same "asm extras.s: 1:/1b/1f, .pushsection/.popsection/.previous, .comm/.lcomm, .incbin as llvm-mc-19" "$T/x/ex.mc.o" "$T/x/ex.o"
else
	skip "asm example.s vs llvm-mc-19" "llvm-mc-19 not installed"
fi
cp "$A/example.s" "$T/prog.s"
(cd "$T" && "$BPFKIT" asm prog.s && "$BPFKIT" asm --raw prog.s)
check "asm default output names prog.o and prog.bin" test -s "$T/prog.o" -a -s "$T/prog.bin"
# --raw: the first code section's bytes (xdp: 31 slots)
check "asm --raw writes the first code section" test "$(wc -c < "$T/prog.bin")" -eq 248

# 2. Intel-like (ebpf_asm) syntax: every form, read back by llvm-objdump-19
if command -v llvm-objdump-19 >/dev/null 2>&1; then
	"$BPFKIT" asm --syntax=intel "$A/intel.s" -o "$T/intel.o"
	llvm-objdump-19 -d --no-show-raw-insn --mcpu=v4 "$T/intel.o" | sed -n 's/^ *[0-9]*:\t//p' | sed 's/ <.*>$//' > "$T/intel.got"
	check_same "asm intel: every form decodes as expected by llvm-objdump-19" "$A/intel.expect" "$T/intel.got"
	llvm-readelf-19 -r -s "$T/intel.o" > "$T/intel.sym"
	check "asm intel: map reference relocated (R_BPF_64_64 counters)" grep -q 'R_BPF_64_64 .* counters' "$T/intel.sym"
	check "asm intel: map definition is a 20-byte object" grep -q ' 20 OBJECT  GLOBAL DEFAULT .* counters' "$T/intel.sym"
	"$BPFKIT" asm "$A/intel.s" -o "$T/intel2.o"
	check_same "asm intel: syntax detected from the text" "$T/intel.o" "$T/intel2.o"
else
	skip "asm intel" "llvm-objdump-19 not installed"
fi
printf '.include "inc.i"\n.text\n.section p\n\tld r0, VAL\n\texit\n' > "$T/inc.s"
printf '; included\n.equ VAL, 42\n' > "$T/inc.i"
(cd "$T" && "$BPFKIT" asm --syntax=intel --raw inc.s -o inc.bin)
check "asm intel .include and .equ" sh -c "od -An -tx1 '$T/inc.bin' | tr -d ' \n' | grep -q '^180000002a0000000000000000000000950000'"
printf '.text\n.section p\n\tld r1.l, [r2+4].w\n' > "$T/bad1.s"
check_fails "asm intel: operand sizes must agree" "bad1.s:3:2: operand sizes differ" "$BPFKIT" asm --syntax=intel "$T/bad1.s" -o "$T/bad1.o"
printf '.text\n.section p\n\tfrob r1, r2\n' > "$T/bad2.s"
check_fails "asm intel: unknown mnemonic" "bad2.s:3:2: unknown instruction 'frob'" "$BPFKIT" asm --syntax=intel "$T/bad2.s" -o "$T/bad2.o"
# (found by fuzz/asm: a target-less jr read an operand that was never parsed)
printf '.text\n.section p\n\tjr ; no target\n' > "$T/bad3.s"
check_fails "asm intel: jr without a target" "bad3.s:3:2: jr takes a target" "$BPFKIT" asm --syntax=intel "$T/bad3.s" -o "$T/bad3.o"
# (found by fuzz/asm: `.include` with nothing after it read the name's first byte past its end)
printf '.include' > "$T/bad4.s"
check_fails "asm intel: .include without a file name" "bad4.s:1:9: .include takes a file name" "$BPFKIT" asm --syntax=intel "$T/bad4.s" -o "$T/bad4.o"

# 3. errors: one line file:line:col: reason, non-zero exit, no output file
err() { # err NAME PATTERN TEXT [ASM ARGS]
	n=$1 pat=$2 text=$3; shift 3
	printf '%b' "$text" > "$T/e.s"
	rm -f "$T/e.o"
	check_fails "asm error: $n" "$pat" "$BPFKIT" asm "$@" "$T/e.s" -o "$T/e.o"
	if [ -e "$T/e.o" ]; then notok "asm error: $n leaves no output" "e.o exists"; fi
}
err "unknown mnemonic" "e.s:2:2: unknown instruction 'frob'" "\tr0 = 1\n\tfrob r1, r2\n"
err "bad register" "e.s:1:7: invalid register 'r11'" "\tr1 = r11\n"
err "register width" "e.s:1:8: invalid operand" "\tw1 += r2\n"
err "immediate range" "e.s:1:7: immediate 4294967296 out of range \[-2147483648, 4294967295\]" "\tr1 = 4294967296\n"
err "offset range" "e.s:1:20: offset -32769 out of range \[-32768, 32767\]" "\tr1 = *(u64 *)(r10 - 32769)\n"
err "undefined label" "e.s:2:7: undefined label 'nowhere'" "\tr0 = 0\n\tgoto nowhere\n\texit\n"
err "duplicate label" "e.s:3:1: duplicate label 'a'" "a:\n\texit\na:\n"
err "unterminated string" "e.s:2:9: unterminated string" "\t.data\n\t.asciz \"abc\n"
err "unknown directive" "e.s:1:2: unknown directive '.frobnicate'" "\t.frobnicate 1\n"
err "instruction in a NOBITS section" "e.s:2:2: instruction in NOBITS section '.bss'" "\t.bss\n\tr0 = 0\n"
err "section flags" "e.s:1:14: unknown section flag 'q'" "\t.section x,\"q\",@progbits\n"
err "section redeclared with another kind" "section 'x' was declared with different flags" "\t.section x,\"ax\",@progbits\n\t.section x,\"aw\",@progbits\n"
err "unsupported CFI directive" "e.s:2:2: unsupported CFI directive '.cfi_offset'" "\t.cfi_startproc\n\t.cfi_offset r1, 8\n"
err ".loc without its .file" "e.s:2:7: unassigned file number 3 in .loc" "\t.file 1 \"a.c\"\n\t.loc 3 1 1\n\texit\n"
err "unfinished frame" "e.s:1:2: unfinished frame" "\t.cfi_startproc\n\texit\n"
err "numeric label back with none before" "e.s:1:7: no numeric label 1 before this '1b'" "\tgoto 1b\n"
err "numeric label forward never defined" "e.s:2:7: no numeric label 1 after this reference" "\tr0 = 1\n\tgoto 1f\n\texit\n"
err ".popsection without .pushsection" "e.s:1:2: .popsection without corresponding .pushsection" "\t.popsection\n"
err ".incbin of a missing file" "e.s:1:10: could not find incbin file 'no/such/file'" "\t.incbin \"no/such/file\"\n"
err ".comm twice" "e.s:2:8: invalid symbol redefinition of 'x'" "\t.comm x,4\n\t.comm x,4\n"
err "data value range" "e.s:2:8: value 256 does not fit in 1 byte" "\t.data\n\t.byte 256\n"
err "cpu level (issue's example)" "e.s:1:2: 'if r1 < r2 goto' needs -mcpu=v2 or newer (selected v1)" "\tif r1 < r2 goto +1\n\texit\n" -mcpu=v1
err "cpu level v4 form at v3" "needs -mcpu=v4 or newer (selected v3)" "\tr0 = (s8)r1\n" -mcpu=v3
err "generic means v1" "needs -mcpu=v3 or newer (selected v1)" "\tw0 = 1\n" -mcpu=generic
awk 'BEGIN { print "\tgoto .Lfar"; for (i = 0; i < 33000; i++) print "\tr0 = 1"; print ".Lfar:\n\texit" }' > "$T/far.s"
rm -f "$T/far.o"
check_fails "asm error: jump beyond 16 bits suggests gotol" "far.s:1:7: jump offset 33000 does not fit in 16 bits .*use gotol (needs -mcpu=v4)" "$BPFKIT" asm "$T/far.s" -o "$T/far.o"
sed 's/goto .Lfar/gotol .Lfar/' "$T/far.s" > "$T/farl.s"
check "asm gotol reaches beyond 16 bits" "$BPFKIT" asm "$T/farl.s" -o "$T/farl.o"
check_fails "asm: unknown -mcpu" "unknown -mcpu 'v9'" "$BPFKIT" asm -mcpu=v9 "$A/example.s" -o "$T/x.o"
check_fails "asm: unknown syntax" "unknown syntax 'att'" "$BPFKIT" asm --syntax=att "$A/example.s" -o "$T/x.o"

# clang -mcpu=v3 prints the zero-extending move as rD = wS (llvm-mc-19 rejects it)
printf '\tr1 = w2\n\texit\n' > "$T/zext.s"
"$BPFKIT" asm --raw -mcpu=v3 "$T/zext.s" -o "$T/zext.bin"
check "asm accepts clang's 'r1 = w2' as mov32 (bc 21)" sh -c "od -An -tx1 '$T/zext.bin' | tr -d ' \n' | grep -q '^bc2100000000000095'"

# 4. -mcpu=probe asks the kernel (or warns and uses v1)
"$BPFKIT" asm -mcpu=probe --raw "$A/example.s" -o "$T/probe.bin" 2> "$T/probe.err"
if grep -q 'the running kernel accepts v[1-4]' "$T/probe.err"; then ok "asm -mcpu=probe names the level it chose"
elif grep -q 'warning: -mcpu=probe: cannot ask the kernel' "$T/probe.err"; then ok "asm -mcpu=probe warns and falls back to v1"
else notok "asm -mcpu=probe" "$(cat "$T/probe.err")"; fi

# 5. objdump round trip: every code section of the corpus objects, printed by
# `bpfkit objdump -d` (ubpf and LLVM text), assembled again and disassembled again
C="$BK_BUILD/corpus/v4"
if [ -d "$C" ] && ls "$C"/*.o >/dev/null 2>&1; then
	nobj=0 nsec=0 nbad=0
	for src in "$ROOT"/tests/corpus/*.c; do
		o="$C/$(basename "$src" .c).o"
		[ -f "$o" ] || continue
		nobj=$((nobj+1))
		for syn in ubpf llvm; do
			"$BPFKIT" objdump -d --no-show-raw-insn --syntax=$syn "$o" > "$T/od.txt" 2>/dev/null || { nbad=$((nbad+1)); continue; }
			rm -f "$T"/sec.*.txt
			awk -v d="$T" '/^Disassembly of section / { n++; next }
			     /^ *[0-9]+:\t/ { sub("^ *[0-9]+:\t", ""); sub(" <[^ ]*>$", ""); print > (d "/sec." n ".txt") }' "$T/od.txt"
			for f in "$T"/sec.*.txt; do
				[ -f "$f" ] || continue
				nsec=$((nsec+1))
				if ! "$BPFKIT" asm --syntax=$syn --raw "$f" -o "$T/rt.bin" 2> "$T/rt.err"; then
					nbad=$((nbad+1)); echo "round trip $syn $(basename "$o"): $(head -1 "$T/rt.err")" >&2; continue
				fi
				"$BPFKIT" disasm --no-show-raw-insn --syntax=$syn "$T/rt.bin" | sed 's/^ *[0-9]*:\t//; s/ <[^ ]*>$//' > "$T/again.txt"
				cmp -s "$f" "$T/again.txt" || { nbad=$((nbad+1)); echo "round trip $syn $(basename "$o") differs: $(diff "$f" "$T/again.txt" | head -3 | tr '\n' ' ')" >&2; }
			done
		done
	done
	if [ $nobj -gt 0 ] && [ $nbad -eq 0 ]; then ok "asm objdump round trip: $nobj corpus objects, $nsec section listings (ubpf and llvm) reassemble to the same instructions"
	else notok "asm objdump round trip" "$nbad of $nsec section listings failed"; fi
else
	skip "asm objdump round trip" "no corpus objects in $C (tests/corpus/build.sh not run yet)"
fi

# 6. kernel: assembled corpus objects load with bpftool prog loadall (private bpffs)
G="$BK_BUILD/corpus/v3"
if ! have_kernel_bpf; then
	skip "asm objects load in the kernel" "needs root and a BTF kernel"
elif ! command -v bpftool >/dev/null 2>&1 || ! command -v unshare >/dev/null 2>&1; then
	skip "asm objects load in the kernel" "bpftool or unshare missing"
elif [ ! -d "$G" ]; then
	skip "asm objects load in the kernel" "no corpus build in $G"
else
	for p in xdp_pass map_hash bpf2bpf atomics tail_call ringbuf; do
		[ -f "$G/$p.s" ] || { skip "asm kernel load $p" "no $p.s in the corpus"; continue; }
		"$BPFKIT" asm -mcpu=v3 "$G/$p.s" -o "$T/k_$p.o" || { notok "asm kernel load $p" "assembly failed"; continue; }
		mkdir -p "$T/fs_$p"
		if unshare -m sh -c "mount -t bpf bpf '$T/fs_$p' && bpftool prog loadall '$T/k_$p.o' '$T/fs_$p/p' && ls '$T/fs_$p/p' | grep -q .; r=\$?; rm -rf '$T/fs_$p/p'; umount '$T/fs_$p'; exit \$r" > "$T/k.out" 2>&1; then
			ok "asm kernel: bpftool prog loadall of bpfkit's $p.o"
		elif unshare -m sh -c "mount -t bpf bpf '$T/fs_$p' && bpftool prog loadall '$G/$p.o' '$T/fs_$p/p'; r=\$?; rm -rf '$T/fs_$p/p'; umount '$T/fs_$p'; exit \$r" > /dev/null 2>&1; then
			notok "asm kernel: bpftool prog loadall of bpfkit's $p.o" "$(tail -2 "$T/k.out" | tr '\n' ' ')"
		else
			skip "asm kernel load $p" "clang's own $p.o does not load with bpftool 7.1 either"
		fi
	done
fi
rm -rf "$T"
