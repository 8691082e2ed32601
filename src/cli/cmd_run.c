#include "cli.h"
#include "kcli.h"
#include "bpfkit/helpers.h"
#include "bpfkit/loader.h"
#include "bpfkit/maps.h"
#include "bpfkit/object.h"
#include "bpfkit/util.h"
#include "bpfkit/vm.h"
#if __has_include("bpfkit/asm.h")
#include "bpfkit/asm.h"
#define HAVE_ASM 1
#else
#define HAVE_ASM 0
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

BK_COMMAND(run, bk_cmd_run, "run a program in the userspace runtime (as bpftool prog run)")

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bpfkit run FILE [--prog NAME] [--type xdp|socket|tc|raw]\n"
		"                  [--engine interp|jit|kernel|all] [--data-in F] [--data-out F]\n"
		"                  [--ctx-in F] [--ctx-out F] [--repeat N] [--map-in NAME=FILE.json]...\n"
		"                  [--dump-maps] [--seed N] [--cpu v1..v4] [--no-proofs] [-j]\n"
		"FILE is a BPF ELF object, a .s file or raw bytecode (8-byte instructions).\n"
		"Prints the program's trace_printk lines and, as bpftool prog run does,\n"
		"'Return value: N, duration: Xns'; --dump-maps then dumps every map.\n"
		"-j prints one JSON object: retval, duration, trace, and with --dump-maps maps.\n"
		"--engine kernel loads the object with libbpf and runs it through BPF_PROG_TEST_RUN\n"
		"(on the CPU whose per-CPU values the runtime shows; --map-in fills the kernel's maps;\n"
		"the kernel's trace_printk lines go to its trace_pipe); --engine all runs both and\n"
		"prints every difference in return value, data_out, ctx_out and maps (exit 1 if any).\n"
		"The engine is the JIT on x86-64 (the interpreter elsewhere, or with --engine interp).\n"
		"Programs the offline verifier accepts run without the memory checks it proved\n"
		"unnecessary; --no-proofs keeps every check (the results are the same).\n");
}

#define MAX_MAP_IN 64

struct run_args {
	const char *file, *prog, *type, *engine, *data_in, *data_out, *ctx_in, *ctx_out;
	const char *map_in[MAX_MAP_IN];
	int nmap_in;
	uint32_t repeat;
	uint64_t seed;
	int cpu;
	bool dump_maps, json, no_proofs;
};

static int parse_u64(const char *s, uint64_t *v)
{
	char *e;
	errno = 0;
	*v = strtoull(s, &e, 0);
	return (!*s || *e || errno || s[0] == '-') ? -1 : 0;
}

static int parse_args(int argc, char **argv, struct run_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char **dst = NULL;
		if (!strcmp(o, "-j") || !strcmp(o, "--json")) {
			a->json = true;
			continue;
		}
		if (!strcmp(o, "--dump-maps")) {
			a->dump_maps = true;
			continue;
		}
		if (!strcmp(o, "--no-proofs")) {
			a->no_proofs = true;
			continue;
		}
		if (o[0] != '-' || !o[1]) {
			if (a->file)
				return bk_cli_fail("run", "unexpected argument '%s'", o);
			a->file = o;
			continue;
		}
		if (i + 1 >= argc)
			return bk_cli_fail("run", "option %s needs a value", o);
		const char *v = argv[++i];
		uint64_t n;
		if (!strcmp(o, "--prog"))
			dst = &a->prog;
		else if (!strcmp(o, "--type"))
			dst = &a->type;
		else if (!strcmp(o, "--engine"))
			dst = &a->engine;
		else if (!strcmp(o, "--data-in"))
			dst = &a->data_in;
		else if (!strcmp(o, "--data-out"))
			dst = &a->data_out;
		else if (!strcmp(o, "--ctx-in"))
			dst = &a->ctx_in;
		else if (!strcmp(o, "--ctx-out"))
			dst = &a->ctx_out;
		else if (!strcmp(o, "--map-in")) {
			if (a->nmap_in >= MAX_MAP_IN)
				return bk_cli_fail("run", "too many --map-in (at most %d)", MAX_MAP_IN);
			if (!strchr(v, '=') || v[0] == '=')
				return bk_cli_fail("run", "--map-in wants NAME=FILE.json, got '%s'", v);
			a->map_in[a->nmap_in++] = v;
			continue;
		} else if (!strcmp(o, "--repeat")) {
			if (parse_u64(v, &n) < 0 || n == 0 || n > UINT32_MAX)
				return bk_cli_fail("run", "--repeat wants a number from 1 to %u, got '%s'", UINT32_MAX, v);
			a->repeat = (uint32_t)n;
			continue;
		} else if (!strcmp(o, "--seed")) {
			if (parse_u64(v, &n) < 0)
				return bk_cli_fail("run", "--seed wants a number, got '%s'", v);
			a->seed = n;
			continue;
		} else if (!strcmp(o, "--cpu") || !strncmp(o, "-mcpu", 5)) {
			a->cpu = bk_isa_parse_cpu(v);
			if (a->cpu <= 0)
				return bk_cli_fail("run", "--cpu wants v1..v4, got '%s'", v);
			continue;
		} else
			return bk_cli_fail("run", "unknown option '%s' (see bpfkit run --help)", o);
		*dst = v;
	}
	if (!a->file)
		return bk_cli_fail("run", "no FILE given (see bpfkit run --help)");
	return 0;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

/* The program: object, assembly or raw bytecode, loaded into VM. */
static int load_input(struct bk_vm *vm, const struct run_args *a, const struct bk_progtype *pt,
		      struct bk_loaded **lo, struct bk_err *err)
{
	uint8_t *data;
	size_t len;
	int r = bk_read_file(a->file, &data, &len, err);
	if (r < 0)
		return r;
	struct bk_load_opts lopts = BK_OPTS_INIT(bk_load_opts, .type = pt, .cpu = a->cpu, .prog = a->prog);
	struct bk_object *obj = NULL;
	if (len >= 4 && !memcmp(data, "\177ELF", 4)) {
		r = bk_object_read(data, len, a->file, &obj, err);
	} else if (ends_with(a->file, ".s") || ends_with(a->file, ".S")) {
#if HAVE_ASM
		struct bk_asm_opts ao = BK_OPTS_INIT(bk_asm_opts, .name = a->file, .cpu = a->cpu);
		r = bk_asm_object((const char *)data, len, &ao, &obj, err);
#else
		r = bk_err_set(err, -EOPNOTSUPP, "%s: assembly input needs the assembler, which this build lacks",
			       a->file);
#endif
	} else {
		if (a->prog)
			r = bk_err_set(err, -EINVAL, "%s: --prog needs an object; raw bytecode is one program", a->file);
		else
			r = bk_load_raw(vm, data, len, &lopts, lo, err);
		free(data);
		return r;
	}
	free(data);
	if (r < 0)
		return r;
	r = bk_load_object(vm, obj, &lopts, lo, err);
	bk_object_free(obj);
	return r;
}

static struct bk_map *find_loaded_map(const struct bk_loaded *lo, const char *name, size_t nlen)
{
	for (size_t i = 0; i < lo->linked->nmaps; i++) {
		const struct bk_link_map *m = &lo->linked->maps[i];
		if ((strlen(m->name) == nlen && !strncmp(m->name, name, nlen)) ||
		    (m->full_name && strlen(m->full_name) == nlen && !strncmp(m->full_name, name, nlen)))
			return lo->maps[i];
	}
	return NULL;
}

static int apply_map_in(const struct bk_loaded *lo, const char *spec, struct bk_err *err)
{
	const char *eq = strchr(spec, '=');
	struct bk_map *m = find_loaded_map(lo, spec, (size_t)(eq - spec));
	if (!m)
		return bk_err_set(err, -ENOENT, "--map-in: the program has no map '%.*s'", (int)(eq - spec), spec);
	uint8_t *json;
	size_t len;
	int r = bk_read_file(eq + 1, &json, &len, err);
	if (r < 0)
		return r;
	struct bk_err jerr = { 0 };
	r = bk_map_load_json(m, (const char *)json, len, &jerr);
	free(json);
	if (r < 0)
		return bk_err_set(err, r, "--map-in %s: %s", eq + 1, jerr.msg);
	return 0;
}

/* Plain dump in bpftool's text form: "key: .. value: .." lines, then "Found N elements". */
static int dump_plain(struct bk_map *m, struct bk_buf *out, struct bk_err *err)
{
	const struct bk_map_def *d = bk_map_def(m);
	size_t vsz = bk_map_sys_value_size(m), stride = (d->value_size + 7) & ~7u;
	uint8_t *key = calloc(1, d->key_size + 1), *next = calloc(1, d->key_size + 1);
	uint8_t *val = calloc(1, vsz + 1);
	int r = 0, n = 0;
	bool first = true, percpu = bk_map_is_percpu(m);
	if (!key || !next || !val) {
		r = bk_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (d->type == BK_MAP_RINGBUF || d->type == BK_MAP_QUEUE || d->type == BK_MAP_STACK) {
		bk_buf_printf(out, "(%s maps have no keys to dump; %u element(s))\n",
			      bk_map_type_name(d->type), bk_map_count(m));
		goto out;
	}
	for (;;) {
		struct bk_err e = { 0 };
		r = bk_map_sys_get_next_key(m, first ? NULL : key, next, &e);
		if (r == -ENOENT) {
			r = 0;
			break;
		}
		if (r < 0) {
			bk_err_set(err, r, "%s", e.msg);
			goto out;
		}
		first = false;
		memcpy(key, next, d->key_size);
		if (bk_map_sys_lookup(m, key, val, 0, &e) < 0)
			continue; /* empty slot (prog array, map-in-map) */
		n++;
		if (percpu) {
			bk_buf_printf(out, "key:\n");
			for (uint32_t i = 0; i < d->key_size; i++)
				bk_buf_printf(out, "%02x%s", key[i], i + 1 < d->key_size ? " " : "");
			bk_buf_printf(out, "\n");
			for (size_t c = 0; c < vsz / stride; c++) {
				bk_buf_printf(out, "value (CPU %02zu):", c);
				for (uint32_t i = 0; i < d->value_size; i++)
					bk_buf_printf(out, " %02x", val[c * stride + i]);
				bk_buf_printf(out, "\n");
			}
		} else {
			bk_buf_printf(out, "key:");
			for (uint32_t i = 0; i < d->key_size; i++)
				bk_buf_printf(out, " %02x", key[i]);
			bk_buf_printf(out, "  value:");
			for (uint32_t i = 0; i < d->value_size; i++)
				bk_buf_printf(out, " %02x", val[i]);
			bk_buf_printf(out, "\n");
		}
	}
	bk_buf_printf(out, "Found %d element%s\n", n, n == 1 ? "" : "s");
out:
	free(key);
	free(next);
	free(val);
	return r;
}

static int dump_maps(const struct bk_loaded *lo, bool json, struct bk_buf *out, struct bk_err *err)
{
	for (size_t i = 0; i < lo->linked->nmaps; i++) {
		struct bk_map *m = lo->maps[i];
		const struct bk_map_def *d = bk_map_def(m);
		const char *tn = bk_map_type_name(d->type);
		int r;
		if (json) {
			struct bk_buf dump = { 0 };
			struct bk_map_dump_opts o = BK_OPTS_INIT(bk_map_dump_opts, .pretty = false);
			r = bk_map_dump_json(m, &dump, &o, err);
			if (r < 0) {
				bk_buf_free(&dump);
				return r;
			}
			while (dump.len && (dump.data[dump.len - 1] == '\n'))
				dump.len--;
			bk_buf_printf(out, "%s{\"name\":", i ? "," : "");
			bk_buf_json_str(out, bk_map_name(m), strlen(bk_map_name(m)));
			bk_buf_printf(out, ",\"type\":");
			tn = tn ? tn : "unknown";
			bk_buf_json_str(out, tn, strlen(tn));
			bk_buf_printf(out, ",\"key_size\":%u,\"value_size\":%u,\"max_entries\":%u,\"dump\":",
				      d->key_size, d->value_size, d->max_entries);
			if (dump.len)
				bk_buf_append(out, dump.data, dump.len);
			else
				bk_buf_printf(out, "[]");
			bk_buf_printf(out, "}");
			bk_buf_free(&dump);
		} else {
			bk_buf_printf(out, "map '%s' (%s, key %u, value %u, max_entries %u):\n", bk_map_name(m),
				      tn ? tn : "unknown", d->key_size, d->value_size, d->max_entries);
			if ((r = dump_plain(m, out, err)) < 0)
				return r;
		}
	}
	return 0;
}

int bk_cmd_run(int argc, char **argv)
{
	struct run_args a = { .repeat = 1 };
	struct bk_err err = { 0 };
	struct bk_vm *vm = NULL;
	struct bk_loaded *lo = NULL;
	struct bk_run_result res = { 0 };
	struct bk_buf trace = { 0 }, out = { 0 };
	uint8_t *din = NULL, *cin = NULL;
	size_t dlen = 0, clen = 0;
	int rc = 1;

	for (int i = 1; i < argc; i++)
		if (bk_cli_is_help(argv[i])) {
			usage(stdout);
			return 0;
		}
	if (parse_args(argc, argv, &a))
		return 2;
	a.json |= bk_cli.json;
	bool kern = a.engine && (!strcmp(a.engine, "kernel") || !strcmp(a.engine, "all"));
	if (a.engine && strcmp(a.engine, "interp") && strcmp(a.engine, "jit") && !kern)
		return bk_cli_fail("run", "unknown engine '%s' (interp, jit, kernel, all)", a.engine);
	const struct bk_progtype *pt = NULL;
	if (a.type && !(pt = bk_progtype_by_name(a.type)))
		return bk_cli_fail("run", "unknown program type '%s' (xdp, socket, tc, raw)", a.type);

	int ncpus = bk_maps_host_ncpus();
	struct bk_vm_opts vo = BK_OPTS_INIT(bk_vm_opts, .ncpus = ncpus > 0 ? (unsigned)ncpus : 1,
					    .seed = a.seed);
	vm = bk_vm_new(&vo);
	if (!vm) {
		bk_cli_fail("run", "out of memory");
		goto out;
	}
	if (bk_helpers_install(vm, &err) < 0 || load_input(vm, &a, pt, &lo, &err) < 0)
		goto fail;
	struct bk_prog *prog = bk_loaded_prog(lo, a.prog, &err);
	if (!prog)
		goto fail;
	/* tail-call targets too; a program the verifier rejects keeps its checks */
	for (size_t i = 0; !a.no_proofs && i < lo->linked->nprogs; i++)
		if (lo->progs[i])
			bk_prog_prove(lo->progs[i], NULL);
	if (bk_cli_use_jit(prog, a.engine, &err) < 0)
		goto fail;
	for (int i = 0; i < a.nmap_in; i++)
		if (apply_map_in(lo, a.map_in[i], &err) < 0)
			goto fail;
	if (a.data_in && bk_read_file(a.data_in, &din, &dlen, &err) < 0)
		goto fail;
	if (a.ctx_in && bk_read_file(a.ctx_in, &cin, &clen, &err) < 0)
		goto fail;

	if (kern) {
		struct bk_kcli_run kr = { a.file, a.prog, a.type, a.engine, a.data_out, a.ctx_out, a.map_in,
					  a.nmap_in, a.repeat, a.cpu, (int)bk_maps_cpu(bk_vm_maps(vm)), a.json,
					  a.dump_maps, din, cin, dlen, clen };
		rc = bk_kcli_run(&kr, lo, prog);
		goto out;
	}
	struct bk_run_opts ro = BK_OPTS_INIT(bk_run_opts, .data_in = din, .data_size_in = dlen,
					     .ctx_in = cin, .ctx_size_in = clen, .repeat = a.repeat,
					     .trace = &trace);
	if (bk_prog_test_run(prog, &ro, &res, &err) < 0)
		goto fail;

	/* Output files first: a failure to write them is the run's failure, with nothing
	 * printed as if it had succeeded. */
	if (a.data_out && bk_write_file(a.data_out, res.data_out.data, res.data_out.len, &err) < 0)
		goto fail;
	if (a.ctx_out && bk_write_file(a.ctx_out, res.ctx_out.data, res.ctx_out.len, &err) < 0)
		goto fail;

	const struct bk_progtype *rpt = bk_prog_progtype(prog);
	uint64_t retval = res.retval;
	if (!rpt || rpt->retval_bits == 32)
		retval &= 0xffffffff;
	if (a.json) {
		bk_buf_printf(&out, "{\"retval\":%" PRIu64 ",\"duration\":%" PRIu64, retval, res.duration_ns);
		if (trace.len) {
			bk_buf_printf(&out, ",\"trace\":[");
			size_t start = 0, k = 0;
			for (size_t i = 0; i < trace.len; i++)
				if (trace.data[i] == '\n') {
					char *line = strndup((const char *)trace.data + start, i - start);
					if (line) {
						bk_buf_printf(&out, "%s", k++ ? "," : "");
						bk_buf_json_str(&out, line, strlen(line));
						free(line);
					}
					start = i + 1;
				}
			bk_buf_printf(&out, "]");
		}
		if (a.dump_maps) {
			bk_buf_printf(&out, ",\"maps\":[");
			if (dump_maps(lo, true, &out, &err) < 0)
				goto fail;
			bk_buf_printf(&out, "]");
		}
		bk_buf_printf(&out, "}\n");
	} else {
		if (trace.len)
			bk_buf_append(&out, trace.data, trace.len);
		bk_buf_printf(&out, "Return value: %" PRIu64 ", duration%s: %" PRIu64 "ns\n", retval,
			      a.repeat > 1 ? " (average)" : "", res.duration_ns);
		if (a.dump_maps && dump_maps(lo, false, &out, &err) < 0)
			goto fail;
	}
	fwrite(out.data, 1, out.len, stdout);
	rc = 0;
	goto out;
fail:
	bk_cli_fail("run", "%s", err.msg[0] ? err.msg : "failed");
out:
	bk_run_result_free(&res);
	bk_buf_free(&trace);
	bk_buf_free(&out);
	free(din);
	free(cin);
	bk_loaded_free(lo);
	bk_vm_free(vm);
	return rc;
}
