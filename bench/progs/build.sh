#!/bin/sh
# Builds the benchmark programs bench/progs/*.c (all but native.c) at -mcpu=v1..v4 into
# OUTDIR/vN/NAME.o and NAME.s, with the corpus build script and the same flags.
# native.c (the plain C baseline) is built by whoever runs it: it needs only a C compiler.
set -eu
[ $# -eq 1 ] || { echo "usage: build.sh OUTDIR" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
CORPUS_SRC=$HERE CORPUS_SKIP=native exec sh "$HERE/../../tests/corpus/build.sh" "$1"
