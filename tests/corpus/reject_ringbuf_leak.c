/* Must be rejected: reserves ring buffer space and returns without submitting or
 * discarding it, leaking the reference.
 * kernel-rejects: Unreleased reference */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} leak_rb SEC(".maps");

SEC("xdp")
int xdp_ringbuf_leak(struct xdp_md *ctx)
{
	__u64 *slot = bpf_ringbuf_reserve(&leak_rb, sizeof(*slot), 0);

	if (!slot)
		return XDP_DROP;
	*slot = 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
