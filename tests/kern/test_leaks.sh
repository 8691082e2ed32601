# The issue's "Bad input" list, each case followed by an inventory of what could be
# left behind: programs, maps and BPF links (by names only this run uses, bk<pid>_*, so
# that other work on the machine does not count), pins on the bpffs, tracefs and bpffs
# mounts, and the programs attached to a cgroup of the test's own; XDP and tc
# attachments are checked in a network namespace of the test's own. Every case must
# fail with one error line and a non-zero exit and leave the inventory as it was;
# positive controls first show that the inventory sees a loaded program, its map and
# its pin, a cgroup attachment and a link, and forgets each once it is gone.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/kern/kt.sh"

# Every program and map is named $N...: only this run's count, not another test or a
# concurrent run of this one (ids and names are machine-wide). 15 characters at most.
N=bk$$_
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
cat > "$T/bkleak_cg.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("cgroup_skb/egress") int bkleak_cg(struct __sk_buff *skb) { return 1; }
char LICENSE[] SEC("license") = "GPL";
EOF
for f in bkleak bkleak_bad bkleak_cg; do
	sed -i "s/bkleak_/$N/g" "$T/$f.c"
	$CLANG $BPF_CFLAGS -c "$T/$f.c" -o "$T/$f.o" 2> "$T/cc.err" || { notok leaks/build "$(head -1 "$T/cc.err")"; exit 0; }
done

# The test's own cgroup (cgroup2), removed by the trap whatever happens: everything
# attached to it is this test's.
CGROOT=/sys/fs/cgroup/unified
if [ ! -d "$CGROOT" ] || ! grep -q " $CGROOT cgroup2 " /proc/mounts; then
	skip leaks/cgroup "no cgroup2 mounted at $CGROOT"
	exit 0
fi
CG=$CGROOT/bkleak-$$
mkdir "$CG" || { notok leaks/cgroup-mkdir "can't create $CG"; exit 0; }
trap 'rmdir "$CG" 2>/dev/null' EXIT

# The kernel's side of the inventory, in one python (each start costs): "inv N PROGS MAPS
# CGROUP" prints "prog NAME" and "map NAME" for the ones named N... of the `-j prog/map
# show` listings PROGS and MAPS, "link TYPE PROG" for every BPF link of such a program (read
# through libbpf: BPF_LINK_GET_NEXT_ID, bpftool-free), and "cgroup TYPE FLAGS NAME" for
# the programs of the `bpfkit -j cgroup show` listing CGROUP. "link PROG_PIN CGROUP
# LINK_PIN" makes a cgroup_skb egress link and pins it (the positive control).
cat > "$T/inv.py" <<'EOF'
import ctypes, json, os, sys
lib = ctypes.CDLL("libbpf.so.1", use_errno=True)
lib.libbpf_bpf_link_type_str.restype = ctypes.c_char_p
def info(fd):
    buf = ctypes.create_string_buffer(1024)
    n = ctypes.c_uint32(len(buf))
    if lib.bpf_obj_get_info_by_fd(fd, buf, ctypes.byref(n)):
        return None
    return buf.raw
def u32(b, off):
    return int.from_bytes(b[off:off + 4], "little")
def prog_name(pid):
    fd = lib.bpf_prog_get_fd_by_id(pid)
    if fd < 0:
        return ""
    b = info(fd)
    os.close(fd)
    return b[64:80].split(b"\0")[0].decode() if b else ""  # bpf_prog_info.name
def links():
    out, lid = [], ctypes.c_uint32(0)
    while lib.bpf_link_get_next_id(lid, ctypes.byref(lid)) == 0:
        fd = lib.bpf_link_get_fd_by_id(lid)
        if fd < 0:
            continue  # went away meanwhile
        b = info(fd)
        os.close(fd)
        if not b:
            continue
        name = prog_name(u32(b, 8))  # bpf_link_info: type, id, prog_id
        if name.startswith(sys.argv[2]):
            t = lib.libbpf_bpf_link_type_str(u32(b, 0))
            out.append("link %s %s" % (t.decode() if t else u32(b, 0), name))
    return sorted(out)
def listing(path):
    try:
        return json.load(open(path))
    except ValueError:
        return []
if sys.argv[1] == "inv":
    for kind, path in (("prog", sys.argv[3]), ("map", sys.argv[4])):
        for o in listing(path):
            if o.get("name", "").startswith(sys.argv[2]):
                print(kind, o["name"])
    for l in links():
        print(l)
    for p in listing(sys.argv[5]):
        print("cgroup", p["attach_type"], p["attach_flags"] or "-", p["name"])
else:
    prog = lib.bpf_obj_get(sys.argv[2].encode())
    cg = os.open(sys.argv[3], os.O_RDONLY | os.O_DIRECTORY)
    link = lib.bpf_link_create(prog, cg, 1, None)  # BPF_CGROUP_INET_EGRESS
    if prog < 0 or link < 0 or lib.bpf_obj_pin(link, sys.argv[4].encode()):
        sys.exit("inv.py: can't make a link: %s" % os.strerror(ctypes.get_errno()))
EOF

# inventory: this run's programs, maps and links (names), programs attached to the test's
# cgroup, bpffs entries, tracefs and bpffs mounts. (tc/xdp: in net.sh below.)
inventory() {
	bpftool -j prog show > "$T/inv.prog" 2> /dev/null
	bpftool -j map show > "$T/inv.map" 2> /dev/null
	"$BPFKIT" -j cgroup show "$CG" > "$T/inv.cg" 2> /dev/null
	{
		$PY "$T/inv.py" inv "$N" "$T/inv.prog" "$T/inv.map" "$T/inv.cg"
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

# back_to_base: waits (2 s at most) for what was just unpinned to be freed.
back_to_base() {
	n=0
	while ! { inventory "$T/now"; cmp -s "$T/base" "$T/now"; } && [ $n -lt 20 ]; do sleep 0.1; n=$((n + 1)); done
}

inventory "$T/base"
cp "$T/base" "$T/base0"
# Positive control: the inventory sees a loaded, pinned program and its map, and
# forgets them once the pins are gone (so a leak would show).
if "$BPFKIT" prog load "$T/bkleak.o" "$BPFFS/ctl" pinmaps "$BPFFS/ctlm" 2> "$T/e"; then
	inventory "$T/now"
	if grep -q "^prog ${N}xdp" "$T/now" && grep -q "^map ${N}arr" "$T/now" && grep -q "^pin /ctl$" "$T/now"; then
		ok leaks/inventory-sees
	else
		notok leaks/inventory-sees "$(tr '\n' ' ' < "$T/now")"
	fi
	rm -rf "$BPFFS/ctl" "$BPFFS/ctlm"
	back_to_base
	leak control-unpinned
else
	notok leaks/control-load "$(head -1 "$T/e")"
fi
# Positive control: a program bpfkit attaches to the test's cgroup, and a BPF link of
# the same program made through libbpf, are seen (the link also as a cgroup
# attachment), and forgotten once detached and unpinned.
if "$BPFKIT" prog load "$T/bkleak_cg.o" "$BPFFS/cgp" 2> "$T/e" &&
	"$BPFKIT" cgroup attach "$CG" ingress pinned "$BPFFS/cgp" 2> "$T/e" &&
	$PY "$T/inv.py" link "$BPFFS/cgp" "$CG" "$BPFFS/cgl" 2> "$T/e"; then
	inventory "$T/now"
	if grep -q "^cgroup cgroup_inet_ingress - ${N}cg$" "$T/now"; then ok leaks/inventory-sees-cgroup
	else notok leaks/inventory-sees-cgroup "$(tr '\n' ' ' < "$T/now")"; fi
	if grep -q "^link cgroup ${N}cg$" "$T/now" && grep -q "^cgroup cgroup_inet_egress multi ${N}cg$" "$T/now"
	then ok leaks/inventory-sees-link
	else notok leaks/inventory-sees-link "$(tr '\n' ' ' < "$T/now")"; fi
else
	notok leaks/control-cgroup "$(head -1 "$T/e")"
fi
"$BPFKIT" cgroup detach "$CG" ingress pinned "$BPFFS/cgp" 2> /dev/null
rm -f "$BPFFS/cgp" "$BPFFS/cgl"
back_to_base
leak control-detached

# A pinned program, a map of the wrong kind for reuse, and a cgroup program attached
# (exclusively) to the test's cgroup, kept for the cases below.
"$BPFKIT" prog load "$T/bkleak.o" "$BPFFS/keep" pinmaps "$BPFFS/keepm" 2> /dev/null
"$BPFKIT" map create "$BPFFS/bkleak_wrong" type hash key 4 value 4 entries 4 name ${N}wrong 2> /dev/null
"$BPFKIT" prog load "$T/bkleak_cg.o" "$BPFFS/keepcg" 2> /dev/null
"$BPFKIT" cgroup attach "$CG" egress pinned "$BPFFS/keepcg" 2> /dev/null
inventory "$T/base"
grep -q "^pin /keep$" "$T/base" && grep -q "^pin /bkleak_wrong$" "$T/base" &&
	grep -q "^cgroup cgroup_inet_egress - ${N}cg$" "$T/base" || notok leaks/setup "$(tr '\n' ' ' < "$T/base")"

bad unknown-id "no program with id" "$BPFKIT" prog show id 4000000000
bad unknown-tag "no program with tag" "$BPFKIT" prog show tag 0123456789abcdef
bad unknown-name "no program with name" "$BPFKIT" prog show name ${N}nosuch
bad unknown-map-id "no map with id" "$BPFKIT" map show id 4000000000
bad load-outside-bpffs "not on a bpf filesystem" "$BPFKIT" prog load "$T/bkleak.o" "$T/p" pinmaps "$BPFFS/om"
bad pinmaps-outside-bpffs "not on a bpf filesystem" "$BPFKIT" prog load "$T/bkleak.o" "$BPFFS/op" pinmaps "$T/om"
bad verifier-reject "rejected by the verifier" "$BPFKIT" prog load "$T/bkleak_bad.o" "$BPFFS/bad" pinmaps "$BPFFS/badm"
bad verifier-reject-loadall "rejected by the verifier" "$BPFKIT" prog loadall "$T/bkleak_bad.o" "$BPFFS/badall" pinmaps "$BPFFS/badallm"
bad reuse-mismatch "can't reuse" "$BPFKIT" prog load "$T/bkleak.o" "$BPFFS/r" map name ${N}arr pinned "$BPFFS/bkleak_wrong" pinmaps "$BPFFS/rm"
bad reuse-bad-idx "no map with index 9" "$BPFKIT" prog load "$T/bkleak.o" "$BPFFS/r" map idx 9 pinned "$BPFFS/bkleak_wrong"
bad map-create-outside "not on a bpf filesystem" "$BPFKIT" map create "$T/m" type array key 4 value 8 entries 4 name ${N}out
bad map-create-bad-size "the kernel refuses" "$BPFKIT" map create "$BPFFS/bkleak_bad" type array key 3 value 8 entries 4 name ${N}bsz
bad pin-outside "not on a bpf filesystem" "$BPFKIT" prog pin pinned "$BPFFS/keep" "$T/pp"
bad run-kernel-reject "verifier rejects it" "$BPFKIT" run "$T/bkleak_bad.o" --engine kernel --data-in "$T/bkleak.o"
bad run-all-reject "verifier rejects it" "$BPFKIT" run "$T/bkleak_bad.o" --engine all --data-in "$T/bkleak.o"
bad prog-attach-wrong-type "can't attach\|unknown attach type" "$BPFKIT" prog attach pinned "$BPFFS/keep" sk_msg_verdict pinned "$BPFFS/keepm/${N}arr"
bad net-no-device "no network device 'bkleak0'" "$BPFKIT" net attach xdp pinned "$BPFFS/keep" dev bkleak0
bad net-wrong-attach "unknown attach type" "$BPFKIT" net attach xdpfoo pinned "$BPFFS/keep" dev lo
bad cgroup-wrong-attach "unknown attach type\|can't attach" "$BPFKIT" cgroup attach /sys/fs/cgroup sock_ops pinned "$BPFFS/keep"
bad cgroup-wrong-prog-type "can't attach" "$BPFKIT" cgroup attach "$CG" ingress pinned "$BPFFS/keep"
bad cgroup-multi-over-exclusive "can't attach" "$BPFKIT" cgroup attach "$CG" egress pinned "$BPFFS/keepcg" multi
bad cgroup-detach-not-attached "can't detach" "$BPFKIT" cgroup detach "$CG" ingress pinned "$BPFFS/keepcg"
bad cgroup-bad-flag "unexpected 'bogus'" "$BPFKIT" cgroup attach "$CG" ingress pinned "$BPFFS/keepcg" bogus
bad cgroup-no-cgroup "can't open cgroup" "$BPFKIT" cgroup attach "$CG/nosuch" ingress pinned "$BPFFS/keepcg"

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

# Everything this test made goes with its pins and its cgroup attachment: nothing of
# this run's stays loaded, linked or attached.
"$BPFKIT" cgroup detach "$CG" egress pinned "$BPFFS/keepcg" 2> /dev/null
rm -rf "$BPFFS/keep" "$BPFFS/keepm" "$BPFFS/bkleak_wrong" "$BPFFS/keepcg"
n=0
while inventory "$T/now" && grep -q "^prog \|^map \|^link \|^cgroup " "$T/now" && [ $n -lt 20 ]; do sleep 0.1; n=$((n + 1)); done
if cmp -s "$T/base0" "$T/now"; then ok leaks/at-the-end
else notok leaks/at-the-end "$(diff "$T/base0" "$T/now" | grep '^[<>]' | head -4 | tr '\n' ' ')"; fi
