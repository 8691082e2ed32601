#!/bin/sh
# The test runner. Every test program (tests/unit/*.c, built into $BK_BUILD/tests/)
# and every script tests/*/test_*.sh prints one line per check:
#   ok NAME | not ok NAME: why | skip NAME: why
# A test that exits non-zero, or prints nothing, counts as a failure of its own.
# Set TESTS=pattern to run a subset.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BK_BUILD=${BK_BUILD:-build}
case $BK_BUILD in /*) ;; *) BK_BUILD=$ROOT/$BK_BUILD ;; esac
export ROOT BK_BUILD
export BPFKIT="$BK_BUILD/bpfkit"
export SHARED="${SHARED:-$(cd "$ROOT/.." && pwd)/shared}"
export TMPROOT=$(mktemp -d /tmp/bpfkit-tests.XXXXXX)
# Sanitizers: abort on the first report so a finding is a failure, not a log line.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
trap 'rm -rf "$TMPROOT"' EXIT
# The compiled BPF corpus does not depend on how bpfkit was built: the sanitizer run
# shares the plain run's copy instead of compiling 300-odd objects again.
if [ "$BK_BUILD" != "$ROOT/build" ] && [ ! -e "$BK_BUILD/corpus" ]; then
	mkdir -p "$ROOT/build/corpus" "$BK_BUILD"
	ln -s "$ROOT/build/corpus" "$BK_BUILD/corpus"
fi

pass=0 fail=0 skip=0
failures=$TMPROOT/failures
: > "$failures"

run_one() {
	name=$1; shift
	out=$TMPROOT/out.$$
	start=$(date +%s)
	"$@" > "$out" 2>"$out.err"
	rc=$?
	p=$(grep -c '^ok ' "$out"); f=$(grep -c '^not ok ' "$out"); s=$(grep -c '^skip ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok $name: exited with status $rc" >> "$out"; f=$((f + 1))
		tail -5 "$out.err" | sed 's/^/    /' >> "$out"
	fi
	if [ $((p + f + s)) -eq 0 ]; then
		echo "not ok $name: ran no check" >> "$out"; f=1
	fi
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
	printf '%-40s %5d passed %3d failed %3d skipped  (%ss)\n' "$name" "$p" "$f" "$s" $(( $(date +%s) - start ))
	grep '^not ok ' "$out" | sed 's/^/    /' | head -20
	grep -A3 '^not ok ' "$out" >> "$failures"
	grep '^skip ' "$out" | sed 's/^/    /' | head -5
	rm -f "$out" "$out.err"
}

for t in "$BK_BUILD"/tests/*; do
	[ -x "$t" ] || continue
	n=unit/$(basename "$t")
	case $n in *${TESTS:-}*) ;; *) continue ;; esac
	run_one "$n" "$t"
done
for t in "$ROOT"/tests/*/test_*.sh; do
	[ -f "$t" ] || continue
	n=$(basename "$(dirname "$t")")/$(basename "$t" .sh)
	case $n in *${TESTS:-}*) ;; *) continue ;; esac
	run_one "$n" sh "$t"
done

if [ -s "$failures" ]; then
	echo; echo "Failures:"; sed 's/^/  /' "$failures" | head -100
fi
echo
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
