/* Maps: show, dump, lookup, update, delete, getnext, create, freeze. Values are
 * printed as bpftool prints them: hex bytes, plus "formatted" from BTF. */
#define _GNU_SOURCE
#include "kj.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

static int map_info(int fd, struct bpf_map_info *info, struct bk_err *err)
{
	uint32_t len = sizeof(*info);
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		return bk_err_set(err, -errno, "can't get map info: %s", strerror(errno));
	return 0;
}

static int percpu(uint32_t t)
{
	return t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

/* Bytes one lookup returns: per-CPU maps give every possible CPU's copy, each
 * rounded to 8 bytes. */
static size_t value_bytes(const struct bpf_map_info *info, int *ncpu, size_t *step)
{
	*ncpu = 1;
	*step = info->value_size;
	if (!percpu(info->type))
		return info->value_size;
	int n = libbpf_num_possible_cpus();
	*ncpu = n > 0 ? n : 1;
	*step = (info->value_size + 7) & ~7u;
	return *step * (size_t)*ncpu;
}

int bk_kern_map_sizes(int fd, uint32_t *key, uint32_t *value, uint32_t *type, struct bk_err *err)
{
	struct bpf_map_info info;
	int r = map_info(fd, &info, err);
	if (r)
		return r;
	int n;
	size_t step;
	if (key) *key = info.key_size;
	if (value) *value = (uint32_t)value_bytes(&info, &n, &step);
	if (type) *type = info.type;
	return 0;
}

/* ---- show --------------------------------------------------------------------- */
static void show_one(int fd, const struct bpf_map_info *info, const struct bk_kern_fmt *fmt,
		     struct bk_kern_pins *pins, const struct bk_kern_refs *refs, struct bk_kj *j, struct bk_buf *out)
{
	const char *tn = bk_kern_map_type_name(info->type);
	uint64_t memlock = 0, frozen = 0, owner_type = 0, owner_jited = 0;
	int have_memlock = !bk_kern_fdinfo(fd, "memlock", &memlock);
	bk_kern_fdinfo(fd, "frozen", &frozen);
	int owner = info->type == BPF_MAP_TYPE_PROG_ARRAY &&
		    !bk_kern_fdinfo(fd, "owner_prog_type", &owner_type);
	if (owner)
		bk_kern_fdinfo(fd, "owner_jited", &owner_jited);
	if (j) {
		bk_kj_obj(j);
		bk_kj_key(j, "id"); bk_kj_u64(j, info->id);
		bk_kj_key(j, "type");
		if (tn) bk_kj_str(j, tn); else bk_kj_u64(j, info->type);
		if (info->name[0]) { bk_kj_key(j, "name"); bk_kj_str(j, info->name); }
		bk_kj_key(j, "flags"); bk_kj_u64(j, info->map_flags);
		bk_kj_key(j, "bytes_key"); bk_kj_u64(j, info->key_size);
		bk_kj_key(j, "bytes_value"); bk_kj_u64(j, info->value_size);
		bk_kj_key(j, "max_entries"); bk_kj_u64(j, info->max_entries);
		if (have_memlock) { bk_kj_key(j, "bytes_memlock"); bk_kj_u64(j, memlock); }
		if (owner) {
			const char *on = bk_kern_prog_type_name((uint32_t)owner_type);
			bk_kj_key(j, "owner_prog_type");
			if (on) bk_kj_str(j, on); else bk_kj_u64(j, owner_type);
			bk_kj_key(j, "owner_jited"); bk_kj_bool(j, owner_jited);
		}
		bk_kj_key(j, "frozen"); bk_kj_u64(j, frozen);
		if (info->btf_id) { bk_kj_key(j, "btf_id"); bk_kj_u64(j, info->btf_id); }
		if (fmt && fmt->bpffs)
			bk_kern_pins_emit(pins, info->id, j, NULL);
		bk_kern_refs_emit(refs, info->id, j, NULL);
		bk_kj_end_obj(j);
		return;
	}
	bk_buf_printf(out, "%u: ", info->id);
	if (tn) bk_buf_printf(out, "%s  ", tn); else bk_buf_printf(out, "type %u  ", info->type);
	if (info->name[0]) bk_buf_printf(out, "name %s  ", info->name);
	bk_buf_printf(out, "flags 0x%x\n", info->map_flags);
	bk_buf_printf(out, "\tkey %uB  value %uB  max_entries %u", info->key_size, info->value_size,
		      info->max_entries);
	if (have_memlock)
		bk_buf_printf(out, "  memlock %lluB", (unsigned long long)memlock);
	if (owner) {
		const char *on = bk_kern_prog_type_name((uint32_t)owner_type);
		bk_buf_printf(out, "\n\towner_prog_type %s  owner%s jited", on ? on : "?",
			      owner_jited ? "" : " not");
	}
	bk_buf_printf(out, "\n");
	if (fmt && fmt->bpffs)
		bk_kern_pins_emit(pins, info->id, NULL, out);
	/* bpftool's last line: "btf_id N  frozen" (either may be missing). */
	if (info->btf_id || frozen) {
		bk_buf_printf(out, "\t");
		if (info->btf_id)
			bk_buf_printf(out, "btf_id %u", info->btf_id);
		if (frozen)
			bk_buf_printf(out, "%sfrozen", info->btf_id ? "  " : "");
		bk_buf_printf(out, "\n");
	}
	bk_kern_refs_emit(refs, info->id, NULL, out);
}

int bk_kern_map_show(int fd, const struct bk_kern_fmt *fmt, struct bk_buf *out, struct bk_err *err)
{
	struct bpf_map_info info;
	int r = map_info(fd, &info, err);
	if (r)
		return r;
	struct bk_kern_pins *pins = fmt && fmt->bpffs ? bk_kern_pins_load(1) : NULL;
	struct bk_kj jw, *j = NULL;
	if (fmt && fmt->json) {
		bk_kj_init(&jw, out, fmt->pretty);
		j = &jw;
	}
	struct bk_kern_refs *refs = bk_kern_refs_load(1);
	show_one(fd, &info, fmt, pins, refs, j, out);
	if (j)
		bk_buf_printf(out, "\n");
	bk_kern_pins_free(pins);
	bk_kern_refs_free(refs);
	return 0;
}

int bk_kern_map_list(const struct bk_kern_fmt *fmt, struct bk_buf *out, struct bk_err *err)
{
	struct bk_kern_pins *pins = fmt && fmt->bpffs ? bk_kern_pins_load(1) : NULL;
	struct bk_kern_refs *refs = bk_kern_refs_load(1);
	struct bk_kj jw, *j = NULL;
	if (fmt && fmt->json) {
		bk_kj_init(&jw, out, fmt->pretty);
		j = &jw;
		bk_kj_arr(j);
	}
	uint32_t id = 0;
	while (!bpf_map_get_next_id(id, &id)) {
		int fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		struct bpf_map_info info;
		if (!map_info(fd, &info, NULL))
			show_one(fd, &info, fmt, pins, refs, j, out);
		close(fd);
	}
	if (j) {
		bk_kj_end_arr(j);
		bk_buf_printf(out, "\n");
	}
	bk_kern_pins_free(pins);
	bk_kern_refs_free(refs);
	return 0;
}

/* ---- BTF-formatted values -------------------------------------------------------- */
static uint64_t read_uint(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	memcpy(&v, p, n > 8 ? 8 : n);   /* little-endian host */
	return v;
}

/* bpftool's rule: an array of char (through const/volatile, not typedefs) prints
 * as a string when a NUL ends printable text within it. */
static int is_str_array(const struct btf *btf, const struct btf_array *arr, const uint8_t *s)
{
	if (!arr->nelems)
		return 0;
	const struct btf_type *e = btf__type_by_id(btf, arr->type);
	while (e && (btf_is_const(e) || btf_is_volatile(e) || btf_is_restrict(e)))
		e = btf__type_by_id(btf, e->type);
	if (!e || !btf_is_int(e) || e->size != 1)
		return 0;
	if (btf_int_encoding(e) != BTF_INT_CHAR && strcmp("char", btf__name_by_offset(btf, e->name_off)))
		return 0;
	for (uint32_t i = 0; i < arr->nelems; i++) {
		if (!s[i])
			return 1;
		if (s[i] <= 0x1f || s[i] >= 0x7f)
			return 0;
	}
	return 0;
}

static void fmt_value(const struct btf *btf, uint32_t id, const uint8_t *p, uint32_t bit_off,
		      uint32_t bits, struct bk_kj *j, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	if (!t || depth > 32) {
		bk_kj_null(j);
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
		fmt_value(btf, t->type, p, bit_off, bits, j, depth + 1);
		return;
	case BTF_KIND_INT: {
		uint8_t enc = btf_int_encoding(t);
		uint32_t sz = t->size;
		if (bits || btf_int_offset(t)) {
			uint32_t nb = bits ? bits : btf_int_bits(t);
			uint32_t off = bit_off + btf_int_offset(t);
			uint64_t v = read_uint(p + off / 8, (off % 8 + nb + 7) / 8) >> (off % 8);
			if (nb < 64)
				v &= (1ull << nb) - 1;
			bk_kj_u64(j, v);
			return;
		}
		if (enc & BTF_INT_BOOL) {
			bk_kj_bool(j, p[0] != 0);
			return;
		}
		if (sz > 8) {
			char s[40];
			uint64_t lo = read_uint(p, 8), hi = read_uint(p + 8, 8);
			if (hi)
				snprintf(s, sizeof(s), "0x%llx%016llx", (unsigned long long)hi, (unsigned long long)lo);
			else
				snprintf(s, sizeof(s), "0x%llx", (unsigned long long)lo);
			bk_kj_str(j, s);
			return;
		}
		uint64_t v = read_uint(p, sz);
		if (enc & BTF_INT_SIGNED) {
			int64_t s = sz == 1 ? (int8_t)v : sz == 2 ? (int16_t)v : sz == 4 ? (int32_t)v : (int64_t)v;
			bk_kj_s64(j, s);
		} else {
			bk_kj_u64(j, v);
		}
		return;
	}
	case BTF_KIND_PTR: {
		char s[32];
		snprintf(s, sizeof(s), "0x%llx", (unsigned long long)read_uint(p, 8));
		bk_kj_raw(j, s);
		return;
	}
	case BTF_KIND_ENUM: {
		int64_t v = t->size == 1 ? (int8_t)p[0] : t->size == 2 ? (int16_t)read_uint(p, 2)
			  : t->size == 8 ? (int64_t)read_uint(p, 8) : (int32_t)read_uint(p, 4);
		const struct btf_enum *e = btf_enum(t);
		for (int i = 0; i < btf_vlen(t); i++)
			if (e[i].val == v) {
				bk_kj_str(j, btf__name_by_offset(btf, e[i].name_off));
				return;
			}
		bk_kj_s64(j, v);
		return;
	}
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);
		int64_t esz = btf__resolve_size(btf, a->type);
		if (esz <= 0) {
			bk_kj_null(j);
			return;
		}
		if (is_str_array(btf, a, p)) {
			bk_kj_str(j, (const char *)p);
			return;
		}
		bk_kj_arr(j);
		for (uint32_t i = 0; i < a->nelems; i++)
			fmt_value(btf, a->type, p + (size_t)i * (size_t)esz, 0, 0, j, depth + 1);
		bk_kj_end_arr(j);
		return;
	}
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
		const struct btf_member *m = btf_members(t);
		bk_kj_obj(j);
		for (int i = 0; i < btf_vlen(t); i++) {
			uint32_t off = btf_member_bit_offset(t, (uint32_t)i);
			uint32_t bf = btf_member_bitfield_size(t, (uint32_t)i);
			const char *n = btf__name_by_offset(btf, m[i].name_off);
			bk_kj_key(j, n ? n : "");
			if (bf)
				fmt_value(btf, m[i].type, p, off, bf, j, depth + 1);
			else
				fmt_value(btf, m[i].type, p + off / 8, 0, 0, j, depth + 1);
		}
		bk_kj_end_obj(j);
		return;
	}
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *v = btf_var_secinfos(t);
		bk_kj_obj(j);
		bk_kj_key(j, btf__name_by_offset(btf, t->name_off));
		bk_kj_arr(j);
		for (int i = 0; i < btf_vlen(t); i++) {
			const struct btf_type *var = btf__type_by_id(btf, v[i].type);
			if (!var)
				continue;
			bk_kj_obj(j);
			bk_kj_key(j, btf__name_by_offset(btf, var->name_off));
			fmt_value(btf, var->type, p + v[i].offset, 0, 0, j, depth + 1);
			bk_kj_end_obj(j);
		}
		bk_kj_end_arr(j);
		bk_kj_end_obj(j);
		return;
	}
	case BTF_KIND_VAR:
		fmt_value(btf, t->type, p, 0, 0, j, depth + 1);
		return;
	case BTF_KIND_FLOAT: {
		char s[64];
		if (t->size == 4) { float f; memcpy(&f, p, 4); snprintf(s, sizeof(s), "%g", f); }
		else { double d; memcpy(&d, p, 8); snprintf(s, sizeof(s), "%g", d); }
		bk_kj_raw(j, s);
		return;
	}
	default:
		bk_kj_null(j);
	}
}

struct dumpctx {
	struct bpf_map_info info;
	struct btf *btf;
	int ncpu;
	size_t step, vbytes;
};

static int dump_init(int fd, struct dumpctx *d, struct bk_err *err)
{
	memset(d, 0, sizeof(*d));
	int r = map_info(fd, &d->info, err);
	if (r)
		return r;
	d->vbytes = value_bytes(&d->info, &d->ncpu, &d->step);
	if (d->info.btf_id && d->info.btf_value_type_id) {
		d->btf = btf__load_from_kernel_by_id(d->info.btf_id);
		if (!d->btf)
			d->btf = NULL;
	}
	return 0;
}

static void formatted(const struct dumpctx *d, const uint8_t *key, const uint8_t *val, struct bk_kj *j)
{
	if (d->info.btf_key_type_id) {
		bk_kj_key(j, "key");
		fmt_value(d->btf, d->info.btf_key_type_id, key, 0, 0, j, 0);
	}
	if (d->ncpu > 1 || percpu(d->info.type)) {
		bk_kj_key(j, "values");
		bk_kj_arr(j);
		for (int c = 0; c < d->ncpu; c++) {
			bk_kj_obj(j);
			bk_kj_key(j, "cpu"); bk_kj_u64(j, (uint64_t)c);
			bk_kj_key(j, "value");
			fmt_value(d->btf, d->info.btf_value_type_id, val + (size_t)c * d->step, 0, 0, j, 0);
			bk_kj_end_obj(j);
		}
		bk_kj_end_arr(j);
	} else {
		bk_kj_key(j, "value");
		fmt_value(d->btf, d->info.btf_value_type_id, val, 0, 0, j, 0);
	}
}

static void hexline(struct bk_buf *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		bk_buf_printf(out, "%02x%s", p[i], i + 1 < n ? " " : "");
}

/* One entry, as -j prints it (hex arrays plus "formatted"), or as text. */
static void entry(const struct dumpctx *d, const uint8_t *key, const uint8_t *val, const char *error,
		  struct bk_kj *j, struct bk_kj *tj, struct bk_buf *out)
{
	uint32_t ks = d->info.key_size;
	if (j) {
		bk_kj_obj(j);
		bk_kj_key(j, "key");
		bk_kj_hex_arr(j, key, ks);
		if (error) {
			bk_kj_key(j, "value");
			bk_kj_obj(j);
			bk_kj_key(j, "error");
			bk_kj_str(j, error);
			bk_kj_end_obj(j);
		} else if (percpu(d->info.type)) {
			bk_kj_key(j, "values");
			bk_kj_arr(j);
			for (int c = 0; c < d->ncpu; c++) {
				bk_kj_obj(j);
				bk_kj_key(j, "cpu"); bk_kj_u64(j, (uint64_t)c);
				bk_kj_key(j, "value");
				bk_kj_hex_arr(j, val + (size_t)c * d->step, d->info.value_size);
				bk_kj_end_obj(j);
			}
			bk_kj_end_arr(j);
		} else {
			bk_kj_key(j, "value");
			bk_kj_hex_arr(j, val, d->info.value_size);
		}
		if (d->btf && !error) {
			bk_kj_key(j, "formatted");
			bk_kj_obj(j);
			formatted(d, key, val, j);
			bk_kj_end_obj(j);
		}
		bk_kj_end_obj(j);
		return;
	}
	if (d->btf && error) {
		bk_kj_obj(tj);
		bk_kj_key(tj, "key");
		bk_kj_hex_arr(tj, key, ks);
		bk_kj_key(tj, "value");
		bk_kj_obj(tj);
		bk_kj_key(tj, "error");
		bk_kj_str(tj, error);
		bk_kj_end_obj(tj);
		bk_kj_end_obj(tj);
		return;
	}
	if (d->btf && !error) {
		bk_kj_obj(tj);
		formatted(d, key, val, tj);
		bk_kj_end_obj(tj);
		return;
	}
	/* bpftool breaks long entries over lines. */
	int brk = ks + d->info.value_size > 24;
	bk_buf_printf(out, "key:%s", brk ? "\n" : " ");
	hexline(out, key, ks);
	if (error) {
		bk_buf_printf(out, "%svalue: %s\n", brk ? "\n" : "  ",
			      !strcmp(error, strerror(ENOENT)) ? "<no entry>" : error);
		return;
	}
	if (percpu(d->info.type)) {
		bk_buf_printf(out, "\n");
		for (int c = 0; c < d->ncpu; c++) {
			bk_buf_printf(out, "value (CPU %02d):%s", c, brk ? "\n" : " ");
			hexline(out, val + (size_t)c * d->step, d->info.value_size);
			bk_buf_printf(out, "\n");
		}
		return;
	}
	bk_buf_printf(out, "%svalue:%s", brk ? "\n" : "  ", brk ? "\n" : " ");
	hexline(out, val, d->info.value_size);
	bk_buf_printf(out, "\n");
}

int bk_kern_map_dump(int fd, const struct bk_kern_fmt *fmt, struct bk_buf *out, struct bk_err *err)
{
	struct dumpctx d;
	int r = dump_init(fd, &d, err);
	if (r)
		return r;
	uint32_t ks = d.info.key_size;
	uint8_t *key = calloc(1, ks ? ks : 1), *next = calloc(1, ks ? ks : 1);
	uint8_t *val = calloc(1, d.vbytes ? d.vbytes : 1);
	if (!key || !next || !val) {
		free(key); free(next); free(val); btf__free(d.btf);
		return bk_err_set(err, -ENOMEM, "out of memory");
	}
	struct bk_kj jw, tjw, *j = NULL;
	int json = fmt && fmt->json;
	if (json) {
		bk_kj_init(&jw, out, fmt->pretty);
		j = &jw;
		bk_kj_arr(j);
	} else if (d.btf) {
		bk_kj_init(&tjw, out, 1);
		bk_kj_arr(&tjw);
	}
	unsigned n = 0;
	if (!ks) {
		/* queue/stack/ringbuf: no keys to walk */
		if (d.info.type == BPF_MAP_TYPE_QUEUE || d.info.type == BPF_MAP_TYPE_STACK)
			r = 0;
	} else {
		void *prev = NULL;
		while (!bpf_map_get_next_key(fd, prev, next)) {
			memcpy(key, next, ks);
			prev = key;
			/* Empty slots of array-like maps (devmap, cpumap) answer ENOENT:
			 * bpftool shows them with the error and does not count them. */
			if (bpf_map_lookup_elem(fd, key, val)) {
				/* ...except maps of maps and of programs, which bpftool skips. */
				if (d.info.type == BPF_MAP_TYPE_PROG_ARRAY ||
				    d.info.type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
				    d.info.type == BPF_MAP_TYPE_HASH_OF_MAPS)
					continue;
				entry(&d, key, val, strerror(errno), j, &tjw, out);
				continue;
			}
			entry(&d, key, val, NULL, j, &tjw, out);
			n++;
		}
	}
	if (json) {
		bk_kj_end_arr(j);
		bk_buf_printf(out, "\n");
	} else if (d.btf) {
		bk_kj_end_arr(&tjw);
		bk_buf_printf(out, "\n");
	} else {
		bk_buf_printf(out, "Found %u element%s\n", n, n == 1 ? "" : "s");
	}
	free(key); free(next); free(val); btf__free(d.btf);
	return 0;
}

static int check_key(const struct dumpctx *d, size_t klen, struct bk_err *err)
{
	if (klen != d->info.key_size)
		return bk_err_set(err, -EINVAL, "key is %zu bytes, the map's keys are %u", klen, d->info.key_size);
	return 0;
}

int bk_kern_map_lookup(int fd, const void *key, size_t klen, const struct bk_kern_fmt *fmt,
		       struct bk_buf *out, struct bk_err *err)
{
	struct dumpctx d;
	int r = dump_init(fd, &d, err);
	if (r)
		return r;
	if ((r = check_key(&d, klen, err))) {
		btf__free(d.btf);
		return r;
	}
	uint8_t *val = calloc(1, d.vbytes ? d.vbytes : 1);
	if (!val) {
		btf__free(d.btf);
		return bk_err_set(err, -ENOMEM, "out of memory");
	}
	if (bpf_map_lookup_elem(fd, key, val)) {
		int e = errno;
		free(val);
		btf__free(d.btf);
		if (e == ENOENT)
			return bk_err_set(err, -ENOENT, "key not found");
		return bk_err_set(err, -e, "lookup failed: %s", strerror(e));
	}
	struct bk_kj jw, tjw;
	if (fmt && fmt->json)
		bk_kj_init(&jw, out, fmt->pretty);
	else
		bk_kj_init(&tjw, out, 1);
	entry(&d, key, val, NULL, fmt && fmt->json ? &jw : NULL, &tjw, out);
	if ((fmt && fmt->json) || d.btf)
		bk_buf_printf(out, "\n");
	free(val);
	btf__free(d.btf);
	return 0;
}

int bk_kern_map_getnext(int fd, const void *key, size_t klen, const struct bk_kern_fmt *fmt,
			struct bk_buf *out, struct bk_err *err)
{
	struct dumpctx d;
	int r = dump_init(fd, &d, err);
	if (r)
		return r;
	btf__free(d.btf);
	if (key && (r = check_key(&d, klen, err)))
		return r;
	uint8_t *next = calloc(1, d.info.key_size ? d.info.key_size : 1);
	if (!next)
		return bk_err_set(err, -ENOMEM, "out of memory");
	if (bpf_map_get_next_key(fd, key, next)) {
		int e = errno;
		free(next);
		return bk_err_set(err, -e, "can't get next key: %s", strerror(e));
	}
	if (fmt && fmt->json) {
		struct bk_kj j;
		bk_kj_init(&j, out, fmt->pretty);
		bk_kj_obj(&j);
		bk_kj_key(&j, "key");
		if (key) bk_kj_hex_arr(&j, key, klen); else bk_kj_null(&j);
		bk_kj_key(&j, "next_key");
		bk_kj_hex_arr(&j, next, d.info.key_size);
		bk_kj_end_obj(&j);
		bk_buf_printf(out, "\n");
	} else {
		bk_buf_printf(out, "key:\n");
		if (key) hexline(out, key, klen); else bk_buf_printf(out, "None");
		bk_buf_printf(out, "\nnext key:\n");
		hexline(out, next, d.info.key_size);
		bk_buf_printf(out, "\n");
	}
	free(next);
	return 0;
}

int bk_kern_map_update(int fd, const void *key, size_t klen, const void *val, size_t vlen,
		       uint64_t flags, struct bk_err *err)
{
	uint32_t ks, vs, t;
	int r = bk_kern_map_sizes(fd, &ks, &vs, &t, err);
	if (r)
		return r;
	if (klen != ks)
		return bk_err_set(err, -EINVAL, "key is %zu bytes, the map's keys are %u", klen, ks);
	if (vlen != vs)
		return bk_err_set(err, -EINVAL, "value is %zu bytes, the map's values are %u", vlen, vs);
	if (bpf_map_update_elem(fd, klen ? key : NULL, val, flags))
		return bk_err_set(err, -errno, "update failed: %s", strerror(errno));
	return 0;
}

int bk_kern_map_delete(int fd, const void *key, size_t klen, struct bk_err *err)
{
	uint32_t ks;
	int r = bk_kern_map_sizes(fd, &ks, NULL, NULL, err);
	if (r)
		return r;
	if (klen != ks)
		return bk_err_set(err, -EINVAL, "key is %zu bytes, the map's keys are %u", klen, ks);
	if (bpf_map_delete_elem(fd, key))
		return bk_err_set(err, -errno, "delete failed: %s", errno == ENOENT ? "key not found" : strerror(errno));
	return 0;
}

int bk_kern_map_freeze(int fd, struct bk_err *err)
{
	if (bpf_map_freeze(fd))
		return bk_err_set(err, -errno, "can't freeze: %s", strerror(errno));
	return 0;
}

int bk_kern_map_create(const char *path, const struct bk_kern_map_create_opts *opts, struct bk_err *err)
{
	const char *type = BK_OPTS_GET(opts, type, NULL);
	if (!type)
		return bk_err_set(err, -EINVAL, "no map type given");
	int t = -1;
	for (int i = 1; i < 64; i++) {
		const char *n = bk_kern_map_type_name((uint32_t)i);
		if (n && !strcmp(n, type))
			t = i;
	}
	if (t < 0)
		return bk_err_set(err, -EINVAL, "unknown map type '%s'", type);
	int on = bk_kern_on_bpffs(path);
	if (on <= 0)
		return bk_err_set(err, on ? on : -EINVAL, "%s: not on a bpf filesystem (mount -t bpf)", path);
	if (access(path, F_OK) == 0)
		return bk_err_set(err, -EEXIST, "%s: already exists", path);
	int inner = BK_OPTS_GET(opts, inner_fd, -1);
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BK_OPTS_GET(opts, flags, 0),
		    .inner_map_fd = inner >= 0 ? (uint32_t)inner : 0);
	int fd = bpf_map_create((enum bpf_map_type)t, BK_OPTS_GET(opts, name, NULL),
				BK_OPTS_GET(opts, key, 0), BK_OPTS_GET(opts, value, 0),
				BK_OPTS_GET(opts, entries, 0), &o);
	if (fd < 0)
		return bk_err_set(err, -errno, "%s map '%s' (key %u, value %u, entries %u): the kernel refuses: %s", type,
				  BK_OPTS_GET(opts, name, NULL) ? BK_OPTS_GET(opts, name, NULL) : "", BK_OPTS_GET(opts, key, 0),
				  BK_OPTS_GET(opts, value, 0), BK_OPTS_GET(opts, entries, 0), strerror(errno));
	int r = bk_kern_pin(fd, path, err);
	close(fd);
	return r;
}
