# Sourced by tests/kern/test_*.sh after lib.sh: runs the rest of the test inside a
# private mount namespace (so the bpffs and tracefs it mounts vanish with it, and
# every pinned object with them), builds the test programs, and compares JSON.
if ! have_kernel_bpf; then
	skip "$(basename "$0" .sh)" "needs root with CAP_BPF and a BTF kernel"
	exit 0
fi
if [ -z "${BK_KT_PRIVATE:-}" ]; then
	BK_KT_PRIVATE=1 exec unshare -m --propagation private sh "$0" "$@"
fi
# A helper script run inside (unshare -n) sets BK_KT_INNER=T to share the temp dir.
if [ -n "${BK_KT_INNER:-}" ]; then
	T=$BK_KT_INNER
else
	BPFFS=$T/bpffs
	mkdir -p "$BPFFS"
	mount -t bpf bpf "$BPFFS" || { notok "$(basename "$0" .sh)-bpffs" "can't mount bpffs"; exit 0; }
fi
# /usr/bin/python3 starts in a tenth of the time a pyenv shim takes.
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
PROGS=$ROOT/tests/kern/progs
# kt_build NAME [CFLAGS...]: compiles tests/kern/progs/NAME.c to $T/NAME.o
kt_build() {
	_n=$1
	shift
	[ -f "$T/$_n.o" ] || $CLANG $BPF_CFLAGS "$@" -c "$PROGS/$_n.c" -o "$T/$_n.o"
}
# jsame NAME FILE1 FILE2: the same JSON (loaded_at may differ by a second, the
# clock is read twice).
jsame() {
	if out=$($PY - "$2" "$3" <<'PY' 2>&1
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
def norm(x):
    if isinstance(x, dict):
        return {k: norm(v) for k, v in x.items() if k not in ("pids",)}
    if isinstance(x, list):
        return [norm(v) for v in x]
    return x
a, b = norm(a), norm(b)
def close(x, y, path=""):
    if isinstance(x, dict) and isinstance(y, dict):
        if sorted(x) != sorted(y):
            print(path, "keys differ:", sorted(set(x) ^ set(y))); return False
        return all(close(x[k], y[k], path + "." + k) for k in x)
    if isinstance(x, list) and isinstance(y, list):
        if len(x) != len(y):
            print(path, "lengths differ", len(x), len(y)); return False
        return all(close(p, q, path + "[]") for p, q in zip(x, y))
    if path.endswith("loaded_at") and abs(x - y) <= 1:
        return True
    if x != y:
        print(path, repr(x), "!=", repr(y)); return False
    return True
sys.exit(0 if close(a, b) else 1)
PY
	); then ok "$1"; else notok "$1" "$(echo "$out" | head -3 | tr '\n' ' ')"; fi
}
