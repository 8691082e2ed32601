# The object model over the whole C corpus (tests/corpus, -mcpu=v1..v4, -g): read -> write
# gives clang-19's bytes back, llvm-mc-19's objects of the -S files too, and readelf -x/-S/-s
# of every section matches GNU readelf.
. "$ROOT/tests/lib.sh"
command -v "$CLANG" >/dev/null || { skip corpus-elf "$CLANG not installed"; exit 0; }
C=$BK_BUILD/corpus
if ! sh "$ROOT/tests/corpus/build.sh" "$C" > "$T/build.log" 2>&1; then
	notok corpus-elf-build "$(grep 'build.sh:' "$T/build.log" | head -3 | tr '\n' ' ')"; exit 0
fi
for cpu in v1 v2 v3 v4; do
	set -- "$C/$cpu"/*.o
	[ -f "$1" ] || { skip "corpus $cpu" "no objects"; continue; }
	$BPFKIT elfcopy --verify "$@" > "$T/v.out" 2> "$T/v.err"
	n=$(grep -c ': identical$' "$T/v.out")
	if [ "$n" -eq $# ]; then ok "corpus $cpu: $n clang objects rewritten identical"
	else notok "corpus $cpu" "$(grep -v ': identical$' "$T/v.out" "$T/v.err" | head -3 | tr '\n' ' ')"; fi
done
# llvm-mc-19 on clang's .s (what the assembler must reproduce)
if command -v llvm-mc-19 >/dev/null; then
	for cpu in v3; do
		mkdir -p "$T/mc$cpu"; bad=0; unasm=
		for s in "$C/$cpu"/*.s; do
			# llvm-mc-19 rejects some of clang-19's own v4 output (`r2 = w0`): not ours to test
			llvm-mc-19 -triple bpf -mcpu=$cpu -filetype=obj "$s" -o "$T/mc$cpu/$(basename "$s" .s).o" 2>/dev/null ||
				unasm="$unasm $(basename "$s" .s)"
		done
		[ -n "$unasm" ] && skip "llvm-mc $cpu:$unasm" "llvm-mc-19 cannot assemble the -S output of clang-19"
		set -- "$T/mc$cpu"/*.o
		$BPFKIT elfcopy --verify "$@" > "$T/v.out" 2> "$T/v.err"
		n=$(grep -c ': identical$' "$T/v.out")
		if [ "$n" -eq $# ] && [ $bad -eq 0 ]; then ok "corpus $cpu: $n llvm-mc objects rewritten identical"
		else notok "corpus llvm-mc $cpu" "$bad not assembled; $(grep -v ': identical$' "$T/v.out" "$T/v.err" | head -3 | tr '\n' ' ')"; fi
	done
fi
# GNU readelf, every section of every v3 object, in one run per object
if command -v readelf >/dev/null; then
	bad=0; cnt=0
	for o in "$C"/v3/*.o; do
		n=$(readelf -S "$o" | grep -c '^  \[')
		args="-S -s"; i=0
		while [ $i -lt "$n" ]; do args="$args -x $i"; i=$((i + 1)); done
		readelf $args "$o" > "$T/a.out" 2>&1
		$BPFKIT readelf $args "$o" > "$T/b.out" 2>&1
		cnt=$((cnt + 1))
		if ! cmp -s "$T/a.out" "$T/b.out"; then
			bad=$((bad + 1)); notok "readelf $(basename "$o")" "$(diff "$T/a.out" "$T/b.out" | head -4 | tr '\n' '|')"
		fi
	done
	[ $bad -eq 0 ] && ok "readelf -S -s -x (every section) identical for $cnt corpus objects"
fi
