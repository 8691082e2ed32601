/* bpfkit net: XDP and tc attachments, as bpftool net. */
#include "kcli.h"

BK_COMMAND(net, bk_cmd_net, "show, attach, detach XDP/tc programs on network devices (as bpftool)")

#if !BK_HAVE_KERN
int bk_cmd_net(int argc, char **argv)
{
	return bk_cli_fail("net", "built without libbpf: no kernel front end");
}
#else
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bpfkit [-j|-p] net COMMAND\n"
		"  net { show | list } [dev NAME]\n"
		"  net attach ATTACH_TYPE PROG dev NAME [overwrite]\n"
		"  net detach ATTACH_TYPE dev NAME\n"
		"  ATTACH_TYPE := { xdp | xdpgeneric | xdpdrv | xdpoffload | tc_ingress | tc_egress }\n"
		"  PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }\n");
}

int bk_cmd_net(int argc, char **argv)
{
	if (argc < 2 || bk_cli_is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		}
	bk_kcli_init();
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
		int used, *fds, n = bk_kern_prog_fds(argc - 3, argv + 3, &used, &fds, &e);
		if (n < 0)
			return bk_kcli_fail("net attach", &e);
		int fd = fds[0];
		for (int k = 1; k < n; k++)
			close(fds[k]);
		free(fds);
		int i = 3 + used, overwrite = 0;
		const char *dev = NULL;
		for (; i < argc; i++) {
			if (!strcmp(argv[i], "dev") && i + 1 < argc)
				dev = argv[++i];
			else if (!strcmp(argv[i], "overwrite"))
				overwrite = 1;
			else {
				close(fd);
				return bk_cli_fail("net attach", "unexpected '%s'", argv[i]);
			}
		}
		if (n > 1) {
			close(fd);
			return bk_cli_fail("net attach", "%d programs match: use id or pinned", n);
		}
		if (!dev) {
			close(fd);
			return bk_cli_fail("net attach", "expected dev NAME");
		}
		int r = bk_kern_net_attach(fd, argv[2], dev, overwrite, &e);
		close(fd);
		if (r)
			return bk_kcli_fail("net attach", &e);
		if (bk_cli.json)
			printf("null\n");
		return 0;
	}
	if (!strcmp(c, "detach")) {
		if (argc != 5 || strcmp(argv[3], "dev"))
			return bk_cli_fail("net detach", "expected ATTACH_TYPE dev NAME");
		if (bk_kern_net_detach(argv[2], argv[4], &e))
			return bk_kcli_fail("net detach", &e);
		if (bk_cli.json)
			printf("null\n");
		return 0;
	}
	return bk_cli_fail("net", "unknown command '%s' (see bpfkit net --help)", c);
}
#endif
