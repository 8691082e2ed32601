/* bpfkit net: XDP and tc attachments, as bpftool net. */
#include "kcli.h"

BK_COMMAND(net, bk_cmd_net, "show, attach, detach XDP/tc programs on network devices (as bpftool)")

#if !BK_HAVE_KERN
BK_CLI_NO_KERN(net)
#else
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bpfkit [-j|-p] net COMMAND\n"
		"  net { show | list } [dev NAME]\n"
		"  net attach ATTACH_TYPE PROG dev NAME [handle H] [prio P] [overwrite]\n"
		"  net detach ATTACH_TYPE dev NAME [handle H] [prio P]\n"
		"  ATTACH_TYPE := { xdp | xdpgeneric | xdpdrv | xdpoffload | tc_ingress | tc_egress }\n"
		"  PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }\n"
		"  handle and prio (also 'priority', 'pref') name a tc filter as tc does (decimal or\n"
		"  0x hex; prio 1..65535); without them the kernel picks, and detach takes them all.\n");
}

/* handle/prio/priority/pref N at argv[*i]: 1 if taken, 0 if not these words, -1 on error. */
static int tc_word(int argc, char **argv, int *i, struct bk_kern_net_opts *o, const char *cmd)
{
	const char *w = argv[*i];
	int is_handle = !strcmp(w, "handle");
	if (!is_handle && strcmp(w, "prio") && strcmp(w, "priority") && strcmp(w, "pref"))
		return 0;
	uint64_t v;
	if (*i + 1 >= argc || bk_kcli_u64(argv[*i + 1], &v) || v > UINT32_MAX || (!is_handle && v > 0xffff)) {
		bk_cli_fail(cmd, "%s: expected a number%s, got '%s'", w, is_handle ? "" : " (0..65535)",
			    *i + 1 < argc ? argv[*i + 1] : "nothing");
		return -1;
	}
	if (is_handle)
		o->handle = (uint32_t)v;
	else
		o->priority = (uint32_t)v;
	*i += 1;
	return 1;
}

int bk_cmd_net(int argc, char **argv)
{
	int st = bk_kcli_start(argc, argv, usage);
	if (st >= 0)
		return st;
	const char *c = argv[1];
	struct bk_err e = { 0 };
	if (!strcmp(c, "show") || !strcmp(c, "list")) {
		const char *dev = NULL;
		if (argc == 4 && !strcmp(argv[2], "dev"))
			dev = argv[3];
		else if (argc != 2)
			return bk_cli_fail("net show", "expected [dev NAME]");
		struct bk_kern_fmt fmt = bk_kcli_fmt();
		struct bk_buf out = { 0 };
		if (bk_kern_net_show(dev, &fmt, &out, &e)) {
			bk_buf_free(&out);
			return bk_kcli_fail("net show", &e);
		}
		bk_kcli_flush(&out);
		return 0;
	}
	if (!strcmp(c, "attach")) {
		if (argc < 4)
			return bk_cli_fail("net attach", "expected ATTACH_TYPE PROG dev NAME");
		int used, fd = bk_kcli_prog(argc - 3, argv + 3, &used, "net attach");
		if (fd < 0)
			return 1;
		int i = 3 + used;
		struct bk_kern_net_opts no = BK_OPTS_INIT(bk_kern_net_opts, .overwrite = 0);
		const char *dev = NULL;
		for (; i < argc; i++) {
			int t = tc_word(argc, argv, &i, &no, "net attach");
			if (t < 0) {
				close(fd);
				return 1;
			}
			if (t)
				continue;
			if (!strcmp(argv[i], "dev") && i + 1 < argc)
				dev = argv[++i];
			else if (!strcmp(argv[i], "overwrite"))
				no.overwrite = 1;
			else {
				close(fd);
				return bk_cli_fail("net attach", "unexpected '%s'", argv[i]);
			}
		}
		if (!dev) {
			close(fd);
			return bk_cli_fail("net attach", "expected dev NAME");
		}
		int r = bk_kern_net_attach_opts(fd, argv[2], dev, &no, &e);
		close(fd);
		if (r)
			return bk_kcli_fail("net attach", &e);
		if (bk_cli.json)
			printf("null\n");
		return 0;
	}
	if (!strcmp(c, "detach")) {
		if (argc < 5 || strcmp(argv[3], "dev"))
			return bk_cli_fail("net detach", "expected ATTACH_TYPE dev NAME [handle H] [prio P]");
		struct bk_kern_net_opts no = BK_OPTS_INIT(bk_kern_net_opts, .overwrite = 0);
		for (int i = 5; i < argc; i++) {
			int t = tc_word(argc, argv, &i, &no, "net detach");
			if (t < 0)
				return 1;
			if (!t)
				return bk_cli_fail("net detach", "unexpected '%s'", argv[i]);
		}
		if (bk_kern_net_detach_opts(argv[2], argv[4], &no, &e))
			return bk_kcli_fail("net detach", &e);
		if (bk_cli.json)
			printf("null\n");
		return 0;
	}
	return bk_cli_fail("net", "unknown command '%s' (see bpfkit net --help)", c);
}
#endif
