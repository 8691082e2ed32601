#!/bin/sh
# bench/vm: builds the benchmark programs (bench/progs, clang-19, cpu v3), native.c with
# gcc and clang at -O2, and bench_vm.c (with DPDK's rte_bpf when dpdk-dev is installed),
# then runs every engine on every program. Needs root for the kernel side.
# Usage (top of the tree, after make): sh bench/vm/run.sh
set -eu
cd "$(dirname "$0")/../.."
B=${B:-build}
O=$B/bench/vm
mkdir -p "$O"
sh bench/progs/build.sh "$O/progs" > "$O/build.log" 2>&1 || { cat "$O/build.log"; exit 1; }
gcc -std=gnu11 -O2 -o "$O/native-gcc" bench/progs/native.c
clang -std=gnu11 -O2 -o "$O/native-clang" bench/progs/native.c
DPDK_CFLAGS= DPDK_LIBS=
if pkg-config --exists libdpdk 2>/dev/null && [ -e /usr/include/dpdk/rte_bpf.h ]; then
	DPDK_CFLAGS="-DHAVE_DPDK -I/usr/include/dpdk -I/usr/include/x86_64-linux-gnu/dpdk -include rte_config.h"
	DPDK_LIBS="-lrte_bpf -lrte_eal -lrte_mbuf"
else
	echo "run.sh: dpdk-dev not installed: no DPDK column (scripts/install-deps.sh installs it)" >&2
fi
# shellcheck disable=SC2086
${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Iinclude $DPDK_CFLAGS -o "$O/bench_vm" bench/vm/bench_vm.c \
	"$B/libbpfkit.a" $(pkg-config --libs libbpf) -lcapstone $DPDK_LIBS -lm
"$O/bench_vm" "$O/progs" tests/corpus/pkt bench/progs "$O/native-gcc" "$O/native-clang"
