/* The proof the runtime may use: bk_verify_result.insn_flags marks with BK_VF_MEM_SAFE the
 * loads and stores whose every path reached bounds-proved memory (stack, map value,
 * packet), and never a context access (the runtime rewrites those) or an unvisited insn. */
#include "tap.h"
#include "bpfkit/verifier.h"
#include "verifier/insn.h"

#include <stdlib.h>

static const struct bk_vmap maps[] = {
	{ 1, 4, 8, 16, -1, NULL }, /* hash, key 4, value 8 */
};

static uint8_t *flags_of(const struct bk_insn *in, size_t n, int *rc)
{
	struct bk_verify_opts o = { .sz = sizeof o, .prog_type = BK_VPROG_SOCKET_FILTER, .maps = maps,
				    .nmaps = 1 };
	struct bk_verify_result r;
	*rc = bk_verify(in, n, &o, NULL, &r, NULL);
	return r.insn_flags;
}

int main(void)
{
	static const struct bk_insn p1[] = {
		ST(DW_, 10, -8, 7),      /* 0: stack store */
		LDX(DW_, 0, 10, -8),     /* 1: stack load: r0 = 7 */
		LDX(W_, 2, 1, 0),        /* 2: skb->len: context */
		JK(JEQ, 0, 7, 1),        /* 3: always taken */
		LDX(DW_, 3, 10, -16),    /* 4: never reached */
		EXIT,                    /* 5 */
	};
	int rc;
	uint8_t *f = flags_of(p1, sizeof p1 / sizeof p1[0], &rc);
	CHECK("verifier proof: stack program accepted", rc == 0 && f);
	if (f) {
		CHECK("verifier proof: stack store proved", f[0] & BK_VF_MEM_SAFE);
		CHECK("verifier proof: stack load proved", f[1] & BK_VF_MEM_SAFE);
		CHECK("verifier proof: context load visited, not marked proved",
		      (f[2] & BK_VF_VISITED) && !(f[2] & BK_VF_MEM_SAFE));
		CHECK("verifier proof: dead load neither visited nor proved", f[4] == 0);
		CHECK("verifier proof: non-memory insn not marked", !(f[3] & BK_VF_MEM_SAFE));
	}
	free(f);

	static const struct bk_insn p2[] = {
		ST(W_, 10, -4, 0),       /* 0 */
		MOVR(2, 10),             /* 1 */
		ADD(2, -4),              /* 2 */
		LDMAP(1, 0),             /* 3, 4 */
		CALL(1),                 /* 5: map_lookup_elem */
		JK(JEQ, 0, 0, 1),        /* 6 */
		LDX(DW_, 0, 0, 0),       /* 7: map value after the null check */
		EXIT,                    /* 8 */
	};
	f = flags_of(p2, sizeof p2 / sizeof p2[0], &rc);
	CHECK("verifier proof: map program accepted", rc == 0 && f);
	if (f)
		CHECK("verifier proof: map value load proved", f[7] & BK_VF_MEM_SAFE);
	free(f);

	static const struct bk_insn p3[] = {
		LDX(DW_, 0, 10, -520),   /* out of the stack */
		EXIT,
	};
	f = flags_of(p3, sizeof p3 / sizeof p3[0], &rc);
	CHECK("verifier proof: rejected program has no proof", rc != 0 && !f);
	free(f);
	return 0;
}
