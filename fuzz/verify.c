/* libFuzzer harness: random bytecode through the verifier. The first byte picks the
 * program type; the rest are instructions. The verifier must return (accept or a clean
 * rejection) without crashing, leaking or running unbounded. */
#include "bpfkit/verifier.h"

#include <stdlib.h>
#include <string.h>

static const struct bk_vmap maps[] = {
	{ 1, 4, 8, 16, -1 }, { 2, 4, 48, 4, -1 }, { 27, 0, 0, 4096, -1 }, { 3, 4, 4, 4, -1 },
	{ 2, 4, 48, 1, -1 },
};
static const int types[] = { BK_VPROG_SOCKET_FILTER, BK_VPROG_XDP, BK_VPROG_SCHED_CLS,
			     BK_VPROG_KPROBE, BK_VPROG_TRACEPOINT };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 + 8)
		return 0;
	size_t n = (size - 1) / 8;
	struct bk_insn *insns = malloc(n * sizeof(*insns));
	if (!insns)
		return 0;
	memcpy(insns, data + 1, n * sizeof(*insns));
	struct bk_verify_opts o = { .sz = sizeof o, .prog_type = types[data[0] % 5],
				    .maps = maps, .nmaps = 5, .insn_limit = 200000,
				    .log_level = data[0] & 0x80 ? 2 : 0, .log_limit = 1 << 16,
				    .unprivileged = data[0] & 0x40, .btf_func_info = data[0] & 0x20 };
	struct bk_buf log = { 0 };
	struct bk_verify_result r;
	bk_verify(insns, n, &o, &log, &r, NULL);
	bk_verify_result_free(&r);
	bk_buf_free(&log);
	free(insns);
	return 0;
}
