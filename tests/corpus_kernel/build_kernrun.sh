#!/bin/sh
# Builds kernrun.c (needs libbpf-dev) into OUT if OUT is missing or older than the source
# or than the .run reader it shares with tests/run/bkrun.c.
# Used by the kernel tests: sh "$ROOT/tests/corpus_kernel/build_kernrun.sh" OUT
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$HERE/kernrun.c
OUT=$1
if [ -x "$OUT" ] && [ ! "$SRC" -nt "$OUT" ] && [ ! "$HERE/../corpus/runfile.h" -nt "$OUT" ]; then exit 0; fi
mkdir -p "$(dirname "$OUT")"
${CC:-cc} -std=gnu11 -O2 -g -Wall -Wextra -Werror -o "$OUT.tmp.$$" "$SRC" $(pkg-config --cflags --libs libbpf) ||
	{ rm -f "$OUT.tmp.$$"; exit 1; }
mv -f "$OUT.tmp.$$" "$OUT"
