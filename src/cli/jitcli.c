/* The runtime engine the commands use: the JIT by default where it exists, the
 * interpreter elsewhere or on request. */
#include "cli.h"
#include "bpfkit/jit.h"

#include <errno.h>
#include <string.h>

int bk_cli_use_jit(struct bk_prog *prog, const char *engine, struct bk_err *err)
{
	if (engine && strcmp(engine, "jit"))
		return 0;   /* interp, or an engine the caller handles */
	if (!bk_jit_supported()) {
		if (engine)
			return bk_err_set(err, -EOPNOTSUPP, "the JIT needs an x86-64 host (use --engine interp)");
		return 0;
	}
	struct bk_err jerr = { 0 };
	if (bk_jit_attach(prog, NULL, &jerr) < 0) {
		/* asked for: an error; by default the interpreter runs it */
		if (engine)
			return bk_err_set(err, jerr.code, "%s", jerr.msg);
	}
	return 0;
}
