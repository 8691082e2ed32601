/* The verifier must reject this: a packet read without a bounds check. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int kt_bad(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	return data[20];
}

char LICENSE[] SEC("license") = "GPL";
