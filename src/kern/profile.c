/* prog profile: what bpftool does with its profiler skeleton. An fentry and an
 * fexit program on the target read one perf counter per metric (a perf event
 * array per metric, one event per CPU) with bpf_perf_event_read_value, and the
 * fexit side adds the difference into per-CPU sums and counts the runs. The two
 * programs are generated here, instruction by instruction, for the metrics asked
 * for (no clang at run time, no object file to find). */
#define _GNU_SOURCE
#include "kj.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static const struct metric {
	const char *name;
	uint32_t type;
	uint64_t config;
	int ratio_of;          /* 1 + the metric it is a ratio of, 0: none */
	const char *ratio_desc;
	double ratio_mul;
} metrics[] = {
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, 0, NULL, 0 },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, 1, "insns per cycle", 1.0 },
	{ "l1d_loads", PERF_TYPE_HW_CACHE, PERF_COUNT_HW_CACHE_L1D | (PERF_COUNT_HW_CACHE_OP_READ << 8) |
		(PERF_COUNT_HW_CACHE_RESULT_ACCESS << 16), 0, NULL, 0 },
	{ "llc_misses", PERF_TYPE_HW_CACHE, PERF_COUNT_HW_CACHE_LL | (PERF_COUNT_HW_CACHE_OP_READ << 8) |
		(PERF_COUNT_HW_CACHE_RESULT_MISS << 16), 2, "LLC misses per million insns", 1e6 },
	{ "itlb_misses", PERF_TYPE_HW_CACHE, PERF_COUNT_HW_CACHE_ITLB | (PERF_COUNT_HW_CACHE_OP_READ << 8) |
		(PERF_COUNT_HW_CACHE_RESULT_MISS << 16), 2, "itlb misses per million insns", 1e6 },
	{ "dtlb_misses", PERF_TYPE_HW_CACHE, PERF_COUNT_HW_CACHE_DTLB | (PERF_COUNT_HW_CACHE_OP_READ << 8) |
		(PERF_COUNT_HW_CACHE_RESULT_MISS << 16), 2, "dtlb misses per million insns", 1e6 },
	/* bpfkit's addition: a software counter (nanoseconds) that VMs without a PMU have too. */
	{ "cpu_clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, 0, NULL, 0 },
};
#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))

int bk_kern_profile_metric(const char *name)
{
	for (size_t i = 0; i < NMETRICS; i++)
		if (!strcmp(metrics[i].name, name))
			return (int)i;
	return -1;
}

/* ---- the two programs ------------------------------------------------------ */
struct prog {
	struct bpf_insn v[512];
	int n;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (p->n < (int)(sizeof(p->v) / sizeof(p->v[0])))
		p->v[p->n] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
	p->n++;
}

static void ld_map(struct prog *p, uint8_t dst, int fd)
{
	emit(p, BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd);
	emit(p, 0, 0, 0, 0, 0);
}

#define MOV64_IMM(d, i)   emit(p, BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV32_IMM(d, i)   emit(p, BPF_ALU | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s)   emit(p, BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD64_IMM(d, i)   emit(p, BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ADD64_REG(d, s)   emit(p, BPF_ALU64 | BPF_ADD | BPF_X, d, s, 0, 0)
#define SUB64_REG(d, s)   emit(p, BPF_ALU64 | BPF_SUB | BPF_X, d, s, 0, 0)
#define LDX64(d, s, o)    emit(p, BPF_LDX | BPF_MEM | BPF_DW, d, s, o, 0)
#define STX64(d, s, o)    emit(p, BPF_STX | BPF_MEM | BPF_DW, d, s, o, 0)
#define ST32(d, o, i)     emit(p, BPF_ST | BPF_MEM | BPF_W, d, 0, o, i)
#define CALL(h)           emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, h)
#define EXIT()            emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
/* A forward jump whose target is set by land(). */
#define JNE0(r)           (emit(p, BPF_JMP | BPF_JNE | BPF_K, r, 0, 0, 0), p->n - 1)
#define JEQ0(r)           (emit(p, BPF_JMP | BPF_JEQ | BPF_K, r, 0, 0, 0), p->n - 1)
static void land(struct prog *p, int at)
{
	if (at < (int)(sizeof(p->v) / sizeof(p->v[0])))
		p->v[at].off = (int16_t)(p->n - at - 1);
}

/* Stack: the reading (struct bpf_perf_event_value, 24 bytes) at fp-24, the key at fp-32. */
static void read_counter(struct prog *p, int events_fd)
{
	ld_map(p, BPF_REG_1, events_fd);
	MOV32_IMM(BPF_REG_2, -1);                 /* BPF_F_CURRENT_CPU */
	MOV64_REG(BPF_REG_3, BPF_REG_10);
	ADD64_IMM(BPF_REG_3, -24);
	MOV64_IMM(BPF_REG_4, 24);
	CALL(BPF_FUNC_perf_event_read_value);
}

static void lookup(struct prog *p, int map_fd, int key)
{
	ST32(BPF_REG_10, -32, key);
	ld_map(p, BPF_REG_1, map_fd);
	MOV64_REG(BPF_REG_2, BPF_REG_10);
	ADD64_IMM(BPF_REG_2, -32);
	CALL(BPF_FUNC_map_lookup_elem);
}

static void gen_fentry(struct prog *p, const int *events, int n, int before)
{
	for (int i = 0; i < n; i++) {
		read_counter(p, events[i]);
		int j1 = JNE0(BPF_REG_0);
		lookup(p, before, i);
		int j2 = JEQ0(BPF_REG_0);
		for (int off = 0; off < 24; off += 8) {
			LDX64(BPF_REG_1, BPF_REG_10, (int16_t)(-24 + off));
			STX64(BPF_REG_0, BPF_REG_1, (int16_t)off);
		}
		land(p, j1);
		land(p, j2);
	}
	MOV64_IMM(BPF_REG_0, 0);
	EXIT();
}

static void gen_fexit(struct prog *p, const int *events, int n, int before, int accum, int counts)
{
	lookup(p, counts, 0);
	int j0 = JEQ0(BPF_REG_0);
	LDX64(BPF_REG_1, BPF_REG_0, 0);
	ADD64_IMM(BPF_REG_1, 1);
	STX64(BPF_REG_0, BPF_REG_1, 0);
	land(p, j0);
	for (int i = 0; i < n; i++) {
		read_counter(p, events[i]);
		int j1 = JNE0(BPF_REG_0);
		lookup(p, before, i);
		int j2 = JEQ0(BPF_REG_0);
		MOV64_REG(BPF_REG_6, BPF_REG_0);
		lookup(p, accum, i);
		int j3 = JEQ0(BPF_REG_0);
		for (int off = 0; off < 24; off += 8) {
			LDX64(BPF_REG_1, BPF_REG_10, (int16_t)(-24 + off));
			LDX64(BPF_REG_2, BPF_REG_6, (int16_t)off);
			SUB64_REG(BPF_REG_1, BPF_REG_2);
			LDX64(BPF_REG_3, BPF_REG_0, (int16_t)off);
			ADD64_REG(BPF_REG_3, BPF_REG_1);
			STX64(BPF_REG_0, BPF_REG_3, (int16_t)off);
		}
		land(p, j1);
		land(p, j2);
		land(p, j3);
	}
	MOV64_IMM(BPF_REG_0, 0);
	EXIT();
}

/* ---- setting up, waiting, reading ------------------------------------------- */
struct state {
	int ncpus, n;
	int *pfds;              /* n * ncpus perf events */
	int events[NMETRICS], before, accum, counts;
	int progs[2], links[2];
};

static void teardown(struct state *s)
{
	for (int i = 0; i < 2; i++) {
		if (s->links[i] >= 0)
			close(s->links[i]);
		if (s->progs[i] >= 0)
			close(s->progs[i]);
	}
	for (int i = 0; i < s->n; i++)
		if (s->events[i] >= 0)
			close(s->events[i]);
	if (s->before >= 0)
		close(s->before);
	if (s->accum >= 0)
		close(s->accum);
	if (s->counts >= 0)
		close(s->counts);
	for (int i = 0; s->pfds && i < s->n * s->ncpus; i++)
		if (s->pfds[i] >= 0)
			close(s->pfds[i]);
	free(s->pfds);
}

/* The BTF id of the target's main function, which fentry/fexit attach to. */
static int target_func(int fd, uint32_t *btf_id, char *name, size_t nlen, struct bk_err *err)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return bk_err_set(err, -errno, "can't read the program: %s", strerror(errno));
	snprintf(name, nlen, "%s", info.name);
	if (!info.btf_id || !info.nr_func_info)
		return bk_err_set(err, -EINVAL, "program %u (%s) has no BTF: fentry/fexit need its function's type "
				  "(build it with -g)", info.id, info.name);
	struct bpf_func_info fi;
	memset(&info, 0, sizeof(info));
	info.nr_func_info = 1;
	info.func_info_rec_size = sizeof(fi);
	info.func_info = (uint64_t)(uintptr_t)&fi;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return bk_err_set(err, -errno, "can't read the program's BTF: %s", strerror(errno));
	*btf_id = fi.type_id;
	return 0;
}

static int load_tracing(struct prog *p, const char *name, enum bpf_attach_type at, int target, uint32_t btf_id,
			const char *target_name, int selftest, struct bk_err *err)
{
	if (selftest) {
		/* The same code as a raw tracepoint program: loadable and test-runnable
		 * where the kernel takes no tracing programs. */
		target = 0;
		btf_id = 0;
		at = 0;
	}
	if (p->n > (int)(sizeof(p->v) / sizeof(p->v[0])))
		return bk_err_set(err, -E2BIG, "profiler program too long");
	static char log[65536];
	log[0] = 0;
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = at, .attach_prog_fd = (uint32_t)target,
		    .attach_btf_id = btf_id, .log_buf = log, .log_size = sizeof(log), .log_level = 1);
	int fd = bpf_prog_load(selftest ? BPF_PROG_TYPE_RAW_TRACEPOINT : BPF_PROG_TYPE_TRACING, name, "GPL", p->v,
			       (size_t)p->n, &o);
	if (fd < 0) {
		int e = errno;
		char *last = log + strlen(log);
		while (last > log && last[-1] == '\n')
			*--last = 0;
		char *nl = strrchr(log, '\n');
		/* EPERM before any verifier output: the kernel takes no tracing programs at
		 * all (no trampolines: some VM kernels; feature probe shows "tracing" missing). */
		return bk_err_set(err, -e, "the kernel refused the %s program (fentry/fexit on '%s'): %s%s%s%s",
				  name, target_name, strerror(e), log[0] ? ": " : "", nl ? nl + 1 : log,
				  e == EPERM && !log[0] ? " (this kernel takes no fentry/fexit tracing programs)" : "");
	}
	return fd;
}

static int map(enum bpf_map_type t, const char *name, uint32_t ks, uint32_t vs, uint32_t n, struct bk_err *err)
{
	int fd = bpf_map_create(t, name, ks, vs, n, NULL);
	if (fd < 0)
		return bk_err_set(err, -errno, "can't create the %s map: %s", name, strerror(errno));
	return fd;
}

int bk_kern_profile(int target, const struct bk_kern_profile_opts *opts, struct bk_kern_profile_result *res,
		    struct bk_err *err)
{
	const int *want = BK_OPTS_GET(opts, metrics, NULL);
	size_t nwant = BK_OPTS_GET(opts, nmetrics, 0);
	unsigned duration_ms = BK_OPTS_GET(opts, duration_ms, 0);
	volatile int *stopp = BK_OPTS_GET(opts, stop, NULL);
	void (*during)(void *) = BK_OPTS_GET(opts, during, NULL);
	void *ctx = BK_OPTS_GET(opts, ctx, NULL);
	unsigned selftest = BK_OPTS_GET(opts, selftest, 0);
	struct state s;
	int r;

	memset(res, 0, sizeof(*res));
	memset(&s, 0, sizeof(s));
	s.before = s.accum = s.counts = -1;
	s.progs[0] = s.progs[1] = s.links[0] = s.links[1] = -1;
	for (size_t i = 0; i < NMETRICS; i++)
		s.events[i] = -1;
	if (nwant > NMETRICS)
		return bk_err_set(err, -EINVAL, "at most %zu metrics", (size_t)NMETRICS);
	for (size_t i = 0; i < nwant; i++)
		if (want[i] < 0 || want[i] >= (int)NMETRICS)
			return bk_err_set(err, -EINVAL, "unknown metric %d", want[i]);
	uint32_t btf_id = 0;
	char tname[BPF_OBJ_NAME_LEN];
	if ((r = target_func(target, &btf_id, tname, sizeof(tname), err)) < 0)
		return r;

	s.n = (int)nwant;
	s.ncpus = libbpf_num_possible_cpus();
	if (s.ncpus < 1)
		return bk_err_set(err, -EINVAL, "can't tell how many CPUs there are");
	s.pfds = malloc(sizeof(int) * (size_t)(s.n * s.ncpus + 1));
	if (!s.pfds)
		return bk_err_set(err, -ENOMEM, "out of memory");
	for (int i = 0; i < s.n * s.ncpus; i++)
		s.pfds[i] = -1;
	/* The counters first: where the machine has none, nothing else gets made. */
	for (int i = 0; i < s.n; i++) {
		const struct metric *m = &metrics[want[i]];
		for (int c = 0; c < s.ncpus; c++) {
			struct perf_event_attr a;
			memset(&a, 0, sizeof(a));
			a.size = sizeof(a);
			a.type = m->type;
			a.config = m->config;
			a.exclude_user = 1;
			int fd = (int)syscall(__NR_perf_event_open, &a, -1, c, -1, PERF_FLAG_FD_CLOEXEC);
			if (fd < 0) {
				int e = errno;
				if (e == ENODEV && c > 0)
					continue;   /* a possible CPU that is not online */
				r = bk_err_set(err, -e, "the kernel refused the %s counter on CPU %d: perf_event_open: %s%s",
					       m->name, c, strerror(e),
					       (e == ENOENT || e == EOPNOTSUPP) && m->type != PERF_TYPE_SOFTWARE
					       ? " (this machine has no hardware performance counters, as in many VMs)" : "");
				goto out;
			}
			s.pfds[i * s.ncpus + c] = fd;
		}
	}
	for (int i = 0; i < s.n; i++) {
		if ((s.events[i] = map(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "bk_events", 4, 4, (uint32_t)s.ncpus, err)) < 0) {
			r = s.events[i];
			goto out;
		}
		for (int c = 0; c < s.ncpus; c++) {
			uint32_t k = (uint32_t)c;
			if (s.pfds[i * s.ncpus + c] < 0)
				continue;
			if (bpf_map_update_elem(s.events[i], &k, &s.pfds[i * s.ncpus + c], BPF_ANY)) {
				r = bk_err_set(err, -errno, "can't put the %s counter of CPU %d in its map: %s",
					       metrics[want[i]].name, c, strerror(errno));
				goto out;
			}
		}
	}
	uint32_t nm = s.n ? (uint32_t)s.n : 1;
	if ((s.before = r = map(BPF_MAP_TYPE_PERCPU_ARRAY, "bk_fentry_read", 4, 24, nm, err)) < 0 ||
	    (s.accum = r = map(BPF_MAP_TYPE_PERCPU_ARRAY, "bk_accum_read", 4, 24, nm, err)) < 0 ||
	    (s.counts = r = map(BPF_MAP_TYPE_PERCPU_ARRAY, "bk_counts", 4, 8, 1, err)) < 0)
		goto out;
	static struct prog pe, px;
	memset(&pe, 0, sizeof(pe));
	memset(&px, 0, sizeof(px));
	gen_fentry(&pe, s.events, s.n, s.before);
	gen_fexit(&px, s.events, s.n, s.before, s.accum, s.counts);
	if ((s.progs[0] = r = load_tracing(&pe, "bk_fentry", BPF_TRACE_FENTRY, target, btf_id, tname, selftest, err)) < 0 ||
	    (s.progs[1] = r = load_tracing(&px, "bk_fexit", BPF_TRACE_FEXIT, target, btf_id, tname, selftest, err)) < 0)
		goto out;
	if (selftest) {
		for (unsigned k = 0; k < selftest; k++)
			for (int i = 0; i < 2; i++) {
				LIBBPF_OPTS(bpf_test_run_opts, t);
				if (bpf_prog_test_run_opts(s.progs[i], &t)) {
					r = bk_err_set(err, -errno, "test run of %s: %s", i ? "bk_fexit" : "bk_fentry",
						       strerror(errno));
					goto out;
				}
			}
		duration_ms = 0;
		stopp = NULL;
	}
	for (int i = 0; i < 2 && !selftest; i++) {
		s.links[i] = bpf_raw_tracepoint_open(NULL, s.progs[i]);
		if (s.links[i] < 0) {
			r = bk_err_set(err, -errno, "can't attach %s to program '%s': %s", i ? "fexit" : "fentry", tname,
				       strerror(errno));
			goto out;
		}
	}

	if (during && !selftest)
		during(ctx);
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!(stopp && *stopp)) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		int64_t el = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (duration_ms && el >= duration_ms)
			break;
		if (!duration_ms && !stopp)
			break;   /* neither a time nor a way to stop: read at once */
		struct timespec nap = { 0, 20 * 1000000 };
		nanosleep(&nap, NULL);
	}
	/* Detach before reading, so the sums do not move while they are added up. */
	for (int i = 1; i >= 0; i--) {
		if (s.links[i] >= 0)
			close(s.links[i]);
		s.links[i] = -1;
	}

	uint64_t *vals = calloc((size_t)s.ncpus * 3, sizeof(uint64_t));
	if (!vals) {
		r = bk_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	uint32_t k0 = 0;
	if (!bpf_map_lookup_elem(s.counts, &k0, vals))
		for (int c = 0; c < s.ncpus; c++)
			res->run_cnt += vals[c];
	for (int i = 0; i < s.n; i++) {
		uint32_t k = (uint32_t)i;
		res->m[i].metric = want[i];
		res->m[i].name = metrics[want[i]].name;
		if (bpf_map_lookup_elem(s.accum, &k, vals))
			continue;
		for (int c = 0; c < s.ncpus; c++) {
			res->m[i].count += vals[c * 3];
			res->m[i].enabled += vals[c * 3 + 1];
			res->m[i].running += vals[c * 3 + 2];
		}
	}
	res->n = (size_t)s.n;
	free(vals);
	r = 0;
out:
	teardown(&s);
	return r;
}

void bk_kern_profile_render(const struct bk_kern_profile_result *res, const struct bk_kern_fmt *fmt,
			    struct bk_buf *out)
{
	if (fmt && fmt->json) {
		struct bk_kj j;
		bk_kj_init(&j, out, fmt->pretty);
		bk_kj_obj(&j);
		bk_kj_key(&j, "run_cnt"); bk_kj_u64(&j, res->run_cnt);
		bk_kj_key(&j, "metrics");
		bk_kj_arr(&j);
		for (size_t i = 0; i < res->n; i++) {
			bk_kj_obj(&j);
			bk_kj_key(&j, "name"); bk_kj_str(&j, res->m[i].name);
			bk_kj_key(&j, "count"); bk_kj_u64(&j, res->m[i].count);
			bk_kj_key(&j, "enabled"); bk_kj_u64(&j, res->m[i].enabled);
			bk_kj_key(&j, "running"); bk_kj_u64(&j, res->m[i].running);
			bk_kj_end_obj(&j);
		}
		bk_kj_end_arr(&j);
		bk_kj_end_obj(&j);
		bk_buf_printf(out, "\n");
		return;
	}
	bk_buf_printf(out, "\n%18llu %-20s\n", (unsigned long long)res->run_cnt, "run_cnt");
	for (size_t i = 0; i < res->n; i++) {
		const struct metric *m = &metrics[res->m[i].metric];
		bk_buf_printf(out, "%18llu %-20s", (unsigned long long)res->m[i].count, m->name);
		const struct bk_kern_profile_reading *base = NULL;
		for (size_t k = 0; m->ratio_of && k < res->n; k++)
			if (res->m[k].metric == m->ratio_of - 1)
				base = &res->m[k];
		if (base && base->count)
			bk_buf_printf(out, "# %8.2f %-30s", m->ratio_mul * (double)res->m[i].count / (double)base->count,
				      m->ratio_desc);
		else
			bk_buf_printf(out, "%-41s", "");
		if (res->m[i].enabled > res->m[i].running && res->m[i].enabled)
			bk_buf_printf(out, "(%4.2f%%)", (double)res->m[i].running / (double)res->m[i].enabled * 100.0);
		bk_buf_printf(out, "\n");
	}
}
