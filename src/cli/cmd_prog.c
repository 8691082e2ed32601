/* bpfkit prog: bpftool's prog command over libbpf. */
#define _GNU_SOURCE
#include "kcli.h"

BK_COMMAND(prog, bk_cmd_prog, "load, show, pin, dump, run, attach kernel BPF programs (as bpftool)")

#if !BK_HAVE_KERN
BK_CLI_NO_KERN(prog)
#else
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bpfkit [-j|-p] [-d] [-f] prog COMMAND\n"
		"  prog { show | list } [PROG]\n"
		"  prog load OBJ PATH [type TYPE] [map { idx IDX | name NAME } MAP]... [pinmaps DIR]\n"
		"  prog loadall OBJ DIR [type TYPE] [map ...]... [pinmaps DIR]\n"
		"  prog pin PROG FILE\n"
		"  prog dump xlated PROG [{ file FILE | opcodes | linum | visual }]\n"
		"  prog dump jited PROG [opcodes]\n"
		"  prog run PROG data_in FILE [data_out FILE [data_size_out L]] [ctx_in FILE [ctx_out FILE]] [repeat N]\n"
		"  prog profile PROG [duration S] METRIC...\n"
		"  prog tracelog\n"
		"  prog { attach | detach } PROG ATTACH_TYPE [MAP]\n"
		"  PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }\n"
		"  MAP := { id MAP_ID | pinned FILE | name MAP_NAME }\n"
		"  ATTACH_TYPE := { sk_msg_verdict | sk_skb_verdict | sk_skb_stream_verdict |\n"
		"                   sk_skb_stream_parser | flow_dissector }\n"
		"  METRIC := { cycles | instructions | l1d_loads | llc_misses | itlb_misses | dtlb_misses |\n"
		"              cpu_clock }   (cpu_clock: a software counter, for machines without a PMU)\n");
}

static int do_show(int argc, char **argv)
{
	struct bk_kern_fmt fmt = bk_kcli_fmt();
	struct bk_buf out = { 0 };
	struct bk_err e = { 0 };
	int r;
	if (argc == 0) {
		r = bk_kern_prog_list(NULL, 0, &fmt, &out, &e);
	} else {
		int *fds, n = bk_kcli_progs(argc, argv, NULL, &fds, 1, "prog show");
		if (n < 0)
			return 1;
		r = bk_kern_prog_list(fds, n, &fmt, &out, &e);
		/* Several matches print as an array even for one tag/name match in bpftool;
		 * one object is what id/pinned give. */
		bk_kcli_close_fds(fds, n);
	}
	if (r) {
		bk_buf_free(&out);
		return bk_kcli_fail("prog show", &e);
	}
	bk_kcli_flush(&out);
	return 0;
}

static int do_load(int argc, char **argv, int all)
{
	const char *cmd = all ? "prog loadall" : "prog load";
	if (argc < 2)
		return bk_cli_fail(cmd, "expected OBJ and PATH (see bpfkit prog --help)");
	struct bk_kern_map_reuse reuse[64];
	size_t nreuse = 0;
	struct bk_kern_load_opts o = BK_OPTS_INIT(bk_kern_load_opts, .all = all, .log_all = bk_cli.debug);
	int r = 1;
	for (int i = 2; i < argc;) {
		if (!strcmp(argv[i], "type") && i + 1 < argc) {
			o.type = argv[i + 1];
			i += 2;
		} else if (!strcmp(argv[i], "pinmaps") && i + 1 < argc) {
			o.pinmaps = argv[i + 1];
			i += 2;
		} else if (!strcmp(argv[i], "map") && i + 2 < argc) {
			if (nreuse == 64) {
				bk_cli_fail(cmd, "too many 'map' arguments");
				goto out;
			}
			struct bk_kern_map_reuse *m = &reuse[nreuse];
			if (!strcmp(argv[i + 1], "idx")) {
				char *end;
				long v = strtol(argv[i + 2], &end, 0);
				if (*end || v < 0 || v > 1000000) {
					bk_cli_fail(cmd, "bad map index '%s'", argv[i + 2]);
					goto out;
				}
				m->idx = (int)v;
				m->name = NULL;
			} else if (!strcmp(argv[i + 1], "name")) {
				m->idx = -1;
				m->name = argv[i + 2];
			} else {
				bk_cli_fail(cmd, "expected 'idx' or 'name' after 'map', got '%s'", argv[i + 1]);
				goto out;
			}
			int used;
			m->fd = bk_kcli_map(argc - i - 3, argv + i + 3, &used, cmd);
			if (m->fd < 0)
				goto out;
			nreuse++;
			i += 3 + used;
		} else {
			bk_cli_fail(cmd, "unexpected '%s' (see bpfkit prog --help)", argv[i]);
			goto out;
		}
	}
	o.reuse = reuse;
	o.nreuse = nreuse;
	struct bk_err e = { 0 };
	struct bk_buf vlog = { 0 };
	int n = bk_kern_prog_load(argv[0], argv[1], &o, &vlog, &e);
	if (n < 0) {
		bk_kcli_fail(cmd, &e);
		/* The verifier's own words, after the one-line error. */
		if (vlog.len)
			fprintf(stderr, "verifier log%s:\n%.*s", bk_cli.debug ? "" : " (last lines; -d for all)",
				(int)vlog.len, (const char *)vlog.data);
		bk_buf_free(&vlog);
		goto out;
	}
	bk_buf_free(&vlog);
	if (bk_cli.debug)
		fprintf(stderr, "%s", bk_kern_log());
	if (bk_cli.json)
		printf("null\n");
	r = 0;
out:
	for (size_t k = 0; k < nreuse; k++)
		close(reuse[k].fd);
	return r;
}

static int do_pin(int argc, char **argv)
{
	int used, fd = bk_kcli_prog(argc, argv, &used, "prog pin");
	if (fd < 0)
		return 1;
	if (argc != used + 1) {
		close(fd);
		return bk_cli_fail("prog pin", "expected PROG FILE");
	}
	struct bk_err e = { 0 };
	int r = bk_kern_pin(fd, argv[used], &e);
	close(fd);
	if (r)
		return bk_kcli_fail("prog pin", &e);
	if (bk_cli.json)
		printf("null\n");
	return 0;
}

static int do_dump(int argc, char **argv)
{
	if (argc < 1 || (strcmp(argv[0], "xlated") && strcmp(argv[0], "jited")))
		return bk_cli_fail("prog dump", "expected 'xlated' or 'jited'");
	int jited = !strcmp(argv[0], "jited");
	struct bk_err e = { 0 };
	int used, *fds, n = bk_kcli_progs(argc - 1, argv + 1, &used, &fds, 0, "prog dump");
	if (n < 0)
		return 1;
	enum bk_kern_dump_mode mode = BK_DUMP_PLAIN;
	const char *file = NULL;
	int i = 1 + used, r = 0;
	if (i < argc) {
		if (!strcmp(argv[i], "file") && i + 1 < argc && !jited) {
			mode = BK_DUMP_FILE;
			file = argv[++i];
		} else if (!strcmp(argv[i], "opcodes")) {
			mode = BK_DUMP_OPCODES;
		} else if (!strcmp(argv[i], "linum") && !jited) {
			mode = BK_DUMP_LINUM;
		} else if (!strcmp(argv[i], "visual") && !jited) {
			mode = BK_DUMP_VISUAL;
		} else {
			bk_kcli_close_fds(fds, n);
			return bk_cli_fail("prog dump", "unexpected '%s'", argv[i]);
		}
		if (++i < argc) {
			bk_kcli_close_fds(fds, n);
			return bk_cli_fail("prog dump", "unexpected '%s'", argv[i]);
		}
	}
	if (file && n > 1) {
		bk_kcli_close_fds(fds, n);
		return bk_cli_fail("prog dump", "%d programs match: 'file' takes one", n);
	}
	struct bk_kern_fmt fmt = bk_kcli_fmt();
	struct bk_buf out = { 0 };
	for (int k = 0; k < n && !r; k++) {
		if (jited)
			r = bk_kern_prog_dump_jited(fds[k], mode == BK_DUMP_OPCODES, &fmt, &out, &e);
		else
			r = bk_kern_prog_dump_xlated(fds[k], mode, &fmt, &out, &e);
	}
	bk_kcli_close_fds(fds, n);
	if (r) {
		bk_buf_free(&out);
		return bk_kcli_fail("prog dump", &e);
	}
	if (file) {
		r = bk_write_file(file, out.data, out.len, &e);
		bk_buf_free(&out);
		return r ? bk_kcli_fail("prog dump", &e) : 0;
	}
	bk_kcli_flush(&out);
	return 0;
}

static int read_in(const char *path, struct bk_buf *b, const char *what)
{
	struct bk_err e = { 0 };
	uint8_t *d;
	size_t len;
	if (bk_read_file(path, &d, &len, &e)) {
		bk_cli_fail("prog run", "%s: %s", what, e.msg);
		return -1;
	}
	b->data = d;
	b->len = len;
	b->cap = len + 1;
	return 0;
}

static int write_out(const char *path, const struct bk_buf *b, const char *what)
{
	if (!strcmp(path, "-")) {
		/* A hex dump on stdout, as bpftool prints it. */
		if (bk_cli.json)
			return 0;
		printf("%s:\n", what);
		for (size_t i = 0; i < b->len; i++)
			printf("%02x%s", b->data[i], (i % 16 == 15 || i + 1 == b->len) ? "\n" : " ");
		return 0;
	}
	struct bk_err e = { 0 };
	if (bk_write_file(path, b->data ? (const void *)b->data : "", b->len, &e)) {
		bk_cli_fail("prog run", "%s: %s", what, e.msg);
		return -1;
	}
	return 0;
}

static int do_run(int argc, char **argv)
{
	int used, fd = bk_kcli_prog(argc, argv, &used, "prog run");
	if (fd < 0)
		return 1;
	const char *din = NULL, *dout = NULL, *cin = NULL, *cout = NULL;
	unsigned long repeat = 1, dsize = 0, csize = 0;
	int r = 1;
	struct bk_buf dbuf = { 0 }, cbuf = { 0 };
	struct bk_kern_run_result res = { 0 };
	for (int i = used; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end = NULL;
		if (!v) {
			bk_cli_fail("prog run", "'%s' needs a value", k);
			goto out;
		}
		if (!strcmp(k, "data_in")) din = v;
		else if (!strcmp(k, "data_out")) dout = v;
		else if (!strcmp(k, "ctx_in")) cin = v;
		else if (!strcmp(k, "ctx_out")) cout = v;
		else if (!strcmp(k, "repeat") || !strcmp(k, "data_size_out") || !strcmp(k, "ctx_size_out")) {
			unsigned long x = strtoul(v, &end, 0);
			if (*end || v[0] == '-' || x > UINT32_MAX) {
				bk_cli_fail("prog run", "bad %s '%s'", k, v);
				goto out;
			}
			if (k[0] == 'r') repeat = x; else if (k[0] == 'd') dsize = x; else csize = x;
		} else {
			bk_cli_fail("prog run", "unexpected '%s' (see bpfkit prog --help)", k);
			goto out;
		}
	}
	if (!din) {
		bk_cli_fail("prog run", "data_in FILE is required");
		goto out;
	}
	if (cout && !cin) {
		bk_cli_fail("prog run", "ctx_out needs ctx_in");
		goto out;
	}
	if (read_in(din, &dbuf, "data_in") || (cin && read_in(cin, &cbuf, "ctx_in")))
		goto out;
	struct bk_kern_run_opts o = BK_OPTS_INIT(bk_kern_run_opts, .data_in = dbuf.data,
		.data_in_len = dbuf.len, .ctx_in = cbuf.data, .ctx_in_len = cbuf.len,
		.data_out_cap = dout ? dsize : 0, .ctx_out_cap = cout ? csize : 0,
		.repeat = (unsigned)repeat);
	if (!dout)
		o.data_out_cap = 0;
	struct bk_err e = { 0 };
	if (bk_kern_prog_run(fd, &o, &res, &e)) {
		bk_kcli_fail("prog run", &e);
		goto out;
	}
	if (dout && write_out(dout, &res.data_out, "data_out"))
		goto out;
	if (cout && write_out(cout, &res.ctx_out, "context_out"))
		goto out;
	if (bk_cli.json) {
		printf("{\"retval\":%u,\"duration\":%u", res.retval, res.duration_ns);
		if (dout && !strcmp(dout, "-")) {
			printf(",\"data_out\":[");
			for (size_t i = 0; i < res.data_out.len; i++)
				printf("%s\"0x%02x\"", i ? "," : "", res.data_out.data[i]);
			printf("]");
		}
		printf("}\n");
	} else {
		printf("Return value: %u, duration%s: %uns\n", res.retval, repeat > 1 ? " (average)" : "",
		       res.duration_ns);
	}
	r = 0;
out:
	bk_buf_free(&dbuf);
	bk_buf_free(&cbuf);
	bk_buf_free(&res.data_out);
	bk_buf_free(&res.ctx_out);
	close(fd);
	return r;
}

static volatile int profile_stop;
static void on_profile_signal(int s) { profile_stop = 1; }

static int do_profile(int argc, char **argv)
{
	int used, fd = bk_kcli_prog(argc, argv, &used, "prog profile");
	if (fd < 0)
		return 1;
	int i = used, nmet = 0, met[8];
	unsigned duration_ms = 0;
	if (i + 1 < argc && !strcmp(argv[i], "duration")) {
		char *end;
		long s = strtol(argv[i + 1], &end, 0);
		if (*end || s <= 0 || s > 86400) {
			close(fd);
			return bk_cli_fail("prog profile", "bad duration '%s' (seconds, 1 to 86400)", argv[i + 1]);
		}
		duration_ms = (unsigned)s * 1000;
		i += 2;
	}
	for (; i < argc; i++) {
		int m = bk_kern_profile_metric(argv[i]);
		if (m < 0 || nmet >= 8) {
			close(fd);
			return bk_cli_fail("prog profile", "unknown metric '%s' (cycles, instructions, l1d_loads, "
					   "llc_misses, itlb_misses, dtlb_misses, cpu_clock)", argv[i]);
		}
		for (int k = 0; k < nmet; k++)
			if (met[k] == m) {
				close(fd);
				return bk_cli_fail("prog profile", "metric '%s' given twice", argv[i]);
			}
		met[nmet++] = m;
	}
	if (!nmet) {
		close(fd);
		return bk_cli_fail("prog profile", "no METRIC given");
	}
	/* As bpftool: until the duration ends or Ctrl-C; then the readings. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_profile_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct bk_kern_profile_opts po = BK_OPTS_INIT(bk_kern_profile_opts, .metrics = met, .nmetrics = (size_t)nmet,
						       .duration_ms = duration_ms, .stop = &profile_stop);
	struct bk_kern_profile_result res;
	struct bk_err e = { 0 };
	int r = bk_kern_profile(fd, &po, &res, &e);
	close(fd);
	if (r < 0)
		return bk_kcli_fail("prog profile", &e);
	struct bk_kern_fmt fmt = bk_kcli_fmt();
	struct bk_buf out = { 0 };
	bk_kern_profile_render(&res, &fmt, &out);
	bk_kcli_flush(&out);
	return 0;
}

static volatile sig_atomic_t stop;
static void on_signal(int s) { stop = 1; }

static int do_tracelog(int argc, char **argv)
{
	if (argc)
		return bk_cli_fail("prog tracelog", "unexpected '%s'", argv[0]);
	FILE *m = fopen("/proc/self/mounts", "r");
	char line[1024], dev[256], dir[768], type[64], path[900] = "";
	while (m && fgets(line, sizeof(line), m)) {
		if (sscanf(line, "%255s %767s %63s", dev, dir, type) != 3)
			continue;
		if (!strcmp(type, "tracefs")) {
			snprintf(path, sizeof(path), "%s/trace_pipe", dir);
			break;
		}
		if (!strcmp(type, "debugfs") && !path[0])
			snprintf(path, sizeof(path), "%s/tracing/trace_pipe", dir);
	}
	if (m)
		fclose(m);
	if (!path[0])
		return bk_cli_fail("prog tracelog", "no tracefs mounted (mount -t tracefs tracefs /sys/kernel/tracing)");
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return bk_cli_fail("prog tracelog", "%s: %s", path, strerror(errno));
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	char buf[4096];
	while (!stop) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		fwrite(buf, 1, (size_t)n, stdout);
		fflush(stdout);
	}
	close(fd);
	return 0;
}

static int do_attach(int argc, char **argv, int detach)
{
	const char *cmd = detach ? "prog detach" : "prog attach";
	int used, fd = bk_kcli_prog(argc, argv, &used, cmd);
	if (fd < 0)
		return 1;
	if (used >= argc) {
		close(fd);
		return bk_cli_fail(cmd, "expected ATTACH_TYPE");
	}
	const char *at = argv[used++];
	int mfd = -1;
	struct bk_err e = { 0 };
	if (used < argc) {
		int mu;
		mfd = bk_kcli_map(argc - used, argv + used, &mu, cmd);
		if (mfd < 0) {
			close(fd);
			return 1;
		}
		if (used + mu != argc) {
			close(fd);
			close(mfd);
			return bk_cli_fail(cmd, "unexpected '%s'", argv[used + mu]);
		}
	}
	int r = bk_kern_prog_attach(fd, at, mfd, detach, &e);
	close(fd);
	if (mfd >= 0)
		close(mfd);
	if (r)
		return bk_kcli_fail(cmd, &e);
	if (bk_cli.json)
		printf("null\n");
	return 0;
}

int bk_cmd_prog(int argc, char **argv)
{
	int st = bk_kcli_start(argc, argv, usage);
	if (st >= 0)
		return st;
	const char *c = argv[1];
	argc -= 2;
	argv += 2;
	if (!strcmp(c, "show") || !strcmp(c, "list"))
		return do_show(argc, argv);
	if (!strcmp(c, "load"))
		return do_load(argc, argv, 0);
	if (!strcmp(c, "loadall"))
		return do_load(argc, argv, 1);
	if (!strcmp(c, "pin"))
		return do_pin(argc, argv);
	if (!strcmp(c, "dump"))
		return do_dump(argc, argv);
	if (!strcmp(c, "run"))
		return do_run(argc, argv);
	if (!strcmp(c, "profile"))
		return do_profile(argc, argv);
	if (!strcmp(c, "tracelog"))
		return do_tracelog(argc, argv);
	if (!strcmp(c, "attach"))
		return do_attach(argc, argv, 0);
	if (!strcmp(c, "detach"))
		return do_attach(argc, argv, 1);
	return bk_cli_fail("prog", "unknown command '%s' (see bpfkit prog --help)", c);
}
#endif
