/* The loader links as libbpf does: for every corpus object at v1..v4, libbpf loads it
 * into the kernel and bpf_program__insns() gives the instructions it sent; bk_link_object
 * must produce the same instructions (subprograms appended in the same order, the same
 * call and callback offsets), with map references naming the same maps (libbpf's fd of
 * map X <-> bpfkit's index of map X, same names including libbpf's global data names, the
 * same offsets into global data), and the same map definitions. */
#include "tap.h"
#include "bpfkit/loader.h"
#include "bpfkit/object.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#if BK_HAVE_KERN
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int kmap_name(int fd, char *out, size_t size)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	snprintf(out, size, "%s", info.name);
	return 0;
}

/* One object: 1 if everything agrees, 0 with WHY filled otherwise, -1 if libbpf cannot load it. */
static int compare(const char *path, char *why, size_t wsz)
{
	struct bk_object *o;
	struct bk_linked *l;
	struct bk_err err = { 0 };
	int ok = 1;

	if (bk_object_open(path, &o, &err) < 0 || bk_link_object(o, NULL, &l, &err) < 0) {
		snprintf(why, wsz, "bpfkit: %s", err.msg);
		return 0;
	}
	bk_object_free(o);
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj || bpf_object__load(obj)) {
		bpf_object__close(obj);
		bk_linked_free(l);
		return -1;
	}
	struct bpf_map *bm;
	bpf_object__for_each_map(bm, obj) {
		char kn[32];
		if (kmap_name(bpf_map__fd(bm), kn, sizeof kn) < 0)
			continue;
		const struct bk_link_map *m = NULL;
		for (size_t i = 0; i < l->nmaps; i++)
			if (!strcmp(l->maps[i].name, kn))
				m = &l->maps[i];
		if (!m) {
			snprintf(why, wsz, "libbpf map '%s' has no bpfkit counterpart", kn);
			ok = 0;
			break;
		}
		if (m->def.type != bpf_map__type(bm) || m->def.key_size != bpf_map__key_size(bm) ||
		    m->def.value_size != bpf_map__value_size(bm) ||
		    m->def.max_entries != bpf_map__max_entries(bm) ||
		    m->def.map_flags != bpf_map__map_flags(bm)) {
			snprintf(why, wsz, "map '%s': bpfkit %u/%u/%u/%u/%#x, libbpf %u/%u/%u/%u/%#x", kn,
				 m->def.type, m->def.key_size, m->def.value_size, m->def.max_entries,
				 m->def.map_flags, bpf_map__type(bm), bpf_map__key_size(bm),
				 bpf_map__value_size(bm), bpf_map__max_entries(bm), bpf_map__map_flags(bm));
			ok = 0;
			break;
		}
	}
	struct bpf_program *bp;
	bpf_object__for_each_program(bp, obj) {
		if (!ok)
			break;
		const char *pn = bpf_program__name(bp);
		int pi = bk_linked_find_prog(l, pn);
		if (pi < 0) {
			snprintf(why, wsz, "program '%s' not linked by bpfkit", pn);
			ok = 0;
			break;
		}
		const struct bk_link_prog *p = &l->progs[pi];
		const struct bpf_insn *ki = bpf_program__insns(bp);
		size_t kn = bpf_program__insn_cnt(bp);
		if (kn != p->n) {
			snprintf(why, wsz, "program '%s': libbpf %zu insns, bpfkit %zu", pn, kn, p->n);
			ok = 0;
			break;
		}
		for (size_t i = 0; i < kn && ok; i++) {
			const struct bk_insn *u = &p->insns[i];
			const struct bpf_insn *k = &ki[i];
			bool same = u->code == k->code && u->dst == k->dst_reg && u->off == k->off;
			if (k->code == 0x18 && (k->src_reg == BPF_PSEUDO_MAP_FD || k->src_reg == BPF_PSEUDO_MAP_VALUE)) {
				char kname[32] = "";
				int want_src = k->src_reg == BPF_PSEUDO_MAP_FD ? BK_PSEUDO_MAP_IDX : BK_PSEUDO_MAP_IDX_VALUE;
				kmap_name(k->imm, kname, sizeof kname);
				same = same && u->src == want_src && u->imm >= 0 && (size_t)u->imm < l->nmaps &&
				       !strcmp(l->maps[u->imm].name, kname) && u[1].imm == k[1].imm;
				i++;
			} else {
				same = same && u->src == k->src_reg && u->imm == k->imm;
			}
			if (!same) {
				snprintf(why, wsz, "program '%s' insn %zu: bpfkit %02x %x %x %d %d, libbpf %02x %x %x %d %d",
					 pn, i, u->code, u->dst, u->src, u->off, u->imm, k->code, k->dst_reg,
					 k->src_reg, k->off, k->imm);
				ok = 0;
			}
		}
	}
	bpf_object__close(obj);
	bk_linked_free(l);
	return ok;
}
#endif

int main(void)
{
#if !BK_HAVE_KERN
	printf("skip loader-libbpf: built without libbpf\n");
	return 0;
#else
	const char *root = getenv("ROOT"), *build = getenv("BK_BUILD");
	char cmd[2048], dir[1024];
	if (!root || !build) {
		printf("skip loader-libbpf: run through make check (ROOT, BK_BUILD)\n");
		return 0;
	}
	if (geteuid() != 0) {
		printf("skip loader-libbpf: loading into the kernel needs root\n");
		return 0;
	}
	snprintf(cmd, sizeof cmd, "sh '%s/tests/corpus/build.sh' '%s/corpus' >/dev/null 2>&1", root, build);
	if (system(cmd) != 0) {
		printf("skip loader-libbpf: the corpus does not build (clang-19?)\n");
		return 0;
	}
	libbpf_set_print(quiet);
	static const char *const cpus[] = { "v1", "v2", "v3", "v4" };
	int compared = 0, unloadable = 0;
	for (int c = 0; c < 4; c++) {
		snprintf(dir, sizeof dir, "%s/corpus/%s", build, cpus[c]);
		DIR *d = opendir(dir);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			size_t len = strlen(e->d_name);
			if (len < 3 || strcmp(e->d_name + len - 2, ".o") || !strncmp(e->d_name, "reject_", 7))
				continue;
			char path[2048], why[1024] = "";
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			int r = compare(path, why, sizeof why);
			if (r < 0) {
				unloadable++;
				continue;
			}
			compared++;
			if (r == 1)
				printf("ok loader-libbpf %s/%s\n", cpus[c], e->d_name);
			else
				printf("not ok loader-libbpf %s/%s: %s\n", cpus[c], e->d_name, why);
		}
		if (d)
			closedir(d);
	}
	if (unloadable)
		printf("skip loader-libbpf: %d objects libbpf could not load\n", unloadable);
	CHECKF(compared >= 4 * 30, "loader-libbpf: compared %d objects with libbpf", compared);
	return 0;
#endif
}
