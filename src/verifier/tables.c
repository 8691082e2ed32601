/* Program-type facts the verifier needs: context layouts (which offsets and sizes
 * may be read or written, which fields become packet pointers) and helper
 * prototypes (argument kinds, return kinds, which program types may call them).
 * The rules follow the kernel's *_is_valid_access and *_func_proto functions. */
#include "vint.h"
#include <stdio.h>

#include <string.h>
#include "bpfkit/helpers.h"
#include "bpfkit/disasm.h"

/* struct __sk_buff field offsets (UAPI). */
enum {
	SKB_LEN = 0, SKB_MARK = 8, SKB_QUEUE_MAPPING = 12, SKB_PRIORITY = 32, SKB_TC_INDEX = 44,
	SKB_CB0 = 48, SKB_CB_END = 68, SKB_TC_CLASSID = 72, SKB_DATA = 76, SKB_DATA_END = 80,
	SKB_FAMILY = 88, SKB_LOCAL_PORT_END = 140, SKB_DATA_META = 140, SKB_FLOW_KEYS = 144,
	SKB_TSTAMP = 152, SKB_WIRE_LEN = 160, SKB_SK = 168, SKB_TSTAMP_TYPE = 180,
	SKB_HWTSTAMP = 184, SKB_SIZE = 192,
	SKB_REMOTE_IP4 = 92, SKB_REMOTE_IP6 = 100, SKB_LOCAL_IP6_END = 132,
};

int bk_v_ctx_size(int t)
{
	switch (t) {
	case BK_VPROG_SOCKET_FILTER: case BK_VPROG_SCHED_CLS: case BK_VPROG_SCHED_ACT:
		return SKB_SIZE;
	case BK_VPROG_XDP:
		return 24;
	case BK_VPROG_KPROBE:
		return 168; /* struct pt_regs, x86-64 */
	case BK_VPROG_PERF_EVENT:
		return 184;
	case BK_VPROG_TRACEPOINT:
		return 2048;
	case BK_VPROG_RAW_TRACEPOINT:
		return 8 * 12;
	}
	return 0;
}

static bool in(int off, int lo, int end)
{
	return off >= lo && off < end;
}

static bool narrow_ok(int off, int size, int field_size)
{
	return size <= field_size && (off % field_size) + size <= field_size;
}

/* bpf_skb_is_valid_access: the rules common to every __sk_buff program type. */
static bool skb_common(int off, int size, int write, int *rt)
{
	if (off < 0 || off >= SKB_SIZE || off % size)
		return false;
	if (in(off, SKB_CB0, SKB_CB_END))
		return off + size <= SKB_CB_END;
	if (in(off, SKB_REMOTE_IP4, SKB_LOCAL_IP6_END) || in(off, SKB_DATA, SKB_DATA_END + 4) ||
	    in(off, SKB_DATA_META, SKB_DATA_META + 4))
		return size == 4;
	if (in(off, SKB_FLOW_KEYS, SKB_FLOW_KEYS + 8) || in(off, SKB_TSTAMP, SKB_TSTAMP + 8))
		return size == 8;
	if (off == SKB_SK)
		return !write && size == 8;
	if (in(off, SKB_SK, SKB_SK + 8) || in(off, SKB_TSTAMP_TYPE, SKB_HWTSTAMP))
		return false;
	if (in(off, SKB_HWTSTAMP, SKB_HWTSTAMP + 8))
		return !write && size == 8;
	(void)rt;
	if (write)
		return size == 4;
	return narrow_ok(off, size, 4);
}

struct vctx_access bk_v_ctx_access(int t, int off, int size, int write)
{
	struct vctx_access a = { 0, T_SCALAR };
	switch (t) {
	case BK_VPROG_SOCKET_FILTER:
		if (in(off, SKB_TC_CLASSID, SKB_TC_CLASSID + 4) || in(off, SKB_DATA, SKB_DATA_END + 4) ||
		    in(off, SKB_DATA_META, SKB_DATA_META + 4) || in(off, SKB_FAMILY, SKB_LOCAL_PORT_END + 4) ||
		    in(off, SKB_TSTAMP, SKB_TSTAMP + 8) || in(off, SKB_WIRE_LEN, SKB_WIRE_LEN + 4) ||
		    in(off, SKB_HWTSTAMP, SKB_HWTSTAMP + 8))
			return a;
		if (write && !in(off, SKB_CB0, SKB_CB_END))
			return a;
		a.ok = skb_common(off, size, write, &a.ret_type);
		return a;
	case BK_VPROG_SCHED_CLS:
	case BK_VPROG_SCHED_ACT:
		if (write) {
			if (!(off == SKB_MARK || off == SKB_TC_INDEX || off == SKB_PRIORITY ||
			      in(off, SKB_CB0, SKB_CB_END) || off == SKB_TC_CLASSID ||
			      off == SKB_QUEUE_MAPPING || off == SKB_TSTAMP))
				return a;
		}
		if (in(off, SKB_FAMILY, SKB_LOCAL_PORT_END + 4) && !in(off, SKB_DATA_META, SKB_DATA_META + 4))
			return a;
		if (in(off, SKB_FLOW_KEYS, SKB_FLOW_KEYS + 8))
			return a;
		a.ok = skb_common(off, size, write, &a.ret_type);
		if (a.ok && !write) {
			if (off == SKB_DATA)
				a.ret_type = T_PKT;
			else if (off == SKB_DATA_END)
				a.ret_type = T_PKT_END;
			else if (off == SKB_DATA_META)
				a.ret_type = T_PKT_META;
		}
		return a;
	case BK_VPROG_XDP:
		if (off == 20) /* egress_ifindex: devmap programs only */
			return a;
		if (write || off < 0 || off >= 24 || off % size || size != 4)
			return a;
		a.ok = 1;
		a.ret_type = off == 0 ? T_PKT : off == 4 ? T_PKT_END : off == 8 ? T_PKT_META : T_SCALAR;
		return a;
	case BK_VPROG_KPROBE:
	case BK_VPROG_PERF_EVENT:
		a.ok = !write && off >= 0 && off + size <= bk_v_ctx_size(t) && off % size == 0;
		return a;
	case BK_VPROG_TRACEPOINT:
		a.ok = !write && off >= 8 && off < 2048 && off % size == 0;
		return a;
	case BK_VPROG_RAW_TRACEPOINT:
		a.ok = !write && off >= 0 && off < 96 && off % 8 == 0 && size == 8;
		return a;
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
