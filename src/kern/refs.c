/* Which processes hold a program or map (bpftool's "pids"), and a program's
 * bpf_metadata_* variables (bpftool's "metadata").
 *
 * bpftool finds the processes with a BPF task_file iterator; iterators are
 * tracing programs, which some kernels refuse (this project's VMs do), so
 * bpfkit reads the same facts from /proc/PID/fdinfo: every fd whose link is
 * anon_inode:bpf-prog (bpf-map) names its object's id there. */
#define _GNU_SOURCE
#include "kj.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

struct ref { uint32_t id; int pid; char comm[16]; };
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};
struct bk_kern_refs { struct ref *v; size_t n, cap; };

static int seen(const struct bk_kern_refs *r, uint32_t id, int pid)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].id == id && r->v[i].pid == pid)
			return 1;
	return 0;
}

static void comm_of(int pid, char *comm, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	comm[0] = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(comm, (int)len, f))
		comm[strcspn(comm, "\n")] = 0;
	fclose(f);
}

static int push(struct bk_kern_refs *r, uint32_t id, int pid, const char *comm)
{
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 16;
		struct ref *nv = realloc(r->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		r->v = nv;
		r->cap = nc;
	}
	r->v[r->n].id = id;
	r->v[r->n].pid = pid;
	snprintf(r->v[r->n].comm, sizeof(r->v[r->n].comm), "%s", comm);
	r->n++;
	return 0;
}

/* The id in /proc/PID/fdinfo/FD (proc: an fd of /proc). */
static uint32_t fdinfo_id(int proc, const char *pid, const char *fd, const char *key)
{
	char path[600], buf[512];
	snprintf(path, sizeof(path), "%s/fdinfo/%s", pid, fd);
	int f = openat(proc, path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return 0;
	ssize_t n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	size_t kl = strlen(key);
	for (char *l = buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, key, kl) && l[kl] == ':')
			return (uint32_t)strtoul(l + kl + 1, NULL, 10);
	return 0;
}

/* Few syscalls per process: this VM's procfs costs ~20 us a call, and a scan
 * touches every fd of every process. Directories are read with getdents64 into
 * one large buffer and links read relative to the directory's fd. */
struct bk_kern_refs *bk_kern_refs_load(int maps)
{
	struct bk_kern_refs *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	const char *want = maps ? "anon_inode:bpf-map" : "anon_inode:bpf-prog";
	const char *key = maps ? "map_id" : "prog_id";
	size_t wl = strlen(want);
	int self = getpid();
	int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (proc < 0)
		return r;
	static char pbuf[65536], fbuf[65536];
	long pn;
	while ((pn = syscall(SYS_getdents64, proc, pbuf, sizeof(pbuf))) > 0) {
		for (long po = 0; po < pn;) {
			struct linux_dirent64 *pd = (struct linux_dirent64 *)(pbuf + po);
			po += pd->d_reclen;
			if (!isdigit((unsigned char)pd->d_name[0]))
				continue;
			int pid = atoi(pd->d_name);
			if (pid == self)
				continue;   /* bpfkit holds what it shows */
			char sub[300];
			snprintf(sub, sizeof(sub), "%s/fd", pd->d_name);
			int fdir = openat(proc, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fdir < 0)
				continue;
			char comm[16] = "";
			long fn;
			int more = 1;
			/* procfs fills the buffer as far as it can: one short read is the whole
			 * directory, and the second getdents64 (which would return 0) is saved. */
			while (more && (fn = syscall(SYS_getdents64, fdir, fbuf, sizeof(fbuf))) > 0) {
				more = fn > (long)sizeof(fbuf) - 1024;
				for (long fo = 0; fo < fn;) {
					struct linux_dirent64 *fd = (struct linux_dirent64 *)(fbuf + fo);
					fo += fd->d_reclen;
					if (!isdigit((unsigned char)fd->d_name[0]))
						continue;
					char link[64];
					ssize_t l = readlinkat(fdir, fd->d_name, link, sizeof(link));
					if (l < 0 && errno == EACCES) {
						more = 0;   /* a process we may not look into: none of its fds */
						break;
					}
					if (l != (ssize_t)wl || memcmp(link, want, wl))
						continue;
					uint32_t id = fdinfo_id(proc, pd->d_name, fd->d_name, key);
					if (!id || seen(r, id, pid))
						continue;
					if (!comm[0])
						comm_of(pid, comm, sizeof(comm));
					if (push(r, id, pid, comm))
						break;
				}
			}
			close(fdir);
		}
	}
	close(proc);
	return r;
}

/* bpftool's layout: "pids":[{"pid":N,"comm":"x"}], text "\n\tpids x(N), y(M)". */
void bk_kern_refs_emit(const struct bk_kern_refs *r, uint32_t id, struct bk_kj *j, struct bk_buf *text)
{
	if (!r)
		return;
	int any = 0;
	for (size_t i = 0; i < r->n; i++) {
		if (r->v[i].id != id)
			continue;
		if (j) {
			if (!any) {
				bk_kj_key(j, "pids");
				bk_kj_arr(j);
			}
			bk_kj_obj(j);
			bk_kj_key(j, "pid"); bk_kj_u64(j, (uint64_t)r->v[i].pid);
			bk_kj_key(j, "comm"); bk_kj_str(j, r->v[i].comm);
			bk_kj_end_obj(j);
		} else {
			bk_buf_printf(text, "%s%s(%d)", any ? ", " : "\tpids ", r->v[i].comm, r->v[i].pid);
		}
		any = 1;
	}
	if (j && any)
		bk_kj_end_arr(j);
	if (!j && any)
		bk_buf_printf(text, "\n");
}

void bk_kern_refs_free(struct bk_kern_refs *r)
{
	if (!r)
		return;
	free(r->v);
	free(r);
}

/* ---- metadata ------------------------------------------------------------------ */
#define META_PREFIX "bpf_metadata_"

static const struct btf_type *skip_mods(const struct btf *btf, uint32_t *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);
	for (int depth = 0; t && depth < 16; depth++) {
		int k = btf_kind(t);
		if (k != BTF_KIND_CONST && k != BTF_KIND_VOLATILE && k != BTF_KIND_TYPEDEF && k != BTF_KIND_RESTRICT)
			break;
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

/* A value the way bpftool's BTF dumper writes the common cases: integers as
 * numbers, bools, char arrays as strings; anything else as its bytes. */
static void value(struct bk_kj *j, const struct btf *btf, uint32_t id, const uint8_t *p, uint32_t size)
{
	const struct btf_type *t = skip_mods(btf, &id);
	if (t && btf_is_int(t) && t->size <= 8 && t->size <= size) {
		uint32_t enc = btf_int_encoding(t);
		uint64_t v = 0;
		memcpy(&v, p, t->size);
		if (enc & BTF_INT_BOOL) {
			bk_kj_bool(j, v != 0);
		} else if (enc & BTF_INT_SIGNED) {
			int sh = 64 - 8 * (int)t->size;
			bk_kj_s64(j, sh ? (int64_t)(v << sh) >> sh : (int64_t)v);
		} else {
			bk_kj_u64(j, v);
		}
		return;
	}
	if (t && btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);
		uint32_t eid = a->type;
		const struct btf_type *e = skip_mods(btf, &eid);
		if (e && btf_is_int(e) && e->size == 1 && a->nelems <= size) {
			const char *n = btf__name_by_offset(btf, e->name_off);
			if ((btf_int_encoding(e) & BTF_INT_CHAR) || (n && strstr(n, "char"))) {
				char *s = strndup((const char *)p, a->nelems);
				bk_kj_str(j, s ? s : "");
				free(s);
				return;
			}
		}
	}
	bk_kj_hex_arr(j, p, size);
}

void bk_kern_prog_metadata(const uint32_t *map_ids, uint32_t nmaps, struct bk_kj *j, struct bk_buf *text)
{
	for (uint32_t m = 0; m < nmaps; m++) {
		int fd = bpf_map_get_fd_by_id(map_ids[m]);
		if (fd < 0)
			continue;
		struct bpf_map_info mi;
		uint32_t len = sizeof(mi);
		memset(&mi, 0, sizeof(mi));
		if (bpf_obj_get_info_by_fd(fd, &mi, &len) || mi.type != BPF_MAP_TYPE_ARRAY || mi.key_size != 4 ||
		    mi.max_entries != 1 || !mi.btf_value_type_id || !strstr(mi.name, ".rodata")) {
			close(fd);
			continue;
		}
		struct btf *btf = btf__load_from_kernel_by_id(mi.btf_id);
		uint8_t *val = calloc(1, mi.value_size + 1);
		uint32_t k = 0;
		const struct btf_type *ds = btf ? btf__type_by_id(btf, mi.btf_value_type_id) : NULL;
		if (!btf || !val || !ds || !btf_is_datasec(ds) || bpf_map_lookup_elem(fd, &k, val)) {
			btf__free(btf);
			free(val);
			close(fd);
			continue;
		}
		const struct btf_var_secinfo *vs = btf_var_secinfos(ds);
		int any = 0;
		struct bk_buf tmp = { 0 };
		for (int i = 0; i < btf_vlen(ds); i++) {
			const struct btf_type *var = btf__type_by_id(btf, vs[i].type);
			const char *name = var ? btf__name_by_offset(btf, var->name_off) : NULL;
			if (!name || strncmp(name, META_PREFIX, strlen(META_PREFIX)) || vs[i].offset + vs[i].size > mi.value_size)
				continue;
			if (!any) {
				if (j) {
					bk_kj_key(j, "metadata");
					bk_kj_obj(j);
				} else {
					bk_buf_printf(text, "\tmetadata:");
				}
			}
			any = 1;
			if (j) {
				bk_kj_key(j, name + strlen(META_PREFIX));
				value(j, btf, var->type, val + vs[i].offset, vs[i].size);
			} else {
				struct bk_kj tj;
				tmp.len = 0;
				bk_kj_init(&tj, &tmp, 0);
				value(&tj, btf, var->type, val + vs[i].offset, vs[i].size);
				bk_buf_printf(text, "\n\t\t%s = %.*s", name + strlen(META_PREFIX), (int)tmp.len,
					      tmp.data ? (const char *)tmp.data : "");
			}
		}
		if (any) {
			if (j)
				bk_kj_end_obj(j);
			else
				bk_buf_printf(text, "\n");
		}
		bk_buf_free(&tmp);
		btf__free(btf);
		free(val);
		close(fd);
		if (any)
			return;   /* one .rodata holds them all */
	}
}
