/* The C corpus (tests/corpus C files built at -mcpu=v1..v4) verified by bpfkit and by the
 * kernel (through libbpf): every program must get the same verdict. Also reports the
 * processed-instruction counts of both (bench/verify has the timing). */
#include "tap.h"
#include "objwalk.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>

#if BK_HAVE_KERN
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

/* libbpf says "prog 'NAME': failed to load" when the kernel refused the program; any
 * other failure (a prog-array slot it could not fill, ...) is not the verifier's. */
static char want_name[256];
static bool prog_failed;

static int silent(enum libbpf_print_level l, const char *f, va_list ap)
{
	char buf[1024];
	(void)l;
	vsnprintf(buf, sizeof buf, f, ap);
	char pat[300];
	snprintf(pat, sizeof pat, "prog '%s': failed to load", want_name);
	if (strstr(buf, pat))
		prog_failed = true;
	return 0;
}

/* Kernel verdict of program NAME in FILE: 1 accepted, 0 rejected, -1 could not try. */
static int kernel_verdict(const char *file, const char *name, unsigned *processed)
{
	struct bpf_object *obj = bpf_object__open_file(file, NULL);
	if (!obj)
		return -1;
	struct bpf_program *p, *want = NULL;
	static char log[1 << 20];
	bpf_object__for_each_program(p, obj) {
		if (!strcmp(bpf_program__name(p), name)) {
			want = p;
			bpf_program__set_autoload(p, true);
			bpf_program__set_log_buf(p, log, sizeof log);
			bpf_program__set_log_level(p, 4);
		} else {
			bpf_program__set_autoload(p, false);
		}
	}
	if (!want) {
		bpf_object__close(obj);
		return -1;
	}
	log[0] = 0;
	snprintf(want_name, sizeof want_name, "%s", name);
	prog_failed = false;
	int rc = bpf_object__load(obj);
	const char *pr = strstr(log, "processed ");
	*processed = pr ? (unsigned)strtoul(pr + 10, NULL, 10) : 0;
	bpf_object__close(obj);
	if (rc && !pr)
		return -1; /* failed before verification (maps, BTF): not a verdict */
	return !prog_failed;
}
#endif

struct corpus_walk {
	int cpu;
	bool kern;
	int total, agree, tried;
};

static void check_corpus(const struct objwalk_file *f, void *ctx)
{
	struct corpus_walk *w = ctx;
	int cpu = w->cpu;
	for (size_t i = 0; i < f->nprogs; i++) {
		struct bk_vprog *p = &f->progs[i];
		struct bk_verify_opts o = objwalk_opts(p);
		struct bk_verify_result r;
		int rc = bk_verify(p->insns, p->n, &o, NULL, &r, NULL);
		bk_verify_result_free(&r);
		bool expect_reject = !strncmp(f->name, "reject_", 7);
		w->total++;
#if BK_HAVE_KERN
		if (w->kern) {
			unsigned kp = 0;
			int k = kernel_verdict(f->path, p->name, &kp);
			if (k >= 0) {
				w->tried++;
				if (k == (rc == 0)) {
					w->agree++;
					printf("ok verifier corpus v%d %s/%s (%s; processed bpfkit %u kernel %u)\n",
					       cpu, f->name, p->name, k ? "accepted" : "rejected", r.processed, kp);
					/* precision tracking and pruning keep the work near the kernel's */
					if (k && kp)
						CHECKF(r.processed <= 2 * kp, "verifier corpus v%d %s/%s processed %u within 2x of the kernel's %u",
						       cpu, f->name, p->name, r.processed, kp);
				} else {
					printf("not ok verifier corpus v%d %s/%s: kernel %s, bpfkit %s (%s)\n", cpu,
					       f->name, p->name, k ? "accepts" : "rejects",
					       rc ? "rejects" : "accepts", r.msg);
				}
				continue;
			}
		}
#endif
		CHECKF((rc != 0) == expect_reject, "verifier corpus v%d %s/%s offline verdict", cpu,
		       f->name, p->name);
	}
}

int main(void)
{
	const char *b = getenv("BK_BUILD");
	char dir[4096];
	struct corpus_walk w = { .kern = geteuid() == 0 };
	snprintf(dir, sizeof dir, "%s/corpus", b ? b : "build");
#if BK_HAVE_KERN
	libbpf_set_print(silent);
#endif
	const char *root = getenv("ROOT");
	char probe[4200];
	snprintf(probe, sizeof probe, "%s/v1", dir);
	DIR *pd = opendir(probe);
	if (pd)
		closedir(pd);
	else if (root && objwalk_build(root, "", dir) != 0)
		printf("# corpus build failed\n");
	for (int cpu = 1; cpu <= 4; cpu++) {
		char d[4200], tag[64];
		snprintf(d, sizeof d, "%s/v%d", dir, cpu);
		snprintf(tag, sizeof tag, "verifier corpus v%d", cpu);
		w.cpu = cpu;
		if (objwalk(d, tag, OBJWALK_PROGS, check_corpus, &w) < 0)
			printf("skip verifier corpus v%d: %s not built (tests/corpus/build.sh)\n", cpu, d);
	}
	printf("# corpus: %d programs, %d compared with the kernel, %d agree\n", w.total, w.tried, w.agree);
	CHECK("verifier corpus has programs", w.total > 0 || !w.kern);
	return 0;
}
