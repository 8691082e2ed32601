/* --log-level 2 against the kernel's level-2 log: each "N: (op) insn ; registers" line the
 * kernel prints (the instruction, then the registers and stack slots it touched, aligned as
 * the kernel aligns them) must mostly appear verbatim in bpfkit's log, for a few corpus
 * programs and over the whole v3 corpus; so must the precision backtracking trace ("mark_precise: frame0: ..." lines,
 * P marks on precise scalars), the map names (map=NAME) and, on loops, the kernel's
 * SCC enter/exit lines (its loop numbering). A map's lddw line is compared without its
 * immediate (same_line): the kernel prints the map's kernel address there. Measured when loops were brought
 * closer (checkpoints where the kernel makes them, bpf_loop callback frames printed as
 * the kernel prints them): xdp_loops 540 -> 585 of 670 lines, xdp_bpf_loop 50 -> 117
 * of 159. */
#define _GNU_SOURCE
#include "tap.h"
#include "bpfkit/verifier.h"
#include "bpfkit/object.h"
#include "objwalk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if BK_HAVE_KERN
#include <bpf/libbpf.h>

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l; (void)f; (void)ap;
	return 0;
}

static int kernel_log(const char *file, const char *name, char *log, size_t n)
{
	struct bpf_object *obj = bpf_object__open_file(file, NULL);
	if (!obj)
		return -1;
	struct bpf_program *p;
	bool found = false;
	bpf_object__for_each_program(p, obj) {
		bool me = !strcmp(bpf_program__name(p), name);
		bpf_program__set_autoload(p, me);
		if (me) {
			found = true;
			bpf_program__set_log_buf(p, log, n);
			bpf_program__set_log_level(p, 2);
		}
	}
	log[0] = 0;
	int rc = found ? bpf_object__load(obj) : -1;
	bpf_object__close(obj);
	return rc;
}

static bool insn_line(const char *l, size_t len)
{
	size_t i = 0;
	while (i < len && l[i] >= '0' && l[i] <= '9')
		i++;
	return i > 0 && i + 2 < len && l[i] == ':' && l[i + 1] == ' ' && l[i + 2] == '(';
}

static bool precise_line(const char *l, size_t len)
{
	return len > 13 && !memcmp(l, "mark_precise:", 13);
}

static bool scc_line(const char *l, size_t len)
{
	return len > 4 && !memcmp(l, "SCC ", 4);
}

static bool map_line(const char *l, size_t len)
{
	return insn_line(l, len) && memmem(l, len, "map=", 4) && !memmem(l, len, "(18)", 4);
}

/* A line of the kernel's log and one of bpfkit's say the same. Verbatim, except for a
 * map's lddw: the kernel prints the map's kernel address as the immediate
 * ("r1 = 0xffff888100254c00"), which has no offline equivalent (bpfkit: "r1 = map[fd:0]"),
 * so there the instruction up to " = " and the state after ";" must be equal and the
 * immediate (and the spaces that align ';' after it) are left out. */
static bool same_line(const char *k, size_t kl, const char *b, size_t bl)
{
	if (kl == bl && !memcmp(k, b, kl))
		return true;
	const char *ke = memmem(k, kl, " = 0xffff", 9), *be = memmem(b, bl, " = map[", 7);
	if (!ke || !be || !memmem(k, kl, ": (18) r", 8) || ke - k != be - b || memcmp(k, b, (size_t)(ke - k)))
		return false;
	const char *ks = memmem(ke, kl - (size_t)(ke - k), ";", 1), *bs = memmem(be, bl - (size_t)(be - b), ";", 1);
	if (!ks || !bs)
		return !ks && !bs;
	return kl - (size_t)(ks - k) == bl - (size_t)(bs - b) && !memcmp(ks, bs, kl - (size_t)(ks - k));
}

/* How many of the kernel's lines of one kind appear among bpfkit's (same_line). */
static void compare_kind(const char *klog, const char *blog, bool (*kind)(const char *, size_t), int *total,
			 int *same)
{
	*total = *same = 0;
	for (const char *p = klog; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (kind(p, len)) {
			(*total)++;
			for (const char *q = blog; *q;) {
				const char *qn = strchr(q, '\n');
				size_t ql = qn ? (size_t)(qn - q) : strlen(q);
				if (same_line(p, len, q, ql)) {
					(*same)++;
					break;
				}
				q = qn ? qn + 1 : q + ql;
			}
		}
		p = nl ? nl + 1 : p + len;
	}
}

static void compare(const char *klog, const char *blog, int *total, int *same)
{
	compare_kind(klog, blog, insn_line, total, same);
}

/* bpfkit's level-2 log of program NAME of FILE into LOG (NUL-terminated): bk_verify's result,
 * -1 if there is no such program. */
static int bpfkit_log(const char *file, const char *name, struct bk_buf *log)
{
	struct bk_object *obj = NULL;
	struct bk_vprog *vp = NULL;
	size_t np = 0;
	int rc = -1;
	if (bk_object_open(file, &obj, NULL) == 0 && bk_vprogs_from_object(obj, &vp, &np, NULL) == 0)
		for (size_t k = 0; k < np; k++)
			if (!strcmp(vp[k].name, name)) {
				struct bk_verify_opts o = { .sz = sizeof o, .prog_type = vp[k].type, .maps = vp[k].maps,
							    .nmaps = vp[k].nmaps, .log_level = 2,
							    .btf_func_info = vp[k].btf_func_info,
							    .funcs = vp[k].funcs, .nfuncs = vp[k].nfuncs,
							    .map_spin_lock = vp[k].map_spin_lock };
				rc = bk_verify(vp[k].insns, vp[k].n, &o, log, NULL, NULL);
			}
	bk_buf_append(log, "", 1);
	bk_vprogs_free(vp, np);
	bk_object_free(obj);
	return rc;
}

/* Every program of the v3 corpus that the kernel accepts: the share of the kernel's
 * instruction lines found verbatim in bpfkit's log over all of them (the figure the README
 * gives). */
struct corpus_sum {
	char *klog;
	size_t kn;
	int total, same, progs, refused;
};

static void corpus_file(const struct objwalk_file *f, void *ctx)
{
	struct corpus_sum *cs = ctx;
	for (size_t k = 0; k < f->nprogs; k++) {
		if (kernel_log(f->path, f->progs[k].name, cs->klog, cs->kn) < 0) {
			cs->refused++;
			continue;
		}
		struct bk_buf log = { 0 };
		int t, s;
		if (bpfkit_log(f->path, f->progs[k].name, &log) == 0) {
			compare(cs->klog, (const char *)log.data, &t, &s);
			printf("# corpus v3 %s/%s: %d of %d\n", f->name, f->progs[k].name, s, t);
			cs->total += t;
			cs->same += s;
			cs->progs++;
		}
		bk_buf_free(&log);
	}
}

static void corpus(const char *build, char *klog, size_t kn)
{
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/corpus/v3", build);
	struct corpus_sum cs = { .klog = klog, .kn = kn };
	if (objwalk(dir, "verifier log level 2 corpus", OBJWALK_PROGS, corpus_file, &cs) < 0) {
		printf("skip verifier log level 2 corpus: %s not built\n", dir);
		return;
	}
	printf("# corpus v3: %d of the kernel's %d instruction lines identical (%.1f%%) over %d programs "
	       "the kernel accepts (%d it refuses left out)\n",
	       cs.same, cs.total, cs.total ? 100.0 * cs.same / cs.total : 0.0, cs.progs, cs.refused);
	CHECKF(cs.progs >= 20 && cs.same * 100 >= cs.total * 94,
	       "verifier log level 2 corpus v3: %d of the kernel's %d instruction lines identical over %d programs",
	       cs.same, cs.total, cs.progs);
}
#endif

int main(void)
{
#if !BK_HAVE_KERN
	printf("skip verifier log level 2: built without libbpf\n");
	return 0;
#else
	if (geteuid() != 0) {
		printf("skip verifier log level 2: needs root to load into the kernel\n");
		return 0;
	}
	const char *b = getenv("BK_BUILD");
	static const char *const progs[][2] = {
		{ "map_hash.o", "xdp_flows" }, { "xdp_ipv4.o", "xdp_ipv4" }, { "tc_classifier.o", "tc_classify" },
		{ "loops.o", "xdp_loops" }, { "bpf_loop.o", "xdp_bpf_loop" },
	};
	libbpf_set_print(quiet);
	size_t kn = 1 << 22;
	char *klog = malloc(kn);
	for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) {
		char f[4200];
		snprintf(f, sizeof f, "%s/corpus/v3/%s", b ? b : "build", progs[i][0]);
		if (access(f, R_OK)) {
			printf("skip verifier log level 2 %s: corpus not built\n", progs[i][0]);
			continue;
		}
		if (kernel_log(f, progs[i][1], klog, kn) < 0) {
			printf("skip verifier log level 2 %s: the kernel did not load it\n", progs[i][0]);
			continue;
		}
		struct bk_buf log = { 0 };
		int rc = bpfkit_log(f, progs[i][1], &log);
		int total, same;
		compare(klog, log.data ? (const char *)log.data : "", &total, &same);
		/* percent of the kernel's lines; bpf_loop callbacks: some pruning points differ */
		static const int want_pct[] = { 95, 95, 95, 98, 88 };
		int want = want_pct[i];
		CHECKF(rc == 0 && total > 20 && same * 100 >= total * want,
		       "verifier log level 2 %s/%s: %d of the kernel's %d instruction lines identical",
		       progs[i][0], progs[i][1], same, total);
		const char *bl = log.data ? (const char *)log.data : "";
		compare_kind(klog, bl, scc_line, &total, &same);
		if (i == 3)
			CHECKF(total > 0 && same == total,
			       "verifier log level 2 %s/%s: %d of the kernel's %d SCC enter/exit lines identical",
			       progs[i][0], progs[i][1], same, total);
		compare_kind(klog, bl, precise_line, &total, &same);
		if (i < 2)
			CHECKF(total > 0 && same == total,
			       "verifier log level 2 %s/%s: %d of the kernel's %d mark_precise lines identical",
			       progs[i][0], progs[i][1], same, total);
		else
			printf("# %s/%s: %d of the kernel's %d mark_precise lines identical\n", progs[i][0],
			       progs[i][1], same, total);
		compare_kind(klog, bl, map_line, &total, &same);
		if (i < 2)
			CHECKF(total > 0 && same * 10 >= total * 5,
			       "verifier log level 2 %s/%s: %d of the kernel's %d instruction lines with map=NAME identical",
			       progs[i][0], progs[i][1], same, total);
		bool kp = strstr(klog, "=P") != NULL, bp = strstr(bl, "=P") != NULL;
		if (kp)
			CHECKF(bp, "verifier log level 2 %s/%s: precise scalars marked P as the kernel marks them",
			       progs[i][0], progs[i][1]);
		bk_buf_free(&log);
	}
	corpus(b ? b : "build", klog, kn);
	free(klog);
	return 0;
#endif
}
