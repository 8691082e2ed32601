/* `bpftool map dump -j` / `-p` output. The writer follows bpftool's json_writer byte for
 * byte: where commas, newlines and indentation go depends on the same "separator
 * pending" state, so the pretty form matches too. */
#include "maps_int.h"

#include <stdio.h>

struct jw {
	struct bk_buf *b;
	bool pretty;
	int depth;
	char sep;
	int rc;
};

static void jw_put(struct jw *w, const char *s)
{
	if (!w->rc)
		w->rc = bk_buf_append(w->b, s, strlen(s));
}

static void jw_eol(struct jw *w)
{
	if (!w->pretty)
		return;
	jw_put(w, "\n");
	for (int i = 0; i < w->depth; i++)
		jw_put(w, "    ");
}

static void jw_eor(struct jw *w)
{
	if (w->sep)
		jw_put(w, (char[]){ w->sep, 0 });
	w->sep = ',';
}

static void jw_begin(struct jw *w, char c)
{
	jw_eor(w);
	jw_put(w, (char[]){ c, 0 });
	w->depth++;
	w->sep = 0;
}

static void jw_end(struct jw *w, char c)
{
	w->depth--;
	if (w->sep)
		jw_eol(w);
	jw_put(w, (char[]){ c, 0 });
	w->sep = ',';
}

static void jw_name(struct jw *w, const char *name)
{
	jw_eor(w);
	jw_eol(w);
	w->sep = 0;
	jw_put(w, "\"");
	jw_put(w, name);
	jw_put(w, w->pretty ? "\": " : "\":");
}

static void jw_raw(struct jw *w, const char *s)
{
	jw_eor(w);
	jw_put(w, s);
}

static void jw_hex(struct jw *w, const uint8_t *p, size_t n)
{
	char t[8];
	jw_begin(w, '[');
	for (size_t i = 0; i < n; i++) {
		snprintf(t, sizeof t, "\"0x%02x\"", p[i]);
		jw_raw(w, t);
	}
	jw_end(w, ']');
}

static void jw_entry(struct jw *w, struct bk_map *m, const uint8_t *key, const uint8_t *val, int lerr)
{
	jw_begin(w, '{');
	jw_name(w, "key");
	jw_hex(w, key, m->def.key_size);
	if (lerr) {
		jw_name(w, "value");
		jw_begin(w, '{');
		jw_name(w, "error");
		jw_eor(w);
		jw_put(w, "\"");
		jw_put(w, strerror(lerr));
		jw_put(w, "\"");
		jw_end(w, '}');
	} else if (!m->percpu) {
		jw_name(w, "value");
		jw_hex(w, val, m->def.value_size);
	} else {
		jw_name(w, "values");
		jw_begin(w, '[');
		for (unsigned c = 0; c < m->set->ncpus; c++) {
			char t[16];
			jw_begin(w, '{');
			jw_name(w, "cpu");
			snprintf(t, sizeof t, "%u", c);
			jw_raw(w, t);
			jw_name(w, "value");
			jw_hex(w, val + (size_t)c * m->vsz8, m->def.value_size);
			jw_end(w, '}');
		}
		jw_end(w, ']');
	}
	jw_end(w, '}');
}

int bk_map_dump_json(struct bk_map *m, struct bk_buf *out, const struct bk_map_dump_opts *opts,
		     struct bk_err *err)
{
	if (!m || !out)
		return bk_err_set(err, -EINVAL, "map dump: no map or buffer");
	struct jw w = { .b = out, .pretty = BK_OPTS_GET(opts, pretty, false) };
	size_t ks = m->def.key_size ? m->def.key_size : 1;
	uint8_t *key = calloc(1, ks), *next = calloc(1, ks);
	uint8_t *val = calloc(1, bk_map_sys_value_size(m) + 8);
	if (!key || !next || !val) {
		free(key);
		free(next);
		free(val);
		return bk_err_set(err, -ENOMEM, "map '%s': dump: out of memory", m->def.name);
	}
	jw_begin(&w, '[');
	/* Queues, stacks and ring buffers have no keys to walk: bpftool prints an empty list. */
	if (m->kind != KIND_QUEUE && m->kind != KIND_RINGBUF && !(m->def.map_flags & BK_F_WRONLY)) {
		bool first = true;
		for (;;) {
			if (bk_map_sys_get_next_key(m, first ? NULL : key, next, NULL))
				break;
			first = false;
			memcpy(key, next, m->def.key_size);
			struct bk_err le = { 0 };
			int r = bk_map_sys_lookup(m, key, val, 0, &le);
			if (r) {
				/* bpftool leaves out the holes of prog and map-in-map arrays. */
				if (r == -ENOENT && (m->def.type == BK_MAP_PROG_ARRAY ||
						     m->def.type == BK_MAP_ARRAY_OF_MAPS))
					continue;
				jw_entry(&w, m, key, NULL, -r);
			} else {
				jw_entry(&w, m, key, val, 0);
			}
		}
	}
	jw_end(&w, ']');
	jw_put(&w, "\n");
	free(key);
	free(next);
	free(val);
	if (w.rc)
		return bk_err_set(err, w.rc, "map '%s': dump: out of memory", m->def.name);
	return 0;
}
