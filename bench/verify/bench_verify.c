/* Verification time and processed-instruction counts: bpfkit vs the kernel
 * (BPF_LOG_STATS "verification time N usec"). Usage: bench_verify OBJ... */
#include "bpfkit/verifier.h"
#include "bpfkit/object.h"

#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l; (void)f; (void)ap;
	return 0;
}

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int kernel(const char *file, const char *name, long *usec, long *processed)
{
	static char log[1 << 16];
	struct bpf_object *obj = bpf_object__open_file(file, NULL);
	struct bpf_program *p;
	if (!obj)
		return -1;
	bpf_object__for_each_program(p, obj) {
		bool me = !strcmp(bpf_program__name(p), name);
		bpf_program__set_autoload(p, me);
		if (me) {
			bpf_program__set_log_buf(p, log, sizeof log);
			bpf_program__set_log_level(p, 4);
		}
	}
	log[0] = 0;
	bpf_object__load(obj);
	const char *t = strstr(log, "verification time "), *pr = strstr(log, "processed ");
	*usec = t ? strtol(t + 18, NULL, 10) : -1;
	*processed = pr ? strtol(pr + 10, NULL, 10) : -1;
	bpf_object__close(obj);
	return 0;
}

int main(int argc, char **argv)
{
	libbpf_set_print(quiet);
	printf("| program | bpfkit us (best of 5) | kernel us | bpfkit processed | kernel processed |\n|---|---|---|---|---|\n");
	for (int a = 1; a < argc; a++) {
		struct bk_object *obj = NULL;
		struct bk_vprog *progs = NULL;
		size_t np = 0;
		if (bk_object_open(argv[a], &obj, NULL) < 0 || bk_vprogs_from_object(obj, &progs, &np, NULL) < 0) {
			bk_object_free(obj);
			continue;
		}
		for (size_t i = 0; i < np; i++) {
			struct bk_vprog *p = &progs[i];
			struct bk_verify_opts o = { .sz = sizeof o, .prog_type = p->type, .maps = p->maps,
						    .nmaps = p->nmaps, .btf_func_info = p->btf_func_info };
			double best = 1e18;
			struct bk_verify_result r;
			for (int k = 0; k < 5; k++) {
				double t0 = now_us();
				bk_verify(p->insns, p->n, &o, NULL, &r, NULL);
				double t1 = now_us();
				bk_verify_result_free(&r);
				if (t1 - t0 < best)
					best = t1 - t0;
			}
			long ku = -1, kp = -1;
			kernel(argv[a], p->name, &ku, &kp);
			const char *base = strrchr(argv[a], '/');
			printf("| %s/%s | %.0f | %ld | %u | %ld |\n", base ? base + 1 : argv[a], p->name, best, ku,
			       r.processed, kp);
		}
		bk_vprogs_free(progs, np);
		bk_object_free(obj);
	}
	return 0;
}
