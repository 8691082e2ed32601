/* The raw-syscall probe against the running kernel: the level must be one the
 * kernel really accepts, and helper answers must follow the verifier's rules. */
#include "tap.h"
#include "bpfkit/probe.h"

#include <errno.h>
#include <unistd.h>
#include <linux/bpf.h>

int main(void)
{
	struct bk_err e = { 0 };
	CHECK("probe: bad level is an error", bk_probe_isa(7, &e) == -EINVAL && e.msg[0]);
	if (geteuid() != 0) {
		printf("skip probe: kernel probes need root (CAP_BPF)\n");
		return 0;
	}
	bk_err_clear(&e);
	int level = bk_probe_cpu_level(&e);
	if (level < 0) {
		printf("skip probe: the kernel refuses bpf programs: %s\n", e.msg);
		return 0;
	}
	CHECKF(level >= 1 && level <= 4, "probe: cpu level %d in 1..4", level);
	CHECK("probe: the level found loads", bk_probe_isa(level, &e) == 1);
	if (level < 4)
		CHECK("probe: the next level is refused", bk_probe_isa(level + 1, &e) == 0);
	CHECK("probe: v1 always loads", bk_probe_isa(1, &e) == 1);
	CHECK("probe: socket_filter may call map_lookup_elem",
	      bk_probe_helper(BPF_PROG_TYPE_SOCKET_FILTER, BPF_FUNC_map_lookup_elem, &e) == 1);
	CHECK("probe: socket_filter may not call xdp_adjust_head",
	      bk_probe_helper(BPF_PROG_TYPE_SOCKET_FILTER, BPF_FUNC_xdp_adjust_head, &e) == 0);
	CHECK("probe: xdp may call xdp_adjust_head",
	      bk_probe_helper(BPF_PROG_TYPE_XDP, BPF_FUNC_xdp_adjust_head, &e) == 1);
	CHECK("probe: helper 9999 does not exist",
	      bk_probe_helper(BPF_PROG_TYPE_SOCKET_FILTER, 9999, &e) == 0);
	CHECK("probe: xdp program type exists", bk_probe_prog_type(BPF_PROG_TYPE_XDP, &e) == 1);
	CHECK("probe: program type 1000 does not", bk_probe_prog_type(1000, &e) == 0);
	return 0;
}
