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

/* struct __sk_buff as the socket filter sees it: no packet pointers, cb[] writable. */
static const struct bk_ctx_field skb_socket[] = {
	{ "len", 0, 4, N4, 0, BK_CTX_LEN },
	{ "pkt_type", 4, 4, N4, 0, BK_CTX_SCALAR },
	{ "mark", 8, 4, N4, 0, BK_CTX_SCALAR },
	{ "queue_mapping", 12, 4, N4, 0, BK_CTX_SCALAR },
	{ "protocol", 16, 4, N4, 0, BK_CTX_SCALAR },
	{ "vlan_present", 20, 4, N4, 0, BK_CTX_SCALAR },
	{ "vlan_tci", 24, 4, N4, 0, BK_CTX_SCALAR },
	{ "vlan_proto", 28, 4, N4, 0, BK_CTX_SCALAR },
	{ "priority", 32, 4, N4, 0, BK_CTX_SCALAR },
	{ "ingress_ifindex", 36, 4, N4, 0, BK_CTX_SCALAR },
	{ "ifindex", 40, 4, N4, 0, BK_CTX_SCALAR },
	{ "tc_index", 44, 4, N4, 0, BK_CTX_SCALAR },
	{ "cb", 48, 20, N8, N8, BK_CTX_SCALAR },
	{ "hash", 68, 4, N4, 0, BK_CTX_SCALAR },
	{ "napi_id", 84, 4, N4, 0, BK_CTX_SCALAR },
	{ "gso_segs", 164, 4, N4, 0, BK_CTX_SCALAR },
	{ "gso_size", 176, 4, N4, 0, BK_CTX_SCALAR },
};

/* struct __sk_buff for tc (sched_cls / sched_act): direct packet access and more
 * writable fields. */
static const struct bk_ctx_field skb_tc[] = {
	{ "len", 0, 4, N4, 0, BK_CTX_LEN },
	{ "pkt_type", 4, 4, N4, 0, BK_CTX_SCALAR },
	{ "mark", 8, 4, N4, S4, BK_CTX_SCALAR },
	{ "queue_mapping", 12, 4, N4, S4, BK_CTX_SCALAR },
	{ "protocol", 16, 4, N4, 0, BK_CTX_SCALAR },
	{ "vlan_present", 20, 4, N4, 0, BK_CTX_SCALAR },
	{ "vlan_tci", 24, 4, N4, 0, BK_CTX_SCALAR },
	{ "vlan_proto", 28, 4, N4, 0, BK_CTX_SCALAR },
	{ "priority", 32, 4, N4, S4, BK_CTX_SCALAR },
	{ "ingress_ifindex", 36, 4, N4, 0, BK_CTX_SCALAR },
	{ "ifindex", 40, 4, N4, 0, BK_CTX_SCALAR },
	{ "tc_index", 44, 4, N4, S4, BK_CTX_SCALAR },
	{ "cb", 48, 20, N8, N8, BK_CTX_SCALAR },
	{ "hash", 68, 4, N4, 0, BK_CTX_SCALAR },
	{ "tc_classid", 72, 4, N4, S4, BK_CTX_SCALAR },
	{ "data", 76, 4, S4, 0, BK_CTX_PKT_DATA },
	{ "data_end", 80, 4, S4, 0, BK_CTX_PKT_END },
	{ "napi_id", 84, 4, N4, 0, BK_CTX_SCALAR },
	{ "data_meta", 140, 4, S4, 0, BK_CTX_PKT_META },
	{ "tstamp", 152, 8, S8, S8, BK_CTX_SCALAR },
	{ "wire_len", 160, 4, N4, 0, BK_CTX_SCALAR },
	{ "gso_segs", 164, 4, N4, 0, BK_CTX_SCALAR },
	{ "gso_size", 176, 4, N4, 0, BK_CTX_SCALAR },
	{ "hwtstamp", 184, 8, S8, 0, BK_CTX_SCALAR },
};

static const struct bk_ctx_field xdp_md[] = {
	{ "data", 0, 4, S4, 0, BK_CTX_PKT_DATA },
	{ "data_end", 4, 4, S4, 0, BK_CTX_PKT_END },
	{ "data_meta", 8, 4, S4, 0, BK_CTX_PKT_META },
	{ "ingress_ifindex", 12, 4, N4, 0, BK_CTX_SCALAR },
	{ "rx_queue_index", 16, 4, N4, 0, BK_CTX_SCALAR },
	{ "egress_ifindex", 20, 4, N4, 0, BK_CTX_SCALAR },
};

#define NF(a) (sizeof(a) / sizeof((a)[0]))

static const struct bk_progtype types[] = {
	{ .type = BK_PROG_RAW, .name = "raw", .sec_prefix = "raw", .retval_bits = 64 },
	{ .type = BK_PROG_SOCKET_FILTER, .name = "socket", .sec_prefix = "socket",
	  .ctx_size = 192, .fields = skb_socket, .nfields = NF(skb_socket), .has_packet = true,
	  .has_ld_abs = true, .skip_eth = true, .retval_bits = 32 },
	{ .type = BK_PROG_SCHED_CLS, .name = "tc", .sec_prefix = "tc", .ctx_size = 192,
	  .fields = skb_tc, .nfields = NF(skb_tc), .has_packet = true, .packet_writable = true,
	  .has_ld_abs = true, .retval_bits = 32 },
	{ .type = BK_PROG_SCHED_ACT, .name = "action", .sec_prefix = "action", .ctx_size = 192,
	  .fields = skb_tc, .nfields = NF(skb_tc), .has_packet = true, .packet_writable = true,
	  .has_ld_abs = true, .retval_bits = 32 },
	/* 4096-byte frame less the skb_shared_info the kernel reserves at its end (320). */
	{ .type = BK_PROG_XDP, .name = "xdp", .sec_prefix = "xdp", .ctx_size = 24,
	  .fields = xdp_md, .nfields = NF(xdp_md), .has_packet = true, .packet_writable = true,
	  .headroom = 256, .tailroom = 4096 - 320 - 256, .retval_bits = 32 },
};

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

const struct bk_ctx_field *bk_progtype_ctx_access(const struct bk_progtype *pt, uint32_t off,
						  uint32_t size, bool write)
{
	if (!pt || !size || size > 8 || (size & (size - 1)) || off % size)
		return NULL;
	for (size_t i = 0; i < pt->nfields; i++) {
		const struct bk_ctx_field *f = &pt->fields[i];
		if (off < f->off || off + size > (uint32_t)f->off + f->size)
			continue;
		uint8_t sizes = write ? f->write_sizes : f->read_sizes;
		/* Pointer fields are read whole: the rewrite turns the u32 load into a u64. */
		if (f->kind != BK_CTX_SCALAR && f->kind != BK_CTX_LEN && off != f->off)
			return NULL;
		return (sizes & size) ? f : NULL;
	}
	return NULL;
}
