/* A stack buffer read in a can_loop loop at an index that grows past what was written:
 * after widening the index is unknown and the read is out of the stack's bounds. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "can_loop.h"

SEC("socket")
int reject_mg_uninit(struct __sk_buff *skb)
{
	__u8 buf[16];
	__u64 i = 0;

	__builtin_memset(buf, 1, sizeof(buf));
	while (can_loop)
		i++;
	return buf[i & 31];
}

char LICENSE[] SEC("license") = "GPL";
