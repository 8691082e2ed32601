/* Global functions (BTF linkage global) are verified as the kernel does: once, on their
 * own, with arguments typed from the prototype, and a call gives an unknown scalar. The
 * programs of tests/verifier/global/ (built with clang-19 at -mcpu=v3) are verified by
 * bpfkit and loaded into the kernel through libbpf: same verdict, the kernel's message for
 * each rejection, and processed counts within 2x (both printed). Prototypes the kernel
 * refuses for a global function (void *, a struct by value, a void return) reject the
 * call as the kernel does; `__arg_ctx` arguments are the context. Without the BTF view
 * (funcs = NULL: every function inlined at its calls) some verdicts differ, which shows the
 * test depends on it. */
#include "tap.h"
#include "objwalk.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if BK_HAVE_KERN
#include "verifier/kload.h"
#endif

struct global_walk {
	bool kern;
	int n, inline_differs;
};

static void check_global(const struct objwalk_file *f, void *ctx)
{
	struct global_walk *w = ctx;
	if (f->nprogs != 1) {
		printf("not ok verifier global %s: not one program\n", f->name);
		return;
	}
	struct bk_vprog *p = &f->progs[0];
	int nglobal = 0;
	for (size_t k = 0; k < p->nfuncs; k++)
		nglobal += p->funcs[k].global && p->funcs[k].insn;
	struct bk_verify_opts o = objwalk_opts(p);
	struct bk_verify_result r, ri;
	int rc = bk_verify(p->insns, p->n, &o, NULL, &r, NULL);
	o.funcs = NULL;
	o.nfuncs = 0;
	int rci = bk_verify(p->insns, p->n, &o, NULL, &ri, NULL);
	w->inline_differs += (rc == 0) != (rci == 0);
	bool expect_reject = !strncmp(f->name, "reject_", 7);
	w->n++;
	CHECKF(nglobal > 0, "verifier global %s: BTF names %d global function(s)", f->name, nglobal);
	CHECKF((rc != 0) == expect_reject, "verifier global %s: bpfkit %s (%s)", f->name,
	       rc ? "rejects" : "accepts", r.msg);
#if BK_HAVE_KERN
	kernel_compare("verifier global", f->path, f->name, w->kern, rc, r.msg, r.processed);
#endif
	bk_verify_result_free(&r);
	bk_verify_result_free(&ri);
}

int main(void)
{
	char d[4200];
	if (objwalk_suite("verifier global functions", "global", "v3", d, sizeof d))
		return 0;
	struct global_walk w = { 0 };
#if BK_HAVE_KERN
	libbpf_set_print(silent);
	w.kern = geteuid() == 0;
#endif
	if (objwalk(d, "verifier global", OBJWALK_PROGS, check_global, &w) < 0) {
		printf("not ok verifier global functions: %s missing after the build\n", d);
		return 0;
	}
	CHECKF(w.n >= 12, "verifier global: %d programs", w.n);
	CHECKF(w.inline_differs >= 3, "verifier global: %d verdicts depend on verifying globals on their own",
	       w.inline_differs);
	return 0;
}
