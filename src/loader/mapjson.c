/* Map contents from `bpftool map dump -j` JSON: a list of {"key": [bytes], "value":
 * [bytes]} or, for per-cpu maps, {"key": [...], "values": [{"cpu": N, "value": [...]}]}.
 * Bytes are "0x.." strings (as bpftool writes them) or numbers. Other members (e.g.
 * "formatted") are skipped. A small recursive-descent reader: only what that form needs. */
#include "loader_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct jr {
	const char *p, *end, *start;
	struct bk_err *err;
	int depth;
};

static void ws(struct jr *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r'))
		j->p++;
}

static int fail(struct jr *j, const char *what)
{
	return bk_err_set(j->err, -EINVAL, "map JSON: %s at byte %ld", what, (long)(j->p - j->start));
}

static bool eat(struct jr *j, char c)
{
	ws(j);
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return true;
	}
	return false;
}

/* A string's contents into OUT (no escapes beyond \" and \\ are needed here). */
static int str(struct jr *j, char *out, size_t size)
{
	size_t n = 0;
	if (!eat(j, '"'))
		return fail(j, "expected a string");
	while (j->p < j->end && *j->p != '"') {
		char c = *j->p++;
		if (c == '\\' && j->p < j->end)
			c = *j->p++;
		if (n + 1 < size)
			out[n++] = c;
	}
	if (j->p >= j->end)
		return fail(j, "unterminated string");
	j->p++;
	out[n] = 0;
	return 0;
}

static int skip_value(struct jr *j)
{
	char tmp[8];
	ws(j);
	if (j->p >= j->end)
		return fail(j, "unexpected end");
	if (++j->depth > 64)
		return fail(j, "nested too deep");
	int r = 0;
	if (*j->p == '"') {
		r = str(j, tmp, sizeof tmp);
	} else if (*j->p == '[' || *j->p == '{') {
		char close = *j->p == '[' ? ']' : '}';
		bool obj = *j->p == '{';
		j->p++;
		if (!eat(j, close)) {
			do {
				if (obj && ((r = str(j, tmp, sizeof tmp)) < 0 || !eat(j, ':')))
					return r < 0 ? r : fail(j, "expected ':'");
				if ((r = skip_value(j)) < 0)
					return r;
			} while (eat(j, ','));
			if (!eat(j, close))
				return fail(j, "expected ',' or a closing bracket");
		}
	} else {
		while (j->p < j->end && !strchr(",]} \n\t\r", *j->p))
			j->p++;
	}
	j->depth--;
	return r;
}

static int number(struct jr *j, uint64_t *v)
{
	char buf[40];
	ws(j);
	if (j->p < j->end && *j->p == '"') {
		int r = str(j, buf, sizeof buf);
		if (r < 0)
			return r;
	} else {
		size_t n = 0;
		while (j->p < j->end && !strchr(",]} \n\t\r", *j->p) && n + 1 < sizeof buf)
			buf[n++] = *j->p++;
		buf[n] = 0;
	}
	char *e;
	errno = 0;
	*v = strtoull(buf, &e, 0);
	if (!buf[0] || *e || errno)
		return fail(j, "expected a number or \"0x..\" byte");
	return 0;
}

static int bytes(struct jr *j, uint8_t *out, size_t want, const char *what)
{
	size_t n = 0;
	if (!eat(j, '['))
		return fail(j, "expected a byte list");
	if (!eat(j, ']')) {
		do {
			uint64_t v;
			int r = number(j, &v);
			if (r < 0)
				return r;
			if (v > 255)
				return fail(j, "byte above 255");
			if (n < want)
				out[n] = (uint8_t)v;
			n++;
		} while (eat(j, ','));
		if (!eat(j, ']'))
			return fail(j, "expected ',' or ']'");
	}
	if (n != want)
		return bk_err_set(j->err, -EINVAL, "map JSON: %s has %zu bytes, the map wants %zu", what, n, want);
	return 0;
}

int bk_map_load_json(struct bk_map *m, const char *json, size_t len, struct bk_err *err)
{
	const struct bk_map_def *d = bk_map_def(m);
	struct jr j = { json, json + len, json, err, 0 };
	bool percpu = bk_map_is_percpu(m);
	size_t vsz = bk_map_sys_value_size(m), stride = (d->value_size + 7) & ~7u;
	uint8_t *key = calloc(1, d->key_size + 1), *val = calloc(1, vsz + 1);
	int r = 0, count = 0;
	if (!key || !val) {
		r = bk_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (!eat(&j, '[')) {
		r = fail(&j, "expected a list of elements");
		goto out;
	}
	if (eat(&j, ']'))
		goto done;
	do {
		bool have_key = false, have_val = false;
		char name[32];
		if (!eat(&j, '{')) {
			r = fail(&j, "expected an element object");
			goto out;
		}
		memset(val, 0, vsz);
		if (!eat(&j, '}')) {
			do {
				if ((r = str(&j, name, sizeof name)) < 0)
					goto out;
				if (!eat(&j, ':')) {
					r = fail(&j, "expected ':'");
					goto out;
				}
				if (!strcmp(name, "key")) {
					r = bytes(&j, key, d->key_size, "key");
					have_key = true;
				} else if (!strcmp(name, "value") && !percpu) {
					r = bytes(&j, val, d->value_size, "value");
					have_val = true;
				} else if (!strcmp(name, "values") && percpu) {
					if (!eat(&j, '[')) {
						r = fail(&j, "expected a list of per-cpu values");
						goto out;
					}
					if (!eat(&j, ']')) {
						do {
							uint64_t cpu = 0;
							bool got = false;
							char n2[16];
							if (!eat(&j, '{')) {
								r = fail(&j, "expected {\"cpu\":N,\"value\":[...]}");
								goto out;
							}
							uint8_t *tmp = calloc(1, stride + 1);
							if (!tmp) {
								r = bk_err_set(err, -ENOMEM, "out of memory");
								goto out;
							}
							do {
								if ((r = str(&j, n2, sizeof n2)) < 0 || !eat(&j, ':')) {
									free(tmp);
									r = r < 0 ? r : fail(&j, "expected ':'");
									goto out;
								}
								if (!strcmp(n2, "cpu"))
									r = number(&j, &cpu);
								else if (!strcmp(n2, "value")) {
									r = bytes(&j, tmp, d->value_size, "value");
									got = true;
								} else
									r = skip_value(&j);
								if (r < 0) {
									free(tmp);
									goto out;
								}
							} while (eat(&j, ','));
							if (!eat(&j, '}')) {
								free(tmp);
								r = fail(&j, "expected '}'");
								goto out;
							}
							if (got && (cpu + 1) * stride <= vsz)
								memcpy(val + cpu * stride, tmp, d->value_size);
							else if (got) {
								free(tmp);
								r = bk_err_set(err, -EINVAL, "map JSON: cpu %llu beyond the map's %zu cpus",
									       (unsigned long long)cpu, vsz / stride);
								goto out;
							}
							free(tmp);
						} while (eat(&j, ','));
						if (!eat(&j, ']')) {
							r = fail(&j, "expected ']'");
							goto out;
						}
					}
					have_val = true;
				} else {
					r = skip_value(&j);
				}
				if (r < 0)
					goto out;
			} while (eat(&j, ','));
			if (!eat(&j, '}')) {
				r = fail(&j, "expected ',' or '}'");
				goto out;
			}
		}
		if (!have_val || (!have_key && d->key_size)) {
			r = bk_err_set(err, -EINVAL, "map JSON: element %d lacks a %s", count,
				       have_val ? "key" : "value");
			goto out;
		}
		if (d->type == BK_MAP_QUEUE || d->type == BK_MAP_STACK)
			r = bk_map_sys_update(m, NULL, val, BK_ANY, err);
		else
			r = bk_map_sys_update(m, key, val, BK_ANY, err);
		if (r < 0)
			goto out;
		count++;
	} while (eat(&j, ','));
	if (!eat(&j, ']')) {
		r = fail(&j, "expected ',' or ']'");
		goto out;
	}
done:
	ws(&j);
	if (j.p != j.end)
		r = fail(&j, "trailing characters");
	else
		r = count;
out:
	free(key);
	free(val);
	return r;
}
