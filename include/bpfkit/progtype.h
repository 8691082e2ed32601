/* bpfkit program types: the context each type hands a program, as data.
 *
 * A program type says what r1 points to (the context), which context fields a program
 * may read or write at which sizes, which fields turn into packet pointers when read
 * (the kernel's context rewriting), and whether the type has a packet. The runtime
 * (vm.h) and the verifier read the same descriptions, so the rules live in one place.
 *
 * Context fields are described in the kernel's UAPI layout (struct xdp_md,
 * struct __sk_buff): a program's `ctx->data` load at offset 0 of struct xdp_md reads a
 * full 64-bit packet pointer even though the UAPI field is a u32, as the kernel's
 * rewrite does. Nothing here prints.
 *
 * These tables are the only description of context access in bpfkit: the verifier
 * decides accept/reject and the loaded register's type from them, the runtime does the
 * rewrite from them, and tests/unit/test_progtype_kernel.c checks every (offset, size,
 * read/write) of every type against the running kernel's verifier. */
#ifndef BPFKIT_PROGTYPE_H
#define BPFKIT_PROGTYPE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kernel's enum bpf_prog_type numbers where one exists. BK_PROG_RAW is bpfkit's own:
 * r1 = memory, r2 = its length (the conformance convention); no context rewriting. */
enum bk_prog_type {
	BK_PROG_RAW = 0,
	BK_PROG_SOCKET_FILTER = 1,
	BK_PROG_SCHED_CLS = 3,     /* "tc" */
	BK_PROG_SCHED_ACT = 4,
	BK_PROG_XDP = 6,
	/* Context rules only (bk_progtype_any): the runtime does not run these. */
	BK_PROG_KPROBE = 2,
	BK_PROG_TRACEPOINT = 5,
	BK_PROG_PERF_EVENT = 7,
	BK_PROG_RAW_TRACEPOINT = 17,
};

/* What a context field becomes when the program reads it. */
enum bk_ctx_kind {
	BK_CTX_SCALAR = 0,     /* plain value stored in the context buffer */
	BK_CTX_PKT_DATA,       /* 64-bit pointer to the first packet byte */
	BK_CTX_PKT_END,        /* 64-bit pointer one past the last packet byte */
	BK_CTX_PKT_META,       /* 64-bit pointer to the metadata (xdp data_meta) */
	BK_CTX_LEN,            /* packet length, computed (skb->len, data_end - data) */
	BK_CTX_SOCK_OR_NULL,   /* __sk_buff->sk: a struct bpf_sock (common part) or NULL;
				* the runtime has no socket and reads NULL */
};

/* bk_ctx_field.flags */
enum {
	/* Only for programs the kernel loads with expected_attach_type BPF_XDP_DEVMAP
	 * (xdp_md->egress_ifindex): refused for every other program of the type. */
	BK_CTXF_DEVMAP = 1,
};

/* One context field. `sizes` is a bit set of access sizes allowed (1, 2, 4, 8 as
 * bits 1<<0, 1<<1, 1<<2, 1<<3); narrow reads start at the field's offset or inside it
 * as the kernel allows (bpf_ctx_narrow_access_ok). */
struct bk_ctx_field {
	const char *name;      /* UAPI member name, e.g. "data_end", "cb[0]" */
	uint16_t off, size;    /* offset and size in the UAPI struct */
	uint8_t read_sizes;    /* bit set of 1/2/4/8 as 1<<0..1<<3; 0 = not readable */
	uint8_t write_sizes;   /* 0 = read-only for this type */
	uint8_t kind;          /* enum bk_ctx_kind */
	uint8_t flags;         /* BK_CTXF_* */
};

struct bk_progtype {
	enum bk_prog_type type;
	const char *name;          /* bpfkit's name: "xdp", "socket", "tc", "raw" */
	const char *sec_prefix;    /* libbpf's ELF section prefix: "xdp", "socket", "tc", ... */
	uint32_t ctx_size;         /* sizeof the UAPI context struct (0 for raw) */
	const char *ctx_struct;    /* its BTF name ("__sk_buff", "xdp_md", ...), NULL for raw */
	const struct bk_ctx_field *fields;
	size_t nfields;
	bool has_packet;           /* data_in is a packet */
	bool packet_writable;      /* direct packet writes allowed (xdp, tc; not socket) */
	uint32_t headroom;         /* bytes before data (xdp: 256, XDP_PACKET_HEADROOM) */
	uint32_t tailroom;         /* bytes after data_end that adjust_tail may grow into */
	bool has_ld_abs;           /* legacy ld_abs / ld_ind allowed (socket, tc) */
	/* socket filter: the program sees the packet from the network header, data_out
	 * comes back with the Ethernet header zeroed (the kernel's test-run behaviour). */
	bool skip_eth;
	uint32_t retval_bits;      /* 32: the kernel reports a u32; 64 for raw */
	bool ctx_only;             /* described for the verifier; the runtime does not run it */
};

/* By type number or name ("xdp", "socket", "tc", "raw", plus libbpf's aliases
 * "socket_filter", "sched_cls", "classifier"); NULL if unknown. */
const struct bk_progtype *bk_progtype_get(enum bk_prog_type type);
const struct bk_progtype *bk_progtype_by_name(const char *name);
/* From an ELF section name as libbpf maps them ("xdp", "xdp/foo", "tc", "classifier",
 * "socket", ...); NULL if not a supported type. */
const struct bk_progtype *bk_progtype_by_section(const char *sec);

/* Every type whose context bpfkit describes by kernel type number: the runtime's types
 * and the tracing types (kprobe, tracepoint, perf_event, raw_tracepoint) whose context
 * is read-only plain memory; NULL if unknown. bk_progtype_get/by_name/by_section only
 * return the types the runtime runs. */
const struct bk_progtype *bk_progtype_any(int type);

/* The field covering [off, off+size) if the access is allowed (write: as a store),
 * else NULL. Narrow reads of a wider field are accepted where the kernel accepts them
 * (the size is in the field's bit set and off is a multiple of size). Fields flagged
 * BK_CTXF_DEVMAP are refused: see bk_progtype_ctx_access2. */
const struct bk_ctx_field *bk_progtype_ctx_access(const struct bk_progtype *pt, uint32_t off,
						  uint32_t size, bool write);
/* As bk_progtype_ctx_access; DEVMAP true for an xdp program attached to a devmap. */
const struct bk_ctx_field *bk_progtype_ctx_access2(const struct bk_progtype *pt, uint32_t off,
						   uint32_t size, bool write, bool devmap);

/* Reads through the struct bpf_sock pointer that __sk_buff->sk gives (the kernel's
 * bpf_sock_common_is_valid_access): the field read, or NULL if refused. Read-only. */
const struct bk_ctx_field *bk_progtype_sock_common_access(uint32_t off, uint32_t size);

#ifdef __cplusplus
}
#endif
#endif
