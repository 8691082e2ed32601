#!/bin/sh
# bpfkit's kernel front end against bpftool on the same objects, wall time of one run:
#   prog load OBJ PIN pinmaps DIR   +   prog show -j pinned PIN   +   map dump -j (each map)
# over every object of the test corpus (built at -mcpu=v3, which both tools load and print).
# Usage: [ROUNDS=N] sh bench/kernel/run.sh [--append]   (--append adds the table to bench/RESULTS.md)
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

# step TOOL NAME OBJ: the three steps on one object; prints "load show dump" in ns
step() {
	tool=$1 name=$2 o=$3
	d=$W/fs/$(basename "$tool")-$name
	t0=$(now)
	$tool prog load "$o" "$d-p" pinmaps "$d-m" > /dev/null 2>&1 || { echo "$tool: $name does not load" >&2; echo "x x x"; return; }
	t1=$(now)
	$tool -j prog show pinned "$d-p" > /dev/null
	t2=$(now)
	for m in "$d-m"/*; do
		[ -e "$m" ] && $tool -j map dump pinned "$m" > /dev/null 2>&1
	done
	t3=$(now)
	rm -rf "$d-p" "$d-m"
	echo "$((t1 - t0)) $((t2 - t1)) $((t3 - t2))"
}
ms() { echo "$1" | awk '{ printf "%.1f", $1 / 1e6 }'; }
min() { [ "$1" -lt "$2" ] && echo "$1" || echo "$2"; }

# ROUNDS rounds (default 3). Within a round every object is measured in the order
# bpfkit, bpftool, bpftool, bpfkit, so that the load of the shared machine, which
# drifts within seconds, falls on both tools alike; each tool keeps the faster of
# its two runs per object and step, summed over the objects. Over the rounds each
# step keeps its best (lowest) sum, the least disturbed one.
ROUNDS=${ROUNDS:-3}
BIG=999999999999
kl=$BIG ks=$BIG kd=$BIG bl=$BIG bs=$BIG bd=$BIG kn=0 bn=0
load0=$(cut -d' ' -f1-3 /proc/loadavg)
r=0
while [ $r -lt "$ROUNDS" ]; do
	rkl=0 rks=0 rkd=0 rbl=0 rbs=0 rbd=0 rkn=0 rbn=0
	for o in $OBJS; do
		name=$(basename "$o" .o)
		set -- $(step "$BPFKIT" "$name" "$o") $(step bpftool "$name" "$o") $(step bpftool "$name" "$o") \
			$(step "$BPFKIT" "$name" "$o")
		if [ "$1" != x ] && [ "${10}" != x ]; then
			rkl=$((rkl + $(min "$1" "${10}"))) rks=$((rks + $(min "$2" "${11}"))) rkd=$((rkd + $(min "$3" "${12}")))
			rkn=$((rkn + 1))
		fi
		if [ "$4" != x ] && [ "$7" != x ]; then
			rbl=$((rbl + $(min "$4" "$7"))) rbs=$((rbs + $(min "$5" "$8"))) rbd=$((rbd + $(min "$6" "$9")))
			rbn=$((rbn + 1))
		fi
	done
	kl=$(min "$kl" "$rkl") ks=$(min "$ks" "$rks") kd=$(min "$kd" "$rkd") kn=$rkn
	bl=$(min "$bl" "$rbl") bs=$(min "$bs" "$rbs") bd=$(min "$bd" "$rbd") bn=$rbn
	r=$((r + 1))
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
table=$(cat <<T
| step (all $kn corpus objects, v3; per object the faster of 2 runs, best of $ROUNDS rounds) | bpfkit ms | bpftool 7.1 ms |
|---|---:|---:|
| prog load + pinmaps | $(ms "$kl") | $(ms "$bl") |
| prog show -j | $(ms "$ks") | $(ms "$bs") |
| map dump -j (every map) | $(ms "$kd") | $(ms "$bd") |
| total | $(ms $((kl + ks + kd))) | $(ms $((bl + bs + bd))) |
T
)
echo "$table"
echo "load average before: $load0, after: $load1"
[ "$kn" = "$bn" ] || echo "note: bpfkit loaded $kn objects, bpftool $bn"
if [ "$APPEND" = --append ]; then
	{
		echo
		echo "## Kernel front end: bpfkit vs bpftool ($(date -u +%Y-%m-%d), $(uname -r))"
		echo
		echo "Command: \`sh bench/kernel/run.sh --append\` (wall time; per object ABBA order, the faster of two runs; best of $ROUNDS rounds; load average $load0 before, $load1 after; 2-core VM shared with other work)."
		echo
		echo "$table"
	} >> "$ROOT/bench/RESULTS.md"
fi
