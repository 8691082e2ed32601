# map show/dump/lookup/update/delete/getnext/create/pin/freeze, compared with bpftool.
. "$ROOT/tests/lib.sh"
. "$ROOT/tests/kern/kt.sh"

kt_build kt_xdp || { notok map-build "clang-19 failed"; exit 0; }
B=$BPFFS
"$BPFKIT" prog loadall "$T/kt_xdp.o" "$B/x" pinmaps "$B/m" > /dev/null || { notok map-load "loadall failed"; exit 0; }
H=$B/m/kt_hash; A=$B/m/kt_counts
check map-help "$BPFKIT" map --help

for m in "$H" "$A"; do
	n=$(basename "$m")
	"$BPFKIT" -j map show pinned "$m" > "$T/a.json"; bpftool -j map show pinned "$m" > "$T/b.json"
	jsame "map-show-$n-vs-bpftool" "$T/a.json" "$T/b.json"
	"$BPFKIT" -j -f map show pinned "$m" > "$T/a.json"; bpftool -j -f map show pinned "$m" > "$T/b.json"
	jsame "map-show-bpffs-$n-vs-bpftool" "$T/a.json" "$T/b.json"
done
check map-update "$BPFKIT" map update pinned "$H" key 1 0 0 0 value 2 0 0 0
check map-update-hex "$BPFKIT" map update pinned "$H" key hex 0a 00 00 00 value hex ff 00 00 00 noexist
check_fails map-update-noexist "update failed: File exists" "$BPFKIT" map update pinned "$H" key 1 0 0 0 value 3 0 0 0 noexist
check_fails map-update-exist "update failed: No such file" "$BPFKIT" map update pinned "$H" key 7 0 0 0 value 3 0 0 0 exist
check map-update-array "$BPFKIT" map update pinned "$A" key 2 0 0 0 value 0x11 0 0 0 0 0 0 0x80
for m in "$H" "$A"; do
	n=$(basename "$m")
	"$BPFKIT" -j map dump pinned "$m" > "$T/a.json"; bpftool -j map dump pinned "$m" > "$T/b.json"
	jsame "map-dump-$n-vs-bpftool" "$T/a.json" "$T/b.json"
	"$BPFKIT" map dump pinned "$m" > "$T/a.txt"; bpftool map dump pinned "$m" > "$T/b.txt"
	$PY -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))==json.load(open(sys.argv[2])) else 1)' "$T/a.txt" "$T/b.txt" \
		&& ok "map-dump-text-$n-vs-bpftool" || notok "map-dump-text-$n-vs-bpftool" "$(head -3 "$T/a.txt" | tr '\n' ' ')"
done
"$BPFKIT" -j map lookup pinned "$H" key 1 0 0 0 > "$T/a.json"; bpftool -j map lookup pinned "$H" key 1 0 0 0 > "$T/b.json"
jsame map-lookup-vs-bpftool "$T/a.json" "$T/b.json"
"$BPFKIT" -j map getnext pinned "$H" > "$T/a.json"; bpftool -j map getnext pinned "$H" > "$T/b.json"
jsame map-getnext-first-vs-bpftool "$T/a.json" "$T/b.json"
"$BPFKIT" -j map getnext pinned "$A" key 1 0 0 0 > "$T/a.json"; bpftool -j map getnext pinned "$A" key 1 0 0 0 > "$T/b.json"
jsame map-getnext-vs-bpftool "$T/a.json" "$T/b.json"
check_fails map-getnext-last "can't get next key" "$BPFKIT" map getnext pinned "$A" key 3 0 0 0
check map-delete "$BPFKIT" map delete pinned "$H" key 1 0 0 0
check_fails map-lookup-deleted "key not found" "$BPFKIT" map lookup pinned "$H" key 1 0 0 0
check_fails map-delete-missing "key not found" "$BPFKIT" map delete pinned "$H" key 1 0 0 0
check_fails map-key-size "key is 2 bytes, the map's keys are 4" "$BPFKIT" map lookup pinned "$H" key 1 0
check_fails map-value-size "value is 1 bytes, the map's values are 4" "$BPFKIT" map update pinned "$H" key 1 0 0 0 value 1
check_fails map-bad-byte "not a byte" "$BPFKIT" map update pinned "$H" key 256 0 0 0 value 1 0 0 0
check_fails map-bad-word "unexpected 'bogus'" "$BPFKIT" map update pinned "$H" key 1 0 0 0 value 1 0 0 0 bogus
check_fails map-no-value "value is required" "$BPFKIT" map update pinned "$H" key 1 0 0 0
check_fails map-bad-id "no map with id 4000000000" "$BPFKIT" map show id 4000000000
check_fails map-bad-name "no map with name" "$BPFKIT" map show name bk_nosuch_map
check_fails map-pinned-prog "not a map" "$BPFKIT" map show pinned "$B/x/kt_count"
MID=$(bpftool -j map show pinned "$H" | $PY -c 'import json,sys; print(json.load(sys.stdin)["id"])')
"$BPFKIT" -j map show id "$MID" > "$T/a.json"; bpftool -j map show id "$MID" > "$T/b.json"
jsame map-show-by-id "$T/a.json" "$T/b.json"
"$BPFKIT" -j map list > "$T/all.json"
$PY -c 'import json,sys; sys.exit(0 if any(m["id"]==int(sys.argv[2]) for m in json.load(open(sys.argv[1]))) else 1)' "$T/all.json" "$MID" \
	&& ok map-list || notok map-list "map $MID not listed"
"$BPFKIT" map show pinned "$H" | head -1 | grep -q "^$MID: hash  name kt_hash  flags 0x0" && ok map-show-text || notok map-show-text "$("$BPFKIT" map show pinned "$H" | head -1)"

# create, pin, freeze
check map-create "$BPFKIT" map create "$B/new" type hash key 8 value 16 entries 32 name bk_new flags 1
"$BPFKIT" -j map show pinned "$B/new" > "$T/a.json"; bpftool -j map show pinned "$B/new" > "$T/b.json"
jsame map-create-vs-bpftool "$T/a.json" "$T/b.json"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if (d["type"],d["bytes_key"],d["bytes_value"],d["max_entries"],d["flags"],d["name"])==("hash",8,16,32,1,"bk_new") else 1)' "$T/b.json" \
	&& ok map-create-attrs || notok map-create-attrs "$(cat "$T/b.json")"
check_fails map-create-exists "already exists" "$BPFKIT" map create "$B/new" type hash key 8 value 16 entries 32 name bk_new
check_fails map-create-outside "not on a bpf filesystem" "$BPFKIT" map create "$T/new" type hash key 8 value 16 entries 32 name bk_new
[ ! -e "$T/new" ] && ok map-create-outside-nothing-left || notok map-create-outside-nothing-left "$T/new exists"
check_fails map-create-bad-type "unknown map type" "$BPFKIT" map create "$B/n2" type hashh key 8 value 16 entries 32 name x
check_fails map-create-refused "the kernel refuses" "$BPFKIT" map create "$B/n2" type array key 8 value 16 entries 32 name x
[ ! -e "$B/n2" ] && ok map-create-refused-nothing-left || notok map-create-refused-nothing-left "$B/n2 exists"
check map-create-percpu "$BPFKIT" map create "$B/pc" type percpu_array key 4 value 4 entries 2 name bk_pc
NCPU=$(bpftool -j map lookup pinned "$B/pc" key 0 0 0 0 | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["values"]))')
VALS=""; i=0; while [ $i -lt "$NCPU" ]; do VALS="$VALS $((i + 1)) 0 0 0 0 0 0 0"; i=$((i + 1)); done
check map-update-percpu "$BPFKIT" map update pinned "$B/pc" key 1 0 0 0 value $VALS
"$BPFKIT" -j map dump pinned "$B/pc" > "$T/a.json"; bpftool -j map dump pinned "$B/pc" > "$T/b.json"
jsame map-dump-percpu-vs-bpftool "$T/a.json" "$T/b.json"
check map-pin "$BPFKIT" map pin pinned "$B/new" "$B/new2"
[ "$(bpftool -j map show pinned "$B/new2" | $PY -c 'import json,sys; print(json.load(sys.stdin)["name"])')" = bk_new ] \
	&& ok map-pin-same || notok map-pin-same "bpftool sees another map"
check map-freeze "$BPFKIT" map freeze pinned "$B/new"
bpftool -j map show pinned "$B/new" | $PY -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["frozen"]==1 else 1)' \
	&& ok map-frozen-per-bpftool || notok map-frozen-per-bpftool "bpftool says not frozen"
check_fails map-update-frozen "update failed" "$BPFKIT" map update pinned "$B/new" key 0 0 0 0 0 0 0 0 value 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
# maps of programs: a prog_array takes a program as its value
check map-create-progarray "$BPFKIT" map create "$B/pa" type prog_array key 4 value 4 entries 4 name bk_pa
check map-update-progarray "$BPFKIT" map update pinned "$B/pa" key 0 0 0 0 value pinned "$B/x/kt_drop"
PID=$(bpftool -j prog show pinned "$B/x/kt_drop" | $PY -c 'import json,sys; print(json.load(sys.stdin)["id"])')
bpftool -j map lookup pinned "$B/pa" key 0 0 0 0 | $PY -c 'import json,sys; v=json.load(sys.stdin)["value"]; sys.exit(0 if int.from_bytes(bytes(int(x,16) for x in v),"little")==int(sys.argv[1]) else 1)' "$PID" \
	&& ok map-progarray-holds-prog || notok map-progarray-holds-prog "lookup gives another id"
"$BPFKIT" -j map show pinned "$B/pa" > "$T/a.json"; bpftool -j map show pinned "$B/pa" > "$T/b.json"
jsame map-show-progarray-vs-bpftool "$T/a.json" "$T/b.json"
