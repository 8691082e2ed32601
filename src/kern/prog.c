/* Programs: load, show, dump, run, attach. */
#define _GNU_SOURCE
#include "kj.h"
#include "bpfkit/disasm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#if BK_HAVE_CAPSTONE
#include <capstone/capstone.h>
#endif

/* ---- load ------------------------------------------------------------------- */
/* The verifier log libbpf printed between its BEGIN/END markers. */
void bk_kern_verifier_log(const char *all, int whole, struct bk_buf *vlog, char *reason, size_t rlen)
{
	reason[0] = 0;
	const char *b = strstr(all, "-- BEGIN PROG LOAD LOG --");
	if (!b)
		return;
	b = strchr(b, '\n');
	if (!b)
		return;
	b++;
	const char *e = strstr(b, "-- END PROG LOAD LOG --");
	if (!e)
		e = b + strlen(b);
	/* Lines, and the last one that states the problem (not the statistics). */
	const char *lines[4096];
	size_t n = 0;
	for (const char *p = b; p < e && n < 4096;) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		lines[n++] = p;
		p = nl ? nl + 1 : e;
	}
	for (size_t i = n; i-- > 0;) {
		const char *p = lines[i];
		size_t l = (size_t)((i + 1 < n ? lines[i + 1] : e) - p);
		while (l && (p[l - 1] == '\n' || p[l - 1] == ' '))
			l--;
		if (!l || !strncmp(p, "processed ", 10) || !strncmp(p, "verification time", 17) ||
		    !strncmp(p, "stack depth", 11) || !strncmp(p, "libbpf:", 7))
			continue;
		snprintf(reason, rlen, "%.*s", (int)(l < 300 ? l : 300), p);
		break;
	}
	if (!vlog)
		return;
	size_t from = whole || n <= 8 ? 0 : n - 8;
	for (size_t i = from; i < n; i++) {
		const char *p = lines[i];
		size_t l = (size_t)((i + 1 < n ? lines[i + 1] : e) - p);
		if (l && p[l - 1] == '\n')
			l--;
		bk_buf_printf(vlog, "%.*s\n", (int)l, p);
	}
}

static int map_compat(struct bpf_map *m, int fd, struct bk_err *err)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return bk_err_set(err, -errno, "map '%s': can't read the map to reuse: %s",
				  bpf_map__name(m), strerror(errno));
	const char *what = NULL;
	uint32_t want = 0, have = 0;
	if (info.type != (uint32_t)bpf_map__type(m))
		what = "type", want = bpf_map__type(m), have = info.type;
	else if (info.key_size != bpf_map__key_size(m))
		what = "key size", want = bpf_map__key_size(m), have = info.key_size;
	else if (info.value_size != bpf_map__value_size(m))
		what = "value size", want = bpf_map__value_size(m), have = info.value_size;
	else if (info.max_entries != bpf_map__max_entries(m))
		what = "max_entries", want = bpf_map__max_entries(m), have = info.max_entries;
	if (!what)
		return 0;
	if (!strcmp(what, "type"))
		return bk_err_set(err, -EINVAL, "map '%s': can't reuse map id %u: type %s, the object wants %s",
				  bpf_map__name(m), info.id, bk_kern_map_type_name(have) ?: "?",
				  bk_kern_map_type_name(want) ?: "?");
	return bk_err_set(err, -EINVAL, "map '%s': can't reuse map id %u: %s %u, the object wants %u",
			  bpf_map__name(m), info.id, what, have, want);
}

/* libbpf 1.1's bpf_object__pin_maps turns every '.' of the whole path into '_'
 * (meant for ".rodata"-style names), so a directory like /tmp/x.y breaks. Only
 * the map's name is sanitized here; on failure the maps pinned so far go again. */
static int pin_maps(struct bpf_object *obj, const char *dir)
{
	struct bpf_map *m, *u;
	int r = 0;
	bpf_object__for_each_map(m, obj) {
		char path[4096];
		int n = snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(m));
		if (n < 0 || (size_t)n >= sizeof(path)) {
			r = -ENAMETOOLONG;
			break;
		}
		for (char *c = path + strlen(dir) + 1; *c; c++)
			if (*c == '.')
				*c = '_';
		r = bpf_map__pin(m, path);
		if (r)
			break;
	}
	if (!r)
		return 0;
	bpf_object__for_each_map(u, obj) {
		if (u == m)
			break;
		bpf_map__unpin(u, NULL);
	}
	return r;
}

int bk_kern_prog_load(const char *objpath, const char *path, const struct bk_kern_load_opts *opts,
		      struct bk_buf *vlog, struct bk_err *err)
{
	const char *type = BK_OPTS_GET(opts, type, NULL);
	const char *pinmaps = BK_OPTS_GET(opts, pinmaps, NULL);
	int all = BK_OPTS_GET(opts, all, 0);
	const struct bk_kern_map_reuse *reuse = BK_OPTS_GET(opts, reuse, NULL);
	size_t nreuse = BK_OPTS_GET(opts, nreuse, 0);
	int r;

	/* Refuse bad destinations before anything is created. */
	r = bk_kern_on_bpffs(path);
	if (r <= 0)
		return bk_err_set(err, r ? r : -EINVAL, "%s: not on a bpf filesystem (mount -t bpf)", path);
	if (!all && access(path, F_OK) == 0)
		return bk_err_set(err, -EEXIST, "%s: already exists", path);
	if (pinmaps && (r = bk_kern_on_bpffs(pinmaps)) <= 0)
		return bk_err_set(err, r ? r : -EINVAL, "%s: not on a bpf filesystem (mount -t bpf)", pinmaps);

	enum bpf_prog_type pt = BPF_PROG_TYPE_UNSPEC;
	enum bpf_attach_type eat = 0;
	if (type) {
		/* bpftool accepts a section name as the type ("xdp", "kprobe/...", "cgroup/skb"). */
		char sec[128];
		snprintf(sec, sizeof(sec), "%s", type);
		if (libbpf_prog_type_by_name(sec, &pt, &eat)) {
			snprintf(sec, sizeof(sec), "%s/", type);
			if (libbpf_prog_type_by_name(sec, &pt, &eat))
				return bk_err_set(err, -EINVAL, "unknown program type '%s'", type);
		}
	}

	bk_kern_log_reset();
	struct bpf_object *obj = bpf_object__open_file(objpath, NULL);
	if (!obj) {
		int e = errno;
		return bk_err_set(err, -e, "%s: can't open BPF object: %s", objpath, strerror(e));
	}
	struct bpf_program *p, *first = NULL;
	int nprog = 0;
	bpf_object__for_each_program(p, obj) {
		if (!first)
			first = p;
		nprog++;
		if (type) {
			bpf_program__set_type(p, pt);
			bpf_program__set_expected_attach_type(p, eat);
		}
	}
	if (!first) {
		bpf_object__close(obj);
		return bk_err_set(err, -ENOENT, "%s: no programs in the object", objpath);
	}
	for (size_t i = 0; i < nreuse; i++) {
		struct bpf_map *m = NULL, *it;
		if (reuse[i].idx >= 0) {
			int k = 0;
			bpf_object__for_each_map(it, obj) {
				if (k++ == reuse[i].idx) {
					m = it;
					break;
				}
			}
		} else {
			m = bpf_object__find_map_by_name(obj, reuse[i].name);
		}
		if (!m) {
			bpf_object__close(obj);
			if (reuse[i].idx >= 0)
				return bk_err_set(err, -ENOENT, "%s: no map with index %d", objpath, reuse[i].idx);
			return bk_err_set(err, -ENOENT, "%s: no map named '%s'", objpath, reuse[i].name);
		}
		if ((r = map_compat(m, reuse[i].fd, err)) || (r = bpf_map__reuse_fd(m, reuse[i].fd))) {
			bpf_object__close(obj);
			return bk_err_set(err, r, "map '%s': can't reuse: %s", bpf_map__name(m), strerror(-r));
		}
	}
	r = bpf_object__load(obj);
	if (r) {
		char reason[320];
		bk_kern_verifier_log(bk_kern_log(), BK_OPTS_GET(opts, log_all, 0), vlog, reason, sizeof(reason));
		const char *name = "?";
		const char *q = strstr(bk_kern_log(), "prog '");
		char pn[64] = "";
		if (q && sscanf(q, "prog '%63[^']'", pn) == 1)
			name = pn;
		bpf_object__close(obj);
		if (reason[0])
			return bk_err_set(err, r, "%s: program '%s' rejected by the verifier: %s", objpath, name, reason);
		/* libbpf's last line names the cause (missing BTF, bad section, ...). */
		const char *tail;
		int n = bk_kern_log_tail(&tail);
		if (n)
			return bk_err_set(err, r, "%s: load failed: %.*s", objpath, n, tail);
		return bk_err_set(err, r, "%s: load failed: %s", objpath, strerror(-r));
	}
	/* bpftool makes the directories; we remove them again if the pins fail. */
	int made_dir = all && mkdir(path, 0700) == 0;
	int made_mdir = pinmaps && mkdir(pinmaps, 0700) == 0;
	if (all)
		r = bpf_object__pin_programs(obj, path);
	else
		r = bpf_program__pin(first, path);
	if (r) {
		bpf_object__close(obj);
		if (made_dir)
			rmdir(path);
		if (made_mdir)
			rmdir(pinmaps);
		return bk_err_set(err, r, "%s: can't pin: %s", path, strerror(-r));
	}
	if (pinmaps && (r = pin_maps(obj, pinmaps))) {
		if (all)
			bpf_object__unpin_programs(obj, path);
		else
			bpf_program__unpin(first, path);
		bpf_object__close(obj);
		if (made_dir)
			rmdir(path);
		if (made_mdir)
			rmdir(pinmaps);
		return bk_err_set(err, r, "%s: can't pin maps: %s", pinmaps, strerror(-r));
	}
	bpf_object__close(obj);
	return nprog;
}

/* ---- show -------------------------------------------------------------------- */
static int prog_info(int fd, struct bpf_prog_info *info, uint32_t **map_ids, struct bk_err *err)
{
	uint32_t len = sizeof(*info);
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		return bk_err_set(err, -errno, "can't get program info: %s", strerror(errno));
	if (!map_ids)
		return 0;
	*map_ids = NULL;
	uint32_t nmaps = info->nr_map_ids;
	if (nmaps) {
		*map_ids = calloc(nmaps, sizeof(uint32_t));
		if (!*map_ids)
			return bk_err_set(err, -ENOMEM, "out of memory");
		memset(info, 0, sizeof(*info));
		info->nr_map_ids = nmaps;
		info->map_ids = (uint64_t)(uintptr_t)*map_ids;
		len = sizeof(*info);
		if (bpf_obj_get_info_by_fd(fd, info, &len)) {
			free(*map_ids);
			*map_ids = NULL;
			return bk_err_set(err, -errno, "can't get program info: %s", strerror(errno));
		}
		if (info->nr_map_ids > nmaps)
			info->nr_map_ids = nmaps;
	}
	return 0;
}

/* load_time is nanoseconds since boot; bpftool turns it into wall-clock seconds. */
static time_t wallclock(uint64_t ns)
{
	struct timespec rt, bt;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return (time_t)((rt.tv_sec - bt.tv_sec) + (int64_t)(ns / 1000000000));
}

/* The kernel keeps 15 characters of a name; bpftool shows the whole one from the
 * BTF of the program's first function, and so do we. */
static const char *full_name(int fd, const struct bpf_prog_info *info, char *buf, size_t len)
{
	snprintf(buf, len, "%s", info->name);
	if (strlen(info->name) != BPF_OBJ_NAME_LEN - 1 || !info->btf_id || !info->nr_func_info)
		return buf;
	struct bpf_func_info fi[1];
	struct bpf_prog_info q;
	memset(&q, 0, sizeof(q));
	memset(fi, 0, sizeof(fi));
	q.nr_func_info = 1;
	q.func_info_rec_size = sizeof(fi[0]);
	q.func_info = (uint64_t)(uintptr_t)fi;
	uint32_t l = sizeof(q);
	if (bpf_obj_get_info_by_fd(fd, &q, &l))
		return buf;
	struct btf *btf = btf__load_from_kernel_by_id(info->btf_id);
	if (!btf)
		return buf;
	const struct btf_type *t = btf__type_by_id(btf, fi[0].type_id);
	const char *n = t ? btf__name_by_offset(btf, t->name_off) : NULL;
	if (n && !strncmp(n, info->name, BPF_OBJ_NAME_LEN - 1))
		snprintf(buf, len, "%s", n);
	btf__free(btf);
	return buf;
}

static void show_one(int fd, const struct bpf_prog_info *info, const uint32_t *maps,
		     const struct bk_kern_fmt *fmt, struct bk_kern_pins *pins, const struct bk_kern_refs *refs,
		     struct bk_kj *j, struct bk_buf *out)
{
	char tag[17];
	for (int i = 0; i < 8; i++)
		snprintf(tag + 2 * i, 3, "%02x", info->tag[i]);
	const char *tn = bk_kern_prog_type_name(info->type);
	uint64_t memlock = 0;
	int have_memlock = !bk_kern_fdinfo(fd, "memlock", &memlock);
	time_t t = wallclock(info->load_time);
	char name[128];
	full_name(fd, info, name, sizeof(name));
	if (j) {
		bk_kj_obj(j);
		bk_kj_key(j, "id"); bk_kj_u64(j, info->id);
		bk_kj_key(j, "type");
		if (tn) bk_kj_str(j, tn); else bk_kj_u64(j, info->type);
		if (name[0]) { bk_kj_key(j, "name"); bk_kj_str(j, name); }
		bk_kj_key(j, "tag"); bk_kj_str(j, tag);
		bk_kj_key(j, "gpl_compatible"); bk_kj_bool(j, info->gpl_compatible);
		if (info->run_time_ns) {
			bk_kj_key(j, "run_time_ns"); bk_kj_u64(j, info->run_time_ns);
			bk_kj_key(j, "run_cnt"); bk_kj_u64(j, info->run_cnt);
		}
		if (info->recursion_misses) {
			bk_kj_key(j, "recursion_misses"); bk_kj_u64(j, info->recursion_misses);
		}
		if (info->load_time) {
			bk_kj_key(j, "loaded_at"); bk_kj_s64(j, (int64_t)t);
			bk_kj_key(j, "uid"); bk_kj_u64(j, info->created_by_uid);
		}
		bk_kj_key(j, "bytes_xlated"); bk_kj_u64(j, info->xlated_prog_len);
		if (info->jited_prog_len) {
			bk_kj_key(j, "jited"); bk_kj_bool(j, true);
			bk_kj_key(j, "bytes_jited"); bk_kj_u64(j, info->jited_prog_len);
		} else {
			bk_kj_key(j, "jited"); bk_kj_bool(j, false);
		}
		if (have_memlock) { bk_kj_key(j, "bytes_memlock"); bk_kj_u64(j, memlock); }
		if (info->nr_map_ids) {
			bk_kj_key(j, "map_ids");
			bk_kj_arr(j);
			for (uint32_t i = 0; i < info->nr_map_ids; i++)
				bk_kj_u64(j, maps[i]);
			bk_kj_end_arr(j);
		}
		if (info->btf_id) { bk_kj_key(j, "btf_id"); bk_kj_u64(j, info->btf_id); }
		if (fmt && fmt->bpffs)
			bk_kern_pins_emit(pins, info->id, j, NULL);
		bk_kern_refs_emit(refs, info->id, j, NULL);
		bk_kern_prog_metadata(maps, info->nr_map_ids, j, NULL);
		bk_kj_end_obj(j);
		return;
	}
	bk_buf_printf(out, "%u: ", info->id);
	if (tn) bk_buf_printf(out, "%s  ", tn); else bk_buf_printf(out, "type %u  ", info->type);
	if (name[0]) bk_buf_printf(out, "name %s  ", name);
	bk_buf_printf(out, "tag %s%s", tag, info->gpl_compatible ? "  gpl" : "");
	if (info->run_time_ns)
		bk_buf_printf(out, " run_time_ns %llu run_cnt %llu", (unsigned long long)info->run_time_ns,
			      (unsigned long long)info->run_cnt);
	if (info->recursion_misses)
		bk_buf_printf(out, " recursion_misses %llu", (unsigned long long)info->recursion_misses);
	bk_buf_printf(out, "\n");
	if (info->load_time) {
		char buf[64];
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(buf, sizeof(buf), "%FT%T%z", &tm);
		bk_buf_printf(out, "\tloaded_at %s  uid %u\n", buf, info->created_by_uid);
	}
	bk_buf_printf(out, "\txlated %uB", info->xlated_prog_len);
	if (info->jited_prog_len)
		bk_buf_printf(out, "  jited %uB", info->jited_prog_len);
	else
		bk_buf_printf(out, "  not jited");
	if (have_memlock)
		bk_buf_printf(out, "  memlock %lluB", (unsigned long long)memlock);
	if (info->nr_map_ids) {
		bk_buf_printf(out, "  map_ids ");
		for (uint32_t i = 0; i < info->nr_map_ids; i++)
			bk_buf_printf(out, "%s%u", i ? "," : "", maps[i]);
	}
	bk_buf_printf(out, "\n");
	if (fmt && fmt->bpffs)
		bk_kern_pins_emit(pins, info->id, NULL, out);
	if (info->btf_id)
		bk_buf_printf(out, "\tbtf_id %u\n", info->btf_id);
	bk_kern_refs_emit(refs, info->id, NULL, out);
	bk_kern_prog_metadata(maps, info->nr_map_ids, NULL, out);
}

int bk_kern_prog_list(const int *fds, int nfds, const struct bk_kern_fmt *fmt, struct bk_buf *out,
		      struct bk_err *err)
{
	struct bk_kj jw, *j = NULL;
	struct bk_kern_pins *pins = fmt && fmt->bpffs ? bk_kern_pins_load(0) : NULL;
	struct bk_kern_refs *refs = bk_kern_refs_load(0);
	if (fmt && fmt->json) {
		bk_kj_init(&jw, out, fmt->pretty);
		j = &jw;
	}
	/* A single program named by id/pinned prints as one object, as bpftool does. */
	int single = fds && nfds == 1;
	if (j && !single)
		bk_kj_arr(j);
	int r = 0;
	if (fds) {
		for (int i = 0; i < nfds && !r; i++) {
			struct bpf_prog_info info;
			uint32_t *maps = NULL;
			r = prog_info(fds[i], &info, &maps, err);
			if (!r)
				show_one(fds[i], &info, maps, fmt, pins, refs, j, out);
			free(maps);
		}
	} else {
		uint32_t id = 0;
		while (!bpf_prog_get_next_id(id, &id)) {
			int fd = bpf_prog_get_fd_by_id(id);
			if (fd < 0)
				continue;   /* gone since we saw its id */
			struct bpf_prog_info info;
			uint32_t *maps = NULL;
			if (!prog_info(fd, &info, &maps, NULL))
				show_one(fd, &info, maps, fmt, pins, refs, j, out);
			free(maps);
			close(fd);
		}
	}
	if (j && !single)
		bk_kj_end_arr(j);
	if (j)
		bk_buf_printf(out, "\n");
	bk_kern_pins_free(pins);
	bk_kern_refs_free(refs);
	return r;
}

int bk_kern_prog_show(int fd, const struct bk_kern_fmt *fmt, struct bk_buf *out, struct bk_err *err)
{
	return bk_kern_prog_list(&fd, 1, fmt, out, err);
}

/* ---- dump xlated ------------------------------------------------------------- */
struct xlated {
	struct bpf_prog_info info;
	struct bpf_insn *insns;
	uint32_t n;
	void *line_info, *func_info;
	uint32_t *map_ids;
	uint8_t (*tags)[8];
	uint32_t ntags, njited;
	struct btf *btf;
	/* helper addresses -> names from /proc/kallsyms, read on first need */
	int ksyms_loaded;
	uint64_t call_base;
	struct { int32_t imm; char name[96]; } *ksyms;
	size_t nksyms;
	char namebuf[128];
};

static void xlated_free(struct xlated *x)
{
	free(x->insns);
	free(x->line_info);
	free(x->func_info);
	free(x->map_ids);
	free(x->tags);
	free(x->ksyms);
	btf__free(x->btf);
}

static int xlated_get(int fd, struct xlated *x, struct bk_err *err)
{
	memset(x, 0, sizeof(*x));
	struct bpf_prog_info a;
	uint32_t len = sizeof(a);
	memset(&a, 0, sizeof(a));
	if (bpf_obj_get_info_by_fd(fd, &a, &len))
		return bk_err_set(err, -errno, "can't get program info: %s", strerror(errno));
	if (!a.xlated_prog_len)
		return bk_err_set(err, -EPERM, "the kernel gives no xlated instructions (bpf_jit_harden, or no CAP_SYS_ADMIN?)");
	uint32_t nli = a.nr_line_info, lrs = a.line_info_rec_size;
	uint32_t nfi = a.nr_func_info, frs = a.func_info_rec_size, nmaps = a.nr_map_ids;
	uint32_t ntags = a.nr_prog_tags;
	x->njited = a.nr_jited_ksyms;
	x->tags = ntags ? calloc(ntags, 8) : NULL;
	x->insns = malloc(a.xlated_prog_len);
	x->line_info = nli ? calloc(nli, lrs) : NULL;
	x->func_info = nfi ? calloc(nfi, frs) : NULL;
	x->map_ids = nmaps ? calloc(nmaps, 4) : NULL;
	if (!x->insns || (nli && !x->line_info) || (nfi && !x->func_info) || (nmaps && !x->map_ids) ||
	    (ntags && !x->tags)) {
		xlated_free(x);
		return bk_err_set(err, -ENOMEM, "out of memory");
	}
	struct bpf_prog_info *b = &x->info;
	memset(b, 0, sizeof(*b));
	b->xlated_prog_len = a.xlated_prog_len;
	b->xlated_prog_insns = (uint64_t)(uintptr_t)x->insns;
	b->nr_line_info = nli; b->line_info_rec_size = lrs; b->line_info = (uint64_t)(uintptr_t)x->line_info;
	b->nr_func_info = nfi; b->func_info_rec_size = frs; b->func_info = (uint64_t)(uintptr_t)x->func_info;
	b->nr_map_ids = nmaps; b->map_ids = (uint64_t)(uintptr_t)x->map_ids;
	b->nr_prog_tags = ntags; b->prog_tags = (uint64_t)(uintptr_t)x->tags;
	len = sizeof(*b);
	if (bpf_obj_get_info_by_fd(fd, b, &len)) {
		xlated_free(x);
		return bk_err_set(err, -errno, "can't get program instructions: %s", strerror(errno));
	}
	x->n = b->xlated_prog_len / 8;
	x->ntags = b->nr_prog_tags < ntags ? b->nr_prog_tags : ntags;
	if (b->btf_id)
		x->btf = btf__load_from_kernel_by_id(b->btf_id);
	return 0;
}

/* The kernel writes map addresses into xlated lddw as map ids (src 1 = fd, 2 = value). */
static int pseudo_text(const struct bk_insn *in, char *buf, size_t len, void *ctx)
{
	if (in->src == BPF_PSEUDO_MAP_FD) {
		snprintf(buf, len, "map[id:%u]", (uint32_t)in->imm);
		return 0;
	}
	if (in->src == BPF_PSEUDO_MAP_VALUE) {
		snprintf(buf, len, "map[id:%u][0]+%u", (uint32_t)in->imm, (uint32_t)in[1].imm);
		return 0;
	}
	return -1;
}

/* The kernel rewrites a helper call's imm to (address - __bpf_call_base); bpftool
 * names it from /proc/kallsyms, and so do we. Two passes: the base, then names. */
static void load_ksyms(struct xlated *x)
{
	x->ksyms_loaded = 1;
	size_t want = 0;
	for (uint32_t i = 0; i < x->n; i++)
		if (x->insns[i].code == (BPF_JMP | BPF_CALL) && x->insns[i].src_reg == 0)
			want++;
	if (!want)
		return;
	x->ksyms = calloc(want, sizeof(*x->ksyms));
	if (!x->ksyms)
		return;
	for (uint32_t i = 0; i < x->n; i++)
		if (x->insns[i].code == (BPF_JMP | BPF_CALL) && x->insns[i].src_reg == 0)
			x->ksyms[x->nksyms++].imm = x->insns[i].imm;
	char line[512], name[256], type;
	unsigned long long addr;
	for (int pass = 0; pass < 2; pass++) {
		FILE *f = fopen("/proc/kallsyms", "r");
		if (!f)
			return;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
				continue;
			if (pass == 0) {
				if (!strcmp(name, "__bpf_call_base")) {
					x->call_base = addr;
					break;
				}
				continue;
			}
			int64_t d = (int64_t)(addr - x->call_base);
			for (size_t k = 0; k < x->nksyms; k++)
				if (d == x->ksyms[k].imm && !x->ksyms[k].name[0])
					snprintf(x->ksyms[k].name, sizeof(x->ksyms[k].name), "%.95s", name);
		}
		fclose(f);
		if (!x->call_base)
			return;   /* kallsyms hidden (kptr_restrict): ids only */
	}
}

static const char *helper_name(int32_t imm, void *ctx)
{
	struct xlated *x = ctx;
	if (!x->ksyms_loaded)
		load_ksyms(x);
	for (size_t k = 0; k < x->nksyms; k++)
		if (x->ksyms[k].imm == imm && x->ksyms[k].name[0])
			return x->ksyms[k].name;
	return NULL;   /* the printer falls back to the helper's own name for small ids */
}

static const char *subprog_name(const struct xlated *x, uint32_t idx)
{
	if (!x->btf || idx >= x->info.nr_func_info)
		return NULL;
	const struct bpf_func_info *f =
		(const void *)((const char *)x->func_info + (size_t)idx * x->info.func_info_rec_size);
	const struct btf_type *t = btf__type_by_id(x->btf, f->type_id);
	return t ? btf__name_by_offset(x->btf, t->name_off) : NULL;
}

static const char *fmt_insn(struct xlated *x, uint32_t i, char *buf, size_t len, int *slots)
{
	const struct bpf_insn *in = &x->insns[i];
	*slots = 1;
	/* Forms that exist only after the verifier: a bpf-to-bpf call whose off is the
	 * relative target and imm the subprogram index, and the per-CPU address move. */
	if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL) {
		int n = snprintf(buf, len, "(85) call pc%+d", in->off);
		const char *sn = subprog_name(x, (uint32_t)in->imm);
		if (x->njited && (uint32_t)in->imm < x->ntags && sn && n > 0 && (size_t)n < len) {
			snprintf(buf + n, len - (size_t)n, "#bpf_prog_");
			n += 10;
			for (int k = 0; k < 8 && (size_t)n + 2 < len; k++, n += 2)
				snprintf(buf + n, len - (size_t)n, "%02x", x->tags[in->imm][k]);
			snprintf(buf + n, len - (size_t)n, "_%s", sn);
		}
		return buf;
	}
	if (in->code == (BPF_ALU64 | BPF_MOV | BPF_X) && in->off == -1) {
		snprintf(buf, len, "(bf) r%d = &(void __percpu *)(r%d)", in->dst_reg, in->src_reg);
		return buf;
	}
	struct bk_print_opts po = BK_OPTS_INIT(bk_print_opts, .syntax = BK_SYNTAX_KERNEL,
					       .pseudo_text = pseudo_text, .helper_name = helper_name,
					       .ctx = x);
	*slots = bk_insn_format((const struct bk_insn *)in, x->n - i, &po, buf, len);
	if (*slots < 1)
		*slots = 1;
	return buf;
}

static const struct bpf_line_info *line_at(const struct xlated *x, uint32_t i)
{
	for (uint32_t k = 0; k < x->info.nr_line_info; k++) {
		const struct bpf_line_info *l =
			(const void *)((const char *)x->line_info + (size_t)k * x->info.line_info_rec_size);
		if (l->insn_off == i)
			return l;
	}
	return NULL;
}

/* A type's name as bpftool writes it in prototypes: "struct xdp_md *". */
static void type_name(const struct btf *btf, uint32_t id, struct bk_buf *b, int depth)
{
	const struct btf_type *t = id ? btf__type_by_id(btf, id) : NULL;
	if (!t || depth > 16) {
		bk_buf_printf(b, "void");
		return;
	}
	const char *n = btf__name_by_offset(btf, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		type_name(btf, t->type, b, depth + 1);
		bk_buf_printf(b, " *");
		return;
	case BTF_KIND_CONST: bk_buf_printf(b, "const "); type_name(btf, t->type, b, depth + 1); return;
	case BTF_KIND_VOLATILE: bk_buf_printf(b, "volatile "); type_name(btf, t->type, b, depth + 1); return;
	case BTF_KIND_STRUCT: bk_buf_printf(b, "struct %s", n ? n : ""); return;
	case BTF_KIND_UNION: bk_buf_printf(b, "union %s", n ? n : ""); return;
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64: bk_buf_printf(b, "enum %s", n ? n : ""); return;
	case BTF_KIND_FWD: bk_buf_printf(b, "%s %s", btf_kflag(t) ? "union" : "struct", n ? n : ""); return;
	default:
		bk_buf_printf(b, "%s", n && *n ? n : "void");
	}
}

/* "int kt_count(struct xdp_md * ctx)", as bpftool prints a function's line. */
static void func_proto(const struct btf *btf, const struct btf_type *fn, struct bk_buf *b)
{
	const struct btf_type *pt = btf__type_by_id(btf, fn->type);
	if (!pt || !btf_is_func_proto(pt)) {
		bk_buf_printf(b, "%s", btf__name_by_offset(btf, fn->name_off));
		return;
	}
	type_name(btf, pt->type, b, 0);
	bk_buf_printf(b, " %s(", btf__name_by_offset(btf, fn->name_off));
	const struct btf_param *p = btf_params(pt);
	for (int i = 0; i < btf_vlen(pt); i++) {
		if (i)
			bk_buf_printf(b, ", ");
		if (!p[i].type) {
			bk_buf_printf(b, "...");
			continue;
		}
		type_name(btf, p[i].type, b, 0);
		const char *pn = btf__name_by_offset(btf, p[i].name_off);
		if (pn && *pn)
			bk_buf_printf(b, " %s", pn);
	}
	bk_buf_printf(b, ")");
}

static const char *func_at(const struct xlated *x, uint32_t i, struct bk_buf *b)
{
	if (!x->btf)
		return NULL;
	for (uint32_t k = 0; k < x->info.nr_func_info; k++) {
		const struct bpf_func_info *f =
			(const void *)((const char *)x->func_info + (size_t)k * x->info.func_info_rec_size);
		if (f->insn_off == i) {
			const struct btf_type *t = btf__type_by_id(x->btf, f->type_id);
			if (!t)
				return NULL;
			b->len = 0;
			func_proto(x->btf, t, b);
			bk_buf_printf(b, "%s", "");
			return b->data ? (const char *)b->data : NULL;
		}
	}
	return NULL;
}

static void visual(struct xlated *x, struct bk_buf *out)
{
	/* Basic blocks start at 0, at every branch target and after every branch/exit. */
	uint8_t *leader = calloc(x->n + 1, 1);
	if (!leader)
		return;
	leader[0] = 1;
	for (uint32_t i = 0; i < x->n; i++) {
		const struct bk_insn *in = (const void *)&x->insns[i];
		int64_t t = bk_insn_branch_target(in, i);
		uint8_t cls = in->code & 7;
		int is_ld64 = in->code == (BPF_LD | BPF_IMM | BPF_DW);
		if (t >= 0 && t < (int64_t)x->n)
			leader[t] = 1;
		if ((cls == BPF_JMP || cls == BPF_JMP32) && (t >= 0 || (in->code & 0xf0) == BPF_EXIT))
			leader[i + 1] = 1;
		if (is_ld64)
			i++;
	}
	bk_buf_printf(out, "digraph \"DOT graph for eBPF program\" {\n");
	bk_buf_printf(out, "subgraph \"cluster_0\" {\n\tstyle=\"dashed\";\n\tcolor=\"black\";\n\tlabel=\"func_0 ()\";\n");
	bk_buf_printf(out, "\tfn_0_bb_0 [shape=Mdiamond,style=filled,label=\"ENTRY\"];\n");
	bk_buf_printf(out, "\tfn_0_bb_1 [shape=Mdiamond,style=filled,label=\"EXIT\"];\n");
	for (uint32_t i = 0; i < x->n;) {
		uint32_t s = i;
		bk_buf_printf(out, "\tfn_0_bb_i%u [shape=record,style=filled,label=\"{", s);
		do {
			char buf[160];
			int sl;
			fmt_insn(x, i, buf, sizeof(buf), &sl);
			bk_buf_printf(out, "%s%u: ", i == s ? "" : "|", i);
			for (char *c = buf; *c; c++) {
				if (strchr("{}<>|\"", *c))
					bk_buf_printf(out, "\\");
				bk_buf_printf(out, "%c", *c);
			}
			bk_buf_printf(out, "\\l");
			i += (uint32_t)sl;
		} while (i < x->n && !leader[i]);
		bk_buf_printf(out, "}\"];\n");
		/* Edges from the block's last instruction. */
		uint32_t last = i - 1;
		if (last > s && x->insns[last - 1].code == (BPF_LD | BPF_IMM | BPF_DW))
			last--;
		const struct bk_insn *in = (const void *)&x->insns[last];
		uint8_t cls = in->code & 7;
		int64_t t = bk_insn_branch_target(in, last);
		int is_jmp = cls == BPF_JMP || cls == BPF_JMP32;
		int op = in->code & 0xf0;
		if (is_jmp && op == BPF_EXIT) {
			bk_buf_printf(out, "\tfn_0_bb_i%u -> fn_0_bb_1 [style=\"solid,bold\", color=black, weight=10, constraint=true];\n", s);
			continue;
		}
		if (is_jmp && op == BPF_CALL && in->src == BPF_PSEUDO_CALL)
			t = -1;   /* a call returns: fall through */
		if (t >= 0 && t < (int64_t)x->n)
			bk_buf_printf(out, "\tfn_0_bb_i%u -> fn_0_bb_i%lld [style=\"solid,bold\", color=red, weight=10, constraint=true];\n", s, (long long)t);
		if (!(is_jmp && op == BPF_JA) && i < x->n)
			bk_buf_printf(out, "\tfn_0_bb_i%u -> fn_0_bb_i%u [style=\"solid,bold\", color=black, weight=10, constraint=true];\n", s, i);
	}
	bk_buf_printf(out, "\tfn_0_bb_0 -> fn_0_bb_i0 [style=\"solid,bold\", color=black, weight=10, constraint=true];\n");
	bk_buf_printf(out, "}\n}\n");
	free(leader);
}

int bk_kern_prog_dump_xlated(int fd, enum bk_kern_dump_mode mode, const struct bk_kern_fmt *fmt,
			     struct bk_buf *out, struct bk_err *err)
{
	struct xlated x;
	int r = xlated_get(fd, &x, err);
	if (r)
		return r;
	if (mode == BK_DUMP_FILE) {
		r = bk_buf_append(out, x.insns, (size_t)x.n * 8);
		xlated_free(&x);
		return r ? bk_err_set(err, r, "out of memory") : 0;
	}
	if (mode == BK_DUMP_VISUAL) {
		visual(&x, out);
		xlated_free(&x);
		return 0;
	}
	struct bk_kj jw, *j = NULL;
	if (fmt && fmt->json) {
		bk_kj_init(&jw, out, fmt->pretty);
		j = &jw;
		bk_kj_arr(j);
	}
	struct bk_buf fbuf = { 0 };
	for (uint32_t i = 0; i < x.n;) {
		char buf[256];
		int sl;
		fmt_insn(&x, i, buf, sizeof(buf), &sl);
		const char *fn = func_at(&x, i, &fbuf);
		const struct bpf_line_info *li = x.btf ? line_at(&x, i) : NULL;
		const char *src = li ? btf__name_by_offset(x.btf, li->line_off) : NULL;
		while (src && (*src == ' ' || *src == '\t'))
			src++;   /* bpftool shows the source line without its indentation */
		const char *file = li ? btf__name_by_offset(x.btf, li->file_name_off) : NULL;
		if (j) {
			bk_kj_obj(j);
			if (fn) { bk_kj_key(j, "proto"); bk_kj_str(j, fn); }
			if (src) { bk_kj_key(j, "src"); bk_kj_str(j, src); }
			if (src && mode == BK_DUMP_LINUM) {
				bk_kj_key(j, "file"); bk_kj_str(j, file ? file : "");
				bk_kj_key(j, "line_num"); bk_kj_u64(j, BPF_LINE_INFO_LINE_NUM(li->line_col));
				if (BPF_LINE_INFO_LINE_COL(li->line_col)) {
					bk_kj_key(j, "line_col");
					bk_kj_u64(j, BPF_LINE_INFO_LINE_COL(li->line_col));
				}
			}
			bk_kj_key(j, "disasm"); bk_kj_str(j, buf);
			if (mode == BK_DUMP_OPCODES) {
				/* bpftool's layout: fields, imm running into the second slot of lddw. */
				const struct bpf_insn *in = &x.insns[i];
				char h[8];
				bk_kj_key(j, "opcodes");
				bk_kj_obj(j);
				snprintf(h, sizeof(h), "0x%02x", in->code);
				bk_kj_key(j, "code"); bk_kj_str(j, h);
				snprintf(h, sizeof(h), "0x%x", in->src_reg);
				bk_kj_key(j, "src_reg"); bk_kj_str(j, h);
				snprintf(h, sizeof(h), "0x%x", in->dst_reg);
				bk_kj_key(j, "dst_reg"); bk_kj_str(j, h);
				bk_kj_key(j, "off"); bk_kj_hex_arr(j, &in->off, 2);
				bk_kj_key(j, "imm"); bk_kj_hex_arr(j, &in->imm, sl == 2 ? 12 : 4);
				bk_kj_end_obj(j);
			}
			bk_kj_end_obj(j);
		} else {
			if (fn)
				bk_buf_printf(out, "%s:\n", fn);
			if (src && mode == BK_DUMP_LINUM)
				bk_buf_printf(out, "; %s [file:%s line_num:%u line_col:%u]\n", src, file ? file : "",
					      BPF_LINE_INFO_LINE_NUM(li->line_col), BPF_LINE_INFO_LINE_COL(li->line_col));
			else if (src)
				bk_buf_printf(out, "; %s\n", src);
			bk_buf_printf(out, "%4u: %s\n", i, buf);
			if (mode == BK_DUMP_OPCODES) {
				const uint8_t *b = (const void *)&x.insns[i];
				bk_buf_printf(out, "       ");
				for (int k = 0; k < sl * 8; k++)
					bk_buf_printf(out, "%02x%s", b[k], k + 1 < sl * 8 ? " " : "");
				bk_buf_printf(out, "\n");
			}
		}
		i += (uint32_t)sl;
	}
	if (j) {
		bk_kj_end_arr(j);
		bk_buf_printf(out, "\n");
	}
	bk_buf_free(&fbuf);
	xlated_free(&x);
	return 0;
}

/* ---- dump jited --------------------------------------------------------------- */
int bk_kern_prog_dump_jited(int fd, int opcodes, const struct bk_kern_fmt *fmt, struct bk_buf *out,
			    struct bk_err *err)
{
#if !BK_HAVE_CAPSTONE
	return bk_err_set(err, -ENOTSUP, "built without capstone: no x86-64 listing");
#else
	struct bpf_prog_info a;
	uint32_t len = sizeof(a);
	memset(&a, 0, sizeof(a));
	if (bpf_obj_get_info_by_fd(fd, &a, &len))
		return bk_err_set(err, -errno, "can't get program info: %s", strerror(errno));
	if (!a.jited_prog_len)
		return bk_err_set(err, -ENOENT, "no JITed code (the JIT is off, or no CAP_SYS_ADMIN)");
	uint32_t nfunc = a.nr_jited_func_lens, nksym = a.nr_jited_ksyms, jlen = a.jited_prog_len;
	uint8_t *code = malloc(jlen);
	uint32_t *lens = calloc(nfunc ? nfunc : 1, 4);
	uint64_t *ksyms = calloc(nksym ? nksym : 1, 8);
	char tag[17];
	if (!code || !lens || !ksyms) {
		free(code); free(lens); free(ksyms);
		return bk_err_set(err, -ENOMEM, "out of memory");
	}
	struct bpf_prog_info b;
	memset(&b, 0, sizeof(b));
	b.jited_prog_len = jlen; b.jited_prog_insns = (uint64_t)(uintptr_t)code;
	b.nr_jited_func_lens = nfunc; b.jited_func_lens = (uint64_t)(uintptr_t)lens;
	b.nr_jited_ksyms = nksym; b.jited_ksyms = (uint64_t)(uintptr_t)ksyms;
	len = sizeof(b);
	int r = 0;
	if (bpf_obj_get_info_by_fd(fd, &b, &len)) {
		r = bk_err_set(err, -errno, "can't get JITed code: %s", strerror(errno));
		goto out;
	}
	for (int i = 0; i < 8; i++)
		snprintf(tag + 2 * i, 3, "%02x", b.tag[i]);
	if (!nfunc) {
		nfunc = 1;
		lens[0] = jlen;
	}
	csh cs;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		r = bk_err_set(err, -EINVAL, "capstone: can't open the x86-64 disassembler");
		goto out;
	}
	cs_option(cs, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
	struct bk_kj jw, *j = NULL;
	if (fmt && fmt->json) {
		bk_kj_init(&jw, out, fmt->pretty);
		j = &jw;
		bk_kj_arr(j);
	}
	uint32_t off = 0;
	for (uint32_t f = 0; f < nfunc && off < jlen; f++) {
		uint32_t flen = lens[f] <= jlen - off ? lens[f] : jlen - off;
		char name[128];
		if (f == 0)
			snprintf(name, sizeof(name), "bpf_prog_%s_%s", tag, b.name);
		else
			snprintf(name, sizeof(name), "bpf_prog_%s_F%u", tag, f);
		if (j) {
			bk_kj_obj(j);
			bk_kj_key(j, "name"); bk_kj_str(j, name);
			bk_kj_key(j, "insns");
			bk_kj_arr(j);
		} else {
			bk_buf_printf(out, "%s%s:\n", f ? "\n" : "", name);
		}
		cs_insn *ins = NULL;
		size_t cnt = cs_disasm(cs, code + off, flen, 0, 0, &ins);
		size_t done = 0;
		for (size_t k = 0; k < cnt; k++) {
			char text[256];
			snprintf(text, sizeof(text), "%s%s%s", ins[k].mnemonic, ins[k].op_str[0] ? " " : "",
				 ins[k].op_str);
			if (j) {
				bk_kj_obj(j);
				bk_kj_key(j, "pc"); bk_kj_u64(j, ins[k].address);
				bk_kj_key(j, "operation"); bk_kj_str(j, text);
				if (opcodes) {
					bk_kj_key(j, "opcodes");
					bk_kj_hex_arr(j, ins[k].bytes, ins[k].size);
				}
				bk_kj_end_obj(j);
			} else {
				bk_buf_printf(out, "%4llx:\t", (unsigned long long)ins[k].address);
				if (opcodes) {
					for (int q = 0; q < ins[k].size; q++)
						bk_buf_printf(out, "%02x ", ins[k].bytes[q]);
					bk_buf_printf(out, "\n\t");
				}
				bk_buf_printf(out, "%s\n", text);
			}
			done = (size_t)ins[k].address + ins[k].size;
		}
		if (cnt)
			cs_free(ins, cnt);
		/* Bytes capstone cannot decode stay visible instead of vanishing. */
		if (done < flen && !j)
			bk_buf_printf(out, "%4zx:\t(bad) %zu bytes\n", done, flen - done);
		if (j) {
			bk_kj_end_arr(j);
			bk_kj_end_obj(j);
		}
		off += flen;
	}
	if (j) {
		bk_kj_end_arr(j);
		bk_buf_printf(out, "\n");
	}
	cs_close(&cs);
out:
	free(code); free(lens); free(ksyms);
	return r;
#endif
}

/* ---- run ---------------------------------------------------------------------- */
int bk_kern_prog_run(int fd, const struct bk_kern_run_opts *opts, struct bk_kern_run_result *res,
		     struct bk_err *err)
{
	memset(res, 0, sizeof(*res));
	const void *din = BK_OPTS_GET(opts, data_in, NULL), *cin = BK_OPTS_GET(opts, ctx_in, NULL);
	size_t dlen = BK_OPTS_GET(opts, data_in_len, 0), clen = BK_OPTS_GET(opts, ctx_in_len, 0);
	size_t dcap = BK_OPTS_GET(opts, data_out_cap, 0), ccap = BK_OPTS_GET(opts, ctx_out_cap, 0);
	if (!dcap && din)
		dcap = dlen + 256;   /* programs may grow packets (xdp_adjust_tail) */
	if (!ccap && cin)
		ccap = clen;
	if ((dcap && bk_buf_zero(&res->data_out, dcap)) || (ccap && bk_buf_zero(&res->ctx_out, ccap)))
		return bk_err_set(err, -ENOMEM, "out of memory");
	LIBBPF_OPTS(bpf_test_run_opts, t,
		.data_in = din, .data_size_in = (uint32_t)dlen,
		.data_out = dcap ? res->data_out.data : NULL, .data_size_out = (uint32_t)dcap,
		.ctx_in = cin, .ctx_size_in = (uint32_t)clen,
		.ctx_out = ccap ? res->ctx_out.data : NULL, .ctx_size_out = (uint32_t)ccap,
		.repeat = BK_OPTS_GET(opts, repeat, 1));
	if (bpf_prog_test_run_opts(fd, &t)) {
		int e = errno;
		bk_buf_free(&res->data_out);
		bk_buf_free(&res->ctx_out);
		if (e == EOPNOTSUPP || e == 524)
			return bk_err_set(err, -e, "the kernel can't test-run this program type");
		return bk_err_set(err, -e, "BPF_PROG_TEST_RUN: %s", strerror(e));
	}
	res->retval = t.retval;
	res->duration_ns = t.duration;
	res->data_out.len = dcap ? t.data_size_out : 0;
	res->ctx_out.len = ccap ? t.ctx_size_out : 0;
	return 0;
}

/* ---- attach ------------------------------------------------------------------- */
static const struct { const char *word; enum bpf_attach_type t; } prog_attach_words[] = {
	{ "sk_msg_verdict", BPF_SK_MSG_VERDICT },
	{ "sk_skb_verdict", BPF_SK_SKB_VERDICT },
	{ "sk_skb_stream_verdict", BPF_SK_SKB_STREAM_VERDICT },
	{ "sk_skb_stream_parser", BPF_SK_SKB_STREAM_PARSER },
	{ "flow_dissector", BPF_FLOW_DISSECTOR },
};

int bk_kern_prog_attach(int prog_fd, const char *attach, int map_fd, int detach, struct bk_err *err)
{
	int t = -1;
	for (size_t i = 0; i < sizeof(prog_attach_words) / sizeof(prog_attach_words[0]); i++)
		if (!strcmp(attach, prog_attach_words[i].word))
			t = (int)prog_attach_words[i].t;
	if (t < 0)
		return bk_err_set(err, -EINVAL, "unknown attach type '%s' (sk_msg_verdict, sk_skb_verdict, "
				  "sk_skb_stream_verdict, sk_skb_stream_parser, flow_dissector)", attach);
	if (t != BPF_FLOW_DISSECTOR && map_fd < 0)
		return bk_err_set(err, -EINVAL, "%s needs a MAP", attach);
	int target = t == BPF_FLOW_DISSECTOR ? 0 : map_fd;
	int r = detach ? bpf_prog_detach2(prog_fd, target, (enum bpf_attach_type)t)
		       : bpf_prog_attach(prog_fd, target, (enum bpf_attach_type)t, 0);
	if (r) {
		int e = errno;
		return bk_err_set(err, -e, "can't %s %s: %s", detach ? "detach" : "attach", attach, strerror(e));
	}
	return 0;
}
