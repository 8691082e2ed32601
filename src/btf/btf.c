/* .BTF and .BTF.ext parsing. The input is untrusted: every length, count, string offset
 * and type id is checked before use, so a mutated object gets an error, not a crash. */
#include "bpfkit/btf.h"
#include "object/object_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BTF_MAGIC 0xeb9f

static const char *const kind_names[] = {
	"UNKNOWN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF", "VOLATILE",
	"CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG",
	"TYPE_TAG", "ENUM64",
};

const char *bk_btf_kind_name(unsigned kind)
{
	return kind <= BK_BTF_KIND_MAX ? kind_names[kind] : "UNKNOWN";
}

void bk_btf_free(struct bk_btf *btf)
{
	if (!btf)
		return;
	for (uint32_t i = 0; i < btf->nr_types; i++)
		free(btf->types[i].members);
	free(btf->types);
	free(btf->strings);
	free(btf);
}

const char *bk_btf_str(const struct bk_btf *btf, uint32_t off)
{
	if (off >= btf->str_len)
		return NULL;
	/* the parser checked the section ends in NUL */
	return btf->strings + off;
}

const struct bk_btf_type *bk_btf_type_by_id(const struct bk_btf *btf, uint32_t id)
{
	return id < btf->nr_types ? &btf->types[id] : NULL;
}

/* Extra bytes after the 12-byte common record, or -1 for an unknown kind. */
static long extra_size(unsigned kind, unsigned vlen)
{
	switch (kind) {
	case BK_BTF_KIND_INT:
	case BK_BTF_KIND_VAR:
	case BK_BTF_KIND_DECL_TAG:
		return 4;
	case BK_BTF_KIND_ARRAY:
		return 12;
	case BK_BTF_KIND_STRUCT:
	case BK_BTF_KIND_UNION:
	case BK_BTF_KIND_DATASEC:
	case BK_BTF_KIND_ENUM64:
		return 12L * vlen;
	case BK_BTF_KIND_ENUM:
	case BK_BTF_KIND_FUNC_PROTO:
		return 8L * vlen;
	case BK_BTF_KIND_PTR:
	case BK_BTF_KIND_FWD:
	case BK_BTF_KIND_TYPEDEF:
	case BK_BTF_KIND_VOLATILE:
	case BK_BTF_KIND_CONST:
	case BK_BTF_KIND_RESTRICT:
	case BK_BTF_KIND_FUNC:
	case BK_BTF_KIND_FLOAT:
	case BK_BTF_KIND_TYPE_TAG:
		return 0;
	default:
		return -1;
	}
}

static bool refs_type(unsigned kind)
{
	switch (kind) {
	case BK_BTF_KIND_PTR:
	case BK_BTF_KIND_TYPEDEF:
	case BK_BTF_KIND_VOLATILE:
	case BK_BTF_KIND_CONST:
	case BK_BTF_KIND_RESTRICT:
	case BK_BTF_KIND_FUNC:
	case BK_BTF_KIND_FUNC_PROTO:
	case BK_BTF_KIND_VAR:
	case BK_BTF_KIND_DECL_TAG:
	case BK_BTF_KIND_TYPE_TAG:
		return true;
	default:
		return false;
	}
}

#define BFAIL(...) bk_err_set(err, -EINVAL, __VA_ARGS__)

int bk_btf_parse(const void *data, size_t len, struct bk_btf **out, struct bk_err *err)
{
	const uint8_t *d = data;
	*out = NULL;
	if (len < 24)
		return BFAIL(".BTF: truncated header (%zu bytes, need 24)", len);
	if (bk__le16(d) != BTF_MAGIC)
		return BFAIL(".BTF: bad magic 0x%04x%s", bk__le16(d),
			     bk__le16(d) == 0x9feb ? " (big-endian BTF is not supported)" : "");
	if (d[2] != 1)
		return BFAIL(".BTF: unsupported version %u", d[2]);
	uint32_t hdr_len = bk__le32(d + 4), type_off = bk__le32(d + 8), type_len = bk__le32(d + 12);
	uint32_t str_off = bk__le32(d + 16), str_len = bk__le32(d + 20);
	if (hdr_len < 24 || hdr_len > len)
		return BFAIL(".BTF: header length %u out of range (section is %zu bytes)", hdr_len, len);
	uint64_t body = len - hdr_len;
	if ((uint64_t)type_off + type_len > body)
		return BFAIL(".BTF: type section (offset %u, length %u) past end (%llu bytes)", type_off,
			     type_len, (unsigned long long)body);
	if ((uint64_t)str_off + str_len > body)
		return BFAIL(".BTF: string section (offset %u, length %u) past end (%llu bytes)", str_off,
			     str_len, (unsigned long long)body);
	if (type_off % 4 || type_len % 4)
		return BFAIL(".BTF: type section offset %u / length %u not 4-byte aligned", type_off, type_len);
	if (type_len && str_len && type_off < (uint64_t)str_off + str_len && str_off < (uint64_t)type_off + type_len)
		return BFAIL(".BTF: type and string sections overlap");
	const uint8_t *sp = d + hdr_len + str_off;
	if (!str_len || sp[0] != 0 || sp[str_len - 1] != 0)
		return BFAIL(".BTF: string section must start and end with NUL");

	struct bk_btf *btf = calloc(1, sizeof(*btf));
	if (!btf)
		return bk_err_set(err, -ENOMEM, ".BTF: out of memory");
	btf->hdr_len = hdr_len;
	btf->type_off = type_off;
	btf->type_len = type_len;
	btf->str_off = str_off;
	btf->str_len = str_len;
	btf->strings = malloc(str_len);
	size_t cap = 0;
	int e = 0;
	if (!btf->strings || bk__grow((void **)&btf->types, &cap, 0, sizeof(*btf->types))) {
		e = bk_err_set(err, -ENOMEM, ".BTF: out of memory");
		goto fail;
	}
	memcpy(btf->strings, sp, str_len);
	btf->types[0].name = "";
	btf->nr_types = 1;

	const uint8_t *tp = d + hdr_len + type_off, *end = tp + type_len;
	while (tp < end) {
		uint32_t id = btf->nr_types;
		if (end - tp < 12) {
			e = BFAIL(".BTF: type [%u]: truncated record", id);
			goto fail;
		}
		uint32_t name_off = bk__le32(tp), info = bk__le32(tp + 4), sz = bk__le32(tp + 8);
		unsigned kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
		long extra = extra_size(kind, vlen);
		if (extra < 0) {
			e = BFAIL(".BTF: type [%u]: unknown kind %u", id, kind);
			goto fail;
		}
		if (end - tp - 12 < extra) {
			e = BFAIL(".BTF: type [%u] %s: %u entries past end of type section", id,
				  bk_btf_kind_name(kind), vlen);
			goto fail;
		}
		if (id == 0x7fffffff || bk__grow((void **)&btf->types, &cap, id, sizeof(*btf->types))) {
			e = bk_err_set(err, -ENOMEM, ".BTF: out of memory");
			goto fail;
		}
		struct bk_btf_type *t = &btf->types[id];
		btf->nr_types++;
		t->id = id;
		t->kind = (uint8_t)kind;
		t->kflag = info >> 31;
		t->vlen = (uint16_t)vlen;
		t->name = bk_btf_str(btf, name_off);
		if (!t->name) {
			e = BFAIL(".BTF: type [%u]: name offset %u out of range", id, name_off);
			goto fail;
		}
		if (refs_type(kind))
			t->type = sz;
		else
			t->size = sz;
		const uint8_t *x = tp + 12;
		if (kind == BK_BTF_KIND_INT) {
			uint32_t v = bk__le32(x);
			t->int_encoding = (v >> 24) & 0xf;
			t->int_offset = (v >> 16) & 0xff;
			t->int_bits = v & 0xff;
		} else if (kind == BK_BTF_KIND_ARRAY) {
			t->array_type = bk__le32(x);
			t->array_index_type = bk__le32(x + 4);
			t->array_nelems = bk__le32(x + 8);
		} else if (kind == BK_BTF_KIND_VAR) {
			t->linkage = bk__le32(x);
		} else if (kind == BK_BTF_KIND_FUNC) {
			t->linkage = vlen;
		} else if (kind == BK_BTF_KIND_DECL_TAG) {
			t->component_idx = (int32_t)bk__le32(x);
		} else if (vlen && (kind == BK_BTF_KIND_STRUCT || kind == BK_BTF_KIND_UNION ||
				    kind == BK_BTF_KIND_ENUM || kind == BK_BTF_KIND_FUNC_PROTO ||
				    kind == BK_BTF_KIND_DATASEC || kind == BK_BTF_KIND_ENUM64)) {
			t->members = calloc(vlen, sizeof(*t->members));
			if (!t->members) {
				e = bk_err_set(err, -ENOMEM, ".BTF: out of memory");
				goto fail;
			}
			size_t step = (size_t)extra / vlen;
			for (unsigned i = 0; i < vlen; i++) {
				const uint8_t *m = x + i * step;
				struct bk_btf_member *mb = &t->members[i];
				mb->name = "";
				if (kind != BK_BTF_KIND_DATASEC) {
					mb->name = bk_btf_str(btf, bk__le32(m));
					if (!mb->name) {
						e = BFAIL(".BTF: type [%u] member %u: name offset %u out of range",
							  id, i, bk__le32(m));
						goto fail;
					}
				}
				switch (kind) {
				case BK_BTF_KIND_STRUCT:
				case BK_BTF_KIND_UNION:
					mb->type = bk__le32(m + 4);
					mb->bit_offset = bk__le32(m + 8);
					if (t->kflag) {
						mb->bitfield_size = mb->bit_offset >> 24;
						mb->bit_offset &= 0xffffff;
					}
					break;
				case BK_BTF_KIND_ENUM:
					mb->value = t->kflag ? (int64_t)(int32_t)bk__le32(m + 4)
							     : (int64_t)bk__le32(m + 4);
					break;
				case BK_BTF_KIND_ENUM64:
					mb->value = (int64_t)((uint64_t)bk__le32(m + 4) |
							      (uint64_t)bk__le32(m + 8) << 32);
					break;
				case BK_BTF_KIND_FUNC_PROTO:
					mb->type = bk__le32(m + 4);
					break;
				case BK_BTF_KIND_DATASEC:
					mb->type = bk__le32(m);
					mb->offset = bk__le32(m + 4);
					mb->size = bk__le32(m + 8);
					break;
				}
			}
		}
		tp += 12 + extra;
	}
	/* every reference must name an existing type */
	for (uint32_t id = 1; id < btf->nr_types; id++) {
		const struct bk_btf_type *t = &btf->types[id];
		uint32_t bad = 0;
		if (refs_type(t->kind) && t->type >= btf->nr_types)
			bad = t->type;
		if (t->kind == BK_BTF_KIND_ARRAY &&
		    (t->array_type >= btf->nr_types || t->array_index_type >= btf->nr_types))
			bad = t->array_type >= btf->nr_types ? t->array_type : t->array_index_type;
		if (t->kind == BK_BTF_KIND_FUNC &&
		    (t->type == 0 || t->type >= btf->nr_types ||
		     btf->types[t->type].kind != BK_BTF_KIND_FUNC_PROTO)) {
			e = BFAIL(".BTF: type [%u] FUNC '%s': type %u is not a FUNC_PROTO", id, t->name, t->type);
			goto fail;
		}
		if (t->members && t->kind != BK_BTF_KIND_ENUM && t->kind != BK_BTF_KIND_ENUM64)
			for (unsigned i = 0; i < t->vlen && !bad; i++)
				if (t->members[i].type >= btf->nr_types)
					bad = t->members[i].type;
		if (bad) {
			e = BFAIL(".BTF: type [%u] %s '%s': refers to type %u, past the last (%u)", id,
				  bk_btf_kind_name(t->kind), t->name, bad, btf->nr_types - 1);
			goto fail;
		}
	}
	*out = btf;
	return 0;
fail:
	bk__err_oneline(err);
	bk_btf_free(btf);
	return e;
}

int bk_btf_find(const struct bk_btf *btf, const char *name, int kind)
{
	for (uint32_t i = 1; i < btf->nr_types; i++)
		if ((!kind || btf->types[i].kind == kind) && !strcmp(btf->types[i].name, name))
			return (int)i;
	return -ENOENT;
}

uint32_t bk_btf_skip_mods(const struct bk_btf *btf, uint32_t id)
{
	/* bounded: a hostile file may contain a loop of typedefs */
	for (uint32_t n = 0; n < btf->nr_types && id < btf->nr_types; n++) {
		const struct bk_btf_type *t = &btf->types[id];
		if (t->kind != BK_BTF_KIND_TYPEDEF && t->kind != BK_BTF_KIND_VOLATILE &&
		    t->kind != BK_BTF_KIND_CONST && t->kind != BK_BTF_KIND_RESTRICT &&
		    t->kind != BK_BTF_KIND_TYPE_TAG)
			return id;
		id = t->type;
	}
	return id;
}

int64_t bk_btf_type_size(const struct bk_btf *btf, uint32_t id)
{
	uint64_t mul = 1;
	for (uint32_t n = 0; n <= btf->nr_types; n++) {
		if (id == 0 || id >= btf->nr_types)
			return -EINVAL;
		const struct bk_btf_type *t = &btf->types[id];
		switch (t->kind) {
		case BK_BTF_KIND_INT:
		case BK_BTF_KIND_STRUCT:
		case BK_BTF_KIND_UNION:
		case BK_BTF_KIND_ENUM:
		case BK_BTF_KIND_ENUM64:
		case BK_BTF_KIND_DATASEC:
		case BK_BTF_KIND_FLOAT:
			mul *= t->size;
			return mul > INT64_MAX ? -E2BIG : (int64_t)mul;
		case BK_BTF_KIND_PTR:
			mul *= 8;
			return mul > INT64_MAX ? -E2BIG : (int64_t)mul;
		case BK_BTF_KIND_TYPEDEF:
		case BK_BTF_KIND_VOLATILE:
		case BK_BTF_KIND_CONST:
		case BK_BTF_KIND_RESTRICT:
		case BK_BTF_KIND_TYPE_TAG:
		case BK_BTF_KIND_VAR:
			id = t->type;
			break;
		case BK_BTF_KIND_ARRAY:
			mul *= t->array_nelems;
			if (mul > UINT32_MAX)
				return -E2BIG;
			id = t->array_type;
			break;
		default:
			return -EINVAL;
		}
	}
	return -ELOOP;
}

/* ---- .BTF.ext ---- */

void bk_btf_ext_free(struct bk_btf_ext *ext)
{
	if (!ext)
		return;
	struct bk_btf_ext_sec *blocks[] = { ext->func_secs, ext->line_secs, ext->core_secs };
	size_t counts[] = { ext->nfunc_secs, ext->nline_secs, ext->ncore_secs };
	for (int b = 0; b < 3; b++) {
		for (size_t i = 0; i < counts[b]; i++) {
			free(blocks[b][i].func);
			free(blocks[b][i].line);
			free(blocks[b][i].core);
		}
		free(blocks[b]);
	}
	free(ext);
}

/* Parses one block: u32 rec_size, then {sec_name_off, num_info, records}... */
static int ext_block(const uint8_t *p, uint32_t len, int which, uint32_t min_rec,
		     const struct bk_btf *btf, struct bk_btf_ext *ext, struct bk_err *err)
{
	static const char *const bname[] = { "func_info", "line_info", "core_relo" };
	if (!len)
		return 0;
	if (len < 4)
		return BFAIL(".BTF.ext %s: truncated (%u bytes)", bname[which], len);
	uint32_t rec = bk__le32(p);
	if (rec < min_rec || rec % 4 || rec > 256)
		return BFAIL(".BTF.ext %s: bad record size %u", bname[which], rec);
	struct bk_btf_ext_sec **secs = which == 0 ? &ext->func_secs : which == 1 ? &ext->line_secs : &ext->core_secs;
	size_t *nsecs = which == 0 ? &ext->nfunc_secs : which == 1 ? &ext->nline_secs : &ext->ncore_secs;
	if (which == 0)
		ext->func_rec_size = rec;
	else if (which == 1)
		ext->line_rec_size = rec;
	else
		ext->core_rec_size = rec;
	size_t cap = 0;
	uint32_t off = 4;
	while (off < len) {
		if (len - off < 8)
			return BFAIL(".BTF.ext %s: truncated section header at offset %u", bname[which], off);
		uint32_t name_off = bk__le32(p + off), n = bk__le32(p + off + 4);
		const char *name = bk_btf_str(btf, name_off);
		if (!name)
			return BFAIL(".BTF.ext %s: section name offset %u out of range", bname[which], name_off);
		off += 8;
		if (n == 0)
			return BFAIL(".BTF.ext %s: section '%s' has no records", bname[which], name);
		if ((uint64_t)n * rec > len - off)
			return BFAIL(".BTF.ext %s: section '%s': %u records past end of block", bname[which], name, n);
		if (bk__grow((void **)secs, &cap, *nsecs, sizeof(**secs)))
			return bk_err_set(err, -ENOMEM, ".BTF.ext: out of memory");
		struct bk_btf_ext_sec *s = &(*secs)[(*nsecs)++];
		s->name = name;
		s->n = n;
		void *arr = calloc(n, which == 0 ? sizeof(*s->func) : which == 1 ? sizeof(*s->line) : sizeof(*s->core));
		if (!arr)
			return bk_err_set(err, -ENOMEM, ".BTF.ext: out of memory");
		if (which == 0)
			s->func = arr;
		else if (which == 1)
			s->line = arr;
		else
			s->core = arr;
		for (uint32_t i = 0; i < n; i++, off += rec) {
			const uint8_t *r = p + off;
			if (which == 0) {
				s->func[i].insn_off = bk__le32(r);
				s->func[i].type_id = bk__le32(r + 4);
				const struct bk_btf_type *t = bk_btf_type_by_id(btf, s->func[i].type_id);
				if (!t || t->kind != BK_BTF_KIND_FUNC)
					return BFAIL(".BTF.ext func_info: section '%s' record %u: type %u is not a FUNC",
						     name, i, s->func[i].type_id);
			} else if (which == 1) {
				struct bk_btf_line_info *l = &s->line[i];
				l->insn_off = bk__le32(r);
				l->file_name_off = bk__le32(r + 4);
				l->line_off = bk__le32(r + 8);
				uint32_t lc = bk__le32(r + 12);
				l->line = lc >> 10;
				l->col = lc & 0x3ff;
				l->file = bk_btf_str(btf, l->file_name_off);
				l->text = bk_btf_str(btf, l->line_off);
				if (!l->file || !l->text)
					return BFAIL(".BTF.ext line_info: section '%s' record %u: string offset out of range",
						     name, i);
			} else {
				struct bk_btf_core_relo *c = &s->core[i];
				c->insn_off = bk__le32(r);
				c->type_id = bk__le32(r + 4);
				c->access_str_off = bk__le32(r + 8);
				c->kind = bk__le32(r + 12);
				c->access = bk_btf_str(btf, c->access_str_off);
				if (!c->access || c->type_id >= btf->nr_types)
					return BFAIL(".BTF.ext core_relo: section '%s' record %u: bad type %u or access string offset %u",
						     name, i, c->type_id, c->access_str_off);
			}
		}
	}
	return 0;
}

int bk_btf_ext_parse(const void *data, size_t len, const struct bk_btf *btf,
		     struct bk_btf_ext **out, struct bk_err *err)
{
	const uint8_t *d = data;
	*out = NULL;
	if (len < 8)
		return BFAIL(".BTF.ext: truncated header (%zu bytes)", len);
	if (bk__le16(d) != BTF_MAGIC)
		return BFAIL(".BTF.ext: bad magic 0x%04x", bk__le16(d));
	if (d[2] != 1)
		return BFAIL(".BTF.ext: unsupported version %u", d[2]);
	uint32_t hdr_len = bk__le32(d + 4);
	if (hdr_len < 24 || hdr_len > len)
		return BFAIL(".BTF.ext: header length %u out of range (section is %zu bytes)", hdr_len, len);
	uint32_t off[3] = { 0 }, ln[3] = { 0 };
	unsigned nblocks = hdr_len >= 32 ? 3 : 2;
	for (unsigned b = 0; b < nblocks; b++) {
		off[b] = bk__le32(d + 8 + 8 * b);
		ln[b] = bk__le32(d + 12 + 8 * b);
		if ((uint64_t)off[b] + ln[b] > len - hdr_len)
			return BFAIL(".BTF.ext: block %u (offset %u, length %u) past end", b, off[b], ln[b]);
		if (off[b] % 4)
			return BFAIL(".BTF.ext: block %u offset %u not 4-byte aligned", b, off[b]);
	}
	struct bk_btf_ext *ext = calloc(1, sizeof(*ext));
	if (!ext)
		return bk_err_set(err, -ENOMEM, ".BTF.ext: out of memory");
	static const uint32_t minrec[3] = { 8, 16, 16 };
	for (unsigned b = 0; b < nblocks; b++) {
		int e = ext_block(d + hdr_len + off[b], ln[b], (int)b, minrec[b], btf, ext, err);
		if (e) {
			bk__err_oneline(err);
			bk_btf_ext_free(ext);
			return e;
		}
	}
	*out = ext;
	return 0;
}

static const struct bk_btf_ext_sec *find_sec(const struct bk_btf_ext_sec *s, size_t n, const char *sec)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s[i].name, sec))
			return &s[i];
	return NULL;
}

const struct bk_btf_ext_sec *bk_btf_ext_func(const struct bk_btf_ext *ext, const char *sec)
{
	return ext ? find_sec(ext->func_secs, ext->nfunc_secs, sec) : NULL;
}
const struct bk_btf_ext_sec *bk_btf_ext_line(const struct bk_btf_ext *ext, const char *sec)
{
	return ext ? find_sec(ext->line_secs, ext->nline_secs, sec) : NULL;
}
const struct bk_btf_ext_sec *bk_btf_ext_core(const struct bk_btf_ext *ext, const char *sec)
{
	return ext ? find_sec(ext->core_secs, ext->ncore_secs, sec) : NULL;
}

const struct bk_btf_line_info *bk_btf_ext_line_at(const struct bk_btf_ext *ext,
						  const char *sec, uint32_t insn_off)
{
	const struct bk_btf_ext_sec *s = bk_btf_ext_line(ext, sec);
	if (!s)
		return NULL;
	for (uint32_t i = 0; i < s->n; i++)
		if (s->line[i].insn_off == insn_off)
			return &s->line[i];
	return NULL;
}

int bk_object_btf(const struct bk_object *obj, struct bk_btf **btf, struct bk_btf_ext **ext,
		  struct bk_err *err)
{
	*btf = NULL;
	if (ext)
		*ext = NULL;
	int i = bk_object_find_section(obj, ".BTF");
	if (i < 0)
		return -ENOENT;
	const struct bk_section *s = &obj->sections[i];
	int e = bk_btf_parse(s->data, s->type == BK_SHT_NOBITS ? 0 : s->size, btf, err);
	if (e) {
		/* prefix the file name so the one line says where */
		bk__err_prefix(err, obj->name);
		return e;
	}
	if (!ext)
		return 0;
	i = bk_object_find_section(obj, ".BTF.ext");
	if (i < 0)
		return 0;
	s = &obj->sections[i];
	e = bk_btf_ext_parse(s->data, s->type == BK_SHT_NOBITS ? 0 : s->size, *btf, ext, err);
	if (e) {
		bk__err_prefix(err, obj->name);
		bk_btf_free(*btf);
		*btf = NULL;
	}
	return e;
}
