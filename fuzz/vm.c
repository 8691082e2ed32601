/* libFuzzer: arbitrary bytecode through validation, loading and a run with a small step
 * budget, under ASan+UBSan. The first byte picks the program type, the next 32 bytes
 * are the input memory/packet, the rest is the program. Any load or run error is
 * fine; a crash, a sanitizer report or a leak is a finding. */
#include "fuzz_vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int types[] = { BK_PROG_RAW, BK_PROG_XDP, BK_PROG_SOCKET_FILTER,
				     BK_PROG_SCHED_CLS };
	if (size < 1 + 32 + 8)
		return 0;
	int type = types[data[0] % 4];
	const uint8_t *mem = data + 1;
	const uint8_t *code = data + 33;
	size_t n;
	struct bk_insn *insns = fz_insns(code, size - 33, &n);
	if (!insns)
		return 0;
	struct bk_vm *vm = fz_vm();
	struct bk_err err = { 0 };
	if (vm) {
		struct bk_prog *p;
		struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .type = type);
		if (bk_vm_load(vm, insns, n, &po, &p, &err) == 0) {
			struct bk_run_opts ro = BK_OPTS_INIT(bk_run_opts, .data_in = mem,
							     .data_size_in = 32, .budget = 1000);
			struct bk_run_result res;
			if (bk_prog_test_run(p, &ro, &res, &err) == 0)
				bk_run_result_free(&res);
		}
	}
	bk_vm_free(vm);
	free(insns);
	return 0;
}
