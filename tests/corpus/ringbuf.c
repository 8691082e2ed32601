/* Ring buffer: bpf_ringbuf_reserve + submit of a struct event, bpf_ringbuf_output of a
 * copy, and discard of a reservation; bpf_ringbuf_query for the pending bytes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u32 len;
	__u32 ifindex;
	__u8 head[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

__u64 pending;

SEC("xdp")
int xdp_ringbuf(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct event *e, copy = {};

	if (data + 8 > data_end)
		return XDP_DROP;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return XDP_PASS;
	e->len = data_end - data;
	e->ifindex = ctx->ingress_ifindex;
	__builtin_memcpy(e->head, data, 8);
	copy = *e;
	bpf_ringbuf_submit(e, 0);

	copy.len |= 0x80000000;
	bpf_ringbuf_output(&events, &copy, sizeof(copy), 0);

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e)
		bpf_ringbuf_discard(e, 0);
	pending = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
