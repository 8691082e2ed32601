# bpfkit jit: listing, summary, refusal, bad input.
. "$ROOT/tests/lib.sh"
# r0 = 6; r0 *= 7; loop: r1 += 1; if r1 < 10 goto loop; exit
printf '\267\000\000\000\006\000\000\000\047\000\000\000\007\000\000\000\007\001\000\000\001\000\000\000\245\001\376\377\012\000\000\000\225\000\000\000\000\000\000\000' > "$T/p.bin"
"$BPFKIT" jit --raw "$T/p.bin" > "$T/out" 2>&1
check "jit listing summary" grep -q '^prog: 5 instructions, [0-9]* bytes of x86-64, 5 inline, 0 through the runtime' "$T/out"
check "jit listing names BPF instructions" grep -q '^1: r0 \*= 0x7' "$T/out"
if "$BPFKIT" version | grep -q 'x86 listing on'; then
	check "jit listing shows x86 (imul)" grep -q 'imul' "$T/out"
	check "jit listing shows the epilogue ret" grep -q 'ret' "$T/out"
else
	skip jit-x86-listing "built without capstone"
fi
"$BPFKIT" jit --raw -q "$T/p.bin" > "$T/q" 2>&1
check "jit -q prints only the summary" test "$(wc -l < "$T/q")" -eq 1
# a local call: compiled inline (a native call), and run as machine code by default
printf '\205\020\000\000\001\000\000\000\225\000\000\000\000\000\000\000\267\000\000\000\007\000\000\000\225\000\000\000\000\000\000\000' > "$T/call.bin"
"$BPFKIT" jit --raw -q "$T/call.bin" > "$T/c" 2>&1
check "jit compiles a local call inline" grep -q '^prog: 4 instructions, [0-9]* bytes of x86-64, 4 inline, 0 through the runtime' "$T/c"
"$BPFKIT" run --engine jit "$T/call.bin" > "$T/r" 2>&1
check "run --engine jit: local call returns 7" grep -q '^Return value: 7,' "$T/r"
"$BPFKIT" run --engine interp "$T/call.bin" > "$T/r" 2>&1
check "run --engine interp: local call returns 7" grep -q '^Return value: 7,' "$T/r"
printf 'abc' > "$T/bad.bin"
check_fails "jit rejects a partial instruction" "not a whole number" "$BPFKIT" jit --raw "$T/bad.bin"
check_fails "jit rejects a missing file" "nonexistent" "$BPFKIT" jit --raw "$T/nonexistent"
check "jit --help" "$BPFKIT" jit --help
# an object through the loader: maps created and relocations resolved, --prog by name,
# -o writes the code, --blind blinds constants
if [ -f "$BK_BUILD/corpus/v4/map_hash.o" ] || sh "$ROOT/tests/corpus/build.sh" "$BK_BUILD/corpus" > "$T/b.log" 2>&1; then
	"$BPFKIT" jit "$BK_BUILD/corpus/v4/map_hash.o" -q -o "$T/code.bin" > "$T/m" 2>&1
	check "jit loads an object with maps (relocations resolved)" grep -q '^xdp_flows: [0-9]* instructions' "$T/m"
	sz=$(sed -n 's/.* instructions, \([0-9]*\) bytes.*/\1/p' "$T/m")
	check "jit -o writes the machine code" test "$(wc -c < "$T/code.bin")" = "${sz:-x}"
	"$BPFKIT" jit "$BK_BUILD/corpus/v4/tail_call.o" --prog stage_final --blind -q > "$T/t" 2>&1
	check "jit --prog NAME --blind" grep -q '^stage_final: .*constants blinded' "$T/t"
	check_fails "jit --prog of a missing program" "nope" "$BPFKIT" jit "$BK_BUILD/corpus/v4/tail_call.o" --prog nope
	printf '\377\377\377\377\377\377\000\021\042\063\104\125\010\000\105\000\000\050\000\001\000\000\100\006\000\000\300\250\000\001\300\250\000\002\004\322\000\120\000\000\000\000\000\000\000\000\120\002\377\377\000\000\000\000' > "$T/pkt"
	r=$("$BPFKIT" run --engine jit "$BK_BUILD/corpus/v4/tail_call.o" --prog xdp_tail_entry --data-in "$T/pkt" 2>&1)
	case $r in "Return value: 3,"*) ok "run --engine jit: tail calls" ;; *) notok run-jit-tail "$r" ;; esac
else
	skip jit-object "the corpus does not build"
fi
