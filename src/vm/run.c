/* Running programs: the memory model's slow path, context accesses, the helper-side API,
 * and the test-run setup of each program type (BPF_PROG_TEST_RUN semantics). */
#include "vm_internal.h"

#include "bpfkit/disasm.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ETH_HLEN 14

int bk__fault(struct bk_run *run, const struct bk_prog *prog, size_t pc, int code,
	      const char *fmt, ...)
{
	char msg[384], text[128] = "end of program";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pc < prog->n) {
		struct bk_print_opts po = BK_OPTS_INIT(bk_print_opts, .syntax = BK_SYNTAX_LLVM);
		bk_insn_format(&prog->insns[pc], prog->n - pc, &po, text, sizeof(text));
	}
	bk_err_set(run->err, code, "%s%sinsn %zu (%s): %s", prog->name,
		   prog->name[0] ? ": " : "", pc, text, msg);
	run->pending |= BK_PEND_FAIL;
	if (!run->err_code)
		run->err_code = code;
	return run->err_code;
}

static void why(struct bk_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void why(struct bk_run *run, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(run->why, sizeof(run->why), fmt, ap);
	va_end(ap);
}

static bool in_range(uint64_t a, uint64_t len, uint64_t start, uint64_t size)
{
	return size >= len && a - start <= size - len;
}

/* Stack frames of the running call chain: [top - (depth+1)*512, top). */
static bool in_stack(const struct bk_run *run, uint64_t a, uint64_t len)
{
	uint64_t top = (uint64_t)(uintptr_t)run->stack + BK_VM_STACK_TOTAL;
	uint64_t span = (uint64_t)(run->depth + 1) * BK_VM_STACK_SIZE;
	return in_range(a, len, top - span, span);
}

int bk__mem_slow(struct bk_run *run, uint64_t addr, uint32_t size, bool write,
		 struct bk_region *cache)
{
	const char *what = write ? "write" : "read";
	for (int i = 0; i < run->nregions; i++) {
		const struct bk_region *r = &run->regions[i];
		if (!in_range(addr, size, r->start, r->size))
			continue;
		if (r->kind == BK_REG_CTX)
			return 1;
		if (write && !r->writable) {
			why(run, "invalid write of %u bytes at 0x%llx: read-only memory", size,
			    (unsigned long long)addr);
			return -EACCES;
		}
		*cache = *r;
		return 0;
	}
	struct bk_map_region mr;
	if (bk_maps_find_region(run->vm->maps, (const void *)(uintptr_t)addr, size, &mr) == 0) {
		if (write && !mr.writable) {
			why(run, "invalid write of %u bytes at 0x%llx: read-only map value (%s)", size,
			    (unsigned long long)addr, bk_map_name(mr.map));
			return -EACCES;
		}
		*cache = (struct bk_region){ (uint64_t)(uintptr_t)mr.start, mr.size, mr.writable,
					     BK_REG_MEM };
		return 0;
	}
	uint64_t base = (uint64_t)(uintptr_t)run->stack;
	if (in_range(addr, size, base, BK_VM_STACK_TOTAL))
		why(run, "invalid %s of %u bytes at 0x%llx: stack outside the current frames (r10%+lld)",
		    what, size, (unsigned long long)addr,
		    (long long)(addr - (base + BK_VM_STACK_TOTAL - (uint64_t)run->depth * BK_VM_STACK_SIZE)));
	else if (run->ctx && addr - (uint64_t)(uintptr_t)run->ctx < run->ctx_size + 8)
		why(run, "invalid %s of %u bytes at 0x%llx: crosses the end of the context",
		    what, size, (unsigned long long)addr);
	else
		why(run, "invalid %s of %u bytes at 0x%llx: not in the stack, context, packet or a map value",
		    what, size, (unsigned long long)addr);
	return -EFAULT;
}

static const struct bk_ctx_field *ctx_field(struct bk_run *run, uint64_t addr, uint32_t size,
					    bool write, uint32_t *off)
{
	*off = (uint32_t)(addr - (uint64_t)(uintptr_t)run->ctx);
	const struct bk_ctx_field *f = bk_progtype_ctx_access(run->pt, *off, size, write);
	if (!f)
		why(run, "invalid bpf_context access off=%u size=%u (%s %s)", *off, size,
		    run->pt->name, write ? "write" : "read");
	return f;
}

int bk__ctx_load(struct bk_run *run, uint64_t addr, uint32_t size, uint64_t *val)
{
	uint32_t off;
	const struct bk_ctx_field *f = ctx_field(run, addr, size, false, &off);
	if (!f)
		return -EACCES;
	switch (f->kind) {
	case BK_CTX_PKT_DATA:
		*val = (uint64_t)(uintptr_t)run->pkt.data;
		return 0;
	case BK_CTX_PKT_END:
		*val = (uint64_t)(uintptr_t)run->pkt.end;
		return 0;
	case BK_CTX_PKT_META:
		*val = (uint64_t)(uintptr_t)run->pkt.meta;
		return 0;
	case BK_CTX_SOCK_OR_NULL:
		*val = 0; /* no socket behind the runtime's packets */
		return 0;
	case BK_CTX_LEN: {
		uint32_t len = (uint32_t)(run->pkt.end - run->pkt.data);
		uint64_t v = 0;
		memcpy(&v, (uint8_t *)&len + (off - f->off), size);
		*val = v;
		return 0;
	}
	default: {
		uint64_t v = 0;
		memcpy(&v, run->ctx + off, size);
		*val = v;
		return 0;
	}
	}
}

int bk__ctx_store(struct bk_run *run, uint64_t addr, uint32_t size, uint64_t val)
{
	uint32_t off;
	const struct bk_ctx_field *f = ctx_field(run, addr, size, true, &off);
	if (!f)
		return -EACCES;
	memcpy(run->ctx + off, &val, size);
	return 0;
}

/* ---- the helper-side API ---- */

static void *mem_check(struct bk_run *run, uint64_t addr, uint64_t len, bool write)
{
	if (len == 0)
		return (void *)(uintptr_t)(addr ? addr : 1);
	if (addr + len < addr)
		return NULL;
	if (in_stack(run, addr, len))
		return (void *)(uintptr_t)addr;
	for (int i = 0; i < run->nregions; i++) {
		const struct bk_region *r = &run->regions[i];
		if (r->kind == BK_REG_MEM && in_range(addr, len, r->start, r->size))
			return (!write || r->writable) ? (void *)(uintptr_t)addr : NULL;
	}
	struct bk_map_region mr;
	if (bk_maps_find_region(run->vm->maps, (const void *)(uintptr_t)addr, len, &mr) == 0)
		return (!write || mr.writable) ? (void *)(uintptr_t)addr : NULL;
	return NULL;
}

void *bk_run_mem_try(struct bk_run *run, uint64_t addr, uint64_t len, bool write)
{
	return mem_check(run, addr, len, write);
}

void *bk_run_mem(struct bk_run *run, uint64_t addr, uint64_t len, bool write)
{
	void *p = mem_check(run, addr, len, write);
	if (!p)
		bk_run_fail(run, -EFAULT, "invalid memory %s of %llu bytes at 0x%llx",
			    write ? "write" : "read", (unsigned long long)len,
			    (unsigned long long)addr);
	return p;
}

int bk_run_add_region(struct bk_run *run, void *start, size_t size, bool writable)
{
	if (run->nregions >= BK_VM_MAX_REGIONS)
		return -ENOSPC;
	run->regions[run->nregions++] = (struct bk_region){ (uint64_t)(uintptr_t)start, size,
							    writable, BK_REG_MEM };
	return 0;
}

uint64_t bk_run_fail(struct bk_run *run, int code, const char *fmt, ...)
{
	if (run->pending & BK_PEND_FAIL)
		return 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(run->why, sizeof(run->why), fmt, ap);
	va_end(ap);
	run->pending |= BK_PEND_FAIL;
	run->err_code = code < 0 ? code : -EINVAL;
	return 0;
}

uint64_t bk_run_stop(struct bk_run *run, uint64_t retval)
{
	run->pending |= BK_PEND_STOP;
	run->stop_r0 = retval;
	return retval;
}

int bk_run_call(struct bk_run *run, uint64_t func, const uint64_t args[5], uint64_t *r0)
{
	struct bk_prog *p = run->prog;
	uint64_t rel = func - (uint64_t)(uintptr_t)p->code;
	if (rel >= p->n * sizeof(struct bk_dinsn) || rel % sizeof(struct bk_dinsn)) {
		bk_run_fail(run, -EINVAL, "callback 0x%llx is not a function of the program",
			    (unsigned long long)func);
		return -EINVAL;
	}
	if (run->depth + 1 >= BK_VM_MAX_DEPTH) {
		bk_run_fail(run, -E2BIG, "callback exceeds the call depth of %d frames",
			    BK_VM_MAX_DEPTH);
		return -E2BIG;
	}
	uint32_t depth = run->depth;
	if (run->budget <= 1) {
		bk_run_fail(run, -ELOOP, "step budget exhausted in a callback");
		return -ELOOP;
	}
	run->budget--;
	run->stats.calls++;
	run->depth = depth + 1;
	int ret = (run->count_insns ? bk__interp_count : bk__interp)(
		run, p, (uint32_t)(rel / sizeof(struct bk_dinsn)), args, r0);
	run->depth = depth;
	run->prog = p;
	if (ret < 0)
		return ret;
	if (run->pending & BK_PEND_STOP)
		return -ECANCELED;
	return 0;
}

int bk_run_tail_call(struct bk_run *run, struct bk_prog *prog)
{
	if (run->stats.tail_calls >= BK_VM_MAX_TAIL_CALLS)
		return -E2BIG;
	run->tail_target = prog;
	run->pending |= BK_PEND_TAIL;
	return 0;
}

struct bk_vm *bk_run_vm(struct bk_run *run) { return run->vm; }
struct bk_prog *bk_run_prog(struct bk_run *run) { return run->prog; }
struct bk_maps *bk_run_maps(struct bk_run *run) { return run->vm->maps; }
void *bk_run_user(struct bk_run *run) { return run->user; }
struct bk_buf *bk_run_trace(struct bk_run *run) { return run->trace; }
uint32_t bk_run_cpu(struct bk_run *run) { return run->cpu; }
const struct bk_helper *bk_run_helper(struct bk_run *run) { return run->helper; }
struct bk_redirect *bk_run_redirect(struct bk_run *run) { return &run->redirect; }

uint32_t bk_run_prandom(struct bk_run *run)
{
	/* splitmix64: reproducible for a given seed, good enough for a test runtime. */
	uint64_t z = (run->vm->seed += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

struct bk_packet *bk_run_packet(struct bk_run *run)
{
	return run->has_pkt ? &run->pkt : NULL;
}

void bk_run_packet_changed(struct bk_run *run)
{
	if (!run->has_pkt || run->pkt_region < 0)
		return;
	struct bk_region *r = &run->regions[run->pkt_region];
	r->start = (uint64_t)(uintptr_t)run->pkt.meta;
	r->size = (uint64_t)(run->pkt.end - run->pkt.meta);
}

void *bk_run_ctx(struct bk_run *run, size_t *size)
{
	if (size)
		*size = run->ctx_size;
	return run->ctx;
}

/* ---- runs ---- */

void bk__run_init(struct bk_run *run, struct bk_prog *prog)
{
	memset(run, 0, sizeof(*run));
	run->vm = prog->vm;
	run->prog = prog;
	run->pt = prog->pt;
	run->pkt_region = -1;
	run->err = &run->errbuf;
}

void bk__run_fini(struct bk_run *run)
{
	free(run->stack);
	run->stack = NULL;
}

/* One execution of the root program from its first slot, with per-run state reset
 * (the memory the test run set up is kept, as the kernel's repeat does). */
int bk__run_once(struct bk_run *run, struct bk_prog *root, const uint64_t args[5], uint64_t *r0)
{
	run->prog = root;
	run->pending = 0;
	run->err_code = 0;
	run->depth = 0;
	run->budget = run->budget_init;
	run->may_goto = BK_VM_MAY_GOTO_MAX;
	run->nregions = run->nfixed;
	memset(&run->stats, 0, sizeof(run->stats));
	memset(&run->redirect, 0, sizeof(run->redirect));
	*r0 = 0;
	int ret = root->jit_run && !run->count_insns
		? root->jit_run(run, root, args, r0)
		: (run->count_insns ? bk__interp_count : bk__interp)(run, root, 0, args, r0);
	return bk__run_end(run, ret, r0);
}

static int add_fixed(struct bk_run *run, void *start, size_t size, bool writable, int kind)
{
	run->regions[run->nregions++] = (struct bk_region){ (uint64_t)(uintptr_t)start, size,
							    writable, (uint8_t)kind };
	run->nfixed = run->nregions;
	return run->nregions - 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int bk_prog_exec(struct bk_prog *prog, const struct bk_exec_opts *opts, uint64_t *r0,
		 struct bk_run_stats *stats, struct bk_err *err)
{
	struct bk_run run;
	bk__run_init(&run, prog);
	uint64_t args[5] = { 0 };
	if (BK_OPTS_HAS(opts, args))
		memcpy(args, opts->args, sizeof(args));
	const struct bk_mem_region *regs = BK_OPTS_GET(opts, regions, NULL);
	size_t nregs = BK_OPTS_GET(opts, nregions, 0);
	if (nregs > BK_VM_MAX_REGIONS / 2)
		return bk_err_set(err, -E2BIG, "too many memory regions (%zu, max %d)", nregs,
				  BK_VM_MAX_REGIONS / 2);
	for (size_t i = 0; i < nregs; i++)
		add_fixed(&run, regs[i].start, regs[i].size, regs[i].writable, BK_REG_MEM);
	uint64_t budget = BK_OPTS_GET(opts, budget, 0);
	run.budget_init = budget ? budget : BK_VM_DEFAULT_BUDGET;
	run.count_insns = BK_OPTS_GET(opts, count_insns, false);
	run.trace = BK_OPTS_GET(opts, trace, NULL);
	run.user = BK_OPTS_GET(opts, user, NULL);
	run.stack = calloc(1, BK_VM_STACK_TOTAL);
	if (!run.stack)
		return bk_err_set(err, -ENOMEM, "out of memory");
	uint64_t v = 0;
	int ret = bk__run_once(&run, prog, args, &v);
	if (stats)
		*stats = run.stats;
	if (ret < 0)
		bk_err_set(err, ret, "%s", run.errbuf.msg);
	else if (r0)
		*r0 = v;
	bk__run_fini(&run);
	return ret;
}

void bk_run_result_free(struct bk_run_result *res)
{
	if (!res)
		return;
	bk_buf_free(&res->data_out);
	bk_buf_free(&res->ctx_out);
}

/* __sk_buff fields a test run may set through ctx_in (the kernel's
 * convert___skb_to_skb); every other byte must be zero. */
static const struct { uint16_t off, size; } skb_ctx_in[] = {
	{ 8, 4 },      /* mark */
	{ 32, 4 },     /* priority */
	{ 36, 4 },     /* ingress_ifindex */
	{ 40, 4 },     /* ifindex */
	{ 48, 20 },    /* cb */
	{ 152, 8 },    /* tstamp */
	{ 160, 4 },    /* wire_len */
	{ 164, 4 },    /* gso_segs */
	{ 176, 4 },    /* gso_size */
	{ 184, 8 },    /* hwtstamp */
};
#define NSKB_IN (sizeof(skb_ctx_in) / sizeof(skb_ctx_in[0]))

static int check_ctx_in(const uint8_t *c, size_t n, size_t full, const uint16_t (*keep)[2],
			size_t nkeep, const char *what, struct bk_err *err)
{
	if (n > full)
		return bk_err_set(err, -EINVAL, "ctx_in: %zu bytes, larger than %s (%zu)", n, what,
				  full);
	for (size_t i = 0; i < n; i++) {
		bool ok = false;
		for (size_t k = 0; k < nkeep; k++)
			if (i >= keep[k][0] && i < (size_t)keep[k][0] + keep[k][1])
				ok = true;
		if (!ok && c[i])
			return bk_err_set(err, -EINVAL,
					  "ctx_in: byte %zu of %s must be zero in a test run", i, what);
	}
	return 0;
}

static void put32(uint8_t *ctx, size_t off, uint32_t v)
{
	memcpy(ctx + off, &v, 4);
}

int bk_prog_test_run(struct bk_prog *prog, const struct bk_run_opts *opts,
		     struct bk_run_result *res, struct bk_err *err)
{
	const struct bk_progtype *pt = prog->pt;
	const uint8_t *din = BK_OPTS_GET(opts, data_in, NULL);
	size_t dlen = BK_OPTS_GET(opts, data_size_in, 0);
	const uint8_t *cin = BK_OPTS_GET(opts, ctx_in, NULL);
	size_t clen = BK_OPTS_GET(opts, ctx_size_in, 0);
	uint32_t repeat = BK_OPTS_GET(opts, repeat, 0);
	uint64_t budget = BK_OPTS_GET(opts, budget, 0);
	uint8_t *mem = NULL, *ctx = NULL;
	uint64_t args[5] = { 0 };
	/* xdp: the user's xdp_md (what ctx_out reports), the metadata and linear lengths, and
	 * the bytes past the linear part (the kernel's fragments: not visible to the program,
	 * returned in data_out) */
	uint32_t xmd_in[6] = { 0 };
	size_t metalen = 0, linear = dlen, fraglen = 0;
	int ret;

	memset(res, 0, sizeof(*res));
	if (!din)
		dlen = 0;
	if (!cin)
		clen = 0;
	if (repeat == 0)
		repeat = 1;
	struct bk_run run;
	bk__run_init(&run, prog);
	run.budget_init = budget ? budget : BK_VM_DEFAULT_BUDGET;
	run.count_insns = BK_OPTS_GET(opts, count_insns, false);
	run.trace = BK_OPTS_GET(opts, trace, NULL);
	run.user = BK_OPTS_GET(opts, user, NULL);
	run.cpu = BK_OPTS_GET(opts, cpu, 0);
	run.stack = calloc(1, BK_VM_STACK_TOTAL);
	if (!run.stack)
		return bk_err_set(err, -ENOMEM, "out of memory");

	if (pt->type == BK_PROG_RAW) {
		if (clen)
			bk_err_set(err, -EINVAL, "ctx_in: a raw program takes no context");
		if (clen) {
			ret = -EINVAL;
			goto out;
		}
		if (dlen) {
			mem = malloc(dlen);
			if (!mem) {
				ret = bk_err_set(err, -ENOMEM, "out of memory");
				goto out;
			}
			memcpy(mem, din, dlen);
			add_fixed(&run, mem, dlen, true, BK_REG_MEM);
		}
		args[0] = (uint64_t)(uintptr_t)mem;
		args[1] = dlen;
	} else {
		if (dlen < ETH_HLEN) {
			ret = bk_err_set(err, -EINVAL, "data_in: %zu bytes, a packet needs at least %d",
					 dlen, ETH_HLEN);
			goto out;
		}
		if (pt->type == BK_PROG_XDP && clen) {
			/* The kernel's test run (bpf_prog_test_run_xdp): data_in is the metadata
			 * (xdp_md.data bytes) then the packet up to xdp_md.data_end; what follows
			 * goes to fragments. */
			memcpy(xmd_in, cin, clen < sizeof(xmd_in) ? clen : sizeof(xmd_in));
			ret = 0;
			if (clen > sizeof(xmd_in))
				ret = check_ctx_in(cin, clen, sizeof(xmd_in), NULL, 0, "struct xdp_md", err);
			else if (xmd_in[2])
				ret = bk_err_set(err, -EINVAL, "ctx_in: xdp_md.data_meta must be 0");
			else if (xmd_in[1] > dlen || xmd_in[0] > xmd_in[1])
				ret = bk_err_set(err, -EINVAL,
						 "ctx_in: xdp_md.data %u, data_end %u: need data <= data_end <= %zu (the data_in size)",
						 xmd_in[0], xmd_in[1], dlen);
			else if ((xmd_in[0] & 3) || xmd_in[0] > 32)
				ret = bk_err_set(err, -EINVAL,
						 "ctx_in: xdp_md.data %u: metadata is a multiple of 4 bytes, at most 32",
						 xmd_in[0]);
			else if (xmd_in[5])
				ret = bk_err_set(err, -EINVAL, "ctx_in: xdp_md.egress_ifindex must be 0");
			else if (!xmd_in[3] && xmd_in[4])
				ret = bk_err_set(err, -EINVAL,
						 "ctx_in: xdp_md.rx_queue_index needs an ingress_ifindex");
			if (ret < 0)
				goto out;
			metalen = xmd_in[0];
			linear = xmd_in[1] - metalen;
			fraglen = dlen - xmd_in[1];
		}
		size_t head = pt->headroom ? pt->headroom : 64;
		size_t bufsz = pt->type == BK_PROG_XDP ? (size_t)pt->headroom + pt->tailroom
						       : head + dlen + 64;
		if (head + linear > bufsz) {
			ret = bk_err_set(err, -E2BIG, "data_in: %zu bytes, larger than the %zu an %s frame holds",
					 linear, bufsz - head, pt->name);
			goto out;
		}
		mem = calloc(1, bufsz);
		ctx = calloc(1, pt->ctx_size);
		if (!mem || !ctx) {
			ret = bk_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		memcpy(mem + head - metalen, din, metalen + linear);
		run.has_pkt = true;
		run.pkt.buf = mem;
		run.pkt.buf_size = bufsz;
		run.pkt.frame = mem + head;
		run.pkt.data = mem + head + (pt->skip_eth ? ETH_HLEN : 0);
		run.pkt.meta = mem + head - metalen;
		run.pkt.end = mem + head + linear;
		run.ctx = ctx;
		run.ctx_size = pt->ctx_size;
		if (pt->type == BK_PROG_XDP) {
			memcpy(ctx + 12, &xmd_in[3], 8);  /* ingress_ifindex, rx_queue_index */
			uint32_t ifi;
			memcpy(&ifi, ctx + 12, 4);
			if (!ifi)
				put32(ctx, 12, 1);  /* the loopback device, as the kernel's test run */
		} else {
			uint16_t keep[NSKB_IN][2];
			for (size_t k = 0; k < NSKB_IN; k++) {
				keep[k][0] = skb_ctx_in[k].off;
				keep[k][1] = skb_ctx_in[k].size;
			}
			if ((ret = check_ctx_in(cin, clen, pt->ctx_size, (const uint16_t (*)[2])keep,
						NSKB_IN, "struct __sk_buff", err)))
				goto out;
			if (clen)
				memcpy(ctx, cin, clen);
			const uint8_t *eth = run.pkt.frame;
			uint16_t proto;
			memcpy(&proto, eth + 12, 2);
			if ((eth[12] << 8 | eth[13]) < 0x600) {
				/* a length, not an ethertype: eth_type_trans says raw 802.3 when the
				 * payload starts with 0xffff, else 802.2 (LLC) */
				uint8_t p8[2] = { 0, linear >= ETH_HLEN + 2 && eth[14] == 0xff && eth[15] == 0xff ? 1 : 4 };
				memcpy(&proto, p8, 2);
			}
			put32(ctx, 16, proto);  /* skb->protocol, network byte order as the kernel keeps it */
			static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
			static const uint8_t zero[6] = { 0 };
			uint32_t pkt_type = (eth[0] & 1) ? (memcmp(eth, bcast, 6) ? 2 : 1)
							  : (memcmp(eth, zero, 6) ? 3 : 0);
			put32(ctx, 4, pkt_type);
			uint32_t ifi;
			memcpy(&ifi, ctx + 40, 4);
			if (!ifi)
				put32(ctx, 40, 1);
		}
		run.pkt_region = add_fixed(&run, run.pkt.meta, (size_t)(run.pkt.end - run.pkt.meta),
					   pt->packet_writable, BK_REG_MEM);
		add_fixed(&run, ctx, pt->ctx_size, false, BK_REG_CTX);
		args[0] = (uint64_t)(uintptr_t)ctx;
	}

	uint64_t r0 = 0, t0 = now_ns();
	/* the JIT's own loop sets its per-run state up once, not per repeat */
	if (prog->jit_repeat && !run.count_insns)
		ret = prog->jit_repeat(&run, prog, args, repeat, &r0);
	else
		for (uint32_t i = 0; i < repeat; i++)
			if ((ret = bk__run_once(&run, prog, args, &r0)) < 0)
				break;
	if (ret < 0) {
		bk_err_set(err, ret, "%s", run.errbuf.msg);
		goto out;
	}
	uint64_t t1 = now_ns();
	res->duration_ns = (t1 - t0) / repeat;
	res->retval = pt->retval_bits == 32 ? (uint32_t)r0 : r0;
	res->stats = run.stats;
	res->stopped = (run.pending & BK_PEND_STOP) != 0;
	if (pt->type == BK_PROG_RAW) {
		if (dlen && bk_buf_append(&res->data_out, mem, dlen))
			ret = -ENOMEM;
	} else if (pt->type == BK_PROG_XDP) {
		/* As the kernel reports it (xdp_convert_buff_to_md): data and data_end as offsets
		 * from data_meta, data_meta 0, the ifindex and queue as the caller gave them. */
		uint32_t xmd[6] = { (uint32_t)(run.pkt.data - run.pkt.meta),
				    (uint32_t)(run.pkt.end - run.pkt.meta), 0, xmd_in[3], xmd_in[4], 0 };
		if (bk_buf_append(&res->data_out, run.pkt.meta, (size_t)(run.pkt.end - run.pkt.meta)) ||
		    bk_buf_append(&res->data_out, din + dlen - fraglen, fraglen) ||
		    bk_buf_append(&res->ctx_out, xmd, sizeof(xmd)))
			ret = -ENOMEM;
	} else {
		const uint8_t *from = pt->skip_eth ? run.pkt.data - ETH_HLEN : run.pkt.data;
		size_t n = (size_t)(run.pkt.end - from);
		if (bk_buf_append(&res->data_out, from, n))
			ret = -ENOMEM;
		else if (pt->skip_eth)
			memset(res->data_out.data, 0, ETH_HLEN);
		/* ctx_out: ctx_in with the fields the kernel copies back. */
		uint8_t out[192] = { 0 };
		memcpy(out, cin ? cin : out, clen);
		for (size_t k = 0; k < NSKB_IN; k++)
			memcpy(out + skb_ctx_in[k].off, ctx + skb_ctx_in[k].off, skb_ctx_in[k].size);
		if (!ret && bk_buf_append(&res->ctx_out, out, sizeof(out)))
			ret = -ENOMEM;
	}
	if (ret)
		bk_err_set(err, ret, "out of memory");
out:
	if (ret < 0)
		bk_run_result_free(res);
	free(mem);
	free(ctx);
	bk__run_fini(&run);
	return ret;
}
