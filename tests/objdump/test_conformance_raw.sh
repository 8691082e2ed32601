# Every `-- raw` encoding of the conformance suite decodes and prints in all syntaxes, and
# the LLVM text equals llvm-objdump-19's reading of the same bytes.
. "$ROOT/tests/lib.sh"
python3 - "$T" "$SHARED"/conformance/tests/*.data "$SHARED"/conformance/negative/*.data <<'PY'
import sys, struct, os
out_dir, allb = sys.argv[1], bytearray()
for path in sys.argv[2:]:
    raw, on, seen = [], False, False
    for line in open(path):
        line = line.split('#')[0].strip()
        if line.startswith('--'):
            on = line == '-- raw'; seen |= on; continue
        if on: raw += line.split()
    if not seen: continue
    b = bytearray()
    for t in raw:
        v = int(t, 16)
        b += struct.pack('<Q', v) if len(t.replace('0x', '')) > 2 else bytes([v])
    open(os.path.join(out_dir, os.path.basename(path)[:-5] + '.bin'), 'wb').write(b)
    allb += b
open(os.path.join(out_dir, 'all.raw'), 'wb').write(allb)
PY
n=0 good=0
for b in "$T"/*.bin; do
	n=$((n + 1)) okall=1
	for s in llvm ubpf kernel; do
		"$BPFKIT" disasm --syntax=$s "$b" > "$T/out" 2>&1 && [ -s "$T/out" ] || { okall=0; notok "$(basename "$b") $s" "$(head -1 "$T/out")"; }
	done
	[ $okall = 1 ] && good=$((good + 1))
done
[ "$n" -ge 40 ] && ok "conformance files with -- raw: $n" || notok "conformance files with -- raw" "found $n"
[ "$good" -eq "$n" ] && ok "all $n decode and print in llvm, ubpf and kernel syntax" || notok "raw decode" "$good of $n"
# llvm-objdump's view of all of them at once
{ echo .text; od -An -v -tx1 "$T/all.raw" | tr -s ' ' '\n' | sed '/^$/d; s/^/.byte 0x/'; } > "$T/x.s"
llvm-mc-19 -triple bpfel -filetype=obj -o "$T/x.o" "$T/x.s" &&
	llvm-objdump-19 -d --mcpu=v4 "$T/x.o" | sed -n '/^0000000000000000/,$p' | tail -n +2 | sed 's/ <[^ ]*>$//' > "$T/llvm.txt"
"$BPFKIT" disasm "$T/all.raw" > "$T/bk.txt"
check_same "LLVM text of every raw encoding equals llvm-objdump-19's" "$T/llvm.txt" "$T/bk.txt"
