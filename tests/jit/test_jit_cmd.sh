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
