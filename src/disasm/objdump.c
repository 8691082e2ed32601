/* llvm-objdump -d, reproduced: the same labels, numbering, symbolized branch targets
 * and relocation lines, so listings can be diffed against LLVM's byte for byte. */
#include "bpfkit/disasm.h"
#include "bpfkit/btf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct label {
	uint64_t addr;
	const char *name;
};

/* LLVM orders a section's symbols by (address, name); a branch target takes the last
 * symbol at or before it, so for equal addresses the greatest name wins. */
static int label_cmp(const void *a, const void *b)
{
	const struct label *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name);
}

static bool section_selected(const struct bk_objdump_opts *opts, const char *name)
{
	const char *const *sel = BK_OPTS_GET(opts, sections, NULL);
	if (!sel)
		return true;
	for (; *sel; sel++)
		if (!strcmp(*sel, name))
			return true;
	return false;
}

/* Symbols that label code: everything defined in the section but section and file
 * symbols; a dummy "<section>" label at 0 when nothing else is there, as LLVM does. */
static struct label *collect_labels(const struct bk_object *obj, unsigned sec, size_t *n)
{
	struct label *l = malloc((obj->nsymbols + 1) * sizeof(*l));
	if (!l)
		return NULL;
	size_t k = 0;
	bool at0 = false;
	for (size_t i = 1; i < obj->nsymbols; i++) {
		const struct bk_symbol *s = &obj->symbols[i];
		if (s->shndx != sec || s->type == BK_STT_SECTION || s->type == BK_STT_FILE)
			continue;
		l[k++] = (struct label){ s->value, s->name };
		at0 |= s->value == 0;
	}
	if (!at0)
		l[k++] = (struct label){ 0, obj->sections[sec].name };
	qsort(l, k, sizeof(*l), label_cmp);
	*n = k;
	return l;
}

static const struct label *label_for(const struct label *l, size_t n, uint64_t addr)
{
	const struct label *best = NULL;
	size_t lo = 0, hi = n;
	while (lo < hi) { /* first label with addr > target */
		size_t mid = (lo + hi) / 2;
		if (l[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0)
		best = &l[lo - 1];
	return best;
}

static int dump_section(const struct bk_object *obj, unsigned sec, const struct bk_objdump_opts *opts,
			const struct bk_btf_ext *ext, struct bk_buf *out, struct bk_err *err)
{
	const struct bk_section *s = &obj->sections[sec];
	size_t n = s->size / 8, nl;
	struct bk_insn *insns = malloc(s->size ? s->size : 1);
	struct label *labels = collect_labels(obj, sec, &nl);
	if (!insns || !labels) {
		free(insns);
		free(labels);
		return bk_err_set(err, -ENOMEM, "out of memory");
	}
	memcpy(insns, s->data, s->size);
	struct bk_print_opts po = BK_OPTS_INIT(bk_print_opts, .syntax = BK_OPTS_GET(opts, syntax, BK_SYNTAX_LLVM));
	bool relocs = BK_OPTS_GET(opts, relocs, false), no_raw = BK_OPTS_GET(opts, no_raw, false);
	int r = bk_buf_printf(out, "\nDisassembly of section %s:\n", s->name);
	size_t li = 0, ri = 0;
	char text[256];
	const struct bk_btf_line_info *last_line = NULL;
	for (size_t i = 0; i < n && !r;) {
		uint64_t addr = i * 8;
		for (; li < nl && labels[li].addr <= addr; li++)
			if (labels[li].addr == addr) /* labels inside an lddw are not printed */
				r |= bk_buf_printf(out, "\n%016llx <%s>:\n", (unsigned long long)labels[li].addr,
						   labels[li].name);
		const struct bk_btf_line_info *li_rec = ext ? bk_btf_ext_line_at(ext, s->name, (uint32_t)addr) : NULL;
		/* As llvm-objdump -S: a line is shown where it starts, not again while it lasts. */
		if (li_rec && (!last_line || li_rec->line != last_line->line ||
			       strcmp(li_rec->file, last_line->file))) {
			r |= bk_buf_printf(out, "; %s\n", li_rec->text);
			last_line = li_rec;
		}
		int k = bk_insn_format(&insns[i], n - i, &po, text, sizeof(text));
		r |= bk_buf_printf(out, "%8zu:\t", i);
		if (!no_raw) {
			const uint8_t *b = (const uint8_t *)&insns[i];
			for (int j = 0; j < 8 * k; j++)
				r |= bk_buf_printf(out, j ? " %02x" : "%02x", b[j]);
			r |= bk_buf_printf(out, "\t");
		}
		r |= bk_buf_printf(out, "%s", text);
		enum bk_op op = bk_isa_decode(&insns[i]);
		if (op != BK_OP_INVALID && k == bk_isa_info(op)->slots && op != BK_OP_CALL_LOCAL) {
			int64_t t = bk_insn_branch_target(&insns[i], i);
			if (t >= 0 || bk_isa_info(op)->fmt == BK_F_JA || bk_isa_info(op)->fmt == BK_F_JCOND ||
			    bk_isa_info(op)->fmt == BK_F_JA32) {
				uint64_t ta = (uint64_t)t * 8;
				const struct label *lb = label_for(labels, nl, ta);
				if (lb && ta == lb->addr)
					r |= bk_buf_printf(out, " <%s>", lb->name);
				else if (lb)
					r |= bk_buf_printf(out, " <%s+0x%llx>", lb->name,
							   (unsigned long long)(ta - lb->addr));
			}
		}
		r |= bk_buf_printf(out, "\n");
		if (relocs)
			for (; ri < s->nrelocs && s->relocs[ri].offset < addr + 8 * (uint64_t)k; ri++)
				if (s->relocs[ri].offset >= addr)
					r |= bk_buf_printf(out, "\t\t%016llx:  %s\t%s\n",
							   (unsigned long long)s->relocs[ri].offset,
							   bk_reloc_type_name(s->relocs[ri].type),
							   bk_object_sym_display_name(obj, s->relocs[ri].sym));
		i += (size_t)k;
	}
	free(insns);
	free(labels);
	return r ? bk_err_set(err, -ENOMEM, "out of memory") : 0;
}

int bk_objdump(const struct bk_object *obj, const struct bk_objdump_opts *opts, struct bk_buf *out,
	       struct bk_err *err)
{
	const char *fname = BK_OPTS_GET(opts, file_name, NULL);
	if (bk_buf_printf(out, "\n%s:\tfile format elf64-bpf\n", fname ? fname : obj->name))
		return bk_err_set(err, -ENOMEM, "out of memory");
	/* Source lines come from .BTF.ext line info: no DWARF needed. An object without
	 * it lists as plain -d (the caller can tell with bk_object_btf). */
	struct bk_btf *btf = NULL;
	struct bk_btf_ext *ext = NULL;
	if (BK_OPTS_GET(opts, source, false) && bk_object_btf(obj, &btf, &ext, NULL)) {
		btf = NULL;
		ext = NULL;
	}
	int r = 0;
	for (unsigned i = 1; i < obj->nsections && !r; i++) {
		const struct bk_section *s = &obj->sections[i];
		if (!bk_section_is_prog(s) || !s->size || !section_selected(opts, s->name))
			continue;
		r = dump_section(obj, i, opts, ext, out, err);
	}
	bk_btf_ext_free(ext);
	bk_btf_free(btf);
	return r;
}
