#include "bpfkit/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ctype.h>
#include <sys/stat.h>

const char *bk_version(void) { return BK_VERSION; }

int bk_err_set(struct bk_err *err, int code, const char *fmt, ...)
{
	if (err && !err->code) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		err->code = code;
	}
	return code;
}

void bk_err_clear(struct bk_err *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = 0;
	}
}

int bk_buf_reserve(struct bk_buf *b, size_t extra)
{
	if (b->len + extra <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra) {
		if (cap > SIZE_MAX / 2)
			return -ENOMEM;
		cap *= 2;
	}
	uint8_t *p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int bk_buf_append(struct bk_buf *b, const void *p, size_t n)
{
	if (!n)
		return 0;
	int r = bk_buf_reserve(b, n);
	if (r)
		return r;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int bk_buf_zero(struct bk_buf *b, size_t n)
{
	int r = bk_buf_reserve(b, n);
	if (r)
		return r;
	memset(b->data + b->len, 0, n);
	b->len += n;
	return 0;
}

int bk_buf_printf(struct bk_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	int r = bk_buf_reserve(b, (size_t)n + 1);
	if (r)
		return r;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int bk_buf_json_str(struct bk_buf *b, const char *s, size_t n)
{
	int r = bk_buf_append(b, "\"", 1);
	for (size_t i = 0; i < n && !r; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			r = bk_buf_printf(b, "\\%c", c);
		else if (c == '\n')
			r = bk_buf_append(b, "\\n", 2);
		else if (c == '\t')
			r = bk_buf_append(b, "\\t", 2);
		else if (c < 0x20)
			r = bk_buf_printf(b, "\\u%04x", c);
		else
			r = bk_buf_append(b, &c, 1);
	}
	return r ? r : bk_buf_append(b, "\"", 1);
}

void bk_buf_free(struct bk_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int bk_read_file(const char *path, uint8_t **out, size_t *len, struct bk_err *err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f)
		return bk_err_set(err, -errno, "%s: %s", path, strerror(errno));
	struct bk_buf b = { 0 };
	uint8_t chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (bk_buf_append(&b, chunk, n)) {
			bk_buf_free(&b);
			if (f != stdin)
				fclose(f);
			return bk_err_set(err, -ENOMEM, "%s: out of memory", path);
		}
	}
	int bad = ferror(f);
	if (f != stdin)
		fclose(f);
	if (bad) {
		bk_buf_free(&b);
		return bk_err_set(err, -EIO, "%s: read error", path);
	}
	/* A NUL after the data lets text parsers treat the buffer as a C string. */
	if (bk_buf_reserve(&b, 1)) {
		bk_buf_free(&b);
		return bk_err_set(err, -ENOMEM, "%s: out of memory", path);
	}
	b.data[b.len] = 0;
	*out = b.data;
	*len = b.len;
	return 0;
}

int bk_write_file(const char *path, const void *data, size_t len, struct bk_err *err)
{
	if (!strcmp(path, "-")) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout))
			return bk_err_set(err, -EIO, "<stdout>: write error");
		return 0;
	}
	size_t pl = strlen(path);
	char *tmp = malloc(pl + 16);
	if (!tmp)
		return bk_err_set(err, -ENOMEM, "%s: out of memory", path);
	snprintf(tmp, pl + 16, "%s.tmpXXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return bk_err_set(err, -e, "%s: %s", path, strerror(e));
	}
	const uint8_t *p = data;
	size_t left = len;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			unlink(tmp);
			free(tmp);
			return bk_err_set(err, -e, "%s: %s", path, strerror(e));
		}
		p += w;
		left -= (size_t)w;
	}
	fchmod(fd, 0644);
	if (close(fd) || rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		free(tmp);
		return bk_err_set(err, -e, "%s: %s", path, strerror(e));
	}
	free(tmp);
	return 0;
}

int bk_parse_hex_bytes(const char *text, struct bk_buf *out, struct bk_err *err)
{
	const char *p = text;
	while (*p) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
		    (p[2] && !isspace((unsigned char)p[2])))
			return bk_err_set(err, -EINVAL, "bad hex byte at offset %zu", (size_t)(p - text));
		uint8_t v = (uint8_t)strtoul((char[]){ p[0], p[1], 0 }, NULL, 16);
		if (bk_buf_append(out, &v, 1))
			return bk_err_set(err, -ENOMEM, "out of memory");
		p += 2;
	}
	return 0;
}
