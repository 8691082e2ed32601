/* bpfkit run --engine kernel|all: one object's program through BPF_PROG_TEST_RUN,
 * its maps read back, and the differences from the userspace runtime's run. */
#define _GNU_SOURCE
#include "kj.h"
#include "bpfkit/loader.h"
#include "bpfkit/maps.h"
#include "bpfkit/vm.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static int is_percpu(uint32_t t)
{
	return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* Types whose lookups return the value the program stored; the others hold
 * fds/ids (prog and map arrays) or no keys at all (ringbuf, queue, stack). */
static int dumpable(uint32_t t)
{
	return t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_HASH || t == BPF_MAP_TYPE_LRU_HASH ||
	       is_percpu(t);
}

static size_t stride(uint32_t vs) { return ((size_t)vs + 7) & ~(size_t)7; }

void bk_kern_exec_free(struct bk_kern_exec *res)
{
	if (!res)
		return;
	bk_buf_free(&res->run.data_out);
	bk_buf_free(&res->run.ctx_out);
	bk_buf_free(&res->trace);
	for (size_t i = 0; i < res->nmaps; i++) {
		free(res->maps[i].keys);
		free(res->maps[i].values);
		bk_buf_free(&res->maps[i].elems);
	}
	free(res->maps);
	memset(res, 0, sizeof(*res));
}

static const void *key_cmp_size;
static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, (size_t)(uintptr_t)key_cmp_size);
}

static int rb_record(void *ctx, void *data, size_t size)
{
	struct bk_kern_map_snap *s = ctx;
	uint32_t n = (uint32_t)size;
	if (bk_buf_append(&s->elems, &n, 4) || bk_buf_append(&s->elems, data, size))
		return -ENOMEM;
	s->nelems++;
	return 0;
}

/* Queues and stacks are popped empty (the map goes with the run); a ring buffer
 * is consumed as its reader would. */
static int snap_elems(int fd, struct bk_kern_map_snap *s, struct bk_err *err)
{
	if (s->type == BPF_MAP_TYPE_RINGBUF) {
		struct ring_buffer *rb = ring_buffer__new(fd, rb_record, s, NULL);
		if (!rb)
			return 0;   /* not mappable here: left uncompared */
		int r = ring_buffer__consume(rb);
		ring_buffer__free(rb);
		if (r < 0)
			return bk_err_set(err, r, "map '%s': can't read the ring buffer: %s", s->name, strerror(-r));
		s->elems_read = 1;
		return 0;
	}
	uint8_t *val = malloc(s->value_size ? s->value_size : 1);
	if (!val)
		return bk_err_set(err, -ENOMEM, "out of memory");
	while (s->nelems <= s->max_entries && !bpf_map_lookup_and_delete_elem(fd, NULL, val)) {
		if (bk_buf_append(&s->elems, val, s->value_size)) {
			free(val);
			return bk_err_set(err, -ENOMEM, "out of memory");
		}
		s->nelems++;
	}
	free(val);
	s->elems_read = 1;
	return 0;
}

/* Reads every key and value of MAP, keys sorted (hash order means nothing). */
static int snap_map(struct bpf_map *m, int ncpus, struct bk_kern_map_snap *s, struct bk_err *err)
{
	int fd = bpf_map__fd(m);
	struct bpf_map_info info;
	uint32_t il = sizeof(info);
	memset(&info, 0, sizeof(info));
	snprintf(s->name, sizeof(s->name), "%s", bpf_map__name(m));
	s->type = bpf_map__type(m);
	s->key_size = bpf_map__key_size(m);
	s->value_size = bpf_map__value_size(m);
	s->max_entries = bpf_map__max_entries(m);
	if (!bpf_obj_get_info_by_fd(fd, &info, &il))
		s->max_entries = info.max_entries;
	s->ncpus = is_percpu(s->type) ? (uint32_t)ncpus : 1;
	if (s->type == BPF_MAP_TYPE_QUEUE || s->type == BPF_MAP_TYPE_STACK || s->type == BPF_MAP_TYPE_RINGBUF)
		return snap_elems(fd, s, err);
	if (!dumpable(s->type) || !s->key_size)
		return 0;
	s->dumped = 1;
	size_t ks = s->key_size, vs = s->value_size, vbuf = is_percpu(s->type) ? stride(s->value_size) * ncpus : vs;
	size_t cap = 16;
	uint8_t *keys = malloc(cap * ks), *val = malloc(vbuf), *prev = NULL;
	if (!keys || !val)
		goto nomem;
	uint8_t *next = malloc(ks);
	if (!next)
		goto nomem;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		if (s->n == cap) {
			uint8_t *nk = realloc(keys, cap * 2 * ks);
			if (!nk) {
				free(next);
				goto nomem;
			}
			keys = nk;
			cap *= 2;
		}
		memcpy(keys + s->n * ks, next, ks);
		prev = keys + s->n * ks;
		s->n++;
	}
	free(next);
	key_cmp_size = (const void *)(uintptr_t)ks;
	qsort(keys, s->n, ks, key_cmp);
	s->values = calloc(s->n ? s->n : 1, vs * s->ncpus);
	if (!s->values)
		goto nomem;
	size_t kept = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (bpf_map_lookup_elem(fd, keys + i * ks, val))
			continue;   /* deleted between the walk and the lookup */
		memmove(keys + kept * ks, keys + i * ks, ks);
		for (uint32_t c = 0; c < s->ncpus; c++)
			memcpy(s->values + (kept * s->ncpus + c) * vs, val + c * stride(s->value_size), vs);
		kept++;
	}
	s->n = kept;
	s->keys = keys;
	free(val);
	return 0;
nomem:
	free(keys);
	free(val);
	return bk_err_set(err, -ENOMEM, "out of memory");
}

static const struct bk_link_map *seed_map(const struct bk_loaded *lo, const char *name, struct bk_map **m)
{
	for (size_t i = 0; lo && i < lo->linked->nmaps; i++) {
		const struct bk_link_map *l = &lo->linked->maps[i];
		if (!strcmp(l->name, name) || (l->full_name && !strcmp(l->full_name, name))) {
			*m = lo->maps[i];
			return l;
		}
	}
	return NULL;
}

/* Copies the userspace map NAME into the kernel's map of the same name. */
static int seed(struct bpf_object *obj, const struct bk_loaded *lo, const char *name, struct bk_err *err)
{
	struct bk_map *um = NULL;
	const struct bk_link_map *l = seed_map(lo, name, &um);
	struct bpf_map *km = bpf_object__find_map_by_name(obj, name);
	if (!km && l)
		km = bpf_object__find_map_by_name(obj, l->name);
	if (!km && l && l->full_name)
		km = bpf_object__find_map_by_name(obj, l->full_name);
	if (!l || !um || !km)
		return bk_err_set(err, -ENOENT, "--map-in: the program has no map '%s' in the kernel", name);
	const struct bk_map_def *d = bk_map_def(um);
	if (d->key_size != bpf_map__key_size(km) || d->value_size != bpf_map__value_size(km))
		return bk_err_set(err, -EINVAL, "--map-in: map '%s' has other sizes in the kernel", name);
	int kcpus = is_percpu(bpf_map__type(km)) ? libbpf_num_possible_cpus() : 1;
	size_t usz = bk_map_sys_value_size(um), ksz = kcpus > 1 || is_percpu(bpf_map__type(km))
		? stride(d->value_size) * (size_t)kcpus : d->value_size;
	uint8_t *key = calloc(1, d->key_size + 1), *next = calloc(1, d->key_size + 1);
	uint8_t *uval = calloc(1, usz + 1), *kval = calloc(1, ksz + 1);
	int r = 0, first = 1;
	if (!key || !next || !uval || !kval) {
		r = bk_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		struct bk_err e = { 0 };
		r = bk_map_sys_get_next_key(um, first ? NULL : key, next, &e);
		if (r == -ENOENT) {
			r = 0;
			break;
		}
		if (r < 0) {
			bk_err_set(err, r, "--map-in %s: %s", name, e.msg);
			break;
		}
		first = 0;
		memcpy(key, next, d->key_size);
		if (bk_map_sys_lookup(um, key, uval, 0, &e) < 0)
			continue;
		memset(kval, 0, ksz);
		memcpy(kval, uval, usz < ksz ? usz : ksz);
		if (bpf_map_update_elem(bpf_map__fd(km), key, kval, BPF_ANY)) {
			r = bk_err_set(err, -errno, "--map-in %s: the kernel refused an element: %s", name,
				       strerror(errno));
			break;
		}
	}
out:
	free(key);
	free(next);
	free(uval);
	free(kval);
	return r;
}

static int raw_type(const char *t)
{
	if (!t || !strcmp(t, "socket"))
		return BPF_PROG_TYPE_SOCKET_FILTER;
	if (!strcmp(t, "xdp"))
		return BPF_PROG_TYPE_XDP;
	if (!strcmp(t, "tc"))
		return BPF_PROG_TYPE_SCHED_CLS;
	return -1;
}

/* Runs on CPU (if >= 0) and puts the thread's CPU set back afterwards. */
static int run_on(int fd, int cpu, const struct bk_kern_exec_opts *opts, struct bk_kern_run_result *run,
		  struct bk_buf *trace, char *tnote, size_t tnote_len, struct bk_err *err)
{
	cpu_set_t old, want;
	int pinned = 0;
	if (cpu >= 0 && cpu < CPU_SETSIZE && !sched_getaffinity(0, sizeof(old), &old)) {
		CPU_ZERO(&want);
		CPU_SET(cpu, &want);
		pinned = !sched_setaffinity(0, sizeof(want), &want);
	}
	struct bk_kern_run_opts ro = BK_OPTS_INIT(bk_kern_run_opts,
		.data_in = BK_OPTS_GET(opts, data_in, NULL), .data_in_len = BK_OPTS_GET(opts, data_in_len, 0),
		.ctx_in = BK_OPTS_GET(opts, ctx_in, NULL), .ctx_in_len = BK_OPTS_GET(opts, ctx_in_len, 0),
		.repeat = BK_OPTS_GET(opts, repeat, 1));
	/* The trace instance filters on this thread, the one that test-runs. */
	const char *tracefs = BK_OPTS_GET(opts, tracefs, NULL);
	struct bk_kern_trace *tr = NULL;
	struct bk_err terr = { 0 };
	if (tracefs && bk_kern_trace_open(tracefs, &tr, &terr) < 0)
		snprintf(tnote, tnote_len, "%.250s", terr.msg);
	int r = bk_kern_prog_run(fd, &ro, run, err);
	if (tr) {
		if (r >= 0 && bk_kern_trace_read(tr, trace, &terr) < 0)
			snprintf(tnote, tnote_len, "%.250s", terr.msg);
		bk_kern_trace_close(tr);
	}
	if (pinned)
		sched_setaffinity(0, sizeof(old), &old);
	return r;
}

int bk_kern_exec(const void *data, size_t len, const struct bk_kern_exec_opts *opts,
		 struct bk_kern_exec *res, struct bk_buf *vlog, struct bk_err *err)
{
	memset(res, 0, sizeof(*res));
	const char *want = BK_OPTS_GET(opts, prog, NULL), *type = BK_OPTS_GET(opts, type, NULL);
	int cpu = BK_OPTS_GET(opts, cpu, -1), r;

	if (len < 4 || memcmp(data, "\177ELF", 4)) {
		/* Raw bytecode: one program, no maps, no BTF. */
		int pt = raw_type(type);
		if (pt < 0)
			return bk_err_set(err, -EINVAL, "the kernel engine runs raw bytecode as xdp, socket or tc, not '%s'",
					  type);
		if (len % 8 || !len)
			return bk_err_set(err, -EINVAL, "raw bytecode is a whole number of 8-byte instructions (%zu bytes)",
					  len);
		char *log = malloc(1 << 20);
		LIBBPF_OPTS(bpf_prog_load_opts, lo, .log_buf = log, .log_size = log ? 1 << 20 : 0,
			    .log_level = log ? 1 : 0);
		int fd = bpf_prog_load((enum bpf_prog_type)pt, "bk_run", "GPL", data, len / 8, &lo);
		if (fd < 0) {
			int e = errno;
			char reason[320] = "";
			if (log) {
				struct bk_buf all = { 0 };
				bk_buf_printf(&all, "-- BEGIN PROG LOAD LOG --\n%s\n-- END PROG LOAD LOG --\n", log);
				bk_kern_verifier_log(all.data ? (const char *)all.data : "", BK_OPTS_GET(opts, log_all, 0),
						     vlog, reason, sizeof(reason));
				bk_buf_free(&all);
			}
			free(log);
			if (reason[0])
				return bk_err_set(err, -e, "rejected by the verifier: %s", reason);
			return bk_err_set(err, -e, "the kernel refused the program: %s", strerror(e));
		}
		free(log);
		res->prog_type = (uint32_t)pt;
		r = run_on(fd, cpu, opts, &res->run, &res->trace, res->trace_note, sizeof(res->trace_note), err);
		close(fd);
		return r;
	}

	bk_kern_log_reset();
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = BK_OPTS_GET(opts, name, NULL));
	struct bpf_object *obj = bpf_object__open_mem(data, len, &oo);
	if (!obj) {
		int e = errno;
		return bk_err_set(err, -e, "libbpf can't open the object: %s", strerror(e));
	}
	struct bpf_program *p, *prog = NULL;
	bpf_object__for_each_program(p, obj) {
		if (!prog && (!want || !strcmp(bpf_program__name(p), want)))
			prog = p;
	}
	if (!prog) {
		bpf_object__close(obj);
		if (want)
			return bk_err_set(err, -ENOENT, "the object has no program '%s'", want);
		return bk_err_set(err, -ENOENT, "the object has no programs");
	}
	if (type) {
		int pt = raw_type(type);
		if (pt < 0) {
			bpf_object__close(obj);
			return bk_err_set(err, -EINVAL, "the kernel engine knows no program type '%s'", type);
		}
		bpf_program__set_type(prog, (enum bpf_prog_type)pt);
	}
	r = bpf_object__load(obj);
	if (r) {
		char reason[320];
		bk_kern_verifier_log(bk_kern_log(), BK_OPTS_GET(opts, log_all, 0), vlog, reason, sizeof(reason));
		bpf_object__close(obj);
		if (reason[0])
			return bk_err_set(err, r, "the kernel's verifier rejects it: %s", reason);
		const char *tail;
		int n = bk_kern_log_tail(&tail);
		if (n)
			return bk_err_set(err, r, "the kernel refused the object: %.*s", n, tail);
		return bk_err_set(err, r, "the kernel refused the object: %s", strerror(-r));
	}
	const char *const *names = BK_OPTS_GET(opts, seed_maps, NULL);
	size_t nnames = BK_OPTS_GET(opts, nseed_maps, 0);
	const struct bk_loaded *lo = BK_OPTS_GET(opts, seed, NULL);
	for (size_t i = 0; i < nnames; i++)
		if ((r = seed(obj, lo, names[i], err)) < 0)
			goto out;
	res->prog_type = bpf_program__type(prog);
	if ((r = run_on(bpf_program__fd(prog), cpu, opts, &res->run, &res->trace, res->trace_note, sizeof(res->trace_note), err)) < 0)
		goto out;
	struct bpf_map *m;
	size_t nm = 0;
	bpf_object__for_each_map(m, obj)
		nm++;
	res->maps = calloc(nm ? nm : 1, sizeof(*res->maps));
	if (!res->maps) {
		r = bk_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	int ncpus = libbpf_num_possible_cpus();
	if (ncpus < 1)
		ncpus = 1;
	bpf_object__for_each_map(m, obj) {
		if ((r = snap_map(m, ncpus, &res->maps[res->nmaps], err)) < 0)
			goto out;
		res->nmaps++;
	}
out:
	bpf_object__close(obj);
	if (r < 0)
		bk_kern_exec_free(res);
	return r;
}

/* ---- output ---------------------------------------------------------------------- */
static void hex_plain(struct bk_buf *b, const uint8_t *p, size_t n, const char *sep_first)
{
	for (size_t i = 0; i < n; i++)
		bk_buf_printf(b, "%s%02x", i ? " " : sep_first, p[i]);
}

static void json_bytes(struct bk_buf *b, const uint8_t *p, size_t n)
{
	bk_buf_printf(b, "[");
	for (size_t i = 0; i < n; i++)
		bk_buf_printf(b, "%s\"0x%02x\"", i ? "," : "", p[i]);
	bk_buf_printf(b, "]");
}

static void render_map(const struct bk_kern_map_snap *s, int json, struct bk_buf *out)
{
	const char *tn = bk_kern_map_type_name(s->type);
	size_t vs = s->value_size;
	if (json) {
		bk_buf_printf(out, "{\"name\":");
		bk_buf_json_str(out, s->name, strlen(s->name));
		bk_buf_printf(out, ",\"type\":");
		tn = tn ? tn : "unknown";
		bk_buf_json_str(out, tn, strlen(tn));
		bk_buf_printf(out, ",\"key_size\":%u,\"value_size\":%u,\"max_entries\":%u,\"dump\":[", s->key_size,
			      s->value_size, s->max_entries);
		for (size_t i = 0; i < s->n; i++) {
			bk_buf_printf(out, "%s{\"key\":", i ? "," : "");
			json_bytes(out, s->keys + i * s->key_size, s->key_size);
			if (is_percpu(s->type)) {
				bk_buf_printf(out, ",\"values\":[");
				for (uint32_t c = 0; c < s->ncpus; c++) {
					bk_buf_printf(out, "%s{\"cpu\":%u,\"value\":", c ? "," : "", c);
					json_bytes(out, s->values + (i * s->ncpus + c) * vs, vs);
					bk_buf_printf(out, "}");
				}
				bk_buf_printf(out, "]}");
			} else {
				bk_buf_printf(out, ",\"value\":");
				json_bytes(out, s->values + i * vs, vs);
				bk_buf_printf(out, "}");
			}
		}
		bk_buf_printf(out, "]}");
		return;
	}
	bk_buf_printf(out, "map '%s' (%s, key %u, value %u, max_entries %u):\n", s->name, tn ? tn : "unknown",
		      s->key_size, s->value_size, s->max_entries);
	if (!s->dumped) {
		bk_buf_printf(out, "(%s maps: the kernel engine does not read their contents)\n", tn ? tn : "such");
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (is_percpu(s->type)) {
			bk_buf_printf(out, "key:\n");
			hex_plain(out, s->keys + i * s->key_size, s->key_size, "");
			bk_buf_printf(out, "\n");
			for (uint32_t c = 0; c < s->ncpus; c++) {
				bk_buf_printf(out, "value (CPU %02u):", c);
				hex_plain(out, s->values + (i * s->ncpus + c) * vs, vs, " ");
				bk_buf_printf(out, "\n");
			}
		} else {
			bk_buf_printf(out, "key:");
			hex_plain(out, s->keys + i * s->key_size, s->key_size, " ");
			bk_buf_printf(out, "  value:");
			hex_plain(out, s->values + i * vs, vs, " ");
			bk_buf_printf(out, "\n");
		}
	}
	bk_buf_printf(out, "Found %zu element%s\n", s->n, s->n == 1 ? "" : "s");
}

void bk_kern_exec_render(const struct bk_kern_exec *res, int json, int maps, unsigned repeat,
			 struct bk_buf *out)
{
	if (json) {
		bk_buf_printf(out, "\"retval\":%u,\"duration\":%u", res->run.retval, res->run.duration_ns);
		if (maps) {
			bk_buf_printf(out, ",\"maps\":[");
			for (size_t i = 0; i < res->nmaps; i++) {
				if (i)
					bk_buf_printf(out, ",");
				render_map(&res->maps[i], 1, out);
			}
			bk_buf_printf(out, "]");
		}
		return;
	}
	bk_buf_printf(out, "Return value: %u, duration%s: %uns\n", res->run.retval, repeat > 1 ? " (average)" : "",
		      res->run.duration_ns);
	for (size_t i = 0; maps && i < res->nmaps; i++)
		render_map(&res->maps[i], 0, out);
}

/* ---- differences --------------------------------------------------------------- */
struct diffs {
	struct bk_buf *out;
	int json, n;
};

static void difference(struct diffs *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void diff_elems(struct diffs *d, struct bk_map *um, const struct bk_kern_map_snap *s, struct bk_err *err);
static void difference(struct diffs *d, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (d->json) {
		bk_buf_printf(d->out, "%s", d->n ? "," : "");
		bk_buf_json_str(d->out, line, strlen(line));
	} else {
		bk_buf_printf(d->out, "%s\n", line);
	}
	d->n++;
}

static void hexs(char *dst, size_t cap, const uint8_t *p, size_t n)
{
	size_t o = 0;
	dst[0] = 0;
	for (size_t i = 0; i < n && o + 4 < cap; i++)
		o += (size_t)snprintf(dst + o, cap - o, "%s%02x", i ? " " : "", p[i]);
	if (o + 4 >= cap && cap > 4)
		strcpy(dst + cap - 4, "...");
}

static int ring_user_record(void *ctx, const void *data, size_t size)
{
	struct rbc { struct bk_buf *b; size_t *n; } *c = ctx;
	uint32_t n = (uint32_t)size;
	if (bk_buf_append(c->b, &n, 4) || bk_buf_append(c->b, data, size))
		return -ENOMEM;
	(*c->n)++;
	return 0;
}

static void diff_bytes(struct diffs *d, const char *what, const struct bk_buf *u, const struct bk_buf *k)
{
	if (u->len != k->len) {
		difference(d, "%s: interp %zu bytes, kernel %zu bytes", what, u->len, k->len);
		return;
	}
	size_t first = 0, count = 0;
	for (size_t i = 0; i < u->len; i++)
		if (u->data[i] != k->data[i] && !count++)
			first = i;
	if (count)
		difference(d, "%s: %zu byte%s differ, the first at offset %zu: interp 0x%02x, kernel 0x%02x", what,
			   count, count == 1 ? "" : "s", first, u->data[first], k->data[first]);
}

/* __sk_buff: the fields the kernel writes back after a test run and the runtime models. */
static void diff_skb(struct diffs *d, const struct bk_buf *u, const struct bk_buf *k)
{
	static const struct { const char *name; size_t off; } f[] = {
		{ "mark", offsetof(struct __sk_buff, mark) },
		{ "priority", offsetof(struct __sk_buff, priority) },
		{ "cb[0]", offsetof(struct __sk_buff, cb[0]) },
		{ "cb[1]", offsetof(struct __sk_buff, cb[1]) },
		{ "cb[2]", offsetof(struct __sk_buff, cb[2]) },
		{ "cb[3]", offsetof(struct __sk_buff, cb[3]) },
		{ "cb[4]", offsetof(struct __sk_buff, cb[4]) },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		uint32_t a = 0, b = 0;
		if (f[i].off + 4 <= u->len)
			memcpy(&a, u->data + f[i].off, 4);
		if (f[i].off + 4 <= k->len)
			memcpy(&b, k->data + f[i].off, 4);
		if (a != b)
			difference(d, "ctx_out %s: interp %u, kernel %u", f[i].name, a, b);
	}
}

static int diff_map(struct diffs *d, struct bk_map *um, const struct bk_kern_map_snap *s, unsigned ucpus,
		    struct bk_err *err)
{
	const struct bk_map_def *def = bk_map_def(um);
	if (def->key_size != s->key_size || def->value_size != s->value_size) {
		difference(d, "map '%s': interp key %u value %u, kernel key %u value %u", s->name, def->key_size,
			   def->value_size, s->key_size, s->value_size);
		return 0;
	}
	size_t ks = s->key_size, vs = s->value_size, usz = bk_map_sys_value_size(um);
	uint8_t *key = calloc(1, ks + 1), *next = calloc(1, ks + 1), *uval = calloc(1, usz + 1);
	char kh[128], a[256], b[256];
	int r = 0, first = 1;
	if (!key || !next || !uval) {
		r = bk_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	/* Every kernel element against the runtime's ... */
	for (size_t i = 0; i < s->n; i++) {
		const uint8_t *k = s->keys + i * ks;
		struct bk_err e = { 0 };
		hexs(kh, sizeof(kh), k, ks);
		if (bk_map_sys_lookup(um, k, uval, 0, &e) < 0) {
			difference(d, "map '%s' key %s: only in the kernel", s->name, kh);
			continue;
		}
		for (uint32_t c = 0; c < s->ncpus; c++) {
			const uint8_t *kv = s->values + (i * s->ncpus + c) * vs;
			const uint8_t *uv = c < ucpus ? uval + (s->ncpus > 1 || is_percpu(s->type) ? c * stride(s->value_size) : 0)
						      : NULL;
			int same = uv ? !memcmp(uv, kv, vs) : 1;
			if (!uv) {
				for (size_t q = 0; q < vs; q++)
					same &= kv[q] == 0;   /* CPUs the runtime does not have hold zeroes */
			}
			if (same)
				continue;
			hexs(b, sizeof(b), kv, vs);
			if (uv)
				hexs(a, sizeof(a), uv, vs);
			else
				snprintf(a, sizeof(a), "(no such CPU)");
			if (is_percpu(s->type))
				difference(d, "map '%s' key %s CPU %u: interp %s, kernel %s", s->name, kh, c, a, b);
			else
				difference(d, "map '%s' key %s: interp %s, kernel %s", s->name, kh, a, b);
		}
	}
	/* ... and the runtime's elements the kernel does not have. */
	for (;;) {
		struct bk_err e = { 0 };
		r = bk_map_sys_get_next_key(um, first ? NULL : key, next, &e);
		if (r == -ENOENT) {
			r = 0;
			break;
		}
		if (r < 0) {
			r = bk_err_set(err, r, "map '%s': %s", s->name, e.msg);
			break;
		}
		first = 0;
		memcpy(key, next, ks);
		if (bk_map_sys_lookup(um, key, uval, 0, &e) < 0)
			continue;
		key_cmp_size = (const void *)(uintptr_t)ks;
		if (!bsearch(key, s->keys, s->n, ks, key_cmp)) {
			hexs(kh, sizeof(kh), key, ks);
			difference(d, "map '%s' key %s: only in interp", s->name, kh);
		}
	}
out:
	free(key);
	free(next);
	free(uval);
	return r;
}

static struct bk_map *user_map(const struct bk_loaded *lo, const char *kname)
{
	for (size_t i = 0; i < lo->linked->nmaps; i++) {
		const struct bk_link_map *l = &lo->linked->maps[i];
		if (!strcmp(l->name, kname) || (l->full_name && !strcmp(l->full_name, kname)))
			return lo->maps[i];
	}
	/* libbpf and the runtime may prefix global data differently: ".bss" matches "x.bss". */
	const char *dot = strchr(kname, '.');
	for (size_t i = 0; dot && i < lo->linked->nmaps; i++) {
		const char *ud = strchr(lo->linked->maps[i].name, '.');
		if (ud && !strcmp(ud, dot))
			return lo->maps[i];
	}
	return NULL;
}

/* The message of each trace line: what follows "bpf_trace_printk: " (the task,
 * CPU and time before it differ between any two runs). */
static size_t trace_msgs(const struct bk_buf *b, const char **msg, size_t *len, size_t max)
{
	static const char tag[] = "bpf_trace_printk: ";
	size_t n = 0;
	const char *p = b && b->len ? (const char *)b->data : NULL, *end = p ? p + b->len : NULL;
	while (p && p < end && n < max) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		const char *m = memmem(p, (size_t)(e - p), tag, sizeof(tag) - 1);
		m = m ? m + sizeof(tag) - 1 : p;
		msg[n] = m;
		len[n++] = (size_t)(e - m);
		p = nl ? nl + 1 : end;
	}
	return n;
}

static void diff_trace(struct diffs *d, const struct bk_buf *u, const struct bk_buf *k)
{
	enum { MAXL = 4096 };
	static const char *um[MAXL], *km[MAXL];
	static size_t ul[MAXL], kl[MAXL];
	size_t nu = trace_msgs(u, um, ul, MAXL), nk = trace_msgs(k, km, kl, MAXL);
	if (nu != nk)
		difference(d, "trace: interp printed %zu line%s, kernel %zu", nu, nu == 1 ? "" : "s", nk);
	for (size_t i = 0; i < nu && i < nk; i++)
		if (ul[i] != kl[i] || memcmp(um[i], km[i], ul[i])) {
			difference(d, "trace line %zu: interp '%.*s', kernel '%.*s'", i + 1, (int)ul[i], um[i],
				   (int)kl[i], km[i]);
			break;   /* one line says where they part */
		}
}

int bk_kern_exec_diff_trace(const struct bk_loaded *lo, const struct bk_run_result *ures, uint64_t retmask,
			    const struct bk_buf *utrace, const struct bk_kern_exec *kres, int json,
			    struct bk_buf *out, struct bk_err *err)
{
	int n = bk_kern_exec_diff(lo, ures, retmask, kres, json, out, err);
	if (n < 0 || kres->trace_note[0])
		return n;
	struct diffs d = { out, json, n };
	diff_trace(&d, utrace, &kres->trace);
	return d.n;
}

int bk_kern_exec_diff(const struct bk_loaded *lo, const struct bk_run_result *ures, uint64_t retmask,
		      const struct bk_kern_exec *kres, int json, struct bk_buf *out, struct bk_err *err)
{
	struct diffs d = { out, json, 0 };
	uint64_t uret = ures->retval & retmask;
	if (uret != kres->run.retval)
		difference(&d, "retval: interp %llu, kernel %u", (unsigned long long)uret, kres->run.retval);
	diff_bytes(&d, "data_out", &ures->data_out, &kres->run.data_out);
	int skb = kres->prog_type == BPF_PROG_TYPE_SOCKET_FILTER || kres->prog_type == BPF_PROG_TYPE_SCHED_CLS ||
		  kres->prog_type == BPF_PROG_TYPE_SCHED_ACT;
	if (kres->run.ctx_out.len && ures->ctx_out.len) {
		if (skb)
			diff_skb(&d, &ures->ctx_out, &kres->run.ctx_out);
		else
			diff_bytes(&d, "ctx_out", &ures->ctx_out, &kres->run.ctx_out);
	}
	for (size_t i = 0; lo && i < kres->nmaps; i++) {
		const struct bk_kern_map_snap *s = &kres->maps[i];
		if (!s->dumped && !s->elems_read)
			continue;
		struct bk_map *um = user_map(lo, s->name);
		if (um && !s->dumped) {
			diff_elems(&d, um, s, err);
			continue;
		}
		if (!um) {
			difference(&d, "map '%s': only in the kernel", s->name);
			continue;
		}
		unsigned ucpus = is_percpu(s->type) ? (unsigned)(bk_map_sys_value_size(um) / stride(s->value_size)) : 1;
		int r = diff_map(&d, um, s, ucpus, err);
		if (r < 0)
			return r;
	}
	return d.n;
}

size_t bk_kern_exec_compared(const struct bk_kern_exec *kres)
{
	size_t n = 0;
	for (size_t i = 0; i < kres->nmaps; i++)
		n += kres->maps[i].dumped != 0 || kres->maps[i].elems_read;
	return n;
}

void bk_kern_exec_uncompared(const struct bk_kern_exec *kres, struct bk_buf *out)
{
	int k = 0;
	for (size_t i = 0; i < kres->nmaps; i++) {
		const struct bk_kern_map_snap *s = &kres->maps[i];
		if (s->dumped || s->elems_read)
			continue;
		const char *why;
		switch (s->type) {
		case BPF_MAP_TYPE_PROG_ARRAY: why = "prog array: its values are program ids"; break;
		case BPF_MAP_TYPE_ARRAY_OF_MAPS: case BPF_MAP_TYPE_HASH_OF_MAPS: why = "map of maps: its values are map ids"; break;
		case BPF_MAP_TYPE_RINGBUF: why = "ring buffer: can't be mapped here"; break;
		case BPF_MAP_TYPE_PERF_EVENT_ARRAY: why = "perf event array: its values are events"; break;
		default: why = s->key_size ? "type not compared" : "no keys"; break;
		}
		bk_buf_printf(out, "%s'%s' (%s)", k++ ? ", " : "", s->name, why);
	}
}

static void diff_elems(struct diffs *d, struct bk_map *um, const struct bk_kern_map_snap *s, struct bk_err *err)
{
	struct bk_buf u = { 0 };
	size_t nu = 0;
	int ring = s->type == BPF_MAP_TYPE_RINGBUF;
	if (ring) {
		struct rbc { struct bk_buf *b; size_t *n; } c = { &u, &nu };
		bk_ringbuf_consume(um, ring_user_record, &c);
	} else {
		uint8_t *val = malloc(s->value_size ? s->value_size : 1);
		while (val && nu <= s->max_entries && !bk_map_sys_lookup_and_delete(um, NULL, val, 0, NULL)) {
			bk_buf_append(&u, val, s->value_size);
			nu++;
		}
		free(val);
	}
	const char *what = ring ? "record" : "element";
	if (nu != s->nelems)
		difference(d, "map '%s': interp holds %zu %s%s, kernel %zu", s->name, nu, what, nu == 1 ? "" : "s",
			   s->nelems);
	/* the first element (record) that differs */
	size_t ou = 0, ok = 0;
	for (size_t i = 0; i < nu && i < s->nelems; i++) {
		uint32_t lu = s->value_size, lk = s->value_size;
		if (ring) {
			memcpy(&lu, u.data + ou, 4);
			memcpy(&lk, s->elems.data + ok, 4);
			ou += 4;
			ok += 4;
		}
		if (lu != lk || memcmp(u.data + ou, s->elems.data + ok, lu)) {
			char a[200], b[200];
			hexs(a, sizeof(a), u.data + ou, lu);
			hexs(b, sizeof(b), s->elems.data + ok, lk);
			difference(d, "map '%s' %s %zu: interp %s, kernel %s", s->name, what, i + 1, a, b);
			break;
		}
		ou += lu;
		ok += lk;
	}
	bk_buf_free(&u);
	(void)err;
}
