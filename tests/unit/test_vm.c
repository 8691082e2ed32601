/* The runtime: instruction semantics, memory checks, calls, budget, program types,
 * load-time refusals, each with hand-encoded programs. */
#include "vm_insns.h"

/* Loads and runs as the given type; returns the run's status. */
static int run_t(int type, const struct bk_insn *p, size_t n, const void *mem, size_t len,
		 uint64_t *r0, struct bk_err *err, struct bk_run_result *keep)
{
	struct bk_prog *prog;
	struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .type = type);
	bk_err_clear(err);
	int ret = bk_vm_load(vm, p, n, &po, &prog, err);
	if (ret)
		return ret;
	struct bk_run_opts ro = BK_OPTS_INIT(bk_run_opts, .data_in = mem, .data_size_in = len,
					     .budget = 100000, .count_insns = true);
	struct bk_run_result res;
	ret = bk_prog_test_run(prog, &ro, &res, err);
	if (!ret) {
		*r0 = res.retval;
		if (keep)
			*keep = res;
		else
			bk_run_result_free(&res);
	}
	bk_prog_free(prog);
	return ret;
}

static int run(const struct bk_insn *p, size_t n, const void *mem, size_t len, uint64_t *r0,
	       struct bk_err *err)
{
	return run_t(BK_PROG_RAW, p, n, mem, len, r0, err, NULL);
}

#define EXPECT_R0(name, want, ...) do { \
	const struct bk_insn p_[] = { __VA_ARGS__ }; uint64_t r0_ = 0xdead; struct bk_err e_; \
	int ret_ = run(p_, N(p_), NULL, 0, &r0_, &e_); \
	if (ret_) printf("not ok %s: %s\n", name, e_.msg); \
	else CHECKF(r0_ == (uint64_t)(want), "%s (r0 = 0x%llx)", name, (unsigned long long)r0_); \
} while (0)

#define EXPECT_ERR(name, code, pat, mem, len, ...) do { \
	const struct bk_insn p_[] = { __VA_ARGS__ }; uint64_t r0_ = 0; struct bk_err e_; \
	int ret_ = run(p_, N(p_), mem, len, &r0_, &e_); \
	CHECKF(ret_ == (code) && strstr(e_.msg, pat), "%s (ret %d: %s)", name, ret_, e_.msg); \
} while (0)

static void alu(void)
{
	EXPECT_R0("div64 by zero is 0", 0, MOV(0, 7), MOV(1, 0), I(0x3f, 0, 1, 0, 0), EXIT);
	EXPECT_R0("mod64 by zero keeps dst", 7, MOV(0, 7), MOV(1, 0), I(0x9f, 0, 1, 0, 0), EXIT);
	EXPECT_R0("mod32 by zero zero-extends", 0xffffffffULL, MOV(0, -1), MOV(1, 0),
		  I(0x9c, 0, 1, 0, 0), EXIT);
	EXPECT_R0("sdiv64 INT_MIN/-1", 0x8000000000000000ULL, LDDW(0, 0x8000000000000000ULL),
		  I(0x37, 0, 0, 1, -1), EXIT);
	EXPECT_R0("smod64 INT_MIN%-1", 0, LDDW(0, 0x8000000000000000ULL), I(0x97, 0, 0, 1, -1), EXIT);
	EXPECT_R0("sdiv32 INT_MIN/-1", 0x80000000ULL, I(0xb4, 0, 0, 0, (int32_t)0x80000000),
		  I(0x34, 0, 0, 1, -1), EXIT);
	EXPECT_R0("smod32 -7%2", (uint32_t)-1, MOV(0, -7), I(0x94, 0, 0, 1, 2), EXIT);
	EXPECT_R0("div64 imm sign-extended", 0, MOV(0, 100), I(0x37, 0, 0, 0, -1), EXIT);
	EXPECT_R0("lsh64 masked", 2, MOV(0, 1), MOV(1, 65), I(0x6f, 0, 1, 0, 0), EXIT);
	EXPECT_R0("lsh32 masked", 2, MOV(0, 1), MOV(1, 33), I(0x6c, 0, 1, 0, 0), EXIT);
	EXPECT_R0("arsh32 zero-extends", 0xffffffffULL, MOV(0, -1), I(0xc4, 0, 0, 0, 4), EXIT);
	EXPECT_R0("add32 zero-extends", 0, MOV(0, -1), I(0x04, 0, 0, 0, 1), EXIT);
	EXPECT_R0("neg32", 0xffffffffULL, MOV(0, 1), I(0x84, 0, 0, 0, 0), EXIT);
	EXPECT_R0("movsx64_8", (uint64_t)-128, MOV(1, 0x180), I(0xbf, 0, 1, 8, 0), EXIT);
	EXPECT_R0("movsx32_16", 0xffff8000ULL, MOV(1, 0x8000), I(0xbc, 0, 1, 16, 0), EXIT);
	EXPECT_R0("movsx64_32", (uint64_t)-1, I(0xb4, 1, 0, 0, -1), I(0xbf, 0, 1, 32, 0), EXIT);
	EXPECT_R0("be16", 0x3412, MOV(0, 0x11223412 << 0), I(0xdc, 0, 0, 0, 16), I(0xdc, 0, 0, 0, 16), EXIT);
	EXPECT_R0("bswap32", 0x44332211, MOV(0, 0x11223344), I(0xd7, 0, 0, 0, 32), EXIT);
	EXPECT_R0("le32 truncates", 0x55667788, LDDW(0, 0x1122334455667788ULL), I(0xd4, 0, 0, 0, 32), EXIT);
	EXPECT_R0("lddw", 0x1122334455667788ULL, LDDW(0, 0x1122334455667788ULL), EXIT);
	EXPECT_R0("jslt32 signed", 1, MOV(0, 0), MOV(1, -1), I(0xc6, 1, 0, 1, 0), EXIT, MOV(0, 1), EXIT);
	EXPECT_R0("jset", 1, MOV(0, 0), MOV(1, 6), I(0x45, 1, 0, 1, 4), EXIT, MOV(0, 1), EXIT);
	EXPECT_R0("ja32", 3, MOV(0, 3), I(0x06, 0, 0, 0, 1), MOV(0, 4), EXIT);
}

static void memory(void)
{
	EXPECT_R0("stack store/load", 0x1234, MOV(1, 0x1234), I(0x7b, 10, 1, -8, 0),
		  I(0x79, 0, 10, -8, 0), EXIT);
	EXPECT_R0("st imm + ldxsb", (uint64_t)-1, I(0x72, 10, 0, -1, 0xff), I(0x91, 0, 10, -1, 0), EXIT);
	EXPECT_R0("atomic fetch_add", 15, MOV(1, 10), I(0x7b, 10, 1, -8, 0), MOV(2, 5),
		  I(0xdb, 10, 2, -8, 1), I(0x79, 0, 10, -8, 0), I(0x0f, 0, 2, 0, 0), I(0x17, 0, 0, 0, 10), EXIT);
	EXPECT_R0("atomic cmpxchg", 9, MOV(1, 3), I(0x7b, 10, 1, -8, 0), MOV(0, 3), MOV(2, 9),
		  I(0xdb, 10, 2, -8, 0xf1), I(0x79, 0, 10, -8, 0), EXIT);
	uint8_t mem[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	{
		const struct bk_insn p[] = { I(0x61, 0, 1, 4, 0), I(0x62, 1, 0, 0, 0x0a0b0c0d), EXIT };
		uint64_t r0;
		struct bk_err e;
		struct bk_run_result res;
		int ret = run_t(BK_PROG_RAW, p, N(p), mem, sizeof(mem), &r0, &e, &res);
		CHECKF(ret == 0 && r0 == 0x08070605, "raw memory read (%d %s)", ret, e.msg);
		CHECK("raw memory write comes back in data_out",
		      ret == 0 && res.data_out.len == 8 && res.data_out.data[0] == 0x0d);
		CHECK("count_insns counts", ret == 0 && res.stats.insns == 3);
		if (!ret)
			bk_run_result_free(&res);
	}
	EXPECT_ERR("read past the memory", -EFAULT, "insn 0 (", mem, 8, I(0x79, 0, 1, 4, 0), EXIT);
	EXPECT_ERR("error names the address", -EFAULT, "at 0x", mem, 8, I(0x79, 0, 1, 4, 0), EXIT);
	EXPECT_ERR("write below the stack", -EFAULT, "insn 1", NULL, 0, MOV(0, 0),
		   I(0x7b, 10, 0, -520, 0), EXIT);
	EXPECT_ERR("write above the stack", -EFAULT, "invalid write", NULL, 0, I(0x62, 10, 0, 0, 1), EXIT);
	EXPECT_ERR("null pointer", -EFAULT, "invalid read", NULL, 0, MOV(1, 0), I(0x71, 0, 1, 0, 0), EXIT);
	EXPECT_ERR("wild pointer", -EFAULT, "invalid read", NULL, 0, LDDW(1, 0x7fff00001000ULL),
		   I(0x79, 0, 1, 0, 0), EXIT);
	EXPECT_ERR("r10 write refused at load", -EINVAL, "", NULL, 0, MOV(10, 0), EXIT);
	EXPECT_ERR("misaligned atomic", -EFAULT, "misaligned", NULL, 0, MOV(1, 1),
		   I(0xdb, 10, 1, -7, 0), EXIT);
}

static void control(void)
{
	/* f(n) = n ? f(n-1) + 1 : 0 via bpf-to-bpf calls */
	EXPECT_R0("local call", 5, MOV(1, 5), I(0x85, 0, 1, 0, 1), EXIT,
		  MOV(0, 0), I(0x15, 1, 0, 4, 0), MOV(6, 100), I(0x17, 1, 0, 0, 1),
		  I(0x85, 0, 1, 0, -5), I(0x07, 0, 0, 0, 1), EXIT);
	EXPECT_R0("r6 preserved across calls", 3, MOV(6, 3), I(0x85, 0, 1, 0, 2), MOVX(0, 6), EXIT,
		  MOV(6, 9), EXIT);
	EXPECT_R0("callee frame is separate", 7, MOV(1, 7), I(0x7b, 10, 1, -8, 0),
		  I(0x85, 0, 1, 0, 2), I(0x79, 0, 10, -8, 0), EXIT,
		  MOV(1, 9), I(0x7b, 10, 1, -8, 0), EXIT);
	EXPECT_ERR("infinite recursion hits the depth limit", -E2BIG, "call depth", NULL, 0,
		   I(0x85, 0, 1, 0, -1), EXIT);
	EXPECT_ERR("infinite loop hits the budget", -ELOOP, "budget", NULL, 0, MOV(0, 0),
		   I(0x05, 0, 0, -1, 0), EXIT);
	EXPECT_ERR("callx to garbage", -EFAULT, "callx", NULL, 0, LDDW(1, 0x12345678), I(0x8d, 1, 0, 0, 0), EXIT);
	EXPECT_ERR("unknown helper refused at load", -EOPNOTSUPP, "unknown helper 999", NULL, 0,
		   I(0x85, 0, 0, 0, 999), EXIT);
	EXPECT_ERR("reserved field refused at load", -EINVAL, "insn 0", NULL, 0,
		   I(0x07, 0, 0, 1, 1), EXIT);
	EXPECT_ERR("falling off the end", -EFAULT, "past the last", NULL, 0, MOV(0, 0));
	EXPECT_ERR("memfrob with a bad pointer", -EFAULT, "memfrob", NULL, 0, MOV(1, 64), MOV(2, 8),
		   I(0x85, 0, 0, 0, 1), EXIT);
	EXPECT_R0("unwind stops the program", 0, MOV(6, 3), MOV(1, 0), I(0x85, 0, 0, 0, 5), MOV(0, 3), EXIT);
	EXPECT_R0("callx helper number", 0x0102030405ULL, MOV(1, 1), MOV(2, 2), MOV(3, 3), MOV(4, 4),
		  MOV(5, 5), MOV(6, 0), I(0x8d, 6, 0, 0, 0), EXIT);
	EXPECT_R0("sqrti", 3, MOV(1, 15), I(0x85, 0, 0, 0, 3), EXIT);
	/* callx through a BPF_PSEUDO_FUNC address */
	EXPECT_R0("callx to a pseudo-func", 42, I(0x18, 1, 4, 0, 3), I(0, 0, 0, 0, 0),
		  I(0x8d, 1, 0, 0, 0), EXIT, MOV(0, 42), EXIT);
}

static void types(void)
{
	uint8_t pkt[64] = { 0 };
	for (int i = 0; i < 64; i++)
		pkt[i] = (uint8_t)i;
	pkt[12] = 0x08;
	pkt[13] = 0x00;
	uint64_t r0;
	struct bk_err e;
	struct bk_run_result res;
	/* xdp: r0 = data_end - data, then write a byte */
	const struct bk_insn x1[] = {
		I(0x61, 2, 1, 0, 0), I(0x61, 3, 1, 4, 0), MOVX(0, 3), I(0x1f, 0, 2, 0, 0),
		I(0x72, 2, 0, 0, 0x77), EXIT,
	};
	int ret = run_t(BK_PROG_XDP, x1, N(x1), pkt, sizeof(pkt), &r0, &e, &res);
	CHECKF(ret == 0 && r0 == 64, "xdp data_end - data (%d %s)", ret, e.msg);
	CHECK("xdp packet write in data_out", ret == 0 && res.data_out.len == 64 && res.data_out.data[0] == 0x77);
	if (!ret)
		bk_run_result_free(&res);
	const struct bk_insn x2[] = { I(0x61, 2, 1, 0, 0), I(0x71, 0, 2, 64, 0), EXIT };
	ret = run_t(BK_PROG_XDP, x2, N(x2), pkt, sizeof(pkt), &r0, &e, NULL);
	CHECKF(ret == -EFAULT, "xdp read past data_end faults (%d %s)", ret, e.msg);
	const struct bk_insn x3[] = { I(0x62, 1, 0, 12, 5), MOV(0, 0), EXIT };
	ret = run_t(BK_PROG_XDP, x3, N(x3), pkt, sizeof(pkt), &r0, &e, NULL);
	CHECKF(ret == -EACCES && strstr(e.msg, "bpf_context"), "xdp ctx write refused (%d %s)", ret, e.msg);
	const struct bk_insn x4[] = { I(0x61, 2, 1, 0, 0), I(0x71, 0, 2, -1, 0), EXIT };
	ret = run_t(BK_PROG_XDP, x4, N(x4), pkt, sizeof(pkt), &r0, &e, NULL);
	CHECKF(ret == -EFAULT, "xdp read in headroom before data faults (%d %s)", ret, e.msg);
	const struct bk_insn x5[] = { I(0x61, 0, 1, 12, 0), EXIT };
	ret = run_t(BK_PROG_XDP, x5, N(x5), pkt, sizeof(pkt), &r0, &e, NULL);
	CHECKF(ret == 0 && r0 == 1, "xdp ingress_ifindex is lo (%d)", ret);

	/* socket: ld_abs sees the packet from the network header; len excludes eth */
	const struct bk_insn s1[] = { MOVX(6, 1), I(0x30, 0, 0, 0, 0), MOVX(7, 0),
		I(0x61, 0, 6, 0, 0), I(0x67, 0, 0, 0, 8), I(0x4f, 0, 7, 0, 0), EXIT };
	ret = run_t(BK_PROG_SOCKET_FILTER, s1, N(s1), pkt, sizeof(pkt), &r0, &e, &res);
	CHECKF(ret == 0 && r0 == ((50u << 8) | 14u), "socket filter view (r0 = 0x%llx, %s)",
	       (unsigned long long)r0, e.msg);
	CHECK("socket data_out has the Ethernet header zeroed", ret == 0 && res.data_out.len == 64 &&
	      res.data_out.data[0] == 0 && res.data_out.data[5] == 0 && res.data_out.data[14] == 14);
	if (!ret)
		bk_run_result_free(&res);
	const struct bk_insn s2[] = { I(0x28, 0, 0, 0, 100), MOV(0, 5), EXIT };
	ret = run_t(BK_PROG_SOCKET_FILTER, s2, N(s2), pkt, sizeof(pkt), &r0, &e, NULL);
	CHECKF(ret == 0 && r0 == 0, "ld_abs out of bounds ends with r0 = 0 (%d)", ret);
	const struct bk_insn s3[] = { I(0x61, 0, 1, 76, 0), EXIT };
	ret = run_t(BK_PROG_SOCKET_FILTER, s3, N(s3), pkt, sizeof(pkt), &r0, &e, NULL);
	CHECKF(ret == -EACCES, "socket may not read skb->data (%d %s)", ret, e.msg);
	const struct bk_insn s4[] = { I(0x62, 1, 0, 48, 9), I(0x61, 0, 1, 48, 0), EXIT };
	ret = run_t(BK_PROG_SOCKET_FILTER, s4, N(s4), pkt, sizeof(pkt), &r0, &e, NULL);
	CHECKF(ret == 0 && r0 == 9, "socket cb[0] write/read (%d %s)", ret, e.msg);
	const struct bk_insn s5[] = { I(0x61, 0, 1, 16, 0), EXIT };
	ret = run_t(BK_PROG_SOCKET_FILTER, s5, N(s5), pkt, sizeof(pkt), &r0, &e, NULL);
	CHECKF(ret == 0 && r0 == 8, "skb->protocol in network order (0x%llx)", (unsigned long long)r0);
	/* tc: direct packet access from the Ethernet header */
	const struct bk_insn t1[] = { I(0x61, 2, 1, 76, 0), I(0x61, 3, 1, 80, 0), I(0x71, 0, 2, 13, 0),
		I(0x62, 1, 0, 8, 77), EXIT };
	ret = run_t(BK_PROG_SCHED_CLS, t1, N(t1), pkt, sizeof(pkt), &r0, &e, &res);
	CHECKF(ret == 0 && r0 == 0, "tc packet read (%d %s)", ret, e.msg);
	uint32_t mark = 0;
	if (!ret) {
		memcpy(&mark, res.ctx_out.data + 8, 4);
		bk_run_result_free(&res);
	}
	CHECKF(mark == 77, "tc mark write comes back in ctx_out (%u)", mark);
	ret = run_t(BK_PROG_XDP, x5, N(x5), pkt, 10, &r0, &e, NULL);
	CHECKF(ret == -EINVAL, "packet shorter than Ethernet refused (%d)", ret);
	const struct bk_insn r1[] = { I(0x30, 0, 0, 0, 0), EXIT };
	ret = run_t(BK_PROG_RAW, r1, N(r1), NULL, 0, &r0, &e, NULL);
	CHECKF(ret == -EINVAL && strstr(e.msg, "ld_abs"), "ld_abs refused for raw (%s)", e.msg);
}

static void maps_and_tail_calls(void)
{
	struct bk_map *arr, *ro, *pa;
	struct bk_err e = { 0 };
	struct bk_map_def d1 = { .type = BK_MAP_ARRAY, .key_size = 4, .value_size = 16, .max_entries = 1 };
	struct bk_map_def d2 = d1;
	d2.map_flags = BK_F_RDONLY_PROG;
	struct bk_map_def d3 = { .type = BK_MAP_PROG_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 4 };
	if (bk_map_create(bk_vm_maps(vm), &d1, &arr, &e) || bk_map_create(bk_vm_maps(vm), &d2, &ro, &e) ||
	    bk_map_create(bk_vm_maps(vm), &d3, &pa, &e)) {
		printf("not ok map setup: %s\n", e.msg);
		return;
	}
	uint64_t r0;
	/* lddw map value (src 2, imm = map id, second imm = offset) */
	const struct bk_insn m1[] = { I(0x18, 1, 2, 0, (int32_t)bk_map_id(arr)), I(0, 0, 0, 0, 8),
		MOV(2, 99), I(0x7b, 1, 2, 0, 0), I(0x79, 0, 1, 0, 0), EXIT };
	int ret = run(m1, N(m1), NULL, 0, &r0, &e);
	CHECKF(ret == 0 && r0 == 99, "global data read/write (%d %s)", ret, e.msg);
	uint32_t k = 0;
	uint8_t *v = bk_map_lookup(arr, &k);
	CHECK("global data write lands in the map", v && v[8] == 99);
	const struct bk_insn m2[] = { I(0x18, 1, 2, 0, (int32_t)bk_map_id(arr)), I(0, 0, 0, 0, 8),
		I(0x79, 0, 1, 8, 0), EXIT };
	ret = run(m2, N(m2), NULL, 0, &r0, &e);
	CHECKF(ret == -EFAULT, "read past a map value faults (%d %s)", ret, e.msg);
	const struct bk_insn m3[] = { I(0x18, 1, 2, 0, (int32_t)bk_map_id(ro)), I(0, 0, 0, 0, 0),
		I(0x62, 1, 0, 0, 1), EXIT };
	ret = run(m3, N(m3), NULL, 0, &r0, &e);
	CHECKF(ret == -EFAULT && strstr(e.msg, "read-only"), "write to read-only data faults (%d %s)", ret, e.msg);

	/* tail call: target returns 77; caller falls through to 5 on a miss */
	struct bk_prog *tgt;
	const struct bk_insn t[] = { MOV(0, 77), EXIT };
	struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .type = BK_PROG_RAW);
	ret = bk_vm_load(vm, t, N(t), &po, &tgt, &e);
	uint32_t key = 2, id = bk_prog_id(tgt);
	if (!ret)
		ret = bk_map_sys_update(pa, &key, &id, 0, &e);
	const struct bk_insn c[] = { I(0x18, 2, 1, 0, (int32_t)bk_map_id(pa)), I(0, 0, 0, 0, 0),
		MOV(3, 2), I(0x85, 0, 0, 0, 12), MOV(0, 5), EXIT };
	if (ret)
		printf("not ok tail call setup: %s\n", e.msg);
	ret = ret ? ret : run(c, N(c), NULL, 0, &r0, &e);
	CHECKF(ret == 0 && r0 == 77, "tail call (%d %s r0=%llu)", ret, e.msg, (unsigned long long)r0);
	const struct bk_insn c2[] = { I(0x18, 2, 1, 0, (int32_t)bk_map_id(pa)), I(0, 0, 0, 0, 0),
		MOV(3, 3), I(0x85, 0, 0, 0, 12), MOV(0, 5), EXIT };
	ret = run(c2, N(c2), NULL, 0, &r0, &e);
	CHECKF(ret == 0 && r0 == 5, "tail call miss falls through (%d %s)", ret, e.msg);
	/* a program that tail-calls itself stops after 33 */
	struct bk_prog *self;
	const struct bk_insn s[] = { I(0x18, 2, 1, 0, (int32_t)bk_map_id(pa)), I(0, 0, 0, 0, 0),
		MOV(3, 1), I(0x85, 0, 0, 0, 12), MOV(0, 1), EXIT };
	ret = bk_vm_load(vm, s, N(s), &po, &self, &e);
	key = 1;
	id = self ? bk_prog_id(self) : 0;
	if (!ret)
		ret = bk_map_sys_update(pa, &key, &id, 0, &e);
	struct bk_run_opts rop = BK_OPTS_INIT(bk_run_opts);
	struct bk_run_result res;
	ret = ret ? ret : bk_prog_test_run(self, &rop, &res, &e);
	CHECKF(ret == 0 && res.retval == 1 && res.stats.tail_calls == 33,
	       "tail call limit 33 (%d, calls %u)", ret, ret ? 0 : res.stats.tail_calls);
	if (!ret)
		bk_run_result_free(&res);
}

int main(void)
{
	if (vm_setup(true))
		return 1;
	alu();
	memory();
	control();
	types();
	maps_and_tail_calls();
	bk_vm_free(vm);
	return 0;
}
