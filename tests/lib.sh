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

# Builds tests/corpus_kernel/kernrun.c (the corpus runner for the kernel, over libbpf)
# into $KR, once for the build dir (build_kernrun.sh rebuilds it when stale). Fails, the
# compiler's words in $T/cc.log, when it cannot.
build_kernrun() {
	KR=$BK_BUILD/corpus/kernrun
	sh "$ROOT/tests/corpus_kernel/build_kernrun.sh" "$KR" > "$T/cc.log" 2>&1
}
