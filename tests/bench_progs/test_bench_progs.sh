#!/bin/sh
# The benchmark programs (bench/progs): each BPF program, loaded into the kernel and run
# with BPF_PROG_TEST_RUN at every cpu level, returns what its .run file expects, and the
# plain C version in bench/progs/native.c returns the same for the same packets.
#   native/NAME     native.c agrees with NAME.run's expected values (no kernel needed)
#   bench/vN/NAME   the kernel agrees with NAME.run (and so with native.c)
. "$ROOT/tests/lib.sh"
B=$ROOT/bench/progs
PKT=$ROOT/tests/corpus/pkt
OUT=$BK_BUILD/bench

mkdir -p "$OUT"
if ${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Werror -o "$OUT/native" "$B/native.c" > "$T/cc.log" 2>&1; then
	for run in "$B"/*.run; do
		name=$(basename "$run" .run)
		pkts=$(sed -n 's/^in pkt //p' "$run" | sed "s|^|$PKT/|; s|\$|.hex|")
		# shellcheck disable=SC2086
		"$OUT/native" "$name" $pkts > "$T/native.out" 2>&1
		sed -n 's/^expect retval //p' "$run" > "$T/want"
		check_same "native/$name" "$T/want" "$T/native.out"
	done
else
	notok native_build "$(head -3 "$T/cc.log" | tr '\n' ' ')"
fi

if ! have_kernel_bpf; then skip bench_kernel "needs root and a kernel with BTF"; exit 0; fi
if ! pkg-config --exists libbpf 2>/dev/null; then skip bench_kernel "libbpf-dev not installed"; exit 0; fi
if ! sh "$B/build.sh" "$OUT/progs" > "$T/build.log" 2>&1; then
	notok bench_build "$(grep 'build.sh:' "$T/build.log" | head -3 | tr '\n' ' ')"
fi
if ! build_kernrun; then
	notok kernrun_build "$(head -3 "$T/cc.log" | tr '\n' ' ')"
	exit 0
fi
for run in "$B"/*.run; do
	name=$(basename "$run" .run)
	for cpu in v1 v2 v3 v4; do
		n=bench/$cpu/$name
		if "$KR" "$OUT/progs/$cpu/$name.o" "$run" "$PKT" > "$T/out" 2> "$T/err"; then ok "$n"
		else notok "$n" "$(grep -v '^libbpf: ' "$T/err" | head -2 | tr '\n' ' ')"; fi
	done
done
