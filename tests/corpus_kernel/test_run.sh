#!/bin/sh
# Runs every tests/corpus/NAME.run in the kernel (BPF_PROG_TEST_RUN through kernrun.c) at
# every cpu level. Checks per program and level:
#   run/vN/NAME   the .run file's expectations hold, and the whole transcript (verdicts,
#                 output packets, context, map dumps) equals tests/corpus/NAME.out, the
#                 recorded kernel transcript; so all four cpu levels behave the same.
#   pkt/gen       tests/corpus/pkt/gen.py re-creates the committed packets byte for byte.
# Set CORPUS_RECORD=1 to (re)write the NAME.out files from the v4 run instead of checking.
. "$ROOT/tests/lib.sh"
C=$ROOT/tests/corpus

if command -v python3 >/dev/null 2>&1; then
	mkdir -p "$T/pkt"
	python3 "$C/pkt/gen.py" "$T/pkt"
	d=$(for f in "$C"/pkt/*.hex; do cmp -s "$f" "$T/pkt/$(basename "$f")" || echo "$(basename "$f")"; done)
	if [ -z "$d" ] && [ "$(ls "$T/pkt" | wc -l)" = "$(ls "$C"/pkt/*.hex | wc -l)" ]; then ok pkt/gen
	else notok pkt/gen "gen.py output differs from the committed packets: $d"; fi
else
	skip pkt/gen "python3 not installed"
fi

if ! have_kernel_bpf; then skip corpus_run "needs root and a kernel with BTF"; exit 0; fi
if ! pkg-config --exists libbpf 2>/dev/null; then skip corpus_run "libbpf-dev not installed"; exit 0; fi
build_corpus corpus_build
if ! build_kernrun; then
	notok kernrun_build "$(head -3 "$T/cc.log" | tr '\n' ' ')"
	exit 0
fi

# Every program that is not meant to be rejected has inputs.
missing=
for src in "$C"/*.c; do
	name=$(basename "$src" .c)
	case $name in reject_*) continue ;; esac
	[ -f "$C/$name.run" ] || missing="$missing $name"
done
if [ -z "$missing" ]; then ok runfiles/complete; else notok runfiles/complete "no .run for:$missing"; fi

for run in "$C"/*.run; do
	name=$(basename "$run" .run)
	for cpu in v4 v3 v2 v1; do
		n=run/$cpu/$name
		obj=$BK_BUILD/corpus/$cpu/$name.o
		if [ ! -f "$obj" ]; then notok "$n" "no object $obj"; continue; fi
		if ! "$KR" "$obj" "$run" "$C/pkt" > "$T/out" 2> "$T/err"; then
			notok "$n" "$(grep -v '^libbpf: ' "$T/err" | head -2 | tr '\n' ' ')"
			continue
		fi
		if [ "${CORPUS_RECORD:-0}" = 1 ] && [ $cpu = v4 ]; then
			cp "$T/out" "$C/$name.out"
		fi
		if [ -f "$C/$name.out" ]; then
			check_same "$n" "$C/$name.out" "$T/out"
		else
			notok "$n" "no recorded transcript $name.out (CORPUS_RECORD=1 writes it)"
		fi
	done
done
