/* Program types as data: the context layouts and access rules of the kernel's
 * sk_filter_is_valid_access, tc_cls_act_is_valid_access and xdp_is_valid_access. */
#include "bpfkit/progtype.h"

#include <string.h>

#define S1 1u
#define S2 2u
#define S4 4u
#define S8 8u
#define N4 (S1 | S2 | S4)   /* a u32 field read whole or narrow */
#define N8 (S1 | S2 | S4 | S8)

/* The rows of struct __sk_buff both views have, W what tc may store into mark,
 * queue_mapping, priority and tc_index (the socket filter: nothing). No two rows of a
 * table overlap, so their order does not matter. Every row was checked against the
 * kernel (tests/unit/test_progtype_kernel.c). */
#define SKB_COMMON(W) \
	{ "len", 0, 4, N4, 0, BK_CTX_LEN, 0 }, \
	{ "pkt_type", 4, 4, N4, 0, BK_CTX_SCALAR, 0 }, \
	{ "mark", 8, 4, N4, W, BK_CTX_SCALAR, 0 }, \
	{ "queue_mapping", 12, 4, N4, W, BK_CTX_SCALAR, 0 }, \
	{ "protocol", 16, 4, N4, 0, BK_CTX_SCALAR, 0 }, \
	{ "vlan_present", 20, 4, N4, 0, BK_CTX_SCALAR, 0 }, \
	{ "vlan_tci", 24, 4, N4, 0, BK_CTX_SCALAR, 0 }, \
	{ "vlan_proto", 28, 4, N4, 0, BK_CTX_SCALAR, 0 }, \
	{ "priority", 32, 4, N4, W, BK_CTX_SCALAR, 0 }, \
	{ "ingress_ifindex", 36, 4, N4, 0, BK_CTX_SCALAR, 0 }, \
	{ "ifindex", 40, 4, N4, 0, BK_CTX_SCALAR, 0 }, \
	{ "tc_index", 44, 4, N4, W, BK_CTX_SCALAR, 0 }, \
	{ "cb", 48, 20, N8, N8, BK_CTX_SCALAR, 0 }, \
	{ "hash", 68, 4, N4, 0, BK_CTX_SCALAR, 0 }, \
	{ "napi_id", 84, 4, N4, 0, BK_CTX_SCALAR, 0 }, \
	{ "gso_segs", 164, 4, N4, 0, BK_CTX_SCALAR, 0 }, \
	{ "sk", 168, 8, S8, 0, BK_CTX_SOCK_OR_NULL, 0 }, \
	{ "gso_size", 176, 4, N4, 0, BK_CTX_SCALAR, 0 }

/* struct __sk_buff as the socket filter sees it: no packet pointers, cb[] writable. */
static const struct bk_ctx_field skb_socket[] = {
	SKB_COMMON(0),
};

/* struct __sk_buff for tc (sched_cls / sched_act): direct packet access and more
 * writable fields (whole u32 stores only). */
static const struct bk_ctx_field skb_tc[] = {
	SKB_COMMON(S4),
	{ "tc_classid", 72, 4, N4, S4, BK_CTX_SCALAR, 0 },
	{ "data", 76, 4, S4, 0, BK_CTX_PKT_DATA, 0 },
	{ "data_end", 80, 4, S4, 0, BK_CTX_PKT_END, 0 },
	{ "data_meta", 140, 4, S4, 0, BK_CTX_PKT_META, 0 },
	{ "tstamp", 152, 8, S8, S8, BK_CTX_SCALAR, 0 },
	{ "wire_len", 160, 4, N4, 0, BK_CTX_SCALAR, 0 },
	{ "tstamp_type", 180, 1, S1, 0, BK_CTX_SCALAR, 0 },
	{ "hwtstamp", 184, 8, S8, 0, BK_CTX_SCALAR, 0 },
};

/* struct xdp_md: whole u32 reads only (the kernel's __is_valid_xdp_access has no narrow
 * loads), nothing writable. */
static const struct bk_ctx_field xdp_md[] = {
	{ "data", 0, 4, S4, 0, BK_CTX_PKT_DATA, 0 },
	{ "data_end", 4, 4, S4, 0, BK_CTX_PKT_END, 0 },
	{ "data_meta", 8, 4, S4, 0, BK_CTX_PKT_META, 0 },
	{ "ingress_ifindex", 12, 4, S4, 0, BK_CTX_SCALAR, 0 },
	{ "rx_queue_index", 16, 4, S4, 0, BK_CTX_SCALAR, 0 },
	{ "egress_ifindex", 20, 4, S4, 0, BK_CTX_SCALAR, BK_CTXF_DEVMAP },
};

/* Tracing contexts: read-only memory, any aligned size unless noted. */
static const struct bk_ctx_field kprobe_regs[] = {
	{ "regs", 0, 168, N8, 0, BK_CTX_SCALAR, 0 },      /* struct pt_regs, x86-64 */
};
/* The first 8 bytes (common_type, flags, preempt_count, pid) are not readable. */
static const struct bk_ctx_field tp_args[] = {
	{ "args", 8, 8192 - 8, N8, 0, BK_CTX_SCALAR, 0 },  /* PERF_MAX_TRACE_SIZE */
};
/* struct bpf_perf_event_data: the registers whole only, the u64s narrow too. */
static const struct bk_ctx_field perf_event[] = {
	{ "regs", 0, 168, S8, 0, BK_CTX_SCALAR, 0 },
	{ "sample_period", 168, 8, N8, 0, BK_CTX_SCALAR, 0 },
	{ "addr", 176, 8, N8, 0, BK_CTX_SCALAR, 0 },
};
static const struct bk_ctx_field raw_tp_args[] = {
	{ "args", 0, 96, N8, 0, BK_CTX_SCALAR, 0 },       /* u64 args[12] */
};

/* struct bpf_sock as __sk_buff->sk gives it: type, protocol, mark and priority are not
 * readable; some fields only from their first byte (the rows for one offset go from the
 * narrowest: the first containing row decides). */
#define FIRST_BYTE(name, off) \
	{ name, off, 1, S1, 0, BK_CTX_SCALAR, 0 }, \
	{ name, off, 2, S2, 0, BK_CTX_SCALAR, 0 }, \
	{ name, off, 4, S4, 0, BK_CTX_SCALAR, 0 }
static const struct bk_ctx_field sock_common[] = {
	{ "bound_dev_if", 0, 4, S4, 0, BK_CTX_SCALAR, 0 },
	FIRST_BYTE("family", 4),
	{ "src_ip4", 24, 4, N4, 0, BK_CTX_SCALAR, 0 },
	{ "src_ip6", 28, 16, N4, 0, BK_CTX_SCALAR, 0 },
	FIRST_BYTE("src_port", 44),
	{ "dst_port", 48, 2, S1 | S2, 0, BK_CTX_SCALAR, 0 },
	{ "dst_port", 48, 4, S4, 0, BK_CTX_SCALAR, 0 },
	{ "dst_ip4", 52, 4, N4, 0, BK_CTX_SCALAR, 0 },
	{ "dst_ip6", 56, 16, N4, 0, BK_CTX_SCALAR, 0 },
	FIRST_BYTE("state", 72),
	FIRST_BYTE("rx_queue_mapping", 76),
};

#define NF(a) (sizeof(a) / sizeof((a)[0]))

static const struct bk_progtype types[] = {
	{ .type = BK_PROG_RAW, .name = "raw", .sec_prefix = "raw", .retval_bits = 64 },
	{ .type = BK_PROG_SOCKET_FILTER, .name = "socket", .sec_prefix = "socket",
	  .ctx_size = 192, .ctx_struct = "__sk_buff", .fields = skb_socket,
	  .nfields = NF(skb_socket), .has_packet = true, .has_ld_abs = true, .skip_eth = true,
	  .retval_bits = 32 },
	{ .type = BK_PROG_SCHED_CLS, .name = "tc", .sec_prefix = "tc", .ctx_size = 192,
	  .ctx_struct = "__sk_buff", .fields = skb_tc, .nfields = NF(skb_tc), .has_packet = true,
	  .packet_writable = true, .has_ld_abs = true, .retval_bits = 32 },
	{ .type = BK_PROG_SCHED_ACT, .name = "action", .sec_prefix = "action", .ctx_size = 192,
	  .ctx_struct = "__sk_buff", .fields = skb_tc, .nfields = NF(skb_tc), .has_packet = true,
	  .packet_writable = true, .has_ld_abs = true, .retval_bits = 32 },
	/* 4096-byte frame less the skb_shared_info the kernel reserves at its end (320). */
	{ .type = BK_PROG_XDP, .name = "xdp", .sec_prefix = "xdp", .ctx_size = 24,
	  .ctx_struct = "xdp_md", .fields = xdp_md, .nfields = NF(xdp_md), .has_packet = true,
	  .packet_writable = true, .headroom = 256, .tailroom = 4096 - 320 - 256,
	  .retval_bits = 32 },
};

static const struct bk_progtype ctx_only_types[] = {
	{ .type = BK_PROG_KPROBE, .name = "kprobe", .sec_prefix = "kprobe", .ctx_size = 168,
	  .ctx_struct = "pt_regs", .fields = kprobe_regs, .nfields = NF(kprobe_regs),
	  .retval_bits = 32, .ctx_only = true },
	{ .type = BK_PROG_TRACEPOINT, .name = "tracepoint", .sec_prefix = "tracepoint",
	  .ctx_size = 8192, .fields = tp_args, .nfields = NF(tp_args), .retval_bits = 32,
	  .ctx_only = true },
	{ .type = BK_PROG_PERF_EVENT, .name = "perf_event", .sec_prefix = "perf_event",
	  .ctx_size = 184, .ctx_struct = "bpf_perf_event_data", .fields = perf_event,
	  .nfields = NF(perf_event), .retval_bits = 32, .ctx_only = true },
	{ .type = BK_PROG_RAW_TRACEPOINT, .name = "raw_tracepoint", .sec_prefix = "raw_tp",
	  .ctx_size = 96, .ctx_struct = "bpf_raw_tracepoint_args", .fields = raw_tp_args,
	  .nfields = NF(raw_tp_args), .retval_bits = 32, .ctx_only = true },
};

const struct bk_progtype *bk_progtype_any(int type)
{
	for (size_t i = 0; i < NF(ctx_only_types); i++)
		if ((int)ctx_only_types[i].type == type)
			return &ctx_only_types[i];
	return bk_progtype_get((enum bk_prog_type)type);
}

const struct bk_progtype *bk_progtype_get(enum bk_prog_type type)
{
	for (size_t i = 0; i < NF(types); i++)
		if (types[i].type == type)
			return &types[i];
	return NULL;
}

const struct bk_progtype *bk_progtype_by_name(const char *name)
{
	static const struct { const char *alias; enum bk_prog_type t; } aliases[] = {
		{ "socket_filter", BK_PROG_SOCKET_FILTER }, { "sched_cls", BK_PROG_SCHED_CLS },
		{ "classifier", BK_PROG_SCHED_CLS }, { "sched_act", BK_PROG_SCHED_ACT },
	};
	if (!name)
		return NULL;
	for (size_t i = 0; i < NF(types); i++)
		if (!strcmp(types[i].name, name))
			return &types[i];
	for (size_t i = 0; i < NF(aliases); i++)
		if (!strcmp(aliases[i].alias, name))
			return bk_progtype_get(aliases[i].t);
	return NULL;
}

const struct bk_progtype *bk_progtype_by_section(const char *sec)
{
	/* libbpf's section_defs for the types we run; "xdp.frags" etc. share the type. */
	static const struct { const char *prefix; enum bk_prog_type t; } defs[] = {
		{ "xdp", BK_PROG_XDP }, { "socket", BK_PROG_SOCKET_FILTER },
		{ "classifier", BK_PROG_SCHED_CLS }, { "tc", BK_PROG_SCHED_CLS },
		{ "tcx", BK_PROG_SCHED_CLS }, { "action", BK_PROG_SCHED_ACT }, { "raw", BK_PROG_RAW },
	};
	if (!sec)
		return NULL;
	for (size_t i = 0; i < NF(defs); i++) {
		size_t n = strlen(defs[i].prefix);
		if (!strncmp(sec, defs[i].prefix, n) &&
		    (sec[n] == 0 || sec[n] == '/' || sec[n] == '.'))
			return bk_progtype_get(defs[i].t);
	}
	return NULL;
}

static const struct bk_ctx_field *field_access(const struct bk_ctx_field *fields, size_t n,
					       uint32_t off, uint32_t size, bool write, bool devmap)
{
	if (!size || size > 8 || (size & (size - 1)) || off % size)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct bk_ctx_field *f = &fields[i];
		if (off < f->off || off + size > (uint32_t)f->off + f->size)
			continue;
		if ((f->flags & BK_CTXF_DEVMAP) && !devmap)
			return NULL;
		uint8_t sizes = write ? f->write_sizes : f->read_sizes;
		/* Pointer fields are read whole: the rewrite turns the u32 load into a u64. */
		if (f->kind != BK_CTX_SCALAR && f->kind != BK_CTX_LEN && off != f->off)
			return NULL;
		return (sizes & size) ? f : NULL;
	}
	return NULL;
}

const struct bk_ctx_field *bk_progtype_ctx_access2(const struct bk_progtype *pt, uint32_t off,
						   uint32_t size, bool write, bool devmap)
{
	if (!pt)
		return NULL;
	return field_access(pt->fields, pt->nfields, off, size, write, devmap);
}

const struct bk_ctx_field *bk_progtype_ctx_access(const struct bk_progtype *pt, uint32_t off,
						  uint32_t size, bool write)
{
	return bk_progtype_ctx_access2(pt, off, size, write, false);
}

const struct bk_ctx_field *bk_progtype_sock_common_access(uint32_t off, uint32_t size)
{
	return field_access(sock_common, NF(sock_common), off, size, false, false);
}
