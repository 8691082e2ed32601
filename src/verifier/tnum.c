/* Tristate numbers: the kernel's known-bits abstraction, so that bounds derived
 * from masks and shifts agree with the kernel's. */
#include "vint.h"

#include <stdio.h>

const struct tnum tnum_unknown = { 0, UINT64_MAX };

struct tnum tnum_const(uint64_t v)
{
	return TNUM(v, 0);
}

struct tnum tnum_range(uint64_t min, uint64_t max)
{
	uint64_t chi = min ^ max;
	if (chi == 0)
		return tnum_const(min);
	int bits = 64 - __builtin_clzll(chi);
	if (bits > 63)
		return tnum_unknown;
	uint64_t delta = (1ULL << bits) - 1;
	return TNUM(min & ~delta, delta);
}

struct tnum tnum_lshift(struct tnum a, unsigned s)
{
	return TNUM(a.value << s, a.mask << s);
}

struct tnum tnum_rshift(struct tnum a, unsigned s)
{
	return TNUM(a.value >> s, a.mask >> s);
}

struct tnum tnum_arshift(struct tnum a, unsigned s, unsigned bits)
{
	if (bits == 32)
		return TNUM((uint32_t)((int32_t)a.value >> s), (uint32_t)((int32_t)a.mask >> s));
	return TNUM((uint64_t)((int64_t)a.value >> s), (uint64_t)((int64_t)a.mask >> s));
}

struct tnum tnum_add(struct tnum a, struct tnum b)
{
	uint64_t sm = a.mask + b.mask, sv = a.value + b.value, sigma = sm + sv;
	uint64_t chi = sigma ^ sv, mu = chi | a.mask | b.mask;
	return TNUM(sv & ~mu, mu);
}

struct tnum tnum_sub(struct tnum a, struct tnum b)
{
	uint64_t dv = a.value - b.value, alpha = dv + a.mask, beta = dv - b.mask;
	uint64_t chi = alpha ^ beta, mu = chi | a.mask | b.mask;
	return TNUM(dv & ~mu, mu);
}

struct tnum tnum_and(struct tnum a, struct tnum b)
{
	uint64_t alpha = a.value | a.mask, beta = b.value | b.mask, v = a.value & b.value;
	return TNUM(v, alpha & beta & ~v);
}

struct tnum tnum_or(struct tnum a, struct tnum b)
{
	uint64_t v = a.value | b.value, mu = a.mask | b.mask;
	return TNUM(v, mu & ~v);
}

struct tnum tnum_xor(struct tnum a, struct tnum b)
{
	uint64_t v = a.value ^ b.value, mu = a.mask | b.mask;
	return TNUM(v & ~mu, mu);
}

struct tnum tnum_mul(struct tnum a, struct tnum b)
{
	struct tnum acc_v = tnum_const(a.value * b.value), acc_m = TNUM(0, 0);
	while (a.value || a.mask) {
		if (a.value & 1)
			acc_m = tnum_add(acc_m, TNUM(0, b.mask));
		else if (a.mask & 1)
			acc_m = tnum_add(acc_m, TNUM(0, b.value | b.mask));
		a = tnum_rshift(a, 1);
		b = tnum_lshift(b, 1);
	}
	return tnum_add(acc_v, acc_m);
}

struct tnum tnum_intersect(struct tnum a, struct tnum b)
{
	uint64_t v = a.value | b.value, mu = a.mask & b.mask;
	return TNUM(v & ~mu, mu);
}

struct tnum tnum_cast(struct tnum a, unsigned bytes)
{
	if (bytes >= 8)
		return a;
	uint64_t m = (1ULL << (bytes * 8)) - 1;
	return TNUM(a.value & m, a.mask & m);
}

struct tnum tnum_subreg(struct tnum a)
{
	return tnum_cast(a, 4);
}

struct tnum tnum_clear_subreg(struct tnum a)
{
	return tnum_lshift(tnum_rshift(a, 32), 32);
}

struct tnum tnum_with_subreg(struct tnum reg, struct tnum sub)
{
	return tnum_or(tnum_clear_subreg(reg), tnum_subreg(sub));
}

bool tnum_is_const(struct tnum a)
{
	return !a.mask;
}

bool tnum_equals_const(struct tnum a, uint64_t v)
{
	return !a.mask && a.value == v;
}

bool tnum_in(struct tnum a, struct tnum b)
{
	if (b.mask & ~a.mask)
		return false;
	b.value &= ~a.mask;
	return a.value == b.value;
}

int tnum_str(char *buf, size_t n, struct tnum a)
{
	return snprintf(buf, n, "(0x%llx; 0x%llx)", (unsigned long long)a.value,
			(unsigned long long)a.mask);
}
