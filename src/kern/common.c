/* What every kern file needs: libbpf's log, names, fdinfo, bpffs pins and the
 * PROG/MAP words. */
#define _GNU_SOURCE
#include "kj.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

/* ---- libbpf's messages ------------------------------------------------------ */
static struct bk_buf klog;
static int klog_all;

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !klog_all)
		return 0;
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n > 0 && !bk_buf_reserve(&klog, (size_t)n + 1)) {
		vsnprintf((char *)klog.data + klog.len, (size_t)n + 1, fmt, ap);
		klog.len += (size_t)n;
	}
	return 0;
}

void bk_kern_log_capture(int all_levels)
{
	klog_all = all_levels;
	libbpf_set_print(print_fn);
}

const char *bk_kern_log(void)
{
	if (!klog.data || bk_buf_reserve(&klog, 1))
		return "";
	klog.data[klog.len] = 0;
	return (const char *)klog.data;
}

void bk_kern_log_reset(void) { klog.len = 0; }

int bk_kern_log_tail(const char **line)
{
	const char *lg = bk_kern_log();
	size_t l = strlen(lg);
	while (l && lg[l - 1] == '\n')
		l--;
	size_t s = l;
	while (s && lg[s - 1] != '\n')
		s--;
	*line = lg + s;
	return (int)(l - s);
}

/* ---- names ------------------------------------------------------------------- */
/* bpftool's names; libbpf knows the types it was built with, newer ones by number. */
const char *bk_kern_prog_type_name(uint32_t t)
{
	if (t == 32)
		return "netfilter";
	return libbpf_bpf_prog_type_str((enum bpf_prog_type)t);
}

const char *bk_kern_map_type_name(uint32_t t)
{
	switch (t) {
	case 31: return "user_ringbuf";
	case 32: return "cgrp_storage";
	case 33: return "arena";
	}
	return libbpf_bpf_map_type_str((enum bpf_map_type)t);
}

int bk_kern_fdinfo(int fd, const char *key, uint64_t *val)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	size_t kl = strlen(key);
	int r = -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			*val = strtoull(line + kl + 1, NULL, 0);
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}

long bk_kern_read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

/* ---- bpffs ------------------------------------------------------------------- */
int bk_kern_on_bpffs(const char *path)
{
	struct statfs st;
	char *dup = strdup(path), *slash;
	if (!dup)
		return -ENOMEM;
	/* The file (and directories to be made) may not exist yet: the nearest
	 * existing ancestor decides. */
	int r;
	while ((r = statfs(dup, &st)) && errno == ENOENT && (slash = strrchr(dup, '/'))) {
		if (slash == dup) {
			slash[1] = 0;
			r = statfs(dup, &st);
			break;
		}
		*slash = 0;
	}
	if (r && errno == ENOENT && !strchr(path, '/'))
		r = statfs(".", &st);
	int e = errno;
	free(dup);
	if (r)
		return -e;
	return st.f_type == BPF_FS_MAGIC;
}

int bk_kern_pin(int fd, const char *path, struct bk_err *err)
{
	int on = bk_kern_on_bpffs(path);
	if (on < 0)
		return bk_err_set(err, on, "%s: %s", path, strerror(-on));
	if (!on)
		return bk_err_set(err, -EINVAL, "%s: not on a bpf filesystem (mount -t bpf)", path);
	if (bpf_obj_pin(fd, path)) {
		int e = errno;
		return bk_err_set(err, -e, "%s: can't pin: %s", path, strerror(e));
	}
	return 0;
}

struct pin { int is_map; uint32_t id; char *path; };
struct bk_kern_pins { struct pin *v; size_t n, cap; int want_maps; };
static struct bk_kern_pins *walking;

static int visit(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	if (flag != FTW_F)
		return 0;
	int fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	uint64_t t;
	int is_map = bk_kern_fdinfo(fd, "map_type", &t) == 0;
	int is_prog = !is_map && bk_kern_fdinfo(fd, "prog_type", &t) == 0;
	if ((is_map && walking->want_maps) || (is_prog && !walking->want_maps)) {
		uint64_t id;
		if (!bk_kern_fdinfo(fd, is_map ? "map_id" : "prog_id", &id)) {
			if (walking->n == walking->cap) {
				size_t nc = walking->cap ? walking->cap * 2 : 16;
				struct pin *nv = realloc(walking->v, nc * sizeof(*nv));
				if (!nv) {
					close(fd);
					return 1;
				}
				walking->v = nv;
				walking->cap = nc;
			}
			walking->v[walking->n++] = (struct pin){ is_map, (uint32_t)id, strdup(path) };
		}
	}
	close(fd);
	return 0;
}

struct bk_kern_pins *bk_kern_pins_load(int want_maps)
{
	struct bk_kern_pins *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->want_maps = want_maps;
	FILE *m = fopen("/proc/self/mounts", "r");
	if (!m)
		return p;
	char line[1024], dev[256], dir[768], type[64];
	while (fgets(line, sizeof(line), m)) {
		if (sscanf(line, "%255s %767s %63s", dev, dir, type) != 3 || strcmp(type, "bpf"))
			continue;
		walking = p;
		nftw(dir, visit, 16, FTW_PHYS);
		walking = NULL;
	}
	fclose(m);
	return p;
}

void bk_kern_pins_emit(struct bk_kern_pins *p, uint32_t id, struct bk_kj *j, struct bk_buf *text)
{
	if (!p)
		return;
	int any = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (p->v[i].id != id || !p->v[i].path)
			continue;
		if (j) {
			if (!any++) {
				bk_kj_key(j, "pinned");
				bk_kj_arr(j);
			}
			bk_kj_str(j, p->v[i].path);
		} else {
			bk_buf_printf(text, "\tpinned %s\n", p->v[i].path);
		}
	}
	if (j && any)
		bk_kj_end_arr(j);
}

void bk_kern_pins_free(struct bk_kern_pins *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].path);
	free(p->v);
	free(p);
}

/* ---- PROG / MAP words ---------------------------------------------------------- */
static int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	errno = 0;
	unsigned long x = strtoul(s, &end, 0);
	if (!*s || *end || errno || x > UINT32_MAX || s[0] == '-')
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

static int parse_tag(const char *s, uint8_t tag[8])
{
	if (strlen(s) != 16)
		return -EINVAL;
	for (int i = 0; i < 8; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		tag[i] = (uint8_t)v;
	}
	return 0;
}

static int push_fd(int **fds, int *n, int fd)
{
	int *nv = realloc(*fds, (size_t)(*n + 1) * sizeof(int));
	if (!nv) {
		close(fd);
		return -ENOMEM;
	}
	*fds = nv;
	nv[(*n)++] = fd;
	return 0;
}

static int check_kind(int fd, const char *path, int want_map, struct bk_err *err)
{
	uint64_t t;
	if (bk_kern_fdinfo(fd, want_map ? "map_type" : "prog_type", &t)) {
		close(fd);
		return bk_err_set(err, -EINVAL, "%s: not a %s", path, want_map ? "map" : "program");
	}
	return fd;
}

int bk_kern_prog_fds(int argc, char **argv, int *used, int **fds, struct bk_err *err)
{
	*fds = NULL;
	*used = 0;
	if (argc < 2)
		return bk_err_set(err, -EINVAL, "expected PROG: id N | pinned FILE | tag TAG | name NAME");
	const char *kind = argv[0], *val = argv[1];
	*used = 2;
	int n = 0, fd;
	if (!strcmp(kind, "id")) {
		uint32_t id;
		if (parse_u32(val, &id))
			return bk_err_set(err, -EINVAL, "bad program id '%s'", val);
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			return bk_err_set(err, -errno, "no program with id %u: %s", id, strerror(errno));
		return push_fd(fds, &n, fd) ?: 1;
	}
	if (!strcmp(kind, "pinned")) {
		fd = bpf_obj_get(val);
		if (fd < 0)
			return bk_err_set(err, -errno, "%s: can't open pinned object: %s", val, strerror(errno));
		fd = check_kind(fd, val, 0, err);
		if (fd < 0)
			return fd;
		return push_fd(fds, &n, fd) ?: 1;
	}
	uint8_t tag[8];
	int by_tag = !strcmp(kind, "tag");
	if (!by_tag && strcmp(kind, "name"))
		return bk_err_set(err, -EINVAL, "expected 'id', 'pinned', 'tag' or 'name', got '%s'", kind);
	if (by_tag && parse_tag(val, tag))
		return bk_err_set(err, -EINVAL, "bad tag '%s' (16 hex digits)", val);
	if (!by_tag && strlen(val) >= 16)
		return bk_err_set(err, -EINVAL, "name '%s' is longer than the kernel keeps (15)", val);
	uint32_t id = 0;
	while (!bpf_prog_get_next_id(id, &id)) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		int match = by_tag ? !memcmp(info.tag, tag, 8) : !strcmp(info.name, val);
		if (!match) {
			close(fd);
			continue;
		}
		if (push_fd(fds, &n, fd) < 0) {
			for (int i = 0; i < n; i++)
				close((*fds)[i]);
			free(*fds);
			*fds = NULL;
			return bk_err_set(err, -ENOMEM, "out of memory");
		}
	}
	if (!n)
		return bk_err_set(err, -ENOENT, "no program with %s '%s'", kind, val);
	return n;
}

int bk_kern_map_fd(int argc, char **argv, int *used, struct bk_err *err)
{
	*used = 0;
	if (argc < 2)
		return bk_err_set(err, -EINVAL, "expected MAP: id N | pinned FILE | name NAME");
	const char *kind = argv[0], *val = argv[1];
	*used = 2;
	int fd;
	if (!strcmp(kind, "id")) {
		uint32_t id;
		if (parse_u32(val, &id))
			return bk_err_set(err, -EINVAL, "bad map id '%s'", val);
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			return bk_err_set(err, -errno, "no map with id %u: %s", id, strerror(errno));
		return fd;
	}
	if (!strcmp(kind, "pinned")) {
		fd = bpf_obj_get(val);
		if (fd < 0)
			return bk_err_set(err, -errno, "%s: can't open pinned object: %s", val, strerror(errno));
		return check_kind(fd, val, 1, err);
	}
	if (strcmp(kind, "name"))
		return bk_err_set(err, -EINVAL, "expected 'id', 'pinned' or 'name', got '%s'", kind);
	if (strlen(val) >= 16)
		return bk_err_set(err, -EINVAL, "name '%s' is longer than the kernel keeps (15)", val);
	uint32_t id = 0;
	int found = -1, count = 0;
	while (!bpf_map_get_next_id(id, &id)) {
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		struct bpf_map_info info;
		uint32_t len = sizeof(info);
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, val)) {
			count++;
			if (found < 0) {
				found = fd;
				continue;
			}
		}
		close(fd);
	}
	if (count > 1) {
		close(found);
		return bk_err_set(err, -EINVAL, "%d maps are named '%s': use id or pinned", count, val);
	}
	if (found < 0)
		return bk_err_set(err, -ENOENT, "no map with name '%s'", val);
	return found;
}
