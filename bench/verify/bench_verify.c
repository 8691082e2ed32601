/* Verification time and processed-instruction counts: bpfkit vs the kernel
 * (BPF_LOG_STATS "verification time N usec"). Usage: bench_verify OBJ... */
#include "bpfkit/verifier.h"
#include "bpfkit/object.h"
#include "bpfkit/probe.h"

#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* ---- generated programs: large, cheap for the kernel (bounded branching) ---- */

#define I(c, d, s_, o, i) ((struct bk_insn){ .code = (c), .dst = (d), .src = (s_), .off = (o), .imm = (i) })

struct gen {
	struct bk_insn *p;
	size_t n, cap;
};

static void put(struct gen *g, struct bk_insn in)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 1024;
		g->p = realloc(g->p, g->cap * sizeof(*g->p));
		if (!g->p)
			exit(1);
	}
	g->p[g->n++] = in;
}

/* straight line: ALU on r0-r5 and stack stores/loads, no branch */
static void gen_straight(struct gen *g, size_t n)
{
	put(g, I(0xb7, 0, 0, 0, 0));
	for (int r = 2; r <= 5; r++)
		put(g, I(0xb7, r, 0, 0, r));
	for (size_t i = 0; g->n < n - 2; i++) {
		int d = 2 + (int)(i % 4), s = 2 + (int)((i + 1) % 4);
		switch (i % 6) {
		case 0: put(g, I(0x07, d, 0, 0, (int)i)); break;                  /* d += i */
		case 1: put(g, I(0xaf, d, s, 0, 0)); break;                       /* d ^= s */
		case 2: put(g, I(0x7b, 10, d, -8 * (1 + (int)(i % 16)), 0)); break; /* spill */
		case 3: put(g, I(0x79, s, 10, -8 * (1 + (int)((i - 1) % 16)), 0)); break;
		case 4: put(g, I(0x27, d, 0, 0, 3)); break;                       /* d *= 3 */
		default: put(g, I(0x0f, 0, d, 0, 0)); break;                      /* r0 += d */
		}
	}
	put(g, I(0xb7, 0, 0, 0, 0));
	put(g, I(0x95, 0, 0, 0, 0));
}

/* branchy: blocks "r6 = skb->len; if r6 > K goto +2; r0 += 1; r7 ^= r0; r7 += k; filler":
 * the two paths join at once, r6 is dead after its compare and r0/r7 imprecise, so the
 * kernel and bpfkit prune at every join (bounded: no state explosion). Both keep the
 * taken side of every branch pending until the path ends, and refuse more than 8192
 * pending ("The sequence of 8193 jumps is too complex"): 6000 branches at most. */
static void gen_branchy(struct gen *g, size_t n)
{
	size_t filler = n / 6000 > 5 ? n / 6000 - 5 : 0;
	put(g, I(0xb7, 0, 0, 0, 0));
	put(g, I(0xb7, 7, 0, 0, 0));
	put(g, I(0xb7, 8, 0, 0, 0));
	for (int k = 0; g->n + 5 + filler < n - 3; k++) {
		put(g, I(0x61, 6, 1, 0, 0));
		put(g, I(0x25, 6, 0, 2, k % 1500));
		put(g, I(0x07, 0, 0, 0, 1));
		put(g, I(0xaf, 7, 0, 0, 0));
		put(g, I(0x07, 7, 0, 0, k));
		for (size_t f = 0; f < filler; f++)
			put(g, f % 2 ? I(0x27, 8, 0, 0, 3) : I(0x07, 8, 0, 0, (int)f));
	}
	put(g, I(0xbf, 0, 7, 0, 0));
	put(g, I(0x57, 0, 0, 0, 1));
	put(g, I(0x95, 0, 0, 0, 0));
}

/* packet parsing (xdp): each block proves 8 more bytes against data_end (or returns at
 * once) and reads them */
static void gen_packet(struct gen *g, size_t n)
{
	put(g, I(0x61, 2, 1, 0, 0));          /* r2 = data */
	put(g, I(0x61, 3, 1, 4, 0));          /* r3 = data_end */
	put(g, I(0xb7, 0, 0, 0, 2));
	for (int k = 0; g->n < n - 2; k++) {
		int off = (k % 64) * 8;
		put(g, I(0xbf, 4, 2, 0, 0));
		put(g, I(0x07, 4, 0, 0, off + 8));
		put(g, I(0xbd, 4, 3, 2, 0));  /* if r4 <= r3 goto +2 */
		put(g, I(0xb7, 0, 0, 0, 1));
		put(g, I(0x95, 0, 0, 0, 0));
		put(g, I(0x79, 5, 2, (int16_t)off, 0));
		put(g, I(0x57, 5, 0, 0, 1));
		put(g, I(0x4f, 0, 5, 0, 0));
	}
	put(g, I(0x57, 0, 0, 0, 3));
	put(g, I(0x95, 0, 0, 0, 0));
}

/* calls: a static subprogram called from every block of the main program */
static void gen_calls(struct gen *g, size_t n)
{
	size_t body = 6, blocks = (n - body - 4) / 3;
	put(g, I(0xb7, 6, 0, 0, 0));
	for (size_t k = 0; k < blocks; k++) {
		put(g, I(0xbf, 1, 6, 0, 0));
		size_t at = g->n, target = 1 + blocks * 3 + 2;
		put(g, I(0x85, 0, 1, 0, (int)(target - at - 1)));
		put(g, I(0x0f, 6, 0, 0, 0));
	}
	put(g, I(0xbf, 0, 6, 0, 0));
	put(g, I(0x95, 0, 0, 0, 0));
	put(g, I(0xbf, 0, 1, 0, 0));          /* subprogram: r0 = r1, mixed */
	for (size_t k = 0; k < body - 2; k++)
		put(g, k % 2 ? I(0xa7, 0, 0, 0, (int)k) : I(0x27, 0, 0, 0, 5));
	put(g, I(0x95, 0, 0, 0, 0));
}

static void run_generated(void)
{
	/* max: the kernel needs seconds for 100k calls (about 20 s at 250k): kept smaller */
	static const struct {
		const char *name;
		void (*gen)(struct gen *, size_t);
		int type;
		size_t max;
	} kinds[] = {
		{ "straight", gen_straight, BK_VPROG_SOCKET_FILTER, 1000000 },
		{ "branchy", gen_branchy, BK_VPROG_SOCKET_FILTER, 1000000 },
		{ "packet", gen_packet, BK_VPROG_XDP, 1000000 },
		{ "calls", gen_calls, BK_VPROG_SOCKET_FILTER, 100000 },
	};
	static const size_t sizes[] = { 10000, 100000, 250000 };
	static char log[1 << 16];
	printf("\n| generated program | insns | bpfkit us (best of 3) | kernel us (best of 3) | bpfkit processed | kernel processed | verdicts |\n|---|---|---|---|---|---|---|\n");
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
			if (sizes[z] > kinds[k].max)
				continue;
			struct gen g = { 0 };
			kinds[k].gen(&g, sizes[z]);
			struct bk_verify_opts o = { .sz = sizeof o, .prog_type = kinds[k].type };
			struct bk_verify_result r;
			double best = 1e18;
			int rc = 0;
			for (int t = 0; t < 3; t++) {
				double t0 = now_us();
				rc = bk_verify(g.p, g.n, &o, NULL, &r, NULL);
				double t1 = now_us();
				if (t < 2)
					bk_verify_result_free(&r);
				if (t1 - t0 < best)
					best = t1 - t0;
			}
			long kbest = -1, kp = -1;
			int kok = 0;
			for (int t = 0; t < 3; t++) {
				struct bk_probe_load_opts lo = { .sz = sizeof lo, .prog_type = kinds[k].type,
								 .log = log, .log_size = sizeof log, .log_level = 4 };
				log[0] = 0;
				int fd = bk_probe_load(g.p, g.n, &lo, NULL);
				kok = fd >= 0;
				if (fd >= 0)
					close(fd);
				const char *tm = strstr(log, "verification time "), *pr = strstr(log, "processed ");
				long us = tm ? strtol(tm + 18, NULL, 10) : -1;
				if (us >= 0 && (kbest < 0 || us < kbest))
					kbest = us;
				kp = pr ? strtol(pr + 10, NULL, 10) : -1;
			}
			printf("| %s | %zu | %.0f | %ld | %u | %ld | bpfkit %s, kernel %s |\n", kinds[k].name, g.n,
			       best, kbest, r.processed, kp, rc ? "rejects" : "accepts", kok ? "accepts" : "rejects");
			fflush(stdout);
			bk_verify_result_free(&r);
			free(g.p);
		}
}

int main(int argc, char **argv)
{
	libbpf_set_print(quiet);
	if (argc > 1 && !strcmp(argv[1], "--generated")) {
		run_generated();
		return 0;
	}
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
						    .nmaps = p->nmaps, .btf_func_info = p->btf_func_info,
						    .funcs = p->funcs, .nfuncs = p->nfuncs };
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
