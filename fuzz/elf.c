/* libFuzzer harness: the ELF reader, then everything that consumes what it accepted
 * (writer, BTF and BTF.ext parsing, map definitions, lookups). Seeds: fuzz/seeds/elf. */
#include "bpfkit/btf.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bk_object *o = NULL;
	struct bk_err e = { 0 };
	if (bk_object_read(data, size, "fuzz.o", &o, &e)) {
		/* a refusal must be one line naming the file */
		if (!e.code || strncmp(e.msg, "fuzz.o: ", 8) || strchr(e.msg, '\n'))
			abort();
		return 0;
	}
	struct bk_buf b = { 0 };
	bk_err_clear(&e);
	if (bk_object_write(o, &b, &e) == 0) {
		/* what the writer produces must read back */
		struct bk_object *o2 = NULL;
		if (bk_object_read(b.data, b.len, "fuzz2.o", &o2, &e))
			abort();
		if (o2->nsections != o->nsections || o2->nsymbols != o->nsymbols)
			abort();
		bk_object_free(o2);
	}
	bk_buf_free(&b);
	for (size_t i = 0; i < o->nsections; i++) {
		for (size_t k = 0; k < o->sections[i].nrelocs; k++) {
			const struct bk_reloc *r = &o->sections[i].relocs[k];
			bk_object_reloc_at(o, (unsigned)i, r->offset);
			bk_object_sym_display_name(o, r->sym);
			bk_reloc_type_name(r->type);
		}
	}
	for (size_t i = 1; i < o->nsymbols; i++)
		bk_object_symbol_at(o, o->symbols[i].shndx, o->symbols[i].value, 0);
	struct bk_btf *btf = NULL;
	struct bk_btf_ext *ext = NULL;
	bk_err_clear(&e);
	if (bk_object_btf(o, &btf, &ext, &e) == 0) {
		struct bk_btf_map_def *d;
		size_t n;
		if (bk_btf_map_defs(o, btf, &d, &n, &e) == 0)
			bk_btf_map_defs_free(d, n);
		struct bk_buf t = { 0 };
		bk_btf_dump_raw(btf, &t);
		bk_buf_free(&t);
		for (uint32_t i = 0; i < btf->nr_types; i++) {
			bk_btf_type_size(btf, i);
			bk_btf_skip_mods(btf, i);
			if (btf->types[i].kind == BK_BTF_KIND_DATASEC && btf->types[i].vlen) {
				uint64_t *off = calloc(btf->types[i].vlen, sizeof(*off));
				if (off)
					bk_btf_datasec_layout(o, btf, i, off, &e);
				free(off);
			}
		}
		for (size_t i = 0; ext && i < ext->nline_secs; i++)
			bk_btf_ext_line_at(ext, ext->line_secs[i].name, 0);
		bk_btf_ext_free(ext);
		bk_btf_free(btf);
	}
	bk_object_free(o);
	return 0;
}
