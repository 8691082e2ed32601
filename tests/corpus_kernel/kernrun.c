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
#include <sched.h>
#include "../corpus/runfile.h"

static int rb_record(void *ctx, void *data, size_t size)
{
	print_record(ctx, data, size);
	return 0;
}

static int map_pop(void *m, void *value)
{
	return bpf_map_lookup_and_delete_elem(*(int *)m, NULL, value);
}

static int map_next(void *m, const void *prev, void *key)
{
	return bpf_map_get_next_key(*(int *)m, prev, key);
}

static int map_lookup(void *m, const void *key, void *value)
{
	return bpf_map_lookup_elem(*(int *)m, key, value);
}

static void dump_map(struct bpf_object *obj, const char *want)
{
	struct bpf_map *m, *found = NULL;
	int ncpu = libbpf_num_possible_cpus();

	bpf_object__for_each_map(m, obj) {
		if (map_name_matches(bpf_map__name(m), want))
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
		dump_pop(want, vs, map_pop, &fd);
		return;
	}
	if (type != BPF_MAP_TYPE_ARRAY && type != BPF_MAP_TYPE_HASH && type != BPF_MAP_TYPE_LRU_HASH &&
	    !percpu) {
		printf("map %s type %d not dumped\n", want, type);
		return;
	}
	/* per-CPU maps: CPU 0's value, the CPU this process runs on */
	dump_keyed(want, ks, vs, vbuf, map_next, map_lookup, &fd);
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

	runfile_args(argc, argv, "kernrun");

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
			char why[128];
			int e = errno;
			snprintf(why, sizeof(why), "BPF_PROG_TEST_RUN failed: %s", strerror(e));
			print_run_error(i, -e, why);
			failed = 1;
			continue;
		}
		print_run(i, o.retval, o.data_size_out, out,
			  o.data_size_out < sizeof(out) ? o.data_size_out : sizeof(out), skb ? &ctx_out : NULL);
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
