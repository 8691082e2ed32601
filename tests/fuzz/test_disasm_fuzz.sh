# A short libFuzzer run over the decoder, validator, printers, ELF reader and objdump
# (ASan + UBSan inside the fuzzer build). `make fuzz` runs it longer.
. "$ROOT/tests/lib.sh"
if [ "${SANITIZE:-0}" = 1 ]; then
	skip "disasm fuzz" "run once, in the plain pass (the fuzzer carries its own sanitizers)"; exit 0
fi
if ! make -C "$ROOT" -s build-fuzz/disasm > "$T/build.log" 2>&1; then
	notok "build disasm fuzzer" "$(tail -3 "$T/build.log" | tr '\n' ' ')"; exit 0
fi
mkdir -p "$T/corpus"
if "$ROOT/build-fuzz/disasm" -max_total_time=${FUZZ_TEST_SECONDS:-15} -max_len=4096 "$T/corpus" "$ROOT/fuzz/seeds/disasm" > "$T/fuzz.log" 2>&1; then
	ok "disasm fuzzer: $(grep -o 'Done [0-9]* runs' "$T/fuzz.log" | head -1), no crash or sanitizer report"
else
	notok "disasm fuzzer" "$(grep -m3 -E 'ERROR|SUMMARY|runtime error' "$T/fuzz.log" | tr '\n' ' ')"
fi
