/* Time, randomness and CPU helpers: bpf_ktime_get_ns (monotonic, checked to move forward),
 * bpf_ktime_get_boot_ns, bpf_get_prandom_u32 and bpf_get_smp_processor_id. The verdict does
 * not depend on the random values, so a run is reproducible. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 t_first, t_last, boot_ns;
__u32 rnd, cpu_id, backwards;

SEC("xdp")
int xdp_helpers(struct xdp_md *ctx)
{
	__u64 t0 = bpf_ktime_get_ns();
	__u64 t1 = bpf_ktime_get_ns();

	if (t1 < t0)
		backwards++;
	if (!t_first)
		t_first = t0;
	t_last = t1;
	boot_ns = bpf_ktime_get_boot_ns();
	rnd = bpf_get_prandom_u32();
	cpu_id = bpf_get_smp_processor_id();
	return backwards ? XDP_ABORTED : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
