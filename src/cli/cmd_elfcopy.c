/* Reads an object into the model and writes it back: the writer's layout is llvm-mc's,
 * so a clang-19 or llvm-mc-19 object comes out byte-identical. */
#include "cli.h"
#include "bpfkit/object.h"

#include <stdlib.h>
#include <string.h>

BK_COMMAND(elfcopy, bk_cmd_elfcopy, "read an ELF object and write it back through the object model")

static int verify(int n, char **files)
{
	int rc = 0;
	for (int i = 0; i < n; i++) {
		struct bk_err err = { 0 };
		struct bk_object *o = NULL;
		uint8_t *d;
		size_t len;
		if (bk_read_file(files[i], &d, &len, &err)) {
			rc = bk_cli_fail("elfcopy", "%s", err.msg);
			continue;
		}
		struct bk_buf b = { 0 };
		if (bk_object_read(d, len, files[i], &o, &err) || bk_object_write(o, &b, &err)) {
			rc = bk_cli_fail("elfcopy", "%s", err.msg);
		} else if (b.len != len || memcmp(b.data, d, len)) {
			size_t k = 0;
			while (k < len && k < b.len && b.data[k] == d[k])
				k++;
			printf("%s: differs at offset 0x%zx (%zu bytes written, %zu read)\n", files[i], k,
			       b.len, len);
			rc = 1;
		} else {
			printf("%s: identical\n", files[i]);
		}
		bk_object_free(o);
		bk_buf_free(&b);
		free(d);
	}
	return rc;
}

int bk_cmd_elfcopy(int argc, char **argv)
{
	if (argc > 1 && bk_cli_is_help(argv[1])) {
		printf("Usage: bpfkit elfcopy INPUT.o OUTPUT.o\n"
		       "       bpfkit elfcopy --verify FILE.o...\n"
		       "Reads INPUT (ELF64 little-endian BPF relocatable) and writes it as llvm-mc-19\n"
		       "lays objects out. OUTPUT may be '-' for stdout. --verify writes each FILE in\n"
		       "memory and reports whether the bytes are identical (status 1 if any differ).\n");
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--verify"))
		return verify(argc - 2, argv + 2);
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
