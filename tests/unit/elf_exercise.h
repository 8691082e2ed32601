/* Everything downstream of a successful bk_object_read must cope with what the reader
 * accepted: the writer (whose output must read back with the same section and symbol
 * counts), relocation and symbol lookups, BTF and BTF.ext parsing, map definitions,
 * DATASEC layouts. Shared by the hostile-ELF mutations (tests/unit/test_elf_hostile.c)
 * and the ELF fuzzer (fuzz/elf.c). */
#ifndef BK_TEST_ELF_EXERCISE_H
#define BK_TEST_ELF_EXERCISE_H

#include "bpfkit/btf.h"

#include <stdlib.h>

/* 0, or -1 when the writer's output does not read back as O. */
static int elf_exercise(struct bk_object *o)
{
	int ret = 0;
	struct bk_buf b = { 0 };
	struct bk_err e = { 0 };
	if (bk_object_write(o, &b, &e) == 0) {
		struct bk_object *o2 = NULL;
		if (bk_object_read(b.data, b.len, "written.o", &o2, &e) ||
		    o2->nsections != o->nsections || o2->nsymbols != o->nsymbols)
			ret = -1;
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
		bk_err_clear(&e);
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
	return ret;
}

#endif
