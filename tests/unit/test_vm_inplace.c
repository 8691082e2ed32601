/* What the interpreter does in place of a call or a checked access must give what the
 * plain path gives:
 *  - map_lookup/update/delete_elem run in place (struct bk_helper.map_op): the same r0,
 *    map contents and error messages as the helper called through fn (a second vm whose
 *    helpers have map_op cleared), with and without the instruction counter, on every
 *    map type the helpers take; a helper replaced after load is called, not inlined;
 *  - ldxw/ldxdw of xdp_md data/data_end/data_meta read the packet pointers when the base
 *    is the context, and run as plain checked loads on any other base. */
#include "tap.h"

#include "bpfkit/asm.h"
#include "bpfkit/helpers.h"
#include "bpfkit/vm.h"
#include "vm/vm_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Assembles TEXT; every `rX = 0 ll` becomes a reference to map index 0. */
static size_t assemble(const char *text, struct bk_insn *out, size_t cap)
{
	struct bk_buf b = { 0 };
	struct bk_err e = { 0 };
	if (bk_asm_raw(text, strlen(text), NULL, &b, &e)) {
		printf("not ok assemble: %s\n", e.msg);
		return 0;
	}
	size_t n = b.len / sizeof(struct bk_insn);
	if (n > cap)
		n = cap;
	memcpy(out, b.data, n * sizeof(struct bk_insn));
	bk_buf_free(&b);
	for (size_t i = 0; i + 1 < n; i++)
		if (out[i].code == 0x18 && out[i].imm == 0 && out[i + 1].imm == 0) {
			out[i].src = 5;  /* BPF_PSEUDO_MAP_IDX */
			i++;
		}
	return n;
}

struct side {
	struct bk_vm *vm;
	struct bk_map *map;
};

static int side_new(struct side *s, const struct bk_map_def *def, bool in_place)
{
	struct bk_err e = { 0 };
	s->vm = bk_vm_new(NULL);
	if (!s->vm || bk_helpers_install(s->vm, &e))
		return -1;
	if (!in_place) {
		for (int id = 1; id <= 3; id++) {
			struct bk_helper h = *bk_vm_helper(s->vm, id);
			char name[64];
			snprintf(name, sizeof name, "%s", h.name);
			h.name = name;
			h.map_op = false;
			if (bk_vm_register_helper(s->vm, &h, &e))
				return -1;
		}
	}
	return bk_map_create(bk_vm_maps(s->vm), def, &s->map, &e);
}

/* P run once on S, counting when COUNT, with BUDGET steps (0: the default); the run's
 * statistics into ST (may be NULL). */
static int run(struct side *s, const struct bk_insn *p, size_t n, bool count, uint64_t budget,
	       uint64_t *r0, struct bk_run_stats *st, struct bk_err *e)
{
	struct bk_prog *prog;
	struct bk_map *maps[1] = { s->map };
	struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .maps = maps, .nmaps = 1);
	bk_err_clear(e);
	int ret = bk_vm_load(s->vm, p, n, &po, &prog, e);
	if (ret)
		return ret;
	struct bk_exec_opts xo = BK_OPTS_INIT(bk_exec_opts, .count_insns = count, .budget = budget);
	ret = bk_prog_exec(prog, &xo, r0, st, e);
	bk_prog_free(prog);
	return ret;
}

/* One program run on a map of the same definition in place (a) and through the helpers
 * (b). */
struct both {
	struct side a, b;
	uint64_t ra, rb;
	struct bk_run_stats sa, sb;
	struct bk_err ea, eb;
	int xa, xb;
};

/* Makes both sides of DEF and runs P on each (COUNT, BUDGET: run()); -1 after a
 * "not ok WHAT: setup" line. both_free() ends it. */
static int run_both(struct both *r, const struct bk_map_def *def, const struct bk_insn *p,
		    size_t n, bool count, uint64_t budget, const char *what)
{
	memset(r, 0, sizeof(*r));
	if (side_new(&r->a, def, true) || side_new(&r->b, def, false)) {
		printf("not ok %s: setup\n", what);
		return -1;
	}
	r->ra = 1;
	r->rb = 2;
	r->xa = run(&r->a, p, n, count, budget, &r->ra, &r->sa, &r->ea);
	r->xb = run(&r->b, p, n, count, budget, &r->rb, &r->sb, &r->eb);
	return 0;
}

static void both_free(struct both *r)
{
	bk_vm_free(r->a.vm);
	bk_vm_free(r->b.vm);
}

/* The map's contents as bytes: keys in get_next_key order with their values. */
static void dump(struct bk_map *m, struct bk_buf *out)
{
	const struct bk_map_def *d = bk_map_def(m);
	size_t vs = bk_map_sys_value_size(m);
	uint8_t key[64], next[64], val[4096];
	struct bk_err e = { 0 };
	const void *prev = NULL;
	if (d->type == BK_MAP_ARRAY || d->type == BK_MAP_PERCPU_ARRAY) {
		for (uint32_t i = 0; i < d->max_entries; i++)
			if (!bk_map_sys_lookup(m, &i, val, 0, &e))
				bk_buf_append(out, val, vs);
		return;
	}
	while (!bk_map_sys_get_next_key(m, prev, next, &e)) {
		memcpy(key, next, d->key_size);
		bk_buf_append(out, key, d->key_size);
		if (!bk_map_sys_lookup(m, key, val, 0, &e))
			bk_buf_append(out, val, vs);
		prev = key;
	}
}

/* Lookups that add to the value, inserts with NOEXIST, a delete of every fifth key: r0
 * sums what the helpers returned. */
static const char loop_prog[] =
	"  r6 = 0\n"
	"  r7 = 0\n"
	"loop:\n"
	"  r1 = r6\n"
	"  r1 *= 7\n"
	"  r1 %= 13\n"
	"  *(u32 *)(r10 - 4) = w1\n"
	"  r1 = 0 ll\n"
	"  r2 = r10\n"
	"  r2 += -4\n"
	"  call 1\n"
	"  if r0 == 0 goto insert\n"
	"  r1 = *(u64 *)(r0 + 0)\n"
	"  r1 += r6\n"
	"  *(u64 *)(r0 + 0) = r1\n"
	"  r7 += r1\n"
	"  goto next\n"
	"insert:\n"
	"  *(u64 *)(r10 - 16) = r6\n"
	"  r1 = 0 ll\n"
	"  r2 = r10\n"
	"  r2 += -4\n"
	"  r3 = r10\n"
	"  r3 += -16\n"
	"  r4 = 1\n"
	"  call 2\n"
	"  r7 += r0\n"
	"next:\n"
	"  r1 = r6\n"
	"  r1 %= 5\n"
	"  if r1 != 0 goto skip\n"
	"  r1 = 0 ll\n"
	"  r2 = r10\n"
	"  r2 += -4\n"
	"  call 3\n"
	"  r7 += r0\n"
	"skip:\n"
	"  r6 += 1\n"
	"  if r6 < 64 goto loop\n"
	"  r0 = r7\n"
	"  exit\n";

static void same_effect(void)
{
	static const struct { uint32_t type; uint32_t flags; const char *name; } types[] = {
		{ BK_MAP_HASH, 0, "hash" },
		{ BK_MAP_HASH, BK_F_NO_PREALLOC, "hash (no prealloc)" },
		{ BK_MAP_LRU_HASH, 0, "lru_hash" },
		{ BK_MAP_PERCPU_HASH, 0, "percpu_hash" },
		{ BK_MAP_ARRAY, 0, "array" },
		{ BK_MAP_PERCPU_ARRAY, 0, "percpu_array" },
		{ BK_MAP_HASH, BK_F_RDONLY_PROG, "hash (rdonly_prog)" },
	};
	struct bk_insn p[128];
	size_t n = assemble(loop_prog, p, N(p));
	if (!n)
		return;
	for (size_t t = 0; t < N(types); t++) {
		for (int count = 0; count < 2; count++) {
			struct bk_map_def def = { .type = types[t].type, .key_size = 4, .value_size = 8,
						  .max_entries = 8, .map_flags = types[t].flags };
			snprintf(def.name, sizeof def.name, "m");
			struct both r;
			if (run_both(&r, &def, p, n, count, 0, types[t].name))
				continue;
			struct bk_buf da = { 0 }, db = { 0 };
			dump(r.a.map, &da);
			dump(r.b.map, &db);
			CHECKF(r.xa == r.xb && (r.xa ? !strcmp(r.ea.msg, r.eb.msg) : r.ra == r.rb),
			       "%s%s: in place %d r0 %lld '%s', called %d r0 %lld '%s'", types[t].name,
			       count ? " (counting)" : "", r.xa, (long long)r.ra, r.xa ? r.ea.msg : "",
			       r.xb, (long long)r.rb, r.xb ? r.eb.msg : "");
			CHECKF(da.len == db.len && (!da.len || !memcmp(da.data, db.data, da.len)) &&
			       (da.len > 0 || (types[t].flags & BK_F_RDONLY_PROG)),
			       "%s%s: the same map contents (%zu / %zu bytes)", types[t].name,
			       count ? " (counting)" : "", da.len, db.len);
			bk_buf_free(&da);
			bk_buf_free(&db);
			both_free(&r);
		}
	}
}

/* Whole call sites run by one handler (the argument setup in any order, w4 or r4 flags, a
 * lookup's `if r0 == 0 goto` forwards and backwards, a jump into the middle of a site)
 * give the same r0, counts, statistics, budget faults and map contents as the helper. */
static const char sites_prog[] =
	"  r6 = 0\n"
	"  r7 = 0\n"
	"  *(u32 *)(r10 - 4) = 3\n"
	"  r2 = r10\n"
	"  r2 += -4\n"
	"  goto mid\n"
	"loop:\n"
	"  r1 = r6\n"
	"  r1 &= 7\n"
	"  *(u32 *)(r10 - 4) = w1\n"
	"  r1 = 0 ll\n"
	"  r2 = r10\n"
	"  r2 += -4\n"
	"mid:\n"
	"  r1 = 0 ll\n"
	"  call 1\n"
	"  if r0 == 0 goto insert\n"
	"  r1 = *(u64 *)(r0 + 0)\n"
	"  r1 += 3\n"
	"  *(u64 *)(r0 + 0) = r1\n"
	"  r7 += r1\n"
	"  goto next\n"
	"insert:\n"
	"  *(u64 *)(r10 - 16) = r6\n"
	"  r2 = r10\n"
	"  r2 += -4\n"
	"  w4 = 1\n"
	"  r1 = 0 ll\n"
	"  r3 = r10\n"
	"  r3 += -16\n"
	"  call 2\n"
	"  r7 += r0\n"
	"  r7 += r2\n"     /* r2 is the key pointer still: the handler sets it */
	"  r1 = r10\n"
	"  r7 -= r1\n"
	"  r7 += r4\n"
	"next:\n"
	"  r6 += 1\n"
	"  r1 = r6\n"
	"  r1 %= 3\n"
	"  if r1 != 0 goto skip\n"
	"  r1 = 0 ll\n"
	"  r2 = r10\n"
	"  r2 += -4\n"
	"  call 3\n"
	"  r7 += r0\n"
	"skip:\n"
	"  if r6 < 40 goto loop\n"
	"  r6 = 0\n"
	"  goto again\n"
	"sum:\n"
	"  r6 += 1\n"
	"  if r6 == 9 goto out\n"
	"again:\n"
	"  *(u32 *)(r10 - 4) = w6\n"
	"  r2 = r10\n"
	"  r2 += -4\n"
	"  r1 = 0 ll\n"
	"  call 1\n"
	"  if r0 == 0 goto sum\n"
	"  r1 = *(u64 *)(r0 + 0)\n"
	"  r7 += r1\n"
	"  goto sum\n"
	"out:\n"
	"  r0 = r7\n"
	"  exit\n";

/* 8-byte keys, stored by the site's first instruction; the value stored the same way. */
static const char sites8_prog[] =
	"  r6 = 0\n"
	"  r7 = 0\n"
	"loop:\n"
	"  r8 = r6\n"
	"  r8 &= 3\n"
	"  *(u64 *)(r10 - 8) = r8\n"
	"  r2 = r10\n"
	"  r2 += -8\n"
	"  r1 = 0 ll\n"
	"  call 1\n"
	"  if r0 != 0 goto found\n"
	"  *(u64 *)(r10 - 16) = r6\n"
	"  r1 = 0 ll\n"
	"  r2 = r10\n"
	"  r2 += -8\n"
	"  r3 = r10\n"
	"  r3 += -16\n"
	"  r4 = 0\n"
	"  call 2\n"
	"  r7 += r0\n"
	"  goto next\n"
	"found:\n"
	"  r1 = *(u64 *)(r0 + 0)\n"
	"  r7 += r1\n"
	"  r7 <<= 1\n"
	"next:\n"
	"  r6 += 1\n"
	"  if r6 < 20 goto loop\n"
	"  r0 = r7\n"
	"  exit\n";

/* Runs P (N instructions) on a map of DEF in place and through the helpers, with and
 * without the counter: the same r0 (not 0), statistics and map contents, with at least
 * MIN_HELPERS helper calls (MIN_INSNS instructions when counting); then Q (NQ, none when
 * 0), the same budget fault at its jump. WHAT starts every check's name. */
static void same_sites(const char *what, const struct bk_map_def *def, const struct bk_insn *p,
		       size_t n, uint64_t min_helpers, uint64_t min_insns, const struct bk_insn *q,
		       size_t nq)
{
	for (int count = 0; count < 2; count++) {
		struct both r;
		if (run_both(&r, def, p, n, count, 100000, what))
			continue;
		int xa = r.xa, xb = r.xb;
		uint64_t ra = r.ra, rb = r.rb;
		struct bk_run_stats sa = r.sa, sb = r.sb;
		struct bk_err ea, eb;
		struct bk_buf da = { 0 }, db = { 0 };
		dump(r.a.map, &da);
		dump(r.b.map, &db);
		CHECKF(!xa && !xb && ra == rb && ra != 0 && sa.insns == sb.insns &&
		       sa.helper_calls == sb.helper_calls && sa.back_edges == sb.back_edges &&
		       sa.helper_calls >= min_helpers && (!count || sa.insns >= min_insns),
		       "%s%s: in place %d r0 %lld insns %llu helpers %llu back %llu; called %d r0 %lld "
		       "insns %llu helpers %llu back %llu", what, count ? " (counting)" : "", xa,
		       (long long)ra, (unsigned long long)sa.insns,
		       (unsigned long long)sa.helper_calls, (unsigned long long)sa.back_edges, xb,
		       (long long)rb, (unsigned long long)sb.insns,
		       (unsigned long long)sb.helper_calls, (unsigned long long)sb.back_edges);
		CHECKF(da.len > 0 && da.len == db.len && !memcmp(da.data, db.data, da.len),
		       "%s%s: the same map contents", what, count ? " (counting)" : "");
		bk_buf_free(&da);
		bk_buf_free(&db);
		if (nq) {
			xa = run(&r.a, q, nq, count, 50, &ra, &sa, &ea);
			xb = run(&r.b, q, nq, count, 50, &rb, &sb, &eb);
			CHECKF(xa == -ELOOP && xb == -ELOOP && !strcmp(ea.msg, eb.msg) &&
			       strstr(ea.msg, "insn 6 ") && sa.insns == sb.insns,
			       "%s%s: budget at the jump: '%s' / '%s'", what,
			       count ? " (counting)" : "", ea.msg, eb.msg);
		}
		both_free(&r);
	}
}

static void fused_sites8(void)
{
	struct bk_insn p[64];
	size_t n = assemble(sites8_prog, p, N(p));
	struct bk_map_def def = { .type = BK_MAP_HASH, .key_size = 8, .value_size = 8,
				  .max_entries = 4 };
	snprintf(def.name, sizeof def.name, "m");
	if (n)
		same_sites("fused sites (8-byte keys)", &def, p, n, 20, 200, NULL, 0);
}

static void fused_sites(void)
{
	static const uint32_t types[] = { BK_MAP_HASH, BK_MAP_LRU_HASH, BK_MAP_PERCPU_HASH,
					  BK_MAP_ARRAY };
	struct bk_insn p[160];
	size_t n = assemble(sites_prog, p, N(p));
	/* a lookup that misses, forever: the budget stops it at the jump */
	struct bk_insn q[16];
	size_t nq = assemble("*(u32 *)(r10 - 4) = 99\n"
			     "back:\n r2 = r10\n r2 += -4\n r1 = 0 ll\n call 1\n"
			     " if r0 == 0 goto back\n exit\n", q, N(q));
	for (size_t t = 0; n && nq && t < N(types); t++) {
		struct bk_map_def def = { .type = types[t], .key_size = 4, .value_size = 8,
					  .max_entries = 6 };
		snprintf(def.name, sizeof def.name, "m");
		/* every site of sites_prog is one handler; none when map_op is off */
		for (int in_place = 0; in_place < 2; in_place++) {
			struct side s;
			struct bk_prog *prog;
			struct bk_err e;
			struct bk_map *maps[1];
			if (side_new(&s, &def, in_place)) {
				printf("not ok fused sites: setup\n");
				continue;
			}
			maps[0] = s.map;
			struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .maps = maps, .nmaps = 1);
			int nf = -1;
			if (!bk_vm_load(s.vm, p, n, &po, &prog, &e)) {
				nf = 0;
				for (size_t i = 0; i < prog->n; i++)
					nf += prog->fast[i].op >= BK_FOP_FMAP_LOOKUP &&
					      prog->fast[i].op <= BK_FOP_FMAP_DELETE;
				bk_prog_free(prog);
			}
			CHECKF(nf == (in_place ? 4 : 0), "fused sites, map type %u: %d sites fused %s",
			       types[t], nf, in_place ? "in place" : "without map_op");
			bk_vm_free(s.vm);
		}
		char what[64];
		snprintf(what, sizeof what, "fused sites, map type %u", types[t]);
		same_sites(what, &def, p, n, 41, 501, q, nq);
	}
}

/* The message with host addresses (the two vms' stacks differ) as "ADDR". */
static void mask_addrs(const char *in, char *out, size_t cap)
{
	size_t o = 0;
	while (*in && o + 5 < cap) {
		size_t k = 0;
		if (in[0] == '0' && in[1] == 'x')
			while (isxdigit((unsigned char)in[2 + k]))
				k++;
		if (k >= 9) {
			memcpy(out + o, "ADDR", 4);
			o += 4;
			in += 2 + k;
		} else {
			out[o++] = *in++;
		}
	}
	out[o] = 0;
}

/* Bad arguments fall back to the helper, whose message names the problem. */
static void same_errors(void)
{
	static const struct { const char *name, *text, *want; } cases[] = {
		{ "lookup: r1 not a map",
		  "r1 = 12345\n r2 = r10\n r2 += -4\n call 1\n exit\n", "is not a map" },
		{ "lookup: key at 16",
		  "r1 = 0 ll\n r2 = 16\n call 1\n exit\n", "invalid memory read" },
		{ "lookup: key across the frame's top",
		  "r1 = 0 ll\n r2 = r10\n r2 += -2\n call 1\n exit\n", "invalid memory read" },
		{ "update: value across the frame's top",
		  "*(u32 *)(r10 - 8) = 1\n r1 = 0 ll\n r2 = r10\n r2 += -8\n r3 = r10\n r3 += -4\n"
		  " r4 = 0\n call 2\n exit\n", "invalid memory read" },
		{ "update: value NULL",
		  "*(u32 *)(r10 - 8) = 1\n r1 = 0 ll\n r2 = r10\n r2 += -8\n r3 = 0\n r4 = 0\n"
		  " call 2\n exit\n", "invalid memory read" },
		{ "update: bad flags",
		  "*(u64 *)(r10 - 8) = 1\n r1 = 0 ll\n r2 = r10\n r2 += -8\n r3 = r10\n r3 += -8\n"
		  " r4 = 7\n call 2\n exit\n", "" },
		{ "delete: r1 a stack pointer",
		  "r1 = r10\n r2 = r10\n r2 += -4\n call 3\n exit\n", "is not a map" },
		{ "delete: key in a freed frame",
		  "r1 = 0 ll\n r2 = r10\n r2 += -516\n call 3\n exit\n", "invalid memory read" },
	};
	struct bk_map_def def = { .type = BK_MAP_HASH, .key_size = 4, .value_size = 8,
				  .max_entries = 8 };
	snprintf(def.name, sizeof def.name, "m");
	for (size_t i = 0; i < N(cases); i++) {
		struct bk_insn p[64];
		size_t n = assemble(cases[i].text, p, N(p));
		if (!n)
			continue;
		for (int count = 0; count < 2; count++) {
			struct both r;
			if (run_both(&r, &def, p, n, count, 0, cases[i].name))
				continue;
			int xa = r.xa, xb = r.xb;
			uint64_t ra = r.ra, rb = r.rb;
			struct bk_err ea = r.ea, eb = r.eb;
			bool want_err = cases[i].want[0] != 0;
			char ma[sizeof ea.msg], mb[sizeof eb.msg];
			mask_addrs(ea.msg, ma, sizeof ma);
			mask_addrs(eb.msg, mb, sizeof mb);
			CHECKF(xa == xb && (want_err ? xa < 0 && !strcmp(ma, mb) &&
						       strstr(ea.msg, cases[i].want)
						     : !xa && ra == rb),
			       "%s%s: in place %d '%s' r0 %lld, called %d '%s' r0 %lld", cases[i].name,
			       count ? " (counting)" : "", xa, xa ? ea.msg : "", (long long)ra, xb,
			       xb ? eb.msg : "", (long long)rb);
			both_free(&r);
		}
	}
}

/* A helper's argument error names the helper once, in the same words on the in-place
 * path (which falls back to the helper) and through fn, with and without the counter. */
static void helper_named_once(void)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "r1 = 12345\n r2 = r10\n r2 += -4\n call 1\n exit\n",
		  "insn 3 (call 0x1): helper bpf_map_lookup_elem: R1 0x3039 is not a map" },
		{ "r1 = 0 ll\n r2 = 0\n r3 = 0\n r4 = 0\n call 2\n exit\n",
		  "insn 5 (call 0x2): helper bpf_map_update_elem: invalid memory read of 4 bytes at 0x0" },
	};
	struct bk_map_def def = { .type = BK_MAP_HASH, .key_size = 4, .value_size = 8,
				  .max_entries = 8 };
	snprintf(def.name, sizeof def.name, "m");
	for (size_t i = 0; i < N(cases); i++) {
		struct bk_insn p[16];
		size_t n = assemble(cases[i].text, p, N(p));
		for (int side = 0; n && side < 4; side++) {
			struct side s;
			uint64_t r0 = 0;
			struct bk_err e;
			if (side_new(&s, &def, side & 1)) {
				printf("not ok helper named once: setup\n");
				continue;
			}
			int x = run(&s, p, n, side & 2, 0, &r0, NULL, &e);
			CHECKF(x == -EINVAL || x == -EFAULT ? !strcmp(e.msg, cases[i].want) : false,
			       "helper named once (%s%s): %d '%s', want '%s'",
			       side & 1 ? "in place" : "called", side & 2 ? ", counting" : "", x, e.msg,
			       cases[i].want);
			bk_vm_free(s.vm);
		}
	}
}

static uint64_t h_seventy_seven(struct bk_run *run, uint64_t r1, uint64_t r2, uint64_t r3,
				uint64_t r4, uint64_t r5)
{
	return 77;
}

/* A program loaded while id 1 was the map helper calls whatever id 1 is at run time. */
static void replaced_helper(void)
{
	struct bk_map_def def = { .type = BK_MAP_HASH, .key_size = 4, .value_size = 8,
				  .max_entries = 8 };
	snprintf(def.name, sizeof def.name, "m");
	struct bk_insn p[16];
	size_t n = assemble("*(u32 *)(r10 - 4) = 0\n r1 = 0 ll\n r2 = r10\n r2 += -4\n call 1\n exit\n",
			    p, N(p));
	struct side a;
	struct bk_err e = { 0 };
	if (!n || side_new(&a, &def, true)) {
		printf("not ok replaced helper: setup\n");
		return;
	}
	struct bk_map *maps[1] = { a.map };
	struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .maps = maps, .nmaps = 1);
	struct bk_prog *prog;
	if (bk_vm_load(a.vm, p, n, &po, &prog, &e)) {
		printf("not ok replaced helper: load: %s\n", e.msg);
		bk_vm_free(a.vm);
		return;
	}
	uint64_t r0 = 1;
	int ret = bk_prog_exec(prog, NULL, &r0, NULL, &e);
	CHECKF(ret == 0 && r0 == 0, "map_lookup_elem in place: a miss (ret %d r0 %llu)", ret,
	       (unsigned long long)r0);
	struct bk_helper h = { .id = 1, .name = "seventy_seven", .fn = h_seventy_seven };
	bk_vm_register_helper(a.vm, &h, &e);
	for (int count = 0; count < 2; count++) {
		struct bk_exec_opts xo = BK_OPTS_INIT(bk_exec_opts, .count_insns = count);
		ret = bk_prog_exec(prog, &xo, &r0, NULL, &e);
		CHECKF(ret == 0 && r0 == 77, "helper 1 replaced after load is called%s (ret %d r0 %llu)",
		       count ? " (counting)" : "", ret, (unsigned long long)r0);
	}
	bk_vm_free(a.vm);
}

/* xdp_md: data at 0, data_end at 4, data_meta at 8. */
static void ctx_packet_loads(void)
{
	static const struct { const char *name, *text; uint64_t want; } cases[] = {
		{ "data_end - data through r1",
		  "r2 = *(u32 *)(r1 + 0)\n r3 = *(u32 *)(r1 + 4)\n r0 = r3\n r0 -= r2\n exit\n", 60 },
		{ "data - data_meta through a copy of r1 (ldxdw too: refused, so ldxw)",
		  "r6 = r1\n r2 = *(u32 *)(r6 + 0)\n r3 = *(u32 *)(r6 + 8)\n r0 = r2\n r0 -= r3\n exit\n", 0 },
		{ "a packet byte through data",
		  "r2 = *(u32 *)(r1 + 0)\n r0 = *(u8 *)(r2 + 13)\n exit\n", 0x08 },
		{ "offset 4 on a stack base is a stack load",
		  "r2 = 0x12345678 ll\n *(u64 *)(r10 - 8) = r2\n r1 = r10\n r1 += -8\n"
		  " r0 = *(u32 *)(r1 + 4)\n exit\n", 0 },
		{ "offset 0 on a stack base is a stack load",
		  "r2 = 0x12345678 ll\n *(u64 *)(r10 - 8) = r2\n r1 = r10\n r1 += -8\n"
		  " r0 = *(u32 *)(r1 + 0)\n exit\n", 0x12345678 },
	};
	uint8_t pkt[60] = { [12] = 0x08, [13] = 0x08 };
	for (size_t i = 0; i < N(cases); i++) {
		struct bk_insn p[32];
		size_t n = assemble(cases[i].text, p, N(p));
		struct bk_vm *vm = bk_vm_new(NULL);
		struct bk_err e = { 0 };
		struct bk_prog *prog;
		struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .type = BK_PROG_XDP);
		if (!n || !vm || bk_vm_load(vm, p, n, &po, &prog, &e)) {
			printf("not ok %s: load: %s\n", cases[i].name, e.msg);
			bk_vm_free(vm);
			continue;
		}
		for (int count = 0; count < 2; count++) {
			struct bk_run_opts ro = BK_OPTS_INIT(bk_run_opts, .data_in = pkt,
							     .data_size_in = sizeof pkt,
							     .count_insns = count);
			struct bk_run_result res;
			int ret = bk_prog_test_run(prog, &ro, &res, &e);
			CHECKF(ret == 0 && res.retval == cases[i].want, "%s%s (ret %d r0 0x%llx %s)",
			       cases[i].name, count ? " (counting)" : "", ret,
			       (unsigned long long)res.retval, ret ? e.msg : "");
			if (!ret)
				bk_run_result_free(&res);
		}
		/* Without a test run there is no context: the load is checked as any other. */
		if (i == 0) {
			for (int count = 0; count < 2; count++) {
				uint64_t r0 = 0;
				struct bk_exec_opts xo = BK_OPTS_INIT(bk_exec_opts, .args = { 0 },
								      .count_insns = count);
				int ret = bk_prog_exec(prog, &xo, &r0, NULL, &e);
				CHECKF(ret == -EFAULT && strstr(e.msg, "insn 0") &&
				       strstr(e.msg, "invalid read of 4 bytes at 0x0"),
				       "ctx load with r1 = 0 outside a test run faults%s (%d: %s)",
				       count ? " (counting)" : "", ret, e.msg);
			}
		}
		bk_vm_free(vm);
	}
}

static uint64_t alu(const char *o, int w64, uint64_t a, uint64_t b)
{
	if (w64) {
		unsigned sh = b & 63;
		return !strcmp(o, "+=") ? a + b : !strcmp(o, "-=") ? a - b : !strcmp(o, "*=") ? a * b
		     : !strcmp(o, "&=") ? (a & b) : !strcmp(o, "|=") ? (a | b) : !strcmp(o, "^=") ? (a ^ b)
		     : !strcmp(o, "<<=") ? a << sh : !strcmp(o, ">>=") ? a >> sh
		     : (uint64_t)((int64_t)a >> sh);
	}
	uint32_t x = (uint32_t)a, y = (uint32_t)b;
	unsigned sh = y & 31;
	return !strcmp(o, "+=") ? (uint32_t)(x + y) : !strcmp(o, "-=") ? (uint32_t)(x - y)
	     : !strcmp(o, "*=") ? (uint32_t)(x * y) : !strcmp(o, "&=") ? (x & y)
	     : !strcmp(o, "|=") ? (x | y) : !strcmp(o, "^=") ? (x ^ y)
	     : !strcmp(o, "<<=") ? (uint32_t)(x << sh) : !strcmp(o, ">>=") ? x >> sh
	     : (uint32_t)((int32_t)x >> sh);
}

/* mov rD, rS + OP rD, imm/rT run by one handler: every OP at both widths, with an
 * immediate, another register and rD itself (rD = rS; rD op= rD), against C; and a jump
 * into the pair's second slot runs the OP alone. */
static void mov_alu_pairs(void)
{
	static const struct { const char *op; int w64; } ops[] = {
		{ "+=", 1 }, { "-=", 1 }, { "*=", 1 }, { "&=", 1 }, { "|=", 1 }, { "^=", 1 },
		{ "<<=", 1 }, { ">>=", 1 }, { "s>>=", 1 },
		{ "+=", 0 }, { "-=", 0 }, { "*=", 0 }, { "&=", 0 }, { "|=", 0 }, { "^=", 0 },
		{ "<<=", 0 }, { ">>=", 0 }, { "s>>=", 0 },
	};
	static const char *const forms[] = { "imm", "rT", "rD" };
	const uint64_t x = 0xf123456789abcdefULL, y = 0x0badc0de1234567bULL;
	struct bk_vm *vm = bk_vm_new(NULL);
	for (size_t i = 0; vm && i < N(ops); i++) {
		const char *o = ops[i].op, *r = ops[i].w64 ? "r" : "w";
		bool shift = strstr(o, "<<") || strstr(o, ">>");
		for (int form = 0; form < 3; form++) {
			int32_t imm = shift ? 13 : -0x5a5a5a3;
			char operand[32];
			uint64_t want;
			if (form == 0) {
				snprintf(operand, sizeof operand, "%d", imm);
				want = alu(o, ops[i].w64, x, (uint64_t)(int64_t)imm);
			} else if (form == 1) {
				snprintf(operand, sizeof operand, "%s3", r);
				want = alu(o, ops[i].w64, x, y);
			} else {
				snprintf(operand, sizeof operand, "%s2", r);
				want = alu(o, ops[i].w64, x, x);
			}
			/* v 0: the pair fused (r7); v 1: a jump into its second slot with r2 = x
			 * already there runs the OP alone (r2) */
			for (int v = 0; v < 2; v++) {
				char text[512];
				snprintf(text, sizeof text,
					 "r1 = 0x%llx ll\n r3 = 0x%llx ll\n r6 = 0\n r2 = r1\n"
					 "top:\n %s2 = %s1\n"
					 "second:\n %s2 %s %s\n"
					 " if r6 != 0 goto out\n r7 = r2\n r6 = 1\n r2 = r1\n goto second\n"
					 "out:\n r0 = r%d\n exit\n",
					 (unsigned long long)x, (unsigned long long)y, r, r, r, o, operand,
					 v ? 2 : 7);
				struct bk_insn p[64];
				size_t n = assemble(text, p, N(p));
				for (int count = 0; count < 2; count++) {
					struct bk_prog *prog;
					struct bk_err e = { 0 };
					uint64_t r0 = 1;
					if (!n || bk_vm_load(vm, p, n, NULL, &prog, &e)) {
						printf("not ok mov + %s %s %s: load: %s\n",
						       ops[i].w64 ? "alu64" : "alu32", o, operand, e.msg);
						break;
					}
					struct bk_exec_opts xo = BK_OPTS_INIT(bk_exec_opts, .count_insns = count);
					int ret = bk_prog_exec(prog, &xo, &r0, NULL, &e);
					CHECKF(ret == 0 && r0 == want,
					       "mov + %s %s %s (%s), %s%s (r0 0x%llx want 0x%llx)",
					       ops[i].w64 ? "alu64" : "alu32", o, operand, forms[form],
					       v ? "the second alone" : "fused", count ? " (counting)" : "",
					       (unsigned long long)r0, (unsigned long long)want);
					bk_prog_free(prog);
				}
			}
		}
	}
	bk_vm_free(vm);
}

int main(void)
{
	mov_alu_pairs();
	same_effect();
	same_errors();
	helper_named_once();
	fused_sites();
	fused_sites8();
	replaced_helper();
	ctx_packet_loads();
	return 0;
}
