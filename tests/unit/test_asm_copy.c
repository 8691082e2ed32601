/* bk_asm_file_write moves big sections' bytes from its scratch file into the output with
 * copy_file_range. Where the kernel refuses it (the scratch file on another file system:
 * EXDEV; an old kernel: ENOSYS; EINVAL), from the first call or after some pieces went
 * through, the bytes go through a buffer instead: the object must be the same bytes, in
 * one thread and in two. This file's copy_file_range stands in for libc's (the program's
 * own definition wins over the library's), so the refusals can be had on any system. */
#define _GNU_SOURCE
#include "bpfkit/asm.h"
#include "bpfkit/object.h"
#include "tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fail_errno;   /* 0: the kernel's copy_file_range */
static int pass_first;   /* calls that go through before the refusals start */
static int calls;

ssize_t copy_file_range(int in, loff_t *in_off, int out, loff_t *out_off, size_t len, unsigned flags)
{
	calls++;
	if (fail_errno && calls > pass_first) {
		errno = fail_errno;
		return -1;
	}
	return syscall(SYS_copy_file_range, in, in_off, out, out_off, len, flags);
}

/* Two code sections in turns (their 32 KiB pieces interleave in the scratch file), jumps
 * forward over more than a piece (patched over spilled bytes) and short ones (patched in
 * memory, so most pieces go through copy_file_range), relocated loads and calls,
 * a data section of words naming labels, and a cut for two threads near the middle. */
static void gen(FILE *f)
{
	fprintf(f, "\t.text\n");
	for (int fn = 0; fn < 4; fn++) {
		const char *s = fn % 2 ? "b" : "a";
		fprintf(f, "\t.section\t%s,\"ax\",@progbits\n\t.globl\tf%d\n\t.p2align\t3\n\t.type\tf%d,@function\nf%d:\n",
			s, fn, fn, fn);
		fprintf(f, "\tif r1 > 7 goto .Lend%d\n\tcall f%d\n\tr2 = d+%d ll\n", fn, (fn + 1) % 4, 8 * fn);
		for (int i = 0; i < 20000; i++) {
			if (i % 1000 == 0)
				fprintf(f, "\tif r0 == %d goto .L%d_%d\n", i, fn, i + 50);
			if (i % 1000 == 50)
				fprintf(f, ".L%d_%d:\n", fn, i);
			fprintf(f, "\tr0 += %d\n", i);
		}
		fprintf(f, ".Lend%d:\n\texit\n.Lfe%d:\n\t.size\tf%d, .Lfe%d-f%d\n", fn, fn, fn, fn, fn);
	}
	fprintf(f, "\t.data\n\t.p2align\t3\n\t.globl\td\nd:\n");
	for (int fn = 0; fn < 4; fn++)
		for (int k = 0; k < 1000; k++)
			fprintf(f, k % 100 ? "\t.quad\t%d\n" : "\t.quad\tf%d\n", k % 100 ? k : fn);
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc(len > 0 ? (size_t)len : 1);
	if (b && fread(b, 1, (size_t)len, f) != (size_t)len) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*n = (size_t)len;
	return b;
}

int main(void)
{
	char dir[4096], src[4200], ref[4200], out[4200];
	snprintf(dir, sizeof dir, "%s/asmcopy.XXXXXX", getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp");
	if (!mkdtemp(dir)) {
		printf("not ok asm copy: mkdtemp\n");
		return 0;
	}
	snprintf(src, sizeof src, "%s/big.s", dir);
	snprintf(ref, sizeof ref, "%s/ref.o", dir);
	snprintf(out, sizeof out, "%s/out.o", dir);
	FILE *f = fopen(src, "w");
	if (!f) {
		printf("not ok asm copy: %s\n", src);
		return 0;
	}
	gen(f);
	fclose(f);

	/* the reference: the object built in memory and written without a scratch file */
	struct bk_err err = { 0 };
	struct bk_object *obj = NULL;
	struct bk_asm_opts o1 = BK_OPTS_INIT(bk_asm_opts, .threads = 1);
	int r = bk_asm_file(src, &o1, &obj, &err);
	if (!r)
		r = bk_object_write_file(obj, ref, &err);
	bk_object_free(obj);
	CHECKF(r == 0, "asm copy: the reference object (%s)", err.msg);
	size_t nref = 0, nout = 0;
	char *want = slurp(ref, &nref);

	static const struct { int e, first; const char *what; } modes[] = {
		{ 0, 0, "copy_file_range" },
		{ EXDEV, 0, "EXDEV from the first call" },
		{ ENOSYS, 0, "ENOSYS from the first call" },
		{ EINVAL, 5, "EINVAL after five pieces" },
		{ EXDEV, 10, "EXDEV after ten pieces" },
	};
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		for (int threads = 1; threads <= 2; threads++) {
			fail_errno = modes[m].e;
			pass_first = modes[m].first;
			calls = 0;
			int used = 0;
			struct bk_asm_opts o = BK_OPTS_INIT(bk_asm_opts, .threads = threads, .threads_used = &used);
			memset(&err, 0, sizeof(err));
			unlink(out);
			r = bk_asm_file_write(src, out, &o, &err);
			char *got = r ? NULL : slurp(out, &nout);
			CHECKF(r == 0 && want && got && nout == nref && !memcmp(got, want, nref),
			       "asm copy: %s, %d thread(s): the object's bytes (%s)", modes[m].what, threads, err.msg);
			CHECKF(used == threads, "asm copy: %s: %d thread(s) used (%d)", modes[m].what, threads, used);
			/* the pieces without patches (most of them) went to copy_file_range */
			CHECKF(calls > modes[m].first, "asm copy: %s, %d thread(s): copy_file_range was called (%d calls)",
			       modes[m].what, threads, calls);
			free(got);
		}
	fail_errno = 0;
	free(want);
	unlink(src);
	unlink(ref);
	unlink(out);
	rmdir(dir);
	return 0;
}
