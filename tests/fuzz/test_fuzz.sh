# A short libFuzzer run of every harness in fuzz/ (built by the Makefile's fuzz rule with
# clang-19 -fsanitize=fuzzer,address,undefined); `make fuzz` runs them longer. A crash, a
# sanitizer report (UBSan reports do not stop libFuzzer, so the log is searched), a leak
# or a timeout fails. Seeds: fuzz/seeds/NAME, and the assembler's test sources for asm.
. "$ROOT/tests/lib.sh"
command -v clang-19 >/dev/null || { skip fuzz "clang-19 not installed"; exit 0; }
if [ "${SANITIZE:-0}" = 1 ]; then
	skip fuzz "run once, in the plain pass (the fuzzers carry their own sanitizers)"; exit 0
fi
if ! make -C "$ROOT" -s fuzz-build > "$T/build.log" 2>&1; then
	notok fuzz-build "$(tail -3 "$T/build.log" | tr '\n' ' ')"; exit 0
fi
for src in "$ROOT"/fuzz/*.c; do
	name=$(basename "$src" .c)
	secs=10 len=4096 seeds=
	case $name in
	elf) secs=20 len=8192 ;;
	asm) seeds="$ROOT/tests/asm" ;;
	esac
	[ -d "$ROOT/fuzz/seeds/$name" ] && seeds="$seeds $ROOT/fuzz/seeds/$name"
	mkdir -p "$T/corpus-$name"
	# shellcheck disable=SC2086
	if "$ROOT/build-fuzz/$name" -max_total_time=$((secs * ${FUZZ_TEST_SCALE:-1})) -max_len=$len \
		-timeout=10 -rss_limit_mb=1024 -artifact_prefix="$T/$name-" \
		"$T/corpus-$name" $seeds > "$T/$name.log" 2>&1 &&
		! grep -q 'runtime error' "$T/$name.log"; then
		ok "fuzz $name: $(grep -o 'Done [0-9]* runs' "$T/$name.log" | head -1), no crash, leak or sanitizer report"
	else
		notok "fuzz $name" "$(grep -m2 -E 'runtime error|ERROR|SUMMARY|deadly' "$T/$name.log" | tr '\n' ' ') (artifact in $T)"
	fi
done
