/* Helper prototypes: the table is sorted and named as helpers.def, argument shapes are
 * consistent (every PTR_TO_MEM is followed by its size), and the allowed program types
 * are the running kernel's answers (bpf(2) probes). */
#include "tap.h"
#include "bpfkit/disasm.h"
#include "bpfkit/helpers.h"
#include "bpfkit/probe.h"

#include <unistd.h>

int main(void)
{
	const struct bk_helper_proto *p;
	int sorted = 1, named = 1, shapes = 1, n = 0;
	uint32_t prev = 0;
	for (size_t i = 0; (p = bk_helper_proto_at(i)); i++, n++) {
		char want[64];
		if (i && p->id <= prev)
			sorted = 0;
		prev = p->id;
		snprintf(want, sizeof want, "bpf_%s", p->name);
		if (!bk_helper_name(p->id) || strcmp(bk_helper_name(p->id), want) ||
		    bk_helper_proto(p->id) != p || bk_helper_id(want) != (int)p->id)
			named = 0;
		for (unsigned a = 0; a < p->nargs; a++) {
			unsigned t = BK_ARG_BASE(p->arg[a]);
			if (t == BK_ARG_DONTCARE)
				shapes = 0;
			if (t == BK_ARG_PTR_TO_MEM &&
			    (a + 1 >= p->nargs || (BK_ARG_BASE(p->arg[a + 1]) != BK_ARG_CONST_SIZE &&
						   BK_ARG_BASE(p->arg[a + 1]) != BK_ARG_CONST_SIZE_OR_ZERO)))
				shapes = 0;
			if ((t == BK_ARG_PTR_TO_MAP_KEY || t == BK_ARG_PTR_TO_MAP_VALUE) &&
			    (a == 0 || BK_ARG_BASE(p->arg[0]) != BK_ARG_CONST_MAP_PTR))
				shapes = 0;
		}
	}
	CHECK("helpers: table sorted by id", sorted);
	CHECK("helpers: names agree with helpers.def", named);
	CHECK("helpers: argument shapes (mem+size, key/value after a map)", shapes);
	CHECKF(n >= 37, "helpers: the issue's helpers are all there (%d)", n);
	CHECK("helpers: unknown id has no prototype", !bk_helper_proto(4) && !bk_helper_proto(100000));
	CHECK("helpers: bk_helper_id unknown", bk_helper_id("no_such_helper") < 0);
	CHECK("helpers: arg names", !strcmp(bk_arg_type_name(BK_ARG_PTR_TO_MAP_KEY), "ARG_PTR_TO_MAP_KEY") &&
	      !strcmp(bk_arg_type_name(BK_ARG_PTR_TO_MEM | BK_ARG_MEM_RDONLY), "ARG_PTR_TO_MEM") &&
	      !strcmp(bk_ret_type_name(BK_RET_PTR_TO_MAP_VALUE_OR_NULL), "RET_PTR_TO_MAP_VALUE_OR_NULL"));

	if (geteuid() != 0) {
		printf("skip helpers: kernel agreement on allowed program types needs root\n");
		return 0;
	}
	static const int types[] = { BK_KPROG_SOCKET_FILTER, BK_KPROG_SCHED_CLS, BK_KPROG_XDP };
	int agree = 1, probed = 0;
	char why[256] = "";
	for (size_t i = 0; (p = bk_helper_proto_at(i)); i++)
		for (int t = 0; t < 3; t++) {
			struct bk_err e = { 0 };
			int k = bk_probe_helper(types[t], (int)p->id, &e);
			if (k < 0)
				continue;
			probed++;
			if (k != (int)bk_helper_allowed(p, types[t])) {
				agree = 0;
				snprintf(why, sizeof why, "%s type %d: kernel %d", p->name, types[t], k);
			}
		}
	if (!probed)
		printf("skip helpers: the kernel answered no probe\n");
	else
		CHECKF(agree, "helpers: allowed program types agree with the kernel (%d probes) %s", probed, why);
	return 0;
}
