/* Reads an object into the model and writes it back: the writer's layout is llvm-mc's,
 * so a clang-19 or llvm-mc-19 object comes out byte-identical. */
#include "cli.h"
#include "bpfkit/object.h"

#include <string.h>

BK_COMMAND(elfcopy, bk_cmd_elfcopy, "read an ELF object and write it back through the object model")

int bk_cmd_elfcopy(int argc, char **argv)
{
	if (argc > 1 && bk_cli_is_help(argv[1])) {
		printf("Usage: bpfkit elfcopy INPUT.o OUTPUT.o\n"
		       "Reads INPUT (ELF64 little-endian BPF relocatable) and writes it as llvm-mc-19\n"
		       "lays objects out. OUTPUT may be '-' for stdout.\n");
		return 0;
	}
	if (argc != 3)
		return bk_cli_fail("elfcopy", "expected INPUT and OUTPUT (see bpfkit elfcopy --help)");
	struct bk_err err = { 0 };
	struct bk_object *o;
	if (bk_object_open(argv[1], &o, &err))
		return bk_cli_fail("elfcopy", "%s", err.msg);
	int r = bk_object_write_file(o, argv[2], &err);
	bk_object_free(o);
	if (r)
		return bk_cli_fail("elfcopy", "%s", err.msg);
	return 0;
}
