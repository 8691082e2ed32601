/* bpf_get_current_task (35) exists in the kernel but not in the runtime. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int xdp_task(struct xdp_md *ctx)
{
	return bpf_get_current_task() ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
