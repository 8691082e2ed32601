/* Shared by the command's files: how a subcommand registers and reports. */
#ifndef BPFKIT_CLI_H
#define BPFKIT_CLI_H

#include "bpfkit/common.h"
#include <stdio.h>

/* A line `BK_COMMAND(name, function, "one-line summary")` at the start of a line in
 * any file of src/cli registers a subcommand; the Makefile collects them. The function gets
 * argv with argv[0] = the subcommand name and returns the exit status. */
#define BK_COMMAND(name, fn, summary) int fn(int argc, char **argv);

/* Global flags that bpftool users expect on every command. */
struct bk_cli_globals {
	int json;    /* -j */
	int pretty;  /* -p */
	int debug;   /* -d */
	int bpffs;   /* -f / --bpffs */
};
extern struct bk_cli_globals bk_cli;

/* One-line error to stderr, "bpfkit CMD: msg", and the exit status to use. */
int bk_cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The kernel commands of a build without libbpf: one line saying so. */
#define BK_CLI_NO_KERN(name)                                                                   \
	int bk_cmd_##name(int argc, char **argv)                                               \
	{                                                                                      \
		return bk_cli_fail(#name, "built without libbpf: no kernel front end");        \
	}
/* True if argv[i] is -h/--help. */
int bk_cli_is_help(const char *arg);
/* --syntax=NAME value: enum bk_syntax, or -1 for an unknown name. */
int bk_cli_parse_syntax(const char *name);

struct bk_prog;
/* Attaches the JIT to PROG for ENGINE: NULL (the default) = the JIT where supported, the
 * interpreter when it cannot compile; "jit" = the JIT or an error; anything else = no
 * JIT (the interpreter, or an engine the caller handles). */
int bk_cli_use_jit(struct bk_prog *prog, const char *engine, struct bk_err *err);

#endif
