#include "cli.h"

#include "bpfkit/btf.h"
#include "bpfkit/disasm.h"

#include <stdlib.h>
#include <string.h>

BK_COMMAND(objdump, bk_cmd_objdump, "disassemble ELF objects exactly as llvm-objdump-19 -d [-r] [-S]")

static void usage(FILE *f)
{
	fprintf(f, "Usage: bpfkit objdump -d [-r] [-S] [--no-show-raw-insn] [-j SECTION]...\n"
		   "                      [--syntax=llvm|ubpf] FILE...\n"
		   "  -d                  disassemble program sections (as llvm-objdump-19 -d --mcpu=v4)\n"
		   "  -r                  show relocations under their instruction\n"
		   "  -S                  interleave source lines recorded in .BTF.ext line info\n"
		   "  -j, --section NAME  only this section (repeatable)\n"
		   "  --no-show-raw-insn  leave out the instruction bytes\n"
		   "  --syntax=ubpf       print the conformance-suite syntax instead of LLVM's\n");
}

int bk_cmd_objdump(int argc, char **argv)
{
	struct bk_objdump_opts o = BK_OPTS_INIT(bk_objdump_opts, .syntax = BK_SYNTAX_LLVM);
	const char **secs = calloc((size_t)argc + 1, sizeof(*secs));
	const char **files = calloc((size_t)argc + 1, sizeof(*files));
	size_t nsecs = 0, nfiles = 0;
	bool disasm = false;
	int rc = 0;
	if (!secs || !files)
		return bk_cli_fail("objdump", "out of memory");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (bk_cli_is_help(a)) {
			usage(stdout);
			goto out;
		} else if (a[0] == '-' && a[1] != '-' && a[1] && strspn(a + 1, "drSz") == strlen(a + 1)) {
			/* bundled short flags, as -dr */
			for (const char *c = a + 1; *c; c++) {
				disasm |= *c == 'd' || *c == 'S';
				o.relocs |= *c == 'r';
				o.source |= *c == 'S';
			}
		} else if (!strcmp(a, "--disassemble"))
			disasm = true;
		else if (!strcmp(a, "--reloc"))
			o.relocs = true;
		else if (!strcmp(a, "--source"))
			o.source = disasm = true;
		else if (!strcmp(a, "--no-show-raw-insn"))
			o.no_raw = true;
		else if (!strncmp(a, "--mcpu=", 7))
			; /* every instruction is decoded right at every level; accepted for compatibility */
		else if (!strcmp(a, "-j") || !strcmp(a, "--section")) {
			if (++i >= argc) {
				rc = bk_cli_fail("objdump", "%s needs a section name", a);
				goto out;
			}
			secs[nsecs++] = argv[i];
		} else if (!strncmp(a, "--section=", 10))
			secs[nsecs++] = a + 10;
		else if (!strncmp(a, "--syntax", 8)) {
			const char *v = a[8] == '=' ? a + 9 : (a[8] == 0 && i + 1 < argc) ? argv[++i] : "";
			int s = bk_cli_parse_syntax(v);
			if (s != BK_SYNTAX_LLVM && s != BK_SYNTAX_UBPF) {
				rc = bk_cli_fail("objdump", "unknown syntax '%s' (llvm, ubpf)", v);
				goto out;
			}
			o.syntax = (enum bk_syntax)s;
		} else if (a[0] == '-' && a[1]) {
			rc = bk_cli_fail("objdump", "unknown option '%s'", a);
			goto out;
		} else
			files[nfiles++] = a;
	}
	if (!disasm || !nfiles) {
		usage(stderr);
		rc = 2;
		goto out;
	}
	o.sections = nsecs ? secs : NULL;
	for (size_t f = 0; f < nfiles; f++) {
		struct bk_err err = { 0 };
		struct bk_object *obj;
		struct bk_buf buf = { 0 };
		if (bk_object_open(files[f], &obj, &err)) {
			rc = bk_cli_fail("objdump", "%s", err.msg);
			continue;
		}
		o.file_name = files[f];
		if (o.source) {
			struct bk_btf *btf = NULL;
			struct bk_btf_ext *ext = NULL;
			struct bk_err berr = { 0 };
			if (bk_object_btf(obj, &btf, &ext, &berr) || !ext || !ext->nline_secs)
				fprintf(stderr, "bpfkit objdump: %s: no line info in .BTF.ext (compile with -g); "
					"listing without source\n", files[f]);
			bk_btf_ext_free(ext);
			bk_btf_free(btf);
		}
		if (bk_objdump(obj, &o, &buf, &err))
			rc = bk_cli_fail("objdump", "%s: %s", files[f], err.msg);
		else
			fwrite(buf.data, 1, buf.len, stdout);
		bk_buf_free(&buf);
		bk_object_free(obj);
	}
out:
	free(secs);
	free(files);
	return rc;
}
