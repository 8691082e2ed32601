/* Shared by the kernel commands (prog, map, net, cgroup, feature, stats). */
#ifndef BK_CLI_KCLI_H
#define BK_CLI_KCLI_H
#include "cli.h"
#include "bpfkit/util.h"
#include <stdbool.h>

/* bpfkit run --engine kernel|all, after cmd_run.c loaded FILE into the userspace
 * runtime (LO, PROG): the kernel's run, and with "all" the differences. Returns
 * the exit status. */
struct bk_loaded;
struct bk_prog;
struct bk_kcli_run {
	const char *file, *prog, *type, *engine, *data_out, *ctx_out;
	const char *const *map_in;    /* NAME=FILE.json, already applied to LO */
	int nmap_in;
	unsigned repeat;
	int cpu;                      /* ISA level for assembly input */
	int cpu_run;                  /* the CPU the runtime's per-CPU values belong to */
	bool json, dump_maps;
	const void *din, *cin;
	size_t dlen, clen;
};
int bk_kcli_run(const struct bk_kcli_run *a, struct bk_loaded *lo, struct bk_prog *prog);

#if BK_HAVE_KERN
#include "bpfkit/kern.h"

/* The -j/-p/-f flags as the library's format. */
struct bk_kern_fmt bk_kcli_fmt(void);
/* Prints the buffer to stdout and frees it. */
void bk_kcli_flush(struct bk_buf *b);
/* Reports err (and libbpf's messages with -d) and returns the exit status. */
int bk_kcli_fail(const char *cmd, const struct bk_err *err);
/* Bytes as bpftool reads them: [hex] B0 B1 ... up to a word that is not a byte.
 * Returns the number of words used, or -1 with a message. */
int bk_kcli_bytes(int argc, char **argv, struct bk_buf *out, const char *what, const char *cmd);
/* PROG := id N | pinned FILE | tag T | name N and MAP := id N | pinned FILE | name N,
 * parsed once for every kernel command (the library resolves them). Each prints
 * its error as "bpfkit CMD: ..." and returns -1; *used gets the words read. */
/* Exactly one program: a tag or name that several programs share is an error. */
int bk_kcli_prog(int argc, char **argv, int *used, const char *cmd);
/* Every program the words name (*fds malloc'ed: bk_kcli_close_fds); the count.
 * With all_words, a word left over after PROG is an error too. */
int bk_kcli_progs(int argc, char **argv, int *used, int **fds, int all_words, const char *cmd);
void bk_kcli_close_fds(int *fds, int n);
int bk_kcli_map(int argc, char **argv, int *used, const char *cmd);
/* A number as tc and bpftool read them: decimal, 0x hex or 0 octal, all of the word. */
int bk_kcli_u64(const char *word, uint64_t *v);
/* Sets up libbpf's log capture according to -d. */
void bk_kcli_init(void);
/* How prog, map, net and cgroup begin: without a subcommand, usage on stderr and 2;
 * -h/--help as the subcommand or --help after it, usage and 0; else bk_kcli_init and
 * -1, the command goes on with argv[1]. */
int bk_kcli_start(int argc, char **argv, void (*usage)(FILE *f));
#endif
#endif
