/* Global data in .data/.rodata/.bss, static variables, strings, a version section. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int g_counter = 7;
const volatile int limit = 42;
static int hits;
__u64 zeroed[4];
static const char msg[] = "hello %d\n";

SEC("socket")
int sock_prog(struct __sk_buff *skb)
{
	hits++;
	zeroed[skb->len & 3] += g_counter;
	bpf_trace_printk(msg, sizeof(msg), hits);
	return skb->len > limit ? 0 : -1;
}

char _license[] SEC("license") = "Dual BSD/GPL";
__u32 _version SEC("version") = 0x50a00;
