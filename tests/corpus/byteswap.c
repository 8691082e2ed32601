/* Byte order: bpf_htons/bpf_ntohs/bpf_htonl/bpf_ntohl/bpf_cpu_to_be64 on packet fields and
 * __builtin_bswap16/32/64 on computed values (be/le at v1-v3, bswap at v4). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

__u64 swapped[6];

SEC("xdp")
int xdp_byteswap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__u16 h16;
	__u32 h32;
	__u64 h64;

	if ((void *)(p + 16) > data_end)
		return XDP_DROP;
	h16 = *(__u16 *)(p + 12);
	h32 = *(__u32 *)(p + 0);
	h64 = *(__u64 *)(p + 4);
	swapped[0] = bpf_ntohs(h16);
	swapped[1] = bpf_ntohl(h32);
	swapped[2] = bpf_be64_to_cpu(h64);
	swapped[3] = __builtin_bswap16((__u16)(swapped[1] + 1));
	swapped[4] = __builtin_bswap32((__u32)swapped[2] ^ 0x01020304);
	swapped[5] = __builtin_bswap64(swapped[2] + swapped[0]);
	*(__u16 *)(p + 12) = bpf_htons(swapped[0] + 0);
	return (swapped[3] ^ swapped[4] ^ swapped[5]) & 1 ? XDP_TX : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
