/* bpfkit cc: compile C to a BPF object with clang, libbpf's headers on the path,
 * and -mcpu=probe resolved by bpfkit's own kernel probe. */
#include "cli.h"
#include "bpfkit/probe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <sys/wait.h>

BK_COMMAND(cc, bk_cmd_cc, "compile C to a BPF object (clang-19 -O2 -g -target bpf, -mcpu=probe)")

static void usage(FILE *f)
{
	fprintf(f, "Usage: bpfkit cc FILE.c [-o OUT.o] [-mcpu={v1|v2|v3|v4|probe}] [-v] [CLANG_FLAGS...]\n"
		   "  Runs clang-19 (or clang) -O2 -g -target bpf -c with the multiarch include\n"
		   "  directory; -mcpu=probe becomes the newest level the running kernel loads.\n"
		   "  -v prints the clang command line first. OUT defaults to FILE with .o.\n");
}

static int in_path(const char *prog)
{
	const char *p = getenv("PATH");
	if (!p)
		return 0;
	char buf[4096];
	while (*p) {
		size_t n = strcspn(p, ":");
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, prog);
		if (n && !access(buf, X_OK))
			return 1;
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

int bk_cmd_cc(int argc, char **argv)
{
	if (argc < 2 || bk_cli_is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *src = NULL, *out = NULL;
	char mcpu[32] = "", outbuf[4096], inc[128] = "";
	int verbose = 0;
	char **pass = calloc((size_t)argc + 1, sizeof(char *));
	int np = 0;
	if (!pass)
		return bk_cli_fail("cc", "out of memory");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			free(pass);
			return 0;
		} else if (!strcmp(a, "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strncmp(a, "-mcpu=", 6)) {
			if (!strcmp(a + 6, "probe")) {
				struct bk_err e = { 0 };
				int l = bk_probe_cpu_level(&e);
				if (l < 0) {
					free(pass);
					return bk_cli_fail("cc", "-mcpu=probe: %s", e.msg);
				}
				snprintf(mcpu, sizeof(mcpu), "-mcpu=v%d", l);
			} else if (!strcmp(a + 6, "v1") || !strcmp(a + 6, "v2") || !strcmp(a + 6, "v3") ||
				   !strcmp(a + 6, "v4") || !strcmp(a + 6, "generic")) {
				snprintf(mcpu, sizeof(mcpu), "%s", a);
			} else {
				free(pass);
				return bk_cli_fail("cc", "unknown cpu '%s' (v1, v2, v3, v4, generic, probe)", a + 6);
			}
		} else if (!strcmp(a, "-v")) {
			verbose = 1;
		} else if (a[0] != '-' && !src) {
			src = a;
		} else {
			pass[np++] = argv[i];
		}
	}
	if (!src) {
		free(pass);
		return bk_cli_fail("cc", "expected FILE.c");
	}
	if (access(src, R_OK)) {
		free(pass);
		return bk_cli_fail("cc", "%s: %s", src, strerror(errno));
	}
	if (!out) {
		const char *base = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
		size_t n = strlen(base);
		if (n > 2 && !strcmp(base + n - 2, ".c"))
			n -= 2;
		snprintf(outbuf, sizeof(outbuf), "%.*s.o", (int)n, base);
		out = outbuf;
	}
	const char *clang = in_path("clang-19") ? "clang-19" : "clang";
	/* <asm/types.h> lives in the multiarch directory, which -target bpf does not search. */
	struct utsname u;
	if (!uname(&u)) {
		const char *m = !strcmp(u.machine, "aarch64") ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
		char d[96];
		snprintf(d, sizeof(d), "/usr/include/%s", m);
		if (!access(d, R_OK))
			snprintf(inc, sizeof(inc), "-I%s", d);
	}
	char *cmd[64 + 16];
	int n = 0;
	cmd[n++] = (char *)clang;
	cmd[n++] = "-O2";
	cmd[n++] = "-g";
	cmd[n++] = "-target";
	cmd[n++] = "bpf";
	if (inc[0])
		cmd[n++] = inc;
	if (mcpu[0])
		cmd[n++] = mcpu;
	for (int k = 0; k < np && n < 64 + 8; k++)
		cmd[n++] = pass[k];
	cmd[n++] = "-c";
	cmd[n++] = (char *)src;
	cmd[n++] = "-o";
	cmd[n++] = (char *)out;
	cmd[n] = NULL;
	if (verbose) {
		for (int k = 0; k < n; k++)
			fprintf(stderr, "%s%s", k ? " " : "", cmd[k]);
		fputc('\n', stderr);
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		free(pass);
		return bk_cli_fail("cc", "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		execvp(cmd[0], cmd);
		fprintf(stderr, "bpfkit cc: can't run %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	free(pass);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		return bk_cli_fail("cc", "%s: compilation failed", src);
	}
	return 0;
}
