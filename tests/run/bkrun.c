/* bkrun: the userspace runtime's side of the kernel-agreement test. Runs one corpus
 * program as a .run file describes (tests/corpus/README.md), through libbpfkit only
 * (loader, helpers, interpreter), and prints the transcript that
 * tests/corpus_kernel/kernrun.c prints for the kernel, line for line, so the two can be
 * compared with cmp (tests/corpus/runfile.h reads the .run file and prints every line of
 * the transcript, for both).
 *
 *   bkrun OBJ RUNFILE PKTDIR
 * Exit status: 0 done, 2 the object or the .run file could not be used (one line why). */
#include "bpfkit/helpers.h"
#include "bpfkit/loader.h"
#include "bpfkit/maps.h"
#include "bpfkit/object.h"
#include "bpfkit/vm.h"
#include "bpfkit/jit.h"

#include "../corpus/runfile.h"

static int rb_record(void *ctx, const void *data, size_t size)
{
	print_record(ctx, data, size);
	return 0;
}

static int map_pop(void *m, void *value)
{
	return bk_map_sys_lookup_and_delete(m, NULL, value, 0, NULL);
}

static int map_next(void *m, const void *prev, void *key)
{
	return bk_map_sys_get_next_key(m, prev, key, NULL);
}

static int map_lookup(void *m, const void *key, void *value)
{
	return bk_map_sys_lookup(m, key, value, 0, NULL);
}

static void dump_map(const struct bk_loaded *lo, const char *want)
{
	struct bk_map *found = NULL;
	for (size_t i = 0; i < lo->linked->nmaps; i++)
		if (map_name_matches(lo->linked->maps[i].name, want))
			found = lo->maps[i];
	if (!found) {
		printf("map %s missing\n", want);
		return;
	}
	const struct bk_map_def *d = bk_map_def(found);
	size_t ks = d->key_size, vs = d->value_size;
	uint32_t type = d->type;
	bool percpu = bk_map_is_percpu(found);

	if (type == BK_MAP_RINGBUF) {
		bk_ringbuf_consume(found, rb_record, (void *)want);
		return;
	}
	if (type == BK_MAP_QUEUE || type == BK_MAP_STACK) {
		dump_pop(want, vs, map_pop, found);
		return;
	}
	if (type != BK_MAP_ARRAY && type != BK_MAP_HASH && type != BK_MAP_LRU_HASH && !percpu) {
		printf("map %s type %u not dumped\n", want, type);
		return;
	}
	/* per-CPU maps: CPU 0's value, the CPU the program ran on */
	dump_keyed(want, ks, vs, bk_map_sys_value_size(found), map_next, map_lookup, found);
}

int main(int argc, char **argv)
{
	struct bk_err err = { 0 };
	struct bk_object *obj;
	struct bk_loaded *lo;

	runfile_args(argc, argv, "bkrun");
	const char *eng = getenv("BKRUN_ENGINE");
	bool jit = eng && !strcmp(eng, "jit");

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
			print_run_error(i, rerr.code, rerr.msg);
			continue;
		}
		struct __sk_buff c;
		memset(&c, 0, sizeof(c));
		if (skb)
			memcpy(&c, res.ctx_out.data, res.ctx_out.len < sizeof(c) ? res.ctx_out.len : sizeof(c));
		print_run(i, (unsigned)res.retval, res.data_out.len, res.data_out.data, res.data_out.len,
			  skb ? &c : NULL);
		bk_run_result_free(&res);
	}
	for (int i = 0; i < ndumps; i++)
		dump_map(lo, dumps[i]);
	bk_loaded_free(lo);
	bk_vm_free(vm);
	return 0;
}
