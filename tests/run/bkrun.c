/* bkrun: the userspace runtime's side of the kernel-agreement test. Runs one corpus
 * program as a .run file describes (tests/corpus/README.md), through libbpfkit only
 * (loader, helpers, interpreter), and prints the transcript that
 * tests/corpus_kernel/kernrun.c prints for the kernel, line for line, so the two can be
 * compared with cmp:
 *   run N retval R size S / data HEX / ctx mark=.. priority=.. cb=..   per input
 *   map NAME KEY VALUE | record NAME HEX | pop NAME HEX                per dumped map
 *
 *   bkrun OBJ RUNFILE PKTDIR
 * Exit status: 0 done, 2 the object or the .run file could not be used (one line why). */
#include "bpfkit/helpers.h"
#include "bpfkit/loader.h"
#include "bpfkit/maps.h"
#include "bpfkit/object.h"
#include "bpfkit/vm.h"
#include "bpfkit/jit.h"

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
	struct __sk_buff ctx;
};

static char prog_name[128];
static char dumps[MAX_DUMPS][64];
static int ndumps;
static struct run runs[MAX_RUNS];
static int nruns;
static const char *runfile;

static void die(int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s:%d: ", runfile, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

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
	char *buf = calloc(1, (size_t)n + 1);
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
			/* expectations are the kernel side's business */
		} else {
			die(line, "cannot parse '%s'", w[0]);
		}
	}
	fclose(f);
	if (!prog_name[0] || !nruns)
		die(line, "no 'prog' or no 'in' line");
}

static void hex(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
}

static size_t keycmp_size;
static int keycmp(const void *a, const void *b)
{
	return memcmp(a, b, keycmp_size);
}

static int rb_record(void *ctx, const void *data, size_t size)
{
	printf("record %s ", (const char *)ctx);
	hex(data, size);
	printf("\n");
	return 0;
}

static void dump_map(const struct bk_loaded *lo, const char *want)
{
	struct bk_map *found = NULL;
	for (size_t i = 0; i < lo->linked->nmaps; i++) {
		const char *name = lo->linked->maps[i].name;
		size_t ln = strlen(name), lw = strlen(want);
		if (!strcmp(name, want) || (want[0] == '.' && ln > lw && !strcmp(name + ln - lw, want)))
			found = lo->maps[i];
	}
	if (!found) {
		printf("map %s missing\n", want);
		return;
	}
	const struct bk_map_def *d = bk_map_def(found);
	size_t ks = d->key_size, vs = d->value_size;
	uint32_t type = d->type;
	bool percpu = bk_map_is_percpu(found);
	size_t vbuf = bk_map_sys_value_size(found);
	struct bk_err err = { 0 };

	if (type == BK_MAP_RINGBUF) {
		bk_ringbuf_consume(found, rb_record, (void *)want);
		return;
	}
	if (type == BK_MAP_QUEUE || type == BK_MAP_STACK) {
		unsigned char *v = malloc(vs);
		while (v && bk_map_sys_lookup_and_delete(found, NULL, v, 0, &err) == 0) {
			printf("pop %s ", want);
			hex(v, vs);
			printf("\n");
		}
		free(v);
		return;
	}
	if (type != BK_MAP_ARRAY && type != BK_MAP_HASH && type != BK_MAP_LRU_HASH && !percpu) {
		printf("map %s type %u not dumped\n", want, type);
		return;
	}
	size_t cap = 16, n = 0;
	unsigned char *keys = malloc(cap * ks), *key = malloc(ks), *prev = NULL, *val = malloc(vbuf);
	while (keys && key && val && bk_map_sys_get_next_key(found, prev, key, &err) == 0) {
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
		if (bk_map_sys_lookup(found, keys + i * ks, val, 0, &err))
			continue;
		printf("map %s ", want);
		hex(keys + i * ks, ks);
		printf(" ");
		hex(val, vs); /* per-CPU maps: CPU 0's value, the CPU the program ran on */
		printf("\n");
	}
	free(keys);
	free(key);
	free(val);
}

int main(int argc, char **argv)
{
	struct bk_err err = { 0 };
	struct bk_object *obj;
	struct bk_loaded *lo;

	if (argc != 4) {
		fprintf(stderr, "usage: bkrun OBJ RUNFILE PKTDIR\n");
		return 2;
	}
	runfile = argv[2];
	const char *eng = getenv("BKRUN_ENGINE");
	bool jit = eng && !strcmp(eng, "jit");
	parse(argv[2], argv[3]);

	int ncpus = bk_maps_host_ncpus();
	struct bk_vm_opts vo = BK_OPTS_INIT(bk_vm_opts, .ncpus = ncpus > 0 ? (unsigned)ncpus : 1);
	struct bk_vm *vm = bk_vm_new(&vo);
	if (!vm)
		die(0, "out of memory");
	if (bk_helpers_install(vm, &err) < 0 || bk_object_open(argv[1], &obj, &err) < 0 ||
	    bk_load_object(vm, obj, NULL, &lo, &err) < 0)
		die(0, "cannot load %s: %s", argv[1], err.msg);
	bk_object_free(obj);
	/* BKRUN_PROOFS=1: every program the verifier accepts runs with its proof (the
	 * transcript must not change); BKRUN_PROOFS=need: and the run's program must be proved */
	const char *pf = getenv("BKRUN_PROOFS");
	for (size_t i = 0; pf && i < lo->linked->nprogs; i++)
		if (lo->progs[i])
			bk_prog_prove(lo->progs[i], NULL);
	for (int i = 0; i < nruns; i++) {
		struct run *r = &runs[i];
		struct bk_prog *prog = bk_loaded_prog(lo, r->prog, &err);
		if (!prog)
			die(r->line, "no program '%s' in %s", r->prog, argv[1]);
		if (pf && !strcmp(pf, "need") && !bk_prog_proof(prog))
			die(r->line, "program '%s' is not proved", r->prog);
		int type = (int)bk_prog_type(prog);
		bool skb = type == BK_PROG_SOCKET_FILTER || type == BK_PROG_SCHED_CLS ||
			   type == BK_PROG_SCHED_ACT;
		struct bk_run_opts o = BK_OPTS_INIT(bk_run_opts, .data_in = r->pkt, .data_size_in = r->len,
						    .repeat = 1, .cpu = 0);
		if (skb) {
			o.ctx_in = &r->ctx;
			o.ctx_size_in = sizeof(r->ctx);
		}
		struct bk_run_result res;
		memset(&res, 0, sizeof(res));
		struct bk_err rerr = { 0 };
		/* BKRUN_ENGINE=jit: the same runs as JIT-compiled code (tail call targets are
		 * compiled when first reached) */
		if (jit && !bk_jit_attached(prog) && bk_jit_attach(prog, NULL, &rerr) < 0)
			die(r->line, "jit: %s", rerr.msg);
		if (bk_prog_test_run(prog, &o, &res, &rerr) < 0) {
			printf("run %d error %d\n", i + 1, rerr.code);
			fprintf(stderr, "%s:%d: run %d: %s\n", runfile, r->line, i + 1, rerr.msg);
			continue;
		}
		printf("run %d retval %u size %zu\n", i + 1, (unsigned)res.retval, res.data_out.len);
		printf("data ");
		hex(res.data_out.data, res.data_out.len);
		printf("\n");
		if (skb) {
			struct __sk_buff c;
			memset(&c, 0, sizeof(c));
			memcpy(&c, res.ctx_out.data, res.ctx_out.len < sizeof(c) ? res.ctx_out.len : sizeof(c));
			printf("ctx mark=%u priority=%u cb=%u,%u,%u,%u,%u\n", c.mark, c.priority, c.cb[0],
			       c.cb[1], c.cb[2], c.cb[3], c.cb[4]);
		}
		bk_run_result_free(&res);
	}
	for (int i = 0; i < ndumps; i++)
		dump_map(lo, dumps[i]);
	bk_loaded_free(lo);
	bk_vm_free(vm);
	return 0;
}
