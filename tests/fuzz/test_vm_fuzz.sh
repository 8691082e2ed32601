# A short libFuzzer run of arbitrary bytecode through validation, loading and the
# interpreter (ASan + UBSan inside the fuzzer build). `make fuzz` runs it longer.
. "$ROOT/tests/lib.sh"
if [ "${SANITIZE:-0}" = 1 ]; then
	skip "vm fuzz" "run once, in the plain pass (the fuzzer carries its own sanitizers)"; exit 0
fi
if ! make -C "$ROOT" -s build-fuzz/vm > "$T/build.log" 2>&1; then
	notok "build vm fuzzer" "$(tail -3 "$T/build.log" | tr '\n' ' ')"; exit 0
fi
mkdir -p "$T/corpus"
if "$ROOT/build-fuzz/vm" -max_total_time=${FUZZ_TEST_SECONDS:-10} -max_len=2048 "$T/corpus" "$ROOT/fuzz/seeds/vm" > "$T/fuzz.log" 2>&1; then
	ok "vm fuzzer: $(grep -o 'Done [0-9]* runs' "$T/fuzz.log" | head -1), no crash or sanitizer report"
else
	notok "vm fuzzer" "$(grep -m3 -E 'ERROR|SUMMARY|runtime error' "$T/fuzz.log" | tr '\n' ' ')"
fi
