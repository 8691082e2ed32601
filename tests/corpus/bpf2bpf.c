/* BPF-to-BPF calls: several static __noinline subprograms (one calling another, one with
 * five arguments, one recursive-free chain of three levels) and two global functions, which
 * the kernel verifies on their own against their BTF signatures. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline __u32 mix(__u32 a, __u32 b)
{
	return (a * 31) ^ (b + 7);
}

static __noinline __u32 mix5(__u32 a, __u32 b, __u32 c, __u32 d, __u32 e)
{
	return mix(a, b) + mix(c, d) * e;
}

static __noinline __u64 level3(__u64 x)
{
	return x * x + 1;
}

static __noinline __u64 level2(__u64 x)
{
	return level3(x + 1) + level3(x - 1);
}

static __noinline __u64 level1(__u64 x)
{
	return level2(x) - level2(x / 2);
}

/* Global: verified once, independently of its callers, so it checks its own pointers. */
__noinline int packet_byte(struct xdp_md *ctx, __u32 off)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p;

	if (off > 64)
		return -1;
	p = data + off;
	if ((void *)(p + 1) > data_end)
		return -1;
	return *p;
}

__noinline int clamp_len(int len)
{
	return len > 1500 ? 1500 : len < 0 ? 0 : len;
}

__u64 result;

SEC("xdp")
int xdp_calls(struct xdp_md *ctx)
{
	int b0 = packet_byte(ctx, 0), b13 = packet_byte(ctx, 13);
	int len = clamp_len(ctx->data_end - ctx->data);

	if (b0 < 0 || b13 < 0)
		return XDP_DROP;
	result = mix5(b0, b13, len, 3, 5) + level1(len);
	return (result & 1) ? XDP_TX : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
