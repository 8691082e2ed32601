# The conformance suite with the JIT engine: every test passes and every program is
# compiled (none falls back to the interpreter); the JIT is the default engine on x86-64
# and the plugin protocol takes --engine too.
. "$ROOT/tests/lib.sh"
"$BPFKIT" conformance --engine jit --cpu v4 "$SHARED/conformance/tests" > "$T/out.txt" 2>&1
tail -1 "$T/out.txt" | grep -q '^313 passed, 0 failed, 0 skipped$' && ok "conformance --engine jit: 313/313" \
	|| notok "conformance --engine jit" "$(tail -1 "$T/out.txt")"
grep -q '^jit: 313 compiled, 0 refused' "$T/out.txt" && ok "JIT compiled all 313 programs" \
	|| notok "JIT compiled programs" "$(grep '^jit:' "$T/out.txt")"
"$BPFKIT" conformance --cpu v4 "$SHARED/conformance/tests" > "$T/def.txt" 2>&1
grep -q '^jit: 313 compiled' "$T/def.txt" && ok "conformance: the JIT is the default engine" \
	|| notok "conformance default engine" "$(tail -2 "$T/def.txt" | tr '\n' ' ')"
"$BPFKIT" conformance --engine interp --cpu v4 "$SHARED/conformance/tests" > "$T/int.txt" 2>&1
! grep -q '^jit:' "$T/int.txt" && tail -1 "$T/int.txt" | grep -q '^313 passed' && ok "conformance --engine interp" \
	|| notok "conformance --engine interp" "$(tail -2 "$T/int.txt" | tr '\n' ' ')"
# plugin: the JIT and the interpreter give the same r0 and the same error
out=$(echo "61 10 04 00 00 00 00 00 95 00 00 00 00 00 00 00" | "$BPFKIT" conformance-plugin --engine jit "01 02 03 04 05 06 07 08")
[ "$out" = "8070605" ] && ok "plugin --engine jit: ldxw from memory" || notok plugin-jit "got '$out'"
a=$(echo "61 10 08 00 00 00 00 00 95 00 00 00 00 00 00 00" | "$BPFKIT" conformance-plugin --engine jit "01 02" 2>&1 | sed 's/0x[0-9a-f]*//g')
b=$(echo "61 10 08 00 00 00 00 00 95 00 00 00 00 00 00 00" | "$BPFKIT" conformance-plugin --engine interp "01 02" 2>&1 | sed 's/0x[0-9a-f]*//g')
case $a in *"invalid read of 4 bytes"*) [ "$a" = "$b" ] && ok "plugin: same fault message with both engines" || notok plugin-fault "'$a' / '$b'" ;;
*) notok plugin-fault "'$a'" ;; esac
check_fails "plugin: bad engine" "bad --engine 'x'" "$BPFKIT" conformance-plugin --engine x --program "95 00 00 00 00 00 00 00"
