# The issue's "Bad input" list, each case followed by an inventory of what could be
# left behind: programs and maps (by names only this test uses, bkleak*, so that
# other work on the machine does not count), pins on the bpffs, tracefs and bpffs
# mounts; XDP and tc attachments are checked in a network namespace of the test's
# own. Every case must fail with one error line and a non-zero exit and leave the
# inventory as it was; a positive control first shows that the inventory sees a
# loaded program, its map and its pin, and forgets them once unpinned.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/kern/kt.sh"

cat > "$T/bkleak.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } bkleak_arr SEC(".maps");
SEC("xdp") int bkleak_xdp(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&bkleak_arr, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}
SEC("tc") int bkleak_tc(struct __sk_buff *skb) { return 0; }
char LICENSE[] SEC("license") = "GPL";
EOF
cat > "$T/bkleak_bad.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } bkleak_bmap SEC(".maps");
SEC("xdp") int bkleak_bad(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	__u32 k = 1;
	bpf_map_lookup_elem(&bkleak_bmap, &k);
	return data[20];
}
char LICENSE[] SEC("license") = "GPL";
EOF
for f in bkleak bkleak_bad; do
	$CLANG $BPF_CFLAGS -c "$T/$f.c" -o "$T/$f.o" 2> "$T/cc.err" || { notok leaks/build "$(head -1 "$T/cc.err")"; exit 0; }
done

# inventory: bkleak programs and maps (names), links of bkleak programs, bpffs
# entries, tc/xdp in this namespace's devices, tracefs mounts and instances.
inventory() {
	{
		bpftool -j prog show 2> /dev/null | $PY -c '
import json, sys
ps = json.load(sys.stdin)
ids = set()
for p in ps:
    if p.get("name", "").startswith("bkleak"):
        ids.add(p["id"]); print("prog", p["name"])
' 
		bpftool -j map show 2> /dev/null | $PY -c '
import json, sys
for m in json.load(sys.stdin):
    if m.get("name", "").startswith("bkleak"):
        print("map", m["name"])
'
		find "$BPFFS" -mindepth 1 | sed "s|^$BPFFS|pin |" | sort
		grep -E " (tracefs|bpf) " /proc/self/mounts | grep -v " $BPFFS " | awk '{ print "mount", $2 }'
	} > "$1"
}
# leak NAME: the inventory is what it was at the start
leak() {
	inventory "$T/now"
	if cmp -s "$T/base" "$T/now"; then ok "leaks/$1-left-nothing"
	else notok "leaks/$1-left-nothing" "$(diff "$T/base" "$T/now" | grep '^[<>]' | head -4 | tr '\n' ' ')"; fi
}
# case NAME PATTERN COMMAND...: fails with one line matching PATTERN, leaves nothing
bad() {
	bn=$1; shift   # (check_fails sets n)
	check_fails "leaks/$bn" "$@"
	# one error line (a verifier rejection adds the log's tail above it)
	lines=$(grep -c '^bpfkit ' "$T/cf.err")
	[ "$lines" = 1 ] || notok "leaks/$bn-one-line" "$lines error lines: $(head -3 "$T/cf.err" | tr '\n' '|')"
	leak "$bn"
}

inventory "$T/base"
cp "$T/base" "$T/base0"
# Positive control: the inventory sees a loaded, pinned program and its map, and
# forgets them once the pins are gone (so a leak would show).
if "$BPFKIT" prog load "$T/bkleak.o" "$BPFFS/ctl" pinmaps "$BPFFS/ctlm" 2> "$T/e"; then
	inventory "$T/now"
	if grep -q "^prog bkleak_xdp" "$T/now" && grep -q "^map bkleak_arr" "$T/now" && grep -q "^pin /ctl$" "$T/now"; then
		ok leaks/inventory-sees
	else
		notok leaks/inventory-sees "$(tr '\n' ' ' < "$T/now")"
	fi
	rm -rf "$BPFFS/ctl" "$BPFFS/ctlm"
	n=0
	while ! { inventory "$T/now"; cmp -s "$T/base" "$T/now"; } && [ $n -lt 20 ]; do sleep 0.1; n=$((n + 1)); done
	leak control-unpinned
else
	notok leaks/control-load "$(head -1 "$T/e")"
fi

# A pinned program and a map of the wrong kind for reuse, kept for the cases below.
"$BPFKIT" prog load "$T/bkleak.o" "$BPFFS/keep" pinmaps "$BPFFS/keepm" 2> /dev/null
"$BPFKIT" map create "$BPFFS/bkleak_wrong" type hash key 4 value 4 entries 4 name bkleak_wrong 2> /dev/null
inventory "$T/base"
grep -q "^pin /keep$" "$T/base" && grep -q "^pin /bkleak_wrong$" "$T/base" || notok leaks/setup "$(tr '\n' ' ' < "$T/base")"

bad unknown-id "no program with id" "$BPFKIT" prog show id 4000000000
bad unknown-tag "no program with tag" "$BPFKIT" prog show tag 0123456789abcdef
bad unknown-name "no program with name" "$BPFKIT" prog show name bkleak_nosuch
bad unknown-map-id "no map with id" "$BPFKIT" map show id 4000000000
bad load-outside-bpffs "not on a bpf filesystem" "$BPFKIT" prog load "$T/bkleak.o" "$T/p" pinmaps "$BPFFS/om"
bad pinmaps-outside-bpffs "not on a bpf filesystem" "$BPFKIT" prog load "$T/bkleak.o" "$BPFFS/op" pinmaps "$T/om"
bad verifier-reject "rejected by the verifier" "$BPFKIT" prog load "$T/bkleak_bad.o" "$BPFFS/bad" pinmaps "$BPFFS/badm"
bad verifier-reject-loadall "rejected by the verifier" "$BPFKIT" prog loadall "$T/bkleak_bad.o" "$BPFFS/badall" pinmaps "$BPFFS/badallm"
bad reuse-mismatch "can't reuse" "$BPFKIT" prog load "$T/bkleak.o" "$BPFFS/r" map name bkleak_arr pinned "$BPFFS/bkleak_wrong" pinmaps "$BPFFS/rm"
bad reuse-bad-idx "no map with index 9" "$BPFKIT" prog load "$T/bkleak.o" "$BPFFS/r" map idx 9 pinned "$BPFFS/bkleak_wrong"
bad map-create-outside "not on a bpf filesystem" "$BPFKIT" map create "$T/m" type array key 4 value 8 entries 4 name bkleak_out
bad map-create-bad-size "the kernel refuses" "$BPFKIT" map create "$BPFFS/bkleak_bad" type array key 3 value 8 entries 4 name bkleak_bsz
bad pin-outside "not on a bpf filesystem" "$BPFKIT" prog pin pinned "$BPFFS/keep" "$T/pp"
bad run-kernel-reject "verifier rejects it" "$BPFKIT" run "$T/bkleak_bad.o" --engine kernel --data-in "$T/bkleak.o"
bad run-all-reject "verifier rejects it" "$BPFKIT" run "$T/bkleak_bad.o" --engine all --data-in "$T/bkleak.o"
bad prog-attach-wrong-type "can't attach\|unknown attach type" "$BPFKIT" prog attach pinned "$BPFFS/keep" sk_msg_verdict pinned "$BPFFS/keepm/bkleak_arr"
bad net-no-device "no network device 'bkleak0'" "$BPFKIT" net attach xdp pinned "$BPFFS/keep" dev bkleak0
bad net-wrong-attach "unknown attach type" "$BPFKIT" net attach xdpfoo pinned "$BPFFS/keep" dev lo
bad cgroup-wrong-attach "unknown attach type\|can't attach" "$BPFKIT" cgroup attach /sys/fs/cgroup sock_ops pinned "$BPFFS/keep"

# Attachments: in a network namespace of its own, a wrong program type for tc and an
# XDP program that cannot go where asked leave no filter and no qdisc change.
cat > "$T/net.sh" <<'NET'
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/kern/kt.sh"
ip link set lo up
ip link add bkleak0 type veth peer name bkleak1 || { notok leaks/veth "can't create a veth pair"; exit 0; }
before=$(ip -d link show bkleak0 | grep -c xdp; tc filter show dev bkleak0 ingress | wc -l)
check_fails leaks/net-xdpoffload "can't attach xdpoffload" "$BPFKIT" net attach xdpoffload pinned "$BPFFS/keep" dev bkleak0
check_fails leaks/net-tc-busy-handle "prio: expected a number" "$BPFKIT" net attach tc_ingress pinned "$BPFFS/keep" dev bkleak0 prio 99999
after=$(ip -d link show bkleak0 | grep -c xdp; tc filter show dev bkleak0 ingress | wc -l)
[ "$before" = "$after" ] && ok leaks/net-left-nothing || notok leaks/net-left-nothing "before: $before, after: $after"
# and one that works is undone by detach
"$BPFKIT" net attach xdpgeneric pinned "$BPFFS/keep" dev bkleak0 && "$BPFKIT" net detach xdpgeneric dev bkleak0
[ "$(ip -d link show bkleak0 | grep -c 'prog/xdp')" = 0 ] && ok leaks/net-detach-left-nothing || notok leaks/net-detach-left-nothing "$(ip -d link show bkleak0 | grep xdp)"
NET
BK_KT_PRIVATE=1 BK_KT_INNER=$T BPFFS=$BPFFS unshare -n sh "$T/net.sh"

# Everything this test made goes with its pins: nothing named bkleak stays loaded.
rm -rf "$BPFFS/keep" "$BPFFS/keepm" "$BPFFS/bkleak_wrong"
n=0
while inventory "$T/now" && grep -q "^prog \|^map " "$T/now" && [ $n -lt 20 ]; do sleep 0.1; n=$((n + 1)); done
if cmp -s "$T/base0" "$T/now"; then ok leaks/at-the-end
else notok leaks/at-the-end "$(diff "$T/base0" "$T/now" | grep '^[<>]' | head -4 | tr '\n' ' ')"; fi
