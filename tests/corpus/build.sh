#!/bin/sh
# Builds the BPF C corpus: every tests/corpus/*.c at -mcpu=v1..v4 into
#   OUTDIR/vN/NAME.o  (clang-19 -O2 -g -target bpf -mcpu=vN -c)
#   OUTDIR/vN/NAME.s  (the same with -S)
# Only outputs older than their source (or than a header in tests/include) are rebuilt, so
# every test can call it: sh "$ROOT/tests/corpus/build.sh" "$BK_BUILD/corpus".
# Environment: CLANG (default clang-19), CORPUS_SRC (source directory, default this one;
# bench/progs/build.sh reuses this script), CORPUS_SKIP (source names to leave out),
# CORPUS_CPUS (default "v1 v2 v3 v4"), JOBS (parallel compiles, default 2).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CLANG=${CLANG:-clang-19}
FLAGS="-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -I$ROOT/tests/include"

# One compile, written through a temporary name so a failed or interrupted build leaves
# no output behind (and the next run tries again).
if [ "${1:-}" = --one ]; then # --one OUT SRC CPU MODE
	tmp=$2.tmp.$$
	if "$CLANG" $FLAGS -mcpu="$4" "$5" "$3" -o "$tmp"; then
		mv -f "$tmp" "$2"
		exit 0
	fi
	rm -f "$tmp"
	echo "build.sh: $3 failed at -mcpu=$4" >&2
	exit 1
fi

[ $# -eq 1 ] || { echo "usage: build.sh OUTDIR" >&2; exit 2; }
OUT=$1
SRC=${CORPUS_SRC:-$HERE}
CPUS=${CORPUS_CPUS:-v1 v2 v3 v4}
command -v "$CLANG" >/dev/null 2>&1 || { echo "build.sh: $CLANG not found" >&2; exit 1; }

# The newest shared header (tests/include or beside the sources): a change there rebuilds
# everything.
newest_hdr=
for h in "$ROOT"/tests/include/*.h "$SRC"/*.h; do
	[ -f "$h" ] || continue
	if [ -z "$newest_hdr" ] || [ "$h" -nt "$newest_hdr" ]; then newest_hdr=$h; fi
done
stale() { # stale TARGET SOURCE
	[ -f "$1" ] || return 0
	[ "$2" -nt "$1" ] && return 0
	[ -n "$newest_hdr" ] && [ "$newest_hdr" -nt "$1" ] && return 0
	return 1
}

# clang's output depends on the sources alone, not on which build directory asked for it:
# an up-to-date copy in another build directory (make check, then make check SANITIZE=1)
# is copied instead of compiled again. CORPUS_REUSE lists the directories to look in.
OUT_ABS=$(mkdir -p "$OUT" && cd "$OUT" && pwd)
REUSE=${CORPUS_REUSE-$(for d in "$ROOT"/build*/; do
	sub=${OUT_ABS#"$ROOT"/build*/}
	if [ "$sub" != "$OUT_ABS" ] && [ -d "$d$sub" ] && [ "$d$sub" != "$OUT_ABS" ]; then echo "$d$sub"; fi
done)}
reuse() { # reuse TARGET SOURCE CPU: copy a fresh TARGET from another build directory
	for d in $REUSE; do
		c=$d/$3/$(basename "$1")
		if [ -f "$c" ] && ! stale "$c" "$2" && cp -p "$c" "$1.tmp.$$"; then
			mv -f "$1.tmp.$$" "$1"
			return 0
		fi
	done
	return 1
}

jobs=$(mktemp)
trap 'rm -f "$jobs"' EXIT
for cpu in $CPUS; do
	mkdir -p "$OUT/$cpu"
	# an output whose source is gone (renamed, deleted, skipped) would still be walked by
	# the tests that read every object of the directory
	for t in "$OUT/$cpu"/*.o "$OUT/$cpu"/*.s; do
		[ -f "$t" ] || continue
		name=$(basename "${t%.?}")
		case " ${CORPUS_SKIP:-} " in *" $name "*) rm -f "$t"; continue ;; esac
		[ -f "$SRC/$name.c" ] || rm -f "$t"
	done
	for src in "$SRC"/*.c; do
		[ -f "$src" ] || continue
		name=$(basename "$src" .c)
		case " ${CORPUS_SKIP:-} " in *" $name "*) continue ;; esac
		for kind in o:-c s:-S; do
			t=$OUT/$cpu/$name.${kind%%:*}
			if stale "$t" "$src" && ! reuse "$t" "$src" "$cpu"; then
				echo "$t $src $cpu ${kind#*:}" >> "$jobs"
			fi
		done
	done
done
[ -s "$jobs" ] || exit 0
# Paths here never contain spaces (the repository's and the build's), so word splitting is safe.
xargs -P "${JOBS:-2}" -n 4 sh "$HERE/build.sh" --one < "$jobs"
