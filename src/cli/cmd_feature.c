/* bpfkit feature probe: what the running kernel offers, with bpftool's keys. */
#include "kcli.h"

BK_COMMAND(feature, bk_cmd_feature, "probe the kernel's BPF features: ISA levels, program/map types, helpers")

#if !BK_HAVE_KERN
BK_CLI_NO_KERN(feature)
#else
#include <string.h>

int bk_cmd_feature(int argc, char **argv)
{
	int help = argc > 1 && bk_cli_is_help(argv[1]);
	for (int i = 2; i < argc; i++)
		help |= !strcmp(argv[i], "--help");
	if (argc < 2 || help) {
		FILE *f = help ? stdout : stderr;
		fprintf(f, "Usage: bpfkit [-j|-p] feature probe [kernel] [-j]\n"
			   "  ISA levels (misc.have_v2..v4_isa_extension), program and map types, helpers per\n"
			   "  program type, read from the kernel's answers to tiny test programs.\n");
		return help ? 0 : 2;
	}
	if (strcmp(argv[1], "probe"))
		return bk_cli_fail("feature", "unknown command '%s' (see bpfkit feature --help)", argv[1]);
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			bk_cli.json = 1;
		else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty"))
			bk_cli.json = bk_cli.pretty = 1;
		else if (strcmp(argv[i], "kernel"))
			return bk_cli_fail("feature probe", "unexpected '%s' (only 'kernel' is probed; no dev/offload)", argv[i]);
	}
	bk_kcli_init();
	struct bk_kern_fmt fmt = bk_kcli_fmt();
	struct bk_buf out = { 0 };
	struct bk_err e = { 0 };
	if (bk_kern_feature_probe(&fmt, &out, &e)) {
		bk_buf_free(&out);
		return bk_kcli_fail("feature probe", &e);
	}
	bk_kcli_flush(&out);
	return 0;
}
#endif
