/* Helper prototypes as data. Argument types follow the kernel's func_proto definitions
 * (net/core/filter.c, kernel/bpf/helpers.c, ringbuf.c, bpf_iter.c); the allowed program
 * types are what kernel 6.18's verifier accepts for socket_filter, sched_cls and xdp
 * (checked against the running kernel by tests/unit/test_helpers.c). */
#include "bpfkit/helpers.h"

#include <errno.h>
#include <string.h>

#define SK BK_PT(BK_KPROG_SOCKET_FILTER)
#define TC BK_PT(BK_KPROG_SCHED_CLS)
#define XDP BK_PT(BK_KPROG_XDP)
#define ALL (SK | TC | XDP | BK_PT_RAW)

#define MAP BK_ARG_CONST_MAP_PTR
#define KEY BK_ARG_PTR_TO_MAP_KEY
#define VAL BK_ARG_PTR_TO_MAP_VALUE
#define MEM BK_ARG_PTR_TO_MEM
#define RO BK_ARG_MEM_RDONLY
#define UNINIT BK_ARG_MEM_UNINIT
#define NUL BK_ARG_MAYBE_NULL
#define SZ BK_ARG_CONST_SIZE
#define SZ0 BK_ARG_CONST_SIZE_OR_ZERO
#define CTX BK_ARG_PTR_TO_CTX
#define ANY BK_ARG_ANYTHING

/* The kernel marks these per helper; kept as id lists so each row stays one line. */
#define GPL_ONLY(id) ((id) == 6 || (id) == 165)
#define CHANGES_PKT(id) ((id) == 9 || (id) == 10 || (id) == 11 || (id) == 44 || (id) == 54 || \
			 (id) == 65)
#define PKT_ACCESS(id) ((id) == 1 || (id) == 2 || (id) == 3 || (id) == 9 || (id) == 26 || \
			(id) == 28 || (id) == 87 || (id) == 130 || (id) == 182)
#define COMMON(ID, NAME, RET, TYPES) \
	.id = ID, .name = #NAME, .ret = BK_RET_##RET, .prog_types = TYPES, \
	.gpl_only = GPL_ONLY(ID), .changes_pkt_data = CHANGES_PKT(ID), .pkt_access = PKT_ACCESS(ID)
#define P(ID, NAME, RET, TYPES, ...) \
	{ COMMON(ID, NAME, RET, TYPES), .arg = { __VA_ARGS__ }, \
	  .nargs = sizeof((uint16_t[]){ 0, __VA_ARGS__ }) / 2 - 1 }
#define P0(ID, NAME, RET, TYPES) { COMMON(ID, NAME, RET, TYPES), .nargs = 0 }

/* Sorted by id: bk_helper_proto does a binary search. */
static const struct bk_helper_proto protos[] = {
	P(1, map_lookup_elem, PTR_TO_MAP_VALUE_OR_NULL, ALL, MAP, KEY),
	P(2, map_update_elem, INTEGER, ALL, MAP, KEY, VAL | RO, ANY),
	P(3, map_delete_elem, INTEGER, ALL, MAP, KEY),
	P0(5, ktime_get_ns, INTEGER, ALL),
	P(6, trace_printk, INTEGER, ALL, MEM | RO, SZ),
	P0(7, get_prandom_u32, INTEGER, ALL),
	P0(8, get_smp_processor_id, INTEGER, ALL),
	P(9, skb_store_bytes, INTEGER, TC | BK_PT_RAW, CTX, ANY, MEM | RO, SZ, ANY),
	P(10, l3_csum_replace, INTEGER, TC | BK_PT_RAW, CTX, ANY, ANY, ANY, ANY),
	P(11, l4_csum_replace, INTEGER, TC | BK_PT_RAW, CTX, ANY, ANY, ANY, ANY),
	P(12, tail_call, VOID, ALL, CTX, MAP, ANY),
	P0(14, get_current_pid_tgid, INTEGER, ALL),
	P0(15, get_current_uid_gid, INTEGER, ALL),
	P(16, get_current_comm, INTEGER, ALL, MEM | UNINIT, SZ),
	P(23, redirect, INTEGER, TC | XDP | BK_PT_RAW, ANY, ANY),
	P(26, skb_load_bytes, INTEGER, SK | TC | BK_PT_RAW, CTX, ANY, MEM | UNINIT, SZ),
	P(28, csum_diff, INTEGER, TC | XDP | BK_PT_RAW, MEM | NUL | RO, SZ0, MEM | NUL | RO, SZ0, ANY),
	P(44, xdp_adjust_head, INTEGER, XDP | BK_PT_RAW, CTX, ANY),
	P(51, redirect_map, INTEGER, XDP | BK_PT_RAW, MAP, ANY, ANY),
	P(54, xdp_adjust_meta, INTEGER, XDP | BK_PT_RAW, CTX, ANY),
	P(65, xdp_adjust_tail, INTEGER, XDP | BK_PT_RAW, CTX, ANY),
	P(87, map_push_elem, INTEGER, ALL, MAP, VAL | RO, ANY),
	P(88, map_pop_elem, INTEGER, ALL, MAP, VAL | UNINIT),
	P(89, map_peek_elem, INTEGER, ALL, MAP, VAL | UNINIT),
	P(93, spin_lock, VOID, ALL, BK_ARG_PTR_TO_SPIN_LOCK),
	P(94, spin_unlock, VOID, ALL, BK_ARG_PTR_TO_SPIN_LOCK),
	P0(125, ktime_get_boot_ns, INTEGER, ALL),
	P(130, ringbuf_output, INTEGER, ALL, MAP, MEM | RO, SZ0, ANY),
	P(131, ringbuf_reserve, PTR_TO_RINGBUF_MEM_OR_NULL, ALL, MAP, BK_ARG_CONST_ALLOC_SIZE_OR_ZERO, ANY),
	P(132, ringbuf_submit, VOID, ALL, BK_ARG_PTR_TO_RINGBUF_MEM | BK_ARG_OBJ_RELEASE, ANY),
	P(133, ringbuf_discard, VOID, ALL, BK_ARG_PTR_TO_RINGBUF_MEM | BK_ARG_OBJ_RELEASE, ANY),
	P(134, ringbuf_query, INTEGER, ALL, MAP, ANY),
	P(164, for_each_map_elem, INTEGER, ALL, MAP, BK_ARG_PTR_TO_FUNC, BK_ARG_PTR_TO_STACK | NUL, ANY),
	P(165, snprintf, INTEGER, ALL, MEM | UNINIT | NUL, SZ0, BK_ARG_PTR_TO_CONST_STR, MEM | RO | NUL, SZ0),
	P(181, loop, INTEGER, ALL, ANY, BK_ARG_PTR_TO_FUNC, BK_ARG_PTR_TO_STACK | NUL, ANY),
	P(182, strncmp, INTEGER, ALL, MEM | RO, SZ, BK_ARG_PTR_TO_CONST_STR),
	P(195, map_lookup_percpu_elem, PTR_TO_MAP_VALUE_OR_NULL, ALL, MAP, KEY, ANY),
};
#define NPROTOS (sizeof(protos) / sizeof(protos[0]))

const struct bk_helper_proto *bk_helper_proto(uint32_t id)
{
	size_t lo = 0, hi = NPROTOS;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (protos[mid].id == id)
			return &protos[mid];
		if (protos[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct bk_helper_proto *bk_helper_proto_at(size_t idx)
{
	return idx < NPROTOS ? &protos[idx] : NULL;
}

static const struct {
	uint32_t id;
	const char *name;
} all_names[] = {
#define BK_HELPER(id, name) { id, #name },
#include "bpfkit/helpers.def"
#undef BK_HELPER
};

int bk_helper_id(const char *name)
{
	if (!strncmp(name, "bpf_", 4))
		name += 4;
	for (size_t i = 1; i < sizeof(all_names) / sizeof(all_names[0]); i++)
		if (!strcmp(all_names[i].name, name))
			return (int)all_names[i].id;
	return -ENOENT;
}

bool bk_helper_allowed(const struct bk_helper_proto *p, int prog_type)
{
	if (!p)
		return false;
	if (prog_type < 0)
		return p->prog_types & BK_PT_RAW;
	if (prog_type >= 63)
		return false;
	return p->prog_types & BK_PT(prog_type);
}

const char *bk_arg_type_name(unsigned arg)
{
	static const char *const names[BK_ARG__COUNT] = {
		"ARG_DONTCARE", "ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_KEY", "ARG_PTR_TO_MAP_VALUE",
		"ARG_PTR_TO_MEM", "ARG_CONST_SIZE", "ARG_CONST_SIZE_OR_ZERO", "ARG_PTR_TO_CTX",
		"ARG_ANYTHING", "ARG_PTR_TO_SPIN_LOCK", "ARG_PTR_TO_RINGBUF_MEM",
		"ARG_CONST_ALLOC_SIZE_OR_ZERO", "ARG_PTR_TO_FUNC", "ARG_PTR_TO_STACK",
		"ARG_PTR_TO_CONST_STR",
	};
	arg = BK_ARG_BASE(arg);
	return arg < BK_ARG__COUNT ? names[arg] : "ARG_?";
}

const char *bk_ret_type_name(unsigned ret)
{
	static const char *const names[BK_RET__COUNT] = {
		"RET_INTEGER", "RET_VOID", "RET_PTR_TO_MAP_VALUE_OR_NULL",
		"RET_PTR_TO_RINGBUF_MEM_OR_NULL",
	};
	return ret < BK_RET__COUNT ? names[ret] : "RET_?";
}
