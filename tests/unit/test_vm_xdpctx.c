/* The xdp test run's context, against the kernel's BPF_PROG_TEST_RUN: ctx_in's data
 * (metadata length) and data_end (linear length; the rest are fragments), and ctx_out's
 * data/data_end (offsets from data_meta) after bpf_xdp_adjust_head/meta. The same programs
 * and inputs run in bpfkit and in the kernel; return value, data_out and ctx_out must be
 * identical, and a ctx_in the kernel refuses is refused. */
#define VM_INSNS_ONLY
#include "vm_insns.h"

#include "bpfkit/helpers.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#if BK_HAVE_KERN
#include <bpf/bpf.h>
#include <linux/bpf.h>
#endif

/* r6 = ctx; adjust_head(HEAD); adjust_meta(META);
 * r0 = (adjust results != 0) << 31 | (data - meta) << 16 | (data_end - data) */
static size_t prog(struct bk_insn *p, int head, int meta)
{
	size_t n = 0;
	p[n++] = MOVX(6, 1);
	p[n++] = MOV(7, 0);
	p[n++] = MOV(2, head);
	p[n++] = CALL(44);                      /* bpf_xdp_adjust_head */
	p[n++] = ORX(7, 0);
	p[n++] = MOVX(1, 6);
	p[n++] = MOV(2, meta);
	p[n++] = CALL(54);                      /* bpf_xdp_adjust_meta */
	p[n++] = ORX(7, 0);
	p[n++] = LDX(SZ_W, 2, 6, 0);            /* data */
	p[n++] = LDX(SZ_W, 3, 6, 4);            /* data_end */
	p[n++] = LDX(SZ_W, 4, 6, 8);            /* data_meta */
	p[n++] = SUBX(3, 2);                    /* r3 = end - data */
	p[n++] = SUBX(2, 4);                    /* r2 = data - meta */
	p[n++] = LSHK(2, 16);
	p[n++] = ORX(2, 3);
	p[n++] = MOV(0, 0);
	p[n++] = JEQK(7, 0, 1);
	p[n++] = MOV(0, 1);
	p[n++] = LSHK(0, 31);
	p[n++] = ORX(0, 2);
	p[n++] = EXIT;
	return n;
}

struct xmd { uint32_t data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex; };

struct outcome {
	int ret;
	uint32_t retval;
	uint8_t out[512];
	uint32_t out_len;
	struct xmd ctx;
};

static void bk_side(struct bk_vm *vm, const struct bk_insn *p, size_t n, const uint8_t *pkt,
		    size_t len, const struct xmd *in, struct outcome *o)
{
	struct bk_prog *prog;
	struct bk_err e = { 0 };
	struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .type = BK_PROG_XDP);
	memset(o, 0, sizeof(*o));
	if ((o->ret = bk_vm_load(vm, p, n, &po, &prog, &e)))
		return;
	struct bk_run_opts ro = BK_OPTS_INIT(bk_run_opts, .data_in = pkt, .data_size_in = len,
					     .ctx_in = in, .ctx_size_in = in ? sizeof(*in) : 0);
	struct bk_run_result res;
	o->ret = bk_prog_test_run(prog, &ro, &res, &e);
	if (!o->ret) {
		o->retval = (uint32_t)res.retval;
		o->out_len = (uint32_t)(res.data_out.len < sizeof(o->out) ? res.data_out.len : sizeof(o->out));
		memcpy(o->out, res.data_out.data, o->out_len);
		if (res.ctx_out.len == sizeof(o->ctx))
			memcpy(&o->ctx, res.ctx_out.data, sizeof(o->ctx));
		bk_run_result_free(&res);
	}
	bk_prog_free(prog);
}

#if BK_HAVE_KERN
static void kern_side(int fd, const uint8_t *pkt, size_t len, const struct xmd *in,
		      struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	/* ctx_out only with ctx_in: without one the kernel tests a zeroed xdp_md (an empty
	 * linear part), which bpfkit's API cannot ask for */
	LIBBPF_OPTS(bpf_test_run_opts, to, .data_in = pkt, .data_size_in = (uint32_t)len,
		    .data_out = o->out, .data_size_out = sizeof(o->out));
	if (in) {
		to.ctx_in = in;
		to.ctx_size_in = sizeof(*in);
		to.ctx_out = &o->ctx;
		to.ctx_size_out = sizeof(o->ctx);
	}
	o->ret = bpf_prog_test_run_opts(fd, &to) ? -errno : 0;
	o->retval = to.retval;
	o->out_len = to.data_size_out;
}
#endif

int main(void)
{
#if !BK_HAVE_KERN
	printf("skip xdp ctx agreement: built without libbpf\n");
	return 0;
#else
	if (geteuid() != 0) {
		printf("skip xdp ctx agreement: not root (BPF_PROG_TEST_RUN needs CAP_BPF)\n");
		return 0;
	}
	struct bk_vm *vm = bk_vm_new(NULL);
	struct bk_err e = { 0 };
	if (!vm || bk_helpers_install(vm, &e)) {
		printf("not ok vm: %s\n", e.msg);
		return 1;
	}
	uint8_t pkt[96];
	for (size_t i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)(i * 7 + 1);
	static const int adj[][2] = { { 0, 0 }, { -8, -4 }, { 8, 0 }, { 0, -8 } };
	static const struct xmd ins[] = {
		{ 0, 96, 0, 0, 0, 0 },     /* the whole input is the linear packet */
		{ 8, 96, 0, 0, 0, 0 },     /* 8 bytes of metadata first */
		{ 0, 64, 0, 0, 0, 0 },     /* 32 bytes of fragments */
		{ 4, 40, 0, 1, 0, 0 },     /* metadata, fragments, the loopback device */
		{ 0, 96, 4, 0, 0, 0 },     /* refused: data_meta set */
		{ 0, 100, 0, 0, 0, 0 },    /* refused: data_end beyond data_in */
		{ 6, 96, 0, 0, 0, 0 },     /* refused: metadata not a multiple of 4 */
		{ 16, 8, 0, 0, 0, 0 },     /* refused: data after data_end */
		{ 0, 96, 0, 0, 0, 3 },     /* refused: egress_ifindex */
		{ 0, 96, 0, 0, 2, 0 },     /* refused: a queue without a device */
	};
	for (size_t a = 0; a < N(adj); a++) {
		struct bk_insn p[32];
		size_t n = prog(p, adj[a][0], adj[a][1]);
		int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "bk_xdpctx", "GPL", (const struct bpf_insn *)p,
				       n, NULL);
		if (fd < 0) {
			printf("skip xdp ctx agreement: kernel refused loading (%s)\n", strerror(errno));
			break;
		}
		for (int v = -1; v < (int)N(ins); v++) {
			const struct xmd *in = v < 0 ? NULL : &ins[v];
			struct outcome b, k;
			bk_side(vm, p, n, pkt, sizeof(pkt), in, &b);
			kern_side(fd, pkt, sizeof(pkt), in, &k);
			char name[128];
			snprintf(name, sizeof(name), "head %d meta %d ctx_in %d", adj[a][0], adj[a][1], v);
			if (k.ret || b.ret) {
				CHECKF((k.ret != 0) == (b.ret != 0), "%s: both refuse or both run (kernel %d, bpfkit %d)",
				       name, k.ret, b.ret);
				continue;
			}
			CHECKF(b.retval == k.retval, "%s: retval (kernel 0x%x, bpfkit 0x%x)", name,
			       k.retval, b.retval);
			CHECKF(b.out_len == k.out_len && !memcmp(b.out, k.out, b.out_len),
			       "%s: data_out (kernel %u bytes, bpfkit %u)", name, k.out_len, b.out_len);
			if (in)
				CHECKF(!memcmp(&b.ctx, &k.ctx, sizeof(b.ctx)),
				       "%s: ctx_out (kernel %u/%u/%u/%u/%u/%u, bpfkit %u/%u/%u/%u/%u/%u)", name,
				       k.ctx.data, k.ctx.data_end, k.ctx.data_meta, k.ctx.ingress_ifindex,
				       k.ctx.rx_queue_index, k.ctx.egress_ifindex, b.ctx.data, b.ctx.data_end,
				       b.ctx.data_meta, b.ctx.ingress_ifindex, b.ctx.rx_queue_index,
				       b.ctx.egress_ifindex);
		}
		close(fd);
	}
	bk_vm_free(vm);
	return 0;
#endif
}
