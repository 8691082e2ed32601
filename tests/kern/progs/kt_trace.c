/* Writes a line to the trace buffer when run (prog tracelog). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int kt_trace(struct xdp_md *ctx)
{
	bpf_printk("bpfkit-tracelog-%d", 4242);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
