#!/bin/sh
# The JIT against the interpreter and the kernel on the C corpus: every
# tests/corpus/NAME.run at every cpu level, run by tests/run/bkrun.c with the interpreter
# and with every program JIT-compiled, must give the same transcript (return value,
# data_out, skb context fields, dumped maps) and the same errors; the JIT's transcript
# must also equal the recorded kernel transcript (tests/corpus/NAME.out).
#   jit-corpus/vN/NAME          JIT == interpreter
#   jit-corpus-kernel/vN/NAME   JIT == recorded kernel transcript
. "$ROOT/tests/lib.sh"
C=$ROOT/tests/corpus

if ! ls "$C"/*.run > /dev/null 2>&1; then
	skip jit-corpus "no tests/corpus/*.run files"
	exit 0
fi
if ! "$BPFKIT" version | grep -q . || ! [ "$(uname -m)" = x86_64 ]; then
	skip jit-corpus "the JIT needs an x86-64 host"
	exit 0
fi
build_corpus jit-corpus/build
build_bkrun jit-corpus || exit 0

n=0
for run in "$C"/*.run; do
	name=$(basename "$run" .run)
	for cpu in v1 v2 v3 v4; do
		obj=$BK_BUILD/corpus/$cpu/$name.o
		if [ ! -f "$obj" ]; then notok "jit-corpus/$cpu/$name" "no object $obj"; continue; fi
		bkrun_as i "$obj" "$run"
		bkrun_as j "$obj" "$run" BKRUN_ENGINE=jit
		why=$(bkrun_differ i j)
		if [ -n "$why" ]; then
			notok "jit-corpus/$cpu/$name" "$why"
			continue
		fi
		ok "jit-corpus/$cpu/$name"
		n=$((n + 1))
		if [ -f "$C/$name.out" ]; then
			check_same "jit-corpus-kernel/$cpu/$name" "$C/$name.out" "$T/j.out"
		fi
	done
done
[ $n -gt 0 ] || notok jit-corpus/none "no corpus program ran"
