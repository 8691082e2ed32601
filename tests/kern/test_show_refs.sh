# prog show / map show: "pids" (the processes holding the program or map, bpfkit
# itself left out) and "metadata" (bpf_metadata_* variables of .rodata), with
# bpftool's keys; metadata and the map's text layout compared with bpftool's.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/kern/kt.sh"

cat > "$T/meta.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
volatile const char bpf_metadata_name[] SEC(".rodata") = "kern2";
volatile const int bpf_metadata_version SEC(".rodata") = -3;
volatile const unsigned long long bpf_metadata_big SEC(".rodata") = 123456789012ULL;
volatile const int not_metadata SEC(".rodata") = 5;
SEC("xdp") int xdp_meta(struct xdp_md *ctx)
{
	return not_metadata + bpf_metadata_version > 100 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
EOF
if ! $CLANG $BPF_CFLAGS -c "$T/meta.c" -o "$T/meta.o" 2> "$T/cc.err"; then
	notok show-refs/build "$(head -2 "$T/cc.err")"
	exit 0
fi
P=$BPFFS/meta
M=$BPFFS/meta_maps
if ! "$BPFKIT" prog load "$T/meta.o" "$P" pinmaps "$M" 2> "$T/e"; then
	notok show-refs/load "$(head -1 "$T/e")"
	exit 0
fi
"$BPFKIT" -j prog show pinned "$P" > "$T/a.json"
bpftool -j prog show pinned "$P" > "$T/b.json"
jsame show-refs/metadata-json-as-bpftool "$T/a.json" "$T/b.json"
if $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["metadata"] == {"name": "kern2", "version": -3, "big": 123456789012}, d.get("metadata")
' "$T/a.json" 2> "$T/pe"; then ok show-refs/metadata-values; else notok show-refs/metadata-values "$(tail -1 "$T/pe")"; fi
"$BPFKIT" prog show pinned "$P" | grep -v loaded_at > "$T/a.txt"
bpftool prog show pinned "$P" | grep -v loaded_at > "$T/b.txt"
check_same show-refs/metadata-text-as-bpftool "$T/b.txt" "$T/a.txt"
"$BPFKIT" map show pinned "$M/meta_rodata" > "$T/ma.txt"
bpftool map show pinned "$M/meta_rodata" > "$T/mb.txt"
check_same show-refs/map-text-as-bpftool "$T/mb.txt" "$T/ma.txt"

# A process holding the program and one holding the map: BPF_OBJ_GET through ctypes.
cat > "$T/hold.py" <<'EOF'
import ctypes, struct, sys, time
libc = ctypes.CDLL(None, use_errno=True)
path = ctypes.create_string_buffer(sys.argv[1].encode())
attr = ctypes.create_string_buffer(struct.pack("<QII", ctypes.addressof(path), 0, 0) + b"\0" * 48)
fd = libc.syscall(321, 7, attr, 16)  # bpf(BPF_OBJ_GET)
print(fd, flush=True)
sys.stdin.read()                     # until the test closes our stdin
EOF
mkfifo "$T/gate"
$PY "$T/hold.py" "$P" < "$T/gate" > "$T/h1" &
h1=$!
$PY "$T/hold.py" "$M/meta_rodata" < "$T/gate" > "$T/h2" &
h2=$!
exec 9> "$T/gate"
n=0
while { [ ! -s "$T/h1" ] || [ ! -s "$T/h2" ]; } && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
if [ "$(cat "$T/h1")" -ge 0 ] 2> /dev/null && [ "$(cat "$T/h2")" -ge 0 ] 2> /dev/null; then
	"$BPFKIT" -j prog show pinned "$P" > "$T/p.json"
	"$BPFKIT" -j map show pinned "$M/meta_rodata" > "$T/m.json"
	if $PY -c '
import json, sys
p = json.load(open(sys.argv[1])); m = json.load(open(sys.argv[2]))
assert {"pid": int(sys.argv[3]), "comm": "python3"} in p.get("pids", []), p.get("pids")
assert {"pid": int(sys.argv[4]), "comm": "python3"} in m.get("pids", []), m.get("pids")
assert all(x["pid"] != int(sys.argv[4]) for x in p["pids"]), "the map holder is not a program holder"
' "$T/p.json" "$T/m.json" $h1 $h2 2> "$T/pe"; then ok show-refs/pids-json; else notok show-refs/pids-json "$(tail -1 "$T/pe")"; fi
	"$BPFKIT" prog show pinned "$P" > "$T/p.txt"
	grep -q "^	pids .*python3($h1)" "$T/p.txt" && ok show-refs/pids-text || notok show-refs/pids-text "$(cat "$T/p.txt" | tr '\n' '|')"
	"$BPFKIT" -j prog show > "$T/all.json"
	$PY -c '
import json, sys
ps = [p for p in json.load(open(sys.argv[1])) if p["name"] == "xdp_meta" and "metadata" in p]
assert any({"pid": int(sys.argv[2]), "comm": "python3"} in p.get("pids", []) for p in ps), ps
' "$T/all.json" $h1 2> "$T/pe" && ok show-refs/pids-in-list || notok show-refs/pids-in-list "$(tail -1 "$T/pe")"
else
	notok show-refs/holders "BPF_OBJ_GET from python failed: $(cat "$T/h1" "$T/h2" | tr '\n' ' ')"
fi
exec 9>&-
wait $h1 $h2 2> /dev/null
# bpfkit does not list itself: nobody else holds the program now.
"$BPFKIT" -j prog show pinned "$P" > "$T/p2.json"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "pids" not in d, d["pids"]' "$T/p2.json" 2> "$T/pe" \
	&& ok show-refs/no-self || notok show-refs/no-self "$(tail -1 "$T/pe")"
rm -rf "$P" "$M"
