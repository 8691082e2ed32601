# net attach/detach/show on a veth pair inside a private network namespace, and
# cgroup attach/detach/show/tree on a child cgroup, compared with bpftool.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/kern/kt.sh"

kt_build kt_xdp && kt_build kt_cg || { notok netcg-build "clang-19 failed"; exit 0; }
B=$BPFFS
"$BPFKIT" prog loadall "$T/kt_xdp.o" "$B/x" > /dev/null 2>&1 || { notok netcg-load "$("$BPFKIT" prog loadall "$T/kt_xdp.o" "$B/x2" 2>&1)"; exit 0; }
"$BPFKIT" prog loadall "$T/kt_cg.o" "$B/c" > /dev/null 2>&1 || { notok netcg-load-cg "can't load kt_cg.o"; exit 0; }
check net-help "$BPFKIT" net --help
check cgroup-help "$BPFKIT" cgroup --help

# ---- net, in a network namespace that dies with the subshell
cat > "$T/net.sh" <<'NET'
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/kern/kt.sh"
B=$1
ip link set lo up
ip link add bkv0 type veth peer name bkv1 || { notok net-veth "can't create a veth pair"; exit 0; }
ip link set bkv0 up; ip link set bkv1 up
check net-attach-xdpgeneric "$BPFKIT" net attach xdpgeneric pinned "$B/x/kt_count" dev bkv0
"$BPFKIT" -j net show > "$T/a.json"; bpftool -j net show > "$T/b.json"
jsame net-show-json-vs-bpftool "$T/a.json" "$T/b.json"
"$BPFKIT" net show dev bkv0 | grep -q '^bkv0([0-9]*) generic id [0-9]' && ok net-show-text || notok net-show-text "$("$BPFKIT" net show dev bkv0 | tr '\n' ' ')"
check_fails net-attach-busy "already attached" "$BPFKIT" net attach xdpgeneric pinned "$B/x/kt_drop" dev bkv0
check net-attach-overwrite "$BPFKIT" net attach xdpgeneric pinned "$B/x/kt_drop" dev bkv0 overwrite
DROP=$(bpftool -j prog show pinned "$B/x/kt_drop" | $PY -c 'import json,sys; print(json.load(sys.stdin)["id"])')
bpftool -j net show dev bkv0 | $PY -c 'import json,sys; d=json.load(sys.stdin)[0]["xdp"]; sys.exit(0 if d and d[0]["id"]==int(sys.argv[1]) else 1)' "$DROP" \
	&& ok net-overwrite-took || notok net-overwrite-took "bpftool sees another program"
check net-detach-xdpgeneric "$BPFKIT" net detach xdpgeneric dev bkv0
bpftool -j net show dev bkv0 | $PY -c 'import json,sys; sys.exit(0 if not json.load(sys.stdin)[0]["xdp"] else 1)' \
	&& ok net-detach-gone || notok net-detach-gone "still attached"
if "$BPFKIT" net attach xdpdrv pinned "$B/x/kt_count" dev bkv1 2> "$T/drv.err"; then
	"$BPFKIT" -j net show dev bkv1 > "$T/a.json"; bpftool -j net show dev bkv1 > "$T/b.json"
	jsame net-show-xdpdrv-vs-bpftool "$T/a.json" "$T/b.json"
	check net-detach-xdpdrv "$BPFKIT" net detach xdpdrv dev bkv1
else
	skip net-attach-xdpdrv "the kernel refuses: $(cat "$T/drv.err")"
fi
check net-attach-xdp-auto "$BPFKIT" net attach xdp pinned "$B/x/kt_count" dev lo
check net-detach-xdp-auto "$BPFKIT" net detach xdp dev lo
check_fails net-attach-offload-refused "can't attach xdpoffload" "$BPFKIT" net attach xdpoffload pinned "$B/x/kt_count" dev bkv0
echo "# kernel's reason for xdpoffload on veth: $(cat "$T/cf.err")"
check_fails net-attach-no-device "no network device 'nosuchdev0'" "$BPFKIT" net attach xdp pinned "$B/x/kt_count" dev nosuchdev0
check_fails net-attach-bad-type "unknown attach type" "$BPFKIT" net attach xdpfoo pinned "$B/x/kt_count" dev bkv0
check_fails net-attach-no-dev "expected dev NAME" "$BPFKIT" net attach xdp pinned "$B/x/kt_count"
check_fails net-attach-unknown-prog "no program with id" "$BPFKIT" net attach xdp id 4000000000 dev bkv0
check_fails net-detach-nothing "can't detach\|nothing attached" "$BPFKIT" net detach tc_ingress dev bkv0
if "$BPFKIT" prog load "$T/kt_cg.o" "$B/tc" type tc 2> "$T/tc.err"; then
	check net-attach-tc "$BPFKIT" net attach tc_ingress pinned "$B/tc" dev bkv0
	"$BPFKIT" -j net show dev bkv0 | $PY -c 'import json,sys; t=json.load(sys.stdin)[0]["tc"]; sys.exit(0 if t and t[0]["kind"]=="clsact/ingress" else 1)' \
		&& ok net-show-tc || notok net-show-tc "no tc entry"
	bpftool -j net show dev bkv0 | $PY -c 'import json,sys; t=json.load(sys.stdin)[0]["tc"]; sys.exit(0 if t and t[0]["kind"]=="clsact/ingress" else 1)' \
		&& ok net-tc-seen-by-bpftool || notok net-tc-seen-by-bpftool "bpftool sees no tc filter"
	"$BPFKIT" -j net show dev bkv0 > "$T/a.json"; bpftool -j net show dev bkv0 > "$T/b.json"
	jsame net-show-tc-json-vs-bpftool "$T/a.json" "$T/b.json"
	check_fails net-attach-tc-busy "already attached" "$BPFKIT" net attach tc_ingress pinned "$B/x/kt_count" dev bkv0
	# overwrite replaces the filter in place: same handle and priority, the new program
	tc filter show dev bkv0 ingress > "$T/tc1"
	"$BPFKIT" prog load "$T/kt_cg.o" "$B/tc2" type tc 2> /dev/null
	check net-attach-tc-overwrite "$BPFKIT" net attach tc_ingress pinned "$B/tc2" dev bkv0 overwrite
	NEW=$(bpftool -j prog show pinned "$B/tc2" | $PY -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	tc filter show dev bkv0 ingress > "$T/tc2"
	if grep -q "id $NEW " "$T/tc2" && [ "$(grep -o 'handle 0x[0-9a-f]*' "$T/tc1")" = "$(grep -o 'handle 0x[0-9a-f]*' "$T/tc2")" ] &&
		[ "$(grep -c 'bpf' "$T/tc2")" = "$(grep -c 'bpf' "$T/tc1")" ]; then
		ok net-tc-overwrite-in-place
	else
		notok net-tc-overwrite-in-place "$(tr '\n' ' ' < "$T/tc2")"
	fi
	# a filter someone else attached (tc itself, its own handle and name) is seen and detached too
	if tc filter add dev bkv0 ingress prio 7 handle 0x77 bpf da pinned "$B/tc" 2> "$T/tcadd.err"; then
		"$BPFKIT" -j net show dev bkv0 > "$T/a.json"; bpftool -j net show dev bkv0 > "$T/b.json"
		jsame net-show-tc-foreign-vs-bpftool "$T/a.json" "$T/b.json"
		$PY -c 'import json,sys; t=json.load(open(sys.argv[1]))[0]["tc"]; sys.exit(0 if len(t) == 2 else 1)' "$T/a.json" \
			&& ok net-show-tc-two || notok net-show-tc-two "$(cat "$T/a.json")"
	else
		skip net-show-tc-foreign "tc refuses: $(head -1 "$T/tcadd.err")"
	fi
	# handle and prio as tc takes them: one more filter beside the others, as tc shows it
	check net-attach-tc-handle-prio "$BPFKIT" net attach tc_ingress pinned "$B/tc" dev bkv0 handle 0x42 prio 9
	tc filter show dev bkv0 ingress > "$T/tc3"
	grep -q "pref 9 bpf chain 0 handle 0x42 " "$T/tc3" && ok net-tc-handle-prio-by-tc || notok net-tc-handle-prio-by-tc "$(tr '\n' ' ' < "$T/tc3")"
	check_fails net-attach-tc-same-handle "already attached at tc_ingress (handle 0x42, pref 9)" \
		"$BPFKIT" net attach tc_ingress pinned "$B/tc" dev bkv0 handle 66 priority 9
	check net-attach-tc-handle-overwrite "$BPFKIT" net attach tc_ingress pinned "$B/tc2" dev bkv0 handle 66 pref 9 overwrite
	tc filter show dev bkv0 ingress > "$T/tc4"
	grep -q "pref 9 bpf chain 0 handle 0x42 .* id $NEW " "$T/tc4" && ok net-tc-handle-overwrite-took || notok net-tc-handle-overwrite-took "$(tr '\n' ' ' < "$T/tc4")"
	check net-attach-tc-prio-only "$BPFKIT" net attach tc_ingress pinned "$B/tc" dev bkv0 prio 12
	tc filter show dev bkv0 ingress | grep -q "pref 12 bpf chain 0 handle 0x" && ok net-tc-prio-only-by-tc || notok net-tc-prio-only-by-tc "$(tc filter show dev bkv0 ingress | tr '\n' ' ')"
	"$BPFKIT" -j net show dev bkv0 > "$T/a.json"; bpftool -j net show dev bkv0 > "$T/b.json"
	jsame net-show-tc-handles-vs-bpftool "$T/a.json" "$T/b.json"
	"$BPFKIT" net show dev bkv0 > "$T/a.txt"; bpftool net show dev bkv0 > "$T/b.txt"
	check_same net-show-tc-text-vs-bpftool "$T/b.txt" "$T/a.txt"
	check_fails net-attach-tc-bad-prio "prio: expected a number (0..65535), got '70000'" \
		"$BPFKIT" net attach tc_ingress pinned "$B/tc" dev bkv0 prio 70000
	check_fails net-attach-tc-bad-handle "handle: expected a number" "$BPFKIT" net attach tc_ingress pinned "$B/tc" dev bkv0 handle 1:
	check_fails net-attach-xdp-handle "handle and prio are for tc attach types" \
		"$BPFKIT" net attach xdp pinned "$B/x/kt_count" dev bkv0 handle 1
	check net-detach-tc-handle-prio "$BPFKIT" net detach tc_ingress dev bkv0 handle 0x42 prio 9
	tc filter show dev bkv0 ingress > "$T/tc5"
	if ! grep -q "handle 0x42 " "$T/tc5" && grep -q "pref 12 " "$T/tc5"; then ok net-tc-detach-one
	else notok net-tc-detach-one "$(tr '\n' ' ' < "$T/tc5")"; fi
	check_fails net-detach-tc-handle-gone "no BPF filter attached there (handle 0x42, pref 9)" \
		"$BPFKIT" net detach tc_ingress dev bkv0 handle 0x42 prio 9
	check net-detach-tc "$BPFKIT" net detach tc_ingress dev bkv0
	[ -z "$(tc filter show dev bkv0 ingress)" ] && ok net-detach-tc-all || notok net-detach-tc-all "$(tc filter show dev bkv0 ingress | tr '\n' ' ')"
	check_fails net-detach-tc-again "no BPF filter attached" "$BPFKIT" net detach tc_ingress dev bkv0
else
	skip net-attach-tc "can't load a tc program: $(cat "$T/tc.err")"
fi
NET
BK_KT_PRIVATE=1 BK_KT_INNER=$T unshare -n sh "$T/net.sh" "$B"

# ---- cgroup: a child of the cgroup2 root, removed by the trap whatever happens
CGROOT=/sys/fs/cgroup/unified
if [ ! -d "$CGROOT" ] || ! grep -q " $CGROOT cgroup2 " /proc/mounts; then
	skip cgroup "no cgroup2 mounted at $CGROOT"
	exit 0
fi
CG=$CGROOT/bpfkit-test-$$
mkdir "$CG" || { notok cgroup-mkdir "can't create $CG"; exit 0; }
trap 'rmdir "$CG/sub" 2>/dev/null; rmdir "$CG" 2>/dev/null' EXIT
mkdir "$CG/sub"
check cgroup-attach-multi "$BPFKIT" cgroup attach "$CG" ingress pinned "$B/c/kt_cg_allow" multi
check cgroup-attach-egress "$BPFKIT" cgroup attach "$CG" egress pinned "$B/c/kt_cg_egress"
"$BPFKIT" -j cgroup show "$CG" > "$T/a.json"; bpftool -j cgroup show "$CG" > "$T/b.json"
jsame cgroup-show-json-vs-bpftool "$T/a.json" "$T/b.json"
"$BPFKIT" -j cgroup show "$CG/sub" effective > "$T/a.json"; bpftool -j cgroup show "$CG/sub" effective > "$T/b.json"
jsame cgroup-show-effective-vs-bpftool "$T/a.json" "$T/b.json"
"$BPFKIT" -j cgroup tree "$CG" > "$T/a.json"; bpftool -j cgroup tree "$CG" > "$T/b.json"
jsame cgroup-tree-json-vs-bpftool "$T/a.json" "$T/b.json"
"$BPFKIT" cgroup show "$CG" > "$T/s.txt"
grep -q 'cgroup_inet_ingress *multi *kt_cg_allow' "$T/s.txt" && ok cgroup-show-text || notok cgroup-show-text "$(tr '\n' ' ' < "$T/s.txt")"
"$BPFKIT" cgroup tree "$CG" | grep -q "^$CG\$" && ok cgroup-tree-text || notok cgroup-tree-text "no $CG line"
check_fails cgroup-attach-wrong-prog-type "can't attach" "$BPFKIT" cgroup attach "$CG" ingress pinned "$B/x/kt_count"
echo "# kernel's reason: $(cat "$T/cf.err")"
check_fails cgroup-attach-bad-type "unknown cgroup attach type" "$BPFKIT" cgroup attach "$CG" ingresss pinned "$B/c/kt_cg_allow"
check_fails cgroup-attach-no-cgroup "can't open cgroup" "$BPFKIT" cgroup attach "$CG/nosuch" ingress pinned "$B/c/kt_cg_allow"
check_fails cgroup-show-no-cgroup "can't open cgroup" "$BPFKIT" cgroup show "$CG/nosuch"
check_fails cgroup-attach-bad-flag "unexpected 'bogus'" "$BPFKIT" cgroup attach "$CG" ingress pinned "$B/c/kt_cg_allow" bogus
check cgroup-detach-ingress "$BPFKIT" cgroup detach "$CG" ingress pinned "$B/c/kt_cg_allow"
check cgroup-detach-egress "$BPFKIT" cgroup detach "$CG" egress pinned "$B/c/kt_cg_egress"
check_fails cgroup-detach-twice "can't detach" "$BPFKIT" cgroup detach "$CG" egress pinned "$B/c/kt_cg_egress"
[ "$("$BPFKIT" -j cgroup show "$CG")" = "[]" ] && ok cgroup-empty-after-detach || notok cgroup-empty-after-detach "$("$BPFKIT" -j cgroup show "$CG")"
