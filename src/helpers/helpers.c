/* Implementations of the kernel helpers the runtime offers, with the kernel's semantics
 * (net/core/filter.c, kernel/bpf/helpers.c, kernel/trace/bpf_trace.c). One dispatcher is
 * registered for every id: it checks each argument against the helper's prototype
 * (helpers.h) and the program's memory regions before the implementation touches it, so a
 * bad pointer ends the run with an error naming the helper and the register. */
#include "bpfkit/helpers.h"
#include "bpfkit/vm.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct hargs {
	uint64_t r[5];
	void *p[5];               /* checked host pointers of the memory arguments */
	struct bk_map *map;       /* the CONST_MAP_PTR argument */
	const struct bk_helper_proto *proto;
};

typedef uint64_t (*impl_fn)(struct bk_run *run, struct hargs *a);

#define ERR(e) ((uint64_t)(int64_t)(e))

/* ---- checksums, as the kernel's generic C versions compute them ---- */

static uint32_t csum_add(uint32_t a, uint32_t b)
{
	a += b;
	return a + (a < b);
}

static uint32_t csum_sub(uint32_t a, uint32_t b)
{
	return csum_add(a, ~b);
}

static uint16_t csum_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint16_t csum16_add(uint16_t csum, uint16_t addend)
{
	uint16_t res = (uint16_t)(csum + addend);
	return (uint16_t)(res + (res < addend));
}

static void csum_replace4(uint8_t *p, uint32_t from, uint32_t to)
{
	uint16_t sum;
	memcpy(&sum, p, 2);
	uint32_t tmp = csum_sub(~(uint32_t)sum, from);
	sum = csum_fold(csum_add(tmp, to));
	memcpy(p, &sum, 2);
}

static void csum_replace2(uint8_t *p, uint16_t from, uint16_t to)
{
	uint16_t sum;
	memcpy(&sum, p, 2);
	sum = (uint16_t)~csum16_add(csum16_add((uint16_t)~sum, (uint16_t)~from), to);
	memcpy(p, &sum, 2);
}

static void csum_replace_by_diff(uint8_t *p, uint32_t diff)
{
	uint16_t sum;
	memcpy(&sum, p, 2);
	sum = csum_fold(csum_add(diff, ~(uint32_t)sum));
	memcpy(p, &sum, 2);
}

/* csum_partial of x86-64 reduced to 32 bits: a one's complement sum of little-endian
 * 32-bit words (odd tail bytes as the kernel's do_csum pairs them). */
static uint32_t csum_partial(const uint8_t *p, size_t len, uint32_t sum)
{
	uint64_t acc = sum;
	size_t i = 0;
	for (; i + 4 <= len; i += 4) {
		uint32_t w;
		memcpy(&w, p + i, 4);
		acc += w;
	}
	if (len - i >= 2) {
		uint16_t w;
		memcpy(&w, p + i, 2);
		acc += w;
		i += 2;
	}
	if (i < len)
		acc += p[i];
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}

/* ---- maps ---- */

static uint64_t h_map_lookup_elem(struct bk_run *run, struct hargs *a)
{
	return (uint64_t)(uintptr_t)bk_map_lookup(a->map, a->p[1]);
}

static uint64_t h_map_lookup_percpu_elem(struct bk_run *run, struct hargs *a)
{
	if (a->r[2] >= bk_maps_ncpus(bk_run_maps(run)))
		return 0;
	return (uint64_t)(uintptr_t)bk_map_lookup_percpu(a->map, a->p[1], (uint32_t)a->r[2]);
}

static uint64_t h_map_update_elem(struct bk_run *run, struct hargs *a)
{
	return ERR(bk_map_update(a->map, a->p[1], a->p[2], a->r[3]));
}

static uint64_t h_map_delete_elem(struct bk_run *run, struct hargs *a)
{
	return ERR(bk_map_delete(a->map, a->p[1]));
}

static uint64_t h_map_push_elem(struct bk_run *run, struct hargs *a)
{
	return ERR(bk_map_push(a->map, a->p[1], a->r[2]));
}

static uint64_t h_map_pop_elem(struct bk_run *run, struct hargs *a)
{
	return ERR(bk_map_pop(a->map, a->p[1]));
}

static uint64_t h_map_peek_elem(struct bk_run *run, struct hargs *a)
{
	return ERR(bk_map_peek(a->map, a->p[1]));
}

/* for_each_map_elem: the callback gets (map, key, value, ctx). Keys of array maps are
 * not in map memory, so each nesting level has a small read-only key buffer made
 * visible to the program. */
struct each_ctx {
	struct bk_run *run;
	uint64_t fn, cbctx;
	uint8_t *keybuf;
	int err;
};

static __thread uint8_t each_keys[BK_VM_MAX_DEPTH][512];
static __thread unsigned each_depth;

static long each_cb(struct bk_map *m, const void *key, void *value, void *ctx)
{
	struct each_ctx *e = ctx;
	uint32_t ks = bk_map_def(m)->key_size;
	memcpy(e->keybuf, key, ks);
	uint64_t args[5] = { (uint64_t)(uintptr_t)m, (uint64_t)(uintptr_t)e->keybuf,
			     (uint64_t)(uintptr_t)value, e->cbctx, 0 };
	uint64_t r0 = 0;
	int r = bk_run_call(e->run, e->fn, args, &r0);
	if (r < 0) {
		e->err = r;
		return 1;
	}
	return r0 ? 1 : 0;
}

static uint64_t h_for_each_map_elem(struct bk_run *run, struct hargs *a)
{
	if (a->r[3])
		return ERR(-EINVAL);
	if (bk_map_def(a->map)->key_size > sizeof(each_keys[0]) || each_depth >= BK_VM_MAX_DEPTH)
		return bk_run_fail(run, -E2BIG, "helper bpf_for_each_map_elem: key too large or nested too deep");
	struct each_ctx e = { run, a->r[1], a->r[2], each_keys[each_depth], 0 };
	if (!bk_run_mem_try(run, (uint64_t)(uintptr_t)e.keybuf, 1, false) &&
	    bk_run_add_region(run, e.keybuf, sizeof(each_keys[0]), false) < 0)
		return bk_run_fail(run, -ENOSPC, "helper bpf_for_each_map_elem: too many memory regions");
	each_depth++;
	long n = bk_map_for_each(a->map, each_cb, &e, 0);
	each_depth--;
	if (e.err)
		return 0;
	return ERR(n);
}

static uint64_t h_loop(struct bk_run *run, struct hargs *a)
{
	uint64_t n = a->r[0] & 0xffffffff, i;
	if (a->r[3])
		return ERR(-EINVAL);
	if (n > (1u << 23))
		return ERR(-E2BIG);
	for (i = 0; i < n; i++) {
		uint64_t args[5] = { i, a->r[2], 0, 0, 0 }, r0 = 0;
		if (bk_run_call(run, a->r[1], args, &r0) < 0)
			return 0;
		if (r0)
			return i + 1;
	}
	return i;
}

static uint64_t h_tail_call(struct bk_run *run, struct hargs *a)
{
	uint32_t idx = (uint32_t)a->r[2], id = 0;
	struct bk_err err = { 0 };
	if (bk_map_def(a->map)->type != BK_MAP_PROG_ARRAY)
		return bk_run_fail(run, -EINVAL, "helper bpf_tail_call: R2 is not a prog array");
	if (idx >= bk_map_def(a->map)->max_entries ||
	    bk_map_sys_lookup(a->map, &idx, &id, 0, &err) < 0 || !id)
		return 0; /* empty slot: the program goes on */
	struct bk_prog *p = bk_vm_prog_by_id(bk_run_vm(run), id);
	if (!p)
		return 0;
	bk_run_tail_call(run, p);
	return 0;
}

/* ---- ring buffer ---- */

static uint64_t h_ringbuf_output(struct bk_run *run, struct hargs *a)
{
	return ERR(bk_ringbuf_output(a->map, a->p[1], a->r[2], a->r[3]));
}

static uint64_t h_ringbuf_reserve(struct bk_run *run, struct hargs *a)
{
	return (uint64_t)(uintptr_t)bk_ringbuf_reserve(a->map, a->r[1], a->r[2]);
}

static struct bk_map *ringbuf_record(struct bk_run *run, uint64_t addr)
{
	struct bk_map_region reg;
	if (bk_maps_find_region(bk_run_maps(run), (void *)(uintptr_t)addr, 1, &reg) < 0 ||
	    reg.start != (void *)(uintptr_t)addr || bk_map_def(reg.map)->type != BK_MAP_RINGBUF) {
		bk_run_fail(run, -EFAULT, "R1 0x%" PRIx64 " is not a reserved ring buffer record", addr);
		return NULL;
	}
	return reg.map;
}

static uint64_t h_ringbuf_submit(struct bk_run *run, struct hargs *a)
{
	struct bk_map *m = ringbuf_record(run, a->r[0]);
	if (m)
		bk_ringbuf_submit(m, (void *)(uintptr_t)a->r[0], a->r[1]);
	return 0;
}

static uint64_t h_ringbuf_discard(struct bk_run *run, struct hargs *a)
{
	struct bk_map *m = ringbuf_record(run, a->r[0]);
	if (m)
		bk_ringbuf_discard(m, (void *)(uintptr_t)a->r[0], a->r[1]);
	return 0;
}

static uint64_t h_ringbuf_query(struct bk_run *run, struct hargs *a)
{
	return bk_ringbuf_query(a->map, a->r[1]);
}

/* ---- time, randomness, cpu, task ---- */

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

static uint64_t h_ktime_get_ns(struct bk_run *run, struct hargs *a)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static uint64_t h_ktime_get_boot_ns(struct bk_run *run, struct hargs *a)
{
	return clock_ns(CLOCK_BOOTTIME);
}

static uint64_t h_get_prandom_u32(struct bk_run *run, struct hargs *a)
{
	return bk_run_prandom(run);
}

static uint64_t h_get_smp_processor_id(struct bk_run *run, struct hargs *a)
{
	return bk_run_cpu(run);
}

static uint64_t h_get_current_pid_tgid(struct bk_run *run, struct hargs *a)
{
	return ((uint64_t)(uint32_t)getpid() << 32) | (uint32_t)syscall(SYS_gettid);
}

static uint64_t h_get_current_uid_gid(struct bk_run *run, struct hargs *a)
{
	return ((uint64_t)getgid() << 32) | getuid();
}

static void current_comm(char comm[16])
{
	memset(comm, 0, 16);
	if (prctl(PR_GET_NAME, comm) < 0)
		snprintf(comm, 16, "bpfkit");
}

static uint64_t h_get_current_comm(struct bk_run *run, struct hargs *a)
{
	char comm[16];
	size_t n = a->r[1];
	current_comm(comm);
	/* strscpy_pad: truncated, NUL-terminated, zero-padded. */
	memset(a->p[0], 0, n);
	memcpy(a->p[0], comm, n - 1 < 15 ? n - 1 : 15);
	return 0;
}

/* ---- packets ---- */

static int prog_type(struct bk_run *run)
{
	return (int)bk_prog_type(bk_run_prog(run));
}

static uint64_t h_skb_load_bytes(struct bk_run *run, struct hargs *a)
{
	struct bk_packet *pk = bk_run_packet(run);
	uint64_t off = a->r[1] & 0xffffffff, len = a->r[3];
	if (pk && off <= 0xffff && off + len <= (uint64_t)(pk->end - pk->data)) {
		memcpy(a->p[2], pk->data + off, len);
		return 0;
	}
	memset(a->p[2], 0, len);
	return ERR(-EFAULT);
}

static uint64_t h_skb_store_bytes(struct bk_run *run, struct hargs *a)
{
	struct bk_packet *pk = bk_run_packet(run);
	uint64_t off = a->r[1] & 0xffffffff, len = a->r[3], flags = a->r[4];
	if (flags & ~3ull) /* BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH */
		return ERR(-EINVAL);
	if (!pk || off > 0xffff || off + len > (uint64_t)(pk->end - pk->data))
		return ERR(-EFAULT);
	memmove(pk->data + off, a->p[2], len);
	bk_run_packet_changed(run);
	return 0;
}

static uint64_t csum_replace_common(struct bk_run *run, struct hargs *a, bool l4)
{
	struct bk_packet *pk = bk_run_packet(run);
	uint64_t off = a->r[1] & 0xffffffff, from = a->r[2], to = a->r[3], flags = a->r[4];
	uint64_t allowed = 0xf | (l4 ? (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) : 0);
	if (flags & ~allowed)
		return ERR(-EINVAL);
	if (!pk || off > 0xffff || off + 2 > (uint64_t)(pk->end - pk->data))
		return ERR(-EFAULT);
	uint8_t *p = pk->data + off;
	bool mmzero = l4 && (flags & (1u << 5)), mforce = l4 && (flags & (1u << 6));
	if (mmzero && !mforce && !p[0] && !p[1])
		return 0;
	switch (flags & 0xf) {
	case 0:
		if (from)
			return ERR(-EINVAL);
		csum_replace_by_diff(p, (uint32_t)to);
		break;
	case 2:
		csum_replace2(p, (uint16_t)from, (uint16_t)to);
		break;
	case 4:
		csum_replace4(p, (uint32_t)from, (uint32_t)to);
		break;
	default:
		return ERR(-EINVAL);
	}
	if (mmzero && !p[0] && !p[1])
		p[0] = p[1] = 0xff; /* CSUM_MANGLED_0 */
	bk_run_packet_changed(run);
	return 0;
}

static uint64_t h_l3_csum_replace(struct bk_run *run, struct hargs *a)
{
	return csum_replace_common(run, a, false);
}

static uint64_t h_l4_csum_replace(struct bk_run *run, struct hargs *a)
{
	return csum_replace_common(run, a, true);
}

static uint64_t h_csum_diff(struct bk_run *run, struct hargs *a)
{
	uint64_t fsz = a->r[1], tsz = a->r[3];
	uint32_t seed = (uint32_t)a->r[4];
	/* The kernel works on 4-byte words and caps the scratch buffer at 512 bytes. */
	if ((fsz | tsz) & 3 || fsz > 512 || tsz > 512)
		return ERR(-EINVAL);
	uint8_t buf[1024];
	for (uint64_t i = 0; i < fsz; i += 4) {
		uint32_t w;
		memcpy(&w, (uint8_t *)a->p[0] + i, 4);
		w = ~w;
		memcpy(buf + i, &w, 4);
	}
	if (tsz)
		memcpy(buf + fsz, a->p[2], tsz);
	return csum_partial(buf, fsz + tsz, seed);
}

static uint64_t h_redirect(struct bk_run *run, struct hargs *a)
{
	struct bk_redirect *rd = bk_run_redirect(run);
	uint64_t flags = a->r[1];
	if (prog_type(run) == BK_PROG_XDP) {
		if (flags)
			return 0; /* XDP_ABORTED */
		if (rd)
			*rd = (struct bk_redirect){ .set = true, .ifindex = (uint32_t)a->r[0] };
		return 4; /* XDP_REDIRECT */
	}
	if (flags & ~1ull) /* BPF_F_INGRESS only */
		return 2; /* TC_ACT_SHOT */
	if (rd)
		*rd = (struct bk_redirect){ .set = true, .ifindex = (uint32_t)a->r[0], .flags = flags };
	return 7; /* TC_ACT_REDIRECT */
}

static uint64_t h_redirect_map(struct bk_run *run, struct hargs *a)
{
	struct bk_redirect *rd = bk_run_redirect(run);
	uint64_t key = a->r[1] & 0xffffffff, flags = a->r[2];
	const uint64_t action_mask = 0 | 1 | 2 | 3; /* XDP_ABORTED..XDP_TX */
	uint32_t t = bk_map_def(a->map)->type;
	uint64_t flag_mask = (t == BK_MAP_DEVMAP || t == BK_MAP_DEVMAP_HASH) ? (1u << 3) | (1u << 4) : 0;
	if (flags & ~(action_mask | flag_mask))
		return 0;
	uint32_t k32 = (uint32_t)key;
	void *v = NULL;
	if (t == BK_MAP_XSKMAP || t == BK_MAP_CPUMAP) {
		uint32_t val;
		struct bk_err e = { 0 };
		if (bk_map_sys_lookup(a->map, &k32, &val, 0, &e) == 0)
			v = a->map;
	} else {
		v = bk_map_lookup(a->map, &k32);
	}
	if (!v && !(flags & (1u << 3)))
		return flags & action_mask;
	if (rd)
		*rd = (struct bk_redirect){ .set = true, .map = a->map, .key = key, .flags = flags };
	return 4; /* XDP_REDIRECT */
}

/* sizeof(struct xdp_frame) kept at the start of the headroom, and the Ethernet header a
 * frame must keep: the bounds of bpf_xdp_adjust_head/meta/tail. */
#define XDP_FRAME_SIZE 40
#define ETH_HLEN 14

static uint64_t h_xdp_adjust_head(struct bk_run *run, struct hargs *a)
{
	struct bk_packet *pk = bk_run_packet(run);
	int64_t off = (int32_t)a->r[1];
	if (!pk)
		return ERR(-EINVAL);
	size_t metalen = (size_t)(pk->data - pk->meta);
	uint8_t *data_start = pk->buf + XDP_FRAME_SIZE + metalen;
	uint8_t *data = pk->data + off;
	if (data < data_start || data > pk->end - ETH_HLEN)
		return ERR(-EINVAL);
	if (metalen)
		memmove(pk->meta + off, pk->meta, metalen);
	pk->meta += off;
	pk->data = data;
	bk_run_packet_changed(run);
	return 0;
}

static uint64_t h_xdp_adjust_meta(struct bk_run *run, struct hargs *a)
{
	struct bk_packet *pk = bk_run_packet(run);
	int64_t off = (int32_t)a->r[1];
	if (!pk)
		return ERR(-EINVAL);
	uint8_t *meta = pk->meta + off;
	if (meta < pk->buf + XDP_FRAME_SIZE || meta > pk->data)
		return ERR(-EINVAL);
	size_t metalen = (size_t)(pk->data - meta);
	if ((metalen & 3) || metalen > 32)
		return ERR(-EACCES);
	pk->meta = meta;
	bk_run_packet_changed(run);
	return 0;
}

static uint64_t h_xdp_adjust_tail(struct bk_run *run, struct hargs *a)
{
	struct bk_packet *pk = bk_run_packet(run);
	int64_t off = (int32_t)a->r[1];
	if (!pk)
		return ERR(-EINVAL);
	uint8_t *end = pk->end + off;
	if (end > pk->buf + pk->buf_size || end < pk->data + ETH_HLEN)
		return ERR(-EINVAL);
	if (off > 0)
		memset(pk->end, 0, (size_t)off);
	pk->end = end;
	bk_run_packet_changed(run);
	return 0;
}

/* ---- strings and formatting ---- */

/* A NUL-terminated string of at most MAX bytes the program may read, or NULL. */
static const char *prog_str(struct bk_run *run, uint64_t addr, size_t max, bool fail)
{
	for (size_t i = 0; i < max; i++) {
		const char *c = bk_run_mem_try(run, addr + i, 1, false);
		if (!c)
			break;
		if (!*c)
			return bk_run_mem_try(run, addr, i + 1, false);
	}
	if (fail)
		bk_run_fail(run, -EFAULT, "string at 0x%" PRIx64 " is not NUL-terminated readable memory", addr);
	return NULL;
}

/* The kernel's bpf_bprintf_prepare rules: %d %i %u %x %X %o %c %s %p (and %pK %px
 * %pi4 %pI4 %pi6 %pI6), with h/l/ll modifiers, at most NARGS conversions. Returns the
 * formatted length or a negative errno. */
static int64_t bformat(struct bk_run *run, const char *fmt, size_t fmt_len, const uint64_t *args,
		       unsigned nargs, char *out, size_t out_size)
{
	size_t o = 0;
	unsigned ai = 0;
	char tmp[128];
#define PUT(s, n) do { size_t _n = (n); for (size_t _i = 0; _i < _n; _i++, o++) \
		if (o + 1 < out_size) out[o] = (s)[_i]; } while (0)
	for (size_t i = 0; i < fmt_len && fmt[i]; i++) {
		if (fmt[i] != '%') {
			if (!((unsigned char)fmt[i] >= 0x20 && (unsigned char)fmt[i] < 0x7f) &&
			    fmt[i] != '\n' && fmt[i] != '\t' && fmt[i] != '\r')
				return -EINVAL;
			PUT(&fmt[i], 1);
			continue;
		}
		i++;
		if (i >= fmt_len || !fmt[i])
			return -EINVAL;
		if (fmt[i] == '%') {
			PUT("%", 1);
			continue;
		}
		if (ai >= nargs)
			return -EINVAL;
		/* flags, width and precision as printf takes them */
		char spec[32];
		size_t sl = 0;
		spec[sl++] = '%';
		while (i < fmt_len && strchr("-+ #0", fmt[i]) && sl < 10)
			spec[sl++] = fmt[i++];
		while (i < fmt_len && fmt[i] >= '0' && fmt[i] <= '9' && sl < 16)
			spec[sl++] = fmt[i++];
		if (i < fmt_len && fmt[i] == '.') {
			spec[sl++] = fmt[i++];
			while (i < fmt_len && fmt[i] >= '0' && fmt[i] <= '9' && sl < 22)
				spec[sl++] = fmt[i++];
		}
		if (i >= fmt_len)
			return -EINVAL;
		uint64_t v = args[ai++];
		int n;
		if (fmt[i] == 'p') {
			char c1 = i + 1 < fmt_len ? fmt[i + 1] : 0, c2 = i + 2 < fmt_len ? fmt[i + 2] : 0;
			if ((c1 == 'i' || c1 == 'I') && (c2 == '4' || c2 == '6')) {
				const uint8_t *ip = bk_run_mem_try(run, v, c2 == '4' ? 4 : 16, false);
				i += 2;
				if (!ip)
					return -EFAULT;
				if (c2 == '4') {
					n = snprintf(tmp, sizeof tmp, c1 == 'I' ? "%u.%u.%u.%u" : "%03u%03u%03u%03u",
						     ip[0], ip[1], ip[2], ip[3]);
				} else {
					n = 0;
					for (int k = 0; k < 16; k += 2)
						n += snprintf(tmp + n, sizeof tmp - (size_t)n,
							      c1 == 'I' ? "%s%02x%02x" : "%s%02x%02x",
							      (k && c1 == 'I') ? ":" : "", ip[k], ip[k + 1]);
				}
			} else {
				/* %px is the raw value; plain %p and %pK are hashed or hidden by the
				 * kernel, which a user process cannot reproduce: raw value too. */
				if (c1 == 'K' || c1 == 'x')
					i++;
				n = snprintf(tmp, sizeof tmp, "%016" PRIx64, v);
			}
			PUT(tmp, (size_t)n);
			continue;
		}
		if (fmt[i] == 's') {
			const char *s = v ? prog_str(run, v, 4096, false) : NULL;
			spec[sl++] = 's';
			spec[sl] = 0;
			n = snprintf(tmp, sizeof tmp, spec, s ? s : (v ? "(fault)" : "(null)"));
			if (s && strlen(s) >= sizeof tmp) {
				PUT(s, strlen(s));
				continue;
			}
			PUT(tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
			continue;
		}
		if (fmt[i] == 'c') {
			spec[sl++] = 'c';
			spec[sl] = 0;
			n = snprintf(tmp, sizeof tmp, spec, (int)(unsigned char)v);
			PUT(tmp, (size_t)n);
			continue;
		}
		int lng = 0;
		if (fmt[i] == 'h') {
			i++;
			if (i < fmt_len && fmt[i] == 'h')
				i++;
			lng = -1;
		}
		while (i < fmt_len && fmt[i] == 'l' && lng < 2) {
			lng++;
			i++;
		}
		if (i >= fmt_len || !strchr("diuxXo", fmt[i]))
			return -EINVAL;
		char conv = fmt[i];
		memcpy(spec + sl, "ll", 2);
		sl += 2;
		spec[sl++] = conv;
		spec[sl] = 0;
		bool sgn = conv == 'd' || conv == 'i';
		if (lng <= 0) /* int-sized: the kernel casts to (int) or (unsigned int) */
			v = sgn ? (uint64_t)(int64_t)(int32_t)v : (uint32_t)v;
		if (sgn)
			n = snprintf(tmp, sizeof tmp, spec, (long long)v);
		else
			n = snprintf(tmp, sizeof tmp, spec, (unsigned long long)v);
		PUT(tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
	}
	if (out_size)
		out[o < out_size ? o : out_size - 1] = 0;
#undef PUT
	return (int64_t)o;
}

static uint64_t h_trace_printk(struct bk_run *run, struct hargs *a)
{
	const char *fmt = a->p[0];
	size_t len = a->r[1];
	if (!memchr(fmt, 0, len))
		return ERR(-EINVAL);
	uint64_t args[3] = { a->r[2], a->r[3], a->r[4] };
	char msg[1024];
	int64_t n = bformat(run, fmt, len, args, 3, msg, sizeof msg);
	if (n < 0)
		return ERR(n);
	struct bk_buf *t = bk_run_trace(run);
	if (t) {
		/* The trace_pipe line: task-pid, cpu, flags, timestamp, event, message. */
		char comm[16];
		uint64_t ns = clock_ns(CLOCK_MONOTONIC);
		current_comm(comm);
		size_t ml = strlen(msg);
		bk_buf_printf(t, "%16s-%-7d [%03u] ..... %5" PRIu64 ".%06" PRIu64 ": bpf_trace_printk: %s%s",
			      comm, (int)getpid(), bk_run_cpu(run), ns / UINT64_C(1000000000),
			      (ns / 1000) % 1000000, msg, ml && msg[ml - 1] == '\n' ? "" : "\n");
	}
	return (uint64_t)n;
}

static uint64_t h_snprintf(struct bk_run *run, struct hargs *a)
{
	size_t size = a->r[1], dlen = a->r[4];
	if (dlen % 8 || dlen > 12 * 8)
		return ERR(-EINVAL);
	const char *fmt = prog_str(run, a->r[2], 4096, true);
	if (!fmt)
		return 0;
	uint64_t args[12] = { 0 };
	if (dlen)
		memcpy(args, a->p[3], dlen);
	char *out = size ? a->p[0] : NULL;
	char scratch[1];
	int64_t n = bformat(run, fmt, strlen(fmt) + 1, args, (unsigned)(dlen / 8), out ? out : scratch,
			    out ? size : 0);
	if (n < 0) {
		if (out)
			out[0] = 0;
		return ERR(n);
	}
	return (uint64_t)n + 1;
}

static uint64_t h_strncmp(struct bk_run *run, struct hargs *a)
{
	const char *s1 = a->p[0];
	const char *s2 = prog_str(run, a->r[2], 4096, true);
	if (!s2)
		return 0;
	size_t n = a->r[1], l2 = strlen(s2) + 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c1 = (unsigned char)s1[i], c2 = i < l2 ? (unsigned char)s2[i] : 0;
		if (c1 != c2)
			return c1 < c2 ? ERR(-1) : 1;
		if (!c1)
			break;
	}
	return 0;
}

/* ---- locks ---- */

static uint64_t h_spin_lock(struct bk_run *run, struct hargs *a)
{
	long r = bk_spin_lock(a->p[0]);
	if (r < 0)
		return bk_run_fail(run, (int)r, "helper bpf_spin_lock: lock at 0x%" PRIx64 " already held", a->r[0]);
	return 0;
}

static uint64_t h_spin_unlock(struct bk_run *run, struct hargs *a)
{
	long r = bk_spin_unlock(a->p[0]);
	if (r < 0)
		return bk_run_fail(run, (int)r, "helper bpf_spin_unlock: lock at 0x%" PRIx64 " not held", a->r[0]);
	return 0;
}

/* ---- the table and the dispatcher ---- */

static const impl_fn impls[256] = {
	[1] = h_map_lookup_elem, [2] = h_map_update_elem, [3] = h_map_delete_elem,
	[5] = h_ktime_get_ns, [6] = h_trace_printk, [7] = h_get_prandom_u32,
	[8] = h_get_smp_processor_id, [9] = h_skb_store_bytes, [10] = h_l3_csum_replace,
	[11] = h_l4_csum_replace, [12] = h_tail_call, [14] = h_get_current_pid_tgid,
	[15] = h_get_current_uid_gid, [16] = h_get_current_comm, [23] = h_redirect,
	[26] = h_skb_load_bytes, [28] = h_csum_diff, [44] = h_xdp_adjust_head,
	[51] = h_redirect_map, [54] = h_xdp_adjust_meta, [65] = h_xdp_adjust_tail,
	[87] = h_map_push_elem, [88] = h_map_pop_elem, [89] = h_map_peek_elem,
	[93] = h_spin_lock, [94] = h_spin_unlock, [125] = h_ktime_get_boot_ns,
	[130] = h_ringbuf_output, [131] = h_ringbuf_reserve, [132] = h_ringbuf_submit,
	[133] = h_ringbuf_discard, [134] = h_ringbuf_query, [164] = h_for_each_map_elem,
	[165] = h_snprintf, [181] = h_loop, [182] = h_strncmp, [195] = h_map_lookup_percpu_elem,
};

/* Checks argument I against its prototype type; fills a->p[i] / a->map. False when the
 * run has been failed. */
static bool check_arg(struct bk_run *run, struct hargs *a, unsigned i)
{
	unsigned t = a->proto->arg[i], base = BK_ARG_BASE(t);
	uint64_t v = a->r[i];
	bool write = t & BK_ARG_MEM_UNINIT;
	uint32_t size;
	switch (base) {
	case BK_ARG_CONST_MAP_PTR:
		a->map = bk_maps_from_ptr(bk_run_maps(run), (void *)(uintptr_t)v);
		if (!a->map) {
			bk_run_fail(run, -EINVAL, "R%u 0x%" PRIx64 " is not a map", i + 1, v);
			return false;
		}
		return true;
	case BK_ARG_PTR_TO_MAP_KEY:
	case BK_ARG_PTR_TO_MAP_VALUE:
		size = base == BK_ARG_PTR_TO_MAP_KEY ? bk_map_def(a->map)->key_size
						    : bk_map_def(a->map)->value_size;
		a->p[i] = bk_run_mem(run, v, size ? size : 1, write);
		return a->p[i] != NULL;
	case BK_ARG_PTR_TO_MEM: {
		uint64_t len = a->r[i + 1];
		if (!v && (t & BK_ARG_MAYBE_NULL) && !len) {
			a->p[i] = NULL;
			return true;
		}
		if (BK_ARG_BASE(a->proto->arg[i + 1]) == BK_ARG_CONST_SIZE && !len) {
			bk_run_fail(run, -EINVAL, "R%u size 0 for a memory argument", i + 2);
			return false;
		}
		if (len > (1u << 29)) {
			bk_run_fail(run, -E2BIG, "R%u size %" PRIu64 " too large", i + 2, len);
			return false;
		}
		a->p[i] = bk_run_mem(run, v, len, write);
		return a->p[i] != NULL;
	}
	case BK_ARG_PTR_TO_CTX: {
		size_t csz;
		void *ctx = bk_run_ctx(run, &csz);
		if (!ctx || (uintptr_t)ctx != v) {
			bk_run_fail(run, -EINVAL, "R%u is not the context", i + 1);
			return false;
		}
		a->p[i] = ctx;
		return true;
	}
	case BK_ARG_PTR_TO_SPIN_LOCK:
		a->p[i] = bk_run_mem(run, v, 4, true);
		return a->p[i] != NULL;
	default:
		return true;
	}
}

static uint64_t dispatch(struct bk_run *run, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
			 uint64_t r5)
{
	const struct bk_helper *h = bk_run_helper(run);
	struct hargs a = { .r = { r1, r2, r3, r4, r5 } };
	if (!h || h->id < 0 || h->id >= 256 || !impls[h->id] ||
	    !(a.proto = bk_helper_proto((uint32_t)h->id)))
		return bk_run_fail(run, -ENOSYS, "not implemented (helper id %d)", h ? h->id : -1);
	for (unsigned i = 0; i < a.proto->nargs; i++)
		if (!check_arg(run, &a, i))
			return 0;
	return impls[h->id](run, &a);
}

int bk_helpers_install(struct bk_vm *vm, struct bk_err *err)
{
	const struct bk_helper_proto *p;
	for (size_t i = 0; (p = bk_helper_proto_at(i)); i++) {
		char name[64];
		uint64_t types = 0;
		snprintf(name, sizeof name, "bpf_%s", p->name);
		/* vm.h counts program types by bit (1 << type), raw being type 0. */
		for (int t = 1; t < 63; t++)
			if (p->prog_types & BK_PT(t))
				types |= 1ull << t;
		if (p->prog_types & BK_PT_RAW)
			types |= 1ull << BK_PROG_RAW;
		struct bk_helper h = { .id = (int32_t)p->id, .name = name, .fn = dispatch, .types = types,
				      .kernel_proto = true, .map_op = p->id >= 1 && p->id <= 3 };
		int r = bk_vm_register_helper(vm, &h, err);
		if (r < 0)
			return r;
	}
	return 0;
}
