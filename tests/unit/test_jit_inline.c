/* What the JIT does beyond instruction-by-instruction translation in a proved program,
 * against the interpreter:
 *  - bpf_map_lookup_elem on an array map compiled inline (a per-cpu array too when the
 *    map set has one cpu; with two cpus it stays a call): same r0, map contents and
 *    helper-call count for keys inside and outside the array;
 *  - `rD = rA; rD += rB/imm; access through rD` folded into one access when rD is dead
 *    afterwards (or the load's destination), and not when rD is read later. */
#include "tap.h"

#include "bpfkit/asm.h"
#include "bpfkit/helpers.h"
#include "bpfkit/jit.h"
#include "bpfkit/maps.h"
#include "bpfkit/vm.h"

#include <errno.h>
#include <stdlib.h>

#if defined(__x86_64__)

/* LDDW_SRC: the pseudo source every lddw gets (5: map by index, 6: its value) */
static struct bk_prog *load_src(struct bk_vm *vm, const char *text, struct bk_map **maps,
				size_t nmaps, int lddw_src)
{
	struct bk_buf b = { 0 };
	struct bk_err e = { 0 };
	if (bk_asm_raw(text, strlen(text), NULL, &b, &e)) {
		printf("not ok jit inline: assemble: %s\n", e.msg);
		return NULL;
	}
	struct bk_insn *ins = (struct bk_insn *)b.data;
	size_t n = b.len / sizeof(*ins);
	for (size_t i = 0; i + 1 < n; i++)
		if (ins[i].code == 0x18) {
			ins[i].src = (uint8_t)lddw_src;
			i++;
		}
	struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .type = BK_PROG_XDP, .maps = maps,
					      .nmaps = nmaps);
	struct bk_prog *p = NULL;
	if (bk_vm_load(vm, ins, n, &po, &p, &e))
		printf("not ok jit inline: load: %s\n", e.msg);
	free(b.data);
	return p;
}

static struct bk_prog *load(struct bk_vm *vm, const char *text, struct bk_map **maps, size_t nmaps)
{
	return load_src(vm, text, maps, nmaps, 5);
}

static int run(struct bk_prog *p, uint64_t *r0, uint64_t *helpers)
{
	static const uint8_t pkt[64];
	struct bk_run_opts ro = BK_OPTS_INIT(bk_run_opts, .data_in = pkt, .data_size_in = sizeof pkt);
	struct bk_run_result res;
	struct bk_err e = { 0 };
	int ret = bk_prog_test_run(p, &ro, &res, &e);
	if (ret)
		return ret;
	*r0 = res.retval;
	*helpers = res.stats.helper_calls;
	bk_run_result_free(&res);
	return 0;
}

static const char lookup_fmt[] =
	"  *(u32 *)(r10 - 4) = %d\n"
	"  r2 = r10\n"
	"  r2 += -4\n"
	"  r1 = 0 ll\n"
	"  call 1\n"
	"  if r0 == 0 goto miss\n"
	"  r1 = *(u32 *)(r0 + 4)\n"
	"  r1 += 1\n"
	"  *(u32 *)(r0 + 8) = r1\n"
	"  r0 = r1\n"
	"  exit\n"
	"miss:\n"
	"  r0 = 99\n"
	"  exit\n";

/* Runs the lookup program for several keys on MAP (3 elements of 12 bytes), first with
 * the interpreter then with the JIT, the map reset in between; returns the number of
 * differences and the JIT's inline lookup count in *inl. */
static int lookups(struct bk_vm *vm, struct bk_map *m, size_t *inl)
{
	static const int keys[] = { 0, 1, 2, 3, -1, 1000 };
	int bad = 0;
	*inl = 0;
	size_t vsz = bk_map_sys_value_size(m);
	uint8_t *v = calloc(3, vsz), *after_i = calloc(3, vsz), *after_j = calloc(3, vsz);
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		char text[1024];
		snprintf(text, sizeof text, lookup_fmt, keys[k]);
		struct bk_prog *p = load(vm, text, &m, 1);
		struct bk_err e = { 0 };
		if (!p || bk_prog_prove(p, &e)) {
			printf("# key %d: not proved: %s\n", keys[k], e.msg);
			bad++;
			continue;
		}
		uint64_t r0[2] = { 0 }, hc[2] = { 0 };
		int ret[2];
		for (int eng = 0; eng < 2; eng++) {
			for (uint32_t i = 0; i < 3; i++) {
				memset(v, 0, vsz);
				for (size_t c = 0; c + 12 <= vsz; c += 16) {
					uint32_t x = 10 * i + 1;
					memcpy(v + c + 4, &x, 4);
				}
				bk_map_sys_update(m, &i, v, 0, &e);
			}
			if (eng == 1) {
				struct bk_jit_info info = { 0 };
				if (bk_jit_attach(p, NULL, &e) < 0) {
					bad++;
					break;
				}
				bk_jit_code(p, &info);
				*inl += info.inlined;
			}
			ret[eng] = run(p, &r0[eng], &hc[eng]);
			for (uint32_t i = 0; i < 3; i++)
				bk_map_sys_lookup(m, &i, (eng ? after_j : after_i) + i * vsz, 0, &e);
		}
		if (ret[0] != ret[1] || r0[0] != r0[1] || hc[0] != hc[1] || hc[0] != 1 ||
		    memcmp(after_i, after_j, 3 * vsz)) {
			printf("# key %d: interp %d r0 %llu helpers %llu, jit %d r0 %llu helpers %llu\n",
			       keys[k], ret[0], (unsigned long long)r0[0], (unsigned long long)hc[0],
			       ret[1], (unsigned long long)r0[1], (unsigned long long)hc[1]);
			bad++;
		}
		bk_prog_free(p);
	}
	free(v);
	free(after_i);
	free(after_j);
	return bad;
}

/* P run by the interpreter, then proved, compiled and run again, gives WANT both times. */
static void same_as_interp(struct bk_prog *p, uint64_t want, const char *what)
{
	struct bk_err e = { 0 };
	uint64_t ri = 0, rj = 0, h;
	int a = run(p, &ri, &h);
	int pr = bk_prog_prove(p, &e);
	int ja = pr ? pr : bk_jit_attach(p, NULL, &e);
	int b = ja ? ja : run(p, &rj, &h);
	CHECKF(a == 0 && b == 0 && ri == want && rj == ri,
	       "jit inline: %s (interp %d %llu, jit %d %llu: %s)", what, a,
	       (unsigned long long)ri, b, (unsigned long long)rj, e.msg);
}

/* slot 4..6: r3 is read afterwards (r0 = r3 - r1): not folded; 7..9: r4 is the load's
 * destination; 10..12: r5 += imm, dead afterwards */
static const char fold_text[] =
	"  *(u64 *)(r10 - 16) = 0\n"
	"  *(u64 *)(r10 - 8) = 0\n"
	"  r1 = r10\n"
	"  r1 += -16\n"
	"  r2 = 3\n"
	"  r3 = r1\n"
	"  r3 += r2\n"
	"  *(u8 *)(r3 + 0) = 7\n"
	"  r4 = r1\n"
	"  r4 += r2\n"
	"  r4 = *(u8 *)(r4 + 0)\n"
	"  r5 = r1\n"
	"  r5 += 8\n"
	"  *(u32 *)(r5 + 0) = 5\n"
	"  r0 = r3\n"
	"  r0 -= r1\n"
	"  r0 *= 100\n"
	"  r0 += r4\n"
	"  r5 = *(u32 *)(r10 - 8)\n"
	"  r0 += r5\n"
	"  exit\n";

/* a scaled index into a map value (lddw src 6): slots 6..11 fold into one load, 12..17
 * do not (the shifted r3 is read at the end) */
static const char scaled_text[] =
	"  r1 = 0 ll\n"
	"  r2 = 7\n"
	"  *(u32 *)(r1 + 4) = r2\n"
	"  r2 = 9\n"
	"  *(u32 *)(r1 + 8) = r2\n"
	"  r4 = 1\n"
	"  r4 <<= 2\n"
	"  r5 = 0 ll\n"
	"  r5 += r4\n"
	"  r4 = *(u32 *)(r5 + 0)\n"
	"  r3 = 2\n"
	"  r3 <<= 2\n"
	"  r5 = 0 ll\n"
	"  r5 += r3\n"
	"  r6 = *(u32 *)(r5 + 0)\n"
	"  r0 = r4\n"
	"  r0 *= 100\n"
	"  r0 += r6\n"
	"  r0 += r3\n"
	"  exit\n";

int main(void)
{
	struct bk_err e = { 0 };
	struct bk_vm *vm = bk_vm_new(NULL);
	struct bk_vm_opts o2 = BK_OPTS_INIT(bk_vm_opts, .ncpus = 2);
	struct bk_vm *vm2 = bk_vm_new(&o2);
	if (!vm || !vm2 || bk_helpers_install(vm, &e) || bk_helpers_install(vm2, &e)) {
		printf("not ok jit inline: setup: %s\n", e.msg);
		return 0;
	}
	struct bk_map *arr, *pc1, *pc2;
	struct bk_map_def def = { .type = BK_MAP_ARRAY, .key_size = 4, .value_size = 12,
				  .max_entries = 3 };
	snprintf(def.name, sizeof def.name, "arr");
	int r = bk_map_create(bk_vm_maps(vm), &def, &arr, &e);
	def.type = BK_MAP_PERCPU_ARRAY;
	snprintf(def.name, sizeof def.name, "pcpu");
	if (!r)
		r = bk_map_create(bk_vm_maps(vm), &def, &pc1, &e);
	if (!r)
		r = bk_map_create(bk_vm_maps(vm2), &def, &pc2, &e);
	if (r) {
		printf("not ok jit inline: maps: %s\n", e.msg);
		return 0;
	}
	size_t inl = 0;
	int bad = lookups(vm, arr, &inl);
	CHECKF(bad == 0 && inl == 6, "jit inline: array lookups inline (%zu of 6 programs), keys 0..2, 3, -1, 1000 as the interpreter (%d differ)",
	       inl, bad);
	bad = lookups(vm, pc1, &inl);
	CHECKF(bad == 0 && inl == 6, "jit inline: per-cpu array lookups inline with one cpu (%zu of 6), as the interpreter (%d differ)",
	       inl, bad);
	bad = lookups(vm2, pc2, &inl);
	CHECKF(bad == 0 && inl == 0, "jit inline: per-cpu array lookups with two cpus stay calls (%zu inline), as the interpreter (%d differ)",
	       inl, bad);

	struct bk_prog *p = load(vm, fold_text, NULL, 0);
	if (p) {
		same_as_interp(p, 312, "address folding keeps a register read later");
		long s5 = bk_jit_slot_offset(p, 5), s8 = bk_jit_slot_offset(p, 8),
		     s11 = bk_jit_slot_offset(p, 11), s14 = bk_jit_slot_offset(p, 14);
		CHECKF(s8 - s5 >= 8 && s11 - s8 < 8 && s14 - s11 < 8,
		       "jit inline: the dead address registers are folded into the access (%ld, %ld, %ld bytes)",
		       s8 - s5, s11 - s8, s14 - s11);
	}
	/* direct value access needs a one-element array, as in the kernel */
	struct bk_map *one;
	struct bk_map_def d1 = { .type = BK_MAP_ARRAY, .key_size = 4, .value_size = 16,
				 .max_entries = 1 };
	snprintf(d1.name, sizeof d1.name, "one");
	struct bk_prog *q = bk_map_create(bk_vm_maps(vm), &d1, &one, &e) ? NULL :
			    load_src(vm, scaled_text, &one, 1, 6);
	if (q) {
		same_as_interp(q, 717, "scaled index into a map value");
		long s7 = bk_jit_slot_offset(q, 7), s12 = bk_jit_slot_offset(q, 12),
		     s13 = bk_jit_slot_offset(q, 13), s18 = bk_jit_slot_offset(q, 18);
		CHECKF(s12 - s7 < s18 - s13,
		       "jit inline: shift, lddw, add and load fold into one access when the shifted register is dead (%ld vs %ld bytes)",
		       s12 - s7, s18 - s13);
	}
	bk_vm_free(vm);
	bk_vm_free(vm2);
	return 0;
}

#else

int main(void)
{
	printf("skip jit inline: the JIT needs an x86-64 host\n");
	return 0;
}
#endif
