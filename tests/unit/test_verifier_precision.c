/* Precision tracking: a scalar that only flows into the return value is imprecise, so a
 * second path that differs in it is pruned at the join; a scalar that becomes a map-value
 * offset is marked precise back to the join's checkpoint, so a second path with an
 * out-of-bounds value there is explored and rejected, not pruned. */
#include "tap.h"
#include "bpfkit/verifier.h"
#include "verifier/insn.h"

#include <string.h>

static const struct bk_vmap maps[] = {
	{ 2, 4, 48, 4, -1, NULL }, /* array, value 48 */
};

/* r6 = 0 on the first path, r6 = V on the second; then USE: r0 += r6 (an offset) or
 * r6 += r6 (only returned). */
#define PROG(V, USE)                                                                   \
	{ LDX(W_, 0, 1, 0), LDX(W_, 7, 1, 8), MOV(6, 0), JK(JEQ, 7, 1, 0), JK(JEQ, 7, 2, 0), \
	  JK(JEQ, 7, 3, 0), MOV(2, 0), MOV(3, 0), JK(JNE, 0, 0, 8), MOV(3, 1), MOV(3, 2),     \
	  MOV(3, 3), MOV(3, 4), MOV(3, 5), MOV(3, 6), MOV(3, 7), JA(1), MOV(6, V),           \
	  ST(W_, 10, -4, 0), MOVR(2, 10), ADD(2, -4), LDMAP(1, 0), CALL(1), JK(JEQ, 0, 0, 3), \
	  USE, LDX(W_, 0, 0, 0), MOVR(0, 6), EXIT }

static int verify(const struct bk_insn *in, size_t n, struct bk_verify_result *r)
{
	struct bk_verify_opts o = { .sz = sizeof o, .prog_type = BK_VPROG_SOCKET_FILTER, .maps = maps,
				    .nmaps = 1 };
	int rc = bk_verify(in, n, &o, NULL, r, NULL);
	bk_verify_result_free(r);
	return rc;
}

int main(void)
{
	static const struct bk_insn bad[] = PROG(100, ADDR(0, 6)), good[] = PROG(4, ADDR(0, 6)),
				     unused[] = PROG(100, ADDR(6, 6));
	struct bk_verify_result r;
	int rc = verify(bad, sizeof bad / sizeof bad[0], &r);
	CHECKF(rc != 0 && strstr(r.msg, "R0 "),
	       "verifier precision: offset 100 on the second path rejected (%s)", r.msg);
	rc = verify(good, sizeof good / sizeof good[0], &r);
	CHECKF(rc == 0, "verifier precision: offset 4 on both paths accepted (%s)", r.msg);
	uint32_t both = r.processed;
	rc = verify(unused, sizeof unused / sizeof unused[0], &r);
	CHECKF(rc == 0 && r.processed < both,
	       "verifier precision: a value only returned is imprecise, its second path pruned (%u < %u)",
	       r.processed, both);
	return 0;
}
