/* The interpreter's body, included twice by interp.c: once as bk__interp and once, with
 * BK_COUNT defined, as bk__interp_count (the same handlers plus an instruction counter).
 * Direct-threaded: every handler ends in an indirect jump through the label table, so
 * each instruction gets its own branch-predictor entry. */

int BK_FNAME(struct bk_run *run, struct bk_prog *prog, uint32_t entry, const uint64_t args[5],
	     uint64_t *r0out)
{
#define BK_INSN(id, ...) [BK_OP_##id] = &&L_##id,
	static const void *const labels[BK_FOP__COUNT] = {
#include "bpfkit/isa_table.def"
		[BK_XOP_CALL_HELPER] = &&L_XCALL_HELPER,
		[BK_XOP_NOP] = &&L_XNOP,
		[BK_FOP_LDX_FP_B] = &&L_LDX_FP_B,
		[BK_FOP_LDX_FP_H] = &&L_LDX_FP_H,
		[BK_FOP_LDX_FP_W] = &&L_LDX_FP_W,
		[BK_FOP_LDX_FP_DW] = &&L_LDX_FP_DW,
		[BK_FOP_STX_FP_B] = &&L_STX_FP_B,
		[BK_FOP_STX_FP_H] = &&L_STX_FP_H,
		[BK_FOP_STX_FP_W] = &&L_STX_FP_W,
		[BK_FOP_STX_FP_DW] = &&L_STX_FP_DW,
		[BK_FOP_ST_FP_B] = &&L_ST_FP_B,
		[BK_FOP_ST_FP_H] = &&L_ST_FP_H,
		[BK_FOP_ST_FP_W] = &&L_ST_FP_W,
		[BK_FOP_ST_FP_DW] = &&L_ST_FP_DW,
		[BK_FOP_MOVADD64_K] = &&L_MOVADD64_K,
		[BK_FOP_MOVADD64_X] = &&L_MOVADD64_X,
#define X(o, w) [BK_FOP_MOV##o] = &&L_MOV##o,
		BK_FUSE_MOVALU(X)
#undef X
#define X(j) [BK_FOP_ADDK_##j] = &&L_ADDK_##j, [BK_FOP_ADDX_##j] = &&L_ADDX_##j,
		BK_FUSE_JUMPS(X)
#undef X
		[BK_FOP_LDX_W_CTXPKT] = &&L_LDX_W_CTXPKT,
		[BK_FOP_LDX_DW_CTXPKT] = &&L_LDX_DW_CTXPKT,
		[BK_FOP_MAP_LOOKUP] = &&L_MAP_LOOKUP,
		[BK_FOP_MAP_UPDATE] = &&L_MAP_UPDATE,
		[BK_FOP_MAP_DELETE] = &&L_MAP_DELETE,
		[BK_FOP_FMAP_LOOKUP] = &&L_FMAP_LOOKUP,
		[BK_FOP_FMAP_UPDATE] = &&L_FMAP_UPDATE,
		[BK_FOP_FMAP_DELETE] = &&L_FMAP_DELETE,
#define X(o) [BK_FOP_U_##o] = &&L_U_##o,
		BK_UNCHECKED_OPS(X)
#undef X
	};
#undef BK_INSN
	struct frame {
		const struct bk_dinsn *ret, *code;
		struct bk_prog *prog;
		uint64_t r6, r7, r8, r9;
		uint32_t may_goto;
	} frames[BK_VM_MAX_DEPTH];
	/* may_goto's counter lives in the frame, as the kernel keeps it in the stack of each
	 * function invocation (set at function entry): a call, a callback and a tail-called
	 * program each start with a full count. */
	uint32_t may_goto = BK_VM_MAY_GOTO_MAX;
	uint64_t r[11];
	const uint32_t base = run->depth;
	uint32_t fd = 0;
	struct bk_prog *cur = prog;
	const struct bk_dinsn *code = prog->fast;
	const struct bk_dinsn *pc = code + entry;
	uint64_t budget = run->budget;
	uint64_t stk_hi = (uint64_t)(uintptr_t)run->stack + BK_VM_STACK_TOTAL;
	uint64_t stk_lo = stk_hi - (uint64_t)(base + 1) * BK_VM_STACK_SIZE;
	/* The two regions hit last (most recent first): a loop reading the packet and a map
	 * value, or two map values, stays on the fast path. */
	struct bk_region rc[2] = { { 0, 0, false, 0 }, { 0, 0, false, 0 } };
	/* The context, for the packet-pointer loads (0: none, as in bk_prog_exec). */
	const uint64_t ctxp = (uint64_t)(uintptr_t)run->ctx;
	/* The last map a map helper was given that proved to be one of the vm's, with its
	 * key and value sizes (bk_map_def): a loop over one map checks it once. */
	struct bk_map *vmap = NULL;
	uint32_t vkey = 1, vval = 1;
	int ret = 0;
	const struct bk_helper *h;
	const struct bk_dinsn *target;
#ifdef BK_COUNT
	uint64_t ninsns = 0;
#define COUNT_ONE() (ninsns++)
#define COUNT_N(k) (ninsns += (k))
#else
#define COUNT_ONE() ((void)0)
#define COUNT_N(k) ((void)0)
#endif

	memset(r, 0, sizeof(r));
	for (int i = 0; i < 5; i++)
		r[i + 1] = args[i];
	r[10] = stk_lo + BK_VM_STACK_SIZE;
	/* The packet is what a packet program touches first: start with it cached (it is the
	 * region the slow path would find for any address inside it). */
	if (run->pkt_region >= 0 && run->pkt_region < run->nregions)
		rc[0] = run->regions[run->pkt_region];
	if (base + 1 > run->stats.max_depth)
		run->stats.max_depth = base + 1;

#define DISPATCH do { COUNT_ONE(); goto *labels[pc->op]; } while (0)
#define NEXT do { pc++; DISPATCH; } while (0)
#define D r[pc->dst]
#define S r[pc->src]
#define K pc->imm
#define IDX ((size_t)(pc - code))
/* Plain memory: the current and callers' stack frames, then the regions hit last. */
#define INREG(c_, a, sz, wr) \
	((c_).size >= (sz) && (a) - (c_).start <= (c_).size - (sz) && (!(wr) || (c_).writable))
#define INMEM(a, sz, wr) \
	(__builtin_expect((a) - stk_lo <= stk_hi - stk_lo - (sz), 1) || \
	 INREG(rc[0], a, sz, wr) || INREG(rc[1], a, sz, wr))
/* The slow path: a fault, a context access (1) or a region that becomes the latest. */
#define MEM_SLOW(a, sz, wr) bk__mem_slow2(run, a, sz, wr, rc)
#define SYNC_OUT() do { run->budget = budget; run->depth = base + fd; run->prog = cur; } while (0)
#define BACKEDGE() do { if (__builtin_expect(--budget == 0, 0)) goto out_of_budget; } while (0)
#define JMP_IF(cond) do { if (!(cond)) { NEXT; } else { \
		const struct bk_dinsn *t_ = code + pc->off; \
		if (__builtin_expect(t_ <= pc, 0)) { BACKEDGE(); } \
		pc = t_; DISPATCH; } } while (0)

#define LOAD(name, type, ext, sx) L_##name: { \
		uint64_t a = S + (int64_t)pc->off; \
		if (__builtin_expect(!INMEM(a, sizeof(type), 0), 0)) { \
			int k_ = MEM_SLOW(a, sizeof(type), false); \
			if (k_ < 0) goto mem_fault; \
			if (k_ == 1) { uint64_t v_; \
				if ((ret = bk__ctx_load(run, a, sizeof(type), &v_)) < 0) goto ctx_fault; \
				D = (sx) ? (uint64_t)(ext)(type)v_ : v_; NEXT; } \
		} \
		type v; memcpy(&v, (const void *)(uintptr_t)a, sizeof(type)); \
		D = (uint64_t)(ext)v; NEXT; }
#define STORE(name, type, val) L_##name: { \
		uint64_t a = D + (int64_t)pc->off; \
		if (__builtin_expect(!INMEM(a, sizeof(type), 1), 0)) { \
			int k_ = MEM_SLOW(a, sizeof(type), true); \
			if (k_ < 0) goto mem_fault; \
			if (k_ == 1) { \
				if ((ret = bk__ctx_store(run, a, sizeof(type), (uint64_t)(val))) < 0) goto ctx_fault; \
				NEXT; } \
		} \
		type v = (type)(val); memcpy((void *)(uintptr_t)a, &v, sizeof(type)); NEXT; }
/* Atomics need plain, writable, naturally aligned memory. */
#define ATOMIC_ADDR(type) \
		uint64_t a = D + (int64_t)pc->off; \
		if (a & (sizeof(type) - 1)) goto misaligned; \
		if (__builtin_expect(!INMEM(a, sizeof(type), 1), 0)) { \
			int k_ = MEM_SLOW(a, sizeof(type), true); \
			if (k_ < 0) goto mem_fault; \
			if (k_ == 1) goto ctx_atomic; \
		} \
		type *p_ = (type *)(uintptr_t)a;
#define ATOMIC_OP(name, type, op) L_##name: { ATOMIC_ADDR(type) \
		__atomic_##op(p_, (type)S, __ATOMIC_SEQ_CST); NEXT; }
#define ATOMIC_FETCH(name, type, op) L_##name: { ATOMIC_ADDR(type) \
		S = (uint64_t)__atomic_##op(p_, (type)S, __ATOMIC_SEQ_CST); NEXT; }

/* r10 + a constant offset proved inside the frame at load (BK_FOP_*). */
#define LDFP(name, type) L_##name: { type v; \
		memcpy(&v, (const void *)(uintptr_t)(r[10] + (int64_t)pc->off), sizeof(type)); \
		D = v; NEXT; }
#define STFP(name, type, val) L_##name: { type v = (type)(val); \
		memcpy((void *)(uintptr_t)(r[10] + (int64_t)pc->off), &v, sizeof(type)); NEXT; }

	DISPATCH;

	/* ---- ALU ---- */
L_ADD64_K: D += K; NEXT;
L_ADD64_X: D += S; NEXT;
L_ADD32_K: D = (uint32_t)((uint32_t)D + (uint32_t)K); NEXT;
L_ADD32_X: D = (uint32_t)((uint32_t)D + (uint32_t)S); NEXT;
L_SUB64_K: D -= K; NEXT;
L_SUB64_X: D -= S; NEXT;
L_SUB32_K: D = (uint32_t)((uint32_t)D - (uint32_t)K); NEXT;
L_SUB32_X: D = (uint32_t)((uint32_t)D - (uint32_t)S); NEXT;
L_MUL64_K: D *= K; NEXT;
L_MUL64_X: D *= S; NEXT;
L_MUL32_K: D = (uint32_t)((uint32_t)D * (uint32_t)K); NEXT;
L_MUL32_X: D = (uint32_t)((uint32_t)D * (uint32_t)S); NEXT;
L_DIV64_K: D = K ? D / K : 0; NEXT;
L_DIV64_X: D = S ? D / S : 0; NEXT;
L_DIV32_K: D = (uint32_t)K ? (uint32_t)D / (uint32_t)K : 0; NEXT;
L_DIV32_X: D = (uint32_t)S ? (uint32_t)D / (uint32_t)S : 0; NEXT;
L_MOD64_K: D = K ? D % K : D; NEXT;
L_MOD64_X: D = S ? D % S : D; NEXT;
L_MOD32_K: D = (uint32_t)K ? (uint32_t)D % (uint32_t)K : (uint32_t)D; NEXT;
L_MOD32_X: D = (uint32_t)S ? (uint32_t)D % (uint32_t)S : (uint32_t)D; NEXT;
	/* Signed: x/0 = 0, x%0 = x, and INT_MIN/-1 = INT_MIN, INT_MIN%-1 = 0 (no trap). */
#define SDIV64(y) { int64_t y_ = (int64_t)(y); \
		D = y_ == 0 ? 0 : y_ == -1 ? (uint64_t)0 - D : (uint64_t)((int64_t)D / y_); NEXT; }
#define SMOD64(y) { int64_t y_ = (int64_t)(y); \
		D = y_ == 0 ? D : y_ == -1 ? 0 : (uint64_t)((int64_t)D % y_); NEXT; }
#define SDIV32(y) { int32_t y_ = (int32_t)(y), x_ = (int32_t)D; \
		D = (uint32_t)(y_ == 0 ? 0 : y_ == -1 ? (int32_t)(0u - (uint32_t)x_) : x_ / y_); NEXT; }
#define SMOD32(y) { int32_t y_ = (int32_t)(y), x_ = (int32_t)D; \
		D = (uint32_t)(y_ == 0 ? x_ : y_ == -1 ? 0 : x_ % y_); NEXT; }
L_SDIV64_K: SDIV64(K)
L_SDIV64_X: SDIV64(S)
L_SMOD64_K: SMOD64(K)
L_SMOD64_X: SMOD64(S)
L_SDIV32_K: SDIV32(K)
L_SDIV32_X: SDIV32(S)
L_SMOD32_K: SMOD32(K)
L_SMOD32_X: SMOD32(S)
L_OR64_K: D |= K; NEXT;
L_OR64_X: D |= S; NEXT;
L_OR32_K: D = (uint32_t)(D | K); NEXT;
L_OR32_X: D = (uint32_t)(D | S); NEXT;
L_AND64_K: D &= K; NEXT;
L_AND64_X: D &= S; NEXT;
L_AND32_K: D = (uint32_t)(D & K); NEXT;
L_AND32_X: D = (uint32_t)(D & S); NEXT;
L_XOR64_K: D ^= K; NEXT;
L_XOR64_X: D ^= S; NEXT;
L_XOR32_K: D = (uint32_t)(D ^ K); NEXT;
L_XOR32_X: D = (uint32_t)(D ^ S); NEXT;
L_LSH64_K: D <<= (K & 63); NEXT;
L_LSH64_X: D <<= (S & 63); NEXT;
L_LSH32_K: D = (uint32_t)((uint32_t)D << (K & 31)); NEXT;
L_LSH32_X: D = (uint32_t)((uint32_t)D << (S & 31)); NEXT;
L_RSH64_K: D >>= (K & 63); NEXT;
L_RSH64_X: D >>= (S & 63); NEXT;
L_RSH32_K: D = (uint32_t)D >> (K & 31); NEXT;
L_RSH32_X: D = (uint32_t)D >> (S & 31); NEXT;
L_ARSH64_K: D = (uint64_t)((int64_t)D >> (K & 63)); NEXT;
L_ARSH64_X: D = (uint64_t)((int64_t)D >> (S & 63)); NEXT;
L_ARSH32_K: D = (uint32_t)((int32_t)D >> (K & 31)); NEXT;
L_ARSH32_X: D = (uint32_t)((int32_t)D >> (S & 31)); NEXT;
L_NEG64: D = (uint64_t)0 - D; NEXT;
L_NEG32: D = (uint32_t)(0u - (uint32_t)D); NEXT;
L_MOV64_K: D = K; NEXT;
L_MOV64_X: D = S; NEXT;
L_MOV32_K: D = (uint32_t)K; NEXT;
L_MOV32_X: D = (uint32_t)S; NEXT;
L_MOVSX32_8: D = (uint32_t)(int32_t)(int8_t)S; NEXT;
L_MOVSX32_16: D = (uint32_t)(int32_t)(int16_t)S; NEXT;
L_MOVSX64_8: D = (uint64_t)(int64_t)(int8_t)S; NEXT;
L_MOVSX64_16: D = (uint64_t)(int64_t)(int16_t)S; NEXT;
L_MOVSX64_32: D = (uint64_t)(int64_t)(int32_t)S; NEXT;
L_LE16: D = (uint16_t)D; NEXT;
L_LE32: D = (uint32_t)D; NEXT;
L_LE64: NEXT;
L_BE16: L_BSWAP16: D = __builtin_bswap16((uint16_t)D); NEXT;
L_BE32: L_BSWAP32: D = __builtin_bswap32((uint32_t)D); NEXT;
L_BE64: L_BSWAP64: D = __builtin_bswap64(D); NEXT;
L_LDDW: D = K; pc += 2; DISPATCH;

	/* ---- memory ---- */
BK_MEM_FORMS(LOAD, STORE, ATOMIC_OP, ATOMIC_FETCH, K, S)
L_ATOMIC32_CMPXCHG: { ATOMIC_ADDR(uint32_t)
	uint32_t expected = (uint32_t)r[0];
	__atomic_compare_exchange_n(p_, &expected, (uint32_t)S, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	r[0] = expected; NEXT; }
L_ATOMIC64_CMPXCHG: { ATOMIC_ADDR(uint64_t)
	uint64_t expected = r[0];
	__atomic_compare_exchange_n(p_, &expected, S, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	r[0] = expected; NEXT; }

LDFP(LDX_FP_B, uint8_t)
LDFP(LDX_FP_H, uint16_t)
LDFP(LDX_FP_W, uint32_t)
LDFP(LDX_FP_DW, uint64_t)
STFP(STX_FP_B, uint8_t, S)
STFP(STX_FP_H, uint16_t, S)
STFP(STX_FP_W, uint32_t, S)
STFP(STX_FP_DW, uint64_t, S)
STFP(ST_FP_B, uint8_t, K)
STFP(ST_FP_H, uint16_t, K)
STFP(ST_FP_W, uint32_t, K)
STFP(ST_FP_DW, uint64_t, K)

	/* ---- proved by the verifier (prog->proof): no check ---- */
#define ULOAD(name, type, ext) L_U_##name: { type v; \
		memcpy(&v, (const void *)(uintptr_t)(S + (int64_t)pc->off), sizeof(type)); \
		D = (uint64_t)(ext)v; NEXT; }
#define USTORE(name, type, val) L_U_##name: { type v = (type)(val); \
		memcpy((void *)(uintptr_t)(D + (int64_t)pc->off), &v, sizeof(type)); NEXT; }
ULOAD(LDX_B, uint8_t, uint64_t)
ULOAD(LDX_H, uint16_t, uint64_t)
ULOAD(LDX_W, uint32_t, uint64_t)
ULOAD(LDX_DW, uint64_t, uint64_t)
ULOAD(LDXS_B, int8_t, int64_t)
ULOAD(LDXS_H, int16_t, int64_t)
ULOAD(LDXS_W, int32_t, int64_t)
USTORE(ST_B, uint8_t, K)
USTORE(ST_H, uint16_t, K)
USTORE(ST_W, uint32_t, K)
USTORE(ST_DW, uint64_t, K)
USTORE(STX_B, uint8_t, S)
USTORE(STX_H, uint16_t, S)
USTORE(STX_W, uint32_t, S)
USTORE(STX_DW, uint64_t, S)
#undef ULOAD
#undef USTORE

	/* ---- fused pairs (vm.c fuse): the second instruction is counted here ---- */
L_MOVADD64_K: D = S + pc[1].imm; pc += 2; COUNT_ONE(); DISPATCH;
L_MOVADD64_X: D = S + r[pc[1].src]; pc += 2; COUNT_ONE(); DISPATCH;
#define K2 pc[1].imm
#define MOVALU(o, expr) L_MOV##o: D = (expr); pc += 2; COUNT_ONE(); DISPATCH;
MOVALU(SUB64_K, S - K2)
MOVALU(MUL64_K, S * K2)
MOVALU(AND64_K, S & K2)
MOVALU(OR64_K, S | K2)
MOVALU(XOR64_K, S ^ K2)
MOVALU(LSH64_K, S << (K2 & 63))
MOVALU(RSH64_K, S >> (K2 & 63))
MOVALU(ARSH64_K, (uint64_t)((int64_t)S >> (K2 & 63)))
MOVALU(ADD32_K, (uint32_t)((uint32_t)S + (uint32_t)K2))
MOVALU(SUB32_K, (uint32_t)((uint32_t)S - (uint32_t)K2))
MOVALU(MUL32_K, (uint32_t)((uint32_t)S * (uint32_t)K2))
MOVALU(AND32_K, (uint32_t)S & (uint32_t)K2)
MOVALU(OR32_K, (uint32_t)S | (uint32_t)K2)
MOVALU(XOR32_K, (uint32_t)S ^ (uint32_t)K2)
MOVALU(LSH32_K, (uint32_t)((uint32_t)S << (K2 & 31)))
MOVALU(RSH32_K, (uint32_t)S >> (K2 & 31))
MOVALU(ARSH32_K, (uint32_t)((int32_t)(uint32_t)S >> (K2 & 31)))
#define T2 r[pc->imm]
MOVALU(SUB64_X, S - T2)
MOVALU(MUL64_X, S * T2)
MOVALU(AND64_X, S & T2)
MOVALU(OR64_X, S | T2)
MOVALU(XOR64_X, S ^ T2)
MOVALU(LSH64_X, S << (T2 & 63))
MOVALU(RSH64_X, S >> (T2 & 63))
MOVALU(ARSH64_X, (uint64_t)((int64_t)S >> (T2 & 63)))
MOVALU(ADD32_X, (uint32_t)((uint32_t)S + (uint32_t)T2))
MOVALU(SUB32_X, (uint32_t)((uint32_t)S - (uint32_t)T2))
MOVALU(MUL32_X, (uint32_t)((uint32_t)S * (uint32_t)T2))
MOVALU(AND32_X, (uint32_t)S & (uint32_t)T2)
MOVALU(OR32_X, (uint32_t)S | (uint32_t)T2)
MOVALU(XOR32_X, (uint32_t)S ^ (uint32_t)T2)
MOVALU(LSH32_X, (uint32_t)((uint32_t)S << (T2 & 31)))
MOVALU(RSH32_X, (uint32_t)S >> (T2 & 31))
MOVALU(ARSH32_X, (uint32_t)((int32_t)(uint32_t)S >> (T2 & 31)))
#undef T2
#undef MOVALU
#undef K2
#define X(j) \
L_ADDK_##j: D += K; pc++; COUNT_ONE(); goto L_##j; \
L_ADDX_##j: D += S; pc++; COUNT_ONE(); goto L_##j;
	BK_FUSE_JUMPS(X)
#undef X

	/* Legacy packet loads: big-endian, out of bounds ends the program with r0 = 0. */
#define LDPKT(name, sz, offexpr) L_##name: { \
		int64_t o_ = (offexpr); \
		if (!run->has_pkt || o_ < 0 || (uint64_t)o_ + sz > (uint64_t)(run->pkt.end - run->pkt.data)) { \
			*r0out = 0; run->pending |= BK_PEND_STOP; run->stop_r0 = 0; ret = 0; goto done; } \
		const uint8_t *q_ = run->pkt.data + o_; uint64_t v_ = 0; \
		for (int i_ = 0; i_ < sz; i_++) v_ = v_ << 8 | q_[i_]; \
		r[0] = v_; NEXT; }
LDPKT(LDABS_B, 1, (int32_t)K)
LDPKT(LDABS_H, 2, (int32_t)K)
LDPKT(LDABS_W, 4, (int32_t)K)
LDPKT(LDIND_B, 1, (int64_t)(int32_t)((uint32_t)S + (uint32_t)K))
LDPKT(LDIND_H, 2, (int64_t)(int32_t)((uint32_t)S + (uint32_t)K))
LDPKT(LDIND_W, 4, (int64_t)(int32_t)((uint32_t)S + (uint32_t)K))

	/* ---- jumps ---- */
L_JA: L_JA32: { const struct bk_dinsn *t_ = code + pc->off;
	if (t_ <= pc) BACKEDGE();
	pc = t_; DISPATCH; }
L_MAY_GOTO:
	if (may_goto == 0) { const struct bk_dinsn *t_ = code + pc->off;
		if (t_ <= pc) BACKEDGE();
		pc = t_; DISPATCH; }
	may_goto--;
	NEXT;
L_JEQ64_K: JMP_IF(D == K);
L_JEQ64_X: JMP_IF(D == S);
L_JEQ32_K: JMP_IF((uint32_t)D == (uint32_t)K);
L_JEQ32_X: JMP_IF((uint32_t)D == (uint32_t)S);
L_JNE64_K: JMP_IF(D != K);
L_JNE64_X: JMP_IF(D != S);
L_JNE32_K: JMP_IF((uint32_t)D != (uint32_t)K);
L_JNE32_X: JMP_IF((uint32_t)D != (uint32_t)S);
L_JGT64_K: JMP_IF(D > K);
L_JGT64_X: JMP_IF(D > S);
L_JGT32_K: JMP_IF((uint32_t)D > (uint32_t)K);
L_JGT32_X: JMP_IF((uint32_t)D > (uint32_t)S);
L_JGE64_K: JMP_IF(D >= K);
L_JGE64_X: JMP_IF(D >= S);
L_JGE32_K: JMP_IF((uint32_t)D >= (uint32_t)K);
L_JGE32_X: JMP_IF((uint32_t)D >= (uint32_t)S);
L_JLT64_K: JMP_IF(D < K);
L_JLT64_X: JMP_IF(D < S);
L_JLT32_K: JMP_IF((uint32_t)D < (uint32_t)K);
L_JLT32_X: JMP_IF((uint32_t)D < (uint32_t)S);
L_JLE64_K: JMP_IF(D <= K);
L_JLE64_X: JMP_IF(D <= S);
L_JLE32_K: JMP_IF((uint32_t)D <= (uint32_t)K);
L_JLE32_X: JMP_IF((uint32_t)D <= (uint32_t)S);
L_JSET64_K: JMP_IF(D & K);
L_JSET64_X: JMP_IF(D & S);
L_JSET32_K: JMP_IF((uint32_t)D & (uint32_t)K);
L_JSET32_X: JMP_IF((uint32_t)D & (uint32_t)S);
L_JSGT64_K: JMP_IF((int64_t)D > (int64_t)K);
L_JSGT64_X: JMP_IF((int64_t)D > (int64_t)S);
L_JSGT32_K: JMP_IF((int32_t)D > (int32_t)K);
L_JSGT32_X: JMP_IF((int32_t)D > (int32_t)S);
L_JSGE64_K: JMP_IF((int64_t)D >= (int64_t)K);
L_JSGE64_X: JMP_IF((int64_t)D >= (int64_t)S);
L_JSGE32_K: JMP_IF((int32_t)D >= (int32_t)K);
L_JSGE32_X: JMP_IF((int32_t)D >= (int32_t)S);
L_JSLT64_K: JMP_IF((int64_t)D < (int64_t)K);
L_JSLT64_X: JMP_IF((int64_t)D < (int64_t)S);
L_JSLT32_K: JMP_IF((int32_t)D < (int32_t)K);
L_JSLT32_X: JMP_IF((int32_t)D < (int32_t)S);
L_JSLE64_K: JMP_IF((int64_t)D <= (int64_t)K);
L_JSLE64_X: JMP_IF((int64_t)D <= (int64_t)S);
L_JSLE32_K: JMP_IF((int32_t)D <= (int32_t)K);
L_JSLE32_X: JMP_IF((int32_t)D <= (int32_t)S);

	/* ---- calls ---- */
L_CALL_LOCAL:
	target = code + pc->off;
local_call:
	if (base + fd + 1 >= BK_VM_MAX_DEPTH) {
		ret = bk__fault(run, cur, IDX, -E2BIG,
				"call depth exceeds %d frames of %d bytes", BK_VM_MAX_DEPTH,
				BK_VM_STACK_SIZE);
		goto done;
	}
	frames[fd] = (struct frame){ pc + 1, code, cur, r[6], r[7], r[8], r[9], may_goto };
	fd++;
	may_goto = BK_VM_MAY_GOTO_MAX;
	r[10] -= BK_VM_STACK_SIZE;
	stk_lo -= BK_VM_STACK_SIZE;
	run->stats.calls++;
	if (base + fd + 1 > run->stats.max_depth)
		run->stats.max_depth = base + fd + 1;
	BACKEDGE();
	pc = target;
	DISPATCH;
L_CALLX: {
	/* A function's address is its slot in prog->code (what BPF_PSEUDO_FUNC loads). */
	uint64_t v = D;
	uint64_t rel = v - (uint64_t)(uintptr_t)cur->code;
	if (rel < cur->n * sizeof(struct bk_dinsn) && rel % sizeof(struct bk_dinsn) == 0 &&
	    code[rel / sizeof(struct bk_dinsn)].op != BK_XOP_NOP) {
		target = code + rel / sizeof(struct bk_dinsn);
		goto local_call;
	}
	/* The conformance convention: callx with a helper number. */
	h = v < BK_VM_MAX_HELPER_ID ? run->vm->helpers[v] : NULL;
	if (!h || (h->types && !(h->types & (1ULL << cur->pt->type)))) {
		ret = bk__fault(run, cur, IDX, -EFAULT,
				"callx to 0x%llx: neither a function of the program nor a helper",
				(unsigned long long)v);
		goto done;
	}
	goto helper_call;
}
	/* ---- packet pointers from the context (BK_FOP_LDX_*_CTXPKT) ---- */
L_LDX_W_CTXPKT:
	if (__builtin_expect(S == ctxp && ctxp, 1)) {
		D = (uint64_t)(uintptr_t)*(uint8_t *const *)((const char *)&run->pkt + K);
		NEXT;
	}
	goto L_LDX_W;
L_LDX_DW_CTXPKT:
	if (__builtin_expect(S == ctxp && ctxp, 1)) {
		D = (uint64_t)(uintptr_t)*(uint8_t *const *)((const char *)&run->pkt + K);
		NEXT;
	}
	goto L_LDX_DW;

	/* ---- map helpers in place (BK_FOP_MAP_*): what h->fn would do when the map is one
	 * of the vm's and the key (and value) lie in memory the fast path knows; the helper
	 * call proper for anything else, so errors stay the helper's own. ---- */
#define MAP_ARGS(nkeys) 		h = (const struct bk_helper *)(uintptr_t)K; 		if (__builtin_expect(!h->map_op, 0)) goto helper_call; 		if (__builtin_expect((struct bk_map *)(uintptr_t)r[1] != vmap, 0)) { 			struct bk_map *m_ = bk_maps_from_ptr(run->vm->maps, (const void *)(uintptr_t)r[1]); 			if (!m_) goto helper_call; 			const struct bk_map_def *def_ = bk_map_def(m_); 			vmap = m_; 			vkey = def_->key_size ? def_->key_size : 1; 			vval = def_->value_size ? def_->value_size : 1; 		} 		if (!INMEM(r[2], vkey, 0) || ((nkeys) > 1 && !INMEM(r[3], vval, 0))) 			goto helper_call; 		run->stats.helper_calls++;
L_MAP_LOOKUP: {
	MAP_ARGS(1)
	struct bk_map_region mr;
	r[0] = (uint64_t)(uintptr_t)bk_map_lookup_region(vmap, (const void *)(uintptr_t)r[2], &mr);
	if (mr.size) {
		/* Nothing was unmapped: the cache stays, the new value first. */
		rc[1] = rc[0];
		rc[0] = (struct bk_region){ (uint64_t)(uintptr_t)mr.start, mr.size, mr.writable,
					    BK_REG_MEM };
	}
	NEXT;
}
L_MAP_UPDATE: {
	MAP_ARGS(2)
	r[0] = (uint64_t)(int64_t)bk_map_update(vmap, (const void *)(uintptr_t)r[2],
						 (const void *)(uintptr_t)r[3], r[4]);
	/* An LRU map may have evicted an element that a cached region covers. */
	rc[0].size = rc[1].size = 0;
	NEXT;
}
L_MAP_DELETE: {
	MAP_ARGS(1)
	r[0] = (uint64_t)(int64_t)bk_map_delete(vmap, (const void *)(uintptr_t)r[2]);
	rc[0].size = rc[1].size = 0;
	NEXT;
}
#undef MAP_ARGS

	/* ---- a whole map-helper call site (BK_FOP_FMAP_*, vm.c fcall_site): the map and
	 * the stack offsets were proved at load, so the arguments need no check. ---- */
#define FCALL_ARGS() \
		const struct bk_fcall *c_ = (const struct bk_fcall *)(uintptr_t)K; \
		uint64_t sv_ = 0; \
		if (c_->set & BK_FC_ST) { \
			sv_ = c_->sreg < 11 ? r[c_->sreg] : c_->simm; \
			void *sp_ = (void *)(uintptr_t)(r[10] + (int64_t)c_->soff); \
			if (c_->ssize == 4) { uint32_t w_ = (uint32_t)sv_; memcpy(sp_, &w_, 4); } \
			else memcpy(sp_, &sv_, 8); \
		} \
		r[1] = (uint64_t)(uintptr_t)c_->map; \
		r[2] = r[10] + (int64_t)c_->koff; \
		if (c_->set & BK_FC_R3) r[3] = r[10] + (int64_t)c_->voff; \
		if (c_->set & BK_FC_R4) r[4] = c_->r4; \
		COUNT_N(c_->ninsns); \
		pc = code + c_->call; \
		h = c_->h; \
		if (__builtin_expect(!h->map_op, 0)) { COUNT_N(-(int)!!(c_->set & BK_FC_JZ)); goto helper_call; } \
		run->stats.helper_calls++;
L_FMAP_LOOKUP: {
	FCALL_ARGS()
	void *v_ = c_->set & BK_FC_KEYREG ? bk_map_lookup_u32(c_->map, (uint32_t)sv_)
					   : bk_map_lookup(c_->map, (const void *)(uintptr_t)r[2]);
	r[0] = (uint64_t)(uintptr_t)v_;
	if (v_) {
		rc[1] = rc[0];
		rc[0] = (struct bk_region){ (uint64_t)(uintptr_t)v_, c_->vsize, c_->writable,
					    BK_REG_MEM };
	}
	if (c_->set & BK_FC_JZ) {
		pc++;   /* the jump: where a budget fault is reported */
		if (v_) {
			pc++;
			DISPATCH;
		}
		if (__builtin_expect(c_->set & BK_FC_JZ_BACK, 0))
			BACKEDGE();
		pc = code + c_->jz;
		DISPATCH;
	}
	NEXT;
}
L_FMAP_UPDATE: {
	FCALL_ARGS()
	r[0] = (uint64_t)(int64_t)bk_map_update(c_->map, (const void *)(uintptr_t)r[2],
						 (const void *)(uintptr_t)r[3], r[4]);
	rc[0].size = rc[1].size = 0;
	NEXT;
}
L_FMAP_DELETE: {
	FCALL_ARGS()
	r[0] = (uint64_t)(int64_t)bk_map_delete(c_->map, (const void *)(uintptr_t)r[2]);
	rc[0].size = rc[1].size = 0;
	NEXT;
}
#undef FCALL_ARGS

L_XCALL_HELPER:
	h = (const struct bk_helper *)(uintptr_t)K;
helper_call:
	SYNC_OUT();
	run->helper = h;
	run->stats.helper_calls++;
	r[0] = h->fn(run, r[1], r[2], r[3], r[4], r[5]);
	rc[0].size = rc[1].size = 0;   /* the helper may have changed what is mapped */
	budget = run->budget;
	if (__builtin_expect(run->pending != 0, 0)) {
		if (run->pending & BK_PEND_FAIL) {
			ret = run->err_code;
			bk__fault(run, cur, IDX, ret, "helper %s: %s", h->name, run->why);
			goto done;
		}
		if (run->pending & BK_PEND_STOP) {
			*r0out = run->stop_r0;
			ret = 0;
			goto done;
		}
		if (run->pending & BK_PEND_TAIL) {
			run->pending &= ~BK_PEND_TAIL;
			cur = run->tail_target;
			code = cur->fast;
			pc = code;
			may_goto = BK_VM_MAY_GOTO_MAX;
			run->stats.tail_calls++;
			BACKEDGE();
			DISPATCH;
		}
	}
	NEXT;
L_EXIT:
	if (fd == 0) {
		*r0out = r[0];
		ret = 0;
		goto done;
	}
	fd--;
	pc = frames[fd].ret;
	code = frames[fd].code;
	cur = frames[fd].prog;
	r[6] = frames[fd].r6;
	r[7] = frames[fd].r7;
	r[8] = frames[fd].r8;
	r[9] = frames[fd].r9;
	may_goto = frames[fd].may_goto;
	r[10] += BK_VM_STACK_SIZE;
	stk_lo += BK_VM_STACK_SIZE;
	DISPATCH;

	/* ---- never executed: resolved at load, or refused ---- */
L_LDDW_PSEUDO1: L_LDDW_PSEUDO2: L_LDDW_PSEUDO3: L_LDDW_PSEUDO4: L_LDDW_PSEUDO5:
L_LDDW_PSEUDO6: L_CALL: L_CALL_KFUNC: L_ADDR_SPACE_CAST:
	ret = bk__fault(run, cur, IDX, -EINVAL, "instruction was not resolved at load");
	goto done;
L_XNOP:
	ret = bk__fault(run, cur, IDX, -EFAULT, "execution ran past the last instruction");
	goto done;

mem_fault:
	ret = bk__fault(run, cur, IDX, -EFAULT, "%s", run->why);
	goto done;
ctx_fault:
	bk__fault(run, cur, IDX, ret, "%s", run->why);
	goto done;
ctx_atomic:
	ret = bk__fault(run, cur, IDX, -EACCES, "atomic operation on the context");
	goto done;
misaligned: {
	uint64_t a = D + (int64_t)pc->off;
	ret = bk__fault(run, cur, IDX, -EFAULT, "misaligned atomic access at 0x%llx",
			(unsigned long long)a);
	goto done;
}
out_of_budget:
	ret = bk__fault(run, cur, IDX, -ELOOP,
			"step budget exhausted (%llu back-edges and calls): runaway loop?",
			(unsigned long long)run->budget_init);
	budget = 0;
	goto done;
done:
	SYNC_OUT();
	run->depth = base;
#ifdef BK_COUNT
	run->stats.insns += ninsns;
#endif
	return ret;
#undef DISPATCH
#undef NEXT
#undef D
#undef S
#undef K
#undef IDX
#undef INMEM
#undef INREG
#undef MEM_SLOW
#undef LDFP
#undef STFP
#undef SYNC_OUT
#undef BACKEDGE
#undef JMP_IF
#undef LOAD
#undef STORE
#undef ATOMIC_ADDR
#undef ATOMIC_OP
#undef ATOMIC_FETCH
#undef SDIV64
#undef SMOD64
#undef SDIV32
#undef SMOD32
#undef LDPKT
#undef COUNT_ONE
#undef COUNT_N
}
