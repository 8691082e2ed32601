/* The verifier's proof for a loaded program: which loads and stores it proved in bounds,
 * so the runtime (the JIT, the interpreter's pre-decoder) can leave their checks out.
 *
 * The program is handed to the offline verifier as the kernel would see it: its type,
 * its maps (with their key and value sizes), cpu v4. Anything the verifier's model does
 * not cover makes us keep every check instead of guessing: raw programs (no kernel type),
 * helpers that are not the built-in implementation of the kernel helper with that id
 * (a replacement could hand out memory the verifier does not know about), and stores
 * into maps the program may only read (the verifier knows no read-only maps). */
#include "vm_internal.h"

#include "bpfkit/verifier.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct pmaps {
	struct bk_vmap *v;
	const struct bk_map **m;     /* NULL for an inner map template */
	size_t n, cap;
	bool rdonly, wronly;
};

static int pmap_add(struct pmaps *pm, const struct bk_map *m, const struct bk_map_def *def)
{
	for (size_t i = 0; i < pm->n; i++)
		if (m && pm->m[i] == m)
			return (int)i;
	if (pm->n == pm->cap) {
		size_t nc = pm->cap ? pm->cap * 2 : 8;
		struct bk_vmap *nv = realloc(pm->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		pm->v = nv;
		const struct bk_map **nm = realloc(pm->m, nc * sizeof(*nm));
		if (!nm)
			return -ENOMEM;
		pm->m = nm;
		pm->cap = nc;
	}
	size_t i = pm->n++;
	pm->m[i] = m;
	pm->v[i] = (struct bk_vmap){ def->type, def->key_size, def->value_size, def->max_entries, -1, NULL };
	if (def->map_flags & BK_F_RDONLY_PROG)
		pm->rdonly = true;
	if (def->map_flags & BK_F_WRONLY_PROG)
		pm->wronly = true;
	if (def->inner) {
		int k = pmap_add(pm, NULL, def->inner);
		if (k < 0)
			return k;
		pm->v[i].inner = k;
	}
	return (int)i;
}

static struct bk_map *value_map(const struct bk_prog *prog, const struct bk_insn *in)
{
	if (in->src == BK_PSEUDO_MAP_VALUE)
		return bk_maps_by_id(prog->vm->maps, (uint32_t)in->imm);
	if (in->imm >= 0 && (size_t)in->imm < prog->nmaps)
		return prog->maps[in->imm];
	return NULL;
}

/* A bound on the instructions one run executes. The verifier walks every path and
 * prunes a state only against one whose exploration has finished (never against a state
 * still on the current path), except at may_goto and callback sites: so the explored
 * steps form an acyclic graph and a run's instructions map to distinct explored steps,
 * each counted in `processed`. Every subprogram is verified inline (no global functions
 * here), so calls are in the count too. What runs outside the exploration has no bound:
 * may_goto and callback loops (bpf_loop, for_each_map_elem: a BPF_PSEUDO_FUNC value),
 * callx, and the programs a tail call enters. */
static uint64_t run_bound(const struct bk_prog *prog, uint32_t processed)
{
	for (size_t i = 0; i < prog->n; i++) {
		const struct bk_dinsn *d = &prog->code[i];
		if (d->op == BK_OP_MAY_GOTO || d->op == BK_OP_CALLX)
			return 0;
		if (d->op == BK_OP_LDDW && prog->insns[i].src == BK_PSEUDO_FUNC)
			return 0;
		if (d->op == BK_XOP_CALL_HELPER &&
		    ((const struct bk_helper *)(uintptr_t)d->imm)->id == 12)
			return 0;   /* bpf_tail_call */
	}
	return processed;
}

int bk_prog_prove(struct bk_prog *prog, struct bk_err *err)
{
	bk_prog_unprove(prog);
	if (prog->pt->type == BK_PROG_RAW)
		return bk_err_set(err, -EOPNOTSUPP, "raw programs have no kernel program type to verify against");
	size_t n = prog->n;
	struct bk_insn *ins = malloc(n * sizeof(*ins));
	struct pmaps pm = { 0 };
	struct bk_verify_result res = { 0 };
	int ret = 0;
	if (!ins) {
		ret = bk_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	memcpy(ins, prog->insns, n * sizeof(*ins));
	for (size_t i = 0; i < n; i++) {
		const struct bk_dinsn *d = &prog->code[i];
		struct bk_insn *in = &ins[i];
		if (d->op == BK_XOP_CALL_HELPER) {
			const struct bk_helper *h = (const struct bk_helper *)(uintptr_t)d->imm;
			if (!h->kernel_proto) {
				ret = bk_err_set(err, -EOPNOTSUPP, "insn %zu: helper %s is not the built-in one",
						 i, h->name);
				goto out;
			}
			continue;
		}
		if (d->op != BK_OP_LDDW || i + 1 >= n)
			continue;
		const struct bk_map *m = NULL;
		if (in->src == BK_PSEUDO_MAP_FD || in->src == BK_PSEUDO_MAP_IDX)
			m = (const struct bk_map *)(uintptr_t)d->imm;
		else if (in->src == BK_PSEUDO_MAP_VALUE || in->src == BK_PSEUDO_MAP_IDX_VALUE)
			m = value_map(prog, in);
		if (m) {
			int k = pmap_add(&pm, m, bk_map_def(m));
			if (k < 0) {
				ret = bk_err_set(err, k, "out of memory");
				goto out;
			}
			in->src = (in->src == BK_PSEUDO_MAP_FD || in->src == BK_PSEUDO_MAP_IDX) ?
				  BK_PSEUDO_MAP_FD : BK_PSEUDO_MAP_VALUE;
			in->imm = k;
		}
		i++;
	}
	struct bk_verify_opts vo = BK_OPTS_INIT(bk_verify_opts, .prog_type = (int)prog->pt->type,
						.maps = pm.v, .nmaps = pm.n, .btf_func_info = true,
						.no_advice = true);
	ret = bk_verify(ins, n, &vo, NULL, &res, err);
	if (ret < 0)
		goto out;
	if (!res.insn_flags) {
		ret = bk_err_set(err, -EOPNOTSUPP, "the verifier gave no per-instruction facts");
		goto out;
	}
	if (pm.rdonly || pm.wronly) {
		for (size_t i = 0; i < n; i++) {
			uint16_t op = prog->code[i].op;
			if (op >= BK_OP__COUNT)
				continue;
			const struct bk_opinfo *info = bk_isa_info((enum bk_op)op);
			bool load = info->fmt == BK_F_LDX || info->fmt == BK_F_LDXSX;
			if ((pm.rdonly && !load) || (pm.wronly && load))
				res.insn_flags[i] &= (uint8_t)~BK_VF_MEM_SAFE;
		}
	}
	prog->proof = res.insn_flags;
	res.insn_flags = NULL;
	prog->proof_bound = run_bound(prog, res.processed);
	ret = bk__prog_predecode(prog, err);
	if (ret < 0)
		bk_prog_unprove(prog);
out:
	bk_verify_result_free(&res);
	free(ins);
	free(pm.v);
	free(pm.m);
	return ret;
}

void bk_prog_unprove(struct bk_prog *prog)
{
	if (!prog->proof)
		return;
	free(prog->proof);
	prog->proof = NULL;
	prog->proof_bound = 0;
	bk__prog_predecode(prog, NULL);
}

const uint8_t *bk_prog_proof(const struct bk_prog *prog)
{
	return prog->proof;
}
