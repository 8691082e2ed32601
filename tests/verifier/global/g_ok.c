/* Global functions the kernel verifies once on their own: a ctx argument, a scalar, a
 * nullable memory argument checked against NULL; called several times. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__noinline int pkt_byte(struct __sk_buff *skb, __u32 off)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u8 *p;

	if (off > 64)
		return -1;
	p = data + off;
	if ((void *)(p + 1) > data_end)
		return -1;
	return *p;
}

__noinline int sum2(__u32 *p)
{
	if (!p)
		return 0;
	return p[0] + 1;
}

__noinline int scale(int x)
{
	return x > 100 ? 100 : x * 3;
}

SEC("tc")
int g_ok(struct __sk_buff *skb)
{
	__u32 v = skb->len;
	int a = pkt_byte(skb, 0), b = pkt_byte(skb, 12), c = pkt_byte(skb, 13);

	if (a < 0 || b < 0 || c < 0)
		return 0;
	return scale(a + b + c) + sum2(&v) + sum2(0);
}

char LICENSE[] SEC("license") = "GPL";
