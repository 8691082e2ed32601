/* cpu v4 forms: signed division and modulo (32 and 64 bit, register and immediate),
 * sign-extending loads (s8/s16/s32) and sign-extending moves. Below v4 clang refuses
 * signed division, so those levels compute the same results with unsigned operations. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__s64 v4_out[8];

static __always_inline __s64 sdiv64(__s64 a, __s64 b)
{
#if __BPF_CPU_VERSION__ >= 4
	return a / b;
#else
	__u64 ua = a < 0 ? -(__u64)a : a, ub = b < 0 ? -(__u64)b : b;
	__u64 q = ua / ub;
	return (a < 0) != (b < 0) ? -(__s64)q : (__s64)q;
#endif
}

static __always_inline __s64 smod64(__s64 a, __s64 b)
{
	return a - sdiv64(a, b) * b;
}

SEC("xdp")
int xdp_v4_ops(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__s8 b;
	__s16 h;
	__s32 w, d32;
	__s64 d;

	if ((void *)(p + 16) > data_end)
		return XDP_DROP;
	b = *(volatile __s8 *)(p + 6);    /* ldxsb at v4 */
	h = *(volatile __s16 *)(p + 8);   /* ldxsh */
	w = *(volatile __s32 *)(p + 12);  /* ldxsw */
	d = (__s64)b * 1000 + h;
	d32 = (__s32)(w | 1);
	v4_out[0] = sdiv64(d, 7);
	v4_out[1] = smod64(d, 7);
	v4_out[2] = sdiv64(w, d32 | 3);
	v4_out[3] = smod64(-(__s64)h, 13);
#if __BPF_CPU_VERSION__ >= 4
	v4_out[4] = (__s32)w / (__s32)(b | 1);
	v4_out[5] = (__s32)w % (__s32)(b | 1);
#else
	v4_out[4] = (__s32)sdiv64(w, b | 1);
	v4_out[5] = (__s32)smod64(w, b | 1);
#endif
	v4_out[6] = (__s64)(__s8)(d + 200);   /* movsx from a register */
	v4_out[7] = (__s64)(__s16)(w >> 3);
	return (v4_out[0] + v4_out[5]) & 1 ? XDP_TX : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
