/* The walk over a built BPF corpus that the corpus tests share (test_verifier_corpus,
 * test_verifier_global, test_btf): how the corpus is built, which files count, how
 * bpfkit reads them and their programs, and how a file it cannot read is reported, so
 * that all of them treat a corpus alike. */
#ifndef BK_TEST_OBJWALK_H
#define BK_TEST_OBJWALK_H
#include "bpfkit/object.h"
#include "bpfkit/verifier.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs tests/corpus/build.sh (incremental, so any test may call it first) into OUTDIR,
 * ENV being shell assignments put in front ("" for none). 0 when the build succeeded. */
static inline int objwalk_build(const char *root, const char *env, const char *outdir)
{
	char cmd[9000];
	snprintf(cmd, sizeof cmd, "%s sh '%s/tests/corpus/build.sh' '%s' >/dev/null 2>&1", env, root,
		 outdir);
	return system(cmd) != 0 ? -1 : 0;
}

/* Builds the C programs of tests/verifier/SUB at cpu level CPU into $BK_BUILD/verifier-SUB
 * and puts the objects' directory in DIR: 0, or -1 after printing why WHAT is skipped. */
static inline int objwalk_suite(const char *what, const char *sub, const char *cpu, char *dir, size_t dn)
{
	const char *b = getenv("BK_BUILD"), *root = getenv("ROOT");
	char out[4096], env[4300];
	if (!root) {
		printf("skip %s: ROOT not set (run through make check)\n", what);
		return -1;
	}
	snprintf(out, sizeof out, "%s/verifier-%s", b ? b : "build", sub);
	snprintf(env, sizeof env, "CORPUS_SRC='%s/tests/verifier/%s' CORPUS_CPUS=%s", root, sub, cpu);
	if (objwalk_build(root, env, out) != 0) {
		printf("skip %s: clang-19 could not build tests/verifier/%s\n", what, sub);
		return -1;
	}
	snprintf(dir, dn, "%s/%s", out, cpu);
	return 0;
}

/* One object of the corpus, as bpfkit read it. */
struct objwalk_file {
	const char *path;       /* DIR/NAME */
	const char *name;       /* NAME, ending in .o */
	struct bk_object *obj;
	struct bk_vprog *progs; /* with OBJWALK_PROGS: its programs, as the verifier sees them */
	size_t nprogs;
};
#define OBJWALK_PROGS 1

/* What bk_verify needs to verify P as its object describes it (type, maps, BTF functions). */
static inline struct bk_verify_opts objwalk_opts(const struct bk_vprog *p)
{
	return (struct bk_verify_opts){ .sz = sizeof(struct bk_verify_opts), .prog_type = p->type,
					.maps = p->maps, .nmaps = p->nmaps,
					.btf_func_info = p->btf_func_info, .funcs = p->funcs,
					.nfuncs = p->nfuncs };
}

/* Calls FN for every *.o of DIR, in directory order, with the object (and with
 * OBJWALK_PROGS in FLAGS its programs) read; the walker frees them after FN. A file bpfkit
 * cannot read is a failure "not ok TAG NAME: why" and FN does not see it. Returns the
 * number of files FN saw, or -1 when DIR cannot be opened (the caller says what that
 * means for it). */
static inline int objwalk(const char *dir, const char *tag, unsigned flags,
			  void (*fn)(const struct objwalk_file *f, void *ctx), void *ctx)
{
	DIR *dh = opendir(dir);
	if (!dh)
		return -1;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(dh))) {
		size_t l = strlen(de->d_name);
		if (l < 3 || strcmp(de->d_name + l - 2, ".o"))
			continue;
		char path[8400];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		struct objwalk_file f = { .path = path, .name = de->d_name };
		struct bk_err err = { 0 };
		if (bk_object_open(path, &f.obj, &err) < 0 ||
		    ((flags & OBJWALK_PROGS) && bk_vprogs_from_object(f.obj, &f.progs, &f.nprogs, &err) < 0)) {
			printf("not ok %s %s: %s\n", tag, de->d_name, err.msg);
		} else {
			fn(&f, ctx);
			n++;
		}
		bk_vprogs_free(f.progs, f.nprogs);
		bk_object_free(f.obj);
	}
	closedir(dh);
	return n;
}

#endif
