/* bpf_snprintf formats packet fields into a .bss buffer (arguments passed as a u64 array),
 * then bpf_strncmp compares it with constant prefixes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char out[64];
long out_len;
int cmp_result;

SEC("xdp")
int xdp_snprintf(struct xdp_md *ctx)
{
	static const char fmt[] = "len=%u first=%02x tag=%s";
	static const char tag[] = "corpus";
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__u64 args[3];

	if ((void *)(p + 1) > data_end)
		return XDP_DROP;
	args[0] = data_end - data;
	args[1] = p[0];
	args[2] = (__u64)(long)tag;
	out_len = bpf_snprintf(out, sizeof(out), fmt, args, sizeof(args));
	if (out_len < 0)
		return XDP_ABORTED;
	cmp_result = bpf_strncmp(out, 4, "len=");
	if (cmp_result != 0)
		return XDP_ABORTED;
	return bpf_strncmp(out, 8, "len=1000") == 0 ? XDP_TX : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
