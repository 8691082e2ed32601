/* Host-side pieces shared by native.c and bench/vm/bench_vm.c (not the BPF programs):
 * reading a packet file, the clock both measure with, and the timed loop. */
#ifndef BENCH_HOST_H
#define BENCH_HOST_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* Thread CPU time in ns: the machine is shared, and the kernel's BPF_PROG_TEST_RUN
 * duration leaves out preemption too. */
static inline double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ns per evaluation of CALL (an expression), averaged over REPS evaluations; the result
 * is kept so the call is not optimized away. */
#define BENCH_NS_PER_CALL(reps, call) __extension__ ({ \
	long n_ = (reps); \
	double t0_ = bench_now(); \
	for (long i_ = 0; i_ < n_; i_++) { \
		__typeof__(call) v_ = (call); \
		__asm__ volatile("" : : "r"(v_)); \
	} \
	(bench_now() - t0_) / n_; })

/* Reads a packet file (tests/corpus/pkt/NAME.hex): hex bytes, whitespace, '#' comments.
 * Returns the bytes read (at most CAP), or -1 when the file cannot be opened. */
static inline long bench_read_hex(const char *path, uint8_t *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;
	int c, hi = -1, comment = 0;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF) {
		if (comment) {
			comment = c != '\n';
			continue;
		}
		if (c == '#') {
			comment = 1;
			continue;
		}
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (v < 0)
			continue;
		if (hi < 0) {
			hi = v;
		} else if (n < cap) {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	fclose(f);
	return (long)n;
}

#endif
