/* Must be rejected: reads a packet byte without comparing against data_end first.
 * kernel-rejects: invalid access to packet */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_unchecked(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data;

	return p[12] == 8 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
