/* Compiled with -mcpu=v4: signed division and sign extension, which the kernel
 * loads only when it has the v4 ISA (misc.have_v4_isa_extension). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int kt_v4(struct xdp_md *ctx)
{
	int len = (int)(ctx->data_end - ctx->data);
	signed char c = (signed char)len;
	return (len / -3 + c) & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
