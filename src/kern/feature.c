/* feature probe (bpftool's keys, plus misc.have_v4_isa_extension) and run-time
 * statistics. ISA levels and helpers come from the raw probes in src/probe so
 * that -mcpu=probe and this command can never disagree. */
#define _GNU_SOURCE
#include "kj.h"
#include "bpfkit/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

static const char *const sysctls[][2] = {
	{ "unprivileged_bpf_disabled", "/proc/sys/kernel/unprivileged_bpf_disabled" },
	{ "bpf_jit_enable", "/proc/sys/net/core/bpf_jit_enable" },
	{ "bpf_jit_harden", "/proc/sys/net/core/bpf_jit_harden" },
	{ "bpf_jit_kallsyms", "/proc/sys/net/core/bpf_jit_kallsyms" },
	{ "bpf_jit_limit", "/proc/sys/net/core/bpf_jit_limit" },
};

/* The kernel options bpftool reports, in its order. */
static const char *const options[] = {
	"CONFIG_BPF", "CONFIG_BPF_SYSCALL", "CONFIG_HAVE_EBPF_JIT", "CONFIG_BPF_JIT",
	"CONFIG_BPF_JIT_ALWAYS_ON", "CONFIG_DEBUG_INFO_BTF", "CONFIG_DEBUG_INFO_BTF_MODULES",
	"CONFIG_CGROUPS", "CONFIG_CGROUP_BPF", "CONFIG_CGROUP_NET_CLASSID", "CONFIG_SOCK_CGROUP_DATA",
	"CONFIG_BPF_EVENTS", "CONFIG_KPROBE_EVENTS", "CONFIG_UPROBE_EVENTS", "CONFIG_TRACING",
	"CONFIG_FTRACE_SYSCALLS", "CONFIG_FUNCTION_ERROR_INJECTION", "CONFIG_BPF_KPROBE_OVERRIDE",
	"CONFIG_NET", "CONFIG_XDP_SOCKETS", "CONFIG_LWTUNNEL_BPF", "CONFIG_NET_ACT_BPF",
	"CONFIG_NET_CLS_BPF", "CONFIG_NET_CLS_ACT", "CONFIG_NET_SCH_INGRESS", "CONFIG_XFRM",
	"CONFIG_IP_ROUTE_CLASSID", "CONFIG_IPV6_SEG6_BPF", "CONFIG_BPF_LIRC_MODE2",
	"CONFIG_BPF_STREAM_PARSER", "CONFIG_NETFILTER_XT_MATCH_BPF", "CONFIG_BPFILTER",
	"CONFIG_BPFILTER_UMH", "CONFIG_TEST_BPF", "CONFIG_HZ",
};
#define NOPT (sizeof(options) / sizeof(options[0]))

static const char *const helper_names[] = {
#define BK_HELPER(id, name) [id] = #name,
#include "bpfkit/helpers.def"
#undef BK_HELPER
};
#define NHELPER ((int)(sizeof(helper_names) / sizeof(helper_names[0])))

static int read_sysctl(const char *path, long long *v)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	int r = fscanf(f, "%lld", v) == 1 ? 0 : -EINVAL;
	fclose(f);
	return r;
}

/* Kernel config from /boot/config-RELEASE, else /proc/config.gz (through gzip,
 * the core links no zlib). */
static void read_config(char *vals[NOPT])
{
	struct utsname u;
	char path[300], line[512];
	FILE *f = NULL;
	int piped = 0;
	if (!uname(&u)) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		f = fopen(path, "r");
	}
	if (!f && !access("/proc/config.gz", R_OK)) {
		f = popen("gzip -dc /proc/config.gz 2>/dev/null", "r");
		piped = 1;
	}
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');
		if (strncmp(line, "CONFIG_", 7) || !eq)
			continue;
		*eq = 0;
		char *v = eq + 1;
		v[strcspn(v, "\n")] = 0;
		if (v[0] == '"') {
			v++;
			v[strcspn(v, "\"")] = 0;
		}
		for (size_t i = 0; i < NOPT; i++)
			if (!strcmp(line, options[i]) && !vals[i])
				vals[i] = strdup(v);
	}
	if (piped)
		pclose(f);
	else
		fclose(f);
}

/* Tracing and LSM programs load only against a kernel function: fentry on
 * bpf_fentry_test1 (the kernel's own test target), LSM on bpf_lsm_file_open. */
static int btf_target_probe(int type)
{
	struct btf *vm = btf__load_vmlinux_btf();
	if (!vm)
		return 0;
	const char *fn = type == BPF_PROG_TYPE_TRACING ? "bpf_fentry_test1" : "bpf_lsm_file_open";
	int id = btf__find_by_name_kind(vm, fn, BTF_KIND_FUNC);
	btf__free(vm);
	if (id <= 0)
		return 0;
	struct bpf_insn p[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bk_probe_load_opts o = BK_OPTS_INIT(bk_probe_load_opts, .prog_type = type,
		.expected_attach_type = type == BPF_PROG_TYPE_TRACING ? BPF_TRACE_FENTRY : BPF_LSM_MAC,
		.attach_btf_id = (unsigned)id);
	int fd = bk_probe_load(p, 2, &o, NULL);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static void line(struct bk_buf *out, const char *s) { bk_buf_printf(out, "%s\n", s); }

int bk_kern_feature_probe(const struct bk_kern_fmt *fmt, struct bk_buf *out, struct bk_err *err)
{
	struct bk_kj jw, *j = NULL;
	if (fmt && fmt->json) {
		bk_kj_init(&jw, out, fmt->pretty);
		j = &jw;
		bk_kj_obj(j);
	}
	/* system_config */
	if (j) {
		bk_kj_key(j, "system_config");
		bk_kj_obj(j);
	} else {
		line(out, "Scanning system configuration...");
	}
	for (size_t i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
		long long v;
		int ok = !read_sysctl(sysctls[i][1], &v);
		if (j) {
			bk_kj_key(j, sysctls[i][0]);
			if (ok) bk_kj_s64(j, v); else bk_kj_null(j);
		} else if (ok) {
			bk_buf_printf(out, "%s is %lld\n", sysctls[i][0], v);
		} else {
			bk_buf_printf(out, "Unable to retrieve %s\n", sysctls[i][0]);
		}
	}
	char *vals[NOPT] = { 0 };
	read_config(vals);
	for (size_t i = 0; i < NOPT; i++) {
		if (j) {
			bk_kj_key(j, options[i]);
			if (vals[i]) bk_kj_str(j, vals[i]); else bk_kj_null(j);
		} else {
			bk_buf_printf(out, "%s is %s\n", options[i], vals[i] ? vals[i] : "not set");
		}
		free(vals[i]);
	}
	/* syscall_config: the v1 probe doubles as the bpf() check */
	struct bk_err pe = { 0 };
	int have_bpf = bk_probe_isa(1, &pe) == 1;
	if (j) {
		bk_kj_end_obj(j);
		bk_kj_key(j, "syscall_config");
		bk_kj_obj(j);
		bk_kj_key(j, "have_bpf_syscall"); bk_kj_bool(j, have_bpf);
		bk_kj_end_obj(j);
	} else {
		bk_buf_printf(out, "\nScanning system call availability...\nbpf() syscall is %savailable\n",
			      have_bpf ? "" : "NOT ");
	}
	if (!have_bpf) {
		if (j) {
			bk_kj_end_obj(j);
			bk_buf_printf(out, "\n");
		}
		return bk_err_set(err, pe.code ? pe.code : -EPERM, "%s", pe.msg[0] ? pe.msg : "bpf() is not available");
	}
	/* program types: the raw probe (libbpf 1.1 misjudges tracing) */
	enum { MAXT = 33 };
	int types[MAXT] = { 0 };
	if (j) {
		bk_kj_key(j, "program_types");
		bk_kj_obj(j);
	} else {
		line(out, "\nScanning eBPF program types...");
	}
	for (int t = 1; t < MAXT; t++) {
		const char *n = bk_kern_prog_type_name((uint32_t)t);
		if (!n)
			continue;
		types[t] = t == BPF_PROG_TYPE_TRACING || t == BPF_PROG_TYPE_LSM ? btf_target_probe(t)
										: bk_probe_prog_type(t, NULL) == 1;
		char key[96];
		snprintf(key, sizeof(key), "have_%s_prog_type", n);
		if (j) {
			bk_kj_key(j, key);
			bk_kj_bool(j, types[t]);
		} else {
			bk_buf_printf(out, "eBPF program_type %s is %savailable\n", n, types[t] ? "" : "NOT ");
		}
	}
	if (j) {
		bk_kj_end_obj(j);
		bk_kj_key(j, "map_types");
		bk_kj_obj(j);
	} else {
		line(out, "\nScanning eBPF map types...");
	}
	/* map types: libbpf knows how to build each (key sizes, BTF, inner maps) */
	for (int t = 1; t < 64; t++) {
		if (!libbpf_bpf_map_type_str((enum bpf_map_type)t))
			continue;
		const char *n = bk_kern_map_type_name((uint32_t)t);
		int have = libbpf_probe_bpf_map_type((enum bpf_map_type)t, NULL) == 1;
		char key[96];
		snprintf(key, sizeof(key), "have_%s_map_type", n);
		if (j) {
			bk_kj_key(j, key);
			bk_kj_bool(j, have);
		} else {
			bk_buf_printf(out, "eBPF map_type %s is %savailable\n", n, have ? "" : "NOT ");
		}
	}
	if (j) {
		bk_kj_end_obj(j);
		bk_kj_key(j, "helpers");
		bk_kj_obj(j);
	} else {
		line(out, "\nScanning eBPF helper functions...");
	}
	for (int t = 1; t < MAXT; t++) {
		const char *n = bk_kern_prog_type_name((uint32_t)t);
		if (!n)
			continue;
		char key[96];
		snprintf(key, sizeof(key), "%s_available_helpers", n);
		if (j) {
			bk_kj_key(j, key);
			bk_kj_arr(j);
		} else {
			bk_buf_printf(out, "eBPF helpers supported for program type %s:", n);
		}
		int any = 0;
		if (types[t] && bk_probe_prog_loads(t)) {
			for (int h = 1; h < NHELPER; h++) {
				if (!helper_names[h] || bk_probe_helper(t, h, NULL) != 1)
					continue;
				char hn[96];
				snprintf(hn, sizeof(hn), "bpf_%s", helper_names[h]);
				if (j)
					bk_kj_str(j, hn);
				else
					bk_buf_printf(out, "\n\t- %s", hn);
				any = 1;
			}
		}
		if (j)
			bk_kj_end_arr(j);
		else
			bk_buf_printf(out, "%s\n", any ? "" : "\n\t(none, or the type cannot be probed this way)");
	}
	int large = bk_probe_large_insn_limit(), loops = bk_probe_bounded_loops();
	int isa[5] = { 0 };
	for (int l = 2; l <= 4; l++)
		isa[l] = bk_probe_isa(l, NULL) == 1;
	if (j) {
		bk_kj_end_obj(j);
		bk_kj_key(j, "misc");
		bk_kj_obj(j);
		bk_kj_key(j, "have_large_insn_limit"); bk_kj_bool(j, large);
		bk_kj_key(j, "have_bounded_loops"); bk_kj_bool(j, loops);
		bk_kj_key(j, "have_v2_isa_extension"); bk_kj_bool(j, isa[2]);
		bk_kj_key(j, "have_v3_isa_extension"); bk_kj_bool(j, isa[3]);
		bk_kj_key(j, "have_v4_isa_extension"); bk_kj_bool(j, isa[4]);
		bk_kj_end_obj(j);
		bk_kj_end_obj(j);
		bk_buf_printf(out, "\n");
	} else {
		line(out, "\nScanning miscellaneous eBPF features...");
		bk_buf_printf(out, "Large program size limit is %savailable\n", large ? "" : "NOT ");
		bk_buf_printf(out, "Bounded loop support is %savailable\n", loops ? "" : "NOT ");
		for (int l = 2; l <= 4; l++)
			bk_buf_printf(out, "ISA extension v%d is %savailable\n", l, isa[l] ? "" : "NOT ");
	}
	return 0;
}

/* ---- statistics ------------------------------------------------------------------ */
int bk_kern_stats_fd(struct bk_err *err)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd < 0)
		return bk_err_set(err, -errno, "BPF_ENABLE_STATS: %s", strerror(errno));
	return fd;
}

int bk_kern_stats_sysctl(int on, struct bk_err *err)
{
	static const char path[] = "/proc/sys/kernel/bpf_stats_enabled";
	long long old;
	int r = read_sysctl(path, &old);
	if (r)
		return bk_err_set(err, r, "%s: %s", path, strerror(-r));
	if (on < 0)
		return (int)old;
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return bk_err_set(err, -errno, "%s: %s", path, strerror(errno));
	const char *v = on ? "1\n" : "0\n";
	ssize_t w = write(fd, v, 2);
	int e = errno;
	close(fd);
	if (w != 2)
		return bk_err_set(err, -e, "%s: %s", path, strerror(e));
	return (int)old;
}

static void stats_one(int fd, struct bk_kj *j, struct bk_buf *out)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	unsigned long long avg = info.run_cnt ? info.run_time_ns / info.run_cnt : 0;
	if (j) {
		bk_kj_obj(j);
		bk_kj_key(j, "id"); bk_kj_u64(j, info.id);
		bk_kj_key(j, "name"); bk_kj_str(j, info.name);
		bk_kj_key(j, "run_cnt"); bk_kj_u64(j, info.run_cnt);
		bk_kj_key(j, "run_time_ns"); bk_kj_u64(j, info.run_time_ns);
		bk_kj_key(j, "avg_ns"); bk_kj_u64(j, avg);
		bk_kj_end_obj(j);
	} else {
		bk_buf_printf(out, "%-8u %-16s %12llu %14llu %10llu\n", info.id, info.name,
			      (unsigned long long)info.run_cnt, (unsigned long long)info.run_time_ns, avg);
	}
}

int bk_kern_stats_show(const int *fds, int nfds, const struct bk_kern_fmt *fmt, struct bk_buf *out,
		       struct bk_err *err)
{
	struct bk_kj jw, *j = NULL;
	if (fmt && fmt->json) {
		bk_kj_init(&jw, out, fmt->pretty);
		j = &jw;
		bk_kj_arr(j);
	} else {
		bk_buf_printf(out, "%-8s %-16s %12s %14s %10s\n", "ID", "Name", "run_cnt", "run_time_ns", "avg_ns");
	}
	if (fds) {
		for (int i = 0; i < nfds; i++)
			stats_one(fds[i], j, out);
	} else {
		uint32_t id = 0;
		while (!bpf_prog_get_next_id(id, &id)) {
			int fd = bpf_prog_get_fd_by_id(id);
			if (fd < 0)
				continue;
			stats_one(fd, j, out);
			close(fd);
		}
	}
	if (j) {
		bk_kj_end_arr(j);
		bk_buf_printf(out, "\n");
	}
	return 0;
}
