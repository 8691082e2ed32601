/* Which processes hold a program or map (bpftool's "pids"), and a program's
 * bpf_metadata_* variables (bpftool's "metadata").
 *
 * bpftool finds the processes with a BPF task_file iterator, and so does bpfkit
 * first: a small iterator program, generated here, writes (tgid, fd, f_op, id)
 * for every open file of every process in one read(). Where the kernel takes no
 * iterator (no BTF, no CAP_BPF for tracing programs, an old kernel), bpfkit reads
 * the same facts from /proc/PID/fd and fdinfo, which costs a few hundred procfs
 * calls. (Debian's bpftool 7.1 is built without its skeletons and shows no pids.) */
#define _GNU_SOURCE
#include "kj.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/btf.h>
#include <sys/mman.h>
#include <sys/stat.h>

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
static struct bk_kern_refs *refs_from_proc(struct bk_kern_refs *r, int maps)
{
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

/* ---- the task_file iterator ---------------------------------------------------- */
/* What the generated program needs from the running kernel's BTF: the id of the
 * iterator's target and where a few fields lie. */
struct iter_facts {
	uint32_t func_id;                      /* FUNC bpf_iter_task_file */
	uint32_t seq, tgid, f_op, pdata;       /* bpf_iter_meta.seq, task_struct.tgid, file.f_op, file.private_data */
	uint32_t aux, aux_id, map_id;          /* bpf_prog.aux, bpf_prog_aux.id, bpf_map.id */
};
#define NFACTS (sizeof(struct iter_facts) / sizeof(uint32_t))

static const char *btf_str(const char *strs, uint32_t len, uint32_t off)
{
	return off < len ? strs + off : "";
}

/* The byte offset of member NAME of the struct at T, or -1. */
static int64_t member_off(const struct btf_type *t, const char *strs, uint32_t slen, const char *name)
{
	const struct btf_member *m = (const struct btf_member *)(t + 1);
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++)
		if (!strcmp(btf_str(strs, slen, m[i].name_off), name)) {
			uint32_t bits = BTF_INFO_KFLAG(t->info) ? BTF_MEMBER_BIT_OFFSET(m[i].offset) : m[i].offset;
			return bits % 8 ? -1 : (int64_t)(bits / 8);
		}
	return -1;
}

/* One pass over the vmlinux BTF (mapped, not copied: only the pages up to the
 * last type we need are touched). Kinds' record sizes as in the BTF spec. */
static int facts_from_btf(struct iter_facts *f)
{
	int fd = open("/sys/kernel/btf/vmlinux", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) || st.st_size < (off_t)sizeof(struct btf_header)) {
		close(fd);
		return -EINVAL;
	}
	size_t size = (size_t)st.st_size;
	void *mem = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	int mapped = mem != MAP_FAILED;
	if (!mapped) {
		/* Kernels before 6.16 cannot map it: read it whole. */
		mem = malloc(size);
		size_t got = 0;
		ssize_t n = 1;
		while (mem && got < size && (n = read(fd, (char *)mem + got, size - got)) > 0)
			got += (size_t)n;
		if (!mem || got != size) {
			free(mem);
			close(fd);
			return -EIO;
		}
	}
	close(fd);
	const struct btf_header *h = mem;
	int r = -ENOENT;
	if (h->magic != BTF_MAGIC || (uint64_t)h->hdr_len + h->type_off + h->type_len > size ||
	    (uint64_t)h->hdr_len + h->str_off + h->str_len > size) {
		r = -EINVAL;
		goto out;
	}
	const char *types = (const char *)mem + h->hdr_len + h->type_off;
	const char *strs = (const char *)mem + h->hdr_len + h->str_off;
	uint32_t slen = h->str_len;
	int64_t v[NFACTS];
	for (size_t i = 0; i < NFACTS; i++)
		v[i] = -1;
	size_t found = 0;
	uint32_t id = 1;
	for (size_t off = 0; off + sizeof(struct btf_type) <= h->type_len && found < NFACTS; id++) {
		const struct btf_type *t = (const struct btf_type *)(types + off);
		uint32_t kind = BTF_INFO_KIND(t->info), vlen = BTF_INFO_VLEN(t->info);
		size_t rec = sizeof(*t);
		switch (kind) {
		case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: rec += 4; break;
		case BTF_KIND_ARRAY: rec += sizeof(struct btf_array); break;
		case BTF_KIND_STRUCT: case BTF_KIND_UNION: rec += vlen * sizeof(struct btf_member); break;
		case BTF_KIND_ENUM: rec += vlen * sizeof(struct btf_enum); break;
		case BTF_KIND_FUNC_PROTO: rec += vlen * sizeof(struct btf_param); break;
		case BTF_KIND_DATASEC: rec += vlen * sizeof(struct btf_var_secinfo); break;
		case BTF_KIND_ENUM64: rec += vlen * 12; break;
		default: break;
		}
		if (off + rec > h->type_len)
			break;
		off += rec;
		if (kind != BTF_KIND_STRUCT && kind != BTF_KIND_FUNC)
			continue;
		const char *n = btf_str(strs, slen, t->name_off);
		/* Most names are rejected on their first letter, before a page of
		 * strings is touched for a full comparison. */
		if (n[0] != 'b' && n[0] != 't' && n[0] != 'f')
			continue;
		if (kind == BTF_KIND_FUNC) {
			if (v[0] < 0 && !strcmp(n, "bpf_iter_task_file")) {
				v[0] = id;
				found++;
			}
			continue;
		}
		static const struct { const char *s, *m; int i; } want[] = {
			{ "bpf_iter_meta", "seq", 1 }, { "task_struct", "tgid", 2 }, { "file", "f_op", 3 },
			{ "file", "private_data", 4 }, { "bpf_prog", "aux", 5 }, { "bpf_prog_aux", "id", 6 },
			{ "bpf_map", "id", 7 },
		};
		for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
			if (v[want[w].i] >= 0 || strcmp(n, want[w].s))
				continue;
			int64_t o = member_off(t, strs, slen, want[w].m);
			/* meta->seq sits in an anonymous union (__bpf_md_ptr) at the start. */
			if (o < 0 && want[w].i == 1 && BTF_INFO_VLEN(t->info) &&
			    !((const struct btf_member *)(t + 1))->name_off && !((const struct btf_member *)(t + 1))->offset)
				o = 0;
			if (o >= 0 && o < 32768) {
				v[want[w].i] = o;
				found++;
			}
		}
	}
	if (found == NFACTS) {
		uint32_t *out = (uint32_t *)f;
		for (size_t i = 0; i < NFACTS; i++)
			out[i] = (uint32_t)v[i];
		r = 0;
	}
out:
	if (mapped)
		munmap(mem, size);
	else
		free(mem);
	return r;
}

/* The facts are fixed for a boot, and finding them touches ~2 MB of BTF, which on
 * shadow-paged VMs costs more than the rest of a `prog show`: they are kept in
 * /run/bpfkit (a tmpfs emptied at boot; BPFKIT_CACHE_DIR elsewhere) under the
 * boot's id. A cache that cannot be read or written is no error. */
static int boot_id(char *id, size_t len)
{
	if (bk_kern_read_small("/proc/sys/kernel/random/boot_id", id, len) < 8)
		return -1;
	id[strcspn(id, "\n")] = 0;
	return 0;
}

static int facts_load(struct iter_facts *f)
{
	const char *dir = getenv("BPFKIT_CACHE_DIR");
	if (!dir || !*dir)
		dir = "/run/bpfkit";
	char path[4096], boot[64], line[512];
	snprintf(path, sizeof(path), "%s/btf-iter-facts", dir);
	int have_boot = !boot_id(boot, sizeof(boot));
	if (have_boot && bk_kern_read_small(path, line, sizeof(line)) > 0) {
		char b[64];
		uint32_t *o = (uint32_t *)f;
		if (sscanf(line, "bpfkit-iter-1 %63s %u %u %u %u %u %u %u %u", b, &o[0], &o[1], &o[2], &o[3],
			   &o[4], &o[5], &o[6], &o[7]) == 1 + (int)NFACTS && !strcmp(b, boot))
			return 0;
	}
	int r = facts_from_btf(f);
	if (r || !have_boot)
		return r;
	const uint32_t *o = (const uint32_t *)f;
	int n = snprintf(line, sizeof(line), "bpfkit-iter-1 %s %u %u %u %u %u %u %u %u\n", boot, o[0], o[1], o[2],
			 o[3], o[4], o[5], o[6], o[7]);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return 0;
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return 0;
	int good = write(fd, line, (size_t)n) == n;
	close(fd);
	if (!good || rename(tmp, path))
		unlink(tmp);
	return 0;
}

struct gen { struct bpf_insn v[64]; int n; };

static int gen(struct gen *g, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (g->n < 64)
		g->v[g->n] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
	return g->n++;
}

static void land(struct gen *g, int at)
{
	if (at < 64)
		g->v[at].off = (int16_t)(g->n - at - 1);
}

/* For every file of every process: {u32 tgid, u32 fd, u64 f_op, u32 id, u32 0}.
 * The id is read as if the file were a program's (map's): it means something only
 * where f_op is bpf_prog_fops (bpf_map_fops), which the caller tells by the f_op of
 * a file it holds itself. */
static int gen_prog(struct gen *g, const struct iter_facts *f, int maps)
{
	enum { E = -32 };
	gen(g, BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
	gen(g, BPF_LDX | BPF_MEM | BPF_DW, 7, 6, 8, 0);            /* ctx->task */
	int j1 = gen(g, BPF_JMP | BPF_JEQ | BPF_K, 7, 0, 0, 0);
	gen(g, BPF_LDX | BPF_MEM | BPF_DW, 8, 6, 24, 0);           /* ctx->file */
	int j2 = gen(g, BPF_JMP | BPF_JEQ | BPF_K, 8, 0, 0, 0);
	gen(g, BPF_LDX | BPF_MEM | BPF_W, 1, 7, (int16_t)f->tgid, 0);
	gen(g, BPF_STX | BPF_MEM | BPF_W, 10, 1, E, 0);
	gen(g, BPF_LDX | BPF_MEM | BPF_W, 1, 6, 16, 0);            /* ctx->fd */
	gen(g, BPF_STX | BPF_MEM | BPF_W, 10, 1, E + 4, 0);
	/* f_op through bpf_probe_read_kernel: a direct load of a pointer member makes
	 * the verifier search the whole vmlinux BTF for "file__safe_trusted" types,
	 * about a tenth of the load's time. */
	gen(g, BPF_ST | BPF_MEM | BPF_DW, 10, 0, E + 8, 0);
	gen(g, BPF_ALU64 | BPF_MOV | BPF_X, 1, 10, 0, 0);
	gen(g, BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, E + 8);
	gen(g, BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 8);
	gen(g, BPF_ALU64 | BPF_MOV | BPF_X, 3, 8, 0, 0);
	gen(g, BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, (int32_t)f->f_op);
	gen(g, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel);
	gen(g, BPF_ST | BPF_MEM | BPF_DW, 10, 0, E + 16, 0);
	gen(g, BPF_LDX | BPF_MEM | BPF_DW, 3, 8, (int16_t)f->pdata, 0);
	int j3 = gen(g, BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 0, 0);
	int j4 = -1, j5 = -1;
	if (!maps) {
		/* prog->aux into the slot, then aux->id over it */
		gen(g, BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, (int32_t)f->aux);
		gen(g, BPF_ALU64 | BPF_MOV | BPF_X, 1, 10, 0, 0);
		gen(g, BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, E + 24);
		gen(g, BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 8);
		gen(g, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel);
		j4 = gen(g, BPF_JMP | BPF_JNE | BPF_K, 0, 0, 0, 0);
		gen(g, BPF_LDX | BPF_MEM | BPF_DW, 3, 10, E + 24, 0);
		j5 = gen(g, BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 0, 0);
		gen(g, BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, (int32_t)f->aux_id);
	} else {
		gen(g, BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, (int32_t)f->map_id);
	}
	gen(g, BPF_ALU64 | BPF_MOV | BPF_X, 1, 10, 0, 0);
	gen(g, BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, E + 16);
	gen(g, BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 4);
	gen(g, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel);
	land(g, j3);
	if (j4 >= 0) {
		land(g, j4);
		land(g, j5);
	}
	gen(g, BPF_LDX | BPF_MEM | BPF_DW, 1, 6, 0, 0);            /* ctx->meta */
	gen(g, BPF_LDX | BPF_MEM | BPF_DW, 1, 1, (int16_t)f->seq, 0);
	gen(g, BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
	gen(g, BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, E);
	gen(g, BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 24);
	gen(g, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_seq_write);
	land(g, j1);
	land(g, j2);
	gen(g, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	gen(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return g->n <= 64 ? 0 : -E2BIG;
}

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

struct iter_rec { uint32_t tgid, fd; uint64_t f_op; uint32_t id, pad; };

/* Raw bpf() calls: libbpf's bpf_prog_load first loads probe programs of its own
 * (memlock accounting), which would double the cost. */
static int refs_from_iter(struct bk_kern_refs *r, int maps)
{
	struct iter_facts f;
	if (facts_load(&f))
		return -1;
	struct gen g = { .n = 0 };
	if (gen_prog(&g, &f, maps))
		return -1;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_TRACING;
	a.expected_attach_type = BPF_TRACE_ITER;
	a.attach_btf_id = f.func_id;
	a.insns = (uint64_t)(uintptr_t)g.v;
	a.insn_cnt = (uint32_t)g.n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	memcpy(a.prog_name, "bk_pids", 8);
	int prog = (int)sys_bpf(BPF_PROG_LOAD, &a);
	if (prog < 0)
		return -1;
	/* A file of the kind we look for, held by us, gives that kind's f_op. */
	int mine = prog;
	if (maps) {
		memset(&a, 0, sizeof(a));
		a.map_type = BPF_MAP_TYPE_ARRAY;
		a.key_size = 4;
		a.value_size = 4;
		a.max_entries = 1;
		mine = (int)sys_bpf(BPF_MAP_CREATE, &a);
	}
	int link = -1, it = -1, ret = -1;
	uint8_t *buf = NULL;
	if (mine < 0)
		goto out;
	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (uint32_t)prog;
	a.link_create.attach_type = BPF_TRACE_ITER;
	link = (int)sys_bpf(BPF_LINK_CREATE, &a);
	if (link < 0)
		goto out;
	memset(&a, 0, sizeof(a));
	a.iter_create.link_fd = (uint32_t)link;
	it = (int)sys_bpf(BPF_ITER_CREATE, &a);
	if (it < 0)
		goto out;
	size_t len = 0, cap = 1 << 16;
	buf = malloc(cap);
	for (ssize_t n = 1; buf && n > 0;) {
		if (cap - len < 4096) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb)
				goto out;
			buf = nb;
			cap *= 2;
		}
		n = read(it, buf + len, cap - len);
		if (n < 0)
			goto out;
		len += (size_t)n;
	}
	if (!buf)
		goto out;
	uint32_t self = (uint32_t)getpid();
	const struct iter_rec *e = (const struct iter_rec *)buf;
	size_t ne = len / sizeof(*e);
	uint64_t fops = 0;
	for (size_t i = 0; i < ne; i++)
		if (e[i].tgid == self && e[i].fd == (uint32_t)mine)
			fops = e[i].f_op;
	if (!fops)
		goto out;   /* our own file not seen: the listing cannot be trusted */
	ret = 0;
	for (size_t i = 0; i < ne; i++) {
		if (e[i].tgid == self || e[i].f_op != fops || !e[i].id || seen(r, e[i].id, (int)e[i].tgid))
			continue;
		char comm[16] = "";
		for (size_t k = 0; k < r->n && !comm[0]; k++)
			if (r->v[k].pid == (int)e[i].tgid)
				memcpy(comm, r->v[k].comm, sizeof(comm));
		if (!comm[0])
			comm_of((int)e[i].tgid, comm, sizeof(comm));
		if (push(r, e[i].id, (int)e[i].tgid, comm))
			break;
	}
out:
	free(buf);
	if (it >= 0)
		close(it);
	if (link >= 0)
		close(link);
	if (mine >= 0 && mine != prog)
		close(mine);
	close(prog);
	return ret;
}

void bk_kern_refs_free(struct bk_kern_refs *r);

struct bk_kern_refs *bk_kern_refs_load_how(int maps, int how)
{
	struct bk_kern_refs *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	if (how != BK_REFS_PROC && !refs_from_iter(r, maps))
		return r;
	r->n = 0;
	if (how == BK_REFS_ITER) {
		bk_kern_refs_free(r);
		return NULL;
	}
	return refs_from_proc(r, maps);
}

struct bk_kern_refs *bk_kern_refs_load(int maps)
{
	return bk_kern_refs_load_how(maps, BK_REFS_AUTO);
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

size_t bk_kern_refs_count(const struct bk_kern_refs *r)
{
	return r ? r->n : 0;
}

int bk_kern_refs_has(const struct bk_kern_refs *r, uint32_t id, int pid)
{
	return r && seen(r, id, pid);
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
