#include "kj.h"

#include <inttypes.h>
#include <string.h>

void bk_kj_init(struct bk_kj *j, struct bk_buf *b, int pretty)
{
	memset(j, 0, sizeof(*j));
	j->b = b;
	j->pretty = pretty;
	j->first[0] = true;
}

static void indent(struct bk_kj *j)
{
	if (!j->pretty)
		return;
	bk_buf_printf(j->b, "\n");
	for (int i = 0; i < j->depth; i++)
		bk_buf_printf(j->b, "    ");
}

/* Before any value: a comma between siblings, nothing after a key. */
static void pre(struct bk_kj *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		bk_buf_printf(j->b, ",");
	j->first[j->depth] = false;
	if (j->depth)
		indent(j);
}

static void open(struct bk_kj *j, char c)
{
	pre(j);
	bk_buf_printf(j->b, "%c", c);
	if (j->depth < 63)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct bk_kj *j, char c)
{
	bool empty = j->first[j->depth];
	if (j->depth)
		j->depth--;
	if (!empty)
		indent(j);
	bk_buf_printf(j->b, "%c", c);
}

void bk_kj_obj(struct bk_kj *j) { open(j, '{'); }
void bk_kj_end_obj(struct bk_kj *j) { close_(j, '}'); }
void bk_kj_arr(struct bk_kj *j) { open(j, '['); }
void bk_kj_end_arr(struct bk_kj *j) { close_(j, ']'); }

static void quoted(struct bk_kj *j, const char *s)
{
	bk_buf_json_str(j->b, s, strlen(s));
}

void bk_kj_key(struct bk_kj *j, const char *k)
{
	pre(j);
	quoted(j, k);
	bk_buf_printf(j->b, j->pretty ? ": " : ":");
	j->after_key = true;
}

void bk_kj_str(struct bk_kj *j, const char *s) { pre(j); quoted(j, s ? s : ""); }
void bk_kj_u64(struct bk_kj *j, uint64_t v) { pre(j); bk_buf_printf(j->b, "%" PRIu64, v); }
void bk_kj_s64(struct bk_kj *j, int64_t v) { pre(j); bk_buf_printf(j->b, "%" PRId64, v); }
void bk_kj_bool(struct bk_kj *j, bool v) { pre(j); bk_buf_printf(j->b, v ? "true" : "false"); }
void bk_kj_null(struct bk_kj *j) { pre(j); bk_buf_printf(j->b, "null"); }
void bk_kj_raw(struct bk_kj *j, const char *text) { pre(j); bk_buf_printf(j->b, "%s", text); }

void bk_kj_hex_arr(struct bk_kj *j, const void *p, size_t n)
{
	const uint8_t *b = p;
	bk_kj_arr(j);
	for (size_t i = 0; i < n; i++) {
		char s[8];
		snprintf(s, sizeof(s), "0x%02x", b[i]);
		bk_kj_str(j, s);
	}
	bk_kj_end_arr(j);
}
