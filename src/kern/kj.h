/* Internal to src/kern: a tiny JSON writer with bpftool's layout (compact for -j,
 * four-space indent for -p), and the helpers the files share. */
#ifndef BK_KERN_KJ_H
#define BK_KERN_KJ_H

#include "bpfkit/kern.h"
#include <stdbool.h>

struct bk_kj {
	struct bk_buf *b;
	int pretty, depth;
	bool first[64];
	bool after_key;
};

void bk_kj_init(struct bk_kj *j, struct bk_buf *b, int pretty);
void bk_kj_obj(struct bk_kj *j);
void bk_kj_end_obj(struct bk_kj *j);
void bk_kj_arr(struct bk_kj *j);
void bk_kj_end_arr(struct bk_kj *j);
void bk_kj_key(struct bk_kj *j, const char *k);
void bk_kj_str(struct bk_kj *j, const char *s);
void bk_kj_u64(struct bk_kj *j, uint64_t v);
void bk_kj_s64(struct bk_kj *j, int64_t v);
void bk_kj_bool(struct bk_kj *j, bool v);
void bk_kj_null(struct bk_kj *j);
void bk_kj_raw(struct bk_kj *j, const char *text);
/* "0x01" strings for each byte, as bpftool prints keys and values. */
void bk_kj_hex_arr(struct bk_kj *j, const void *p, size_t n);

/* Shared helpers. */
int bk_kern_fdinfo(int fd, const char *key, uint64_t *val);
/* Up to LEN - 1 bytes of PATH (a small /proc or cache file) into BUF, NUL-ended: how
 * many, or -1 when it cannot be opened or read. */
long bk_kern_read_small(const char *path, char *buf, size_t len);
const char *bk_kern_prog_type_name(uint32_t t);
const char *bk_kern_map_type_name(uint32_t t);
/* The last line of libbpf's captured log (*line, its length returned; 0 when the log is
 * empty): libbpf ends a failed open or load with the line that names the cause. */
int bk_kern_log_tail(const char **line);
/* From libbpf's log of a failed load: the verifier's last line that names the problem
 * (into reason), and the log's tail (or all of it with whole) into vlog (may be NULL). */
void bk_kern_verifier_log(const char *all, int whole, struct bk_buf *vlog, char *reason, size_t rlen);
/* id -> bpffs paths of pinned objects (for -f); built on first use. */
struct bk_kern_pins;
struct bk_kern_pins *bk_kern_pins_load(int want_maps);
void bk_kern_pins_emit(struct bk_kern_pins *p, uint32_t id, struct bk_kj *j, struct bk_buf *text);
void bk_kern_pins_free(struct bk_kern_pins *p);
/* Processes holding programs (maps), bpfkit itself left out: a task_file iterator
 * (BK_REFS_ITER), /proc/PID/fdinfo (BK_REFS_PROC), or the first that works. The
 * iterator-only way returns NULL where the kernel refuses it. */
struct bk_kern_refs;
enum { BK_REFS_AUTO, BK_REFS_ITER, BK_REFS_PROC };
struct bk_kern_refs *bk_kern_refs_load(int maps);
struct bk_kern_refs *bk_kern_refs_load_how(int maps, int how);
/* How many (id, pid) pairs, and whether ID is held by PID. */
size_t bk_kern_refs_count(const struct bk_kern_refs *r);
int bk_kern_refs_has(const struct bk_kern_refs *r, uint32_t id, int pid);
void bk_kern_refs_emit(const struct bk_kern_refs *r, uint32_t id, struct bk_kj *j, struct bk_buf *text);
void bk_kern_refs_free(struct bk_kern_refs *r);
/* A program's bpf_metadata_* variables from its .rodata map, as bpftool shows them. */
void bk_kern_prog_metadata(const uint32_t *map_ids, uint32_t nmaps, struct bk_kj *j, struct bk_buf *text);
#endif
