/* The LLVM front end's one-pass line path (fast.c: bk__asm_fast_lines) against the
 * general path. A line followed by " ;" is never taken by the line path (it reads a line
 * to its newline and refuses a ';'), so the same text with and without it must give the
 * same bytes, or the same message, at every cpu level. Then every prefix of the text,
 * from a buffer of exactly its size: the line path reads without bounds checks up to a
 * line's '\n' and leaves a last line without one to the general path, so a cut anywhere
 * must give a result or a one-line error, never a read past the end (an ASan report under
 * SANITIZE=1). */
#include "bpfkit/asm.h"
#include "bpfkit/object.h"
#include "bpfkit/util.h"
#include "tap.h"

#include <stdlib.h>

static const char *lines[] = {
	"r6 = r1", "w1 = *(u32 *)(r6 + 4)", "r2 = r10", "r2 += -8", "*(u64 *)(r10 - 8) = r1",
	"*(u32 *)(r10 - 4) = 7", "*(u8 *)(r1 + 0x10) = w2", "r1 = counters ll", "r3 = 0x123456789 ll",
	"r4 = -5 ll", "call 1", "if r0 == 0 goto .LBB0_2", "if w1 s> w2 goto .LBB0_2",
	"if r1 s<= -3 goto .LBB0_2", "if w3 < 7 goto .LBB0_2", "if r1 & r2 goto .LBB0_2", "r1 = 1",
	"lock *(u64 *)(r0 + 0) += r1", "lock *(u32 *)(r0 + 8) |= w1", "w0 = w6", "w0 &= 255",
	"r0 <<= 32", "r0 s>>= 3", "w5 %= w6", "r5 /= 010", "r5 ^= 0b101", "r7 = *(u64 *)(r10 - 16)",
	"w7 = *(u16 *)(r1 + 2)", "r7 = *(u8 *)(r1 - 0)", "r2 = 4294967295", "r2 = -2147483648",
	"r2 = 4294967296", "w11 = 1", "r1 = r01", ".LBB0_2:", "goto .LBB0_2", "call sub", "call ext_fn",
	"if r1 > r2 goto .LBB0_3", "r9 = w1", "exit", ".LBB0_3:", "exit", "sub:", "r0 = 0",
	"exit", "exit:", "r0 = 1   # a comment", "ifx:",
};

/* data, in a section of its own */
static const char *data[] = {
	".section .data.x,\"aw\",@progbits", ".byte 3", ".byte 255", ".byte -128", ".byte 256",
	".short 65535            # DW_AT_decl_line", ".long 4294967295", ".long -1",
	".quad 18446744073709551615", ".quad -9223372036854775807", ".byte 07", ".long 0",
	".byte 1 ; .byte 2", ".long .Ldata", ".Ldata:", ".byte\t12\t# tab", ".long 1 + 2",
};

static char *join(const char **v, size_t n, const char *suffix, size_t *len)
{
	struct bk_buf b = { 0 };
	for (size_t i = 0; i < n; i++) {
		bk_buf_append(&b, "\t", 1);
		bk_buf_append(&b, v[i], strlen(v[i]));
		bk_buf_append(&b, suffix, strlen(suffix));
		bk_buf_append(&b, "\n", 1);
	}
	*len = b.len;
	return (char *)b.data;
}

/* assembles TEXT; returns the result and fills OUT with what it gave: the object file's
 * bytes, or the message */
static int run(const char *text, size_t len, int cpu, struct bk_buf *out)
{
	struct bk_asm_opts o = BK_OPTS_INIT(bk_asm_opts, .name = "lines.s", .syntax = BK_ASM_LLVM, .cpu = cpu);
	struct bk_err err = { 0 };
	struct bk_object *obj = NULL;
	int r = bk_asm_object(text, len, &o, &obj, &err);
	out->len = 0;
	if (r < 0)
		bk_buf_append(out, err.msg, strlen(err.msg));
	else if (bk_object_write(obj, out, &err) < 0)
		r = -1000; /* cannot happen to an object just built */
	bk_object_free(obj);
	return r;
}

/* one line at a time, then all of them, each with and without " ;" */
static void same(const char **v, size_t n, const char *what, const char *prefix)
{
	for (int cpu = 1; cpu <= 4; cpu++) {
		for (size_t k = 0; k <= n; k++) {
			const char *one[2] = { prefix, k < n ? v[k] : NULL };
			const char **src = k < n ? one : v;
			size_t cnt = k < n ? 2 : n;
			if (k < n && !prefix) {
				src = &v[k];
				cnt = 1;
			}
			size_t la, lb;
			char *a = join(src, cnt, "", &la), *b = join(src, cnt, " ;", &lb);
			struct bk_buf oa = { 0 }, ob = { 0 };
			int ra = run(a, la, cpu, &oa), rb = run(b, lb, cpu, &ob);
			bool eq = ra == rb && oa.len == ob.len && (!oa.len || !memcmp(oa.data, ob.data, oa.len));
			CHECKF(eq, "asm lines %s v%d %s: line path and general path agree (%d '%.*s' / %d '%.*s')",
			       what, cpu, k < n ? v[k] : "(all)", ra, ra < 0 ? (int)oa.len : 0,
			       ra < 0 ? (const char *)oa.data : "", rb, rb < 0 ? (int)ob.len : 0,
			       rb < 0 ? (const char *)ob.data : "");
			bk_buf_free(&oa);
			bk_buf_free(&ob);
			free(a);
			free(b);
		}
	}
}

static void prefixes(const char **v, size_t n, const char *what)
{
	size_t len;
	char *all = join(v, n, "", &len);
	size_t bad = 0;
	for (size_t k = 1; k <= len; k++) {
		char *exact = malloc(k);
		if (!exact)
			abort();
		memcpy(exact, all, k);
		struct bk_buf o = { 0 };
		int r = run(exact, k, 4, &o);
		if (r < 0 && (memchr(o.data, '\n', o.len) || o.len < 8 || memcmp(o.data, "lines.s:", 8)))
			bad++;
		bk_buf_free(&o);
		free(exact);
	}
	CHECKF(!bad, "asm lines %s: every one of %zu prefixes from an exact-size buffer gives a result or a one-line error (%zu bad)",
	       what, len, bad);
	free(all);
}

int main(void)
{
	size_t nl = sizeof(lines) / sizeof(lines[0]), nd = sizeof(data) / sizeof(data[0]);
	same(lines, nl, "code", NULL);
	same(data + 1, nd - 1, "data", data[0]);
	prefixes(lines, nl, "code");
	prefixes(data, nd, "data");
	return 0;
}
