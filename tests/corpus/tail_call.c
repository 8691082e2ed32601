/* Tail calls through a prog_array filled statically by libbpf: the entry program
 * dispatches on the EtherType, the IPv4 stage chains into a final stage; a missing slot
 * falls through to the code after bpf_tail_call. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

__u32 stage_hits[4];

SEC("xdp")
int stage_ipv4(struct xdp_md *ctx);
SEC("xdp")
int stage_final(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int(void *));
} jump_table SEC(".maps") = {
	.values = {
		[0] = (void *)&stage_ipv4,
		[2] = (void *)&stage_final,
	},
};

SEC("xdp")
int stage_final(struct xdp_md *ctx)
{
	stage_hits[2]++;
	return XDP_TX;
}

SEC("xdp")
int stage_ipv4(struct xdp_md *ctx)
{
	stage_hits[1]++;
	bpf_tail_call(ctx, &jump_table, 2);
	return XDP_ABORTED;
}

SEC("xdp")
int xdp_tail_entry(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	stage_hits[0]++;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		bpf_tail_call(ctx, &jump_table, 0);
	else
		bpf_tail_call(ctx, &jump_table, 1); /* empty slot */
	stage_hits[3]++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
