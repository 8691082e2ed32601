#!/bin/sh
# Builds bench/jit/bench_jit.c against the library and runs it (needs root for the kernel
# side). Usage: sh bench/jit/run.sh  (from the top of the tree, after make)
set -eu
cd "$(dirname "$0")/../.."
B=${B:-build}
${CC:-cc} -std=gnu11 -O2 -Iinclude -o "$B/bench_jit" bench/jit/bench_jit.c "$B/libbpfkit.a" \
	$(pkg-config --libs libbpf) -lm
"$B/bench_jit"
