/* BTF as text, in bpftool's `btf dump file X` (raw) format, so the parser can be checked
 * against bpftool line by line and commands can print types the way users know. */
#include "bpfkit/btf.h"

#include <inttypes.h>

static const char *name_or_anon(const char *n)
{
	return n && *n ? n : "(anon)";
}

int bk_btf_dump_raw(const struct bk_btf *btf, struct bk_buf *o)
{
	static const char *const enc[] = { "(none)", "SIGNED", "CHAR", "(none)", "BOOL" };
	static const char *const linkage[] = { "static", "global", "extern" };
	int e = 0;
	for (uint32_t id = 1; id < btf->nr_types && !e; id++) {
		const struct bk_btf_type *t = &btf->types[id];
		e |= bk_buf_printf(o, "[%u] %s '%s'", id, bk_btf_kind_name(t->kind), name_or_anon(t->name));
		switch (t->kind) {
		case BK_BTF_KIND_INT:
			e |= bk_buf_printf(o, " size=%u bits_offset=%u nr_bits=%u encoding=%s", t->size,
					   t->int_offset, t->int_bits,
					   t->int_encoding <= 4 ? enc[t->int_encoding] : "UNKN");
			break;
		case BK_BTF_KIND_PTR:
		case BK_BTF_KIND_CONST:
		case BK_BTF_KIND_VOLATILE:
		case BK_BTF_KIND_RESTRICT:
		case BK_BTF_KIND_TYPEDEF:
		case BK_BTF_KIND_TYPE_TAG:
			e |= bk_buf_printf(o, " type_id=%u", t->type);
			break;
		case BK_BTF_KIND_ARRAY:
			e |= bk_buf_printf(o, " type_id=%u index_type_id=%u nr_elems=%u", t->array_type,
					   t->array_index_type, t->array_nelems);
			break;
		case BK_BTF_KIND_STRUCT:
		case BK_BTF_KIND_UNION:
			e |= bk_buf_printf(o, " size=%u vlen=%u", t->size, t->vlen);
			for (unsigned i = 0; i < t->vlen; i++) {
				const struct bk_btf_member *m = &t->members[i];
				e |= bk_buf_printf(o, "\n\t'%s' type_id=%u bits_offset=%u", name_or_anon(m->name),
						   m->type, m->bit_offset);
				if (m->bitfield_size)
					e |= bk_buf_printf(o, " bitfield_size=%u", m->bitfield_size);
			}
			break;
		case BK_BTF_KIND_ENUM:
		case BK_BTF_KIND_ENUM64:
			e |= bk_buf_printf(o, " encoding=%s size=%u vlen=%u", t->kflag ? "SIGNED" : "UNSIGNED",
					   t->size, t->vlen);
			for (unsigned i = 0; i < t->vlen; i++) {
				const struct bk_btf_member *m = &t->members[i];
				if (t->kflag)
					e |= bk_buf_printf(o, "\n\t'%s' val=%" PRId64, name_or_anon(m->name), m->value);
				else
					e |= bk_buf_printf(o, "\n\t'%s' val=%" PRIu64, name_or_anon(m->name),
							   t->kind == BK_BTF_KIND_ENUM ? (uint64_t)(uint32_t)m->value
										   : (uint64_t)m->value);
			}
			break;
		case BK_BTF_KIND_FWD:
			e |= bk_buf_printf(o, " fwd_kind=%s", t->kflag ? "union" : "struct");
			break;
		case BK_BTF_KIND_FUNC:
			e |= bk_buf_printf(o, " type_id=%u linkage=%s", t->type,
					   t->linkage < 3 ? linkage[t->linkage] : "(unknown)");
			break;
		case BK_BTF_KIND_FUNC_PROTO:
			e |= bk_buf_printf(o, " ret_type_id=%u vlen=%u", t->type, t->vlen);
			for (unsigned i = 0; i < t->vlen; i++)
				e |= bk_buf_printf(o, "\n\t'%s' type_id=%u", name_or_anon(t->members[i].name),
						   t->members[i].type);
			break;
		case BK_BTF_KIND_VAR:
			e |= bk_buf_printf(o, " type_id=%u, linkage=%s", t->type,
					   t->linkage < 3 ? linkage[t->linkage] : "(unknown)");
			break;
		case BK_BTF_KIND_DATASEC:
			e |= bk_buf_printf(o, " size=%u vlen=%u", t->size, t->vlen);
			for (unsigned i = 0; i < t->vlen; i++) {
				const struct bk_btf_member *m = &t->members[i];
				const struct bk_btf_type *v = bk_btf_type_by_id(btf, m->type);
				e |= bk_buf_printf(o, "\n\ttype_id=%u offset=%u size=%u", m->type, m->offset, m->size);
				if (v)
					e |= bk_buf_printf(o, " (%s '%s')", bk_btf_kind_name(v->kind), name_or_anon(v->name));
			}
			break;
		case BK_BTF_KIND_FLOAT:
			e |= bk_buf_printf(o, " size=%u", t->size);
			break;
		case BK_BTF_KIND_DECL_TAG:
			e |= bk_buf_printf(o, " type_id=%u component_idx=%d", t->type, t->component_idx);
			break;
		}
		e |= bk_buf_printf(o, "\n");
	}
	return e ? -12 : 0;
}
