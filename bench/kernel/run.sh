#!/bin/sh
# bpfkit's kernel front end against bpftool on the same objects, wall time of one run:
#   prog load OBJ PIN pinmaps DIR   +   prog show -j pinned PIN   +   map dump -j (each map)
# over every object of the test corpus (built at -mcpu=v3, which both tools load and print).
# Usage: sh bench/kernel/run.sh [--append]   (--append adds the table to bench/RESULTS.md)
# Needs root (CAP_BPF); runs in a private mount namespace with its own bpffs.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BPFKIT=${BPFKIT:-$ROOT/build/bpfkit}
APPEND=${1:-}
if [ "${BK_BENCH_INNER:-}" != 1 ]; then
	[ -x "$BPFKIT" ] || { echo "run.sh: build bpfkit first (make)" >&2; exit 1; }
	sh "$ROOT/tests/corpus/build.sh" "$ROOT/build/corpus" > /dev/null
	BK_BENCH_INNER=1 exec unshare -m --propagation private sh "$0" "$@"
fi
# No dot in the path: libbpf 1.1 (bpftool too) turns every "." of a pinmaps path into "_".
W=$(mktemp -d /tmp/bpfkit_bench_XXXXXX)
trap 'umount "$W/fs" 2>/dev/null; rm -rf "$W"' EXIT
mkdir -p "$W/fs"
mount -t bpf bpf "$W/fs"
OBJS=$(ls "$ROOT"/build/corpus/v3/*.o | grep -v '/reject_')
now() { date +%s%N; }

# one TOOL: runs the three steps on every object, prints total ns and per-step ns
one() {
	tool=$1; load=0; show=0; dump=0; n=0
	for o in $OBJS; do
		name=$(basename "$o" .o)
		d=$W/fs/$(basename "$tool")-$name
		t0=$(now)
		$tool prog load "$o" "$d-p" pinmaps "$d-m" > /dev/null 2>&1 || { echo "$tool: $name does not load" >&2; continue; }
		t1=$(now)
		$tool -j prog show pinned "$d-p" > /dev/null
		t2=$(now)
		for m in "$d-m"/*; do
			[ -e "$m" ] && $tool -j map dump pinned "$m" > /dev/null 2>&1
		done
		t3=$(now)
		load=$((load + t1 - t0)); show=$((show + t2 - t1)); dump=$((dump + t3 - t2)); n=$((n + 1))
		rm -rf "$d-p" "$d-m"
	done
	echo "$n $load $show $dump"
}
ms() { echo "$1" | awk '{ printf "%.1f", $1 / 1e6 }'; }

# Two rounds in the order bpfkit, bpftool, bpftool, bpfkit: the machine's load drifts,
# and this way neither tool gets the quieter half. The table shows the mean of the two.
set -- $(one "$BPFKIT"); kn=$1 kl=$2 ks=$3 kd=$4
set -- $(one bpftool); bn=$1 bl=$2 bs=$3 bd=$4
set -- $(one bpftool); bl=$(((bl + $2) / 2)) bs=$(((bs + $3) / 2)) bd=$(((bd + $4) / 2))
set -- $(one "$BPFKIT"); kl=$(((kl + $2) / 2)) ks=$(((ks + $3) / 2)) kd=$(((kd + $4) / 2))
table=$(cat <<T
| step (all $kn corpus objects, v3) | bpfkit ms | bpftool 7.1 ms |
|---|---:|---:|
| prog load + pinmaps | $(ms "$kl") | $(ms "$bl") |
| prog show -j | $(ms "$ks") | $(ms "$bs") |
| map dump -j (every map) | $(ms "$kd") | $(ms "$bd") |
| total | $(ms $((kl + ks + kd))) | $(ms $((bl + bs + bd))) |
T
)
echo "$table"
[ "$kn" = "$bn" ] || echo "note: bpfkit loaded $kn objects, bpftool $bn"
if [ "$APPEND" = --append ]; then
	{
		echo
		echo "## Kernel front end: bpfkit vs bpftool ($(date -u +%Y-%m-%d), $(uname -r))"
		echo
		echo "Command: \`sh bench/kernel/run.sh --append\` (wall time, mean of two rounds in the order bpfkit, bpftool, bpftool, bpfkit; 2-core VM shared with other work)."
		echo
		echo "$table"
	} >> "$ROOT/bench/RESULTS.md"
fi
