# read -> write through the object model gives back clang-19's and llvm-mc-19's bytes,
# for every program in tests/elf at -mcpu=v1..v4, with and without -g.
. "$ROOT/tests/lib.sh"
command -v "$CLANG" >/dev/null || { skip elf-roundtrip "$CLANG not installed"; exit 0; }
for src in "$ROOT"/tests/elf/*.c; do
	b=$(basename "$src" .c)
	for cpu in v1 v2 v3 v4; do
		for g in "" -g; do
			o=$T/$b-$cpu$g.o
			if ! $CLANG -O2 $g -target bpf -I/usr/include/x86_64-linux-gnu -mcpu=$cpu -c "$src" -o "$o" 2>"$T/cc.err"; then
				notok "compile $b $cpu$g" "$(head -1 "$T/cc.err")"; continue
			fi
			if $BPFKIT elfcopy "$o" "$T/rt.o" 2>"$T/err"; then
				check_same "clang $b -mcpu=$cpu $g" "$o" "$T/rt.o"
			else
				notok "clang $b -mcpu=$cpu $g" "$(cat "$T/err")"
			fi
		done
	done
	# The assembler's target: llvm-mc-19 on clang's -S output (-g keeps BTF directives).
	if command -v llvm-mc-19 >/dev/null; then
		for cpu in v2 v4; do
			$CLANG -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -mcpu=$cpu -S "$src" -o "$T/$b.s" &&
			llvm-mc-19 -triple bpf -mcpu=$cpu -filetype=obj "$T/$b.s" -o "$T/$b-mc.o" || { notok "llvm-mc $b $cpu" "assembling failed"; continue; }
			if $BPFKIT elfcopy "$T/$b-mc.o" "$T/rt.o" 2>"$T/err"; then
				check_same "llvm-mc $b -mcpu=$cpu" "$T/$b-mc.o" "$T/rt.o"
			else
				notok "llvm-mc $b -mcpu=$cpu" "$(cat "$T/err")"
			fi
		done
	fi
done
# Refusals are one line, no output file.
printf 'not an object' > "$T/junk.o"
check_fails "elfcopy refuses junk" "not an ELF file" $BPFKIT elfcopy "$T/junk.o" "$T/out.o"
if [ -e "$T/out.o" ]; then notok "no partial output" "out.o exists"; else ok "no partial output"; fi
$CLANG -O2 -target bpfeb -I/usr/include/x86_64-linux-gnu -c "$ROOT/tests/elf/tiny.c" -o "$T/eb.o" 2>/dev/null &&
	check_fails "bpfeb refused" "big-endian (bpfeb) objects are not supported" $BPFKIT elfcopy "$T/eb.o" "$T/out.o"
