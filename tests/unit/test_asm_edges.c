/* Inputs that end without a newline, assembled from buffers of exactly their size (as a
 * library user or the fuzzer hands them over): the line scanners must not read past the
 * end. Under SANITIZE=1 a read past the buffer is an ASan report; without it the checks
 * still assert the one-line result. */
#include "bpfkit/asm.h"
#include "bpfkit/object.h"
#include "tap.h"

#include <stdlib.h>

static const struct {
	const char *text;
	int ok;                 /* 1: assembles; 0: a one-line error */
} cases[] = {
	{ "\texit\n\tgoto r", 0 },   /* one-letter last word: the register guess reads p[1] */
	{ "\texit\n\tcall w", 1 },     /* an external call, as llvm-mc takes it */
	{ "\tr0 = r", 0 },
	{ "r", 0 },
	{ "w", 0 },
	{ "a:", 1 },
	{ "\texit\n\tr1 = m ll", 1 },
	{ "\texit", 1 },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].text);
		char *exact = malloc(n);
		if (!exact)
			return 1;
		memcpy(exact, cases[i].text, n);
		struct bk_asm_opts o = BK_OPTS_INIT(bk_asm_opts, .name = "edge.s", .syntax = BK_ASM_LLVM);
		struct bk_err err = { 0 };
		struct bk_object *obj = NULL;
		int r = bk_asm_object(exact, n, &o, &obj, &err);
		if (cases[i].ok)
			CHECKF(r == 0, "asm edge %zu: '%s' assembles (%s)", i, cases[i].text, err.msg);
		else
			CHECKF(r < 0 && err.msg[0] && !strchr(err.msg, '\n') && !strncmp(err.msg, "edge.s:", 7),
			       "asm edge %zu: one-line error naming the file (%s)", i, err.msg);
		bk_object_free(obj);
		free(exact);
	}
	return 0;
}
