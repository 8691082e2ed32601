/* Writes a line to the trace buffer when run (prog tracelog). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The trace buffer is machine-wide: test_prog.sh builds this with its pid, so that it
 * knows its own line among those of other runs. */
#ifndef KT_TAG
#define KT_TAG 4242
#endif

SEC("xdp")
int kt_trace(struct xdp_md *ctx)
{
	bpf_printk("bpfkit-tracelog-%d", KT_TAG);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
