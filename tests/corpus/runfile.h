/* What the two corpus runners share: tests/corpus_kernel/kernrun.c (the kernel, through
 * libbpf) and tests/run/bkrun.c (libbpfkit alone) read the same .run files (README.md
 * here) and must print transcripts that compare byte for byte, so the reading of a .run
 * file and every line of the transcript are written once, here:
 *   run N retval R size S / data HEX / ctx mark=.. priority=.. cb=..   per input
 *   run N error E                                                      a run that failed
 *   map NAME KEY VALUE | record NAME HEX | pop NAME HEX                per dumped map
 * Each runner is one translation unit and includes this once. */
#ifndef BK_TEST_RUNFILE_H
#define BK_TEST_RUNFILE_H
#include <ctype.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PKT 4096
#define MAX_RUNS 32
#define MAX_DUMPS 8

struct run {
	int line;
	char prog[128];
	unsigned char pkt[MAX_PKT];
	unsigned int len;
	long long want_retval; /* -1: not checked */
	long long want_size;
	struct __sk_buff ctx;
};

static char prog_name[128];
static char dumps[MAX_DUMPS][64];
static int ndumps;
static struct run runs[MAX_RUNS];
static int nruns;
static const char *runfile;

/* A .run file (or the object) that cannot be used: "RUNFILE:LINE: why", exit status 2. */
static __attribute__((noreturn, format(printf, 2, 3))) void die(int line, const char *fmt, ...)
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
			out[have++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		die(line, "odd number of hex digits");
	return have;
}

static void load_pkt(const char *dir, const char *name, struct run *r, int line)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s.hex", dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		die(line, "no packet named '%s' (%s)", name, path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *buf = n < 0 ? NULL : calloc(1, (size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die(line, "cannot read %s", path);
	fclose(f);
	r->len = parse_hex(buf, r->pkt, 0, line);
	free(buf);
}

static long long number(const char *s, int line)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 0);
	if (errno || *end || end == s)
		die(line, "bad number '%s'", s);
	return v;
}

/* Fills prog_name, dumps and runs from the .run file PATH, packets named in it being
 * PKTDIR/NAME.hex; the expectations are recorded for the runner that checks them. */
static void parse(const char *path, const char *pktdir)
{
	char buf[8192];
	int line = 0;
	FILE *f = fopen(path, "r");
	struct __sk_buff ctx;
	memset(&ctx, 0, sizeof(ctx));
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
					ctx.mark = (__u32)v;
				else if (!strcmp(w[i], "priority"))
					ctx.priority = (__u32)v;
				else
					die(line, "unknown ctx field '%s'", w[i]);
			}
		} else if (!strcmp(w[0], "in") && n >= 3) {
			if (nruns == MAX_RUNS)
				die(line, "more than %d runs", MAX_RUNS);
			struct run *r = &runs[nruns++];
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

/* The command line both runners take: OBJ RUNFILE PKTDIR; parses the .run file. */
static void runfile_args(int argc, char **argv, const char *me)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s OBJ RUNFILE PKTDIR\n", me);
		exit(2);
	}
	runfile = argv[2];
	parse(argv[2], argv[3]);
}

static void hex(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
}

/* The transcript of run I (from 0): return value, output size, the LEN bytes of output
 * DATA holds, and for skb programs (CTX not NULL) the context fields a program may write. */
static void print_run(int i, unsigned retval, size_t size, const void *data, size_t len,
		      const struct __sk_buff *ctx)
{
	printf("run %d retval %u size %zu\n", i + 1, retval, size);
	printf("data ");
	hex(data, len);
	printf("\n");
	if (ctx)
		printf("ctx mark=%u priority=%u cb=%u,%u,%u,%u,%u\n", ctx->mark, ctx->priority, ctx->cb[0],
		       ctx->cb[1], ctx->cb[2], ctx->cb[3], ctx->cb[4]);
}

/* Run I failed with the negative errno CODE: a transcript line, and WHY on stderr. */
static void print_run_error(int i, int code, const char *why)
{
	printf("run %d error %d\n", i + 1, code);
	fprintf(stderr, "%s:%d: run %d: %s\n", runfile, runs[i].line, i + 1, why);
}

/* A map a "dump" line names: its own name, or for WANT ".data", ".bss", ... the map of
 * that section whatever object-name prefix the loader gave it. */
static int map_name_matches(const char *name, const char *want)
{
	size_t ln = strlen(name), lw = strlen(want);
	return !strcmp(name, want) || (want[0] == '.' && ln > lw && !strcmp(name + ln - lw, want));
}

static void print_record(const char *map, const void *data, size_t size)
{
	printf("record %s ", map);
	hex(data, size);
	printf("\n");
}

/* A queue or stack map, emptied: POP(M, VALUE) returns 0 while there is a value. */
static void dump_pop(const char *want, size_t vs, int (*pop)(void *m, void *value), void *m)
{
	unsigned char *v = malloc(vs);
	while (v && pop(m, v) == 0) {
		printf("pop %s ", want);
		hex(v, vs);
		printf("\n");
	}
	free(v);
}

static size_t keycmp_size;
static int keycmp(const void *a, const void *b)
{
	return memcmp(a, b, keycmp_size);
}

/* A map with keys, in key order (so hash maps compare whatever order each side keeps):
 * NEXT(M, PREV or NULL, KEY) and LOOKUP(M, KEY, VALUE) return 0 on success; VBUF bytes
 * hold what a lookup writes (all CPUs' values of a per-CPU map), of which the first VS,
 * CPU 0's, are printed. */
static void dump_keyed(const char *want, size_t ks, size_t vs, size_t vbuf,
		       int (*next)(void *m, const void *prev, void *key),
		       int (*lookup)(void *m, const void *key, void *value), void *m)
{
	size_t cap = 16, n = 0;
	unsigned char *keys = malloc(cap * ks), *key = malloc(ks), *prev = NULL, *val = malloc(vbuf);
	while (keys && key && val && next(m, prev, key) == 0) {
		if (n == cap) {
			cap *= 2;
			unsigned char *k2 = realloc(keys, cap * ks);
			if (!k2)
				break;
			keys = k2;
		}
		memcpy(keys + n * ks, key, ks);
		prev = keys + n * ks;
		n++;
	}
	keycmp_size = ks;
	if (keys)
		qsort(keys, n, ks, keycmp);
	for (size_t i = 0; keys && val && i < n; i++) {
		if (lookup(m, keys + i * ks, val))
			continue;
		printf("map %s ", want);
		hex(keys + i * ks, ks);
		printf(" ");
		hex(val, vs);
		printf("\n");
	}
	free(keys);
	free(key);
	free(val);
}

#endif
