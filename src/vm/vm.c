/* The vm object, its helper table, and loading: validation, resolution of helper calls,
 * map references and subprogram targets, and pre-decoding into struct bk_dinsn. */
#include "vm_internal.h"

#include "bpfkit/disasm.h"
#include "bpfkit/verifier.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static uint64_t helper_tail_call(struct bk_run *run, uint64_t ctx, uint64_t map, uint64_t idx,
				 uint64_t r4, uint64_t r5);

struct bk_vm *bk_vm_new(const struct bk_vm_opts *opts)
{
	struct bk_vm *vm = calloc(1, sizeof(*vm));
	if (!vm)
		return NULL;
	vm->maps = BK_OPTS_GET(opts, maps, NULL);
	if (!vm->maps) {
		struct bk_maps_opts mo = BK_OPTS_INIT(bk_maps_opts, .ncpus = BK_OPTS_GET(opts, ncpus, 1));
		vm->maps = bk_maps_new(&mo);
		if (!vm->maps) {
			free(vm);
			return NULL;
		}
		vm->own_maps = true;
	}
	vm->seed = BK_OPTS_GET(opts, seed, 0);
	/* bpf_tail_call is control flow, so the vm provides it; a caller may replace it. */
	struct bk_helper tc = { .id = 12, .name = "bpf_tail_call", .fn = helper_tail_call,
				.kernel_proto = true };
	if (bk_vm_register_helper(vm, &tc, NULL)) {
		bk_vm_free(vm);
		return NULL;
	}
	return vm;
}

void bk_vm_free(struct bk_vm *vm)
{
	if (!vm)
		return;
	for (size_t i = 0; i < vm->nprogs; i++)
		if (vm->progs[i])
			bk_prog_free(vm->progs[i]);
	free(vm->progs);
	for (int i = 0; i < BK_VM_MAX_HELPER_ID; i++) {
		if (vm->helpers[i]) {
			free((char *)vm->helpers[i]->name);
			free(vm->helpers[i]);
		}
	}
	if (vm->own_maps)
		bk_maps_free(vm->maps);
	free(vm);
}

struct bk_maps *bk_vm_maps(struct bk_vm *vm)
{
	return vm->maps;
}

int bk_vm_register_helper(struct bk_vm *vm, const struct bk_helper *h, struct bk_err *err)
{
	if (!h || !h->fn || h->id < 0 || h->id >= BK_VM_MAX_HELPER_ID)
		return bk_err_set(err, -EINVAL, "helper id %d: must be 0..%d with a function",
				  h ? h->id : -1, BK_VM_MAX_HELPER_ID - 1);
	char *name = strdup(h->name ? h->name : "helper");
	if (!name)
		return bk_err_set(err, -ENOMEM, "out of memory");
	struct bk_helper *slot = vm->helpers[h->id];
	if (!slot) {
		slot = calloc(1, sizeof(*slot));
		if (!slot) {
			free(name);
			return bk_err_set(err, -ENOMEM, "out of memory");
		}
		vm->helpers[h->id] = slot;
	} else {
		free((char *)slot->name);
	}
	/* Updated in place: programs loaded earlier point at this entry. */
	*slot = *h;
	slot->name = name;
	return 0;
}

const struct bk_helper *bk_vm_helper(const struct bk_vm *vm, int32_t id)
{
	if (id < 0 || id >= BK_VM_MAX_HELPER_ID)
		return NULL;
	return vm->helpers[id];
}

/* ---- loading ---- */

static int load_fail(struct bk_err *err, int code, const char *name, size_t i,
		     const struct bk_insn *insn, size_t avail, const char *fmt, const char *what)
{
	char text[128];
	struct bk_print_opts po = BK_OPTS_INIT(bk_print_opts, .syntax = BK_SYNTAX_LLVM);
	bk_insn_format(insn, avail, &po, text, sizeof(text));
	char msg[256];
	snprintf(msg, sizeof(msg), fmt, what);
	return bk_err_set(err, code, "%s%sinsn %zu (%s): %s", name ? name : "",
			  name ? ": " : "", i, text, msg);
}

static int resolve_map(struct bk_vm *vm, const struct bk_prog_opts *opts, int src, int32_t imm,
		       struct bk_map **out)
{
	struct bk_map *m = NULL;
	if (src == BK_PSEUDO_MAP_FD || src == BK_PSEUDO_MAP_VALUE) {
		m = bk_maps_by_id(vm->maps, (uint32_t)imm);
	} else {
		struct bk_map *const *maps = BK_OPTS_GET(opts, maps, NULL);
		size_t nmaps = BK_OPTS_GET(opts, nmaps, 0);
		if (imm >= 0 && (size_t)imm < nmaps && maps)
			m = maps[imm];
	}
	*out = m;
	return m ? 0 : -ENOENT;
}

/* Context fields read as packet pointers (BK_FOP_LDX_*_CTXPKT): the field's kind gives
 * the pointer of struct bk_packet to read; -1 when the load is something else. */
static int ctx_pkt_field(const struct bk_progtype *pt, int32_t off, uint32_t size)
{
	if (off < 0 || !pt->ctx_size)
		return -1;
	const struct bk_ctx_field *f = bk_progtype_ctx_access(pt, (uint32_t)off, size, false);
	if (!f)
		return -1;
	switch (f->kind) {
	case BK_CTX_PKT_DATA: return (int)offsetof(struct bk_packet, data);
	case BK_CTX_PKT_END: return (int)offsetof(struct bk_packet, end);
	case BK_CTX_PKT_META: return (int)offsetof(struct bk_packet, meta);
	default: return -1;
	}
}

/* r10 is read-only, so r10 + OFF with -512 <= OFF <= -SIZE is always inside the running
 * frame: such accesses need no check at run time. Context loads of packet pointers and
 * the map helpers get their own handlers. */
static void specialize(struct bk_dinsn *f, size_t n, const struct bk_progtype *pt,
		       const uint8_t *proof)
{
	for (size_t i = 0; i < n; i++) {
		struct bk_dinsn *d = &f[i];
		int base, size, reg;
		/* Proved in bounds by the verifier: no check (stack accesses through r10 get
		 * their own unchecked forms below either way). */
		if (proof && (proof[i] & BK_VF_MEM_SAFE)) {
			int u = -1;
			switch (d->op) {
#define X(o) case BK_OP_##o: u = BK_FOP_U_##o; break;
			BK_UNCHECKED_OPS(X)
#undef X
			default:
				break;
			}
			bool load = u >= BK_FOP_U_LDX_B && u <= BK_FOP_U_LDXS_W;
			if (u >= 0 && (load ? d->src : d->dst) != BK_MAX_REG) {
				d->op = (uint16_t)u;
				continue;
			}
		}
		if ((d->op == BK_OP_LDX_W || d->op == BK_OP_LDX_DW) && d->src != BK_MAX_REG) {
			int k = ctx_pkt_field(pt, d->off, d->op == BK_OP_LDX_W ? 4 : 8);
			if (k >= 0) {
				d->op = d->op == BK_OP_LDX_W ? BK_FOP_LDX_W_CTXPKT : BK_FOP_LDX_DW_CTXPKT;
				d->imm = (uint64_t)k;
				continue;
			}
		}
		if (d->op == BK_XOP_CALL_HELPER) {
			const struct bk_helper *h = (const struct bk_helper *)(uintptr_t)d->imm;
			if (h->map_op && h->id >= 1 && h->id <= 3)
				d->op = (uint16_t)(h->id == 1 ? BK_FOP_MAP_LOOKUP
					 : h->id == 2 ? BK_FOP_MAP_UPDATE : BK_FOP_MAP_DELETE);
			continue;
		}
		switch (d->op) {
		case BK_OP_LDX_B: base = BK_FOP_LDX_FP_B; size = 1; reg = d->src; break;
		case BK_OP_LDX_H: base = BK_FOP_LDX_FP_B; size = 2; reg = d->src; break;
		case BK_OP_LDX_W: base = BK_FOP_LDX_FP_B; size = 4; reg = d->src; break;
		case BK_OP_LDX_DW: base = BK_FOP_LDX_FP_B; size = 8; reg = d->src; break;
		case BK_OP_STX_B: base = BK_FOP_STX_FP_B; size = 1; reg = d->dst; break;
		case BK_OP_STX_H: base = BK_FOP_STX_FP_B; size = 2; reg = d->dst; break;
		case BK_OP_STX_W: base = BK_FOP_STX_FP_B; size = 4; reg = d->dst; break;
		case BK_OP_STX_DW: base = BK_FOP_STX_FP_B; size = 8; reg = d->dst; break;
		case BK_OP_ST_B: base = BK_FOP_ST_FP_B; size = 1; reg = d->dst; break;
		case BK_OP_ST_H: base = BK_FOP_ST_FP_B; size = 2; reg = d->dst; break;
		case BK_OP_ST_W: base = BK_FOP_ST_FP_B; size = 4; reg = d->dst; break;
		case BK_OP_ST_DW: base = BK_FOP_ST_FP_B; size = 8; reg = d->dst; break;
		default: continue;
		}
		if (reg != BK_MAX_REG || d->off < -BK_VM_STACK_SIZE || d->off > -size)
			continue;
		d->op = (uint16_t)(base + (size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3));
	}
}

/* Pairs of the original code (CODE, n slots) that one handler runs (BK_FOP_MOVADD*,
 * BK_FOP_ADD?_J*). Only slot i changes: a jump to slot i + 1 still finds its instruction. */
static void fuse(struct bk_dinsn *f, const struct bk_dinsn *code, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		const struct bk_dinsn *a = &code[i], *b = &code[i + 1];
		if ((a->op == BK_OP_MOV64_X || a->op == BK_OP_MOV32_X) && b->dst == a->dst) {
			bool w64 = a->op == BK_OP_MOV64_X;
			if (w64 && b->op == BK_OP_ADD64_K)
				f[i].op = BK_FOP_MOVADD64_K;
			else if (w64 && b->op == BK_OP_ADD64_X && b->src != a->dst)
				f[i].op = BK_FOP_MOVADD64_X;
#define X(o, w) else if (b->op == BK_OP_##o && w64 == (w)) f[i].op = BK_FOP_MOV##o;
			BK_FUSE_MOVALU(X)
#undef X
			if (f[i].op != a->op)
				f[i].imm = b->src == a->dst ? a->src : b->src;
		} else if (a->op == BK_OP_ADD64_K || a->op == BK_OP_ADD64_X) {
			bool k = a->op == BK_OP_ADD64_K;
			switch (b->op) {
#define X(j) case BK_OP_##j: f[i].op = k ? BK_FOP_ADDK_##j : BK_FOP_ADDX_##j; break;
			BK_FUSE_JUMPS(X)
#undef X
			default:
				break;
			}
		}
	}
}

/* Map types whose lookup answers with value_size bytes of plain value memory, writable
 * unless BPF_F_RDONLY_PROG (what bk_map_lookup_region reports for them). */
static bool fcall_map_ok(const struct bk_map_def *d)
{
	switch (d->type) {
	case BK_MAP_HASH: case BK_MAP_PERCPU_HASH: case BK_MAP_LRU_HASH:
	case BK_MAP_LRU_PERCPU_HASH: case BK_MAP_ARRAY: case BK_MAP_PERCPU_ARRAY:
		return true;
	default:
		return false;
	}
}

/* The argument setup of the map-helper call at slot K, walked backwards: `rX = r10;
 * rX += off` for the key (r2) and value (r3), `r1 = map ll`, `r4 = imm`, each register
 * once, and a 4- or 8-byte store to the frame before them (the key, usually). Fills C and returns the first slot, or -1 when the site is not of that shape. */
static long fcall_site(const struct bk_prog *p, size_t k, int op, struct bk_fcall *c)
{
	const struct bk_dinsn *code = p->code;
	unsigned set = 0;   /* bit r: register r written by the window */
	long first = -1;
	size_t j = k, nins = 1;
	while (j > 0) {
		const struct bk_dinsn *d;
		if (j >= 2 && code[j - 1].op == BK_XOP_NOP && code[j - 2].op == BK_OP_LDDW) {
			d = &code[j - 2];
			if (d->dst != 1 || (set & 2))
				break;
			set |= 2;
			c->map = (struct bk_map *)(uintptr_t)d->imm;
			j -= 2;
		} else if (j >= 2 && code[j - 1].op == BK_OP_ADD64_K && code[j - 2].op == BK_OP_MOV64_X &&
			   code[j - 2].src == BK_MAX_REG && code[j - 2].dst == code[j - 1].dst &&
			   (code[j - 1].dst == 2 || code[j - 1].dst == 3) &&
			   !(set & (1u << code[j - 1].dst)) && (int64_t)code[j - 1].imm >= -BK_VM_STACK_SIZE &&
			   (int64_t)code[j - 1].imm < 0) {
			d = &code[j - 1];
			set |= 1u << d->dst;
			if (d->dst == 2)
				c->koff = (int32_t)d->imm;
			else
				c->voff = (int32_t)d->imm;
			j -= 2;
			nins++;
		} else if ((code[j - 1].op == BK_OP_MOV64_K || code[j - 1].op == BK_OP_MOV32_K) &&
			   code[j - 1].dst == 4 && !(set & 16)) {
			d = &code[j - 1];
			set |= 16;
			c->r4 = d->op == BK_OP_MOV32_K ? (uint32_t)d->imm : d->imm;
			j -= 1;
		} else if ((code[j - 1].op == BK_OP_STX_W || code[j - 1].op == BK_OP_STX_DW ||
			    code[j - 1].op == BK_OP_ST_W || code[j - 1].op == BK_OP_ST_DW) &&
			   code[j - 1].dst == BK_MAX_REG && first >= 0 &&
			   code[j - 1].off >= -BK_VM_STACK_SIZE &&
			   code[j - 1].off <= ((code[j - 1].op == BK_OP_STX_W ||
						code[j - 1].op == BK_OP_ST_W) ? -4 : -8)) {
			/* a store that starts the window: it reads its register before the
			 * window writes any */
			d = &code[j - 1];
			bool x = d->op == BK_OP_STX_W || d->op == BK_OP_STX_DW;
			c->sreg = x ? d->src : 0xff;
			c->simm = d->imm;
			c->ssize = d->op == BK_OP_STX_W || d->op == BK_OP_ST_W ? 4 : 8;
			c->soff = d->off;
			set |= 32;
			j -= 1;
			nins++;
			first = (long)j;
			break;
		} else {
			break;
		}
		nins++;
		first = (long)j;
	}
	/* the instruction at FIRST runs as part of the handler: not counted twice */
	c->ninsns = (uint32_t)(nins - 1);
	if (first < 0 || !(set & 2) || !(set & 4) || (op != BK_FOP_MAP_UPDATE && (set & 8)))
		return -1;
	if (op == BK_FOP_MAP_UPDATE && !(set & 8))
		return -1;
	if (!bk_maps_from_ptr(bk_vm_maps(p->vm), c->map))
		return -1;
	const struct bk_map_def *def = bk_map_def(c->map);
	if (!fcall_map_ok(def) || c->koff > -(int32_t)def->key_size ||
	    (op == BK_FOP_MAP_UPDATE && c->voff > -(int32_t)def->value_size))
		return -1;
	c->set = (uint8_t)((set & 8 ? BK_FC_R3 : 0) | (set & 16 ? BK_FC_R4 : 0) |
			   (set & 32 ? BK_FC_ST : 0));
	if ((set & 32) && c->ssize == 4 && def->key_size == 4 && c->soff == c->koff)
		c->set |= BK_FC_KEYREG;
	c->vsize = def->value_size;
	c->writable = !(def->map_flags & BK_F_RDONLY_PROG);
	c->call = (uint32_t)k;
	c->jz = 0;
	if (op == BK_FOP_MAP_LOOKUP && k + 1 < p->n && code[k + 1].op == BK_OP_JEQ64_K &&
	    code[k + 1].dst == 0 && code[k + 1].imm == 0) {
		c->set |= BK_FC_JZ;
		c->jz = (uint32_t)code[k + 1].off;
		if (c->jz <= k + 1)
			c->set |= BK_FC_JZ_BACK;
		c->ninsns++;
	}
	return first;
}

/* Map-helper call sites (BK_FOP_MAP_* in F) become one BK_FOP_FMAP_* handler at the first
 * slot of their setup (fcall_site). */
static int fuse_calls(struct bk_prog *p, struct bk_dinsn *f, struct bk_fcall **out)
{
	size_t n = p->n, cnt = 0, k;
	*out = NULL;
	for (k = 0; k < n; k++)
		cnt += f[k].op == BK_FOP_MAP_LOOKUP || f[k].op == BK_FOP_MAP_UPDATE ||
		       f[k].op == BK_FOP_MAP_DELETE;
	if (!cnt)
		return 0;
	struct bk_fcall *fc = calloc(cnt, sizeof(*fc));
	if (!fc)
		return -ENOMEM;
	size_t used = 0;
	for (k = 0; k < n; k++) {
		int op = f[k].op;
		if (op != BK_FOP_MAP_LOOKUP && op != BK_FOP_MAP_UPDATE && op != BK_FOP_MAP_DELETE)
			continue;
		struct bk_fcall *c = &fc[used];
		*c = (struct bk_fcall){ .h = (const struct bk_helper *)(uintptr_t)f[k].imm };
		long first = fcall_site(p, k, op, c);
		if (first < 0)
			continue;
		f[first].op = (uint16_t)(op == BK_FOP_MAP_LOOKUP ? BK_FOP_FMAP_LOOKUP
					 : op == BK_FOP_MAP_UPDATE ? BK_FOP_FMAP_UPDATE : BK_FOP_FMAP_DELETE);
		f[first].imm = (uint64_t)(uintptr_t)c;
		used++;
	}
	*out = fc;
	return 0;
}

int bk__prog_predecode(struct bk_prog *p, struct bk_err *err)
{
	size_t n = p->n;
	struct bk_fcall *fc;
	struct bk_dinsn *f = malloc((n + 1) * sizeof(*f));
	if (!f)
		return bk_err_set(err, -ENOMEM, "out of memory");
	memcpy(f, p->code, (n + 1) * sizeof(*f));
	specialize(f, n, p->pt, p->proof);
	fuse(f, p->code, n);
	if (fuse_calls(p, f, &fc)) {
		free(f);
		return bk_err_set(err, -ENOMEM, "out of memory");
	}
	free(p->fast);
	free(p->fcalls);
	p->fast = f;
	p->fcalls = fc;
	return 0;
}

int bk_vm_load(struct bk_vm *vm, const struct bk_insn *insns, size_t n,
	       const struct bk_prog_opts *opts, struct bk_prog **out, struct bk_err *err)
{
	const char *name = BK_OPTS_GET(opts, name, NULL);
	int type = BK_OPTS_GET(opts, type, BK_PROG_RAW);
	int cpu = BK_OPTS_GET(opts, cpu, 0);
	if (out)
		*out = NULL;
	const struct bk_progtype *pt = bk_progtype_get(type);
	if (!pt)
		return bk_err_set(err, -EINVAL, "%s%sprogram type %d is not supported",
				  name ? name : "", name ? ": " : "", type);
	if (n == 0)
		return bk_err_set(err, -EINVAL, "%s%sempty program", name ? name : "",
				  name ? ": " : "");
	if (n > BK_VM_MAX_INSNS)
		return bk_err_set(err, -E2BIG, "%s%sprogram too large: %zu instructions (max %u)",
				  name ? name : "", name ? ": " : "", n, BK_VM_MAX_INSNS);
	struct bk_validate_opts vo = BK_OPTS_INIT(bk_validate_opts, .cpu = cpu ? cpu : 4,
						  .allow_pseudo = true, .check_targets = true,
						  .name = name);
	int ret = bk_isa_validate(insns, n, &vo, err);
	if (ret < 0)
		return ret;

	struct bk_prog *p = calloc(1, sizeof(*p));
	if (!p)
		return bk_err_set(err, -ENOMEM, "out of memory");
	p->vm = vm;
	p->pt = pt;
	p->n = n;
	p->insns = malloc(n * sizeof(*insns));
	/* One slot more: running off the end lands on a handler that reports it. */
	p->code = calloc(n + 1, sizeof(*p->code));
	p->name = strdup(name ? name : "");
	const char *lic = BK_OPTS_GET(opts, license, NULL);
	p->license = lic ? strdup(lic) : NULL;
	if (!p->insns || !p->code || !p->name || (lic && !p->license)) {
		ret = bk_err_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	memcpy(p->insns, insns, n * sizeof(*insns));

	for (size_t i = 0; i < n; i++) {
		const struct bk_insn *in = &insns[i];
		struct bk_dinsn *d = &p->code[i];
		enum bk_op op = bk_isa_decode(in);
		const struct bk_opinfo *info = bk_isa_info(op);
		d->op = (uint16_t)op;
		d->dst = in->dst;
		d->src = in->src;
		d->off = in->off;
		d->imm = (uint64_t)(int64_t)in->imm;
		/* r10 stays the frame pointer: the interpreter's stack bounds depend on it. */
		if (in->dst == BK_MAX_REG &&
		    (info->fmt == BK_F_ALU_K || info->fmt == BK_F_ALU_X || info->fmt == BK_F_NEG ||
		     info->fmt == BK_F_MOVSX || info->fmt == BK_F_END || info->fmt == BK_F_LDDW ||
		     info->fmt == BK_F_LDX || info->fmt == BK_F_LDXSX)) {
			ret = load_fail(err, -EINVAL, name, i, in, n - i, "%s",
					"frame pointer r10 is read only");
			goto fail;
		}
		/* A fetching atomic writes its source register: not the frame pointer either. */
		if (in->src == BK_MAX_REG && info->fmt == BK_F_ATOMIC &&
		    op != BK_OP_ATOMIC32_ADD && op != BK_OP_ATOMIC32_OR && op != BK_OP_ATOMIC32_AND &&
		    op != BK_OP_ATOMIC32_XOR && op != BK_OP_ATOMIC64_ADD && op != BK_OP_ATOMIC64_OR &&
		    op != BK_OP_ATOMIC64_AND && op != BK_OP_ATOMIC64_XOR &&
		    op != BK_OP_ATOMIC32_CMPXCHG && op != BK_OP_ATOMIC64_CMPXCHG) {
			ret = load_fail(err, -EINVAL, name, i, in, n - i, "%s",
					"frame pointer r10 is read only");
			goto fail;
		}
		/* r10 is always a stack pointer: as the kernel does, only mov and add may take it
		 * as a source operand (other arithmetic on a pointer is refused). */
		if (in->src == BK_MAX_REG && info->fmt == BK_F_ALU_X && op != BK_OP_MOV64_X &&
		    op != BK_OP_ADD64_X) {
			ret = load_fail(err, -EACCES, name, i, in, n - i, "%s",
					"src r10 (frame pointer): arithmetic on a pointer other than mov/add is not allowed");
			goto fail;
		}
		switch (info->fmt) {
		case BK_F_LDDW: {
			uint64_t lo = (uint32_t)in[0].imm, hi = (uint32_t)in[1].imm;
			struct bk_map *m;
			d->op = BK_OP_LDDW;
			p->code[i + 1].op = BK_XOP_NOP;
			switch (in->src) {
			case 0:
				d->imm = lo | hi << 32;
				break;
			case BK_PSEUDO_MAP_FD:
			case BK_PSEUDO_MAP_IDX:
				if (resolve_map(vm, opts, in->src, in->imm, &m)) {
					ret = load_fail(err, -ENOENT, name, i, in, n - i, "%s",
							"no map with this id/index");
					goto fail;
				}
				d->imm = (uint64_t)(uintptr_t)m;
				break;
			case BK_PSEUDO_MAP_VALUE:
			case BK_PSEUDO_MAP_IDX_VALUE: {
				if (resolve_map(vm, opts, in->src, in->imm, &m)) {
					ret = load_fail(err, -ENOENT, name, i, in, n - i, "%s",
							"no map with this id/index");
					goto fail;
				}
				const struct bk_map_def *def = bk_map_def(m);
				uint32_t zero = 0;
				uint8_t *v = NULL;
				if (def->type == BK_MAP_ARRAY && def->key_size == 4)
					v = bk_map_lookup(m, &zero);
				if (!v || hi >= def->value_size) {
					ret = load_fail(err, -EINVAL, name, i, in, n - i, "%s",
							"map value reference needs an array map and an offset inside its value");
					goto fail;
				}
				d->imm = (uint64_t)(uintptr_t)(v + hi);
				break;
			}
			case BK_PSEUDO_FUNC: {
				/* Checked once every slot is decoded (the target may lie ahead). */
				int64_t t = (int64_t)i + 1 + in->imm;
				if (t < 0 || t >= (int64_t)n) {
					ret = load_fail(err, -EINVAL, name, i, in, n - i, "%s",
							"function reference outside the program");
					goto fail;
				}
				d->imm = (uint64_t)t;
				break;
			}
			default:
				ret = load_fail(err, -EOPNOTSUPP, name, i, in, n - i, "%s",
						"kernel symbol (BTF id) loads are not supported");
				goto fail;
			}
			i++;
			break;
		}
		case BK_F_CALL:
			if (op == BK_OP_CALL) {
				const struct bk_helper *h = bk_vm_helper(vm, in->imm);
				if (!h) {
					const char *kn = bk_helper_name(in->imm);
					char what[96];
					snprintf(what, sizeof(what), "unknown helper %d%s%s%s", in->imm,
						 kn ? " (" : "", kn ? kn : "", kn ? ")" : "");
					ret = load_fail(err, -EOPNOTSUPP, name, i, in, n - i, "%s", what);
					goto fail;
				}
				if (h->types && !(h->types & (1ULL << pt->type))) {
					char what[128];
					snprintf(what, sizeof(what), "program of type %s cannot use helper %s",
						 pt->name, h->name);
					ret = load_fail(err, -EINVAL, name, i, in, n - i, "%s", what);
					goto fail;
				}
				d->op = BK_XOP_CALL_HELPER;
				d->imm = (uint64_t)(uintptr_t)h;
			} else if (op == BK_OP_CALL_LOCAL) {
				d->off = (int32_t)((int64_t)i + 1 + in->imm);
			} else {
				ret = load_fail(err, -EOPNOTSUPP, name, i, in, n - i, "%s",
						"kfunc calls are not supported");
				goto fail;
			}
			break;
		case BK_F_JA32:
			d->off = (int32_t)((int64_t)i + 1 + in->imm);
			break;
		case BK_F_JA:
		case BK_F_JCOND:
			d->off = (int32_t)((int64_t)i + 1 + in->off);
			break;
		case BK_F_ASCAST:
			ret = load_fail(err, -EOPNOTSUPP, name, i, in, n - i, "%s",
					"offset 1 selects addr_space_cast (arena), which is not supported");
			goto fail;
		case BK_F_LDABS:
		case BK_F_LDIND:
			if (!pt->has_ld_abs) {
				char what[96];
				snprintf(what, sizeof(what), "ld_abs/ld_ind not allowed for program type %s",
					 pt->name);
				ret = load_fail(err, -EINVAL, name, i, in, n - i, "%s", what);
				goto fail;
			}
			break;
		default:
			break;
		}
	}
	p->code[n].op = BK_XOP_NOP;
	for (size_t i = 0; i < n; i++) {
		if (p->code[i].op == BK_OP_LDDW && insns[i].src == BK_PSEUDO_FUNC) {
			if (p->code[p->code[i].imm].op == BK_XOP_NOP) {
				ret = load_fail(err, -EINVAL, name, i, &insns[i], n - i, "%s",
						"function reference into the middle of an lddw");
				goto fail;
			}
			p->code[i].imm = (uint64_t)(uintptr_t)&p->code[p->code[i].imm];
		}
	}

	size_t nmaps = BK_OPTS_GET(opts, nmaps, 0);
	struct bk_map *const *maps = BK_OPTS_GET(opts, maps, NULL);
	if (nmaps && maps) {
		p->maps = malloc(nmaps * sizeof(*p->maps));
		if (!p->maps) {
			ret = bk_err_set(err, -ENOMEM, "out of memory");
			goto fail;
		}
		memcpy(p->maps, maps, nmaps * sizeof(*p->maps));
		p->nmaps = nmaps;
	}
	ret = bk__prog_predecode(p, err);
	if (ret < 0)
		goto fail;

	if (vm->nprogs == vm->cap_progs) {
		size_t cap = vm->cap_progs ? vm->cap_progs * 2 : 8;
		struct bk_prog **np = realloc(vm->progs, cap * sizeof(*np));
		if (!np) {
			ret = bk_err_set(err, -ENOMEM, "out of memory");
			goto fail;
		}
		vm->progs = np;
		vm->cap_progs = cap;
	}
	vm->progs[vm->nprogs++] = p;
	p->id = (uint32_t)vm->nprogs;
	/* a program the verifier cannot prove runs with every check: not a load error */
	if (BK_OPTS_GET(opts, prove, false))
		bk_prog_prove(p, NULL);
	if (out)
		*out = p;
	return 0;
fail:
	free(p->maps);
	free(p->insns);
	free(p->code);
	free(p->fast);
	free(p->fcalls);
	free(p->name);
	free(p->license);
	free(p);
	return ret;
}

void bk_prog_free(struct bk_prog *prog)
{
	if (!prog)
		return;
	struct bk_vm *vm = prog->vm;
	if (vm && prog->id && prog->id <= vm->nprogs && vm->progs[prog->id - 1] == prog)
		vm->progs[prog->id - 1] = NULL;
	if (prog->jit_free)
		prog->jit_free(prog->jit);
	free(prog->insns);
	free(prog->code);
	free(prog->fast);
	free(prog->fcalls);
	free(prog->proof);
	free(prog->maps);
	free(prog->name);
	free(prog->license);
	free(prog);
}

struct bk_prog *bk_vm_prog_by_id(const struct bk_vm *vm, uint32_t id)
{
	if (!id || id > vm->nprogs)
		return NULL;
	return vm->progs[id - 1];
}

struct bk_prog *bk_vm_prog_by_name(const struct bk_vm *vm, const char *name)
{
	for (size_t i = 0; i < vm->nprogs; i++)
		if (vm->progs[i] && !strcmp(vm->progs[i]->name, name))
			return vm->progs[i];
	return NULL;
}

uint32_t bk_prog_id(const struct bk_prog *prog) { return prog->id; }
const char *bk_prog_name(const struct bk_prog *prog) { return prog->name; }
enum bk_prog_type bk_prog_type(const struct bk_prog *prog) { return prog->pt->type; }
const struct bk_progtype *bk_prog_progtype(const struct bk_prog *prog) { return prog->pt; }
struct bk_vm *bk_prog_vm(const struct bk_prog *prog) { return prog->vm; }

const struct bk_insn *bk_prog_insns(const struct bk_prog *prog, size_t *n)
{
	if (n)
		*n = prog->n;
	return prog->insns;
}

/* bpf_tail_call(ctx, prog_array, index): on any miss the program goes on, r0 unchanged
 * in meaning (the kernel gives no value; we return a negative errno). */
static uint64_t helper_tail_call(struct bk_run *run, uint64_t ctx, uint64_t map, uint64_t idx,
				 uint64_t r4, uint64_t r5)
{
	struct bk_map *m = bk_maps_from_ptr(run->vm->maps, (const void *)(uintptr_t)map);
	if (!m || bk_map_def(m)->type != BK_MAP_PROG_ARRAY)
		return bk_run_fail(run, -EINVAL, "bpf_tail_call: argument 2 is not a prog_array map");
	uint32_t key = (uint32_t)idx;
	if (key >= bk_map_def(m)->max_entries)
		return (uint64_t)-ENOENT;
	uint32_t id = 0;
	/* Program-side lookups of a prog_array are not a thing; read the slot as bpf(2) does. */
	if (bk_map_sys_lookup(m, &key, &id, 0, NULL))
		return (uint64_t)-ENOENT;
	struct bk_prog *target = bk_vm_prog_by_id(run->vm, id);
	if (!target || target->pt != run->prog->pt)
		return (uint64_t)-ENOENT;
	return (uint64_t)(int64_t)bk_run_tail_call(run, target);
}
