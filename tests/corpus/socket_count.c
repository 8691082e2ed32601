/* Socket filter that counts packets and bytes per protocol class (skb->protocol) in an
 * array map and accepts every packet whole: the classic counting filter. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, struct counter);
} sock_counts SEC(".maps");

SEC("socket")
int socket_count(struct __sk_buff *skb)
{
	__u32 key;
	struct counter *c;

	if (skb->protocol == bpf_htons(ETH_P_IP))
		key = 0;
	else if (skb->protocol == bpf_htons(ETH_P_IPV6))
		key = 1;
	else
		key = 2;
	c = bpf_map_lookup_elem(&sock_counts, &key);
	if (c) {
		__sync_fetch_and_add(&c->packets, 1);
		__sync_fetch_and_add(&c->bytes, skb->len);
	}
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
