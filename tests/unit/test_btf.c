/* BTF and BTF.ext parsing against clang-19 objects of tests/elf: every type printed as
 * `bpftool btf dump file` prints it, map definitions as libbpf reads them, line info. */
#include "bpfkit/btf.h"
#include "tap.h"
#include "objwalk.h"
#include <stdlib.h>
#include <unistd.h>

static char tmpdir[256];

static int compile(const char *src, const char *out)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "clang-19 -O2 -g -target bpf -mcpu=v3 -I/usr/include/x86_64-linux-gnu -c %s/tests/elf/%s -o %s 2>/dev/null",
		 getenv("ROOT"), src, out);
	return system(cmd);
}

static struct bk_object *load(const char *src, char *path, size_t n)
{
	snprintf(path, n, "%s/%s.o", tmpdir, src);
	if (compile(src, path))
		return NULL;
	struct bk_object *o = NULL;
	struct bk_err e = { 0 };
	bk_object_open(path, &o, &e);
	return o;
}

static bool quiet; /* corpus mode: one summary line instead of one per object */
static int corpus_bad;

static void against_bpftool_obj(const char *src, const char *path, struct bk_object *o);

static void against_bpftool(const char *src)
{
	char path[512];
	struct bk_object *o = load(src, path, sizeof path);
	against_bpftool_obj(src, path, o);
	bk_object_free(o);
}

static void against_bpftool_obj(const char *src, const char *path, struct bk_object *o)
{
	char cmd[1024];
	if (!o) {
		printf("not ok btf %s: compile/read failed\n", src);
		return;
	}
	struct bk_btf *btf;
	struct bk_btf_ext *ext;
	struct bk_err e = { 0 };
	int r = bk_object_btf(o, &btf, &ext, &e);
	if (quiet) {
		if (r || !ext) {
			corpus_bad++;
			printf("# %s: %s\n", src, e.msg);
		}
	} else
		CHECKF(r == 0 && ext, "btf+ext parse %s", src);
	if (r) {
		printf("# %s\n", e.msg);
		return;
	}
	snprintf(cmd, sizeof cmd, "bpftool btf dump file %s", path);
	FILE *p = popen(cmd, "r");
	struct bk_buf want = { 0 }, got = { 0 };
	char chunk[4096];
	size_t k;
	while (p && (k = fread(chunk, 1, sizeof chunk, p)) > 0)
		bk_buf_append(&want, chunk, k);
	int st = p ? pclose(p) : -1;
	bk_btf_dump_raw(btf, &got);
	if (st != 0 || !want.len) {
		printf("skip btf dump %s: bpftool failed\n", src);
	} else {
		bool same = want.len == got.len && !memcmp(want.data, got.data, got.len);
		if (quiet)
			corpus_bad += !same;
		else
			CHECKF(same, "btf dump %s identical to bpftool (%u types)", src, btf->nr_types - 1);
		if (!same) {
			size_t i = 0;
			while (i < want.len && i < got.len && want.data[i] == got.data[i])
				i++;
			printf("# first difference at byte %zu: '%.40s' vs '%.40s'\n", i,
			       (char *)want.data + i, (char *)got.data + i);
		}
	}
	/* every program section has func_info and line_info; line records resolve */
	int progs = 0, with_lines = 0;
	for (size_t i = 1; i < o->nsections; i++) {
		const struct bk_section *s = &o->sections[i];
		if (!bk_section_is_prog(s) || !s->size)
			continue;
		progs++;
		const struct bk_btf_ext_sec *ls = bk_btf_ext_line(ext, s->name);
		const struct bk_btf_ext_sec *fs = bk_btf_ext_func(ext, s->name);
		if (ls && fs && ls->n && strstr(ls->line[0].file, src) && ls->line[0].line > 0 &&
		    bk_btf_ext_line_at(ext, s->name, ls->line[0].insn_off) == &ls->line[0] &&
		    fs->func[0].insn_off == 0)
			with_lines++;
	}
	if (quiet) {
		struct bk_btf_map_def *d;
		size_t n;
		bk_err_clear(&e);
		if (bk_btf_map_defs(o, btf, &d, &n, &e) == 0)
			bk_btf_map_defs_free(d, n);
		else
			printf("# %s: map defs: %s\n", src, e.msg);
		corpus_bad += progs == 0 || progs != with_lines || e.code;
	} else
		CHECKF(progs > 0 && progs == with_lines, "line/func info for every program section of %s (%d)",
		       src, progs);
	bk_buf_free(&want);
	bk_buf_free(&got);
	bk_btf_ext_free(ext);
	bk_btf_free(btf);
}

static const struct bk_btf_map_def *def(const struct bk_btf_map_def *d, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(d[i].name, name))
			return &d[i];
	return NULL;
}

static void maps(void)
{
	char path[512];
	struct bk_object *o = load("maps.c", path, sizeof path);
	struct bk_btf *btf = NULL;
	struct bk_err e = { 0 };
	if (!o || bk_object_btf(o, &btf, NULL, &e)) {
		printf("not ok map defs: %s\n", e.msg);
		bk_object_free(o);
		return;
	}
	struct bk_btf_map_def *d;
	size_t n;
	int r = bk_btf_map_defs(o, btf, &d, &n, &e);
	CHECK("map defs parse", r == 0 && n == 5);
	if (r) {
		printf("# %s\n", e.msg);
		goto out;
	}
	const struct bk_btf_map_def *c = def(d, n, "counters"), *s = def(d, n, "sized"),
				    *ou = def(d, n, "outer"), *ia = def(d, n, "inner_a");
	CHECK("counters: array 4 x u32 -> u64",
	      c && c->type == 2 && c->key_size == 4 && c->value_size == 8 && c->max_entries == 4 &&
		      c->key_type_id && c->value_type_id && !c->inner && c->pinning == 0);
	CHECK("sized: hash with sizes, flags, pinning",
	      s && s->type == 1 && s->key_size == 8 && s->value_size == 16 && s->max_entries == 128 &&
		      s->map_flags == 1 && s->pinning == 1 && !s->key_type_id);
	CHECK("outer: array of maps with inner template",
	      ou && ou->type == 12 && ou->max_entries == 2 && ou->key_size == 4 && ou->value_size == 4 &&
		      ou->inner && !strcmp(ou->inner->name, "outer.inner") && ou->inner->type == 2 &&
		      ou->inner->max_entries == 1 && ou->inner->value_size == 4);
	CHECK("outer: initial slots", ou && ou->ninit == 2 && ou->init_names[0] &&
					      !strcmp(ou->init_names[0], "inner_a") && ou->init_names[1] &&
					      !strcmp(ou->init_names[1], "inner_b"));
	CHECK("map offsets from symbols", c && ia && c->offset != ia->offset &&
						  c->offset == (uint64_t)o->symbols[bk_object_find_symbol(o, "counters")].value);
	bk_btf_map_defs_free(d, n);
out:
	bk_btf_free(btf);
	bk_object_free(o);
}

static void datasec(void)
{
	char path[512];
	struct bk_object *o = load("data.c", path, sizeof path);
	struct bk_btf *btf = NULL;
	struct bk_err e = { 0 };
	if (!o || bk_object_btf(o, &btf, NULL, &e)) {
		printf("not ok datasec: %s\n", e.msg);
		bk_object_free(o);
		return;
	}
	int id = bk_btf_datasec(btf, ".bss");
	CHECK("DATASEC .bss found", id > 0);
	if (id > 0) {
		const struct bk_btf_type *t = bk_btf_type_by_id(btf, (uint32_t)id);
		uint64_t off[16] = { 0 };
		int ok = t->vlen == 2 && bk_btf_datasec_layout(o, btf, (uint32_t)id, off, &e) == 0;
		/* zeroed (32 bytes) and hits (4): distinct offsets inside .bss */
		int bss = bk_object_find_section(o, ".bss");
		CHECK("DATASEC .bss layout from symbols",
		      ok && bss > 0 && off[0] != off[1] && off[0] < o->sections[bss].size &&
			      off[1] < o->sections[bss].size);
	}
	CHECK("type size of DATASEC var", bk_btf_find(btf, "zeroed", BK_BTF_KIND_VAR) > 0 &&
						  bk_btf_type_size(btf, (uint32_t)bk_btf_find(btf, "zeroed", BK_BTF_KIND_VAR)) == 32);
	bk_btf_free(btf);
	bk_object_free(o);
}

static void core(void)
{
	char path[512];
	struct bk_object *o = load("core.c", path, sizeof path);
	struct bk_btf *btf = NULL;
	struct bk_btf_ext *ext = NULL;
	struct bk_err e = { 0 };
	if (!o || bk_object_btf(o, &btf, &ext, &e)) {
		printf("not ok core relos: %s\n", e.msg);
		bk_object_free(o);
		return;
	}
	const struct bk_btf_ext_sec *s = bk_btf_ext_core(ext, "kprobe/sys_getpid");
	bool found = false;
	for (uint32_t i = 0; s && i < s->n; i++)
		if (!strcmp(s->core[i].access, "0:1") && s->core[i].kind == 0 &&
		    !strcmp(bk_btf_type_by_id(btf, s->core[i].type_id)->name, "task_like"))
			found = true;
	CHECK("CO-RE relocation task_like 0:1 field offset", found);
	bk_btf_ext_free(ext);
	bk_btf_free(btf);
	bk_object_free(o);
}

/* One corpus object: the file name check of line info wants the source name. */
static void corpus_obj(const struct objwalk_file *f, void *ctx)
{
	char src[256];
	snprintf(src, sizeof src, "%.*s.c", (int)(strlen(f->name) - 2), f->name);
	against_bpftool_obj(src, f->path, f->obj);
}

int main(void)
{
	if (!getenv("ROOT") || system("clang-19 --version >/dev/null 2>&1")) {
		printf("skip btf: clang-19 or ROOT missing\n");
		return 0;
	}
	snprintf(tmpdir, sizeof tmpdir, "%s/btf.XXXXXX", getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		printf("not ok btf: mkdtemp\n");
		return 0;
	}
	const char *srcs[] = { "maps.c", "data.c", "calls.c", "core.c", "tiny.c" };
	for (size_t i = 0; i < 5; i++)
		against_bpftool(srcs[i]);
	maps();
	datasec();
	core();
	/* the C corpus (built by tests/corpus/build.sh, cached in $BK_BUILD/corpus) */
	const char *bk = getenv("BK_BUILD"), *root = getenv("ROOT");
	char cdir[600];
	snprintf(cdir, sizeof cdir, "%s/corpus", bk ? bk : "build");
	if (!root || objwalk_build(root, "", cdir)) {
		printf("skip btf corpus: tests/corpus/build.sh failed\n");
	} else {
		strcat(cdir, "/v3");
		quiet = true;
		int count = objwalk(cdir, "btf corpus", 0, corpus_obj, NULL);
		quiet = false;
		CHECKF(count > 0 && corpus_bad == 0,
		       "corpus: %d objects: BTF identical to bpftool, line info, map defs (%d bad)", count,
		       corpus_bad);
	}
	CHECK("kind names", !strcmp(bk_btf_kind_name(BK_BTF_KIND_DATASEC), "DATASEC") &&
				    !strcmp(bk_btf_kind_name(99), "UNKNOWN"));
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd))
		printf("# cleanup failed\n");
	return 0;
}
