# bpfkit verify: the command's behaviour (help, raw bytecode, ELF objects, bad input).
. "$ROOT/tests/lib.sh"

check "verify --help" $BPFKIT verify --help
# r0 = 0; exit
printf '\267\000\000\000\000\000\000\000\225\000\000\000\000\000\000\000' > "$T/ok.bin"
check "verify raw accepted" $BPFKIT verify "$T/ok.bin"
# exit with r0 unset
printf '\225\000\000\000\000\000\000\000' > "$T/bad.bin"
check_fails "verify raw rejected with kernel message" "R0 !read_ok" $BPFKIT verify "$T/bad.bin"
$BPFKIT verify "$T/bad.bin" 2> "$T/bad.err"
if grep -q "^0: (95) exit" "$T/bad.err" && grep -q "^advice: " "$T/bad.err"; then ok "verify rejection shows listing and advice"; else notok "verify rejection shows listing and advice" "$(cat "$T/bad.err" | tr '\n' '|')"; fi
$BPFKIT verify --log-level 2 "$T/ok.bin" > "$T/l2.out"
if grep -q "^processed 2 insns (limit 1000000)" "$T/l2.out" && grep -q "^0: (b7) r0 = 0" "$T/l2.out"; then ok "verify --log-level 2 log"; else notok "verify --log-level 2 log" "$(head -5 "$T/l2.out" | tr '\n' '|')"; fi
$BPFKIT -j verify "$T/bad.bin" > "$T/j.out" 2>/dev/null
if grep -q '"accepted":false' "$T/j.out" && grep -q '"message":"R0 !read_ok"' "$T/j.out"; then ok "verify -j"; else notok "verify -j" "$(cat "$T/j.out")"; fi
printf 'abc' > "$T/odd.bin"
check_fails "verify odd size" "neither an ELF" $BPFKIT verify "$T/odd.bin"
check_fails "verify missing file" "nonexistent" $BPFKIT verify "$T/nonexistent.o"
check_fails "verify bad type" "unknown program type" $BPFKIT verify --type nosuch "$T/ok.bin"
# a truncated ELF header: clean error, no crash
printf '\177ELF\002\001\001' > "$T/trunc.o"
check_fails "verify truncated ELF" "." $BPFKIT verify "$T/trunc.o"
# C objects
if command -v "$CLANG" >/dev/null 2>&1; then
	cat > "$T/p.c" <<'C'
#include <linux/bpf.h>
#define SEC(x) __attribute__((section(x), used))
struct { int type; int key_size; int value_size; int max_entries; } *dummy;
SEC("xdp") int good(struct xdp_md *ctx)
{
	void *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
	if (d + 14 > e) return 1;
	return ((unsigned char *)d)[13];
}
SEC("xdp") int bad(struct xdp_md *ctx)
{
	void *d = (void *)(long)ctx->data;
	return ((unsigned char *)d)[13];
}
char LICENSE[] SEC("license") = "GPL";
C
	if $CLANG $BPF_CFLAGS -c "$T/p.c" -o "$T/p.o" 2> "$T/cc.err"; then
		check "verify ELF --prog good" $BPFKIT verify --prog good "$T/p.o"
		check_fails "verify ELF --prog bad" "R1 offset is outside of the packet" $BPFKIT verify --prog bad "$T/p.o"
		check_fails "verify ELF --prog missing" "no program named" $BPFKIT verify --prog nosuch "$T/p.o"
		for cpu in v1 v2 v3 v4; do
			$CLANG $BPF_CFLAGS -mcpu=$cpu -c "$T/p.c" -o "$T/p$cpu.o" 2>/dev/null
			check "verify -mcpu=$cpu good" $BPFKIT verify -mcpu=$cpu --prog good "$T/p$cpu.o"
		done
	else
		skip "verify ELF" "clang failed: $(head -1 "$T/cc.err")"
	fi
else
	skip "verify ELF" "no $CLANG"
fi
