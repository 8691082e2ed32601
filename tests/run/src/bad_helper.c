/* Calls helper id 999, which no kernel has. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
static long (*bpf_nonexistent)(void) = (void *)999;
SEC("xdp")
int xdp_bad_helper(struct xdp_md *ctx)
{
	return bpf_nonexistent() ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
