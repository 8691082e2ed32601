/* Redirects: bpf_redirect from XDP and tc, bpf_redirect_map through a devmap and a cpumap.
 * Under BPF_PROG_TEST_RUN (without live frames) only the verdict is observable. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

const volatile __u32 out_ifindex = 1;

SEC("xdp")
int xdp_redirect_if(struct xdp_md *ctx)
{
	return bpf_redirect(out_ifindex, 0);
}

SEC("xdp")
int xdp_redirect_devmap(struct xdp_md *ctx)
{
	/* The low bits of the lower flags say XDP_PASS when the slot is empty. */
	return bpf_redirect_map(&tx_ports, ctx->rx_queue_index & 3, XDP_PASS);
}

SEC("xdp")
int xdp_redirect_cpu(struct xdp_md *ctx)
{
	return bpf_redirect_map(&cpus, 0, XDP_DROP);
}

SEC("tc")
int tc_redirect_if(struct __sk_buff *skb)
{
	return bpf_redirect(out_ifindex, BPF_F_INGRESS);
}

char LICENSE[] SEC("license") = "GPL";
