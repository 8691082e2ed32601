/* The C corpus (tests/corpus C files built at -mcpu=v1..v4) verified by bpfkit and by the
 * kernel (through libbpf): every program must get the same verdict. Also reports the
 * processed-instruction counts of both (bench/verify has the timing). */
#include "tap.h"
#include "bpfkit/verifier.h"
#include "bpfkit/object.h"

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

int main(void)
{
	const char *b = getenv("BK_BUILD");
	char dir[4096];
	int total = 0, agree = 0, tried = 0;
	snprintf(dir, sizeof dir, "%s/corpus", b ? b : "build");
#if BK_HAVE_KERN
	libbpf_set_print(silent);
#endif
	bool kern = geteuid() == 0;
	const char *root = getenv("ROOT");
	char probe[4200];
	snprintf(probe, sizeof probe, "%s/v1", dir);
	DIR *pd = opendir(probe);
	if (pd) {
		closedir(pd);
	} else if (root) {
		/* the corpus is built by its own script (incremental); tests may run in any order */
		char cmd[9000];
		snprintf(cmd, sizeof cmd, "sh '%s/tests/corpus/build.sh' '%s' >/dev/null 2>&1", root, dir);
		if (system(cmd) != 0)
			printf("# corpus build failed\n");
	}
	for (int cpu = 1; cpu <= 4; cpu++) {
		char d[4200];
		snprintf(d, sizeof d, "%s/v%d", dir, cpu);
		DIR *dh = opendir(d);
		if (!dh) {
			printf("skip verifier corpus v%d: %s not built (tests/corpus/build.sh)\n", cpu, d);
			continue;
		}
		struct dirent *de;
		while ((de = readdir(dh))) {
			size_t l = strlen(de->d_name);
			if (l < 3 || strcmp(de->d_name + l - 2, ".o"))
				continue;
			char f[8400];
			snprintf(f, sizeof f, "%s/%s", d, de->d_name);
			struct bk_object *obj = NULL;
			struct bk_vprog *progs = NULL;
			size_t np = 0;
			struct bk_err err = { 0 };
			if (bk_object_open(f, &obj, &err) < 0 || bk_vprogs_from_object(obj, &progs, &np, &err) < 0) {
				printf("not ok verifier corpus %s: %s\n", f, err.msg);
				bk_object_free(obj);
				continue;
			}
			for (size_t i = 0; i < np; i++) {
				struct bk_vprog *p = &progs[i];
				struct bk_verify_opts o = { .sz = sizeof o, .prog_type = p->type,
							    .maps = p->maps, .nmaps = p->nmaps,
							    .btf_func_info = p->btf_func_info,
							    .funcs = p->funcs, .nfuncs = p->nfuncs };
				struct bk_verify_result r;
				int rc = bk_verify(p->insns, p->n, &o, NULL, &r, NULL);
				bk_verify_result_free(&r);
				bool expect_reject = !strncmp(de->d_name, "reject_", 7);
				total++;
#if BK_HAVE_KERN
				if (kern) {
					unsigned kp = 0;
					int k = kernel_verdict(f, p->name, &kp);
					if (k >= 0) {
						tried++;
						if (k == (rc == 0)) {
							agree++;
							printf("ok verifier corpus v%d %s/%s (%s; processed bpfkit %u kernel %u)\n",
							       cpu, de->d_name, p->name, k ? "accepted" : "rejected", r.processed, kp);
							/* precision tracking and pruning keep the work near the kernel's */
							if (k && kp)
								CHECKF(r.processed <= 2 * kp, "verifier corpus v%d %s/%s processed %u within 2x of the kernel's %u",
								       cpu, de->d_name, p->name, r.processed, kp);
						} else {
							printf("not ok verifier corpus v%d %s/%s: kernel %s, bpfkit %s (%s)\n", cpu,
							       de->d_name, p->name, k ? "accepts" : "rejects",
							       rc ? "rejects" : "accepts", r.msg);
						}
						continue;
					}
				}
#endif
				(void)kern;
				CHECKF((rc != 0) == expect_reject, "verifier corpus v%d %s/%s offline verdict", cpu,
				       de->d_name, p->name);
			}
			bk_vprogs_free(progs, np);
			bk_object_free(obj);
		}
		closedir(dh);
	}
	printf("# corpus: %d programs, %d compared with the kernel, %d agree\n", total, tried, agree);
	CHECK("verifier corpus has programs", total > 0 || !kern);
	return 0;
}
