/* bpfkit cgroup: programs on cgroup v2, as bpftool cgroup. */
#include "kcli.h"

BK_COMMAND(cgroup, bk_cmd_cgroup, "show, tree, attach, detach cgroup BPF programs (as bpftool)")

#if !BK_HAVE_KERN
BK_CLI_NO_KERN(cgroup)
#else
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bpfkit [-j|-p] cgroup COMMAND\n"
		"  cgroup { show | list } CGROUP [effective]\n"
		"  cgroup tree [CGROUP_ROOT] [effective]\n"
		"  cgroup attach CGROUP ATTACH_TYPE PROG [ATTACH_FLAGS]\n"
		"  cgroup detach CGROUP ATTACH_TYPE PROG\n"
		"  ATTACH_TYPE := { ingress | egress | sock_create | sock_ops | device | bind4 | bind6 |\n"
		"                   post_bind4 | post_bind6 | connect4 | connect6 | getpeername4 |\n"
		"                   getpeername6 | getsockname4 | getsockname6 | sendmsg4 | sendmsg6 |\n"
		"                   recvmsg4 | recvmsg6 | sysctl | getsockopt | setsockopt | sock_release }\n"
		"  ATTACH_FLAGS := { multi | override }\n"
		"  CGROUP_ROOT defaults to /sys/fs/cgroup/unified (cgroup v2)\n");
}

static int do_attach(int argc, char **argv, int detach)
{
	const char *cmd = detach ? "cgroup detach" : "cgroup attach";
	if (argc < 4)
		return bk_cli_fail(cmd, "expected CGROUP ATTACH_TYPE PROG");
	struct bk_err e = { 0 };
	int used, fd = bk_kcli_prog(argc - 2, argv + 2, &used, cmd), r = 1;
	if (fd < 0)
		return 1;
	uint32_t flags = 0;
	for (int i = 2 + used; i < argc; i++) {
		if (!detach && !strcmp(argv[i], "multi"))
			flags |= BPF_F_ALLOW_MULTI;
		else if (!detach && !strcmp(argv[i], "override"))
			flags |= BPF_F_ALLOW_OVERRIDE;
		else {
			bk_cli_fail(cmd, "unexpected '%s'", argv[i]);
			goto out;
		}
	}
	if (bk_kern_cgroup_attach(argv[0], argv[1], fd, flags, detach, &e)) {
		bk_kcli_fail(cmd, &e);
		goto out;
	}
	if (bk_cli.json)
		printf("null\n");
	r = 0;
out:
	close(fd);
	return r;
}

int bk_cmd_cgroup(int argc, char **argv)
{
	int st = bk_kcli_start(argc, argv, usage);
	if (st >= 0)
		return st;
	const char *c = argv[1];
	argc -= 2;
	argv += 2;
	if (!strcmp(c, "attach") || !strcmp(c, "detach"))
		return do_attach(argc, argv, c[0] == 'd');
	int show = !strcmp(c, "show") || !strcmp(c, "list");
	if (show || !strcmp(c, "tree")) {
		const char *path = NULL;
		int effective = 0;
		for (int i = 0; i < argc; i++) {
			if (!strcmp(argv[i], "effective"))
				effective = 1;
			else if (!path)
				path = argv[i];
			else
				return bk_cli_fail(c, "unexpected '%s'", argv[i]);
		}
		if (show && !path)
			return bk_cli_fail("cgroup show", "expected CGROUP");
		struct bk_kern_fmt fmt = bk_kcli_fmt();
		struct bk_buf out = { 0 };
		struct bk_err e = { 0 };
		int r = show ? bk_kern_cgroup_show(path, effective, &fmt, &out, &e)
			     : bk_kern_cgroup_tree(path, effective, &fmt, &out, &e);
		if (r) {
			bk_buf_free(&out);
			return bk_kcli_fail(show ? "cgroup show" : "cgroup tree", &e);
		}
		bk_kcli_flush(&out);
		return 0;
	}
	return bk_cli_fail("cgroup", "unknown command '%s' (see bpfkit cgroup --help)", c);
}
#endif
