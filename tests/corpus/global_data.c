/* Global data in all three sections: a .rodata const table (read with a variable index),
 * a const volatile knob in .rodata, initialised .data and zeroed .bss counters. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static const __u16 weights[16] = {
	3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3,
};
const volatile __u32 scale = 7;
const char greeting[] = "corpus";

__u32 limit = 1000;        /* .data */
__u64 seen_packets;        /* .bss */
__u64 weighted_sum;        /* .bss */
static __u32 last_index;   /* .bss, static */

SEC("socket")
int socket_global_data(struct __sk_buff *skb)
{
	__u32 i = skb->len & 15;
	__u64 w = weights[i] * scale + greeting[i & 3];

	seen_packets++;
	weighted_sum += w;
	last_index = i;
	if (weighted_sum > limit)
		limit += 100;
	return (w + last_index) & 0xff;
}

char LICENSE[] SEC("license") = "GPL";
