#!/bin/sh
# `bpfkit run`: output forms (bpftool's "Return value" line, trace_printk lines,
# --dump-maps plain and -j), inputs (objects, raw bytecode, --data-in/out, --map-in,
# --prog, --seed), and refusals with one line naming the problem (unknown or
# unimplemented helper, helper not allowed for the type, kfunc, unsupported map type,
# bad pointer, bad files), never a partial output file.
. "$ROOT/tests/lib.sh"
S=$ROOT/tests/run/src

if ! command -v "$CLANG" >/dev/null 2>&1; then
	skip run "$CLANG not installed: the test programs are C"
	exit 0
fi
for f in "$S"/*.c; do
	n=$(basename "$f" .c)
	if ! $CLANG $BPF_CFLAGS -c "$f" -o "$T/$n.o" 2> "$T/cc.err"; then
		notok "run/build/$n" "$(head -2 "$T/cc.err" | tr '\n' ' ')"
	fi
done
# Ethernet + IPv4 + TCP, 54 bytes.
printf '\377\377\377\377\377\377\000\021\042\063\104\125\010\000\105\000\000\050\000\001\000\000\100\006\000\000\300\250\000\001\300\250\000\002\004\322\000\120\000\000\000\000\000\000\000\000\120\002\377\377\000\000\000\000' > "$T/pkt"

# --- help and options
check run/help sh -c "\"$BPFKIT\" run --help | grep -q 'Usage: bpfkit run FILE'"
check_fails run/no-file "no FILE" "$BPFKIT" run
check_fails run/unknown-option "unknown option '--bogus'" "$BPFKIT" run "$T/printk.o" --bogus x
check_fails run/bad-type "unknown program type 'nope'" "$BPFKIT" run "$T/printk.o" --type nope
check run/engine-jit sh -c "\"$BPFKIT\" run \"$T/printk.o\" --engine jit --data-in \"$T/pkt\" | grep -q '^Return value: 2,'"
check run/engine-interp sh -c "\"$BPFKIT\" run \"$T/printk.o\" --engine interp --data-in \"$T/pkt\" | grep -q '^Return value: 2,'"
check_fails run/engine-bad "unknown engine 'x'" "$BPFKIT" run "$T/printk.o" --engine x
check_fails run/bad-repeat "--repeat wants" "$BPFKIT" run "$T/printk.o" --repeat 0
check_fails run/missing-file "nosuch" "$BPFKIT" run "$T/nosuch.o"

# --- refusals at load time, naming what is unsupported
check_fails run/refuse/unknown-helper "invalid func unknown#999" "$BPFKIT" run "$T/bad_helper.o" --data-in "$T/pkt"
check_fails run/refuse/unimplemented-helper "helper bpf_get_current_task#35 is not supported" \
	"$BPFKIT" run "$T/unimpl_helper.o" --data-in "$T/pkt"
check_fails run/refuse/helper-for-type "program of this type cannot use helper bpf_xdp_adjust_head#44" \
	"$BPFKIT" run "$T/wrong_type_helper.o" --data-in "$T/pkt"
check_fails run/refuse/kfunc "kfunc 'bpf_kfunc_example' is not supported" "$BPFKIT" run "$T/kfunc.o" --data-in "$T/pkt"
check_fails run/refuse/map-type "map 'socks': type sockmap (15) is not supported" \
	"$BPFKIT" run "$T/sockmap.o" --data-in "$T/pkt"
check_fails run/refuse/no-such-prog "no program named 'nope'" "$BPFKIT" run "$T/printk.o" --prog nope --data-in "$T/pkt"

# --- a helper given a wild pointer: clean error naming the helper, no data-out file
check_fails run/bad-pointer "helper bpf_map_lookup_elem: invalid memory read of 4 bytes at 0x1000" \
	"$BPFKIT" run "$T/bad_pointer.o" --data-in "$T/pkt" --data-out "$T/never"
if [ -e "$T/never" ]; then notok run/no-partial-output "data-out written by a failed run"; else ok run/no-partial-output; fi

# --- hostile files
head -c 40 "$T/printk.o" > "$T/trunc.o"
check_fails run/truncated-elf "trunc.o" "$BPFKIT" run "$T/trunc.o"
printf 'abcdefghijk' > "$T/odd.bin"
check_fails run/odd-raw "not a whole number of instructions" "$BPFKIT" run "$T/odd.bin"

# --- plain output: trace lines, bpftool's line, plain dumps
if "$BPFKIT" run "$T/printk.o" --data-in "$T/pkt" --dump-maps > "$T/p.out" 2> "$T/p.err"; then
	grep -q 'bpf_trace_printk: len 54 key 6 hex beef$' "$T/p.out" && ok run/printk-line ||
		notok run/printk-line "$(head -2 "$T/p.out" | tr '\n' ' ')"
	grep -q 'bpf_trace_printk: neg -5 lld -7$' "$T/p.out" && ok run/printk-signed ||
		notok run/printk-signed "$(sed -n 2p "$T/p.out")"
	grep -q '^Return value: 2, duration: [0-9]*ns$' "$T/p.out" && ok run/return-line ||
		notok run/return-line "$(grep Return "$T/p.out")"
	grep -q "^key: 06 00 00 00  value: 01 00 00 00 00 00 00 00$" "$T/p.out" && ok run/plain-dump ||
		notok run/plain-dump "$(grep -A2 "map 'seen'" "$T/p.out" | tr '\n' '|')"
	grep -q "^map 'printk.rodata' (array, key 4, value 37, max_entries 1):$" "$T/p.out" && ok run/rodata-name ||
		notok run/rodata-name "$(grep rodata "$T/p.out")"
else
	notok run/printk "$(head -2 "$T/p.err")"
fi

# --- -j: one JSON object; --repeat runs the program N times (maps see every run)
if "$BPFKIT" -j run "$T/printk.o" --data-in "$T/pkt" --dump-maps --repeat 3 > "$T/j.out" 2> "$T/j.err"; then
	if command -v python3 >/dev/null 2>&1; then
		check run/json python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["retval"] == 2 and isinstance(d["duration"], int), d
m = {x["name"]: x for x in d["maps"]}
assert set(m) == {"seen", "pc", "printk.rodata"}, m.keys()
s = m["seen"]
assert (s["type"], s["key_size"], s["value_size"], s["max_entries"]) == ("hash", 4, 8, 8), s
assert s["dump"] == [{"key": ["0x06", "0x00", "0x00", "0x00"], "value": ["0xc9"] + ["0x00"] * 7}], s["dump"]
pc = m["pc"]["dump"][0]["values"]
assert pc[0] == {"cpu": 0, "value": ["0x03", "0x00", "0x00", "0x00"]}, pc
assert all(v["value"] == ["0x00"] * 4 for v in pc[1:]), pc
assert len(d["trace"]) == 6, d["trace"]
' "$T/j.out"
	else
		grep -q '"retval":2,"duration":' "$T/j.out" && ok run/json || notok run/json "$(head -c 200 "$T/j.out")"
	fi
else
	notok run/json "$(head -2 "$T/j.err")"
fi

# --- --map-in: what -j dumped goes back in (hash value 201 -> +100 = 301)
if command -v python3 >/dev/null 2>&1 && [ -s "$T/j.out" ]; then
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
json.dump([m for m in d["maps"] if m["name"] == "seen"][0]["dump"], open(sys.argv[2], "w"))
' "$T/j.out" "$T/seen.json"
	if "$BPFKIT" -j run "$T/printk.o" --data-in "$T/pkt" --dump-maps --map-in "seen=$T/seen.json" > "$T/m.out" 2> "$T/m.err"; then
		grep -q '"name":"seen","type":"hash","key_size":4,"value_size":8,"max_entries":8,"dump":\[{"key":\["0x06","0x00","0x00","0x00"\],"value":\["0x2d","0x01",' "$T/m.out" &&
			ok run/map-in || notok run/map-in "$(head -c 300 "$T/m.out")"
	else
		notok run/map-in "$(head -2 "$T/m.err")"
	fi
else
	skip run/map-in "python3 not installed"
fi
echo '[{"key":["0x01"],"value":[]}]' > "$T/bad.json"
check_fails run/map-in-bad-json "key has 1 bytes, the map wants 4" "$BPFKIT" run "$T/printk.o" --data-in "$T/pkt" --map-in "seen=$T/bad.json"
check_fails run/map-in-no-map "has no map 'nomap'" "$BPFKIT" run "$T/printk.o" --data-in "$T/pkt" --map-in "nomap=$T/bad.json"

# --- legacy `maps` section, .data, and a .text subprogram called twice
if "$BPFKIT" run "$T/legacy_maps.o" --data-in "$T/pkt" --dump-maps > "$T/l.out" 2> "$T/l.err"; then
	grep -q '^Return value: 2,' "$T/l.out" && grep -q '^key: 01 00 00 00  value: 02 00 00 00 00 00 00 00$' "$T/l.out" &&
		grep -q "^map 'legacy_m.data'" "$T/l.out" && grep -q '^key: 00 00 00 00  value: 07 00' "$T/l.out" &&
		ok run/legacy-maps || notok run/legacy-maps "$(tr '\n' '|' < "$T/l.out")"
else
	notok run/legacy-maps "$(head -2 "$T/l.err")"
fi

# --- data out: an XDP_PASS program hands the packet back unchanged
if "$BPFKIT" run "$T/printk.o" --data-in "$T/pkt" --data-out "$T/pkt.out" > /dev/null 2>&1; then
	check_same run/data-out "$T/pkt" "$T/pkt.out"
else
	notok run/data-out "run failed"
fi

# --- raw bytecode: r0 = 42; exit. And all 64 bits of r0 for raw: lddw r0, 0x100000002.
printf '\267\000\000\000\052\000\000\000\225\000\000\000\000\000\000\000' > "$T/r42.bin"
"$BPFKIT" run "$T/r42.bin" > "$T/r.out" 2>&1
grep -q '^Return value: 42, duration: ' "$T/r.out" && ok run/raw || notok run/raw "$(cat "$T/r.out")"
printf '\030\000\000\000\002\000\000\000\000\000\000\000\001\000\000\000\225\000\000\000\000\000\000\000' > "$T/r64.bin"
"$BPFKIT" -j run "$T/r64.bin" > "$T/r.out" 2>&1
grep -q '^{"retval":4294967298,"duration":' "$T/r.out" && ok run/raw-64bit-retval || notok run/raw-64bit-retval "$(cat "$T/r.out")"
check_fails run/raw-with-prog "raw bytecode is one program" "$BPFKIT" run "$T/r42.bin" --prog x

# --- --seed: bpf_get_prandom_u32 is reproducible (raw: call 7; exit)
printf '\205\000\000\000\007\000\000\000\225\000\000\000\000\000\000\000' > "$T/rnd.bin"
a=$("$BPFKIT" run "$T/rnd.bin" --seed 5 2>&1 | sed 's/, duration.*//')
b=$("$BPFKIT" run "$T/rnd.bin" --seed 5 2>&1 | sed 's/, duration.*//')
c=$("$BPFKIT" run "$T/rnd.bin" --seed 6 2>&1 | sed 's/, duration.*//')
case $a in "Return value: "[0-9]*) [ "$a" = "$b" ] && [ "$a" != "$c" ] && ok run/seed || notok run/seed "$a / $b / $c" ;;
*) notok run/seed "$a" ;; esac

# --- --prog by function name among several programs, and tail calls between them
if [ -f "$BK_BUILD/corpus/v4/tail_call.o" ] || sh "$ROOT/tests/corpus/build.sh" "$BK_BUILD/corpus" > "$T/b.log" 2>&1; then
	r=$("$BPFKIT" run "$BK_BUILD/corpus/v4/tail_call.o" --prog stage_final --data-in "$T/pkt" 2>&1)
	case $r in "Return value: 3,"*) ok run/prog-by-name ;; *) notok run/prog-by-name "$r" ;; esac
	r=$("$BPFKIT" run "$BK_BUILD/corpus/v4/tail_call.o" --prog xdp_tail_entry --data-in "$T/pkt" 2>&1)
	case $r in "Return value: 3,"*) ok run/tail-call ;; *) notok run/tail-call "$r" ;; esac
else
	skip run/prog-by-name "the corpus does not build: $(tail -1 "$T/b.log")"
fi

# --- assembly input goes through the assembler when the build has one
# a program lives in its own section (libbpf treats .text functions as subprograms)
printf '\t.section socket,"ax",@progbits\n\t.globl f\n\t.type f,@function\nf:\n\tr0 = 7\n\texit\n' > "$T/seven.s"
if "$BPFKIT" run "$T/seven.s" --type raw > "$T/s.out" 2> "$T/s.err"; then
	grep -q '^Return value: 7,' "$T/s.out" && ok run/asm-input || notok run/asm-input "$(cat "$T/s.out")"
elif grep -q 'needs the assembler' "$T/s.err"; then
	skip run/asm-input "this build has no assembler yet"
else
	notok run/asm-input "$(head -1 "$T/s.err")"
fi
