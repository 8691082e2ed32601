/* bpfkit — shared conventions of the public API.
 *
 * Every fallible call returns 0 (or a count) on success and a negative errno on
 * failure, and fills a struct bk_err with one line that names where (file:line:col,
 * section + instruction index, ...) and what. A NULL bk_err is allowed. The library
 * never prints; the caller decides how to show errors. Option structs start with
 * `size_t sz` (set with BK_OPTS_INIT) so fields can be added without breaking ABI. */
#ifndef BPFKIT_COMMON_H
#define BPFKIT_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BK_ERR_MAX 512

struct bk_err {
	int code;             /* negative errno, 0 when no error was recorded */
	char msg[BK_ERR_MAX]; /* one line, no trailing newline */
};

/* Records the first error only: later calls keep the original, more precise cause. */
int bk_err_set(struct bk_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void bk_err_clear(struct bk_err *err);

/* Option structs: struct foo_opts o = BK_OPTS_INIT(foo_opts, .x = 1); */
#define BK_OPTS_INIT(type, ...) ((struct type){ .sz = sizeof(struct type), __VA_ARGS__ })
/* A field is usable when the caller's struct is large enough to hold it. */
#define BK_OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))
#define BK_OPTS_GET(opts, field, def) (BK_OPTS_HAS(opts, field) ? (opts)->field : (def))

const char *bk_version(void);

#ifdef __cplusplus
}
#endif
#endif
