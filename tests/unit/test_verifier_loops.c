/* may_goto loops written in C with the kernel's can_loop idiom (tests/verifier/loops,
 * built with clang-19 -O2 -mcpu=v4): bpfkit's verdict must be the kernel's (each object
 * is loaded into the kernel through libbpf), its message on rejections too, and the
 * processed counts within 2x of each other (both printed). Before the kernel's may_goto
 * handling was modelled, every accepted one here was refused as "The sequence of 8192
 * jumps is too complex.". */
#include "tap.h"
#include "objwalk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if BK_HAVE_KERN
#include "verifier/kload.h"
#endif

struct loops_walk {
	bool kern;
	int n, nacc, nrej;
};

static bool has_may_goto(const struct bk_vprog *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->insns[i].code == 0xe5)
			return true;
	return false;
}

static void check_loop(const struct objwalk_file *f, void *ctx)
{
	struct loops_walk *w = ctx;
	if (f->nprogs != 1) {
		printf("not ok verifier loops %s: not one program\n", f->name);
		return;
	}
	struct bk_vprog *p = &f->progs[0];
	struct bk_verify_opts o = objwalk_opts(p);
	struct bk_verify_result r;
	int rc = bk_verify(p->insns, p->n, &o, NULL, &r, NULL);
	bool expect_reject = !strncmp(f->name, "reject_", 7);
	w->n++;
	if (expect_reject)
		w->nrej++;
	else
		w->nacc++;
	CHECKF(has_may_goto(p), "verifier loops %s: the program has a may_goto", f->name);
	CHECKF((rc != 0) == expect_reject, "verifier loops %s: bpfkit %s (%s)", f->name,
	       rc ? "rejects" : "accepts", r.msg);
#if BK_HAVE_KERN
	kernel_compare("verifier loops", f->path, f->name, w->kern, rc, r.msg, r.processed);
#endif
	bk_verify_result_free(&r);
}

int main(void)
{
	char d[4200];
	if (objwalk_suite("verifier loops", "loops", "v4", d, sizeof d))
		return 0;
	struct loops_walk w = { 0 };
#if BK_HAVE_KERN
	libbpf_set_print(silent);
	w.kern = geteuid() == 0;
#endif
	if (objwalk(d, "verifier loops", OBJWALK_PROGS, check_loop, &w) < 0) {
		printf("not ok verifier loops: %s missing after the build\n", d);
		return 0;
	}
	CHECKF(w.nacc >= 5 && w.nrej >= 3, "verifier loops: %d accepted and %d rejected programs", w.nacc, w.nrej);
	return 0;
}
