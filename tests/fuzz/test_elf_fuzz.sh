# A short libFuzzer run (~20 s) over the ELF reader, writer and BTF parsers, built by
# the Makefile's fuzz rule (clang-19 -fsanitize=fuzzer,address,undefined). Any crash,
# sanitizer report (UBSan reports do not stop libFuzzer: the log is searched) or leak
# fails.
. "$ROOT/tests/lib.sh"
command -v clang-19 >/dev/null || { skip elf-fuzz "clang-19 not installed"; exit 0; }
if [ "${SANITIZE:-0}" = 1 ]; then
	skip elf-fuzz "run once, in the plain pass (the fuzzer carries its own sanitizers)"; exit 0
fi
if ! make -C "$ROOT" -s build-fuzz/elf > "$T/build.log" 2>&1; then
	notok elf-fuzz-build "$(tail -3 "$T/build.log" | tr '\n' ' ')"; exit 0
fi
ok elf-fuzz-build
mkdir -p "$T/corpus"
if "$ROOT/build-fuzz/elf" -max_total_time=${ELF_FUZZ_SECONDS:-20} -max_len=8192 -timeout=10 \
	-rss_limit_mb=1024 -artifact_prefix="$T/" "$T/corpus" "$ROOT/fuzz/seeds/elf" > "$T/fuzz.log" 2>&1 &&
	! grep -q 'runtime error' "$T/fuzz.log"; then
	ok "elf-fuzz $(grep -o 'Done [0-9]* runs' "$T/fuzz.log" | head -1)"
else
	notok elf-fuzz "$(grep -m1 -E 'runtime error|ERROR|SUMMARY|deadly' "$T/fuzz.log") (artifact in $T)"
fi
