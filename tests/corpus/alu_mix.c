/* A mix of ALU operations on values the compiler cannot fold (they come from the packet):
 * 32- and 64-bit add/sub/mul/div/mod (unsigned, non-zero divisors), and/or/xor, shifts by
 * register and immediate, arithmetic right shift, negation, and 32-bit wrap-around. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 alu_out[12];

SEC("socket")
int socket_alu(struct __sk_buff *skb)
{
	__u64 a = skb->len, b = skb->protocol | 1, c;
	__u32 w = skb->len * 0x9e3779b9u, v = (skb->pkt_type + 3);
	__s64 s = -(__s64)a * 12345;

	c = a * b;
	alu_out[0] = c + 0x123456789ull;
	alu_out[1] = c / b;
	alu_out[2] = (c ^ 0xdeadbeefcafef00dull) % (a + 7);
	alu_out[3] = (a << (b & 31)) | (c >> 7);
	alu_out[4] = (__u64)(s >> 5);               /* arsh */
	alu_out[5] = (__u64)(s >> (v & 7));
	alu_out[6] = (__u32)(w + 0xf0000000u);      /* 32-bit wrap */
	alu_out[7] = (__u32)(w * v) / v;
	alu_out[8] = (__u32)w % (v + 2);
	alu_out[9] = (__u32)((__s32)w >> 3);
	alu_out[10] = -a & 0xffff;
	alu_out[11] = (a - b) & ~c;
	return (alu_out[0] ^ alu_out[4] ^ alu_out[9]) & 0xff;
}

char LICENSE[] SEC("license") = "GPL";
