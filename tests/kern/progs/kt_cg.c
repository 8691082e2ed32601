/* A cgroup_skb program for cgroup attach, and a socket filter for prog run. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup_skb/ingress")
int kt_cg_allow(struct __sk_buff *skb)
{
	return 1;
}

SEC("cgroup_skb/egress")
int kt_cg_egress(struct __sk_buff *skb)
{
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
