# The conformance suite through `bpfkit conformance` and the plugin protocol.
. "$ROOT/tests/lib.sh"
C="$SHARED/conformance"
if [ ! -d "$C/tests" ]; then
	skip conformance "no conformance suite at $C"
	exit 0
fi

"$BPFKIT" conformance --engine interp --cpu v4 "$C/tests" > "$T/all.out" 2>&1
last=$(tail -1 "$T/all.out")
total=$(ls "$C/tests"/*.data | wc -l)
if [ "$last" = "$total passed, 0 failed, 0 skipped" ]; then ok "conformance v4: $last"
else notok conformance-v4 "$last; $(grep -m3 '^FAIL' "$T/all.out" | tr '\n' '|')"; fi
# At v1 the v4-only tests are skipped, never failed.
"$BPFKIT" conformance --engine interp --cpu v1 "$C/tests" > "$T/v1.out" 2>&1
case $(tail -1 "$T/v1.out") in
*" 0 failed, "*) s=$(tail -1 "$T/v1.out" | sed 's/.* \([0-9]*\) skipped/\1/')
	if [ "$s" -gt 0 ]; then ok "conformance v1 skips newer tests ($(tail -1 "$T/v1.out"))"
	else notok conformance-v1 "nothing skipped at v1"; fi ;;
*) notok conformance-v1 "$(tail -1 "$T/v1.out")" ;;
esac

# negative/: every file must be refused; none may crash or produce a result.
"$BPFKIT" conformance --engine interp -v "$C/negative" > "$T/neg.out" 2>&1
rc=$?
last=$(tail -1 "$T/neg.out")
case $last in
*" passed, 0 failed, "*) [ $rc -eq 0 ] && ok "negative: $last" || notok negative "exit $rc" ;;
*) notok negative "$last; $(grep -m3 '^FAIL' "$T/neg.out" | tr '\n' '|')" ;;
esac
# Every unused-* (reserved field set) is refused at load naming the instruction and field.
bad=0 n=0
for f in "$C"/negative/unused-*.data; do
	n=$((n + 1))
	b=$(basename "$f")
	line=$(grep "^PASS $b: " "$T/neg.out")
	case $line in
	*"insn "[0-9]*offset*|*"insn "[0-9]*src*|*"insn "[0-9]*imm*|*"insn "[0-9]*dst*) ;;
	*) bad=$((bad + 1)); echo "# $b: $line" ;;
esac
done
[ $n -gt 0 ] && [ $bad -eq 0 ] && ok "all $n unused-* refused with index and field" || notok unused "$bad of $n without index/field"

# The plugin protocol: program hex on stdin, memory hex as argument, r0 in hex.
out=$(echo "61 10 04 00 00 00 00 00 95 00 00 00 00 00 00 00" | "$BPFKIT" conformance-plugin "01 02 03 04 05 06 07 08")
[ "$out" = "8070605" ] && ok "plugin: ldxw from memory" || notok plugin "got '$out'"
out=$("$BPFKIT" conformance-plugin --program "b7 00 00 00 ff ff ff ff 95 00 00 00 00 00 00 00")
[ "$out" = "ffffffffffffffff" ] && ok "plugin: --program, 64-bit r0" || notok plugin-program "got '$out'"
check_fails "plugin: out-of-bounds read fails cleanly" "insn 0 .*invalid read of 4 bytes at 0x" \
	sh -c 'echo "61 10 08 00 00 00 00 00 95 00 00 00 00 00 00 00" | "$0" conformance-plugin "01 02"' "$BPFKIT"
check_fails "plugin: reserved field named" "insn 0: reserved field offset" \
	"$BPFKIT" conformance-plugin --program "07 00 01 00 01 00 00 00 95 00 00 00 00 00 00 00"
check_fails "plugin: odd length" "not a multiple of 8" "$BPFKIT" conformance-plugin --program "07 00 01"
check_fails "plugin: bad hex" "" "$BPFKIT" conformance-plugin --program "zz"
"$BPFKIT" conformance --help | grep -q 'passed' && ok "conformance --help" || notok help "no usage"
"$BPFKIT" conformance-plugin --help | grep -q 'stdin' && ok "conformance-plugin --help" || notok help2 "no usage"
