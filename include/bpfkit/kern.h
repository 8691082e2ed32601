/* The kernel front end: what bpftool does, through libbpf. Load, pin, show, dump,
 * run and attach programs; show, dump and edit maps; probe the kernel.
 *
 * Results are rendered into a struct bk_buf as text or as JSON with bpftool's
 * keys (the library never prints). Objects are named the way bpftool's words
 * name them: PROG := id N | pinned FILE | tag T | name N, MAP := id N |
 * pinned FILE | name N. Only built when libbpf is present (BK_HAVE_KERN). */
#ifndef BPFKIT_KERN_H
#define BPFKIT_KERN_H

#include "common.h"
#include "util.h"
#include "probe.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How results are rendered. */
struct bk_kern_fmt {
	size_t sz;
	int json;    /* JSON with bpftool's keys */
	int pretty;  /* indented JSON */
	int bpffs;   /* show the bpffs paths of pinned objects (-f) */
};

/* libbpf's own messages (and verifier logs) collect here; -d shows them. */
void bk_kern_log_capture(int all_levels);
const char *bk_kern_log(void);
void bk_kern_log_reset(void);

/* --- selecting objects ---------------------------------------------------
 * Parse PROG/MAP words from argv. *used receives how many words were read.
 * bk_kern_prog_fds returns the number of fds (names and tags may match several
 * programs), *fds is malloc'ed; the caller closes and frees. */
int bk_kern_prog_fds(int argc, char **argv, int *used, int **fds, struct bk_err *err);
int bk_kern_map_fd(int argc, char **argv, int *used, struct bk_err *err);
/* 1 if PATH lies on a bpf filesystem, 0 if not, negative errno if it cannot tell. */
int bk_kern_on_bpffs(const char *path);

/* --- programs --------------------------------------------------------------- */
struct bk_kern_map_reuse {
	int idx;            /* >= 0: by index in the object, else by name */
	const char *name;
	int fd;             /* the existing map */
};

struct bk_kern_load_opts {
	size_t sz;
	const char *type;          /* "xdp", "kprobe", ... (a section name prefix), or NULL */
	const struct bk_kern_map_reuse *reuse;
	size_t nreuse;
	const char *pinmaps;       /* directory on bpffs, or NULL */
	int all;                   /* loadall: PATH is a directory, one pin per program */
	int log_all;               /* keep the whole verifier log in the error (-d) */
};
/* Loads every program of OBJ and pins the first (or all, under PATH/NAME). On
 * failure nothing stays pinned. A verifier rejection puts the log's last lines
 * (or all of it with log_all) into *vlog (may be NULL). */
int bk_kern_prog_load(const char *obj, const char *path, const struct bk_kern_load_opts *opts,
		      struct bk_buf *vlog, struct bk_err *err);

int bk_kern_prog_show(int fd, const struct bk_kern_fmt *fmt, struct bk_buf *out, struct bk_err *err);
/* Every program (or, with fds, those given), as a JSON array when fmt->json. */
int bk_kern_prog_list(const int *fds, int nfds, const struct bk_kern_fmt *fmt, struct bk_buf *out,
		      struct bk_err *err);
int bk_kern_pin(int fd, const char *path, struct bk_err *err);

enum bk_kern_dump_mode { BK_DUMP_PLAIN, BK_DUMP_OPCODES, BK_DUMP_LINUM, BK_DUMP_VISUAL, BK_DUMP_FILE };
/* xlated instructions (bpfkit's disassembler when present) or the raw bytes
 * (BK_DUMP_FILE). */
int bk_kern_prog_dump_xlated(int fd, enum bk_kern_dump_mode mode, const struct bk_kern_fmt *fmt,
			     struct bk_buf *out, struct bk_err *err);
/* The JITed x86-64 code through capstone, -ENOTSUP without it. */
int bk_kern_prog_dump_jited(int fd, int opcodes, const struct bk_kern_fmt *fmt, struct bk_buf *out,
			    struct bk_err *err);

struct bk_kern_run_opts {
	size_t sz;
	const void *data_in; size_t data_in_len;
	const void *ctx_in; size_t ctx_in_len;
	size_t data_out_cap, ctx_out_cap;    /* 0: as large as the input (+256 for data) */
	unsigned repeat;
};
struct bk_kern_run_result {
	uint32_t retval;
	uint32_t duration_ns;
	struct bk_buf data_out, ctx_out;
};
int bk_kern_prog_run(int fd, const struct bk_kern_run_opts *opts, struct bk_kern_run_result *res,
		     struct bk_err *err);

/* --- bpfkit run --engine kernel|all ------------------------------------------
 * One program of an object, loaded with libbpf (every program of the object is
 * loaded, so statically filled prog arrays work), run once through
 * BPF_PROG_TEST_RUN, its maps read back, everything closed again: nothing stays
 * in the kernel. */
struct bk_loaded;
struct bk_run_result;

struct bk_kern_exec_opts {
	size_t sz;
	const char *name;          /* the object's name (libbpf names .bss & co after it) */
	const char *prog;          /* program name; NULL: the object's first program */
	const char *type;          /* raw bytecode: bpfkit's type name (xdp, socket, tc) */
	/* Maps named here start with the contents of the same-named maps of LO (what
	 * --map-in loaded into the userspace runtime), so both engines start alike. */
	const struct bk_loaded *seed;
	const char *const *seed_maps;
	size_t nseed_maps;
	const void *data_in; size_t data_in_len;
	const void *ctx_in; size_t ctx_in_len;
	unsigned repeat;
	int cpu;                   /* run pinned to this CPU (per-CPU values land there); -1: anywhere */
	int log_all;               /* keep the whole verifier log (-d) */
	/* A mounted tracefs: the run's bpf_trace_printk lines are collected there in a
	 * trace instance of its own (see bk_kern_trace_open). NULL: not collected. */
	const char *tracefs;
};

/* One map as the kernel left it. keys: n * key_size; values: n * value_size *
 * ncpus (per-CPU maps: one value per possible CPU, unpadded). */
struct bk_kern_map_snap {
	char name[64];
	uint32_t type, key_size, value_size, max_entries, ncpus;
	size_t n;
	uint8_t *keys, *values;
	int dumped;                /* 0: a type whose contents are not keys and values (ringbuf, ...) */
	/* Queues and stacks: their values in pop order; ring buffers: the records in
	 * order, each as a u32 length and its bytes. elems_read says they were read. */
	struct bk_buf elems;
	size_t nelems;
	int elems_read;
};

struct bk_kern_exec {
	uint32_t prog_type;        /* the kernel's BPF_PROG_TYPE_* */
	struct bk_kern_run_result run;
	struct bk_kern_map_snap *maps;
	size_t nmaps;
	struct bk_buf trace;       /* trace_printk lines as trace_pipe shows them (opts->tracefs) */
	char trace_note[256];      /* why they could not be collected, else empty */
};

/* ELF bytes (or raw bytecode when they are not ELF). A verifier rejection puts
 * the log's tail (all of it with log_all) into vlog (may be NULL). */
int bk_kern_exec(const void *data, size_t len, const struct bk_kern_exec_opts *opts,
		 struct bk_kern_exec *res, struct bk_buf *vlog, struct bk_err *err);
void bk_kern_exec_free(struct bk_kern_exec *res);
/* The run as bpfkit run prints it: "Return value: N, duration: Xns" (json: the
 * object's members "retval","duration" and with maps "maps":[...] as the
 * interpreter engine writes them, without the braces around). */
void bk_kern_exec_render(const struct bk_kern_exec *res, int json, int maps, unsigned repeat,
			 struct bk_buf *out);
/* --engine all: every difference between the userspace run (LO, URES; retmask
 * masks its return value as the program type reports it) and the kernel's, one
 * line each into out (json: a JSON array of strings). Returns the number of
 * differences, or a negative errno. */
int bk_kern_exec_diff(const struct bk_loaded *lo, const struct bk_run_result *ures, uint64_t retmask,
		      const struct bk_kern_exec *kres, int json, struct bk_buf *out, struct bk_err *err);
/* The same, and the trace_printk messages (the text after "bpf_trace_printk: ") of
 * the userspace run (UTRACE, as bk_run_opts.trace collects them) against the
 * kernel's, when the kernel's were collected. */
int bk_kern_exec_diff_trace(const struct bk_loaded *lo, const struct bk_run_result *ures, uint64_t retmask,
			    const struct bk_buf *utrace, const struct bk_kern_exec *kres, int json,
			    struct bk_buf *out, struct bk_err *err);
/* How many of the kernel's maps bk_kern_exec_diff compares: arrays and hashes by
 * keys and values, queues and stacks by their elements (both sides are popped
 * empty), ring buffers by their records (both consumed). */
size_t bk_kern_exec_compared(const struct bk_kern_exec *kres);
/* The maps it does not compare and why, as "'jmp' (prog array: ids), ..." (empty: none). */
void bk_kern_exec_uncompared(const struct bk_kern_exec *kres, struct bk_buf *out);

/* --- trace_printk lines ------------------------------------------------------
 * A trace instance of our own (tracefs/instances/bpfkit-TID) with the
 * bpf_trace/bpf_trace_printk event on for the calling thread alone: what a test
 * run on this thread prints, without reading the machine-wide trace_pipe. */
struct bk_kern_trace;
/* A mounted tracefs whose instances we may create: its path into PATH, or -ENOENT. */
int bk_kern_tracefs_find(char *path, size_t len);
int bk_kern_trace_open(const char *tracefs, struct bk_kern_trace **t, struct bk_err *err);
/* Appends the lines collected so far as trace_pipe shows them; returns their count. */
int bk_kern_trace_read(struct bk_kern_trace *t, struct bk_buf *out, struct bk_err *err);
void bk_kern_trace_close(struct bk_kern_trace *t);

/* --- prog profile ------------------------------------------------------------
 * fentry/fexit programs (generated by bpfkit) on the target read one perf counter
 * per metric on every CPU, as bpftool's profiler does; the fexit side counts the
 * runs (run_cnt) and sums counter differences. Metrics are bpftool's (cycles,
 * instructions, l1d_loads, llc_misses, itlb_misses, dtlb_misses) and cpu_clock
 * (software, nanoseconds). A counter the kernel refuses is an error naming it and
 * the kernel's reason; nothing is left behind. */
int bk_kern_profile_metric(const char *name);    /* index, or -1 */
struct bk_kern_profile_opts {
	size_t sz;
	const int *metrics;          /* bk_kern_profile_metric indexes; none: run_cnt alone */
	size_t nmetrics;
	unsigned duration_ms;        /* 0: until *stop */
	volatile int *stop;          /* set (by a signal handler) to end early */
	void (*during)(void *ctx);   /* called once while attached (tests run the target here) */
	void *ctx;
	/* Tests: load the generated programs as raw tracepoint programs and test-run
	 * fentry then fexit this many times instead of attaching them (checks the
	 * generated code where the kernel takes no tracing programs). */
	unsigned selftest;
};
struct bk_kern_profile_reading {
	int metric;
	const char *name;
	uint64_t count, enabled, running;
};
struct bk_kern_profile_result {
	uint64_t run_cnt;
	struct bk_kern_profile_reading m[8];
	size_t n;
};
int bk_kern_profile(int prog_fd, const struct bk_kern_profile_opts *opts, struct bk_kern_profile_result *res,
		    struct bk_err *err);
/* bpftool's layout: "%18llu run_cnt", a line per metric with ratios; -j:
 * {"run_cnt":N,"metrics":[{"name","count","enabled","running"}]}. */
void bk_kern_profile_render(const struct bk_kern_profile_result *res, const struct bk_kern_fmt *fmt,
			    struct bk_buf *out);

/* Attach PROG to MAP (sockmap/sockhash verdicts, parsers, sk_msg) or, with
 * map_fd < 0, to the netns (flow_dissector). ATTACH is bpftool's word. */
int bk_kern_prog_attach(int prog_fd, const char *attach, int map_fd, int detach, struct bk_err *err);

/* --- maps ------------------------------------------------------------------- */
int bk_kern_map_show(int fd, const struct bk_kern_fmt *fmt, struct bk_buf *out, struct bk_err *err);
int bk_kern_map_list(const struct bk_kern_fmt *fmt, struct bk_buf *out, struct bk_err *err);
int bk_kern_map_dump(int fd, const struct bk_kern_fmt *fmt, struct bk_buf *out, struct bk_err *err);
/* Keys and values are raw bytes of exactly the map's sizes. */
int bk_kern_map_lookup(int fd, const void *key, size_t klen, const struct bk_kern_fmt *fmt,
		       struct bk_buf *out, struct bk_err *err);
int bk_kern_map_getnext(int fd, const void *key, size_t klen, const struct bk_kern_fmt *fmt,
			struct bk_buf *out, struct bk_err *err);
int bk_kern_map_update(int fd, const void *key, size_t klen, const void *val, size_t vlen,
		       uint64_t flags, struct bk_err *err);
int bk_kern_map_delete(int fd, const void *key, size_t klen, struct bk_err *err);
int bk_kern_map_freeze(int fd, struct bk_err *err);
/* Sizes of a map: key, value (per CPU for per-CPU maps: value * ncpus). */
int bk_kern_map_sizes(int fd, uint32_t *key, uint32_t *value, uint32_t *type, struct bk_err *err);

struct bk_kern_map_create_opts {
	size_t sz;
	const char *type, *name;
	uint32_t key, value, entries, flags;
	int inner_fd;   /* maps of maps: a template map, else -1 */
};
/* Creates the map and pins it at PATH (on bpffs); nothing is left if pinning fails. */
int bk_kern_map_create(const char *path, const struct bk_kern_map_create_opts *opts,
		       struct bk_err *err);

/* --- network and cgroups ---------------------------------------------------- */
/* ATTACH: xdp, xdpgeneric, xdpdrv, xdpoffload, tc_ingress/tcx_ingress, tc_egress/tcx_egress. */
int bk_kern_net_attach(int prog_fd, const char *attach, const char *dev, int overwrite,
		       struct bk_err *err);
int bk_kern_net_detach(const char *attach, const char *dev, struct bk_err *err);
/* tc's words: a filter's handle and priority ("pref"), 0 = any (attach: the kernel
 * picks). Attach with both names one filter beside the others (overwrite replaces
 * it); detach takes every BPF filter they match. XDP takes neither. */
struct bk_kern_net_opts {
	size_t sz;
	int overwrite;
	uint32_t handle, priority;
};
int bk_kern_net_attach_opts(int prog_fd, const char *attach, const char *dev, const struct bk_kern_net_opts *opts,
			    struct bk_err *err);
int bk_kern_net_detach_opts(const char *attach, const char *dev, const struct bk_kern_net_opts *opts,
			    struct bk_err *err);
int bk_kern_net_show(const char *dev, const struct bk_kern_fmt *fmt, struct bk_buf *out,
		     struct bk_err *err);

/* ATTACH: bpftool's cgroup attach words (ingress, egress, sock_create, connect4, ...).
 * flags: "multi" / "override" as BPF_F_ALLOW_MULTI / BPF_F_ALLOW_OVERRIDE. */
int bk_kern_cgroup_attach(const char *cgroup, const char *attach, int prog_fd, uint32_t flags,
			  int detach, struct bk_err *err);
int bk_kern_cgroup_show(const char *cgroup, int effective, const struct bk_kern_fmt *fmt,
			struct bk_buf *out, struct bk_err *err);
int bk_kern_cgroup_tree(const char *root, int effective, const struct bk_kern_fmt *fmt,
			struct bk_buf *out, struct bk_err *err);
/* bpftool's word for an attach type, or -1. */
int bk_kern_attach_type(const char *word);

/* --- features and statistics ------------------------------------------------ */
int bk_kern_feature_probe(const struct bk_kern_fmt *fmt, struct bk_buf *out, struct bk_err *err);

/* BPF_ENABLE_STATS: returns an fd that keeps run-time stats on while open. */
int bk_kern_stats_fd(struct bk_err *err);
/* run_cnt, run_time_ns and their average per program (all, or those given). */
int bk_kern_stats_show(const int *fds, int nfds, const struct bk_kern_fmt *fmt, struct bk_buf *out,
		       struct bk_err *err);
/* The kernel.bpf_stats_enabled sysctl: read (on < 0) or set. Returns the old value. */
int bk_kern_stats_sysctl(int on, struct bk_err *err);

#ifdef __cplusplus
}
#endif
#endif
