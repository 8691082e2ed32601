#!/bin/sh
# Verification time and processed-instruction counts, bpfkit vs the kernel, over the C
# corpus, then on large generated programs (10k-500k insns: straight line, branchy, packet
# parsing, calls). Needs root for the kernel side.
#   make && sh bench/verify/run.sh [CPU]      (CPU: v1..v4, default v3)
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
CPU=${1:-v3}
sh "$ROOT/tests/corpus/build.sh" "$ROOT/$B/corpus" >/dev/null
${CC:-gcc} -O2 -I"$ROOT/include" -o "$ROOT/$B/bench_verify" "$ROOT/bench/verify/bench_verify.c" \
	"$ROOT/$B/libbpfkit.a" $(pkg-config --libs libbpf) -lm $(pkg-config --libs capstone 2>/dev/null)
"$ROOT/$B/bench_verify" "$ROOT/$B/corpus/$CPU"/*.o
"$ROOT/$B/bench_verify" --generated
