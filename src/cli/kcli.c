#include "kcli.h"
#if BK_HAVE_KERN
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct bk_kern_fmt bk_kcli_fmt(void)
{
	return BK_OPTS_INIT(bk_kern_fmt, .json = bk_cli.json, .pretty = bk_cli.pretty,
			    .bpffs = bk_cli.bpffs);
}

void bk_kcli_flush(struct bk_buf *b)
{
	if (b->len)
		fwrite(b->data, 1, b->len, stdout);
	fflush(stdout);
	bk_buf_free(b);
}

void bk_kcli_close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
}

int bk_kcli_progs(int argc, char **argv, int *used, int **fds, int all_words, const char *cmd)
{
	struct bk_err e = { 0 };
	int u = 0, n = bk_kern_prog_fds(argc, argv, &u, fds, &e);
	if (used)
		*used = u;
	if (n < 0) {
		bk_kcli_fail(cmd, &e);
		return -1;
	}
	if (all_words && u != argc) {
		bk_kcli_close_fds(*fds, n);
		*fds = NULL;
		bk_cli_fail(cmd, "unexpected '%s'", argv[u]);
		return -1;
	}
	return n;
}

int bk_kcli_prog(int argc, char **argv, int *used, const char *cmd)
{
	int *fds, n = bk_kcli_progs(argc, argv, used, &fds, 0, cmd);
	if (n < 0)
		return -1;
	if (n > 1) {
		bk_kcli_close_fds(fds, n);
		bk_cli_fail(cmd, "%d programs match '%s %s': use id or pinned", n, argv[0], argv[1]);
		return -1;
	}
	int fd = fds[0];
	free(fds);
	return fd;
}

int bk_kcli_map(int argc, char **argv, int *used, const char *cmd)
{
	struct bk_err e = { 0 };
	int u = 0, fd = bk_kern_map_fd(argc, argv, &u, &e);
	if (used)
		*used = u;
	if (fd < 0)
		bk_kcli_fail(cmd, &e);
	return fd < 0 ? -1 : fd;
}

int bk_kcli_u64(const char *word, uint64_t *v)
{
	char *end;
	errno = 0;
	if (!word || !*word || *word == '-')
		return -1;
	unsigned long long x = strtoull(word, &end, 0);
	if (*end || errno)
		return -1;
	*v = x;
	return 0;
}

void bk_kcli_init(void)
{
	bk_kern_log_capture(bk_cli.debug);
}

int bk_kcli_start(int argc, char **argv, void (*usage)(FILE *f))
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
	return -1;
}

int bk_kcli_fail(const char *cmd, const struct bk_err *err)
{
	if (bk_cli.debug && bk_kern_log()[0])
		fprintf(stderr, "%s", bk_kern_log());
	return bk_cli_fail(cmd, "%s", err->msg[0] ? err->msg : "failed");
}

int bk_kcli_bytes(int argc, char **argv, struct bk_buf *out, const char *what, const char *cmd)
{
	int i = 0, base = 0;
	if (i < argc && !strcmp(argv[i], "hex")) {
		base = 16;
		i++;
	}
	int start = i;
	for (; i < argc; i++) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(argv[i], &end, base);
		if (!*argv[i] || *end || errno)
			break;   /* the next keyword */
		if (v > 255) {
			bk_cli_fail(cmd, "%s: '%s' is not a byte (0..255)", what, argv[i]);
			return -1;
		}
		uint8_t b = (uint8_t)v;
		bk_buf_append(out, &b, 1);
	}
	if (i == start) {
		bk_cli_fail(cmd, "%s: expected bytes, got '%s'", what, i < argc ? argv[i] : "nothing");
		return -1;
	}
	return i;
}
#endif
