/* A global function taking `void *`: the kernel cannot size the memory behind it and
 * refuses the prototype at the call ("arg#0 reference type('UNKNOWN ') size cannot be
 * determined"), although the same body as a static function would be accepted. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__noinline int first_byte(void *p)
{
	if (!p)
		return 0;
	return *(char *)p;
}

SEC("socket")
int g_voidptr(struct __sk_buff *skb)
{
	__u32 v = skb->len;

	return first_byte(&v);
}

char LICENSE[] SEC("license") = "GPL";
