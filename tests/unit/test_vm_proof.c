/* The interpreter's use of the verifier's proof (bk_prog_prove): exactly the loads and
 * stores with BK_VF_MEM_SAFE get an unchecked handler in the pre-decoded form, context
 * loads never do, an access whose fact is dropped is checked again, and the results are
 * those of the unproved program. White-box: looks at prog->fast (src/vm/vm_internal.h). */
#include "tap.h"

#include "bpfkit/asm.h"
#include "bpfkit/helpers.h"
#include "bpfkit/verifier.h"
#include "bpfkit/vm.h"
#include "vm/vm_internal.h"

#include <errno.h>
#include <stdlib.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Reads two packet bytes after a data_end check, counts them in a hash map through a
 * stack key (a pointer to the stack other than r10) and returns the count. */
static const char prog_text[] =
	"  r6 = r1\n"
	"  r2 = *(u32 *)(r6 + 0)\n"
	"  r3 = *(u32 *)(r6 + 4)\n"
	"  r4 = r2\n"
	"  r4 += 14\n"
	"  if r4 > r3 goto out\n"
	"  r7 = *(u8 *)(r2 + 12)\n"
	"  r8 = *(u8 *)(r2 + 13)\n"
	"  *(u8 *)(r2 + 0) = r8\n"
	"  r9 = r10\n"
	"  r9 += -8\n"
	"  *(u32 *)(r9 + 0) = r7\n"
	"  *(u32 *)(r9 + 4) = 0\n"
	"  r1 = 0 ll\n"
	"  r2 = r9\n"
	"  call 1\n"
	"  if r0 == 0 goto out\n"
	"  r1 = *(u64 *)(r0 + 0)\n"
	"  r1 += r8\n"
	"  *(u64 *)(r0 + 0) = r1\n"
	"  r0 = r1\n"
	"  exit\n"
	"out:\n"
	"  r0 = 0\n"
	"  exit\n";

static bool is_mem(const struct bk_insn *in)
{
	unsigned c = in->code & 7;
	return (c == 1 || c == 2 || c == 3) && (in->code & 0xe0) != 0xc0;  /* ldx, st, stx; no atomics */
}

static int run(struct bk_prog *p, const uint8_t *pkt, size_t len, uint64_t *r0, uint8_t *out)
{
	struct bk_run_opts ro = BK_OPTS_INIT(bk_run_opts, .data_in = pkt, .data_size_in = len);
	struct bk_run_result res;
	struct bk_err e = { 0 };
	int ret = bk_prog_test_run(p, &ro, &res, &e);
	if (ret)
		return ret;
	*r0 = res.retval;
	memcpy(out, res.data_out.data, res.data_out.len < 64 ? res.data_out.len : 64);
	bk_run_result_free(&res);
	return 0;
}

int main(void)
{
	struct bk_buf b = { 0 };
	struct bk_err e = { 0 };
	if (bk_asm_raw(prog_text, strlen(prog_text), NULL, &b, &e)) {
		printf("not ok assemble: %s\n", e.msg);
		return 0;
	}
	struct bk_insn *ins = (struct bk_insn *)b.data;
	size_t n = b.len / sizeof(*ins);
	for (size_t i = 0; i + 1 < n; i++)
		if (ins[i].code == 0x18) {
			ins[i].src = 5;
			i++;
		}
	struct bk_vm *vm = bk_vm_new(NULL);
	struct bk_map *m;
	struct bk_map_def def = { .type = BK_MAP_HASH, .key_size = 8, .value_size = 8,
				  .max_entries = 4 };
	snprintf(def.name, sizeof def.name, "counts");
	if (!vm || bk_helpers_install(vm, &e) || bk_map_create(bk_vm_maps(vm), &def, &m, &e)) {
		printf("not ok setup: %s\n", e.msg);
		return 0;
	}
	uint64_t one = 1000;
	uint64_t key = 0x08;
	bk_map_sys_update(m, &key, &one, 0, &e);
	struct bk_map *maps[1] = { m };
	struct bk_prog_opts po = BK_OPTS_INIT(bk_prog_opts, .type = BK_PROG_XDP, .maps = maps,
					      .nmaps = 1);
	struct bk_prog *p;
	if (bk_vm_load(vm, ins, n, &po, &p, &e)) {
		printf("not ok load: %s\n", e.msg);
		return 0;
	}
	uint8_t pkt[60] = { [12] = 0x08, [13] = 0x06 }, out0[64] = { 0 }, out1[64] = { 0 };
	uint64_t r0a = 0, r0b = 0;
	int ra = run(p, pkt, sizeof pkt, &r0a, out0);
	CHECKF(ra == 0 && r0a == 1006, "unproved run (%d, r0 %llu)", ra, (unsigned long long)r0a);

	int pr = bk_prog_prove(p, &e);
	CHECKF(pr == 0 && bk_prog_proof(p), "the verifier proves it (%d: %s)", pr, pr ? e.msg : "");
	if (pr) {
		bk_vm_free(vm);
		bk_buf_free(&b);
		return 0;
	}
	const uint8_t *proof = bk_prog_proof(p);
	size_t nmem = 0, nproved = 0, bad = 0, nctx = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_mem(&ins[i]))
			continue;
		nmem++;
		bool ctx = (ins[i].code & 7) == 1 && ins[i].src == 6;
		bool u = p->fast[i].op >= BK_FOP_U_LDX_B && p->fast[i].op <= BK_FOP_U_STX_DW;
		if (ctx) {
			nctx++;
			if (proof[i] & BK_VF_MEM_SAFE || u)
				bad++;
			continue;
		}
		if (proof[i] & BK_VF_MEM_SAFE)
			nproved++;
		if (u != !!(proof[i] & BK_VF_MEM_SAFE))
			bad++;
	}
	CHECKF(bad == 0 && nctx == 2, "unchecked handlers exactly at proved slots, none at context loads (%zu wrong)", bad);
	CHECKF(nproved == nmem - nctx, "every non-context access of this program is proved (%zu of %zu)",
	       nproved, nmem - nctx);
	CHECK("the proved access through r9 (stack) is unchecked",
	      p->fast[11].op == BK_FOP_U_STX_W && p->fast[12].op == BK_FOP_U_ST_W);

	bk_map_sys_update(m, &key, &one, 0, &e);
	int rb = run(p, pkt, sizeof pkt, &r0b, out1);
	CHECKF(rb == 0 && r0b == r0a && !memcmp(out0, out1, sizeof out0),
	       "proved run gives the unproved result (%d, r0 %llu)", rb, (unsigned long long)r0b);

	/* Drop the packet load's fact: that slot is checked again, the others stay. */
	p->proof[6] &= (uint8_t)~BK_VF_MEM_SAFE;
	CHECK("predecode after a dropped fact", bk__prog_predecode(p, &e) == 0);
	CHECK("the access without its fact is checked again",
	      p->fast[6].op == BK_OP_LDX_B && p->fast[7].op == BK_FOP_U_LDX_B);
	bk_map_sys_update(m, &key, &one, 0, &e);
	rb = run(p, pkt, sizeof pkt, &r0b, out1);
	CHECKF(rb == 0 && r0b == r0a, "and gives the same result (%d, r0 %llu)", rb, (unsigned long long)r0b);

	bk_prog_unprove(p);
	bool any = false;
	for (size_t i = 0; i < n; i++)
		if (p->fast[i].op >= BK_FOP_U_LDX_B && p->fast[i].op <= BK_FOP_U_STX_DW)
			any = true;
	CHECK("bk_prog_unprove leaves no unchecked access", !any);

	/* A raw program is never proved: its out-of-bounds store still faults. */
	const char oob[] = "r2 = r1\n r2 += 64\n *(u8 *)(r2 + 0) = 1\n r0 = 0\n exit\n";
	struct bk_buf b2 = { 0 };
	struct bk_prog *q;
	if (!bk_asm_raw(oob, strlen(oob), NULL, &b2, &e) &&
	    !bk_vm_load(vm, (struct bk_insn *)b2.data, b2.len / 8, NULL, &q, &e)) {
		int qp = bk_prog_prove(q, &e);
		uint8_t mem[16] = { 0 };
		struct bk_run_opts ro = BK_OPTS_INIT(bk_run_opts, .data_in = mem, .data_size_in = sizeof mem);
		struct bk_run_result res;
		struct bk_err e2 = { 0 };
		int qr = bk_prog_test_run(q, &ro, &res, &e2);
		CHECKF(qp < 0 && qr == -EFAULT && strstr(e2.msg, "invalid write of 1 bytes"),
		       "an unproved program keeps its checks (%d, %d: %s)", qp, qr, e2.msg);
	} else {
		printf("not ok hostile: %s\n", e.msg);
	}
	bk_buf_free(&b2);
	bk_vm_free(vm);
	bk_buf_free(&b);
	return 0;
}
