# prog profile: a hardware counter the machine lacks is refused by name with the
# kernel's reason (exit non-zero); with cpu_clock (a software counter) the fentry/
# fexit programs attach, or the kernel's refusal of tracing programs is shown;
# bad arguments are one line; nothing the profiler made stays in the kernel.
# (tests/unit/test_kern_profile.c counts run_cnt with the target run while attached.)
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/kern/kt.sh"

sh "$ROOT/tests/corpus/build.sh" "$BK_BUILD/corpus" > /dev/null 2>&1
o=$BK_BUILD/corpus/v3/map_hash.o
P=$BPFFS/prof
if ! "$BPFKIT" prog load "$o" "$P" 2> "$T/e"; then
	notok profile/load "$(head -1 "$T/e")"
	exit 0
fi
# 64 bytes of packet for the runs
head -c 64 /dev/zero > "$T/pkt"

# Programs the profiler makes, still in the kernel once it has exited. Their names are
# fixed and ids machine-wide: a profiler another suite runs at the same time has the same
# ones, held by its process (bpftool's "pids"), where a leak of this run's is held by no
# process at all.
leftovers() {
	bpftool -j prog show 2> /dev/null | $PY -c '
import json, sys
progs = ["%s (id %d)" % (p["name"], p["id"]) for p in json.load(sys.stdin)
         if p.get("name") in ("bk_fentry", "bk_fexit") and not p.get("pids")]
print(" ".join(progs))'
}

"$BPFKIT" prog profile pinned "$P" duration 1 cycles > "$T/o" 2> "$T/e"
rc=$?
if [ $rc = 0 ]; then
	# a machine with a PMU: the readings are printed
	grep -q " run_cnt" "$T/o" && grep -q " cycles" "$T/o" && ok profile/cycles || notok profile/cycles "$(cat "$T/o")"
elif [ "$(wc -l < "$T/e")" = 1 ] && grep -q "refused the cycles counter on CPU [0-9]*: perf_event_open: " "$T/e"; then
	ok profile/cycles-refused
	echo "# kernel: $(cat "$T/e")"
else
	notok profile/cycles-refused "exit $rc: $(head -2 "$T/e" | tr '\n' ' ')"
fi
[ -s "$T/o" ] && [ $rc != 0 ] && notok profile/cycles-no-output "printed $(head -c 100 "$T/o")"

# The software counter: fentry/fexit on the target, or the kernel says why not.
"$BPFKIT" -j prog profile pinned "$P" duration 1 cpu_clock > "$T/o" 2> "$T/e"
rc=$?
if [ $rc = 0 ]; then
	$PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert "run_cnt" in d and d["metrics"][0]["name"] == "cpu_clock", d
' "$T/o" 2> "$T/pe" && ok profile/cpu_clock-json || notok profile/cpu_clock-json "$(tail -1 "$T/pe")"
elif grep -q "loads no tracing programs\|refused the bk_fentry program" "$T/e"; then
	skip profile/cpu_clock-json "the kernel refuses fentry/fexit here: $(cat "$T/e")"
else
	notok profile/cpu_clock-json "exit $rc: $(head -2 "$T/e" | tr '\n' ' ')"
fi
l=$(leftovers)
[ -z "$l" ] && ok profile/nothing-left || notok profile/nothing-left "still loaded: $l"

check_fails profile/unknown-metric "unknown metric 'bogus'" "$BPFKIT" prog profile pinned "$P" bogus
check_fails profile/no-metric "no METRIC given" "$BPFKIT" prog profile pinned "$P" duration 1
check_fails profile/bad-duration "bad duration 'x'" "$BPFKIT" prog profile pinned "$P" duration x cycles
check_fails profile/twice "given twice" "$BPFKIT" prog profile pinned "$P" cycles cycles
check_fails profile/no-prog "no program with id" "$BPFKIT" prog profile id 4000000000 cycles
rm -f "$P"
