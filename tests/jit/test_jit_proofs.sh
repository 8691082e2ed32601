#!/bin/sh
# The verifier's proof in the runtime (bk_prog_prove): loads and stores the offline
# verifier proved in bounds run unchecked, and nothing else changes.
#   jit-proofs/vN/NAME      the C corpus: the JIT and the interpreter with proofs give the
#                           transcript of the interpreter without them (r0, data_out,
#                           context, maps, errors)
#   jit-proofs/count        proofs are really used: most corpus programs are proved, and
#                           `bpfkit jit` compiles their accesses without a check
#   jit-proofs/hostile/...  a program the verifier rejects keeps every check: the same
#                           fault with and without proofs, in both engines
. "$ROOT/tests/lib.sh"
C=$ROOT/tests/corpus

if ! [ "$(uname -m)" = x86_64 ]; then
	skip jit-proofs "the JIT needs an x86-64 host"
	exit 0
fi
build_corpus jit-proofs/build
build_bkrun jit-proofs || exit 0

n=0
for run in "$C"/*.run; do
	name=$(basename "$run" .run)
	for cpu in v2 v4; do
		obj=$BK_BUILD/corpus/$cpu/$name.o
		[ -f "$obj" ] || { notok "jit-proofs/$cpu/$name" "no object $obj"; continue; }
		bkrun_as i "$obj" "$run"
		bkrun_as j "$obj" "$run" BKRUN_PROOFS=1 BKRUN_ENGINE=jit
		bkrun_as p "$obj" "$run" BKRUN_PROOFS=1
		jwhy=$(bkrun_differ i j) pwhy=$(bkrun_differ i p)
		if [ -n "$jwhy" ]; then
			notok "jit-proofs/$cpu/$name" "jit: $jwhy"
		elif [ -n "$pwhy" ]; then
			notok "jit-proofs/$cpu/$name" "interp: $pwhy"
		else
			ok "jit-proofs/$cpu/$name"
			n=$((n + 1))
		fi
	done
done
[ $n -gt 0 ] || notok jit-proofs/none "no corpus program ran"

# proofs are used: programs proved, accesses compiled without checks
proved=0 total=0 acc=0
for run in "$C"/*.run; do
	name=$(basename "$run" .run)
	obj=$BK_BUILD/corpus/v4/$name.o
	[ -f "$obj" ] || continue
	total=$((total + 1))
	line=$("$BPFKIT" jit -q "$obj" 2>/dev/null | tail -1)
	k=$(echo "$line" | sed -n 's/.*, \([0-9]*\) accesses proved.*/\1/p')
	if [ -n "$k" ] && [ "$k" -gt 0 ]; then proved=$((proved + 1)); acc=$((acc + k)); fi
done
[ $total -gt 0 ] && [ $((proved * 2)) -ge $total ] && ok "jit-proofs/count ($proved of $total programs, $acc accesses)" \
	|| notok jit-proofs/count "only $proved of $total corpus programs have proved accesses"
obj=$BK_BUILD/corpus/v4/xdp_eth.o
if [ -f "$obj" ]; then
	"$BPFKIT" jit -q "$obj" > "$T/on" 2>&1
	"$BPFKIT" jit -q --no-proofs "$obj" > "$T/off" 2>&1
	grep -q ', [1-9][0-9]* accesses proved' "$T/on" && grep -q ', 0 accesses proved' "$T/off" &&
		ok jit-proofs/no-proofs-switch || notok jit-proofs/no-proofs-switch "$(cat "$T/on" "$T/off" | tr '\n' ' ')"
	s_on=$(sed -n 's/.* instructions, \([0-9]*\) bytes.*/\1/p' "$T/on")
	s_off=$(sed -n 's/.* instructions, \([0-9]*\) bytes.*/\1/p' "$T/off")
	[ -n "$s_on" ] && [ -n "$s_off" ] && [ "$s_on" -lt "$s_off" ] && ok jit-proofs/smaller-code \
		|| notok jit-proofs/smaller-code "$s_on vs $s_off bytes"
fi

# hostile: packet pointer used without a data_end check (the verifier rejects it)
printf '\t.section xdp,"ax"\n\t.globl f\nf:\nr2 = *(u32 *)(r1 + 0)\nr0 = *(u8 *)(r2 + 1000)\nexit\n' > "$T/oob.s"

printf '\377\377\377\377\377\377\000\021\042\063\104\125\010\000\105\000\000\050\000\001\000\000\100\006\000\000\300\250\000\001\300\250\000\002\004\322\000\120\000\000\000\000\000\000\000\000\120\002\377\377\000\000\000\000' > "$T/pkt"
ref=
for e in interp jit; do
	for p in "" --no-proofs; do
		# shellcheck disable=SC2086
		if "$BPFKIT" run "$T/oob.s" --data-in "$T/pkt" --engine $e $p > "$T/h.out" 2> "$T/h.err"; then
			notok "jit-proofs/hostile/$e$p" "ran: $(cat "$T/h.out")"
			continue
		fi
		msg=$(sed 's/0x[0-9a-f]*/ADDR/g' "$T/h.err")
		[ -n "$ref" ] || ref=$msg
		case $msg in
		*"insn 1 "*"invalid read of 1 bytes at ADDR"*)
			[ "$msg" = "$ref" ] && ok "jit-proofs/hostile/$e$p" || notok "jit-proofs/hostile/$e$p" "$msg / $ref" ;;
		*) notok "jit-proofs/hostile/$e$p" "$msg" ;;
		esac
	done
done
