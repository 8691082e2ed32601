#!/bin/sh
# Kernel agreement on the C corpus: every tests/corpus/NAME.run at every cpu level, run in
# the kernel through BPF_PROG_TEST_RUN (tests/corpus_kernel/kernrun.c, libbpf) and in the
# userspace runtime (tests/run/bkrun.c, libbpfkit only), must give the same transcript:
# return value, data_out, the skb context fields, and the dumped maps, byte for byte.
#   agree/vN/NAME   live kernel transcript == bpfkit transcript
# Without a usable kernel the recorded kernel transcript (tests/corpus/NAME.out) stands in:
#   agree-recorded/vN/NAME
. "$ROOT/tests/lib.sh"
C=$ROOT/tests/corpus

if ! ls "$C"/*.run > /dev/null 2>&1; then
	skip agree "no tests/corpus/*.run files"
	exit 0
fi
build_corpus agree/corpus-build

build_bkrun agree || exit 0

live=1
if ! have_kernel_bpf; then
	live=0; why="needs root and a kernel with BTF"
elif ! pkg-config --exists libbpf 2>/dev/null; then
	live=0; why="libbpf-dev not installed"
elif ! build_kernrun; then
	live=0; why="kernrun does not build: $(head -1 "$T/cc.log")"
fi
[ $live = 0 ] && skip agree/live "$why; comparing with the recorded kernel transcripts"

for run in "$C"/*.run; do
	name=$(basename "$run" .run)
	for cpu in v1 v2 v3 v4; do
		obj=$BK_BUILD/corpus/$cpu/$name.o
		if [ ! -f "$obj" ]; then notok "agree/$cpu/$name" "no object $obj"; continue; fi
		if ! "$BR" "$obj" "$run" "$C/pkt" > "$T/u.out" 2> "$T/u.err"; then
			notok "agree/$cpu/$name" "bpfkit: $(head -2 "$T/u.err" | tr '\n' ' ')"
			continue
		fi
		if [ $live = 1 ]; then
			"$KR" "$obj" "$run" "$C/pkt" > "$T/k.out" 2> "$T/k.err"
			if [ ! -s "$T/k.out" ]; then
				notok "agree/$cpu/$name" "kernel: $(grep -v '^libbpf: ' "$T/k.err" | head -2 | tr '\n' ' ')"
				continue
			fi
			check_same "agree/$cpu/$name" "$T/k.out" "$T/u.out"
		elif [ -f "$C/$name.out" ]; then
			check_same "agree-recorded/$cpu/$name" "$C/$name.out" "$T/u.out"
		else
			skip "agree-recorded/$cpu/$name" "no recorded transcript"
		fi
	done
done
