/* libFuzzer harness: random bytecode through the verifier. The first byte picks the
 * program type; the rest are instructions. The verifier must return (accept or a clean
 * rejection) without crashing, leaking or running unbounded. */
#include "bpfkit/verifier.h"

#include <stdlib.h>
#include <string.h>

static const struct bk_vmap maps[] = {
	{ 1, 4, 8, 16, -1, NULL }, { 2, 4, 48, 4, -1, NULL }, { 27, 0, 0, 4096, -1, NULL }, { 3, 4, 4, 4, -1, NULL },
	{ 2, 4, 48, 1, -1, NULL },
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
	/* Bit 0x10: every call target is a global function with a prototype drawn from the
	 * call's own bytes (hostile sizes and argument counts included). */
	struct bk_vfunc funcs[16];
	size_t nf = 0;
	for (size_t i = 0; i < n && nf < 16 && (data[0] & 0x10); i++) {
		if (insns[i].code != 0x85 || insns[i].src != 1)
			continue;
		struct bk_vfunc *f = &funcs[nf++];
		memset(f, 0, sizeof(*f));
		f->insn = (uint32_t)((int64_t)i + insns[i].imm + 1);
		f->global = true;
		f->nargs = (uint8_t)(insns[i].off & 7);
		for (int a = 0; a < 5; a++) {
			f->arg[a] = (uint8_t)((insns[i].off >> (3 + 2 * a)) & 3);
			f->arg_size[a] = (uint32_t)insns[i].dst << (a * 6);
		}
		strcpy(f->name, "f");
	}
	o.funcs = funcs;
	o.nfuncs = nf;
	struct bk_buf log = { 0 };
	struct bk_verify_result r;
	bk_verify(insns, n, &o, &log, &r, NULL);
	bk_verify_result_free(&r);
	bk_buf_free(&log);
	free(insns);
	return 0;
}
