/* A tracing (fentry) program: the kernel has the tracing type if this loads. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("fentry/bpf_fentry_test1")
int kt_fentry(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
