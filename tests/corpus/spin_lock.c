/* bpf_spin_lock in an array map value and in a hash map value: updates two fields together
 * under the lock so they never disagree. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct locked {
	struct bpf_spin_lock lock;
	__u32 packets;
	__u64 bytes;
	__u64 max_len;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct locked);
} lock_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct locked);
} lock_hash SEC(".maps");

SEC("tc")
int tc_spin_lock(struct __sk_buff *skb)
{
	__u32 k = 0, hk = skb->len & 7;
	struct locked *v, init = {};

	v = bpf_map_lookup_elem(&lock_arr, &k);
	if (!v)
		return 2; /* TC_ACT_SHOT */
	bpf_spin_lock(&v->lock);
	v->packets++;
	v->bytes += skb->len;
	if (skb->len > v->max_len)
		v->max_len = skb->len;
	bpf_spin_unlock(&v->lock);

	v = bpf_map_lookup_elem(&lock_hash, &hk);
	if (!v) {
		bpf_map_update_elem(&lock_hash, &hk, &init, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&lock_hash, &hk);
		if (!v)
			return 2;
	}
	bpf_spin_lock(&v->lock);
	v->packets++;
	v->bytes += skb->len;
	bpf_spin_unlock(&v->lock);
	return 0; /* TC_ACT_OK */
}

char LICENSE[] SEC("license") = "GPL";
