# The conformance suite with the JIT engine: every test passes, and all but the programs
# using forms the JIT does not compile yet (local calls) run as machine code.
. "$ROOT/tests/lib.sh"
"$BPFKIT" conformance --engine jit --cpu v4 "$SHARED/conformance/tests" > "$T/out.txt" 2>&1
tail -1 "$T/out.txt" | grep -q '^313 passed, 0 failed, 0 skipped$' && ok "conformance --engine jit: 313/313" \
	|| notok "conformance --engine jit" "$(tail -1 "$T/out.txt")"
n=$(sed -n 's/^jit: \([0-9]*\) compiled.*/\1/p' "$T/out.txt")
[ "${n:-0}" -ge 300 ] && ok "JIT compiled $n of 313 programs" || notok "JIT compiled programs" "only ${n:-0}"
