/* Conditional jumps of every kind the compiler emits: signed and unsigned comparisons of
 * 64-bit and 32-bit values (jmp32 at v3+), against registers and immediates, including
 * negative immediates; the result is a bit mask of which conditions held. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u32 jmp_mask;

static __noinline __u32 conds(__u64 a, __u64 b)
{
	__u32 m = 0;
	__s64 sa = a, sb = b;
	__u32 wa = a, wb = b;
	__s32 swa = wa, swb = wb;

	if (a == b) m |= 1 << 0;
	if (a != 5) m |= 1 << 1;
	if (a > b) m |= 1 << 2;
	if (a >= 100) m |= 1 << 3;
	if (a < b) m |= 1 << 4;
	if (a <= 7) m |= 1 << 5;
	if (sa > sb) m |= 1 << 6;
	if (sa >= -3) m |= 1 << 7;
	if (sa < sb) m |= 1 << 8;
	if (sa <= -100) m |= 1 << 9;
	if (a & 0x40) m |= 1 << 10;
	if (wa == wb) m |= 1 << 11;
	if (wa > wb) m |= 1 << 12;
	if (swa < swb) m |= 1 << 13;
	if (swa >= -1) m |= 1 << 14;
	if (wa <= 0x80000000u) m |= 1 << 15;
	return m;
}

SEC("socket")
int socket_jmp(struct __sk_buff *skb)
{
	__u64 a = skb->len, b = (__u64)(__s64)(__s32)(skb->mark - 50);

	jmp_mask = conds(a, b) ^ (conds(b, a) << 16);
	return jmp_mask & 0xffff;
}

char LICENSE[] SEC("license") = "GPL";
