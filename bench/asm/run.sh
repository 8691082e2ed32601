#!/bin/sh
# bench/asm/run.sh [N]: assembles a generated N-instruction (default 1,000,000) LLVM-syntax
# file with bpfkit and with llvm-mc-19 in the same run and prints wall time, CPU time (user +
# system) and peak memory of both as a row for bench/RESULTS.md, each the best of RUNS (3)
# runs. The text (bench/asm/gen.sh, which tests/asm/test_split.sh uses too) is what clang -S
# writes. bench/asm/timeit.c measures one run. Each run writes a new output file: the
# previous run's output is removed before the clock starts, since freeing a 10 MB file's
# page cache when it is overwritten costs either tool ~8 ms of kernel time on this VM and is
# not assembling (OVERWRITE=1 measures that case too).
set -eu
[ -n "${BENCH_DEBUG:-}" ] && set -x
N=${1:-1000000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${BK_BUILD:-$ROOT/build}
BPFKIT=$B/bpfkit
[ -x "$BPFKIT" ] || { echo "build first: make" >&2; exit 1; }
command -v llvm-mc-19 >/dev/null || { echo "llvm-mc-19 missing" >&2; exit 1; }
W=$(mktemp -d /tmp/bench-asm.XXXXXX)
trap 'rm -rf "$W"' EXIT
${CC:-cc} -O2 -o "$W/timeit" "$ROOT/bench/asm/timeit.c"
sh "$ROOT/bench/asm/gen.sh" "$N" > "$W/big.s"
insns=$(grep -c '^	[rw*ilc]\|^	exit\|^	goto' "$W/big.s" || true)
run() { # run OUT CMD... -> "wall_s rss_kb cpu_s"
	out=$1
	shift
	[ -n "${OVERWRITE:-}" ] || rm -f "$out"
	"$W/timeit" "$@"
}
# RUNS (3) runs of each: the fastest (wall) is the least disturbed one on a shared machine
# (the row gives its CPU time and peak memory, and the median wall time of all runs)
best() { # best OUT CMD... -> "wall_s(median) rss_kb cpu_s" of the fastest run
	: > "$W/runs"
	for i in $(seq "${RUNS:-3}"); do
		run "$@" >> "$W/runs"
	done
	sort -n "$W/runs" | awk '{ w[NR] = $1; l[NR] = $0 } END { split(l[1], b, " "); m = w[int((NR + 1) / 2)]; printf "%s(%s) %s %s\n", b[1], m, b[2], b[3] }'
}
load0=$(cut -d' ' -f1 /proc/loadavg)
echo "$insns instructions, $(wc -c < "$W/big.s") bytes" >&2
set -- $(best "$W/bk.o" "$BPFKIT" asm -mcpu=v3 "$W/big.s" -o "$W/bk.o"); bwm=$1 br=$2 bc=$3
set -- $(best "$W/mc.o" llvm-mc-19 -triple bpf -mcpu=v3 -filetype=obj "$W/big.s" -o "$W/mc.o"); mwm=$1 mr=$2 mc=$3
bw=${bwm%%(*} mw=${mwm%%(*} bmed=${bwm#*(} mmed=${mwm#*(}
same=no; cmp -s "$W/bk.o" "$W/mc.o" && same=yes
speed=$(awk -v a="$mw" -v b="$bw" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
cspeed=$(awk -v a="$mc" -v b="$bc" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
mem=$(awk -v a="$mr" -v b="$br" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
line="| $(date -u '+%Y-%m-%d %H:%M') | $load0 / $(cut -d' ' -f1 /proc/loadavg) | ${bw} (median ${bmed%)}) / ${bc} / ${br} | ${mw} (median ${mmed%)}) / ${mc} / ${mr} | ${speed}x | ${cspeed}x | ${mem}x | $same |"
# one row for the table of the bench/asm section of bench/RESULTS.md (pasted there by hand:
# appended at the end, rows used to land in whatever section came last)
echo "$line"
