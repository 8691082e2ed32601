# prog load/loadall/show/pin/dump/run/attach against the kernel, compared with bpftool.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/kern/kt.sh"

kt_build kt_xdp && kt_build kt_bad && kt_build kt_sk && kt_build kt_trace -DKT_TAG=$$ || { notok prog-build "clang-19 failed"; exit 0; }
B=$BPFFS

check prog-help "$BPFKIT" prog --help
check prog-loadall "$BPFKIT" prog loadall "$T/kt_xdp.o" "$B/x" pinmaps "$B/m"
if [ -e "$B/x/kt_count" ] && [ -e "$B/x/kt_drop" ] && [ -e "$B/m/kt_counts" ] && [ -e "$B/m/kt_hash" ]; then
	ok prog-loadall-pins; else notok prog-loadall-pins "$(ls -R "$B" | tr '\n' ' ')"; fi

# show: the same JSON as bpftool, plain and with bpffs paths
"$BPFKIT" -j prog show pinned "$B/x/kt_count" > "$T/a.json"
bpftool -j prog show pinned "$B/x/kt_count" > "$T/b.json"
jsame prog-show-json-vs-bpftool "$T/a.json" "$T/b.json"
"$BPFKIT" -j -f prog show pinned "$B/x/kt_count" > "$T/a.json"
bpftool -j -f prog show pinned "$B/x/kt_count" > "$T/b.json"
jsame prog-show-bpffs-vs-bpftool "$T/a.json" "$T/b.json"
"$BPFKIT" -p prog show pinned "$B/x/kt_drop" > "$T/a.json"
bpftool -j prog show pinned "$B/x/kt_drop" > "$T/b.json"
jsame prog-show-pretty-vs-bpftool "$T/a.json" "$T/b.json"
ID=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T/b.json")
TAG=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["tag"])' "$T/b.json")
"$BPFKIT" prog show id "$ID" > "$T/s.txt"
if head -1 "$T/s.txt" | grep -q "^$ID: xdp  name kt_drop  tag $TAG  gpl"; then ok prog-show-text
else notok prog-show-text "$(head -1 "$T/s.txt")"; fi
"$BPFKIT" -j prog show tag "$TAG" > "$T/a.json"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); d=d if isinstance(d,list) else [d]; sys.exit(0 if any(p["id"]==int(sys.argv[2]) for p in d) else 1)' "$T/a.json" "$ID" \
	&& ok prog-show-by-tag || notok prog-show-by-tag "id $ID not in $(head -c 200 "$T/a.json")"
"$BPFKIT" -j prog show name kt_drop > "$T/a.json"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); d=d if isinstance(d,list) else [d]; sys.exit(0 if any(p["id"]==int(sys.argv[2]) for p in d) else 1)' "$T/a.json" "$ID" \
	&& ok prog-show-by-name || notok prog-show-by-name "id $ID not found by name"
"$BPFKIT" -j prog list > "$T/all.json"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if any(p["id"]==int(sys.argv[2]) for p in d) else 1)' "$T/all.json" "$ID" \
	&& ok prog-list || notok prog-list "id $ID missing from prog list"

# pin
check prog-pin "$BPFKIT" prog pin id "$ID" "$B/again"
[ "$(bpftool -j prog show pinned "$B/again" | $PY -c 'import json,sys; print(json.load(sys.stdin)["id"])')" = "$ID" ] \
	&& ok prog-pin-same-prog || notok prog-pin-same-prog "bpftool sees another program"
check_fails prog-pin-exists "File exists" "$BPFKIT" prog pin id "$ID" "$B/again"
check_fails prog-pin-outside-bpffs "not on a bpf filesystem" "$BPFKIT" prog pin id "$ID" "$T/nope"
[ ! -e "$T/nope" ] && ok prog-pin-outside-nothing-left || notok prog-pin-outside-nothing-left "$T/nope exists"

# dump xlated: byte for byte what bpftool prints for a program without v4
# instructions (plain and -j; opcodes and linum too)
for mode in plain opcodes linum; do
	m=$mode; [ "$m" = plain ] && m=
	"$BPFKIT" prog dump xlated pinned "$B/x/kt_count" $m > "$T/a.txt"
	bpftool prog dump xlated pinned "$B/x/kt_count" $m > "$T/b.txt"
	check_same "prog-dump-xlated-$mode-vs-bpftool" "$T/a.txt" "$T/b.txt"
	"$BPFKIT" -j prog dump xlated pinned "$B/x/kt_count" $m > "$T/a.txt"
	bpftool -j prog dump xlated pinned "$B/x/kt_count" $m > "$T/b.txt"
	check_same "prog-dump-xlated-$mode-json-vs-bpftool" "$T/a.txt" "$T/b.txt"
done
# v4 instructions: bpftool 7.1 prints signed division as plain '/='; bpfkit must not
kt_build_v4() { [ -f "$T/kt_v4.o" ] || $CLANG $BPF_CFLAGS -mcpu=v4 -c "$PROGS/kt_v4.c" -o "$T/kt_v4.o"; }
if kt_build_v4 && "$BPFKIT" prog load "$T/kt_v4.o" "$B/v4" 2> "$T/v4.err"; then
	"$BPFKIT" prog dump xlated pinned "$B/v4" > "$T/v4.txt"
	grep -q '(34) w2 s/= -3' "$T/v4.txt" && ok prog-dump-xlated-v4-sdiv || notok prog-dump-xlated-v4-sdiv "$(grep '(34)' "$T/v4.txt")"
	llvm-objdump-19 -d --no-show-raw-insn "$T/kt_v4.o" | grep -c 's/=' > "$T/n1"
	[ "$(grep -c 's/=' "$T/v4.txt")" = "$(cat "$T/n1")" ] && ok prog-dump-xlated-v4-count || notok prog-dump-xlated-v4-count "sdiv count differs from llvm-objdump"
else
	skip prog-dump-xlated-v4 "the kernel refuses v4 instructions: $(cat "$T/v4.err" 2>/dev/null)"
fi
"$BPFKIT" -j prog dump xlated pinned "$B/x/kt_count" > "$T/a.json"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d)); sys.exit(0 if d[0]["disasm"]=="(bf) r6 = r1" else 1)' "$T/a.json" > /dev/null \
	&& ok prog-dump-xlated-json || notok prog-dump-xlated-json "$(head -c 200 "$T/a.json")"
check prog-dump-xlated-file "$BPFKIT" prog dump xlated pinned "$B/x/kt_count" file "$T/x.bin"
XL=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytes_xlated"])' "$T/b.json" 2>/dev/null)
"$BPFKIT" -j prog show pinned "$B/x/kt_count" > "$T/c.json"
XL=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytes_xlated"])' "$T/c.json")
[ "$(stat -c %s "$T/x.bin" 2>/dev/null)" = "$XL" ] && ok prog-dump-xlated-file-size || notok prog-dump-xlated-file-size "want $XL bytes"
"$BPFKIT" prog dump xlated pinned "$B/x/kt_count" opcodes | grep -cE '^ +([0-9a-f]{2} ){7}[0-9a-f]{2}' > "$T/n"
[ "$(cat "$T/n")" -ge 10 ] && ok prog-dump-xlated-opcodes || notok prog-dump-xlated-opcodes "$(cat "$T/n") opcode lines"
"$BPFKIT" prog dump xlated pinned "$B/x/kt_count" linum | grep -q 'kt_xdp.c line_num:[0-9]' \
	&& ok prog-dump-xlated-linum || notok prog-dump-xlated-linum "no file/line numbers"
"$BPFKIT" prog dump xlated pinned "$B/x/kt_count" visual > "$T/g.dot"
if head -1 "$T/g.dot" | grep -q '^digraph' && grep -q 'fn_0_bb_1' "$T/g.dot" && [ "$(grep -c -- '->' "$T/g.dot")" -ge 4 ]; then
	ok prog-dump-xlated-visual; else notok prog-dump-xlated-visual "$(head -3 "$T/g.dot" | tr '\n' ' ')"; fi

# dump jited: an x86-64 listing
"$BPFKIT" prog dump jited pinned "$B/x/kt_count" > "$T/j.txt" 2>&1
if head -1 "$T/j.txt" | grep -q "^bpf_prog_${TAG%????????????????}.*kt_count:" || head -1 "$T/j.txt" | grep -q "^bpf_prog_[0-9a-f]*_kt_count:"; then
	if grep -q 'push' "$T/j.txt" && grep -qE 'ret|jmp' "$T/j.txt"; then ok prog-dump-jited; else notok prog-dump-jited "no push/ret"; fi
else notok prog-dump-jited "$(head -2 "$T/j.txt" | tr '\n' ' ')"; fi
"$BPFKIT" -j prog dump jited pinned "$B/x/kt_count" opcodes > "$T/j.json"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); i=d[0]["insns"]; sys.exit(0 if len(i)>5 and all("opcodes" in x for x in i) else 1)' "$T/j.json" \
	&& ok prog-dump-jited-json || notok prog-dump-jited-json "$(head -c 200 "$T/j.json")"

# run: XDP_DROP (1) for a first byte 0xff, XDP_PASS (2) otherwise; the map counts runs
printf '\377\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' > "$T/pkt1"
printf '\001\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' > "$T/pkt2"
"$BPFKIT" prog run pinned "$B/x/kt_count" data_in "$T/pkt1" > "$T/r1.txt" 2>&1
grep -q '^Return value: 1, duration: [0-9]*ns' "$T/r1.txt" && ok prog-run-drop || notok prog-run-drop "$(cat "$T/r1.txt")"
"$BPFKIT" -j prog run pinned "$B/x/kt_count" data_in "$T/pkt2" data_out "$T/out" repeat 5 > "$T/r2.json" 2>&1
$PY -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["retval"]==2 else 1)' "$T/r2.json" \
	&& ok prog-run-pass-json || notok prog-run-pass-json "$(cat "$T/r2.json")"
cmp -s "$T/out" "$T/pkt2" && ok prog-run-data-out || notok prog-run-data-out "data_out differs from the packet"
bpftool -j map lookup pinned "$B/m/kt_counts" key 0 0 0 0 > "$T/c.json"
[ "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["formatted"]["value"])' "$T/c.json")" = 6 ] \
	&& ok prog-run-counts-in-map || notok prog-run-counts-in-map "$(cat "$T/c.json")"
check_fails prog-run-no-data "data_in" "$BPFKIT" prog run pinned "$B/x/kt_count"
check_fails prog-run-missing-file "nosuch" "$BPFKIT" prog run pinned "$B/x/kt_count" data_in "$T/nosuch"

# reuse maps by index and by name, into a second load of the same object
check prog-load-reuse-idx "$BPFKIT" prog load "$T/kt_xdp.o" "$B/r1" map idx 0 pinned "$B/m/kt_counts"
check prog-load-reuse-name "$BPFKIT" prog load "$T/kt_xdp.o" "$B/r2" map name kt_counts pinned "$B/m/kt_counts"
MID=$(bpftool -j map show pinned "$B/m/kt_counts" | $PY -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for p in r1 r2; do
	bpftool -j prog show pinned "$B/$p" | $PY -c 'import json,sys; sys.exit(0 if int(sys.argv[1]) in json.load(sys.stdin)["map_ids"] else 1)' "$MID" \
		&& ok "prog-load-reuse-$p-uses-map" || notok "prog-load-reuse-$p-uses-map" "map $MID not used"
done
check_fails prog-load-reuse-mismatch "can't reuse" "$BPFKIT" prog load "$T/kt_xdp.o" "$B/r3" map name kt_counts pinned "$B/m/kt_hash"
[ ! -e "$B/r3" ] && ok prog-load-reuse-mismatch-nothing-left || notok prog-load-reuse-mismatch-nothing-left "$B/r3 exists"
check_fails prog-load-reuse-bad-idx "no map with index 9" "$BPFKIT" prog load "$T/kt_xdp.o" "$B/r3" map idx 9 pinned "$B/m/kt_hash"
check_fails prog-load-reuse-bad-name "no map named" "$BPFKIT" prog load "$T/kt_xdp.o" "$B/r3" map name nosuch pinned "$B/m/kt_hash"
check prog-load-type "$BPFKIT" prog load "$T/kt_xdp.o" "$B/t1" type xdp
check_fails prog-load-bad-type "unknown program type" "$BPFKIT" prog load "$T/kt_xdp.o" "$B/t2" type nosuchtype

# bad input: verifier rejection with the log tail, paths, ids, names, tags
check_fails prog-load-verifier-reject "rejected by the verifier: .*outside of the packet" "$BPFKIT" prog load "$T/kt_bad.o" "$B/bad"
grep -q 'invalid access to packet' "$T/cf.err" && ok prog-load-verifier-log-tail || notok prog-load-verifier-log-tail "no log tail"
[ ! -e "$B/bad" ] && ok prog-load-reject-nothing-left || notok prog-load-reject-nothing-left "$B/bad exists"
"$BPFKIT" -d prog load "$T/kt_bad.o" "$B/bad" > /dev/null 2> "$T/d.err"
grep -q 'libbpf: ' "$T/d.err" && grep -q '^0: R1=ctx' "$T/d.err" && ok prog-load-debug-whole-log || notok prog-load-debug-whole-log "-d shows no libbpf/verifier log"
check_fails prog-load-outside-bpffs "not on a bpf filesystem" "$BPFKIT" prog load "$T/kt_xdp.o" "$T/p"
[ ! -e "$T/p" ] && ok prog-load-outside-nothing-left || notok prog-load-outside-nothing-left "$T/p exists"
check_fails prog-load-pinmaps-outside "not on a bpf filesystem" "$BPFKIT" prog load "$T/kt_xdp.o" "$B/p" pinmaps "$T/maps"
[ ! -e "$B/p" ] && ok prog-load-pinmaps-outside-nothing-left || notok prog-load-pinmaps-outside-nothing-left "$B/p exists"
check_fails prog-load-not-elf "can't open BPF object" "$BPFKIT" prog load "$T/pkt1" "$B/p"
check_fails prog-load-exists "already exists" "$BPFKIT" prog load "$T/kt_xdp.o" "$B/again"
check_fails prog-show-bad-id "no program with id 4000000000" "$BPFKIT" prog show id 4000000000
check_fails prog-show-bad-idword "bad program id" "$BPFKIT" prog show id abc
check_fails prog-show-bad-tag "bad tag" "$BPFKIT" prog show tag 123
check_fails prog-show-unknown-tag "no program with tag" "$BPFKIT" prog show tag 0123456789abcdef
check_fails prog-show-unknown-name "no program with name" "$BPFKIT" prog show name bk_nosuch_prog
check_fails prog-show-pinned-map "not a program" "$BPFKIT" prog show pinned "$B/m/kt_hash"
check_fails prog-show-pinned-missing "can't open pinned object" "$BPFKIT" prog show pinned "$B/nosuch"
check_fails prog-unknown-command "unknown command" "$BPFKIT" prog frobnicate

# attach: an sk_skb verdict program to a sockmap, and back
check prog-loadall-sk "$BPFKIT" prog loadall "$T/kt_sk.o" "$B/sk" pinmaps "$B/skm"
check prog-attach-verdict "$BPFKIT" prog attach pinned "$B/sk/kt_verdict" sk_skb_stream_verdict pinned "$B/skm/kt_sockmap"
check prog-detach-verdict "$BPFKIT" prog detach pinned "$B/sk/kt_verdict" sk_skb_stream_verdict pinned "$B/skm/kt_sockmap"
check_fails prog-detach-twice "can't detach" "$BPFKIT" prog detach pinned "$B/sk/kt_verdict" sk_skb_stream_verdict pinned "$B/skm/kt_sockmap"
check prog-attach-msg "$BPFKIT" prog attach pinned "$B/sk/kt_msg" sk_msg_verdict pinned "$B/skm/kt_sockmap"
check prog-detach-msg "$BPFKIT" prog detach pinned "$B/sk/kt_msg" sk_msg_verdict pinned "$B/skm/kt_sockmap"
check_fails prog-attach-wrong-type "can't attach" "$BPFKIT" prog attach pinned "$B/sk/kt_msg" sk_skb_stream_parser pinned "$B/skm/kt_sockmap"
check_fails prog-attach-unknown-type "unknown attach type" "$BPFKIT" prog attach pinned "$B/sk/kt_msg" nosuch pinned "$B/skm/kt_sockmap"
check_fails prog-attach-no-map "needs a MAP" "$BPFKIT" prog attach pinned "$B/sk/kt_msg" sk_msg_verdict

# profile: this needs hardware counters; without them, a plain statement and failure
if "$BPFKIT" prog profile pinned "$B/x/kt_count" duration 1 cycles > "$T/p.out" 2> "$T/p.err"; then
	notok prog-profile "succeeded, but bpfkit has no profiler"
elif grep -q 'no hardware performance counters\|not implemented' "$T/p.err"; then ok prog-profile-says-why
else notok prog-profile-says-why "$(cat "$T/p.err")"; fi
check_fails prog-profile-bad-metric "unknown metric" "$BPFKIT" prog profile pinned "$B/x/kt_count" bogus

# tracelog: the line a program printed, from a private tracefs. trace_pipe has one
# reader at a time machine-wide (EBUSY for the others): while another test on the machine
# holds it, try again, up to four times. Its buffer is machine-wide too: the line carries
# this run's pid (kt_trace.c's KT_TAG), and other lines are someone else's.
mkdir -p "$T/tracefs"
if mount -t tracefs tracefs "$T/tracefs" 2>/dev/null; then
	"$BPFKIT" prog loadall "$T/kt_trace.o" "$B/tr" > /dev/null 2>&1
	try=0
	while :; do
		timeout 3 "$BPFKIT" prog tracelog > "$T/trace.txt" 2>&1 &
		tp=$!
		sleep 0.5
		"$BPFKIT" prog run pinned "$B/tr/kt_trace" data_in "$T/pkt2" > /dev/null 2>&1
		wait $tp
		try=$((try + 1))
		grep -q 'Device or resource busy' "$T/trace.txt" && [ $try -lt 4 ] || break
		sleep 1
	done
	if grep -q "bpfkit-tracelog-$$\$" "$T/trace.txt"; then ok prog-tracelog
	elif grep -q 'Device or resource busy' "$T/trace.txt"; then
		skip prog-tracelog "trace_pipe stayed busy (another reader on the machine)"
	else notok prog-tracelog "$(head -2 "$T/trace.txt" | tr '\n' ' ')"; fi
	umount "$T/tracefs"
else
	skip prog-tracelog "the kernel refuses to mount tracefs here"
fi
