/* `bpfkit readelf`: GNU readelf 2.40's -x (and -S, -s) output, byte for byte, from the
 * object model. The rules below (dump order, warnings in reverse request order, the
 * NOTE line, name escaping) are readelf's, observed on its output. */
#include "cli.h"
#include "bpfkit/object.h"

#include <stdlib.h>
#include <string.h>

BK_COMMAND(readelf, bk_cmd_readelf, "show sections of an ELF object as GNU readelf does (-x, -S, -s)")

struct req {
	const char *name; /* NULL: by number */
	unsigned long num;
};

/* readelf escapes control characters as ^X and other non-printables as <HH>, and stops
 * after about 255 output characters. */
static void print_secname(const char *n)
{
	char buf[300];
	size_t rem = 255, k = 0;
	for (const unsigned char *p = (const unsigned char *)n; *p && rem; p++) {
		unsigned c = *p;
		if (c < 0x20 || c == 0x7f) {
			if (rem < 2)
				break;
			buf[k++] = '^';
			buf[k++] = (char)(c + 0x40);
			rem -= 2;
		} else if (c < 0x7f) {
			buf[k++] = (char)c;
			rem--;
		} else {
			static const char hex[] = "0123456789ABCDEF";
			if (rem < 4)
				break;
			buf[k++] = '<';
			buf[k++] = hex[c >> 4];
			buf[k++] = hex[c & 15];
			buf[k++] = '>';
			rem -= 4;
		}
	}
	buf[k] = 0;
	fputs(buf, stdout);
}

static void hexdump(const struct bk_object *o, unsigned i)
{
	const struct bk_section *s = &o->sections[i];
	if (s->size == 0 || s->type == BK_SHT_NOBITS || !s->data) {
		printf("Section '");
		print_secname(s->name);
		printf("' has no data to dump.\n");
		return;
	}
	printf("\nHex dump of section '");
	print_secname(s->name);
	printf("':\n");
	for (size_t r = 1; r < o->nsections; r++) {
		const struct bk_section *rs = &o->sections[r];
		if ((rs->type == BK_SHT_REL || rs->type == BK_SHT_RELA) && rs->info == i &&
		    rs->size && rs->link < o->nsections) {
			printf(" NOTE: This section has relocations against it, but these have NOT been applied to this dump.\n");
			break;
		}
	}
	uint64_t addr = s->addr;
	const uint8_t *d = s->data;
	uint64_t left = s->size;
	while (left) {
		unsigned n = left > 16 ? 16 : (unsigned)left;
		printf("  0x%8.8llx ", (unsigned long long)addr);
		for (unsigned j = 0; j < 16; j++) {
			if (j < n)
				printf("%2.2x", d[j]);
			else
				printf("  ");
			if ((j & 3) == 3)
				putchar(' ');
		}
		for (unsigned j = 0; j < n; j++)
			putchar(d[j] >= ' ' && d[j] < 0x7f ? d[j] : '.');
		putchar('\n');
		d += n;
		addr += n;
		left -= n;
	}
	putchar('\n');
}

static const char *sec_type_name(uint32_t t, char *buf, size_t n)
{
	static const char *const names[] = { "NULL", "PROGBITS", "SYMTAB", "STRTAB", "RELA", "HASH",
		"DYNAMIC", "NOTE", "NOBITS", "REL", "SHLIB", "DYNSYM", NULL, NULL, "INIT_ARRAY",
		"FINI_ARRAY", "PREINIT_ARRAY", "GROUP", "SYMTAB SECTION INDICES", "RELR" };
	if (t < sizeof(names) / sizeof(names[0]) && names[t])
		return names[t];
	switch (t) {
	case 0x6ffffff5: return "GNU_ATTRIBUTES";
	case 0x6ffffff6: return "GNU_HASH";
	case 0x6ffffff7: return "GNU_LIBLIST";
	case 0x6ffffffd: return "VERDEF";
	case 0x6ffffffe: return "VERNEED";
	case 0x6fffffff: return "VERSYM";
	default: break;
	}
	if (t >= 0x60000000 && t <= 0x6fffffff)
		snprintf(buf, n, "LOOS+%#x", t - 0x60000000);
	else if (t >= 0x70000000 && t <= 0x7fffffff)
		snprintf(buf, n, "LOPROC+%#x", t - 0x70000000);
	else if (t >= 0x80000000u)
		snprintf(buf, n, "LOUSER+%#x", t - 0x80000000u);
	else
		snprintf(buf, n, "<unknown>: %x", t);
	return buf;
}

/* -S: the wide-less two-line format readelf uses for ELF64. */
static void print_sections(const struct bk_object *o, uint64_t shoff)
{
	printf("There are %zu section headers, starting at offset 0x%llx:\n\n", o->nsections,
	       (unsigned long long)shoff);
	printf("Section Headers:\n"
	       "  [Nr] Name              Type             Address           Offset\n"
	       "       Size              EntSize          Flags  Link  Info  Align\n");
	for (size_t i = 0; i < o->nsections; i++) {
		const struct bk_section *s = &o->sections[i];
		char tb[32], fl[32], nm[32];
		size_t k = 0;
		static const struct { uint64_t f; char c; } flags[] = {
			{ 0x1, 'W' }, { 0x2, 'A' }, { 0x4, 'X' }, { 0x10, 'M' }, { 0x20, 'S' },
			{ 0x40, 'I' }, { 0x80, 'L' }, { 0x100, 'O' }, { 0x200, 'G' }, { 0x400, 'T' },
			{ 0x800, 'C' }, { 0x80000000u, 'E' },
		};
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
			if (s->flags & flags[f].f)
				fl[k++] = flags[f].c;
		fl[k] = 0;
		/* names longer than 17 columns are cut as readelf does without -W */
		snprintf(nm, sizeof nm, "%s", s->name);
		if (strlen(s->name) > 17) {
			nm[12] = 0;
			strcat(nm, "[...]");
		}
		printf("  [%2zu] %-17s %-15.15s  %16.16llx  %8.8llx\n", i, nm,
		       sec_type_name(s->type, tb, sizeof tb), (unsigned long long)s->addr,
		       (unsigned long long)(i ? s->file_offset : 0));
		printf("       %16.16llx  %16.16llx %3s      %2u   %3u     %llu\n",
		       (unsigned long long)s->size, (unsigned long long)s->entsize, fl, s->link,
		       s->info, (unsigned long long)s->addralign);
	}
	printf("Key to Flags:\n"
	       "  W (write), A (alloc), X (execute), M (merge), S (strings), I (info),\n"
	       "  L (link order), O (extra OS processing required), G (group), T (TLS),\n"
	       "  C (compressed), x (unknown), o (OS specific), E (exclude),\n"
	       "  D (mbind), p (processor specific)\n");
}

static const char *sym_type(unsigned t, char *b, size_t n)
{
	static const char *const names[] = { "NOTYPE", "OBJECT", "FUNC", "SECTION", "FILE",
					     "COMMON", "TLS" };
	if (t < 7)
		return names[t];
	snprintf(b, n, "<unknown>: %x", t);
	return b;
}

static void print_symbols(const struct bk_object *o)
{
	if (!o->symtab_sec)
		return;
	const struct bk_section *st = &o->sections[o->symtab_sec];
	printf("\nSymbol table '");
	print_secname(st->name);
	printf("' contains %zu entr%s:\n", o->nsymbols, o->nsymbols == 1 ? "y" : "ies");
	printf("   Num:    Value          Size Type    Bind   Vis      Ndx Name\n");
	static const char *const binds[] = { "LOCAL", "GLOBAL", "WEAK" };
	static const char *const vis[] = { "DEFAULT", "INTERNAL", "HIDDEN", "PROTECTED" };
	for (size_t i = 0; i < o->nsymbols; i++) {
		const struct bk_symbol *y = &o->symbols[i];
		char tb[32], nb[16];
		const char *ndx = nb;
		if (y->shndx == BK_SHN_UNDEF)
			ndx = "UND";
		else if (y->shndx == BK_SHN_ABS)
			ndx = "ABS";
		else if (y->shndx == BK_SHN_COMMON)
			ndx = "COM";
		else
			snprintf(nb, sizeof nb, "%u", y->shndx);
		const char *name = y->name;
		if (y->type == BK_STT_SECTION && !*name && y->shndx < o->nsections)
			name = o->sections[y->shndx].name;
		char nm[32];
		snprintf(nm, sizeof nm, "%s", name);
		if (strlen(name) > 21) {
			nm[16] = 0;
			strcat(nm, "[...]");
		}
		char sz[32];
		if (y->size <= 99999)
			snprintf(sz, sizeof sz, "%5llu", (unsigned long long)y->size);
		else
			snprintf(sz, sizeof sz, "%#llx", (unsigned long long)y->size);
		printf("%6zu: %16.16llx %s %-7s %-6s %-7s %4s %s\n", i, (unsigned long long)y->value,
		       sz, sym_type(y->type, tb, sizeof tb),
		       y->bind < 3 ? binds[y->bind] : "<unknown>", vis[y->vis & 3], ndx, nm);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: bpfkit readelf [-x SECTION]... [-S] [-s] FILE...\n"
		   "  -x, --hex-dump=NUMBER|NAME  dump the section's bytes as GNU readelf -x does\n"
		   "  -S, --section-headers       list the section headers (GNU readelf -S)\n"
		   "  -s, --syms                  list the symbol table (GNU readelf -s)\n"
		   "Output matches GNU readelf 2.40 byte for byte; files are ELF64 BPF objects.\n");
}

int bk_cmd_readelf(int argc, char **argv)
{
	struct req *reqs = calloc((size_t)argc, sizeof(*reqs));
	const char **files = calloc((size_t)argc, sizeof(*files));
	size_t nreq = 0, nfiles = 0;
	int show_s = 0, show_syms = 0, rc = 0;
	if (!reqs || !files) {
		free(reqs);
		free(files);
		return bk_cli_fail("readelf", "out of memory");
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		if (bk_cli_is_help(a) && i == 1) {
			usage(stdout);
			goto out;
		}
		if (!strcmp(a, "-x") || !strcmp(a, "--hex-dump")) {
			if (i + 1 >= argc) {
				rc = bk_cli_fail("readelf", "option '%s' requires an argument", a);
				goto out;
			}
			val = argv[++i];
		} else if (!strncmp(a, "-x", 2)) {
			val = a + 2;
		} else if (!strncmp(a, "--hex-dump=", 11)) {
			val = a + 11;
		} else if (!strcmp(a, "-S") || !strcmp(a, "--section-headers") || !strcmp(a, "--sections")) {
			show_s = 1;
			continue;
		} else if (!strcmp(a, "-s") || !strcmp(a, "--syms") || !strcmp(a, "--symbols")) {
			show_syms = 1;
			continue;
		} else if (a[0] == '-' && a[1]) {
			rc = bk_cli_fail("readelf", "unknown option '%s' (see bpfkit readelf --help)", a);
			goto out;
		} else {
			files[nfiles++] = a;
			continue;
		}
		/* readelf: a number (strtoul base 0, whole string) selects by index */
		char *end;
		unsigned long n = strtoul(val, &end, 0);
		if (*val && !*end && val[0] != '-')
			reqs[nreq++] = (struct req){ NULL, n };
		else
			reqs[nreq++] = (struct req){ val, 0 };
	}
	if (!nfiles || (!nreq && !show_s && !show_syms)) {
		usage(stderr);
		rc = 1;
		goto out;
	}
	for (size_t f = 0; f < nfiles; f++) {
		struct bk_err err = { 0 };
		struct bk_object *o;
		if (bk_object_open(files[f], &o, &err)) {
			fflush(stdout);
			bk_cli_fail("readelf", "%s", err.msg);
			rc = 1;
			continue;
		}
		if (nfiles > 1)
			printf("\nFile: %s\n", files[f]);
		if (show_s) {
			print_sections(o, o->shoff);
		}
		if (show_syms)
			print_symbols(o);
		size_t ns = o->nsections;
		uint8_t *want = calloc(ns ? ns : 1, 1);
		if (!want) {
			bk_object_free(o);
			rc = bk_cli_fail("readelf", "out of memory");
			break;
		}
		for (size_t q = 0; q < nreq; q++) {
			if (!reqs[q].name && reqs[q].num < ns)
				want[reqs[q].num] = 1;
			else if (reqs[q].name)
				for (size_t i = 0; i < ns; i++)
					if (!strcmp(o->sections[i].name, reqs[q].name))
						want[i] = 1;
		}
		for (size_t i = 0; i < ns; i++)
			if (want[i])
				hexdump(o, (unsigned)i);
		fflush(stdout);
		/* readelf keeps named requests in a list built by prepending: warnings come out in
		 * reverse order, then the numbered ones in increasing order. */
		for (size_t q = nreq; q-- > 0;) {
			if (!reqs[q].name)
				continue;
			if (bk_object_find_section(o, reqs[q].name) < 0 &&
			    strcmp(reqs[q].name, o->sections[0].name)) {
				fprintf(stderr, "readelf: Warning: Section '%s' was not dumped because it does not exist\n",
					reqs[q].name);
				/* readelf's status stays 0 here (but not for a missing number) */
			}
		}
		/* numbered requests past the last section, once each, in increasing order */
		unsigned long last = ns ? ns - 1 : 0;
		for (;;) {
			bool found = false;
			unsigned long next = 0;
			for (size_t q = 0; q < nreq; q++)
				if (!reqs[q].name && reqs[q].num > last && (!found || reqs[q].num < next)) {
					next = reqs[q].num;
					found = true;
				}
			if (!found)
				break;
			fprintf(stderr, "readelf: Warning: Section %lu was not dumped because it does not exist!\n", next);
			rc = 1;
			last = next;
		}
		free(want);
		bk_object_free(o);
	}
out:
	free(reqs);
	free(files);
	return rc;
}
