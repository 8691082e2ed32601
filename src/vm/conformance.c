/* The conformance suite's helper environment (bpf_conformance's numbering). */
#include "vm_internal.h"

#include <errno.h>
#include <string.h>

static uint64_t h_gather_bytes(struct bk_run *run, uint64_t a, uint64_t b, uint64_t c,
			       uint64_t d, uint64_t e)
{
	return (a & 0xff) << 32 | (b & 0xff) << 24 | (c & 0xff) << 16 | (d & 0xff) << 8 |
	       (e & 0xff);
}

static uint64_t h_memfrob(struct bk_run *run, uint64_t ptr, uint64_t len, uint64_t r3,
			  uint64_t r4, uint64_t r5)
{
	uint8_t *p = bk_run_mem(run, ptr, len, true);
	if (!p)
		return 0;
	for (uint64_t i = 0; i < len; i++)
		p[i] ^= 42;
	return 0;
}

static uint64_t h_no_op(struct bk_run *run, uint64_t r1, uint64_t r2, uint64_t r3,
			uint64_t r4, uint64_t r5)
{
	return 0;
}

static uint64_t h_sqrti(struct bk_run *run, uint64_t a, uint64_t r2, uint64_t r3, uint64_t r4,
			uint64_t r5)
{
	/* Integer square root by bits: exact for all 64-bit inputs (a double is not). */
	uint64_t res = 0, bit = 1ULL << 62;
	while (bit > a)
		bit >>= 2;
	while (bit) {
		if (a >= res + bit) {
			a -= res + bit;
			res = (res >> 1) + bit;
		} else {
			res >>= 1;
		}
		bit >>= 2;
	}
	return res;
}

/* A NUL-terminated string the program may read, or NULL (the run then fails). */
static const char *str_arg(struct bk_run *run, uint64_t addr)
{
	for (uint64_t n = 0;; n++) {
		const char *p = bk_run_mem_try(run, addr + n, 1, false);
		if (!p) {
			bk_run_fail(run, -EFAULT, "unterminated or invalid string at 0x%llx",
				    (unsigned long long)addr);
			return NULL;
		}
		if (*p == 0)
			return (const char *)(uintptr_t)addr;
	}
}

static uint64_t h_strcmp_ext(struct bk_run *run, uint64_t a, uint64_t b, uint64_t r3,
			     uint64_t r4, uint64_t r5)
{
	const char *s = str_arg(run, a), *t = s ? str_arg(run, b) : NULL;
	if (!s || !t)
		return 0;
	return (uint64_t)(int64_t)strcmp(s, t);
}

static uint64_t h_unwind(struct bk_run *run, uint64_t a, uint64_t r2, uint64_t r3,
			 uint64_t r4, uint64_t r5)
{
	if (a == 0)
		return bk_run_stop(run, 0);
	return a;
}

int bk_vm_register_conformance_helpers(struct bk_vm *vm, struct bk_err *err)
{
	static const struct bk_helper hs[] = {
		{ 0, "gather_bytes", h_gather_bytes, 0, false, false },
		{ 1, "memfrob", h_memfrob, 0, false, false },
		{ 2, "no_op", h_no_op, 0, false, false },
		{ 3, "sqrti", h_sqrti, 0, false, false },
		{ 4, "strcmp_ext", h_strcmp_ext, 0, false, false },
		{ 5, "unwind", h_unwind, 0, false, false },
	};
	for (size_t i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
		int ret = bk_vm_register_helper(vm, &hs[i], err);
		if (ret)
			return ret;
	}
	return 0;
}
