/* A kfunc call (an extern __ksym function). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern int bpf_kfunc_example(int x) __ksym;
SEC("xdp")
int xdp_kfunc(struct xdp_md *ctx)
{
	return bpf_kfunc_example(1);
}
char LICENSE[] SEC("license") = "GPL";
