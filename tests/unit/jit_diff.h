/* One run of a program for the interpreter-vs-JIT comparisons (tests/unit/test_jit.c and
 * fuzz/jit.c): r1 points to a 64-byte buffer (one static buffer, so both engines see
 * the same addresses), r2 is its size. Error messages are kept up to their first address
 * (stack addresses differ between runs). */
#ifndef BK_TEST_JIT_DIFF_H
#define BK_TEST_JIT_DIFF_H

#include "bpfkit/vm.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct jd_outcome {
	int ret;
	uint64_t r0;
	struct bk_run_stats st;
	char msg[BK_ERR_MAX];
	uint8_t mem[64];
};

static uint8_t jd_buf[64];

static void jd_run(struct bk_prog *p, const uint8_t *init, uint64_t budget, struct jd_outcome *o)
{
	memcpy(jd_buf, init, sizeof(jd_buf));
	struct bk_mem_region reg = { jd_buf, sizeof(jd_buf), true };
	struct bk_exec_opts eo = BK_OPTS_INIT(bk_exec_opts, .regions = &reg, .nregions = 1,
					      .budget = budget);
	eo.args[0] = (uint64_t)(uintptr_t)jd_buf;
	eo.args[1] = sizeof(jd_buf);
	struct bk_err err = { 0 };
	memset(o, 0, sizeof(*o));
	o->ret = bk_prog_exec(p, &eo, &o->r0, &o->st, &err);
	if (o->ret) {
		snprintf(o->msg, sizeof(o->msg), "%s", err.msg);
		char *x = strstr(o->msg, "0x");
		if (x)
			*x = 0;
	}
	memcpy(o->mem, jd_buf, sizeof(jd_buf));
}

static bool jd_same(const struct jd_outcome *a, const struct jd_outcome *b)
{
	return a->ret == b->ret && a->r0 == b->r0 && !memcmp(a->mem, b->mem, sizeof(a->mem)) &&
	       a->st.back_edges == b->st.back_edges && a->st.helper_calls == b->st.helper_calls &&
	       a->st.calls == b->st.calls && a->st.max_depth == b->st.max_depth &&
	       a->st.tail_calls == b->st.tail_calls && !strcmp(a->msg, b->msg);
}

#endif
