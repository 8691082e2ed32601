/* The assembler's bar on the C corpus: for every program at -mcpu=v1..v4, clang-19's .s
 * (with -g, and without) is assembled by bpfkit and by llvm-mc-19 (clang's own object
 * where llvm-mc cannot read clang's text) and the objects compared: every section's
 * bytes, relocations (offset, type, symbol name), symbol tables, the DWARF llvm-mc
 * derives from .loc/.file/.cfi_* (.debug_line, .debug_line_str, .debug_frame) included;
 * then, with -g and without, the whole file must be byte-identical to llvm-mc's.
 * References are cached next to the corpus build and rebuilt when older than the .s. */
#include "bpfkit/asm.h"
#include "bpfkit/object.h"
#include "bpfkit/util.h"
#include "unit/tap.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *skip_secs[] = {
	".llvm_addrsig", ".symtab", ".strtab", NULL,
};

static bool skipped(const char *name)
{
	for (int i = 0; skip_secs[i]; i++)
		if (!strcmp(name, skip_secs[i]))
			return true;
	return false;
}

static const char *secname(const struct bk_object *o, unsigned shndx)
{
	if (shndx == BK_SHN_ABS)
		return "ABS";
	if (shndx == BK_SHN_UNDEF)
		return "UND";
	if (shndx >= o->nsections)
		return "?";
	return o->sections[shndx].name;
}

/* "" if equal, else the first difference */
static void compare(const struct bk_object *ref, const struct bk_object *out, char *why, size_t len)
{
	why[0] = 0;
	for (size_t i = 1; i < ref->nsections; i++) {
		const struct bk_section *a = &ref->sections[i];
		if (skipped(a->name) || a->type == BK_SHT_REL)
			continue;
		int j = bk_object_find_section(out, a->name);
		if (j < 0) {
			snprintf(why, len, "section %s missing", a->name);
			return;
		}
		const struct bk_section *b = &out->sections[j];
		if (a->type != b->type || a->flags != b->flags || a->addralign != b->addralign ||
		    a->entsize != b->entsize || a->size != b->size) {
			snprintf(why, len, "section %s header differs (size %llu vs %llu, align %llu vs %llu, flags %llx vs %llx)",
				 a->name, (unsigned long long)a->size, (unsigned long long)b->size,
				 (unsigned long long)a->addralign, (unsigned long long)b->addralign,
				 (unsigned long long)a->flags, (unsigned long long)b->flags);
			return;
		}
		if (a->type != BK_SHT_NOBITS && a->size && memcmp(a->data, b->data, a->size)) {
			size_t k = 0;
			while (a->data[k] == b->data[k])
				k++;
			snprintf(why, len, "section %s bytes differ at 0x%zx", a->name, k);
			return;
		}
		if (a->nrelocs != b->nrelocs) {
			snprintf(why, len, "section %s: %zu relocations vs %zu", a->name, a->nrelocs, b->nrelocs);
			return;
		}
		for (size_t k = 0; k < a->nrelocs; k++) {
			const struct bk_reloc *x = &a->relocs[k], *y = &b->relocs[k];
			const char *xn = bk_object_sym_display_name(ref, x->sym);
			const char *yn = bk_object_sym_display_name(out, y->sym);
			if (x->offset != y->offset || x->type != y->type || strcmp(xn, yn)) {
				snprintf(why, len, "section %s relocation %zu: 0x%llx %u %s vs 0x%llx %u %s", a->name, k,
					 (unsigned long long)x->offset, x->type, xn, (unsigned long long)y->offset,
					 y->type, yn);
				return;
			}
		}
	}
	for (size_t j = 1; j < out->nsections; j++)
		if (!skipped(out->sections[j].name) && bk_object_find_section(ref, out->sections[j].name) < 0) {
			snprintf(why, len, "extra section %s", out->sections[j].name);
			return;
		}
	size_t ia = 1, ib = 1;
	for (;;) {
		while (ia < ref->nsymbols && ref->symbols[ia].type == BK_STT_SECTION &&
		       skipped(secname(ref, ref->symbols[ia].shndx)))
			ia++;
		while (ib < out->nsymbols && out->symbols[ib].type == BK_STT_SECTION &&
		       skipped(secname(out, out->symbols[ib].shndx)))
			ib++;
		if (ia >= ref->nsymbols || ib >= out->nsymbols)
			break;
		const struct bk_symbol *x = &ref->symbols[ia], *y = &out->symbols[ib];
		if (strcmp(x->name, y->name) || x->value != y->value || x->size != y->size ||
		    x->type != y->type || x->bind != y->bind || x->vis != y->vis ||
		    strcmp(secname(ref, x->shndx), secname(out, y->shndx))) {
			snprintf(why, len, "symbol %zu: '%s' %s+0x%llx size %llu type %u bind %u vs '%s' %s+0x%llx size %llu type %u bind %u",
				 ia, x->name, secname(ref, x->shndx), (unsigned long long)x->value,
				 (unsigned long long)x->size, x->type, x->bind, y->name, secname(out, y->shndx),
				 (unsigned long long)y->value, (unsigned long long)y->size, y->type, y->bind);
			return;
		}
		ia++;
		ib++;
	}
	if (ia < ref->nsymbols || ib < out->nsymbols)
		snprintf(why, len, "symbol tables differ in length");
}

static bool newer(const char *a, const char *b) /* a exists and is not older than b */
{
	struct stat sa, sb;
	return !stat(a, &sa) && !stat(b, &sb) && sa.st_mtime >= sb.st_mtime;
}

static int counts[2][2]; /* [g][ok] */

static void one(const char *dir, const char *refdir, const char *base, const char *cpu, bool g)
{
	char s[1024], mc[1100], cl[1024], cmd[8192], name[300];
	snprintf(s, sizeof(s), "%s/%s.s", dir, base);
	snprintf(cl, sizeof(cl), "%s/%s.o", g ? dir : refdir, base);
	/* references live in our own directory, not in the shared corpus build */
	snprintf(mc, sizeof(mc), "%s/%s.mc.o", refdir, base);
	snprintf(name, sizeof(name), "asm corpus %s %s%s", cpu, base, g ? " -g" : "");
	bool have_mc = newer(mc, s);
	if (!have_mc) {
		/* llvm-mc-19 rejects clang's "rD = wS" (v3/v4); "wD = wS" is the same instruction,
		 * so the rewritten text still gives the reference, symbol table included */
		snprintf(cmd, sizeof(cmd), "llvm-mc-19 -triple bpf -mcpu=%s -filetype=obj '%s' -o '%s' 2>/dev/null || "
			 "sed 's/^\\(\t*\\)r\\([0-9]*\\) = \\(w[0-9]*\\)$/\\1w\\2 = \\3/' '%s' | "
			 "llvm-mc-19 -triple bpf -mcpu=%s -filetype=obj -o '%s' - 2>/dev/null || rm -f '%s'",
			 cpu, s, mc, s, cpu, mc, mc);
		if (system(cmd)) {
		}
		have_mc = newer(mc, s);
	}
	if (!have_mc && !g && !newer(cl, s)) {
		/* llvm-mc cannot read it: clang's own object is the reference */
		const char *root = getenv("ROOT");
		snprintf(cmd, sizeof(cmd), "clang-19 -O2 -target bpf -I/usr/include/x86_64-linux-gnu -I'%s/tests/include' "
			 "-mcpu=%s -c '%s/tests/corpus/%s.c' -o '%s' 2>/dev/null", root, cpu, root, base, cl);
		if (system(cmd)) {
		}
	}
	const char *refp = have_mc ? mc : cl;
	uint8_t *text = NULL;
	size_t len = 0;
	struct bk_err err = { 0 };
	struct bk_object *ref = NULL, *out = NULL, *back = NULL;
	struct bk_buf bytes = { 0 };
	char why[600] = "";
	if (bk_read_file(s, &text, &len, &err) < 0 || bk_object_open(refp, &ref, &err) < 0) {
		printf("skip %s: %s\n", name, err.msg);
		free(text);
		return;
	}
	struct bk_asm_opts o = BK_OPTS_INIT(bk_asm_opts, .name = s, .cpu = cpu[1] - '0');
	if (bk_asm_object((const char *)text, len, &o, &out, &err) < 0)
		snprintf(why, sizeof(why), "%s", err.msg);
	else if (bk_object_write(out, &bytes, &err) < 0 || bk_object_read(bytes.data, bytes.len, s, &back, &err) < 0)
		snprintf(why, sizeof(why), "write/read back: %s", err.msg);
	else {
		compare(ref, back, why, sizeof(why));
		if (!why[0] && have_mc) {
			/* the whole file must be llvm-mc's, DWARF included */
			uint8_t *m = NULL;
			size_t ml = 0;
			if (bk_read_file(mc, &m, &ml, &err) < 0 || ml != bytes.len || memcmp(m, bytes.data, ml))
				snprintf(why, sizeof(why), "file not byte-identical to llvm-mc's (%zu vs %zu bytes)", bytes.len, ml);
			free(m);
		}
	}
	counts[g][!why[0]]++;
	if (why[0])
		printf("not ok %s: vs %s: %s\n", name, have_mc ? "llvm-mc-19" : "clang's .o", why);
	else
		printf("ok %s (vs %s)\n", name, have_mc ? "llvm-mc-19" : "clang's .o");
	bk_buf_free(&bytes);
	bk_object_free(ref);
	if (out)
		bk_object_free(out);
	if (back)
		bk_object_free(back);
	free(text);
}

static void run_dir(const char *dir, const char *refdir, const char *cpu, bool g)
{
	char mk[2200];
	snprintf(mk, sizeof(mk), "mkdir -p '%s'", refdir);
	if (system(mk)) {
	}
	DIR *d = opendir(dir);
	if (!d) {
		printf("skip asm corpus %s%s: no %s\n", cpu, g ? " -g" : "", dir);
		return;
	}
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > 2 && !strcmp(e->d_name + l - 2, ".s")) {
			char **nn = realloc(names, (n + 1) * sizeof(*names));
			if (!nn)
				break;
			names = nn;
			names[n++] = strndup(e->d_name, l - 2);
		}
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		one(dir, refdir, names[i], cpu, g);
		free(names[i]);
	}
	free(names);
}

int main(void)
{
	const char *root = getenv("ROOT"), *build = getenv("BK_BUILD");
	if (!root || !build) {
		printf("skip asm corpus: run through make check (ROOT, BK_BUILD unset)\n");
		return 0;
	}
	char cmd[4096], dir[2048], ref[2100];
	snprintf(cmd, sizeof(cmd), "%s/tests/corpus/build.sh", root);
	struct stat st;
	if (stat(cmd, &st)) {
		printf("skip asm corpus: tests/corpus/build.sh is not on this branch yet\n");
		return 0;
	}
	if (system("command -v clang-19 >/dev/null && command -v llvm-mc-19 >/dev/null")) {
		printf("skip asm corpus: clang-19 or llvm-mc-19 missing\n");
		return 0;
	}
	/* -O2 -g: the corpus build (shared with other tests); -O2: our own, same layout */
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/corpus/build.sh' '%s/corpus' >/dev/null 2>&1", root, build);
	int r1 = system(cmd);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s/tests/corpus' && for v in v1 v2 v3 v4; do mkdir -p '%s/asm-nog/'$v; for f in *.c; do "
		 "o='%s/asm-nog/'$v/${f%%.c}.s; [ \"$o\" -nt \"$f\" ] || clang-19 -O2 -target bpf "
		 "-I/usr/include/x86_64-linux-gnu -I'%s/tests/include' -mcpu=$v -S \"$f\" -o \"$o\" 2>/dev/null; "
		 "done; done", root, build, build, root);
	int r2 = system(cmd);
	if (r1)
		printf("not ok asm corpus build: tests/corpus/build.sh failed\n");
	(void)r2;
	const char *cpus[] = { "v1", "v2", "v3", "v4" };
	for (int i = 0; i < 4; i++) {
		snprintf(dir, sizeof(dir), "%s/corpus/%s", build, cpus[i]);
		snprintf(ref, sizeof(ref), "%s/asm-ref/%s", build, cpus[i]);
		run_dir(dir, ref, cpus[i], true);
		snprintf(dir, sizeof(dir), "%s/asm-nog/%s", build, cpus[i]);
		run_dir(dir, dir, cpus[i], false);
	}
	printf("# asm corpus: -g %d identical, %d differ; no -g %d identical, %d differ\n",
	       counts[1][1], counts[1][0], counts[0][1], counts[0][0]);
	CHECK("asm corpus: programs compared", counts[1][1] + counts[0][1] > 0);
	return 0;
}
