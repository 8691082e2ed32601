/* The interpreter: interp_body.h instantiated twice, plain and counting. */
#include "vm_internal.h"

#include <errno.h>
#include <string.h>

/* GCC otherwise merges the handlers' indirect jumps into one shared jump (one branch-
 * predictor entry for the whole program) and hoists work into it. Under AddressSanitizer
 * (make check SANITIZE=1) the points-to analysis, quadratic on a function whose every
 * handler may jump to every other, took ~80% of the ~200 s of CPU this file cost at -O1
 * (-ftime-report: "tree PTA"); without it the file takes ~20 s, every handler still
 * instrumented. */
#if defined(__GNUC__) && !defined(__clang__)
#ifdef __SANITIZE_ADDRESS__
#pragma GCC optimize("no-gcse", "no-crossjumping", "no-tree-pta")
#else
#pragma GCC optimize("no-gcse", "no-crossjumping")
#endif
#endif

/* The slow path of an access check; a region found becomes the most recent of the two
 * the interpreter checks inline. Kept out of line: the handlers stay small. */
static __attribute__((noinline, cold)) int bk__mem_slow2(struct bk_run *run, uint64_t addr,
							  uint32_t size, bool write,
							  struct bk_region rc[2])
{
	struct bk_region t;
	int k = bk__mem_slow(run, addr, size, write, &t);
	if (k == 0) {
		rc[1] = rc[0];
		rc[0] = t;
	}
	return k;
}

#define BK_FNAME bk__interp
#include "interp_body.h"
#undef BK_FNAME

#define BK_COUNT 1
#define BK_FNAME bk__interp_count
#include "interp_body.h"
