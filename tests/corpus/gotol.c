/* A long function: at cpu v4 one branch jumps over more than 32767 instructions, which
 * clang can only encode as gotol (JMP32|JA with a 32-bit offset). The body is straight-line
 * (no branches inside), so the verifier walks it once per path and stays cheap. Below v4
 * clang has no long jump, so the same steps run as a loop. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Each step depends on the last, so nothing is hoisted or spilled. */
#define S1 do { x = x * 0x5bd1e995 + acc; acc ^= x >> 13; } while (0);
#define S4 S1 S1 S1 S1
#define S16 S4 S4 S4 S4
#define S64 S16 S16 S16 S16
#define S256 S64 S64 S64 S64
#define S1024 S256 S256 S256 S256
#if __BPF_CPU_VERSION__ >= 4
#define BODY S1024 S1024 S1024 S1024 S1024 S1024 S1024 /* x 5 instructions */
#else
/* The same 7168 steps as a loop of 448 x 16, so every level computes the same value; the
 * verifier walks 448 short iterations. */
#define BODY _Pragma("clang loop unroll(disable)") \
	for (int i = 0; i < 448; i++) { S16 }
#endif

__u64 gotol_out;

SEC("socket")
int socket_gotol(struct __sk_buff *skb)
{
	__u64 acc = skb->len;
	__u64 x;

	if (skb->len > 20) {
		x = acc;
		BODY
	}
	gotol_out = acc;
	return acc & 0xff;
}

char LICENSE[] SEC("license") = "GPL";
