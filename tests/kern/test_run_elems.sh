# bpfkit run --engine all beyond keys and values: queues and stacks are compared by
# their elements, ring buffers by their records (corpus programs agree, a random
# element or record is a difference named by its position), and what cannot be
# compared (prog arrays, maps of maps) is named with the reason.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/kern/kt.sh"

sh "$ROOT/tests/corpus/build.sh" "$BK_BUILD/corpus" > "$T/build.log" 2>&1 || notok run-elems/corpus-build "$(tail -1 "$T/build.log")"
$PY - "$ROOT/tests/corpus/pkt/ipv4-tcp.hex" "$T/pkt" <<'PY'
import sys
h = "".join(l.split("#")[0] for l in open(sys.argv[1]))
open(sys.argv[2], "wb").write(bytes.fromhex("".join(h.split())))
PY
C=$BK_BUILD/corpus/v3
# agreeing: the queue/stack and ring buffer programs of the corpus
for o in map_queue_stack ringbuf; do
	"$BPFKIT" run "$C/$o.o" --engine all --data-in "$T/pkt" > "$T/o" 2>&1
	if grep -q "maps (2 compared, of 2)" "$T/o"; then ok "run-elems/$o-compared"; else notok "run-elems/$o-compared" "$(tail -2 "$T/o" | tr '\n' ' ')"; fi
done
"$BPFKIT" run "$C/tail_call.o" --engine all --data-in "$T/pkt" > "$T/o" 2>&1
grep -q "^not compared: 'jump_table' (prog array: its values are program ids)" "$T/o" && ok run-elems/prog-array-named \
	|| notok run-elems/prog-array-named "$(tail -2 "$T/o" | tr '\n' ' ')"
"$BPFKIT" -j run "$C/map_in_map.o" --engine all --data-in "$T/pkt" > "$T/o" 2>&1
if $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert "outer_arr" in d["maps_not_compared"] and "map of maps" in d["maps_not_compared"], d
assert d["differences"] == [], d
' "$T/o" 2> "$T/e"; then ok run-elems/map-of-maps-named; else notok run-elems/map-of-maps-named "$(tail -1 "$T/e")"; fi

# differing: a random value pushed into a queue, a stack and a ring buffer
cat > "$T/rnd.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_QUEUE); __uint(max_entries, 4); __type(value, __u32); } rq SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_STACK); __uint(max_entries, 4); __type(value, __u32); } rs SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } rr SEC(".maps");
SEC("xdp") int rnd_elems(struct xdp_md *ctx)
{
	__u32 same = 7, r = bpf_get_prandom_u32();
	bpf_map_push_elem(&rq, &same, 0);
	bpf_map_push_elem(&rq, &r, 0);
	bpf_map_push_elem(&rs, &r, 0);
	bpf_ringbuf_output(&rr, &same, sizeof(same), 0);
	bpf_ringbuf_output(&rr, &r, sizeof(r), 0);
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
EOF
if $CLANG $BPF_CFLAGS -c "$T/rnd.c" -o "$T/rnd.o" 2> "$T/cc"; then
	if "$BPFKIT" run "$T/rnd.o" --engine all --data-in "$T/pkt" > "$T/o" 2>&1; then
		notok run-elems/differences "exit 0: $(tail -1 "$T/o")"
	else
		grep -q "^map 'rq' element 2: interp " "$T/o" && ok run-elems/queue-element || notok run-elems/queue-element "$(tr '\n' '|' < "$T/o")"
		grep -q "^map 'rs' element 1: interp " "$T/o" && ok run-elems/stack-element || notok run-elems/stack-element "$(tr '\n' '|' < "$T/o")"
		grep -q "^map 'rr' record 2: interp " "$T/o" && ok run-elems/ringbuf-record || notok run-elems/ringbuf-record "$(tr '\n' '|' < "$T/o")"
		grep -q "^3 differences:" "$T/o" && ok run-elems/three || notok run-elems/three "$(tr '\n' '|' < "$T/o")"
	fi
else
	notok run-elems/build "$(head -1 "$T/cc")"
fi
