#!/bin/sh
# A short libFuzzer run of fuzz/asm.c (the long runs are `make fuzz`).
. "$ROOT/tests/lib.sh"
if ! command -v clang-19 >/dev/null 2>&1; then
	skip "asm fuzz" "clang-19 (libFuzzer) not installed"; exit 0
fi
FB="$T/fb"
mkdir -p "$FB"
# the assembler and what it links against: enough for the harness, quick to build
srcs=$(ls "$ROOT"/src/asm/*.c "$ROOT"/src/isa/*.c "$ROOT"/src/object/*.c "$ROOT"/src/util/*.c)
if ! clang-19 -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -I"$ROOT/include" -I"$ROOT/src" \
	-DBK_VERSION='"test"' -DBK_HAVE_KERN=0 -DBK_HAVE_CAPSTONE=0 -o "$FB/asm" "$ROOT/fuzz/asm.c" $srcs -lm > "$T/build.log" 2>&1; then
	notok "asm fuzz harness builds" "$(tail -3 "$T/build.log" | tr '\n' ' ')"; exit 0
fi
ok "asm fuzz harness builds"
mkdir -p "$FB/corpus"
if "$FB/asm" -artifact_prefix="$T/" -runs=400 -max_len=2048 -seed=1 "$FB/corpus" "$ROOT/fuzz/seeds/asm" "$ROOT/tests/asm" > "$T/fuzz.log" 2>&1; then
	ok "asm fuzz: 400 runs without a crash, leak or UB report"
else
	notok "asm fuzz" "$(grep -m2 -E 'ERROR|SUMMARY|runtime error' "$T/fuzz.log" | tr '\n' ' ')"
fi
rm -rf "$T"
