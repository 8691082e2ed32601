/* libFuzzer harness: the ELF reader, then everything that consumes what it accepted
 * (writer, BTF and BTF.ext parsing, map definitions, lookups). Seeds: fuzz/seeds/elf. */
#include "bpfkit/btf.h"

#include <stdlib.h>
#include <string.h>

#include "../tests/unit/elf_exercise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bk_object *o = NULL;
	struct bk_err e = { 0 };
	if (bk_object_read(data, size, "fuzz.o", &o, &e)) {
		/* a refusal must be one line naming the file */
		if (!e.code || strncmp(e.msg, "fuzz.o: ", 8) || strchr(e.msg, '\n'))
			abort();
		return 0;
	}
	/* what the writer produces must read back */
	if (elf_exercise(o))
		abort();
	bk_object_free(o);
	return 0;
}
