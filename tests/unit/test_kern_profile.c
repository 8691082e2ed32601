/* prog profile's fentry/fexit part for real: a tiny XDP program with BTF, the
 * profiler attached to it, the program test-run 7 times while attached, and the
 * run_cnt the fexit program counted must be 7; with cpu_clock the counter sums
 * grow. Where the kernel refuses tracing programs or perf events the test says
 * which and why. Nothing stays loaded: every fd is closed at the end. */
#include "bpfkit/kern.h"
#include "tap.h"

#if !BK_HAVE_KERN
int main(void)
{
	printf("skip kern-profile: built without libbpf\n");
	return 0;
}
#else
#include <errno.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* int prof_target(struct xdp_md *ctx) { return XDP_PASS; } with its BTF. */
static int load_target(int *btf_fd)
{
	struct btf *b = btf__new_empty();
	if (!b)
		return -1;
	int i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int st = btf__add_struct(b, "xdp_md", 0);
	int ptr = btf__add_ptr(b, st);
	int proto = btf__add_func_proto(b, i32);
	btf__add_func_param(b, "ctx", ptr);
	int fn = btf__add_func(b, "prof_target", BTF_FUNC_GLOBAL, proto);
	if (i32 < 0 || fn < 0 || btf__load_into_kernel(b)) {
		btf__free(b);
		return -1;
	}
	*btf_fd = btf__fd(b);
	*btf_fd = dup(*btf_fd);
	btf__free(b);
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_func_info fi = { .insn_off = 0, .type_id = (uint32_t)fn };
	LIBBPF_OPTS(bpf_prog_load_opts, o, .prog_btf_fd = (uint32_t)*btf_fd, .func_info = &fi,
		    .func_info_cnt = 1, .func_info_rec_size = sizeof(fi));
	return bpf_prog_load(BPF_PROG_TYPE_XDP, "prof_target", "GPL", insns, 2, &o);
}

static int target_fd;
static int runs_ok;
static void run7(void *ctx)
{
	unsigned char pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 7);
	runs_ok = !bpf_prog_test_run_opts(target_fd, &t) && t.retval == XDP_PASS;
}

int main(void)
{
	if (geteuid() != 0) {
		printf("skip kern-profile: needs root (CAP_BPF, CAP_PERFMON)\n");
		return 0;
	}
	int btf_fd = -1;
	target_fd = load_target(&btf_fd);
	if (target_fd < 0) {
		printf("skip kern-profile: the kernel refused the target program: %s\n", strerror(errno));
		if (btf_fd >= 0)
			close(btf_fd);
		return 0;
	}
	CHECK("kern-profile/metric-names", bk_kern_profile_metric("cycles") == 0 &&
	      bk_kern_profile_metric("dtlb_misses") == 5 && bk_kern_profile_metric("nope") < 0);

	/* run_cnt alone: fentry/fexit with no counters. */
	struct bk_kern_profile_result res;
	struct bk_err err = { 0 };
	struct bk_kern_profile_opts o = BK_OPTS_INIT(bk_kern_profile_opts, .during = run7);
	int r = bk_kern_profile(target_fd, &o, &res, &err);
	if (r < 0 && strstr(err.msg, "tracing")) {
		printf("skip kern-profile/run_cnt: %s\n", err.msg);
	} else {
		CHECKF(r == 0, "kern-profile/attach%s%s", r ? ": " : "", r ? err.msg : "");
		CHECK("kern-profile/target-ran", runs_ok);
		CHECKF(r == 0 && res.run_cnt == 7, "kern-profile/run_cnt (%llu)", (unsigned long long)res.run_cnt);
		int cl = bk_kern_profile_metric("cpu_clock");
		struct bk_kern_profile_opts oc = BK_OPTS_INIT(bk_kern_profile_opts, .metrics = &cl, .nmetrics = 1,
							      .during = run7);
		memset(&err, 0, sizeof(err));
		r = bk_kern_profile(target_fd, &oc, &res, &err);
		if (r < 0)
			printf("skip kern-profile/cpu_clock: %s\n", err.msg);
		else
			CHECKF(res.run_cnt == 7 && res.n == 1 && res.m[0].enabled > 0,
			       "kern-profile/cpu_clock (run_cnt %llu, enabled %llu)", (unsigned long long)res.run_cnt,
			       (unsigned long long)res.m[0].enabled);
	}

	/* The generated programs themselves, as raw tracepoint programs run 5 times:
	 * the verifier takes them, fexit counts, cpu_clock sums move. */
	int cl = bk_kern_profile_metric("cpu_clock");
	struct bk_kern_profile_opts os = BK_OPTS_INIT(bk_kern_profile_opts, .metrics = &cl, .nmetrics = 1,
						      .selftest = 5);
	memset(&err, 0, sizeof(err));
	r = bk_kern_profile(target_fd, &os, &res, &err);
	CHECKF(r == 0, "kern-profile/selftest-loads%s%s", r ? ": " : "", r ? err.msg : "");
	CHECKF(r == 0 && res.run_cnt == 5, "kern-profile/selftest-run_cnt (%llu)", (unsigned long long)res.run_cnt);
	CHECKF(r == 0 && res.n == 1 && res.m[0].enabled > 0 && res.m[0].count > 0,
	       "kern-profile/selftest-cpu_clock (count %llu, enabled %llu, running %llu)",
	       (unsigned long long)res.m[0].count, (unsigned long long)res.m[0].enabled,
	       (unsigned long long)res.m[0].running);

	/* A hardware counter on a machine without them: the error names it. */
	int cy = bk_kern_profile_metric("cycles");
	struct bk_kern_profile_opts oh = BK_OPTS_INIT(bk_kern_profile_opts, .metrics = &cy, .nmetrics = 1);
	memset(&err, 0, sizeof(err));
	r = bk_kern_profile(target_fd, &oh, &res, &err);
	if (r < 0 && strstr(err.msg, "perf_event_open"))
		CHECKF(strstr(err.msg, "cycles counter") != NULL, "kern-profile/refused-counter-named: %s", err.msg);
	else
		printf("skip kern-profile/refused-counter-named: the kernel gave a cycles counter or refused fentry (%s)\n",
		       r < 0 ? err.msg : "no error");
	close(target_fd);
	close(btf_fd);
	return 0;
}
#endif
