/* Loading a linked object into a VM: maps first (global data initialised, .rodata
 * frozen), then every program, then the static slots of prog arrays and map-in-map, in
 * the order libbpf's bpf_object__load does them. */
#include "loader_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void bk_loaded_free(struct bk_loaded *lo)
{
	if (!lo)
		return;
	bk_linked_free(lo->linked);
	free(lo->maps);
	free(lo->progs);
	free(lo);
}

static int create_maps(struct bk_vm *vm, struct bk_loaded *lo, const char *oname,
		       struct bk_err *err)
{
	struct bk_linked *l = lo->linked;
	struct bk_maps *set = bk_vm_maps(vm);
	for (size_t i = 0; i < l->nmaps; i++) {
		struct bk_link_map *m = &l->maps[i];
		struct bk_map_def def = m->def;
		struct bk_err merr = { 0 };
		def.inner = m->has_inner ? &m->inner_def : NULL;
		int r = bk_map_create(set, &def, &lo->maps[i], &merr);
		if (r < 0)
			return bk_err_set(err, r, "%s: map '%s': %s", oname, m->full_name, merr.msg);
		if (m->init && m->init_size) {
			uint32_t zero = 0;
			r = bk_map_sys_update(lo->maps[i], &zero, m->init, BK_ANY, &merr);
			if (r < 0)
				return bk_err_set(err, r, "%s: map '%s': initial value: %s", oname,
						  m->full_name, merr.msg);
		}
		/* libbpf freezes .rodata once written, so only programs read it. */
		if (m->kind == BK_LMAP_RODATA && (r = bk_map_freeze(lo->maps[i], &merr)) < 0)
			return bk_err_set(err, r, "%s: map '%s': freeze: %s", oname, m->full_name, merr.msg);
	}
	return 0;
}

static int fill_slots(struct bk_loaded *lo, const char *oname, struct bk_err *err)
{
	struct bk_linked *l = lo->linked;
	for (size_t i = 0; i < l->nmaps; i++) {
		struct bk_link_map *m = &l->maps[i];
		for (size_t s = 0; s < m->nslots; s++) {
			struct bk_link_slot *sl = &m->slots[s];
			uint32_t val;
			struct bk_err merr = { 0 };
			if (sl->is_prog) {
				if (!lo->progs[sl->target])
					continue; /* not loaded: the slot stays empty */
				val = bk_prog_id(lo->progs[sl->target]);
			} else {
				val = bk_map_id(lo->maps[sl->target]);
			}
			int r = bk_map_sys_update(lo->maps[i], &sl->index, &val, BK_ANY, &merr);
			if (r < 0)
				return bk_err_set(err, r, "%s: map '%s': slot %u: %s", oname, m->full_name,
						  sl->index, merr.msg);
		}
	}
	return 0;
}

int bk_load_object(struct bk_vm *vm, const struct bk_object *obj,
		   const struct bk_load_opts *opts, struct bk_loaded **out, struct bk_err *err)
{
	struct bk_loaded *lo = calloc(1, sizeof(*lo));
	const char *oname = obj->name ? obj->name : "object";
	const char *want = BK_OPTS_GET(opts, prog, NULL);
	int r;
	*out = NULL;
	if (!lo)
		return bk_err_set(err, -ENOMEM, "out of memory");
	if ((r = bk_link_object(obj, opts, &lo->linked, err)) < 0)
		goto fail;
	struct bk_linked *l = lo->linked;
	lo->maps = calloc(l->nmaps + 1, sizeof(*lo->maps));
	lo->progs = calloc(l->nprogs + 1, sizeof(*lo->progs));
	if (!lo->maps || !lo->progs) {
		r = bk_err_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	if ((r = create_maps(vm, lo, oname, err)) < 0)
		goto fail;
	int wanted_idx = want ? bk_linked_find_prog(l, want) : -1;
	for (size_t i = 0; i < l->nprogs; i++) {
		struct bk_link_prog *p = &l->progs[i];
		bool must = !want || (int)i == wanted_idx;
		struct bk_err perr = { 0 };
		if (!p->type) {
			if (must && (!want || l->nprogs == 1 || (int)i == wanted_idx)) {
				r = bk_err_set(err, -EOPNOTSUPP, "%s: program '%s': section '%s' is not a "
					       "program type the runtime supports (use --type)", oname,
					       p->name, p->sec_name);
				goto fail;
			}
			continue;
		}
		struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .type = p->type->type,
						      .cpu = BK_OPTS_GET(opts, cpu, 0), .name = p->name,
						      .maps = lo->maps, .nmaps = l->nmaps,
						      .license = l->license);
		r = bk_vm_load(vm, p->insns, p->n, &po, &lo->progs[i], &perr);
		if (r < 0) {
			lo->progs[i] = NULL;
			if (must) {
				bk_err_set(err, r, "%s: program '%s': %s", oname, p->name, perr.msg);
				goto fail;
			}
			r = 0;
		}
	}
	if ((r = fill_slots(lo, oname, err)) < 0)
		goto fail;
	*out = lo;
	return 0;
fail:
	/* Programs and maps already created stay in the VM (it owns them); free ours. */
	if (lo->progs && lo->linked)
		for (size_t i = 0; i < lo->linked->nprogs; i++)
			if (lo->progs[i])
				bk_prog_free(lo->progs[i]);
	bk_loaded_free(lo);
	return r;
}

int bk_load_raw(struct bk_vm *vm, const void *data, size_t len, const struct bk_load_opts *opts,
		struct bk_loaded **out, struct bk_err *err)
{
	struct bk_loaded *lo = calloc(1, sizeof(*lo));
	*out = NULL;
	if (!lo)
		return bk_err_set(err, -ENOMEM, "out of memory");
	lo->linked = calloc(1, sizeof(*lo->linked));
	lo->progs = calloc(1, sizeof(*lo->progs));
	if (!lo->linked || !lo->progs) {
		bk_loaded_free(lo);
		return bk_err_set(err, -ENOMEM, "out of memory");
	}
	if (len == 0 || len % 8) {
		bk_loaded_free(lo);
		return bk_err_set(err, -EINVAL, "raw bytecode: %zu bytes is not a whole number of instructions", len);
	}
	struct bk_link_prog *p = calloc(1, sizeof(*p));
	lo->linked->progs = p;
	if (!p || !(p->insns = malloc(len)) || !(p->name = strdup("prog")) ||
	    !(p->sec_name = strdup(""))) {
		lo->linked->nprogs = p ? 1 : 0;
		bk_loaded_free(lo);
		return bk_err_set(err, -ENOMEM, "out of memory");
	}
	lo->linked->nprogs = 1;
	memcpy(p->insns, data, len);
	p->n = p->main_n = len / 8;
	const struct bk_progtype *pt = BK_OPTS_GET(opts, type, NULL);
	p->type = pt ? pt : bk_progtype_get(BK_PROG_RAW);
	struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .type = p->type ? p->type->type : BK_PROG_RAW,
					      .cpu = BK_OPTS_GET(opts, cpu, 0), .name = "prog");
	int r = bk_vm_load(vm, p->insns, p->n, &po, &lo->progs[0], err);
	if (r < 0) {
		bk_loaded_free(lo);
		return r;
	}
	*out = lo;
	return 0;
}

struct bk_prog *bk_loaded_prog(const struct bk_loaded *lo, const char *name, struct bk_err *err)
{
	const struct bk_linked *l = lo->linked;
	if (!name) {
		for (size_t i = 0; i < l->nprogs; i++)
			if (lo->progs[i])
				return lo->progs[i];
		bk_err_set(err, -ENOENT, "the object has no program the runtime can run");
		return NULL;
	}
	int i = bk_linked_find_prog(l, name);
	if (i < 0 || !lo->progs[i]) {
		bk_err_set(err, -ENOENT, "no program named '%s'", name);
		return NULL;
	}
	return lo->progs[i];
}
