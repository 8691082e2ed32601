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
if ! sh "$C/build.sh" "$BK_BUILD/corpus" > "$T/build.log" 2>&1; then
	notok jit-corpus/build "$(grep 'build.sh:' "$T/build.log" | head -3 | tr '\n' ' ')"
fi
build_bkrun jit-corpus || exit 0

n=0
for run in "$C"/*.run; do
	name=$(basename "$run" .run)
	for cpu in v1 v2 v3 v4; do
		obj=$BK_BUILD/corpus/$cpu/$name.o
		if [ ! -f "$obj" ]; then notok "jit-corpus/$cpu/$name" "no object $obj"; continue; fi
		"$BR" "$obj" "$run" "$C/pkt" > "$T/i.out" 2> "$T/i.err"; ri=$?
		BKRUN_ENGINE=jit "$BR" "$obj" "$run" "$C/pkt" > "$T/j.out" 2> "$T/j.err"; rj=$?
		if [ $ri -ne $rj ] || ! cmp -s "$T/i.out" "$T/j.out" || ! cmp -s "$T/i.err" "$T/j.err"; then
			notok "jit-corpus/$cpu/$name" "exit $ri/$rj; $(diff "$T/i.out" "$T/j.out" | head -3 | tr '\n' ' ') $(head -2 "$T/j.err" | tr '\n' ' ')"
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
