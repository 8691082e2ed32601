/* Internal to src/loader. */
#ifndef BK_LOADER_INT_H
#define BK_LOADER_INT_H

#include "bpfkit/loader.h"

#include <stdlib.h>

struct bk__btf {
	const uint8_t *data;   /* type section */
	size_t len;
	const char *strs;
	size_t strs_len;
	uint32_t *types;       /* offset of each type id in data; [0] unused */
	size_t ntypes;
};

struct bk__btf_map {
	struct bk_map_def def;
	struct bk_map_def inner;
	bool has_inner;
	bool has_values;       /* a `values` member: static slots may be initialised */
	bool values_are_progs; /* prog array: values point at programs */
	uint32_t values_off;   /* byte offset of `values` in the definition struct */
	uint32_t pinning;
	uint32_t value_type;
};

int bk__btf_parse(const uint8_t *data, size_t len, struct bk__btf *b, struct bk_err *err);
void bk__btf_free(struct bk__btf *b);
const char *bk__btf_str(const struct bk__btf *b, uint32_t off);
int64_t bk__btf_type_size(const struct bk__btf *b, uint32_t id);
int bk__btf_map_def(const struct bk__btf *b, const char *name, struct bk__btf_map *m,
		    struct bk_err *err);

#endif
