/* Loading a C object of tests/verifier into the kernel through libbpf, for the tests
 * that compare bpfkit's verdict, message and processed count with the kernel's. */
#ifndef BK_TEST_KLOAD_H
#define BK_TEST_KLOAD_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

static int silent(enum libbpf_print_level l, const char *f, va_list ap)
{
	(void)l;
	(void)f;
	(void)ap;
	return 0;
}

/* The kernel's verdict (1/0, -1 when it could not try), processed count and last message. */
static int kernel_verdict(const char *file, unsigned *processed, char *msg, size_t msz)
{
	static char log[1 << 20];
	struct bpf_object *obj = bpf_object__open_file(file, NULL);
	if (!obj)
		return -1;
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj) {
		bpf_program__set_log_buf(p, log, sizeof log);
		bpf_program__set_log_level(p, 1);
	}
	log[0] = 0;
	int rc = bpf_object__load(obj);
	bpf_object__close(obj);
	const char *pr = strstr(log, "processed ");
	if (!pr)
		return -1;
	*processed = (unsigned)strtoul(pr + 10, NULL, 10);
	/* the line before "processed" */
	const char *end = pr;
	while (end > log && end[-1] == '\n')
		end--;
	const char *start = end;
	while (start > log && start[-1] != '\n')
		start--;
	snprintf(msg, msz, "%.*s", (int)(end - start), start);
	return rc == 0;
}
/* The kernel's verdict on FILE against bpfkit's (RC, MSG, PROCESSED), as tap checks named
 * "TAG NAME": the same verdict, the kernel's message on a rejection, processed counts
 * within 2x of each other. KERN false (not root) or a load libbpf could not try: a skip
 * saying which. (Needs tap.h's CHECKF.) */
static void kernel_compare(const char *tag, const char *file, const char *name, bool kern, int rc,
			   const char *msg, unsigned processed)
{
	unsigned kp = 0;
	char km[256] = "";
	int k = kern ? kernel_verdict(file, &kp, km, sizeof km) : -1;
	if (k < 0) {
		printf("skip %s %s kernel: %s\n", tag, name, kern ? "libbpf could not load it" : "needs root with bpf(2)");
		return;
	}
	CHECKF(k == (rc == 0), "%s %s: kernel %s, bpfkit %s", tag, name, k ? "accepts" : "rejects",
	       rc ? "rejects" : "accepts");
	if (!k)
		CHECKF(!strcmp(km, msg), "%s %s: kernel's message '%s' (bpfkit '%s')", tag, name, km, msg);
	CHECKF(processed <= 2 * kp && kp <= 2 * processed, "%s %s: processed bpfkit %u kernel %u", tag, name,
	       processed, kp);
}
#endif
