/* Program-type facts the verifier needs: context layouts (which offsets and sizes
 * may be read or written, which fields become packet pointers) and helper
 * prototypes (argument kinds, return kinds, which program types may call them).
 * The rules follow the kernel's *_is_valid_access and *_func_proto functions. */
#include "vint.h"
#include <stdio.h>

#include <string.h>
#include "bpfkit/helpers.h"
#include "bpfkit/disasm.h"
#include "bpfkit/progtype.h"

int bk_v_ctx_size(int t)
{
	const struct bk_progtype *pt = bk_progtype_any(t);
	return pt ? (int)pt->ctx_size : 0;
}

struct vctx_access bk_v_ctx_access(int t, int off, int size, int write)
{
	struct vctx_access a = { 0, T_SCALAR };
	const struct bk_ctx_field *f;
	if (off < 0 || !(f = bk_progtype_ctx_access(bk_progtype_any(t), (uint32_t)off, (uint32_t)size, write)))
		return a;
	a.ok = 1;
	if (!write) {
		switch (f->kind) {
		case BK_CTX_PKT_DATA: a.ret_type = T_PKT; break;
		case BK_CTX_PKT_END: a.ret_type = T_PKT_END; break;
		case BK_CTX_PKT_META: a.ret_type = T_PKT_META; break;
		case BK_CTX_SOCK_OR_NULL: a.ret_type = T_SOCK_COMMON; break;
		default: break;
		}
	}
	return a;
}

#define H(id_, name_, a1, a2, a3, a4, a5, ret_, pc, types_) \
	{ id_, "bpf_" #name_, { a1, a2, a3, a4, a5 }, ret_, pc, types_, S64_MIN, S64_MAX }
#define HR(id_, name_, a1, a2, a3, a4, a5, ret_, pc, types_, lo, hi) \
	{ id_, "bpf_" #name_, { a1, a2, a3, a4, a5 }, ret_, pc, types_, lo, hi }

static const struct vhelper helpers[] = {
	H(1, map_lookup_elem, A_MAP, A_KEY, 0, 0, 0, R_MAP_VALUE_OR_NULL, 0, V_BASE),
	H(2, map_update_elem, A_MAP, A_KEY, A_VALUE, A_ANY, 0, R_INT, 0, V_BASE),
	H(3, map_delete_elem, A_MAP, A_KEY, 0, 0, 0, R_INT, 0, V_BASE),
	H(4, probe_read, A_UNINIT_MEM, A_SIZE_OR_ZERO, A_ANY, 0, 0, R_INT, 0, V_TRACE),
	H(5, ktime_get_ns, 0, 0, 0, 0, 0, R_INT, 0, V_BASE),
	H(6, trace_printk, A_MEM, A_SIZE, 0, 0, 0, R_INT, 0, V_PERFMON),
	H(7, get_prandom_u32, 0, 0, 0, 0, 0, R_INT, 0, V_BASE),
	H(8, get_smp_processor_id, 0, 0, 0, 0, 0, R_INT, 0, V_BASE),
	H(9, skb_store_bytes, A_CTX, A_ANY, A_MEM, A_SIZE, A_ANY, R_INT, 1, V_TC),
	H(12, tail_call, A_CTX, A_MAP, A_ANY, 0, 0, R_INT, 0, V_BASE),
	H(14, get_current_pid_tgid, 0, 0, 0, 0, 0, R_INT, 0, V_BASE),
	H(15, get_current_uid_gid, 0, 0, 0, 0, 0, R_INT, 0, V_TRACE),
	H(16, get_current_comm, A_UNINIT_MEM, A_SIZE, 0, 0, 0, R_INT, 0, V_TRACE),
	H(23, redirect, A_ANY, A_ANY, 0, 0, 0, R_INT, 0, V_TC | V_XDP),
	H(26, skb_load_bytes, A_CTX, A_ANY, A_UNINIT_MEM, A_SIZE, 0, R_INT, 0, V_SKB | V_TC),
	H(35, get_current_task, 0, 0, 0, 0, 0, R_INT, 0, V_TRACE),
	H(42, get_numa_node_id, 0, 0, 0, 0, 0, R_INT, 0, V_BASE),
	H(44, xdp_adjust_head, A_CTX, A_ANY, 0, 0, 0, R_INT, 1, V_XDP),
	H(46, get_socket_cookie, A_CTX, 0, 0, 0, 0, R_INT, 0, V_SKB | V_TC),
	H(47, get_socket_uid, A_CTX, 0, 0, 0, 0, R_INT, 0, V_SKB | V_TC),
	H(112, probe_read_user, A_UNINIT_MEM, A_SIZE_OR_ZERO, A_ANY, 0, 0, R_INT, 0, V_PERFMON),
	H(113, probe_read_kernel, A_UNINIT_MEM, A_SIZE_OR_ZERO, A_ANY, 0, 0, R_INT, 0, V_PERFMON),
	H(118, jiffies64, 0, 0, 0, 0, 0, R_INT, 0, V_BASE),
	H(125, ktime_get_boot_ns, 0, 0, 0, 0, 0, R_INT, 0, V_BASE),
	H(130, ringbuf_output, A_MAP, A_MEM, A_SIZE_OR_ZERO, A_ANY, 0, R_INT, 0, V_BASE),
	H(131, ringbuf_reserve, A_MAP, A_CONST_ALLOC, A_ANY, 0, 0, R_RINGBUF_OR_NULL, 0, V_BASE),
	H(132, ringbuf_submit, A_RINGBUF_MEM, A_ANY, 0, 0, 0, R_VOID, 0, V_BASE),
	H(133, ringbuf_discard, A_RINGBUF_MEM, A_ANY, 0, 0, 0, R_VOID, 0, V_BASE),
	H(181, loop, A_ANY, A_FUNC, A_STACK_OR_NULL, A_ANY, 0, R_INT, 0, V_BASE),
};

/* Helpers not in the table above come from the runtime's prototypes (helpers.h),
 * so every helper the runtime implements can be verified. */
static struct vhelper from_runtime[256];
static char rt_names[256][48];

static uint8_t conv_arg(uint16_t a)
{
	bool null = a & BK_ARG_MAYBE_NULL, uninit = a & BK_ARG_MEM_UNINIT;
	switch (BK_ARG_BASE(a)) {
	case BK_ARG_CONST_MAP_PTR: return A_MAP;
	case BK_ARG_PTR_TO_MAP_KEY: return A_KEY;
	case BK_ARG_PTR_TO_MAP_VALUE: return A_VALUE;
	case BK_ARG_PTR_TO_MEM: return uninit ? A_UNINIT_MEM : null ? A_MEM_OR_NULL : A_MEM;
	case BK_ARG_CONST_SIZE: return A_SIZE;
	case BK_ARG_CONST_SIZE_OR_ZERO: return A_SIZE_OR_ZERO;
	case BK_ARG_PTR_TO_CTX: return A_CTX;
	case BK_ARG_PTR_TO_RINGBUF_MEM: return A_RINGBUF_MEM;
	case BK_ARG_CONST_ALLOC_SIZE_OR_ZERO: return A_CONST_ALLOC;
	case BK_ARG_PTR_TO_FUNC: return A_FUNC;
	case BK_ARG_PTR_TO_STACK: return A_STACK_OR_NULL;
	default: return A_ANY;
	}
}

const struct vhelper *bk_v_helper(int id)
{
	for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
		if (helpers[i].id == id)
			return &helpers[i];
	if (id <= 0 || id >= 256)
		return NULL;
	const struct bk_helper_proto *p = bk_helper_proto((uint32_t)id);
	if (!p)
		return NULL;
	struct vhelper *h = &from_runtime[id];
	if (h->id == id)
		return h;
	struct vhelper v;
	memset(&v, 0, sizeof v);
	v.id = id;
	snprintf(rt_names[id], sizeof rt_names[id], "bpf_%s", p->name);
	v.name = rt_names[id];
	for (int a = 0; a < 5 && a < p->nargs; a++)
		v.args[a] = conv_arg(p->arg[a]);
	v.ret = p->ret == BK_RET_VOID ? R_VOID : p->ret == BK_RET_PTR_TO_MAP_VALUE_OR_NULL ? R_MAP_VALUE_OR_NULL :
		p->ret == BK_RET_PTR_TO_RINGBUF_MEM_OR_NULL ? R_RINGBUF_OR_NULL : R_INT;
	v.pkt_changing = p->changes_pkt_data;
	v.types = 0;
	if (p->prog_types & BK_PT(1)) v.types |= V_SKB;
	if (p->prog_types & (BK_PT(3) | BK_PT(4))) v.types |= V_TC;
	if (p->prog_types & BK_PT(6)) v.types |= V_XDP;
	if (!v.types) v.types = V_BASE;
	v.ret_min = S64_MIN;
	v.ret_max = S64_MAX;
	*h = v;
	return h;
}

uint32_t bk_v_prog_class(int t)
{
	switch (t) {
	case BK_VPROG_SOCKET_FILTER:
		return V_BASE | V_SKB | V_PERFMON;
	case BK_VPROG_SCHED_CLS: case BK_VPROG_SCHED_ACT:
		return V_BASE | V_SKB | V_TC | V_PERFMON;
	case BK_VPROG_XDP:
		return V_BASE | V_XDP | V_PERFMON;
	case BK_VPROG_KPROBE: case BK_VPROG_TRACEPOINT: case BK_VPROG_PERF_EVENT:
	case BK_VPROG_RAW_TRACEPOINT:
		return V_BASE | V_TRACE | V_PERFMON;
	}
	return V_BASE;
}

static const struct { const char *name; int type; } type_names[] = {
	{ "socket_filter", BK_VPROG_SOCKET_FILTER }, { "socket", BK_VPROG_SOCKET_FILTER },
	{ "kprobe", BK_VPROG_KPROBE }, { "kretprobe", BK_VPROG_KPROBE },
	{ "sched_cls", BK_VPROG_SCHED_CLS }, { "tc", BK_VPROG_SCHED_CLS }, { "classifier", BK_VPROG_SCHED_CLS },
	{ "sched_act", BK_VPROG_SCHED_ACT }, { "action", BK_VPROG_SCHED_ACT },
	{ "tracepoint", BK_VPROG_TRACEPOINT }, { "tp", BK_VPROG_TRACEPOINT },
	{ "xdp", BK_VPROG_XDP }, { "perf_event", BK_VPROG_PERF_EVENT },
	{ "raw_tracepoint", BK_VPROG_RAW_TRACEPOINT }, { "raw_tp", BK_VPROG_RAW_TRACEPOINT },
};

int bk_vprog_type_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (!strcmp(name, type_names[i].name))
			return type_names[i].type;
	return -1;
}

int bk_vprog_type_from_section(const char *sec)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		size_t l = strlen(type_names[i].name);
		if (!strncmp(sec, type_names[i].name, l) && (sec[l] == 0 || sec[l] == '/' || sec[l] == '.'))
			return type_names[i].type;
	}
	return -1;
}

const char *bk_vprog_type_name(int type)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return "unknown";
}
