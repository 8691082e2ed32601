/* Shared inside src/object and src/btf only. */
#ifndef BK_OBJECT_INT_H
#define BK_OBJECT_INT_H
#include "bpfkit/object.h"

enum bk_sec_kind bk__section_kind(const struct bk_section *s);
/* Grows an array so index N fits; new slots are zeroed. */
int bk__grow(void **p, size_t *cap, size_t n, size_t elem);

static inline uint16_t bk__le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t bk__le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t bk__le64(const uint8_t *p)
{
	return (uint64_t)bk__le32(p) | (uint64_t)bk__le32(p + 4) << 32;
}
/* Puts "PREFIX: " before the recorded message (truncating at the end). */
void bk__err_prefix(struct bk_err *err, const char *prefix);
/* Names from a hostile file may hold newlines: keep messages on one line. */
void bk__err_oneline(struct bk_err *err);
#endif
