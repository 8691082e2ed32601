/* Small pieces every module needs: growable buffers, whole-file I/O that never
 * leaves a partial output file behind, and hex helpers shared by the printers. */
#ifndef BPFKIT_UTIL_H
#define BPFKIT_UTIL_H

#include "common.h"
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bk_buf {
	uint8_t *data;
	size_t len, cap;
};

int bk_buf_reserve(struct bk_buf *b, size_t extra);
int bk_buf_append(struct bk_buf *b, const void *p, size_t n);
int bk_buf_zero(struct bk_buf *b, size_t n);
int bk_buf_printf(struct bk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bk_buf_free(struct bk_buf *b);
/* Appends N bytes of S as a quoted JSON string, escaped as bpftool's json_writer does. */
int bk_buf_json_str(struct bk_buf *b, const char *s, size_t n);

/* Reads a whole file ("-" is stdin). *out is malloc'ed; caller frees. */
int bk_read_file(const char *path, uint8_t **out, size_t *len, struct bk_err *err);
/* Writes to PATH.tmpXXXX then renames, so a failed run leaves no output file.
 * "-" writes to stdout. */
int bk_write_file(const char *path, const void *data, size_t len, struct bk_err *err);

/* Parses hex bytes separated by white space (conformance `-- mem`, plugin input). */
int bk_parse_hex_bytes(const char *text, struct bk_buf *out, struct bk_err *err);

#ifdef __cplusplus
}
#endif
#endif
