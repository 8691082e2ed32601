/* BPF ring buffer: the kernel's record layout and position arithmetic.
 *
 * Positions are free-running 64-bit counters; a record at position P has its 8-byte
 * header at data[P & mask]: u32 len (the data size, plus BUSY while reserved and DISCARD
 * when discarded) and u32 pg_off (the kernel's page offset of the header from the start
 * of struct bpf_ringbuf: 3 pages of control data precede the data area). Records are
 * padded to 8 bytes. */
#include "maps_int.h"

#include <unistd.h>

#define RB_CTRL_PAGES 3u
#define RB_MAX_RECORD (UINT32_MAX / 4)

static size_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);
	return p > 0 ? (size_t)p : 4096;
}

int bk__ringbuf_init(struct bk_map *m, struct bk_err *err)
{
	size_t sz = m->def.max_entries;
	m->data = calloc(2, sz);
	if (!m->data)
		return bk_err_set(err, -ENOMEM, "map '%s': out of memory for %zu ring buffer bytes",
				  m->def.name, sz);
	return 0;
}

static uint32_t *hdr_at(struct bk_map *m, uint64_t pos)
{
	return (uint32_t *)(m->data + (pos & (m->def.max_entries - 1)));
}

static uint64_t rec_len(uint32_t len)
{
	return RU8((uint64_t)(len & ~(BK_RINGBUF_BUSY_BIT | BK_RINGBUF_DISCARD_BIT)) +
		   BK_RINGBUF_HDR_SZ);
}

void *bk_ringbuf_reserve(struct bk_map *m, uint64_t size, uint64_t flags)
{
	if (!m || m->kind != KIND_RINGBUF || flags || size > RB_MAX_RECORD)
		return NULL;
	uint64_t mask = m->def.max_entries - 1;
	uint64_t len = RU8(size + BK_RINGBUF_HDR_SZ);
	if (len > m->def.max_entries)
		return NULL;
	/* The oldest record still reserved bounds how far the producer may run ahead,
	 * as the kernel's pending_pos does. */
	while (m->pend_pos < m->prod_pos) {
		uint32_t h = *hdr_at(m, m->pend_pos);
		if (h & BK_RINGBUF_BUSY_BIT)
			break;
		m->pend_pos += rec_len(h);
	}
	uint64_t np = m->prod_pos + len;
	if (np - m->cons_pos > mask || np - m->pend_pos > mask)
		return NULL;
	if (m->nresv == m->resv_cap) {
		size_t cap = m->resv_cap ? m->resv_cap * 2 : 8;
		struct rb_resv *r = realloc(m->resv, cap * sizeof(*r));
		if (!r)
			return NULL;
		m->resv = r;
		m->resv_cap = cap;
	}
	m->resv[m->nresv++] = (struct rb_resv){ m->prod_pos, (uint32_t)size };
	uint64_t off = m->prod_pos & mask;
	if (off + len > m->def.max_entries)  /* the mirror shows what the ring start holds */
		memcpy(m->data + m->def.max_entries, m->data, off + len - m->def.max_entries);
	uint32_t *hdr = hdr_at(m, m->prod_pos);
	hdr[0] = (uint32_t)size | BK_RINGBUF_BUSY_BIT;
	hdr[1] = (uint32_t)(((m->prod_pos & mask) / page_size()) + RB_CTRL_PAGES);
	m->prod_pos = np;
	return hdr + 2;
}

static void commit(struct bk_map *m, void *data, uint64_t flags, bool discard)
{
	if (!m || m->kind != KIND_RINGBUF || !data)
		return;
	uint8_t *hdrp = (uint8_t *)data - BK_RINGBUF_HDR_SZ;
	uint64_t off = (uint64_t)(hdrp - m->data);
	size_t i;
	for (i = 0; i < m->nresv; i++)
		if ((m->resv[i].pos & (m->def.max_entries - 1)) == off)
			break;
	if (i == m->nresv)
		return;  /* not a live reservation: the verifier would have refused the program */
	struct rb_resv r = m->resv[i];
	m->resv[i] = m->resv[--m->nresv];
	size_t sz = m->def.max_entries;
	/* Only the data goes back: padding keeps what the ring held, as in the kernel. */
	uint64_t end = off + BK_RINGBUF_HDR_SZ + r.size;
	if (end > sz)
		memcpy(m->data, m->data + sz, end - sz);
	uint32_t *hdr = (uint32_t *)hdrp;
	uint32_t nl = hdr[0] & ~BK_RINGBUF_BUSY_BIT;
	if (discard)
		nl |= BK_RINGBUF_DISCARD_BIT;
	hdr[0] = nl;
	if (flags & BK_RB_FORCE_WAKEUP)
		m->wakeups++;
	else if (!(flags & BK_RB_NO_WAKEUP) && m->cons_pos == r.pos)
		m->wakeups++;
}

void bk_ringbuf_submit(struct bk_map *m, void *data, uint64_t flags)
{
	commit(m, data, flags, false);
}

void bk_ringbuf_discard(struct bk_map *m, void *data, uint64_t flags)
{
	commit(m, data, flags, true);
}

long bk_ringbuf_output(struct bk_map *m, const void *data, uint64_t size, uint64_t flags)
{
	if (!m || m->kind != KIND_RINGBUF || (flags & ~(BK_RB_NO_WAKEUP | BK_RB_FORCE_WAKEUP)))
		return -EINVAL;
	void *p = bk_ringbuf_reserve(m, size, 0);
	if (!p)
		return -EAGAIN;
	memcpy(p, data, size);
	commit(m, p, flags, false);
	return 0;
}

uint64_t bk_ringbuf_query(struct bk_map *m, uint64_t flags)
{
	if (!m || m->kind != KIND_RINGBUF)
		return 0;
	switch (flags) {
	case BK_RB_AVAIL_DATA: return m->prod_pos - m->cons_pos;
	case BK_RB_RING_SIZE: return m->def.max_entries;
	case BK_RB_CONS_POS: return m->cons_pos;
	case BK_RB_PROD_POS: return m->prod_pos;
	default: return 0;
	}
}

int bk_ringbuf_consume(struct bk_map *m, bk_ringbuf_sample_cb cb, void *ctx)
{
	if (!m || m->kind != KIND_RINGBUF)
		return -EINVAL;
	int n = 0;
	while (m->cons_pos < m->prod_pos) {
		uint32_t h = *hdr_at(m, m->cons_pos);
		if (h & BK_RINGBUF_BUSY_BIT)
			break;
		uint64_t len = rec_len(h);
		if (!(h & BK_RINGBUF_DISCARD_BIT)) {
			/* The mirror holds the wrapped tail of the newest records, so a record
			 * reads contiguously from its header on. */
			const uint8_t *d = (const uint8_t *)hdr_at(m, m->cons_pos) + BK_RINGBUF_HDR_SZ;
			int r = cb ? cb(ctx, d, h & ~(BK_RINGBUF_BUSY_BIT | BK_RINGBUF_DISCARD_BIT)) : 0;
			if (r < 0) {
				m->cons_pos += len;
				return r;
			}
			n++;
		}
		m->cons_pos += len;
	}
	return n;
}

const uint8_t *bk_ringbuf_data(const struct bk_map *m, size_t *size)
{
	if (!m || m->kind != KIND_RINGBUF)
		return NULL;
	if (size)
		*size = m->def.max_entries;
	return m->data;
}

uint64_t bk_ringbuf_wakeups(const struct bk_map *m)
{
	return m && m->kind == KIND_RINGBUF ? m->wakeups : 0;
}

int bk__ringbuf_region(const struct bk_map *m, const void *addr, size_t len,
		       struct bk_map_region *out)
{
	const uint8_t *a = addr;
	size_t sz = m->def.max_entries;
	if (a < m->data || a >= m->data + 2 * sz)
		return -EFAULT;
	for (size_t i = 0; i < m->nresv; i++) {
		uint8_t *d = m->data + (m->resv[i].pos & (sz - 1)) + BK_RINGBUF_HDR_SZ;
		if (a >= d && len <= m->resv[i].size && (size_t)(a - d) <= m->resv[i].size - len) {
			out->start = d;
			out->size = m->resv[i].size;
			out->writable = true;
			out->map = (struct bk_map *)m;
			return 0;
		}
	}
	return -EFAULT;
}
