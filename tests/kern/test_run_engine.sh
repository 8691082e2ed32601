# bpfkit run --engine kernel|all: the corpus programs with their .run packets (and
# contexts) agree between the userspace runtime and the kernel (return value,
# data_out, ctx_out, maps); a real difference (helpers_misc: time and randomness)
# is shown and exits non-zero; -j of the kernel engine is the interpreter's; --map-in
# reaches the kernel's map; a verifier rejection is one line and no output file.
# Every object is closed when the command ends: nothing stays in the kernel.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/kern/kt.sh"

build_corpus run-engine/corpus-build
C=$ROOT/tests/corpus
P=$T/pkt
mkdir -p "$P"
# .hex packets to bytes; "ctx mark=A priority=B" lines to a 192-byte __sk_buff
$PY - "$C/pkt" "$P" <<'PY'
import os, sys
src, dst = sys.argv[1], sys.argv[2]
for f in os.listdir(src):
    if f.endswith(".hex"):
        h = "".join(l.split("#")[0] for l in open(os.path.join(src, f)))
        open(os.path.join(dst, f[:-4]), "wb").write(bytes.fromhex("".join(h.split())))
PY
mkctx() { # mkctx FILE mark=A priority=B
	f=$1; shift
	$PY - "$f" "$@" <<'PY'
import struct, sys
b = bytearray(192)
off = {"mark": 8, "priority": 32}
for kv in sys.argv[2:]:
    k, v = kv.split("=")
    struct.pack_into("<I", b, off[k], int(v))
open(sys.argv[1], "wb").write(b)
PY
}

runs=0; agree=0
for run in "$C"/*.run; do
	name=$(basename "$run" .run)
	[ "$name" = helpers_misc ] && continue   # reads the clock and prandom: differs on purpose
	for cpu in v4; do
		obj=$BK_BUILD/corpus/$cpu/$name.o
		[ -f "$obj" ] || { notok "run-engine/$cpu/$name" "no object $obj"; continue; }
		prog=; ctx=; i=0; bad=
		while read -r w kind rest; do
			case $w in
			prog) prog=$kind ;;
			ctx) ctx=$T/ctx.$i; mkctx "$ctx" $kind $rest ;;
			in)
				i=$((i + 1)); runs=$((runs + 1))
				pkt=$P/$rest
				if [ "$kind" = hex ]; then
					pkt=$T/in.$i
					$PY -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1].split("#")[0]))' "$rest" > "$pkt"
				fi
				set -- --data-in "$pkt"
				[ -n "$ctx" ] && set -- "$@" --ctx-in "$ctx"
				if "$BPFKIT" run "$obj" --prog "$prog" --engine all "$@" > "$T/o" 2>&1; then
					agree=$((agree + 1))
				else
					bad="$b: $(tail -2 "$T/o" | tr '\n' ' ')"
				fi
				ctx= ;;
			esac
		done < "$run"
		if [ -n "$bad" ]; then notok "run-engine/$cpu/$name" "$bad"; else ok "run-engine/$cpu/$name"; fi
	done
done
[ $runs -gt 100 ] && [ $runs = $agree ] && ok run-engine/all-agree || notok run-engine/all-agree "$agree of $runs runs agree"

# A real difference: the clock and prandom the program stores in .bss.
o=$BK_BUILD/corpus/v3/helpers_misc.o
if "$BPFKIT" run "$o" --data-in "$P/ipv4-tcp" --engine all > "$T/d" 2>&1; then
	notok run-engine/difference "exit 0 although the engines differ: $(tail -1 "$T/d")"
elif grep -q "^map '.*\.bss' key 00 00 00 00: interp .*, kernel " "$T/d" && grep -q "^1 difference:" "$T/d"; then
	ok run-engine/difference
else
	notok run-engine/difference "$(tail -3 "$T/d" | tr '\n' ' ')"
fi
"$BPFKIT" -j run "$o" --data-in "$P/ipv4-tcp" --engine all > "$T/dj" 2>&1
if $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["interp"]["retval"] == d["kernel"]["retval"] == 2, d
assert len(d["differences"]) == 1 and ".bss" in d["differences"][0], d["differences"]
' "$T/dj" 2> "$T/e"; then ok run-engine/difference-json; else notok run-engine/difference-json "$(tail -1 "$T/e")"; fi

# The kernel engine's -j is the interpreter's (but for the duration).
o=$BK_BUILD/corpus/v3/map_percpu.o
"$BPFKIT" -j run "$o" --data-in "$P/ipv4-tcp" --dump-maps > "$T/ji" 2>&1
"$BPFKIT" -j run "$o" --data-in "$P/ipv4-tcp" --dump-maps --engine kernel > "$T/jk" 2>&1
if $PY -c '
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
a.pop("duration"); b.pop("duration")
assert a == b, (a, b)
assert a["maps"][0]["dump"][0]["values"][0]["cpu"] == 0
' "$T/ji" "$T/jk" 2> "$T/e"; then ok run-engine/json-as-interp; else notok run-engine/json-as-interp "$(tail -1 "$T/e" | head -c 300)"; fi
"$BPFKIT" run "$o" --data-in "$P/ipv4-tcp" --engine kernel > "$T/t" 2>&1
if grep -q "^Return value: 0, duration: [0-9]*ns$" "$T/t"; then ok run-engine/text; else notok run-engine/text "$(head -2 "$T/t")"; fi

# --map-in seeds the kernel's map too: a flow already seen once counts on.
o=$BK_BUILD/corpus/v3/map_hash.o
"$BPFKIT" -j run "$o" --data-in "$P/ipv4-tcp" --dump-maps --engine kernel > "$T/m1" 2>&1
$PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
m = [x for x in d["maps"] if x["name"] == "flows"][0]
json.dump(m["dump"], open(sys.argv[2], "w"))
' "$T/m1" "$T/flows.json"
if "$BPFKIT" -j run "$o" --data-in "$P/ipv4-tcp" --dump-maps --engine all --map-in "flows=$T/flows.json" > "$T/m2" 2>&1 &&
	$PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["differences"] == [], d["differences"]
m = [x for x in d["kernel"]["maps"] if x["name"] == "flows"][0]
assert m["dump"][0]["value"][0] == "0x02", m
' "$T/m2" 2> "$T/e"; then ok run-engine/map-in; else notok run-engine/map-in "$(tail -1 "$T/e") $(head -c 200 "$T/m2")"; fi

# Assembly input goes to the kernel through bpfkit's ELF writer.
s=$BK_BUILD/corpus/v3/map_hash.s
if [ -f "$s" ]; then
	check run-engine/assembly "$BPFKIT" run "$s" --data-in "$P/ipv4-tcp" --engine all
else
	skip run-engine/assembly "no $s"
fi

# A program the kernel's verifier rejects: one line with its reason, no output file.
o=$BK_BUILD/corpus/v3/reject_ctx_write.o
if "$BPFKIT" run "$o" --data-in "$P/ipv4-tcp" --engine kernel --data-out "$T/never" > "$T/r" 2> "$T/re"; then
	notok run-engine/reject "exit 0"
elif [ -e "$T/never" ]; then
	notok run-engine/reject "left $T/never"
elif [ "$(wc -l < "$T/re")" -ge 1 ] && grep -q "verifier rejects it: " "$T/re"; then
	ok run-engine/reject
	echo "# kernel: $(grep 'verifier rejects' "$T/re")"
else
	notok run-engine/reject "$(head -2 "$T/re" | tr '\n' ' ')"
fi
check_fails run-engine/no-prog "no program named 'nope'" "$BPFKIT" run "$BK_BUILD/corpus/v3/map_hash.o" --prog nope --data-in "$P/ipv4-tcp" --engine kernel

# trace_printk: the kernel engine prints the kernel's lines (from a trace instance of
# its own, filtered on its thread) as the interpreter engine prints its own, and
# --engine all compares the messages. A tracefs mounted here is found and used; the
# instance is gone afterwards.
TFS=$T/tracefs
mkdir -p "$TFS"
if mount -t tracefs tracefs "$TFS" 2> "$T/me"; then
	o=$BK_BUILD/corpus/v3/trace_printk.o
	"$BPFKIT" run "$o" --data-in "$P/ipv4-tcp" > "$T/ti" 2>&1
	"$BPFKIT" run "$o" --data-in "$P/ipv4-tcp" --engine kernel > "$T/tk" 2> "$T/tke"
	sed -n 's/.*bpf_trace_printk: //p' "$T/ti" > "$T/ti.m"
	sed -n 's/.*bpf_trace_printk: //p' "$T/tk" > "$T/tk.m"
	if [ "$(wc -l < "$T/tk.m")" = 3 ] && cmp -s "$T/ti.m" "$T/tk.m"; then ok run-engine/trace-kernel
	else notok run-engine/trace-kernel "$(head -3 "$T/tk" | tr '\n' '|') $(head -1 "$T/tke")"; fi
	# The line is trace_pipe's: task-pid, [cpu], flags, time, event.
	if grep -Eq "^ +bpfkit-[0-9]+ +\[[0-9]{3}\] [^ ]{5} +[0-9]+\.[0-9]+: bpf_trace_printk: corpus: len=" "$T/tk"; then
		ok run-engine/trace-format
	else
		notok run-engine/trace-format "$(head -1 "$T/tk")"
	fi
	"$BPFKIT" -j run "$o" --data-in "$P/ipv4-tcp" --engine all > "$T/ta" 2>&1
	if $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["trace_compared"] is True, d
assert len(d["kernel"]["trace"]) == 3 and len(d["interp"]["trace"]) == 3, d
assert d["differences"] == [], d["differences"]
' "$T/ta" 2> "$T/e"; then ok run-engine/trace-all; else notok run-engine/trace-all "$(tail -1 "$T/e" | head -c 300)"; fi
	# skb->protocol when the ethertype field is a length: 802.2, raw 802.3 (payload 0xffff),
	# and a 14-byte frame (no payload to look at), as eth_type_trans decides.
	head -c 64 /dev/zero > "$T/p8022"
	{ head -c 12 /dev/zero; printf '\000\056\377\377'; head -c 46 /dev/zero; } > "$T/p8023"
	head -c 14 /dev/zero > "$T/p14"
	for pk in p8022 p8023 p14; do
		"$BPFKIT" -j run "$o" --data-in "$T/$pk" --engine all > "$T/tl" 2>&1
		if $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["trace_compared"] is True and d["differences"] == [], d
' "$T/tl" 2> "$T/e"; then ok "run-engine/protocol-$pk"; else notok "run-engine/protocol-$pk" "$(tail -1 "$T/e" | head -c 300)"; fi
	done
	# A message that differs (prandom) is a difference, named by its line.
	cat > "$T/rnd.c" <<'C'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("socket") int rnd_printk(struct __sk_buff *skb)
{
	bpf_printk("same %u", skb->len);
	bpf_printk("rnd %u", bpf_get_prandom_u32());
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
C
	if $CLANG $BPF_CFLAGS -c "$T/rnd.c" -o "$T/rnd.o" 2> "$T/cc"; then
		if "$BPFKIT" run "$T/rnd.o" --data-in "$P/ipv4-tcp" --engine all > "$T/tr" 2>&1; then
			notok run-engine/trace-difference "exit 0: $(tail -1 "$T/tr")"
		elif grep -q "^trace line 2: interp 'rnd [0-9]*', kernel 'rnd [0-9]*'" "$T/tr" && grep -q "^1 difference:" "$T/tr"; then
			ok run-engine/trace-difference
		else
			notok run-engine/trace-difference "$(tail -2 "$T/tr" | tr '\n' ' ')"
		fi
	else
		notok run-engine/trace-difference "cc: $(head -1 "$T/cc")"
	fi
	# instances are machine-wide: one left behind is a bpfkit-TID whose thread is gone
	# (another run's live instance is not ours)
	left=
	for i in "$TFS"/instances/bpfkit-*; do
		[ -e "$i" ] && [ ! -e "/proc/${i##*-}" ] && left="$left ${i##*/}"
	done
	if [ -z "$left" ]; then ok run-engine/trace-no-instance-left
	else notok run-engine/trace-no-instance-left "$left"; fi
	umount "$TFS"
else
	skip run-engine/trace "can't mount tracefs: $(head -1 "$T/me")"
fi
# Without a tracefs mounted the command mounts its own, privately, and leaves none.
if ! grep -q " tracefs " /proc/self/mounts; then
	"$BPFKIT" run "$BK_BUILD/corpus/v3/trace_printk.o" --data-in "$P/ipv4-tcp" --engine kernel > "$T/tp" 2> "$T/tpe"
	if [ "$(grep -c 'bpf_trace_printk: corpus:' "$T/tp")" = 3 ] && ! grep -q " tracefs " /proc/self/mounts; then
		ok run-engine/trace-own-tracefs
	else
		notok run-engine/trace-own-tracefs "$(head -2 "$T/tp" "$T/tpe" | tr '\n' ' ')"
	fi
else
	skip run-engine/trace-own-tracefs "a tracefs is mounted in this namespace"
fi
