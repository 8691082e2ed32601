#!/bin/sh
# Map operation speed (bench/maps_bench.c) against build/libbpfkit.a. Usage: bench/maps.sh [N]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
cd "$ROOT"
make -s -j2 "$B/libbpfkit.a"
KERN=$(pkg-config --exists libbpf 2>/dev/null && echo 1 || echo 0)
LIBS=-lm
[ "$KERN" = 1 ] && LIBS="$LIBS $(pkg-config --libs libbpf)"
OUT=$(mktemp /tmp/bk-maps-bench.XXXXXX)
trap 'rm -f "$OUT"' EXIT
${CC:-gcc} -std=gnu11 -O2 -Iinclude -DBK_HAVE_KERN="$KERN" -o "$OUT" bench/maps_bench.c "$B/libbpfkit.a" $LIBS
"$OUT" "${1:-1048576}"
