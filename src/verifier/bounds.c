/* Scalar range arithmetic: the kernel's reg_bounds_sync and the transfer
 * functions of the scalar ALU operations and comparisons. Bounds are kept in four
 * views (u64, s64, u32, s32) plus a tnum; each operation narrows what it can and
 * the sync step lets the views refine one another, as the kernel does, so that
 * programs accepted by the kernel because of a bound are accepted here too. */
#include "vbounds.h"

#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

void v_mark_unknown(struct vreg *r)
{
	uint8_t fr = r->frameno;
	memset(r, 0, sizeof(*r));
	r->frameno = fr;
	r->type = T_SCALAR;
	r->var = tnum_unknown;
	r->smin = S64_MIN; r->smax = S64_MAX;
	r->umin = 0; r->umax = U64_MAX;
	r->s32min = S32_MIN; r->s32max = S32_MAX;
	r->u32min = 0; r->u32max = U32_MAX;
}

void v_mark_const(struct vreg *r, uint64_t v)
{
	v_mark_unknown(r);
	r->var = tnum_const(v);
	r->smin = r->smax = (int64_t)v;
	r->umin = r->umax = v;
	r->s32min = r->s32max = (int32_t)v;
	r->u32min = r->u32max = (uint32_t)v;
}

/* Bounds of a pointer's variable part start as the constant 0. */
void v_bounds_zero(struct vreg *r)
{
	r->var = tnum_const(0);
	r->smin = r->smax = 0;
	r->umin = r->umax = 0;
	r->s32min = r->s32max = 0;
	r->u32min = r->u32max = 0;
}

bool v_is_const(const struct vreg *r)
{
	return r->type == T_SCALAR && tnum_is_const(r->var);
}

bool v_is_const32(const struct vreg *r)
{
	return r->type == T_SCALAR && tnum_is_const(tnum_subreg(r->var));
}

static void update_bounds(struct vreg *r)
{
	struct tnum v32 = tnum_subreg(r->var);
	r->s32min = MAX(r->s32min, (int32_t)(v32.value | (v32.mask & 0x80000000u)));
	r->s32max = MIN(r->s32max, (int32_t)(v32.value | (v32.mask & 0x7fffffffu)));
	r->u32min = MAX(r->u32min, (uint32_t)v32.value);
	r->u32max = MIN(r->u32max, (uint32_t)(v32.value | v32.mask));
	r->smin = MAX(r->smin, (int64_t)(r->var.value | (r->var.mask & (1ULL << 63))));
	r->smax = MIN(r->smax, (int64_t)(r->var.value | (r->var.mask & ~(1ULL << 63))));
	r->umin = MAX(r->umin, r->var.value);
	r->umax = MIN(r->umax, r->var.value | r->var.mask);
}

static void deduce32(struct vreg *r)
{
	/* 64 → 32 when the upper halves agree */
	if ((r->umin >> 32) == (r->umax >> 32)) {
		r->u32min = MAX(r->u32min, (uint32_t)r->umin);
		r->u32max = MIN(r->u32max, (uint32_t)r->umax);
		if ((int32_t)r->umin <= (int32_t)r->umax) {
			r->s32min = MAX(r->s32min, (int32_t)r->umin);
			r->s32max = MIN(r->s32max, (int32_t)r->umax);
		}
	}
	if ((r->smin >> 32) == (r->smax >> 32)) {
		if ((uint32_t)r->smin <= (uint32_t)r->smax) {
			r->u32min = MAX(r->u32min, (uint32_t)r->smin);
			r->u32max = MIN(r->u32max, (uint32_t)r->smax);
		}
		if ((int32_t)r->smin <= (int32_t)r->smax) {
			r->s32min = MAX(r->s32min, (int32_t)r->smin);
			r->s32max = MIN(r->s32max, (int32_t)r->smax);
		}
	}
	if ((int32_t)r->u32min <= (int32_t)r->u32max) {
		r->s32min = MAX(r->s32min, (int32_t)r->u32min);
		r->s32max = MIN(r->s32max, (int32_t)r->u32max);
	}
	if ((uint32_t)r->s32min <= (uint32_t)r->s32max) {
		r->u32min = MAX(r->u32min, (uint32_t)r->s32min);
		r->u32max = MIN(r->u32max, (uint32_t)r->s32max);
	}
}

static void deduce64(struct vreg *r)
{
	if ((uint64_t)r->smin <= (uint64_t)r->smax) {
		r->umin = MAX(r->umin, (uint64_t)r->smin);
		r->umax = MIN(r->umax, (uint64_t)r->smax);
	}
	if ((int64_t)r->umin <= (int64_t)r->umax) {
		r->smin = MAX(r->smin, (int64_t)r->umin);
		r->smax = MIN(r->smax, (int64_t)r->umax);
	}
}

static void deduce_mixed(struct vreg *r)
{
	uint64_t nmin = (r->umin & ~0xffffffffULL) | r->u32min;
	uint64_t nmax = (r->umax & ~0xffffffffULL) | r->u32max;
	r->umin = MAX(r->umin, nmin);
	r->umax = MIN(r->umax, nmax);
	int64_t snmin = (int64_t)(((uint64_t)r->smin & ~0xffffffffULL) | r->u32min);
	int64_t snmax = (int64_t)(((uint64_t)r->smax & ~0xffffffffULL) | r->u32max);
	r->smin = MAX(r->smin, snmin);
	r->smax = MIN(r->smax, snmax);
	if (r->umax <= U32_MAX) {
		/* the value is its own subregister */
		r->u32min = MAX(r->u32min, (uint32_t)r->umin);
		r->u32max = MIN(r->u32max, (uint32_t)r->umax);
	}
	if (r->smin >= S32_MIN && r->smax <= S32_MAX) {
		r->s32min = MAX(r->s32min, (int32_t)r->smin);
		r->s32max = MIN(r->s32max, (int32_t)r->smax);
	}
}

static void bound_offset(struct vreg *r)
{
	struct tnum v64 = tnum_intersect(r->var, tnum_range(r->umin, r->umax));
	struct tnum v32 = tnum_intersect(tnum_subreg(r->var), tnum_range(r->u32min, r->u32max));
	r->var = tnum_or(tnum_clear_subreg(v64), v32);
}

void v_sync(struct vreg *r)
{
	update_bounds(r);
	deduce32(r);
	deduce64(r);
	deduce_mixed(r);
	deduce32(r);
	deduce64(r);
	bound_offset(r);
	update_bounds(r);
}

/* Bounds invalid (empty set): a path the comparisons proved impossible. */
bool v_bounds_empty(const struct vreg *r)
{
	return r->smin > r->smax || r->umin > r->umax || r->s32min > r->s32max ||
	       r->u32min > r->u32max;
}

/* The 32-bit result of an ALU32 operation becomes the whole register. */
void v_zext32(struct vreg *r)
{
	r->var = tnum_subreg(r->var);
	r->umin = r->u32min;
	r->umax = r->u32max;
	r->smin = r->umin;
	r->smax = r->umax;
}

void v_coerce(struct vreg *r, int size)
{
	if (size >= 8)
		return;
	uint64_t m = (1ULL << (size * 8)) - 1;
	r->var = tnum_cast(r->var, size);
	if (r->umax <= m && (r->umin >> (size * 8)) == 0) {
		/* fits: keep */
	} else {
		r->umin = 0;
		r->umax = m;
	}
	r->smin = r->umin;
	r->smax = r->umax;
	r->u32min = (uint32_t)r->umin;
	r->u32max = (uint32_t)r->umax;
	r->s32min = S32_MIN;
	r->s32max = S32_MAX;
	if (r->umax <= S32_MAX) {
		r->s32min = (int32_t)r->umin;
		r->s32max = (int32_t)r->umax;
	}
	v_sync(r);
}

void v_coerce_sx(struct vreg *r, int size)
{
	int bits = size * 8;
	int64_t lo = -(1LL << (bits - 1)), hi = (1LL << (bits - 1)) - 1;
	if (tnum_is_const(r->var)) {
		int64_t v = (int64_t)(r->var.value << (64 - bits)) >> (64 - bits);
		v_mark_const(r, (uint64_t)v);
		return;
	}
	int64_t smin = r->smin, smax = r->smax;
	v_mark_unknown(r);
	if (smin >= lo && smax <= hi) {
		r->smin = smin;
		r->smax = smax;
	} else {
		r->smin = lo;
		r->smax = hi;
	}
	v_sync(r);
}

/* 64-bit view of a 32-bit operand, for doing ALU32 in the 64-bit code. */
static struct vreg view32(const struct vreg *r)
{
	struct vreg v = *r;
	v.var = tnum_subreg(r->var);
	v.umin = r->u32min;
	v.umax = r->u32max;
	v.smin = v.umin;
	v.smax = v.umax;
	v.s32min = r->s32min;
	v.s32max = r->s32max;
	v.u32min = r->u32min;
	v.u32max = r->u32max;
	return v;
}

static bool add_ovf_s(int64_t a, int64_t b, int64_t *r)
{
	return __builtin_add_overflow(a, b, r);
}

static void alu64(int op, struct vreg *d, const struct vreg *s)
{
	uint64_t um, uM;
	int64_t sm, sM;
	switch (op) {
	case BK_ALU_ADD:
		if (add_ovf_s(d->smin, s->smin, &sm) || add_ovf_s(d->smax, s->smax, &sM))
			sm = S64_MIN, sM = S64_MAX;
		um = d->umin + s->umin;
		uM = d->umax + s->umax;
		if (um < d->umin || uM < d->umax)
			um = 0, uM = U64_MAX;
		d->var = tnum_add(d->var, s->var);
		break;
	case BK_ALU_SUB:
		if (__builtin_sub_overflow(d->smin, s->smax, &sm) ||
		    __builtin_sub_overflow(d->smax, s->smin, &sM))
			sm = S64_MIN, sM = S64_MAX;
		if (d->umin < s->umax)
			um = 0, uM = U64_MAX;
		else
			um = d->umin - s->umax, uM = d->umax - s->umin;
		d->var = tnum_sub(d->var, s->var);
		break;
	case BK_ALU_MUL:
		d->var = tnum_mul(d->var, s->var);
		if (d->umax > U32_MAX || s->umax > U32_MAX) {
			um = 0, uM = U64_MAX;
		} else {
			um = d->umin * s->umin;
			uM = d->umax * s->umax;
		}
		if (uM <= (uint64_t)S64_MAX && d->smin >= 0 && s->smin >= 0)
			sm = (int64_t)um, sM = (int64_t)uM;
		else
			sm = S64_MIN, sM = S64_MAX;
		break;
	case BK_ALU_AND:
		d->var = tnum_and(d->var, s->var);
		um = d->var.value;
		uM = MIN(d->umax, s->umax);
		if (d->smin < 0 || s->smin < 0)
			sm = S64_MIN, sM = S64_MAX;
		else
			sm = (int64_t)um, sM = (int64_t)uM;
		break;
	case BK_ALU_OR:
		d->var = tnum_or(d->var, s->var);
		um = MAX(d->umin, s->umin);
		uM = d->var.value | d->var.mask;
		if (d->smin < 0 || s->smin < 0)
			sm = S64_MIN, sM = S64_MAX;
		else
			sm = (int64_t)um, sM = (int64_t)uM;
		break;
	case BK_ALU_XOR:
		d->var = tnum_xor(d->var, s->var);
		um = d->var.value;
		uM = d->var.value | d->var.mask;
		if ((int64_t)um >= 0 && (int64_t)uM >= 0 && d->smin >= 0 && s->smin >= 0)
			sm = (int64_t)um, sM = (int64_t)uM;
		else
			sm = S64_MIN, sM = S64_MAX;
		break;
	case BK_ALU_LSH: {
		unsigned k = (unsigned)s->umin;
		d->var = tnum_lshift(d->var, k);
		if (k && (d->umax >> (64 - k)))
			um = 0, uM = U64_MAX;
		else
			um = d->umin << k, uM = d->umax << k;
		sm = S64_MIN, sM = S64_MAX;
		break;
	}
	case BK_ALU_RSH: {
		unsigned k = (unsigned)s->umin;
		d->var = tnum_rshift(d->var, k);
		um = d->umin >> k;
		uM = d->umax >> k;
		sm = S64_MIN, sM = S64_MAX;
		break;
	}
	case BK_ALU_ARSH: {
		unsigned k = (unsigned)s->umin;
		d->var = tnum_arshift(d->var, k, 64);
		sm = d->smin >> k;
		sM = d->smax >> k;
		um = 0, uM = U64_MAX;
		break;
	}
	default:
		v_mark_unknown(d);
		return;
	}
	d->smin = sm; d->smax = sM; d->umin = um; d->umax = uM;
	d->s32min = S32_MIN; d->s32max = S32_MAX; d->u32min = 0; d->u32max = U32_MAX;
	d->id = 0;
	v_sync(d);
}

void v_scalar_alu(int op, bool is64, struct vreg *d, const struct vreg *s)
{
	if (is64) {
		alu64(op, d, s);
		return;
	}
	struct vreg a = view32(d), b = view32(s);
	if (op == BK_ALU_ARSH) {
		unsigned k = (unsigned)b.umin;
		struct tnum t = tnum_arshift(tnum_subreg(d->var), k, 32);
		int32_t lo = d->s32min >> k, hi = d->s32max >> k;
		v_mark_unknown(d);
		d->var = t;
		d->s32min = lo;
		d->s32max = hi;
		d->umax = U32_MAX;
		v_sync(d);
		v_zext32(d);
		v_sync(d);
		return;
	}
	alu64(op, &a, &b);
	uint64_t um = a.umin, uM = a.umax;
	struct tnum t = tnum_subreg(a.var);
	v_mark_unknown(d);
	d->var = t;
	if (uM <= U32_MAX) {
		d->u32min = (uint32_t)um;
		d->u32max = (uint32_t)uM;
	}
	d->umax = U32_MAX;
	v_sync(d);
	v_zext32(d);
	v_sync(d);
}

/* ---- comparisons ---- */

struct range { uint64_t umin, umax; int64_t smin, smax; };

static struct range rng(const struct vreg *r, bool is64)
{
	if (is64)
		return (struct range){ r->umin, r->umax, r->smin, r->smax };
	return (struct range){ r->u32min, r->u32max, r->s32min, r->s32max };
}

/* The eight ordering comparisons are one: `a > b` or `a >= b` (strict), with the
 * operands swapped for < and <=, on the unsigned bounds or on the signed ones seen
 * through an order-preserving map to unsigned (flip the sign bit). */
struct order { bool sgn, strict, swap; };

static bool order_of(int op, struct order *o)
{
	switch (op) {
	case BK_JGT: *o = (struct order){ false, true, false }; return true;
	case BK_JGE: *o = (struct order){ false, false, false }; return true;
	case BK_JLT: *o = (struct order){ false, true, true }; return true;
	case BK_JLE: *o = (struct order){ false, false, true }; return true;
	case BK_JSGT: *o = (struct order){ true, true, false }; return true;
	case BK_JSGE: *o = (struct order){ true, false, false }; return true;
	case BK_JSLT: *o = (struct order){ true, true, true }; return true;
	case BK_JSLE: *o = (struct order){ true, false, true }; return true;
	}
	return false;
}

#define SIGN_BIT (1ULL << 63)
struct iv { uint64_t lo, hi; };

static struct iv iv_of(const struct range *x, bool sgn)
{
	if (sgn)
		return (struct iv){ (uint64_t)x->smin ^ SIGN_BIT, (uint64_t)x->smax ^ SIGN_BIT };
	return (struct iv){ x->umin, x->umax };
}

static void iv_put(struct range *x, struct iv v, bool sgn)
{
	if (sgn) {
		x->smin = (int64_t)(v.lo ^ SIGN_BIT);
		x->smax = (int64_t)(v.hi ^ SIGN_BIT);
	} else {
		x->umin = v.lo;
		x->umax = v.hi;
	}
}

/* Is `a > b` (strict) or `a >= b` always (1), never (0) or sometimes (-1) true? */
static int iv_taken(struct iv a, struct iv b, bool strict)
{
	if (strict ? a.lo > b.hi : a.lo >= b.hi)
		return 1;
	if (strict ? a.hi <= b.lo : a.hi < b.lo)
		return 0;
	return -1;
}

/* Narrows a and b given `a > b` (strict) or `a >= b`. */
static void iv_refine(struct iv *a, struct iv *b, bool strict)
{
	if (!strict) {
		a->lo = MAX(a->lo, b->lo);
		b->hi = MIN(b->hi, a->hi);
		return;
	}
	if (b->lo < U64_MAX)
		a->lo = MAX(a->lo, b->lo + 1);
	if (a->hi > 0)
		b->hi = MIN(b->hi, a->hi - 1);
}

/* 1 taken, 0 not taken, -1 unknown. */
int v_branch_taken(int op, bool is64, const struct vreg *a, const struct vreg *b)
{
	struct range x = rng(a, is64), y = rng(b, is64);
	struct tnum ta = is64 ? a->var : tnum_subreg(a->var);
	struct tnum tb = is64 ? b->var : tnum_subreg(b->var);
	switch (op) {
	case BK_JEQ:
		if (tnum_is_const(ta) && tnum_is_const(tb))
			return ta.value == tb.value;
		if (x.umin > y.umax || x.umax < y.umin || x.smin > y.smax || x.smax < y.smin)
			return 0;
		if ((ta.value & ~tb.mask & ~ta.mask) != (tb.value & ~ta.mask & ~tb.mask))
			return 0;
		return -1;
	case BK_JNE: {
		int t = v_branch_taken(BK_JEQ, is64, a, b);
		return t < 0 ? -1 : !t;
	}
	case BK_JSET:
		if (!tnum_is_const(tb))
			return -1;
		if (ta.value & tb.value)
			return 1;
		if (!((ta.value | ta.mask) & tb.value))
			return 0;
		return -1;
	default: {
		struct order o;
		if (!order_of(op, &o))
			return -1;
		struct iv p = iv_of(&x, o.sgn), q = iv_of(&y, o.sgn);
		return o.swap ? iv_taken(q, p, o.strict) : iv_taken(p, q, o.strict);
	}
	}
	return -1;
}

int v_flip_op(int op)
{
	switch (op) {
	case BK_JGT: return BK_JLT;
	case BK_JGE: return BK_JLE;
	case BK_JLT: return BK_JGT;
	case BK_JLE: return BK_JGE;
	case BK_JSGT: return BK_JSLT;
	case BK_JSGE: return BK_JSLE;
	case BK_JSLT: return BK_JSGT;
	case BK_JSLE: return BK_JSGE;
	}
	return op;
}

int v_negate_op(int op)
{
	switch (op) {
	case BK_JEQ: return BK_JNE;
	case BK_JNE: return BK_JEQ;
	case BK_JGT: return BK_JLE;
	case BK_JGE: return BK_JLT;
	case BK_JLT: return BK_JGE;
	case BK_JLE: return BK_JGT;
	case BK_JSGT: return BK_JSLE;
	case BK_JSGE: return BK_JSLT;
	case BK_JSLT: return BK_JSGE;
	case BK_JSLE: return BK_JSGT;
	case BK_JSET: return -BK_JSET;
	case -BK_JSET: return BK_JSET;
	}
	return op;
}

static void put(struct vreg *r, struct range x, bool is64)
{
	if (is64) {
		r->umin = x.umin; r->umax = x.umax; r->smin = x.smin; r->smax = x.smax;
	} else {
		r->u32min = (uint32_t)x.umin; r->u32max = (uint32_t)x.umax;
		r->s32min = (int32_t)x.smin; r->s32max = (int32_t)x.smax;
	}
}

/* Narrows a and b given that `a OP b` holds (op may be -BK_JSET: !(a & b)). */
void v_refine(int op, bool is64, struct vreg *a, struct vreg *b)
{
	struct range x = rng(a, is64), y = rng(b, is64);
	switch (op) {
	case BK_JEQ: {
		x.umin = y.umin = MAX(x.umin, y.umin);
		x.umax = y.umax = MIN(x.umax, y.umax);
		x.smin = y.smin = MAX(x.smin, y.smin);
		x.smax = y.smax = MIN(x.smax, y.smax);
		if (is64) {
			a->var = b->var = tnum_intersect(a->var, b->var);
		} else {
			struct tnum t = tnum_intersect(tnum_subreg(a->var), tnum_subreg(b->var));
			a->var = tnum_with_subreg(a->var, t);
			b->var = tnum_with_subreg(b->var, t);
		}
		break;
	}
	case BK_JNE: {
		/* only a constant at an edge of the other range tells something */
		struct vreg *c = NULL, *o = NULL;
		struct range *cr = NULL, *orr = NULL;
		struct tnum tb = is64 ? b->var : tnum_subreg(b->var);
		struct tnum ta = is64 ? a->var : tnum_subreg(a->var);
		if (tnum_is_const(tb)) { c = b; o = a; cr = &y; orr = &x; }
		else if (tnum_is_const(ta)) { c = a; o = b; cr = &x; orr = &y; }
		(void)c; (void)o;
		if (cr) {
			uint64_t v = cr->umin;
			if (orr->umin == v && orr->umin < orr->umax) orr->umin++;
			else if (orr->umax == v && orr->umin < orr->umax) orr->umax--;
			int64_t sv = cr->smin;
			if (orr->smin == sv && orr->smin < orr->smax) orr->smin++;
			else if (orr->smax == sv && orr->smin < orr->smax) orr->smax--;
		}
		break;
	}
	case BK_JSET: {
		struct tnum tb = is64 ? b->var : tnum_subreg(b->var);
		if (tnum_is_const(tb) && tb.value && !(tb.value & (tb.value - 1))) {
			if (is64) a->var = tnum_or(a->var, tb);
			else a->var = tnum_with_subreg(a->var, tnum_or(tnum_subreg(a->var), tb));
		}
		break;
	}
	case -BK_JSET: {
		struct tnum tb = is64 ? b->var : tnum_subreg(b->var);
		if (tnum_is_const(tb)) {
			if (is64) a->var = tnum_and(a->var, tnum_const(~tb.value));
			else a->var = tnum_with_subreg(a->var, tnum_and(tnum_subreg(a->var), tnum_const(~tb.value)));
		}
		break;
	}
	default: {
		struct order o;
		if (!order_of(op, &o))
			break;
		struct iv p = iv_of(&x, o.sgn), q = iv_of(&y, o.sgn);
		if (o.swap)
			iv_refine(&q, &p, o.strict);
		else
			iv_refine(&p, &q, o.strict);
		iv_put(&x, p, o.sgn);
		iv_put(&y, q, o.sgn);
		break;
	}
	}
	if (!is64) {
		/* 32-bit signed bounds live in s32 fields: clamp the 64-bit-wide math */
		if (x.smin < S32_MIN) x.smin = S32_MIN;
		if (x.smax > S32_MAX) x.smax = S32_MAX;
		if (y.smin < S32_MIN) y.smin = S32_MIN;
		if (y.smax > S32_MAX) y.smax = S32_MAX;
		if (x.umax > U32_MAX) x.umax = U32_MAX;
		if (y.umax > U32_MAX) y.umax = U32_MAX;
	}
	if (a->type == T_SCALAR) {
		put(a, x, is64);
		v_sync(a);
	}
	if (b->type == T_SCALAR) {
		put(b, y, is64);
		v_sync(b);
	}
}
