# Sourced by tests/*/test_*.sh. Prints the runner's protocol lines.
#   ok NAME | not ok NAME: why | skip NAME: why
set -u
: "${BPFKIT:?run through make check}"
T=$(mktemp -d "$TMPROOT/t.XXXXXX")
CLANG=${CLANG:-clang-19}
BPF_CFLAGS="-O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -I$ROOT/tests/include"

ok()    { echo "ok $1"; }
notok() { n=$1; shift; echo "not ok $n: $*"; }
skip()  { n=$1; shift; echo "skip $n: $*"; }

# check NAME COMMAND...: ok when the command succeeds.
check() { n=$1; shift; if "$@" > "$T/check.out" 2>&1; then ok "$n"; else notok "$n" "$(tail -3 "$T/check.out" | tr '\n' ' ')"; fi; }
# check_same NAME FILE1 FILE2: ok when identical, else the first differing lines.
check_same() {
	if cmp -s "$2" "$3"; then ok "$1"; else notok "$1" "$(diff "$2" "$3" | head -6 | tr '\n' '|')"; fi
}
# check_fails NAME PATTERN COMMAND...: must exit non-zero with one stderr line matching PATTERN.
check_fails() {
	n=$1; pat=$2; shift 2
	if "$@" > "$T/cf.out" 2> "$T/cf.err"; then notok "$n" "succeeded but should fail"; return; fi
	rc=$?
	if [ "$rc" -ge 128 ]; then notok "$n" "crashed (status $rc)"; return; fi
	if grep -q -- "$pat" "$T/cf.err"; then ok "$n"; else notok "$n" "stderr lacks '$pat': $(head -2 "$T/cf.err" | tr '\n' ' ')"; fi
}
# Root with CAP_BPF? Kernel tests say why they cannot run instead of vanishing.
# machine_lock NAME: holds a machine-wide lock until the script exits, for a test of state
# that every process shares (a sysctl, tracefs instances): test suites run side by side
# (developers, CI) would see each other's changes.
machine_lock() { exec 7> "/tmp/bpfkit-test-$1.lock"; flock 7; }
have_kernel_bpf() { [ "$(id -u)" = 0 ] && [ -e /sys/kernel/btf/vmlinux ]; }

# Builds tests/run/bkrun.c (the corpus runner) against the library into $BR, with the
# sanitizers when the suite runs under them. Prints "not ok PREFIX/bkrun-build" and
# fails when it cannot.
build_bkrun() {
	BR=$T/bkrun
	_cc=${CC:-cc}
	case $_cc in *clang*) ;; *) _cc=gcc ;; esac
	_san=
	[ "${SANITIZE:-0}" = 1 ] && _san="-fsanitize=address,undefined -fno-omit-frame-pointer"
	_libs="-lm"
	pkg-config --exists libbpf 2>/dev/null && _libs="$_libs $(pkg-config --libs libbpf)"
	pkg-config --exists capstone 2>/dev/null && _libs="$_libs $(pkg-config --libs capstone)"
	if ! $_cc -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter $_san -I"$ROOT/include" \
		-o "$BR" "$ROOT/tests/run/bkrun.c" "$BK_BUILD/libbpfkit.a" $_libs > "$T/cc.log" 2>&1; then
		notok "$1/bkrun-build" "$(head -3 "$T/cc.log" | tr '\n' ' ')"
		return 1
	fi
}

# build_corpus NAME: the C corpus's objects in $BK_BUILD/corpus (tests/corpus/build.sh,
# shared by every suite); "not ok NAME" with build.sh's words when one cannot be built.
build_corpus() {
	if ! sh "$ROOT/tests/corpus/build.sh" "$BK_BUILD/corpus" > "$T/build.log" 2>&1; then
		notok "$1" "$(grep 'build.sh:' "$T/build.log" | head -3 | tr '\n' ' ')"
	fi
}

# bkrun_as TAG OBJ RUN [VAR=VALUE...]: the corpus runner ($BR, build_bkrun) on OBJ with
# the script RUN and tests/corpus/pkt, in that environment: its transcript in $T/TAG.out,
# its errors in $T/TAG.err, its exit status in $T/TAG.rc.
bkrun_as() {
	_tag=$1 _obj=$2 _run=$3
	shift 3
	env "$@" "$BR" "$_obj" "$_run" "$ROOT/tests/corpus/pkt" > "$T/$_tag.out" 2> "$T/$_tag.err"
	echo $? > "$T/$_tag.rc"
}
# bkrun_differ A B: how runs A and B (bkrun_as) differ in exit status, transcript or
# errors; nothing when they agree.
bkrun_differ() {
	if ! cmp -s "$T/$1.rc" "$T/$2.rc" || ! cmp -s "$T/$1.out" "$T/$2.out" ||
	   ! cmp -s "$T/$1.err" "$T/$2.err"; then
		echo "exit $(cat "$T/$1.rc")/$(cat "$T/$2.rc"); $(diff "$T/$1.out" "$T/$2.out" | head -3 | tr '\n' ' ') $(head -2 "$T/$2.err" | tr '\n' ' ')"
	fi
}

# Builds tests/corpus_kernel/kernrun.c (the corpus runner for the kernel, over libbpf)
# into $KR, once for the build dir (build_kernrun.sh rebuilds it when stale). Fails, the
# compiler's words in $T/cc.log, when it cannot.
build_kernrun() {
	KR=$BK_BUILD/corpus/kernrun
	sh "$ROOT/tests/corpus_kernel/build_kernrun.sh" "$KR" > "$T/cc.log" 2>&1
}
