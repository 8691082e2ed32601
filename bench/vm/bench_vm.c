/* bench/vm: the programs of bench/progs (clang-19 objects, loaded through the bpfkit
 * loader) run by every engine we can put side by side, in one run:
 *   interp   the bpfkit interpreter (bk_prog_test_run with repeat, memory checks on)
 *   jit      the bpfkit JIT (bk_jit_attach; "n/a" when it refuses the program)
 *   kernel   the kernel's JIT (libbpf, BPF_PROG_TEST_RUN with repeat, the kernel's duration)
 *   dpdk     DPDK's rte_bpf interpreter (rte_bpf_exec; the stock validator refuses loops and
 *            32-bit jumps: those programs print "refused: reason")
 *   gcc/clang the same algorithm in C at -O2 (bench/progs/native.c, `native --time`)
 * Every engine runs the same bytecode on the same packet (the first of NAME.run) and must
 * return the value NAME.run expects. Times are the best of nine short measurements, in thread CPU
 * time for the userspace engines; ns per executed instruction divides by the interpreter's
 * executed-instruction count.
 *
 * usage: bench_vm OBJDIR PKTDIR RUNDIR [NATIVE_GCC NATIVE_CLANG]  (see run.sh); OBJDIR holds
 * v2/ and v3/ builds of bench/progs; every engine runs v3.
 * Not part of make check: timings vary with load. */
#define _GNU_SOURCE
#include "bpfkit/helpers.h"
#include "bpfkit/jit.h"
#include "bpfkit/loader.h"
#include "bpfkit/object.h"
#include "bpfkit/vm.h"
#include "../progs/host.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_DPDK
#include <rte_bpf.h>
#include <rte_errno.h>
#include <rte_log.h>
#endif

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NA (-1.0)
/* best of TRIALS short measurements: the minimum filters out the other users of the machine */
#define TRIALS 9

static const char *const names[] = { "csum", "sieve", "crc32", "sort", "alu", "parse", "hashmap" };

enum { E_INTERP, E_JIT, E_KERN, E_DPDK, E_GCC, E_CLANG, E__N };
static const char *const ename[E__N] = { "bpfkit interp", "bpfkit JIT", "kernel JIT",
					 "DPDK rte_bpf", "C gcc -O2", "C clang -O2" };

struct result {
	const char *name;
	uint64_t insns;
	bool dpdk_v2;              /* DPDK ran the cpu v2 build (no jmp32) */
	double ns[E__N];
	char why[E__N][160];
};

#define now bench_now

static size_t read_hex(const char *path, uint8_t *out, size_t cap)
{
	long n = bench_read_hex(path, out, cap);
	return n < 0 ? 0 : (size_t)n;
}

/* The first packet and expected value of NAME.run. */
static int read_run(const char *path, char *pkt, size_t pktsz, uint64_t *expect)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int have = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && have != 3) {
		line[strcspn(line, "\n")] = 0;
		if (!(have & 1) && !strncmp(line, "in pkt ", 7)) {
			snprintf(pkt, pktsz, "%s", line + 7);
			have |= 1;
		} else if (!(have & 2) && !strncmp(line, "expect retval ", 14)) {
			*expect = strtoull(line + 14, NULL, 0);
			have |= 2;
		}
	}
	fclose(f);
	return have == 3 ? 0 : -1;
}

static void setwhy(struct result *r, int e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void setwhy(struct result *r, int e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->why[e], sizeof(r->why[e]), fmt, ap);
	va_end(ap);
	r->ns[e] = NA;
}

/* ---- bpfkit: interpreter or JIT through bk_prog_test_run ---- */

static struct bk_prog *bk_load(struct bk_vm *vm, const char *obj_path, const char *prog_name,
			       struct bk_err *e)
{
	struct bk_object *obj;
	struct bk_loaded *lo;
	if (bk_object_open(obj_path, &obj, e))
		return NULL;
	struct bk_load_opts lopts = BK_OPTS_INIT(bk_load_opts, .prog = prog_name);
	int ret = bk_load_object(vm, obj, &lopts, &lo, e);
	bk_object_free(obj);
	if (ret)
		return NULL;
	struct bk_prog *p = bk_loaded_prog(lo, prog_name, e);
	bk_loaded_free(lo);
	/* as `bpfkit run` does: accesses the verifier proved run unchecked (BK_NO_PROOFS=1: not) */
	const char *np = getenv("BK_NO_PROOFS");
	if (p && !(np && *np == '1'))
		bk_prog_prove(p, NULL);
	return p;
}

static double bk_time(struct bk_prog *p, const uint8_t *pkt, size_t len, uint32_t repeat,
		      uint64_t expect, char *why, size_t whysz)
{
	double best = NA;
	for (int k = 0; k < TRIALS; k++) {
		struct bk_run_result res;
		struct bk_err e = { 0 };
		struct bk_run_opts ro = BK_OPTS_INIT(bk_run_opts, .data_in = pkt,
						     .data_size_in = len, .repeat = repeat);
		double t0 = now();
		if (bk_prog_test_run(p, &ro, &res, &e)) {
			snprintf(why, whysz, "error: %.140s", e.msg);
			return NA;
		}
		double t = (now() - t0) / repeat;
		if ((uint32_t)res.retval != (uint32_t)expect) {
			snprintf(why, whysz, "wrong result %llu", (unsigned long long)res.retval);
			bk_run_result_free(&res);
			return NA;
		}
		/* the whole test run (its setup is spread over `repeat` runs) in CPU time, not
		 * duration_ns: that is wall time, and an integer */
		if (best < 0 || t < best)
			best = t;
		bk_run_result_free(&res);
	}
	return best;
}

/* ---- the kernel's JIT ---- */

static double kern_time(int fd, const uint8_t *pkt, size_t len, uint32_t repeat, uint64_t expect,
			char *why, size_t whysz)
{
	double best = NA;
	for (int k = 0; k < TRIALS; k++) {
		uint8_t out[4096];
		LIBBPF_OPTS(bpf_test_run_opts, to, .data_in = pkt, .data_size_in = (uint32_t)len,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat);
		if (bpf_prog_test_run_opts(fd, &to)) {
			snprintf(why, whysz, "test run: %s", strerror(errno));
			return NA;
		}
		if (to.retval != (uint32_t)expect) {
			snprintf(why, whysz, "wrong result %u", to.retval);
			return NA;
		}
		if (best < 0 || to.duration < best)
			best = to.duration;
	}
	return best;
}

static double kern_obj(const char *obj_path, const char *prog_name, const uint8_t *pkt, size_t len,
		       uint32_t repeat, uint64_t expect, char *why, size_t whysz)
{
	struct bpf_object *o = bpf_object__open_file(obj_path, NULL);
	if (!o) {
		snprintf(why, whysz, "open: %s", strerror(errno));
		return NA;
	}
	double t = NA;
	struct bpf_program *p;
	if (bpf_object__load(o)) {
		snprintf(why, whysz, "load: %s", strerror(errno));
	} else if (!(p = bpf_object__find_program_by_name(o, prog_name))) {
		snprintf(why, whysz, "no program %s", prog_name);
	} else {
		t = kern_time(bpf_program__fd(p), pkt, len, repeat, expect, why, whysz);
	}
	bpf_object__close(o);
	return t;
}

/* ---- DPDK ---- */

#ifdef HAVE_DPDK
static char dpdk_log[4096];
static FILE *dpdk_logf;

/* The XDP programs read xdp_md->data and ->data_end as 32-bit fields and use them as
 * pointers (the kernel rewrites those loads; rte_bpf does not): the packet and a fake
 * xdp_md go below 4 GiB so the 32-bit values are the real addresses. */
static double dpdk_time(const struct bk_insn *insns, size_t n, const uint8_t *pkt, size_t len,
			uint64_t expect, double est_ns, char *why, size_t whysz)
{
	for (size_t i = 0; i < n; i++)
		if (insns[i].code == 0x18 && insns[i].src) {
			snprintf(why, whysz, "refused: insn %zu: map reference (rte_bpf has no maps)", i);
			return NA;
		}
	memset(dpdk_log, 0, sizeof(dpdk_log));
	rewind(dpdk_logf);
	struct rte_bpf_prm prm = {
		.ins = (const struct ebpf_insn *)insns,
		.nb_ins = (uint32_t)n,
		.prog_arg = { .type = RTE_BPF_ARG_PTR, .size = 24 },
	};
	struct rte_bpf *bpf = rte_bpf_load(&prm);
	if (!bpf) {
		fflush(dpdk_logf);
		char *l = dpdk_log, *last = dpdk_log;
		/* the first line that names the problem */
		for (char *s = strtok(l, "\n"); s; s = strtok(NULL, "\n"))
			if (strstr(s, "rror") || strstr(s, "loop") || strstr(s, "invalid") ||
			    strstr(s, "unsupported")) {
				last = s;
				break;
			}
		/* "validate(0x7ffc...) loops detected;": the address says nothing */
		char *c = strstr(last, "(0x");
		if (c && (c = strchr(c, ')')))
			last = c + 1 + strspn(c + 1, " ");
		snprintf(why, whysz, "refused: %.140s", last[0] ? last : strerror(rte_errno));
		why[strcspn(why, "\n")] = 0;
		return NA;
	}
	uint8_t *low = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
			    -1, 0);
	if (low == MAP_FAILED) {
		rte_bpf_destroy(bpf);
		snprintf(why, whysz, "no memory below 4 GiB");
		return NA;
	}
	uint8_t *data = low + 256;
	memcpy(data, pkt, len);
	uint32_t md[6] = { (uint32_t)(uintptr_t)data, (uint32_t)(uintptr_t)(data + len), (uint32_t)(uintptr_t)data, 1, 0, 0 };
	uint64_t rc = rte_bpf_exec(bpf, md);
	double best = NA;
	if ((uint32_t)rc != (uint32_t)expect) {
		snprintf(why, whysz, "wrong result %llu", (unsigned long long)rc);
	} else {
		long reps = est_ns > 0 ? (long)(1.5e7 / est_ns) : 100000;
		if (reps < 100)
			reps = 100;
		for (int k = 0; k < TRIALS; k++) {
			double t = BENCH_NS_PER_CALL(reps, rte_bpf_exec(bpf, md));
			if (best < 0 || t < best)
				best = t;
		}
	}
	munmap(low, 8192);
	rte_bpf_destroy(bpf);
	return best;
}
#endif

/* ---- native C ---- */

static double native_time(const char *native, const char *name, const char *pkt_path, long reps,
			  char *why, size_t whysz)
{
	if (!native || access(native, X_OK)) {
		snprintf(why, whysz, "not built");
		return NA;
	}
	double best = NA;
	for (int k = 0; k < TRIALS; k++) {
		char cmd[2048];
		snprintf(cmd, sizeof(cmd), "'%s' --time %s '%s' %ld", native, name, pkt_path, reps);
		FILE *p = popen(cmd, "r");
		double v = -1;
		if (!p || fscanf(p, "%lf", &v) != 1)
			v = -1;
		if (p)
			pclose(p);
		if (v < 0) {
			snprintf(why, whysz, "failed: %.140s", cmd);
			return NA;
		}
		if (best < 0 || v < best)
			best = v;
	}
	return best;
}

static void loadavg(char *buf, size_t n)
{
	FILE *f = fopen("/proc/loadavg", "r");
	buf[0] = 0;
	if (f) {
		if (!fgets(buf, (int)n, f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
}

static void cell(double v)
{
	if (v < 0)
		printf(" n/a |");
	else
		printf(" %.2f |", v);
}

int main(int argc, char **argv)
{
	if (argc != 4 && argc != 6) {
		fprintf(stderr, "usage: bench_vm OBJDIR PKTDIR RUNDIR [NATIVE_GCC NATIVE_CLANG]\n");
		return 2;
	}
	const char *objdir = argv[1], *pktdir = argv[2], *rundir = argv[3];
	const char *native[2] = { argc == 6 ? argv[4] : NULL, argc == 6 ? argv[5] : NULL };
	bool root = geteuid() == 0;
	char la[128];
	loadavg(la, sizeof(la));
	printf("load average at start: %s\n\n", la);
	libbpf_set_print(NULL);
#ifdef HAVE_DPDK
	dpdk_logf = fmemopen(dpdk_log, sizeof(dpdk_log) - 1, "w");
	rte_openlog_stream(dpdk_logf);
#endif

	struct bk_vm *vmi = bk_vm_new(NULL), *vmj = bk_vm_new(NULL);
	struct bk_err e = { 0 };
	if (!vmi || !vmj || bk_helpers_install(vmi, &e) || bk_helpers_install(vmj, &e)) {
		fprintf(stderr, "bench_vm: vm: %s\n", e.msg);
		return 1;
	}
	struct result res[N(names) + 1];
	memset(res, 0, sizeof(res));
	for (size_t b = 0; b < N(names); b++) {
		struct result *r = &res[b];
		char obj[1024], run[1024], pkt_name[256], pkt_path[1024], prog_name[64];
		uint64_t expect = 0;
		static uint8_t pkt[4096];
		r->name = names[b];
		snprintf(obj, sizeof(obj), "%s/v3/%s.o", objdir, names[b]);
		snprintf(run, sizeof(run), "%s/%s.run", rundir, names[b]);
		snprintf(prog_name, sizeof(prog_name), "bench_%s", names[b]);
		if (read_run(run, pkt_name, sizeof(pkt_name), &expect)) {
			fprintf(stderr, "bench_vm: %s: no packet or expected value\n", run);
			return 1;
		}
		snprintf(pkt_path, sizeof(pkt_path), "%s/%s.hex", pktdir, pkt_name);
		size_t len = read_hex(pkt_path, pkt, sizeof(pkt));
		struct bk_prog *pi = bk_load(vmi, obj, prog_name, &e);
		if (!pi || !len) {
			fprintf(stderr, "bench_vm: %s: %s\n", obj, len ? e.msg : "no packet");
			return 1;
		}
		/* the executed-instruction count, and the check that we compute the right thing */
		struct bk_run_result rr;
		struct bk_run_opts co = BK_OPTS_INIT(bk_run_opts, .data_in = pkt, .data_size_in = len,
						     .count_insns = true);
		if (bk_prog_test_run(pi, &co, &rr, &e)) {
			fprintf(stderr, "bench_vm: %s: %s\n", names[b], e.msg);
			return 1;
		}
		r->insns = rr.stats.insns;
		bk_run_result_free(&rr);
		/* about 15 ms per measurement at 1 ns per instruction */
		uint32_t repeat = (uint32_t)(1.5e7 / (double)r->insns);
		if (repeat < 50)
			repeat = 50;
		r->ns[E_INTERP] = bk_time(pi, pkt, len, repeat, expect, r->why[E_INTERP],
					  sizeof(r->why[E_INTERP]));

		struct bk_prog *pj = bk_load(vmj, obj, prog_name, &e);
		if (!pj)
			setwhy(r, E_JIT, "load: %s", e.msg);
		else if (!bk_jit_supported())
			setwhy(r, E_JIT, "no JIT on this machine");
		else if (bk_jit_attach(pj, NULL, &e))
			setwhy(r, E_JIT, "refused: %s", e.msg);
		else
			r->ns[E_JIT] = bk_time(pj, pkt, len, repeat, expect, r->why[E_JIT],
					       sizeof(r->why[E_JIT]));

		if (!root)
			setwhy(r, E_KERN, "needs root");
		else
			r->ns[E_KERN] = kern_obj(obj, prog_name, pkt, len, repeat, expect,
						 r->why[E_KERN], sizeof(r->why[E_KERN]));
#ifdef HAVE_DPDK
		size_t n;
		const struct bk_insn *ins = bk_prog_insns(pi, &n);
		r->ns[E_DPDK] = dpdk_time(ins, n, pkt, len, expect, r->ns[E_INTERP], r->why[E_DPDK],
					  sizeof(r->why[E_DPDK]));
		/* The stock rte_bpf knows no jmp32 (cpu v3): give it the v2 build of the same
		 * source, marked as such, when that is all it lacks. */
		char obj2[1024];
		struct bk_prog *p2;
		snprintf(obj2, sizeof(obj2), "%s/v2/%s.o", objdir, names[b]);
		if (r->ns[E_DPDK] < 0 && strstr(r->why[E_DPDK], "invalid opcode") &&
		    (p2 = bk_load(vmi, obj2, prog_name, &e))) {
			char why2[160];
			ins = bk_prog_insns(p2, &n);
			double v = dpdk_time(ins, n, pkt, len, expect, r->ns[E_INTERP], why2, sizeof(why2));
			if (v >= 0) {
				r->ns[E_DPDK] = v;
				r->dpdk_v2 = true;
			} else {
				size_t l = strlen(r->why[E_DPDK]);
				snprintf(r->why[E_DPDK] + l, sizeof(r->why[E_DPDK]) - l, "; v2 %.60s", why2);
			}
		}
#else
		setwhy(r, E_DPDK, "built without DPDK (dpdk-dev)");
#endif
		long reps = r->ns[E_KERN] > 0 ? (long)(1.5e7 / r->ns[E_KERN]) : 10000;
		for (int c = 0; c < 2; c++)
			r->ns[E_GCC + c] = native_time(native[c], names[b], pkt_path, reps < 10 ? 10 : reps,
						       r->why[E_GCC + c], sizeof(r->why[E_GCC + c]));
		fprintf(stderr, "bench_vm: %s done\n", names[b]);
	}

	/* the per-call cost: r0 = XDP_PASS */
	struct result *t = &res[N(names)];
	t->name = "trivial (per call)";
	t->insns = 2;
	{
		static const struct bk_insn triv[] = {
			{ .code = 0xb7, .imm = 2 }, { .code = 0x95 },
		};
		uint8_t pkt[64] = { 0 };
		pkt[12] = 0x08;
		struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .type = BK_PROG_XDP, .name = "trivial");
		struct bk_prog *pi, *pj;
		const uint32_t rep = 500000;
		if (bk_vm_load(vmi, triv, 2, &po, &pi, &e) || bk_vm_load(vmj, triv, 2, &po, &pj, &e)) {
			fprintf(stderr, "bench_vm: trivial: %s\n", e.msg);
			return 1;
		}
		t->ns[E_INTERP] = bk_time(pi, pkt, sizeof(pkt), rep, 2, t->why[E_INTERP], 160);
		if (bk_jit_supported() && !bk_jit_attach(pj, NULL, &e))
			t->ns[E_JIT] = bk_time(pj, pkt, sizeof(pkt), rep, 2, t->why[E_JIT], 160);
		else
			setwhy(t, E_JIT, "refused");
		if (root) {
			int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "bk_trivial", "GPL",
					       (const struct bpf_insn *)triv, 2, NULL);
			if (fd >= 0) {
				t->ns[E_KERN] = kern_time(fd, pkt, sizeof(pkt), rep, 2, t->why[E_KERN], 160);
				close(fd);
			} else {
				setwhy(t, E_KERN, "load: %s", strerror(errno));
			}
		} else {
			setwhy(t, E_KERN, "needs root");
		}
#ifdef HAVE_DPDK
		t->ns[E_DPDK] = dpdk_time(triv, 2, pkt, sizeof(pkt), 2, 1, t->why[E_DPDK], 160);
#else
		setwhy(t, E_DPDK, "built without DPDK");
#endif
		setwhy(t, E_GCC, "-");
		setwhy(t, E_CLANG, "-");
	}

	/* ns per execution */
	printf("ns per execution (best of %d); in brackets: ratio to the kernel JIT\n\n", TRIALS);
	printf("| program | insns/run |");
	for (int k = 0; k < E__N; k++)
		printf(" %s |", ename[k]);
	printf("\n|---|---:|");
	for (int k = 0; k < E__N; k++)
		printf("---:|");
	printf("\n");
	double lsum[E__N] = { 0 };
	int lcnt[E__N] = { 0 };
	for (size_t b = 0; b <= N(names); b++) {
		struct result *r = &res[b];
		printf("| %s | %llu |", r->name, (unsigned long long)r->insns);
		for (int k = 0; k < E__N; k++) {
			if (r->ns[k] < 0) {
				printf(" n/a |");
				continue;
			}
			double kj = r->ns[E_KERN];
			const char *mark = k == E_DPDK && r->dpdk_v2 ? " [v2]" : "";
			/* the per-call row is a few ns: one decimal */
			int dec = b == N(names);
			if (kj > 0)
				printf(" %.*f (%.2fx)%s |", dec, r->ns[k], r->ns[k] / kj, mark);
			else
				printf(" %.*f |", dec, r->ns[k]);
			if (b < N(names) && kj > 0) {
				lsum[k] += log(r->ns[k] / kj);
				lcnt[k]++;
			}
		}
		printf("\n");
	}
	printf("| **geomean ratio to the kernel JIT** | |");
	for (int k = 0; k < E__N; k++) {
		if (lcnt[k])
			printf(" %.2fx (%d progs) |", exp(lsum[k] / lcnt[k]), lcnt[k]);
		else
			printf(" n/a |");
	}
	printf("\n\n[v2]: DPDK refuses jmp32, so it ran the cpu v2 build of the program\n");
	printf("\nns per executed instruction (the interpreter's count of the same bytecode)\n\n");
	printf("| program |");
	for (int k = 0; k < E_GCC; k++)
		printf(" %s |", ename[k]);
	printf("\n|---|");
	for (int k = 0; k < E_GCC; k++)
		printf("---:|");
	printf("\n");
	for (size_t b = 0; b < N(names); b++) {
		printf("| %s |", res[b].name);
		for (int k = 0; k < E_GCC; k++)
			cell(res[b].ns[k] < 0 ? NA : res[b].ns[k] / (double)res[b].insns);
		printf("\n");
	}
	printf("\nnot measured:\n");
	for (size_t b = 0; b <= N(names); b++)
		for (int k = 0; k < E__N; k++)
			if (res[b].ns[k] < 0 && strcmp(res[b].why[k], "-"))
				printf("  %s / %s: %s\n", res[b].name, ename[k], res[b].why[k]);
	loadavg(la, sizeof(la));
	printf("\nload average at end: %s\n", la);
	bk_vm_free(vmi);
	bk_vm_free(vmj);
	return 0;
}
