/* bpfkit run --engine kernel|all: the kernel's side of cmd_run.c. */
#define _GNU_SOURCE
#include "kcli.h"
#include "bpfkit/loader.h"
#include "bpfkit/object.h"
#include "bpfkit/progtype.h"
#include "bpfkit/vm.h"
#if __has_include("bpfkit/asm.h")
#include "bpfkit/asm.h"
#define KRUN_ASM 1
#else
#define KRUN_ASM 0
#endif

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#if !BK_HAVE_KERN
int bk_kcli_run(const struct bk_kcli_run *a, struct bk_loaded *lo, struct bk_prog *prog)
{
	return bk_cli_fail("run", "engine '%s' needs the kernel front end, and this build has no libbpf", a->engine);
}
#else
static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

/* What libbpf gets: the object's ELF bytes (assembly goes through bpfkit's ELF
 * writer), or raw bytecode as it is. */
static int kernel_input(const char *file, int cpu, struct bk_buf *elf, struct bk_err *err)
{
	uint8_t *data;
	size_t len;
	int r = bk_read_file(file, &data, &len, err);
	if (r < 0)
		return r;
	if (!(len >= 4 && !memcmp(data, "\177ELF", 4)) && (ends_with(file, ".s") || ends_with(file, ".S"))) {
#if KRUN_ASM
		struct bk_object *obj = NULL;
		struct bk_asm_opts ao = BK_OPTS_INIT(bk_asm_opts, .name = file, .cpu = cpu);
		r = bk_asm_object((const char *)data, len, &ao, &obj, err);
		free(data);
		if (r >= 0)
			r = bk_object_write(obj, elf, err);
		bk_object_free(obj);
		return r < 0 ? r : 0;
#else
		free(data);
		return bk_err_set(err, -EOPNOTSUPP, "%s: assembly input needs the assembler", file);
#endif
	}
	r = bk_buf_append(elf, data, len);
	free(data);
	return r ? bk_err_set(err, -ENOMEM, "out of memory") : 0;
}

/* Where the kernel's trace_printk lines are collected: a tracefs already mounted,
 * or one this process mounts in a mount namespace of its own (so that it is gone
 * with the process, whatever happens). NOTE gets the reason when neither works. */
static const char *tracefs_for_run(char *path, size_t len, char *mnt, size_t mlen, char *note, size_t nlen)
{
	mnt[0] = 0;
	if (!bk_kern_tracefs_find(path, len))
		return path;
	char tmpl[] = "/tmp/bpfkit-tracefs-XXXXXX";
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		snprintf(note, nlen, "no tracefs mounted, and can't make a mount namespace: %s", strerror(errno));
		return NULL;
	}
	/* The kernel's own mount point, in this namespace alone: no directory to clean. */
	if (!mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL)) {
		snprintf(path, len, "/sys/kernel/tracing");
		return path;
	}
	if (!mkdtemp(tmpl)) {
		snprintf(note, nlen, "can't create %s: %s", tmpl, strerror(errno));
		return NULL;
	}
	if (mount("tracefs", tmpl, "tracefs", 0, NULL)) {
		snprintf(note, nlen, "can't mount tracefs: %s", strerror(errno));
		rmdir(tmpl);
		return NULL;
	}
	snprintf(mnt, mlen, "%s", tmpl);
	snprintf(path, len, "%s", tmpl);
	return path;
}

static void json_line(struct bk_buf *out, const struct bk_buf *trace)
{
	size_t start = 0, k = 0;
	bk_buf_printf(out, ",\"trace\":[");
	for (size_t i = 0; i < trace->len; i++)
		if (trace->data[i] == '\n') {
			bk_buf_printf(out, "%s", k++ ? "," : "");
			bk_buf_json_str(out, (const char *)trace->data + start, i - start);
			start = i + 1;
		}
	bk_buf_printf(out, "]");
}

int bk_kcli_run(const struct bk_kcli_run *a, struct bk_loaded *lo, struct bk_prog *prog)
{
	struct bk_err err = { 0 };
	struct bk_buf elf = { 0 }, out = { 0 }, vlog = { 0 }, trace = { 0 };
	struct bk_kern_exec kres = { 0 };
	struct bk_run_result ures = { 0 };
	const char *names[64];
	int rc = 1, all = !strcmp(a->engine, "all");
	size_t nnames = 0;

	bk_kcli_init();
	if (kernel_input(a->file, a->cpu, &elf, &err) < 0)
		goto fail;
	for (int i = 0; i < a->nmap_in && nnames < 64; i++) {
		const char *eq = strchr(a->map_in[i], '=');
		char *n = strndup(a->map_in[i], (size_t)(eq - a->map_in[i]));
		if (!n) {
			bk_err_set(&err, -ENOMEM, "out of memory");
			goto fail;
		}
		names[nnames++] = n;
	}
	char *dup = strdup(a->file), *base = dup ? basename(dup) : NULL, *dot = base ? strrchr(base, '.') : NULL;
	if (dot)
		*dot = 0;
	const struct bk_progtype *pt = bk_prog_progtype(prog);
	/* A program's name is the one the userspace loader picked (the first, or --prog). */
	const char *pname = a->prog;
	char tfs[4096], tmnt[4096], tnote[512] = "";
	const char *tracefs = tracefs_for_run(tfs, sizeof(tfs), tmnt, sizeof(tmnt), tnote, sizeof(tnote));
	struct bk_kern_exec_opts eo = BK_OPTS_INIT(bk_kern_exec_opts, .name = base, .prog = pname,
		.type = a->type ? a->type : (pt && elf.len >= 4 && memcmp(elf.data, "\177ELF", 4) ? pt->name : NULL),
		.seed = lo, .seed_maps = names, .nseed_maps = nnames,
		.data_in = a->din, .data_in_len = a->dlen, .ctx_in = a->cin, .ctx_in_len = a->clen,
		.repeat = a->repeat, .cpu = a->cpu_run, .log_all = bk_cli.debug, .tracefs = tracefs);
	int r = bk_kern_exec(elf.data, elf.len, &eo, &kres, &vlog, &err);
	free(dup);
	if (tmnt[0]) {
		umount2(tmnt, MNT_DETACH);
		rmdir(tmnt);
	}
	if (r >= 0 && !tnote[0] && kres.trace_note[0])
		snprintf(tnote, sizeof(tnote), "%s", kres.trace_note);
	/* Said once, on stderr, so that the output stays what it is. */
	if (r >= 0 && tnote[0])
		fprintf(stderr, "bpfkit run: the kernel's trace_printk lines are not shown%s: %s\n",
			all ? " nor compared" : "", tnote);
	if (r < 0) {
		if (vlog.len)
			fwrite(vlog.data, 1, vlog.len, stderr);
		goto fail;
	}
	if (all) {
		struct bk_run_opts ro = BK_OPTS_INIT(bk_run_opts, .data_in = a->din, .data_size_in = a->dlen,
						     .ctx_in = a->cin, .ctx_size_in = a->clen, .repeat = a->repeat,
						     .trace = &trace);
		if (bk_prog_test_run(prog, &ro, &ures, &err) < 0)
			goto fail;
	}
	/* Output files are the kernel's; written before anything is printed. */
	if (a->data_out && bk_write_file(a->data_out, kres.run.data_out.data, kres.run.data_out.len, &err) < 0)
		goto fail;
	if (a->ctx_out && bk_write_file(a->ctx_out, kres.run.ctx_out.data, kres.run.ctx_out.len, &err) < 0)
		goto fail;
	if (!all) {
		if (a->json) {
			bk_buf_printf(&out, "{");
			bk_kern_exec_render(&kres, 1, a->dump_maps, a->repeat, &out);
			if (kres.trace.len)
				json_line(&out, &kres.trace);
			bk_buf_printf(&out, "}\n");
		} else {
			if (kres.trace.len)
				bk_buf_append(&out, kres.trace.data, kres.trace.len);
			bk_kern_exec_render(&kres, 0, a->dump_maps, a->repeat, &out);
		}
		rc = 0;
		goto print;
	}
	uint64_t mask = !pt || pt->retval_bits == 32 ? 0xffffffffull : ~0ull;
	struct bk_buf diffs = { 0 };
	int nd = bk_kern_exec_diff_trace(lo, &ures, mask, &trace, &kres, a->json, &diffs, &err);
	if (nd < 0) {
		bk_buf_free(&diffs);
		goto fail;
	}
	size_t compared = bk_kern_exec_compared(&kres);
	struct bk_buf unc = { 0 };
	bk_kern_exec_uncompared(&kres, &unc);
	if (a->json) {
		bk_buf_printf(&out, "{\"interp\":{\"retval\":%" PRIu64 ",\"duration\":%" PRIu64, ures.retval & mask,
			      ures.duration_ns);
		if (trace.len)
			json_line(&out, &trace);
		bk_buf_printf(&out, "},\"kernel\":{");
		bk_kern_exec_render(&kres, 1, a->dump_maps, a->repeat, &out);
		if (kres.trace.len)
			json_line(&out, &kres.trace);
		bk_buf_printf(&out, "},\"maps_compared\":%zu,", compared);
		if (unc.len) {
			bk_buf_printf(&out, "\"maps_not_compared\":");
			bk_buf_json_str(&out, (const char *)unc.data, unc.len);
			bk_buf_printf(&out, ",");
		}
		bk_buf_printf(&out, "\"trace_compared\":%s,\"differences\":[", tnote[0] ? "false" : "true");
		if (diffs.len)
			bk_buf_append(&out, diffs.data, diffs.len);
		bk_buf_printf(&out, "]}\n");
	} else {
		if (trace.len)
			bk_buf_append(&out, trace.data, trace.len);
		bk_buf_printf(&out, "interp: Return value: %" PRIu64 ", duration%s: %" PRIu64 "ns\n", ures.retval & mask,
			      a->repeat > 1 ? " (average)" : "", ures.duration_ns);
		if (kres.trace.len)
			bk_buf_append(&out, kres.trace.data, kres.trace.len);
		bk_buf_printf(&out, "kernel: ");
		bk_kern_exec_render(&kres, 0, a->dump_maps, a->repeat, &out);
		if (nd) {
			bk_buf_printf(&out, "%d difference%s:\n", nd, nd == 1 ? "" : "s");
			bk_buf_append(&out, diffs.data, diffs.len);
		} else {
			bk_buf_printf(&out, "same return value, data_out (%zu bytes)%s%s and maps (%zu compared, of %zu)\n",
				      kres.run.data_out.len, kres.run.ctx_out.len && ures.ctx_out.len ? ", ctx_out" : "",
				      tnote[0] ? "" : ", trace", compared, kres.nmaps);
		}
		if (unc.len)
			bk_buf_printf(&out, "not compared: %.*s\n", (int)unc.len, (const char *)unc.data);
	}
	bk_buf_free(&diffs);
	bk_buf_free(&unc);
	rc = nd ? 1 : 0;
print:
	fwrite(out.data, 1, out.len, stdout);
	goto out;
fail:
	bk_kcli_fail("run", &err);
out:
	for (size_t i = 0; i < nnames; i++)
		free((char *)names[i]);
	bk_kern_exec_free(&kres);
	bk_run_result_free(&ures);
	bk_buf_free(&elf);
	bk_buf_free(&out);
	bk_buf_free(&vlog);
	bk_buf_free(&trace);
	return rc;
}
#endif
