/* ubpf / bpf_conformance syntax: one instruction per line, `#` comments, `label:`
 * lines, `%rN` registers. A conformance test file (`-- asm`, `-- result`, ...) may be
 * given whole: only its `-- asm` part is assembled. */
#include "asm_int.h"

#include <errno.h>
#include <string.h>

static const char *const known_parts[] = {
	"asm", "result", "mem", "raw", "error", "no register offset", "c",
};

int bk__asm_ubpf(struct asm_ctx *c, const char *text, size_t len)
{
	struct asm_matcher *m = bk__asm_matcher_new(BK_ASM_UBPF);
	if (!m)
		return bk_err_set(c->err, -ENOMEM, "%s: out of memory", c->name);
	const char *p = text, *end = text + len;
	bool parts = false;
	/* a conformance file: anything before the first "-- " line is comment */
	for (const char *q = p; q < end;) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		const char *le = nl ? nl : end;
		const char *s = asm_skip_ws(q, le);
		if (le - s >= 3 && !memcmp(s, "-- ", 3)) {
			parts = true;
			break;
		}
		q = le + 1;
	}
	bool in_asm = !parts;
	int r = 0;
	uint32_t line = 1;
	while (p < end && !r) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		c->line = line;
		c->line_start = p;
		const char *s = asm_skip_ws(p, le);
		const char *e = s;
		while (e < le && *e != '#')
			e++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (e - s >= 2 && s[0] == '-' && s[1] == '-' && (e - s == 2 || s[2] == ' ')) {
			const char *w = asm_skip_ws(s + 2, e);
			bool known = false;
			for (size_t i = 0; i < sizeof(known_parts) / sizeof(known_parts[0]); i++)
				if ((size_t)(e - w) == strlen(known_parts[i]) && !memcmp(w, known_parts[i], (size_t)(e - w)))
					known = true;
			if (!known) {
				r = bk__asm_error(c, s, "unknown directive '%.*s'", (int)(e - s), s);
				break;
			}
			in_asm = (size_t)(e - w) == 3 && !memcmp(w, "asm", 3);
		} else if (in_asm && s < e) {
			const char *q = s;
			while (q < e && asm_is_ident(*q))
				q++;
			if (q < e && *q == ':' && q > s) {
				if (*s >= '0' && *s <= '9')
					r = bk__asm_error(c, s, "label must not start with a digit");
				else
					r = bk__asm_define_label(c, s, (size_t)(q - s), s);
				s = asm_skip_ws(q + 1, e);
			}
			if (!r && s < e) {
				c->stmt = s;
				bool is_exit = (e - s == 4 && !memcmp(s, "exit", 4));
				uint64_t off = bk__asm_cur_off(c);
				r = bk__asm_match_insn(c, m, s, e);
				/* the bpf_conformance assembler names the first exit "exit" */
				if (!r && is_exit && c->first_exit < 0) {
					c->first_exit = (int64_t)off;
					if (!bk__asm_sym_find(c, "exit", 4)) {
						r = bk__asm_define_label(c, "exit", 4, s);
						if (!r)
							c->syms[bk__asm_sym_find(c, "exit", 4)].value = off;
					} else if (!c->syms[bk__asm_sym_find(c, "exit", 4)].defined) {
						uint32_t y = bk__asm_sym_find(c, "exit", 4);
						c->syms[y].defined = true;
						c->syms[y].sec = c->cur;
						c->syms[y].value = off;
						bk__asm_sym_register(c, y);
					}
				}
			}
		}
		p = le + 1;
		line++;
	}
	bk__asm_matcher_free(m);
	return r;
}
