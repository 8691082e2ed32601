/* kernrun: runs one corpus program in the kernel as a .run file describes
 * (tests/corpus/README.md) and prints a transcript that the userspace runtime can be
 * compared with. Built by tests/corpus_kernel/test_run.sh with libbpf; not part of bpfkit.
 *
 *   kernrun OBJ RUNFILE PKTDIR
 *
 * Exit status: 0 all expectations held, 1 an expectation failed (one line on stderr per
 * failure), 2 the object or the .run file could not be used. */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>

#define MAX_PKT 4096
#define MAX_RUNS 32
#define MAX_DUMPS 8

struct run {
	int line;
	char prog[128];
	unsigned char pkt[MAX_PKT];
	unsigned int len;
	long long want_retval; /* LLONG_MIN: not checked */
	long long want_size;
	struct __sk_buff ctx;
};

static char prog_name[128];
static char dumps[MAX_DUMPS][64];
static int ndumps;
static struct run runs[MAX_RUNS];
static int nruns;
static const char *runfile;

static int die(int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", runfile, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* Hex digits with any whitespace between bytes; '#' starts a comment to the end of line. */
static unsigned int parse_hex(const char *s, unsigned char *out, unsigned int have, int line)
{
	int hi = -1;

	for (; *s; s++) {
		if (*s == '#') {
			while (*s && *s != '\n')
				s++;
			if (!*s)
				break;
			continue;
		}
		if (isspace((unsigned char)*s))
			continue;
		if (!isxdigit((unsigned char)*s))
			die(line, "bad hex digit '%c'", *s);
		int v = isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10);
		if (hi < 0) {
			hi = v;
		} else {
			if (have >= MAX_PKT)
				die(line, "packet longer than %d bytes", MAX_PKT);
			out[have++] = hi << 4 | v;
			hi = -1;
		}
	}
	if (hi >= 0)
		die(line, "odd number of hex digits");
	return have;
}

static void load_pkt(const char *dir, const char *name, struct run *r, int line)
{
	char path[512], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s.hex", dir, name);
	f = fopen(path, "r");
	if (!f)
		die(line, "no packet named '%s' (%s)", name, path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	if (!buf || fread(buf, 1, n, f) != (size_t)n)
		die(line, "cannot read %s", path);
	fclose(f);
	r->len = parse_hex(buf, r->pkt, 0, line);
	free(buf);
}

static long long number(const char *s, int line)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || *end || end == s)
		die(line, "bad number '%s'", s);
	return v;
}

static void parse(const char *path, const char *pktdir)
{
	char buf[8192];
	int line = 0;
	FILE *f = fopen(path, "r");
	struct __sk_buff ctx = {};

	if (!f)
		die(0, "cannot open");
	while (fgets(buf, sizeof(buf), f)) {
		char *w[64], *save, *t;
		int n = 0;

		line++;
		if ((t = strchr(buf, '#')))
			*t = 0;
		for (t = strtok_r(buf, " \t\r\n", &save); t && n < 64; t = strtok_r(NULL, " \t\r\n", &save))
			w[n++] = t;
		if (!n)
			continue;
		if (!strcmp(w[0], "prog") && n == 2) {
			snprintf(prog_name, sizeof(prog_name), "%s", w[1]);
		} else if (!strcmp(w[0], "dump")) {
			for (int i = 1; i < n; i++) {
				if (ndumps == MAX_DUMPS)
					die(line, "more than %d maps to dump", MAX_DUMPS);
				snprintf(dumps[ndumps++], sizeof(dumps[0]), "%s", w[i]);
			}
		} else if (!strcmp(w[0], "ctx")) {
			memset(&ctx, 0, sizeof(ctx));
			for (int i = 1; i < n; i++) {
				char *eq = strchr(w[i], '=');
				if (!eq)
					die(line, "ctx wants FIELD=VALUE, got '%s'", w[i]);
				*eq = 0;
				long long v = number(eq + 1, line);
				if (!strcmp(w[i], "mark"))
					ctx.mark = v;
				else if (!strcmp(w[i], "priority"))
					ctx.priority = v;
				else
					die(line, "unknown ctx field '%s'", w[i]);
			}
		} else if (!strcmp(w[0], "in") && n >= 3) {
			struct run *r;
			if (nruns == MAX_RUNS)
				die(line, "more than %d runs", MAX_RUNS);
			r = &runs[nruns++];
			r->line = line;
			if (!prog_name[0])
				die(line, "'in' before any 'prog'");
			snprintf(r->prog, sizeof(r->prog), "%s", prog_name);
			r->want_retval = r->want_size = -1;
			r->ctx = ctx;
			if (!strcmp(w[1], "pkt") && n == 3) {
				load_pkt(pktdir, w[2], r, line);
			} else if (!strcmp(w[1], "hex")) {
				for (int i = 2; i < n; i++)
					r->len = parse_hex(w[i], r->pkt, r->len, line);
			} else {
				die(line, "'in' wants 'pkt NAME' or 'hex BYTES'");
			}
		} else if (!strcmp(w[0], "expect") && n == 3) {
			if (!nruns)
				die(line, "'expect' before any 'in'");
			if (!strcmp(w[1], "retval"))
				runs[nruns - 1].want_retval = number(w[2], line);
			else if (!strcmp(w[1], "size"))
				runs[nruns - 1].want_size = number(w[2], line);
			else
				die(line, "unknown expectation '%s'", w[1]);
		} else {
			die(line, "cannot parse '%s'", w[0]);
		}
	}
	fclose(f);
	if (!prog_name[0])
		die(line, "no 'prog' line");
	if (!nruns)
		die(line, "no 'in' line");
}

static void hex(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
}

static int keycmp_size;
static int keycmp(const void *a, const void *b)
{
	return memcmp(a, b, keycmp_size);
}

static int rb_record(void *ctx, void *data, size_t size)
{
	printf("record %s ", (const char *)ctx);
	hex(data, size);
	printf("\n");
	return 0;
}

static void dump_map(struct bpf_object *obj, const char *want)
{
	struct bpf_map *m, *found = NULL;
	int ncpu = libbpf_num_possible_cpus();

	bpf_object__for_each_map(m, obj) {
		const char *name = bpf_map__name(m);
		size_t ln = strlen(name), lw = strlen(want);
		if (!strcmp(name, want) || (want[0] == '.' && ln > lw && !strcmp(name + ln - lw, want)))
			found = m;
	}
	if (!found) {
		printf("map %s missing\n", want);
		return;
	}
	int fd = bpf_map__fd(found);
	unsigned int ks = bpf_map__key_size(found), vs = bpf_map__value_size(found);
	enum bpf_map_type type = bpf_map__type(found);
	int percpu = type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
		     type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	size_t vbuf = percpu ? ((vs + 7) & ~7u) * ncpu : vs;

	if (type == BPF_MAP_TYPE_RINGBUF) {
		struct ring_buffer *rb = ring_buffer__new(fd, rb_record, (void *)want, NULL);
		if (rb) {
			ring_buffer__consume(rb);
			ring_buffer__free(rb);
		}
		return;
	}
	if (type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK) {
		unsigned char *v = malloc(vs);
		while (v && bpf_map_lookup_and_delete_elem(fd, NULL, v) == 0) {
			printf("pop %s ", want);
			hex(v, vs);
			printf("\n");
		}
		free(v);
		return;
	}
	if (type != BPF_MAP_TYPE_ARRAY && type != BPF_MAP_TYPE_HASH && type != BPF_MAP_TYPE_LRU_HASH &&
	    !percpu) {
		printf("map %s type %d not dumped\n", want, type);
		return;
	}
	size_t cap = 16, n = 0;
	unsigned char *keys = malloc(cap * ks), *key = malloc(ks), *prev = NULL, *val = malloc(vbuf);
	while (keys && key && val && bpf_map_get_next_key(fd, prev, key) == 0) {
		if (n == cap) {
			cap *= 2;
			keys = realloc(keys, cap * ks);
			if (!keys)
				break;
		}
		memcpy(keys + n * ks, key, ks);
		prev = keys + n * ks;
		n++;
	}
	keycmp_size = ks;
	if (keys)
		qsort(keys, n, ks, keycmp);
	for (size_t i = 0; keys && val && i < n; i++) {
		if (bpf_map_lookup_elem(fd, keys + i * ks, val))
			continue;
		printf("map %s ", want);
		hex(keys + i * ks, ks);
		printf(" ");
		hex(val, vs); /* per-CPU maps: CPU 0's value, the CPU this process runs on */
		printf("\n");
	}
	free(keys);
	free(key);
	free(val);
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	cpu_set_t cpus;
	int failed = 0, err;

	if (argc != 4) {
		fprintf(stderr, "usage: kernrun OBJ RUNFILE PKTDIR\n");
		return 2;
	}
	runfile = argv[2];
	parse(argv[2], argv[3]);

	/* Per-CPU map values are read for CPU 0, so the program must run there. */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		die(0, "cannot pin to CPU 0");

	libbpf_set_print(quiet);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj)
		die(0, "cannot open %s: %s", argv[1], strerror(errno));
	err = bpf_object__load(obj);
	if (err)
		die(0, "cannot load %s: %s", argv[1], strerror(-err));
	for (int i = 0; i < nruns; i++) {
		struct run *r = &runs[i];
		static unsigned char out[MAX_PKT + 512];
		struct __sk_buff ctx_out = {};
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = r->pkt, .data_size_in = r->len,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
		enum bpf_prog_type type;
		int skb;

		prog = bpf_object__find_program_by_name(obj, r->prog);
		if (!prog)
			die(r->line, "no program '%s' in %s", r->prog, argv[1]);
		type = bpf_program__type(prog);
		/* skb programs always get a context, so what they write to it can be shown. */
		skb = type == BPF_PROG_TYPE_SOCKET_FILTER || type == BPF_PROG_TYPE_SCHED_CLS ||
		      type == BPF_PROG_TYPE_SCHED_ACT;
		if (skb) {
			o.ctx_in = &r->ctx;
			o.ctx_size_in = sizeof(r->ctx);
			o.ctx_out = &ctx_out;
			o.ctx_size_out = sizeof(ctx_out);
		}
		err = bpf_prog_test_run_opts(bpf_program__fd(prog), &o);
		if (err) {
			printf("run %d error %d\n", i + 1, -errno);
			fprintf(stderr, "%s:%d: run %d: BPF_PROG_TEST_RUN failed: %s\n", runfile, r->line, i + 1,
				strerror(errno));
			failed = 1;
			continue;
		}
		printf("run %d retval %u size %u\n", i + 1, o.retval, o.data_size_out);
		printf("data ");
		hex(out, o.data_size_out < sizeof(out) ? o.data_size_out : sizeof(out));
		printf("\n");
		if (skb)
			printf("ctx mark=%u priority=%u cb=%u,%u,%u,%u,%u\n", ctx_out.mark, ctx_out.priority,
			       ctx_out.cb[0], ctx_out.cb[1], ctx_out.cb[2], ctx_out.cb[3], ctx_out.cb[4]);
		if (r->want_retval >= 0 && (long long)o.retval != r->want_retval) {
			fprintf(stderr, "%s:%d: run %d: retval %u, expected %lld\n", runfile, r->line, i + 1, o.retval,
				r->want_retval);
			failed = 1;
		}
		if (r->want_size >= 0 && (long long)o.data_size_out != r->want_size) {
			fprintf(stderr, "%s:%d: run %d: output size %u, expected %lld\n", runfile, r->line, i + 1,
				o.data_size_out, r->want_size);
			failed = 1;
		}
	}
	for (int i = 0; i < ndumps; i++)
		dump_map(obj, dumps[i]);
	bpf_object__close(obj);
	return failed;
}
