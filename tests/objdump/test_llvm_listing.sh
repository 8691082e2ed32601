# bpfkit objdump against llvm-objdump-19 on every corpus object at every cpu level.
. "$ROOT/tests/lib.sh"
command -v llvm-objdump-19 >/dev/null || { notok llvm-objdump "llvm-objdump-19 missing (scripts/install-deps.sh)"; exit 0; }
C=$BK_BUILD/corpus
min=150
if [ -f "$ROOT/tests/corpus/build.sh" ]; then
	if ! sh "$ROOT/tests/corpus/build.sh" "$C" > "$T/build.log" 2>&1; then
		notok corpus-build "$(tail -3 "$T/build.log" | tr '\n' ' ')"; exit 0
	fi
else
	skip "corpus" "tests/corpus is not in this tree; comparing the examples only"
	C=$T/corpus min=12
	for cpu in v1 v2 v3 v4; do
		mkdir -p "$C/$cpu"
		$CLANG $BPF_CFLAGS -mcpu=$cpu -c "$ROOT/examples/hello.c" -o "$C/$cpu/hello.o"
	done
fi
# One llvm-objdump run per cpu level and flag set over all objects (each file gets its
# own header, so a difference still names its object).
n=0 same=0
for cpu in v1 v2 v3 v4; do
	set -- "$C/$cpu"/*.o
	for flags in "-d -r" "-d" "-d --no-show-raw-insn"; do
		[ "$cpu" != v4 ] && [ "$flags" != "-d -r" ] && continue
		n=$((n + $#))
		llvm-objdump-19 $flags --mcpu=v4 "$@" > "$T/llvm.txt" 2>&1
		"$BPFKIT" objdump $flags "$@" > "$T/bk.txt" 2>&1
		if cmp -s "$T/llvm.txt" "$T/bk.txt"; then
			same=$((same + $#))
		else
			notok "objdump $flags $cpu" "$(diff "$T/llvm.txt" "$T/bk.txt" | head -4 | tr '\n' '|')"
			same=$((same + $# - 1))
		fi
	done
done
# -j selects a section; several files print one header each, as llvm-objdump does.
o=$C/v4/$(ls "$C/v4" | grep '\.o$' | head -1)
sec=$(llvm-objdump-19 -d "$o" | sed -n 's/^Disassembly of section \(.*\):$/\1/p' | tail -1)
llvm-objdump-19 -d --mcpu=v4 -j "$sec" "$o" "$o" > "$T/llvm.txt"
"$BPFKIT" objdump -d -j "$sec" "$o" "$o" > "$T/bk.txt"
check_same "objdump -j $sec, two files" "$T/llvm.txt" "$T/bk.txt"

# Raw bytecode listing in all three syntaxes, and the ubpf text re-reads as the same bytes
# through the conformance test files' own encodings.
printf '\267\000\000\000\052\000\000\000\225\000\000\000\000\000\000\000' > "$T/p.bin"
"$BPFKIT" disasm --syntax=kernel "$T/p.bin" > "$T/k.txt"
printf '   0: (b7) r0 = 42\n   1: (95) exit\n' > "$T/k.want"
check_same "disasm kernel syntax" "$T/k.want" "$T/k.txt"
printf 'mov %%r0, 42\nexit\n' > "$T/u.want"
"$BPFKIT" disasm --syntax=ubpf "$T/p.bin" > "$T/u.txt"
check_same "disasm ubpf syntax" "$T/u.want" "$T/u.txt"

# Bad input: one line, non-zero, no crash.
printf 'abc' > "$T/short.bin"
check_fails "disasm refuses a partial instruction" "not a multiple of 8" "$BPFKIT" disasm "$T/short.bin"
check_fails "objdump refuses a non-ELF file" "short.bin" "$BPFKIT" objdump -d "$T/short.bin"
check_fails "objdump missing file" "no-such" "$BPFKIT" objdump -d "$T/no-such.o"
check_fails "objdump unknown option" "unknown option" "$BPFKIT" objdump -d --bogus "$o"

# -S: source lines from .BTF.ext interleaved; without them the listing is -d's exactly.
o=$C/v3/$(ls "$C/v3" | grep '\.o$' | head -1)
"$BPFKIT" objdump -S "$o" > "$T/s.txt" 2>&1
"$BPFKIT" objdump -d "$o" > "$T/d.txt" 2>&1
grep -v '^; ' "$T/s.txt" > "$T/s-stripped.txt"
check_same "objdump -S minus source lines equals -d" "$T/d.txt" "$T/s-stripped.txt"
src=$(grep '^; ' "$T/s.txt" | head -1 | cut -c3-)
[ -n "$src" ] && grep -qF -- "$src" "$ROOT"/tests/corpus/*.c "$ROOT"/examples/*.c 2>/dev/null \
	&& ok "objdump -S shows real source lines" || notok "objdump -S shows real source lines" "first: '$src'"
$CLANG -O2 -target bpf -I/usr/include/x86_64-linux-gnu -c "$ROOT/examples/hello.c" -o "$T/nog.o"
"$BPFKIT" objdump -S "$T/nog.o" > /dev/null 2> "$T/nog.err"
grep -q "no line info" "$T/nog.err" && ok "objdump -S says when there is no line info" || notok "objdump -S without -g" "$(cat "$T/nog.err")"
