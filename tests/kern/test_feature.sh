# feature probe against bpftool and the kernel itself; stats; cc.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/kern/kt.sh"

check feature-help "$BPFKIT" feature --help
"$BPFKIT" -j feature probe > "$T/a.json" 2> "$T/a.err" || notok feature-probe "$(cat "$T/a.err")"
bpftool -j feature probe kernel > "$T/b.json" 2>/dev/null
# bpftool's keys and values, except where bpftool 7.1 is wrong (helpers: it lists
# every helper for every type on this kernel) and the v4 key it lacks
if out=$($PY - "$T/a.json" "$T/b.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
bad = []
for sec in ("system_config", "syscall_config", "program_types", "map_types", "misc"):
    for k, v in b[sec].items():
        if k not in a[sec]:
            bad.append("missing %s.%s" % (sec, k))
        elif a[sec][k] != v:
            bad.append("%s.%s %r != bpftool %r" % (sec, k, a[sec][k], v))
for k in b["helpers"]:
    if k not in a["helpers"]:
        bad.append("missing helpers." + k)
print("; ".join(bad[:4]))
sys.exit(1 if bad else 0)
PY
); then ok feature-probe-keys-vs-bpftool; else notok feature-probe-keys-vs-bpftool "$out"; fi
$PY -c 'import json,sys; m=json.load(open(sys.argv[1]))["misc"]; sys.exit(0 if "have_v4_isa_extension" in m else 1)' "$T/a.json" \
	&& ok feature-probe-has-v4-key || notok feature-probe-has-v4-key "no misc.have_v4_isa_extension"
# The kernel's own behaviour decides v4: load a -mcpu=v4 object
V4=$($PY -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["misc"]["have_v4_isa_extension"]))' "$T/a.json")
$CLANG $BPF_CFLAGS -mcpu=v4 -c "$PROGS/kt_v4.c" -o "$T/kt_v4.o"
if "$BPFKIT" prog load "$T/kt_v4.o" "$BPFFS/v4" 2> "$T/v4.err"; then LOADS=1; else LOADS=0; fi
[ "$V4" = "$LOADS" ] && ok feature-probe-v4-matches-kernel || notok feature-probe-v4-matches-kernel "probe says $V4, a v4 object loads: $LOADS ($(cat "$T/v4.err"))"
# Helpers: per type, as the verifier allows them (bpftool 7.1 says yes to all)
if out=$($PY - "$T/a.json" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))["helpers"]
sf, xdp = set(h["socket_filter_available_helpers"]), set(h["xdp_available_helpers"])
bad = []
if "bpf_map_lookup_elem" not in sf: bad.append("socket_filter lacks map_lookup_elem")
if "bpf_xdp_adjust_head" in sf: bad.append("socket_filter has xdp_adjust_head")
if "bpf_xdp_adjust_head" not in xdp: bad.append("xdp lacks xdp_adjust_head")
if "bpf_skb_store_bytes" in xdp: bad.append("xdp has skb_store_bytes")
print("; ".join(bad)); sys.exit(1 if bad else 0)
PY
); then ok feature-probe-helpers-per-type; else notok feature-probe-helpers-per-type "$out"; fi
# ...and the verifier agrees: a socket filter calling xdp_adjust_head is refused
cat > "$T/h.c" <<'C'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("socket") int kt_h(struct __sk_buff *s) { return bpf_xdp_adjust_head((void *)s, 0); }
char LICENSE[] SEC("license") = "GPL";
C
$CLANG $BPF_CFLAGS -c "$T/h.c" -o "$T/h.o" 2>/dev/null
check_fails feature-helper-refusal-is-real "cannot use helper\|unknown func" "$BPFKIT" prog load "$T/h.o" "$BPFFS/h"
"$BPFKIT" feature probe kernel > "$T/p.txt"
grep -q '^ISA extension v4 is ' "$T/p.txt" && grep -q '^eBPF program_type xdp is available' "$T/p.txt" \
	&& ok feature-probe-text || notok feature-probe-text "$(head -3 "$T/p.txt" | tr '\n' ' ')"
check_fails feature-probe-dev "only 'kernel'" "$BPFKIT" feature probe dev eth0

# cc: -mcpu=probe is the level the probe found
LEVEL=$($PY -c 'import json,sys; m=json.load(sys.stdin)["misc"]; print(4 if m["have_v4_isa_extension"] else 3 if m["have_v3_isa_extension"] else 2 if m["have_v2_isa_extension"] else 1)' < "$T/a.json")
"$BPFKIT" cc -v "$PROGS/kt_xdp.c" -o "$T/cc.o" -mcpu=probe 2> "$T/cc.err"
grep -q -- "-mcpu=v$LEVEL " "$T/cc.err" && ok cc-mcpu-probe || notok cc-mcpu-probe "$(cat "$T/cc.err")"
llvm-readelf-19 -S "$T/cc.o" 2>/dev/null | grep -q ' xdp ' && ok cc-object || notok cc-object "no xdp section in $T/cc.o"
(cd "$T" && "$BPFKIT" cc "$PROGS/kt_cg.c") && [ -f "$T/kt_cg.o" ] && ok cc-default-output || notok cc-default-output "no kt_cg.o"
check_fails cc-bad-cpu "unknown cpu 'v9'" "$BPFKIT" cc "$PROGS/kt_xdp.c" -o "$T/x.o" -mcpu=v9
check_fails cc-missing-file "nosuch.c" "$BPFKIT" cc "$T/nosuch.c"
printf 'int f(void) { return undefined_thing; }\n' > "$T/broken.c"
check_fails cc-compile-error "compilation failed" "$BPFKIT" cc "$T/broken.c" -o "$T/broken.o"
[ ! -e "$T/broken.o" ] && ok cc-no-output-on-error || notok cc-no-output-on-error "broken.o exists"

# stats: the sysctl is put back whatever happens; another suite's stats tests would turn
# it on and off under these
machine_lock bpf-stats
OLD=$(cat /proc/sys/kernel/bpf_stats_enabled)
trap 'echo "$OLD" > /proc/sys/kernel/bpf_stats_enabled' EXIT
kt_build kt_xdp
"$BPFKIT" prog loadall "$T/kt_xdp.o" "$BPFFS/x" > /dev/null
printf '\001\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' > "$T/pkt"
check stats-disable "$BPFKIT" stats disable
[ "$(cat /proc/sys/kernel/bpf_stats_enabled)" = 0 ] && ok stats-disable-sysctl || notok stats-disable-sysctl "still on"
"$BPFKIT" prog run pinned "$BPFFS/x/kt_count" data_in "$T/pkt" repeat 10 > /dev/null
"$BPFKIT" -j stats show pinned "$BPFFS/x/kt_count" | $PY -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[0]["run_cnt"]==0 else 1)' \
	&& ok stats-off-no-counts || notok stats-off-no-counts "counted while off"
check stats-enable "$BPFKIT" stats enable
[ "$(cat /proc/sys/kernel/bpf_stats_enabled)" = 1 ] && ok stats-enable-sysctl || notok stats-enable-sysctl "not on"
"$BPFKIT" prog run pinned "$BPFFS/x/kt_count" data_in "$T/pkt" repeat 10 > /dev/null
"$BPFKIT" -j stats show pinned "$BPFFS/x/kt_count" > "$T/s.json"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1]))[0]; sys.exit(0 if d["run_cnt"]==10 and d["run_time_ns"]>0 and d["avg_ns"]==d["run_time_ns"]//10 else 1)' "$T/s.json" \
	&& ok stats-show-counts || notok stats-show-counts "$(cat "$T/s.json")"
"$BPFKIT" -j prog show pinned "$BPFFS/x/kt_count" > "$T/a.json"; bpftool -j prog show pinned "$BPFFS/x/kt_count" > "$T/b.json"
jsame stats-prog-show-run-cnt-vs-bpftool "$T/a.json" "$T/b.json"
grep -q '"run_cnt":10' "$T/a.json" && ok stats-prog-show-run-cnt || notok stats-prog-show-run-cnt "$(cat "$T/a.json")"
"$BPFKIT" stats status | grep -q 'are on' && ok stats-status || notok stats-status "$("$BPFKIT" stats status)"
check stats-disable-again "$BPFKIT" stats disable
# stats run: BPF_ENABLE_STATS held only while the command runs
check stats-run "$BPFKIT" stats run "$BPFKIT" prog run pinned "$BPFFS/x/kt_count" data_in "$T/pkt" repeat 5
"$BPFKIT" -j stats show pinned "$BPFFS/x/kt_count" | $PY -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[0]["run_cnt"]==15 else 1)' \
	&& ok stats-run-counts || notok stats-run-counts "run_cnt is not 15"
[ "$(cat /proc/sys/kernel/bpf_stats_enabled)" = 0 ] && ok stats-run-leaves-sysctl || notok stats-run-leaves-sysctl "sysctl changed"
check_fails stats-bad-command "unknown command" "$BPFKIT" stats frob
check_fails stats-run-missing "cannot run" "$BPFKIT" stats run /nonexistent/cmd
