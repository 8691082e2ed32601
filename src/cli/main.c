#include "cli.h"

#include <stdarg.h>
#include <string.h>

#include "commands.h"

struct bk_cli_globals bk_cli;

#undef BK_COMMAND
#define BK_COMMAND(name, fn, summary) { #name, fn, summary },
static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} commands[] = {
#include "commands.h"
};

int bk_cli_fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "bpfkit %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int bk_cli_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help") || !strcmp(arg, "help");
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: bpfkit [-j|-p] [-d] COMMAND [ARGS...]\n"
		   "       bpfkit COMMAND --help\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-20s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nGlobal options (as bpftool): -j/--json, -p/--pretty, -d/--debug, -f/--bpffs\n");
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-j") || !strcmp(a, "--json"))
			bk_cli.json = 1;
		else if (!strcmp(a, "-p") || !strcmp(a, "--pretty"))
			bk_cli.json = bk_cli.pretty = 1;
		else if (!strcmp(a, "-d") || !strcmp(a, "--debug"))
			bk_cli.debug = 1;
		else if (!strcmp(a, "-f") || !strcmp(a, "--bpffs"))
			bk_cli.bpffs = 1;
		else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("bpfkit %s\n", bk_version());
			return 0;
		} else if (bk_cli_is_help(a)) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "bpfkit: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[i], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].fn(argc - i, argv + i);
	fprintf(stderr, "bpfkit: unknown command '%s' (see bpfkit --help)\n", argv[i]);
	return 2;
}
