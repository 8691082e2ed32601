/* bpfkit stats: run-time statistics of BPF programs. */
#include "kcli.h"

BK_COMMAND(stats, bk_cmd_stats, "turn BPF run-time statistics on/off, show run_cnt/run_time_ns")

#if !BK_HAVE_KERN
BK_CLI_NO_KERN(stats)
#else
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static void usage(FILE *f)
{
	fprintf(f, "Usage: bpfkit [-j|-p] stats COMMAND\n"
		   "  stats enable            kernel.bpf_stats_enabled = 1 (stays on)\n"
		   "  stats disable           kernel.bpf_stats_enabled = 0\n"
		   "  stats status            whether the sysctl is on\n"
		   "  stats show [PROG]       run_cnt, run_time_ns and the average per program\n"
		   "  stats run COMMAND...    COMMAND with stats on (BPF_ENABLE_STATS held while it runs)\n");
}

int bk_cmd_stats(int argc, char **argv)
{
	if (argc < 2 || bk_cli_is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	bk_kcli_init();
	const char *c = argv[1];
	struct bk_err e = { 0 };
	if (!strcmp(c, "enable") || !strcmp(c, "disable") || !strcmp(c, "status")) {
		if (argc != 2)
			return bk_cli_fail("stats", "unexpected '%s'", argv[2]);
		int on = c[0] == 'e' ? 1 : c[0] == 'd' ? 0 : -1;
		int old = bk_kern_stats_sysctl(on, &e);
		if (old < 0)
			return bk_kcli_fail("stats", &e);
		if (on < 0) {
			if (bk_cli.json)
				printf("{\"bpf_stats_enabled\":%s}\n", old ? "true" : "false");
			else
				printf("run-time statistics are %s (kernel.bpf_stats_enabled = %d)\n", old ? "on" : "off", old);
		} else if (bk_cli.json) {
			printf("null\n");
		}
		return 0;
	}
	if (!strcmp(c, "show") || !strcmp(c, "list")) {
		int *fds = NULL, n = 0;
		if (argc > 2) {
			n = bk_kcli_progs(argc - 2, argv + 2, NULL, &fds, 1, "stats show");
			if (n < 0)
				return 1;
		}
		struct bk_kern_fmt fmt = bk_kcli_fmt();
		struct bk_buf out = { 0 };
		bk_kern_stats_show(fds, n, &fmt, &out, &e);
		for (int i = 0; i < n; i++)
			close(fds[i]);
		free(fds);
		bk_kcli_flush(&out);
		return 0;
	}
	if (!strcmp(c, "run")) {
		int i = 2;
		if (i < argc && !strcmp(argv[i], "--"))
			i++;
		if (i >= argc)
			return bk_cli_fail("stats run", "expected COMMAND");
		int fd = bk_kern_stats_fd(&e);
		if (fd < 0)
			return bk_kcli_fail("stats run", &e);
		fflush(NULL);
		pid_t pid = fork();
		if (pid < 0) {
			close(fd);
			return bk_cli_fail("stats run", "fork failed");
		}
		if (pid == 0) {
			close(fd);
			execvp(argv[i], argv + i);
			fprintf(stderr, "bpfkit stats run: %s: cannot run\n", argv[i]);
			_exit(127);
		}
		int st = 0;
		waitpid(pid, &st, 0);
		close(fd);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	}
	return bk_cli_fail("stats", "unknown command '%s' (see bpfkit stats --help)", c);
}
#endif
