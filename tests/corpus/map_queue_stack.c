/* Queue and stack maps (no key): pushes the packet length and first byte, peeks, pops one
 * from each and returns a value that tells FIFO from LIFO. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 16);
	__type(value, __u32);
} fifo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 16);
	__type(value, __u32);
} lifo SEC(".maps");

SEC("xdp")
int xdp_queue_stack(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__u32 a, b, q = 0, s = 0, peek = 0;

	if ((void *)(p + 1) > data_end)
		return XDP_DROP;
	a = data_end - data;
	b = *p;
	bpf_map_push_elem(&fifo, &a, BPF_ANY);
	bpf_map_push_elem(&fifo, &b, BPF_ANY);
	bpf_map_push_elem(&lifo, &a, BPF_ANY);
	bpf_map_push_elem(&lifo, &b, BPF_EXIST); /* BPF_EXIST: overwrite the oldest when full */
	if (bpf_map_peek_elem(&fifo, &peek))
		return XDP_ABORTED;
	if (bpf_map_pop_elem(&fifo, &q))
		return XDP_ABORTED;
	if (bpf_map_pop_elem(&lifo, &s))
		return XDP_ABORTED;
	/* q is the first pushed (a, from this run or an earlier one), s the last pushed (b). */
	return (peek == q && s == b) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
