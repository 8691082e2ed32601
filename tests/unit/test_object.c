/* The object model's builders, finalize and writer: a built object reads back the same. */
#include "bpfkit/object.h"
#include "tap.h"
#include <stdlib.h>

int main(void)
{
	struct bk_err e = { 0 };
	CHECK("reloc name 64_64", !strcmp(bk_reloc_type_name(1), "R_BPF_64_64"));
	CHECK("reloc name 64_32", !strcmp(bk_reloc_type_name(10), "R_BPF_64_32"));
	CHECK("reloc name NODYLD32", !strcmp(bk_reloc_type_name(4), "R_BPF_64_NODYLD32"));
	CHECK("reloc name RELATIVE", !strcmp(bk_reloc_type_name(8), "R_BPF_64_RELATIVE"));
	CHECK("reloc name unknown", !strcmp(bk_reloc_type_name(5), "Unknown"));
	CHECK("reloc from name", bk_reloc_type_from_name("R_BPF_64_ABS32") == 3);

	struct bk_object *o = bk_object_new("built.o");
	static const uint8_t code[] = { 0x18, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0 };
	int text = bk_object_add_section(o, ".text", 1, 6, 4, NULL, 0, &e);
	int xdp = bk_object_add_section(o, "xdp", 1, 6, 8, code, sizeof code, &e);
	int lic = bk_object_add_section(o, "license", 1, 3, 1, "GPL", 4, &e);
	int bss = bk_object_add_section(o, ".bss", 8, 3, 4, NULL, 8, &e);
	CHECK("sections added", text == 1 && xdp == 2 && lic == 3 && bss == 4);
	CHECK("prog kind", o->sections[xdp].kind == BK_SEC_PROG && o->sections[lic].kind == BK_SEC_LICENSE &&
				   o->sections[bss].kind == BK_SEC_BSS && o->sections[bss].data == NULL);
	bk_object_add_symbol(o, "t.c", 0, 0, BK_STT_FILE, BK_STB_LOCAL, 0, BK_SHN_ABS, &e);
	int ssec = bk_object_add_symbol(o, "", 0, 0, BK_STT_SECTION, BK_STB_LOCAL, 0, (uint16_t)bss, &e);
	bk_object_add_symbol(o, "prog", 0, sizeof code, BK_STT_FUNC, BK_STB_GLOBAL, 0, (uint16_t)xdp, &e);
	bk_object_add_symbol(o, "_license", 0, 4, BK_STT_OBJECT, BK_STB_GLOBAL, 0, (uint16_t)lic, &e);
	CHECK("reloc added", bk_object_add_reloc(o, xdp, 0, BK_R_BPF_64_64, (uint32_t)ssec, &e) == 0);
	uint32_t sig[] = { 3, 200 };
	CHECK("finalize", bk_object_finalize(o, sig, 2, &e) == 0);
	CHECK("strtab first", o->sections[1].type == BK_SHT_STRTAB && !strcmp(o->sections[1].name, ".strtab"));
	CHECK("rel follows target", !strcmp(o->sections[4].name, ".relxdp") && o->sections[4].info == 3 &&
					    o->sections[3].rel_sec == 4);
	CHECK("symbols renumbered", o->symbols[2].shndx == 6 && o->symbols[3].shndx == 3);
	CHECK("symtab last", o->symtab_sec == o->nsections - 1 &&
				     o->sections[o->nsections - 2].type == BK_SHT_LLVM_ADDRSIG);
	CHECK("addrsig uleb", o->sections[o->nsections - 2].size == 3 &&
				      o->sections[o->nsections - 2].data[1] == 0xc8 &&
				      o->sections[o->nsections - 2].data[2] == 0x01);
	CHECK("finalize twice is a no-op", bk_object_finalize(o, sig, 2, &e) == 0 && o->nsections == 9);
	struct bk_buf b = { 0 };
	CHECK("write", bk_object_write(o, &b, &e) == 0);
	struct bk_object *r = NULL;
	CHECK("read back", bk_object_read(b.data, b.len, "built.o", &r, &e) == 0);
	if (r) {
		CHECK("same sections", r->nsections == o->nsections && r->nsymbols == o->nsymbols);
		CHECK("reloc read back", r->sections[3].nrelocs == 1 && r->sections[3].relocs[0].sym == 2 &&
						 r->sections[3].relocs[0].type == 1);
		CHECK("find section", bk_object_find_section(r, "license") == 5);
		CHECK("find symbol", bk_object_find_symbol(r, "prog") == 3);
		CHECK("symbol at", bk_object_symbol_at(r, 3, 0, 0) == 3 && bk_object_symbol_at(r, 3, 0, 3) < 0);
		CHECK("reloc at", bk_object_reloc_at(r, 3, 0) != NULL && bk_object_reloc_at(r, 3, 8) == NULL);
		CHECK("section symbol display name", !strcmp(bk_object_sym_display_name(r, 2), ".bss"));
		CHECK("symtab info = first global", r->sections[r->symtab_sec].info == 3);
		struct bk_buf b2 = { 0 };
		CHECK("rewrite identical", bk_object_write(r, &b2, &e) == 0 && b2.len == b.len &&
						  !memcmp(b2.data, b.data, b.len));
		bk_buf_free(&b2);
	}
	if (e.code)
		printf("# %s\n", e.msg);
	bk_object_free(r);
	bk_buf_free(&b);
	bk_object_free(o);
	return 0;
}
