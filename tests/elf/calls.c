/* Subprograms in .text, a global function, a callback, a kfunc extern, two programs. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bpf_kfunc_example(int x) __ksym;

static __attribute__((noinline)) int helper_sub(int a, int b)
{
	return a * 3 + b;
}

__attribute__((noinline)) int global_fn(int a)
{
	return helper_sub(a, 1) ^ 5;
}

static long loop_cb(__u32 i, void *ctx)
{
	*(int *)ctx += i;
	return 0;
}

SEC("tc")
int tc_prog(struct __sk_buff *skb)
{
	int acc = 0;
	bpf_loop(4, loop_cb, &acc, 0);
	return global_fn(acc) + helper_sub(skb->len, 2);
}

SEC("kprobe/do_nothing")
int kp(void *ctx)
{
	return bpf_kfunc_example(3);
}

char _license[] SEC("license") = "GPL";
