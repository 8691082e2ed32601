/* Hostile input: a real clang-19 object (tests/elf/maps.c at -g, with BTF, relocations,
 * several symbol kinds) mutated field by field. Each mutation that breaks an invariant
 * must give a clean one-line error naming the file; the others must parse and then
 * survive the writer, BTF parsing and map definitions. Run it under ASan+UBSan with
 * `make check SANITIZE=1`. */
#include "bpfkit/btf.h"
#include "elf_exercise.h"
#include "tap.h"
#include <stdlib.h>
#include <unistd.h>

#define NAME "hostile.o"

static uint8_t *orig;
static size_t olen;
static int fails; /* expectations broken, reported per group */

static void put(uint8_t *p, unsigned w, uint64_t v)
{
	for (unsigned i = 0; i < w; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static uint64_t get(const uint8_t *p, unsigned w)
{
	uint64_t v = 0;
	for (unsigned i = w; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* What the reader accepted must survive everything downstream (elf_exercise.h). */
static void exercise(struct bk_object *o, const char *what)
{
	if (elf_exercise(o)) {
		fails++;
		printf("# the writer's output does not read back: %s\n", what);
	}
}

/* 1: must fail cleanly, 0: may pass or fail, but without crashing */
static int try(const uint8_t *d, size_t n, int must_fail, const char *what)
{
	struct bk_object *o = NULL;
	struct bk_err e = { 0 };
	int r = bk_object_read(d, n, NAME, &o, &e);
	if (r == 0) {
		exercise(o, what);
		bk_object_free(o);
		if (must_fail) {
			fails++;
			printf("# accepted: %s\n", what);
		}
		return 0;
	}
	if (o || !e.code || strncmp(e.msg, NAME ": ", strlen(NAME) + 2) || strchr(e.msg, '\n')) {
		fails++;
		printf("# unclean error for %s: '%s'\n", what, e.msg);
	}
	return r;
}

struct sh {
	uint32_t type;
	uint64_t off, size, entsize;
	uint32_t link, info;
};

static struct sh shdr(const uint8_t *d, unsigned i)
{
	const uint8_t *p = d + get(d + 40, 8) + 64ull * i;
	return (struct sh){ (uint32_t)get(p + 4, 4), get(p + 24, 8), get(p + 32, 8), get(p + 56, 8),
			    (uint32_t)get(p + 40, 4), (uint32_t)get(p + 44, 4) };
}

int main(void)
{
	const char *root = getenv("ROOT");
	if (!root || system("clang-19 --version >/dev/null 2>&1")) {
		printf("skip hostile: clang-19 or ROOT missing\n");
		return 0;
	}
	char path[512], cmd[1200];
	snprintf(path, sizeof path, "%s/hostile-%d.o", getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp",
		 (int)getpid());
	snprintf(cmd, sizeof cmd,
		 "clang-19 -O2 -g -target bpf -mcpu=v3 -I/usr/include/x86_64-linux-gnu -c %s/tests/elf/maps.c -o %s",
		 root, path);
	struct bk_err e = { 0 };
	if (system(cmd) || bk_read_file(path, &orig, &olen, &e)) {
		printf("not ok hostile: cannot build the seed object\n");
		return 0;
	}
	unlink(path);
	uint8_t *d = malloc(olen);
	CHECK("seed parses", try(orig, olen, 0, "seed") == 0 && fails == 0);

	/* every truncation */
	fails = 0;
	for (size_t n = 0; n < olen; n++)
		try(orig, n, 1, "truncation");
	CHECKF(fails == 0, "every truncation (%zu lengths) refused cleanly", olen);

	/* ELF header fields: offset, width, hostile values that must be refused */
	static const struct { unsigned off, w; uint64_t v; const char *what; } hdr[] = {
		{ 0, 1, 0x7e, "magic" }, { 3, 1, 'G', "magic" }, { 4, 1, 1, "class 32" }, { 4, 1, 0, "class 0" },
		{ 5, 1, 2, "big-endian" }, { 5, 1, 3, "data 3" }, { 6, 1, 0, "ident version" },
		{ 16, 2, 2, "e_type EXEC" }, { 16, 2, 0xffff, "e_type" }, { 18, 2, 62, "e_machine x86" },
		{ 18, 2, 0, "e_machine 0" }, { 20, 4, 2, "e_version" }, { 52, 2, 52, "e_ehsize" },
		{ 56, 2, 1, "e_phnum" }, { 58, 2, 40, "e_shentsize" }, { 58, 2, 0, "e_shentsize 0" },
		{ 60, 2, 0, "e_shnum 0" }, { 60, 2, 0xffff, "e_shnum huge" }, { 62, 2, 0xffff, "e_shstrndx" },
		{ 62, 2, 0, "e_shstrndx 0" }, { 40, 8, 0, "e_shoff 0" }, { 40, 8, ~0ull, "e_shoff -1" },
		{ 40, 8, ~0ull - 63, "e_shoff overflow" }, { 40, 8, 0x10000000, "e_shoff past end" },
		{ 40, 8, 4, "e_shoff misaligned" },
	};
	fails = 0;
	for (size_t i = 0; i < sizeof hdr / sizeof hdr[0]; i++) {
		memcpy(d, orig, olen);
		put(d + hdr[i].off, hdr[i].w, hdr[i].v);
		try(d, olen, 1, hdr[i].what);
	}
	CHECKF(fails == 0, "%zu ELF header mutations refused cleanly", sizeof hdr / sizeof hdr[0]);
	memcpy(d, orig, olen);
	d[5] = 2;
	{
		struct bk_object *o;
		bk_err_clear(&e);
		CHECK("bpfeb refused with a clear message",
		      bk_object_read(d, olen, NAME, &o, &e) < 0 && strstr(e.msg, "big-endian (bpfeb)"));
	}
	/* harmless header fields still parse */
	memcpy(d, orig, olen);
	put(d + 48, 4, 0x1234); /* e_flags */
	d[7] = 3;               /* osabi */
	CHECK("e_flags/osabi accepted", try(d, olen, 0, "flags") == 0);

	/* every field of every section header, with hostile values */
	unsigned shnum = (unsigned)get(orig + 60, 2);
	uint64_t shoff = get(orig + 40, 8);
	unsigned nmut = 0;
	fails = 0;
	for (unsigned i = 1; i < shnum; i++) {
		struct sh s = shdr(orig, i);
		uint8_t *p = d + shoff + 64ull * i;
		struct { unsigned off, w; uint64_t v; int must; } m[] = {
			{ 0, 4, 0xffffff, 1 },                       /* sh_name past the table */
			{ 24, 8, ~0ull - 4, s.type != 8 && s.size },  /* offset overflow */
			{ 24, 8, olen, s.type != 8 && s.size },       /* offset at end */
			{ 32, 8, ~0ull, s.type != 8 },                /* size */
			{ 32, 8, olen + 1, s.type != 8 },
			{ 48, 8, 3, 1 },                              /* alignment not a power of 2 */
			{ 40, 4, 0xffff, s.type == 9 || s.type == 2 }, /* link */
			{ 44, 4, 0xffff, s.type == 9 },               /* info */
			{ 44, 4, 0, s.type == 9 },
			{ 56, 8, 17, s.type == 9 || s.type == 2 },    /* entsize */
			{ 32, 8, s.size + 1, s.type == 9 || s.type == 2 },
			{ 32, 8, s.size - (s.size ? 4 : 0), s.type == 1 && s.size && (get(p + 8, 8) & 4) },
			{ 24, 8, s.off + 1, s.type == 9 || s.type == 2 }, /* misaligned table */
			{ 4, 4, 4, 1 },                               /* RELA */
			{ 4, 4, 0x12345678, 0 },                      /* unknown type: may pass */
			{ 8, 8, ~0ull, 0 },                           /* flags */
		};
		for (size_t k = 0; k < sizeof m / sizeof m[0]; k++) {
			memcpy(d, orig, olen);
			put(p + m[k].off, m[k].w, m[k].v);
			char what[96];
			snprintf(what, sizeof what, "section %u field +%u = 0x%llx", i, m[k].off,
				 (unsigned long long)m[k].v);
			try(d, olen, m[k].must, what);
			nmut++;
		}
	}
	CHECKF(fails == 0, "%u section header mutations (%u sections) handled", nmut, shnum);

	/* symbols and relocations */
	unsigned symtab = 0;
	for (unsigned i = 1; i < shnum; i++)
		if (shdr(orig, i).type == 2)
			symtab = i;
	struct sh st = shdr(orig, symtab);
	unsigned nsym = (unsigned)(st.size / 24);
	fails = 0;
	nmut = 0;
	for (unsigned i = 1; i < nsym; i++) {
		uint8_t *p = d + st.off + 24ull * i;
		struct { unsigned off, w; uint64_t v; int must; } m[] = {
			{ 0, 4, 0xffffffff, 1 }, { 6, 2, 0xfeff, 1 }, { 6, 2, shnum, 1 },
			{ 4, 1, 0x30, 1 }, /* binding 3 */
			{ 4, 1, (i < st.info) ? 0x10 : 0x00, 1 }, /* local/global order */
			{ 8, 8, ~0ull, 0 }, { 16, 8, ~0ull, 0 }, { 5, 1, 0xff, 0 }, { 6, 2, 0xfff1, 0 },
		};
		for (size_t k = 0; k < sizeof m / sizeof m[0]; k++) {
			memcpy(d, orig, olen);
			put(p + m[k].off, m[k].w, m[k].v);
			char what[96];
			snprintf(what, sizeof what, "symbol %u field +%u", i, m[k].off);
			try(d, olen, m[k].must, what);
			nmut++;
		}
	}
	CHECKF(fails == 0, "%u symbol mutations (%u symbols) handled", nmut, nsym);
	fails = 0;
	nmut = 0;
	for (unsigned i = 1; i < shnum; i++) {
		struct sh s = shdr(orig, i);
		if (s.type != 9)
			continue;
		for (uint64_t r = 0; r < s.size / 16; r++) {
			uint8_t *p = d + s.off + 16 * r;
			struct { unsigned off, w; uint64_t v; int must; } m[] = {
				{ 12, 4, nsym, 1 }, { 12, 4, 0xffffffff, 1 }, { 0, 8, ~0ull, 1 },
				{ 0, 8, shdr(orig, s.info).size, 1 }, { 8, 4, 77, 0 }, { 8, 4, 0, 0 },
			};
			for (size_t k = 0; k < sizeof m / sizeof m[0]; k++) {
				memcpy(d, orig, olen);
				put(p + m[k].off, m[k].w, m[k].v);
				char what[96];
				snprintf(what, sizeof what, "reloc %u/%llu field +%u", i, (unsigned long long)r,
					 m[k].off);
				try(d, olen, m[k].must, what);
				nmut++;
			}
		}
	}
	CHECKF(fails == 0 && nmut > 0, "%u relocation mutations handled", nmut);

	/* overlapping tables: the symbol table placed over the section headers */
	memcpy(d, orig, olen);
	put(d + shoff + 64ull * symtab + 24, 8, shoff);
	fails = 0;
	try(d, olen, 1, "symtab over section headers");
	memcpy(d, orig, olen);
	put(d + shoff + 64ull * symtab + 24, 8, 0);
	try(d, olen, 1, "symtab over ELF header");
	CHECK("overlapping tables refused", fails == 0);

	/* .BTF and .BTF.ext: every header field and every 4-byte word of the type area */
	unsigned btfsec = 0, extsec = 0;
	for (unsigned i = 1; i < shnum; i++) {
		const char *nm = (const char *)orig + shdr(orig, (unsigned)get(orig + 62, 2)).off +
				 get(orig + shoff + 64ull * i, 4);
		if (!strcmp(nm, ".BTF"))
			btfsec = i;
		if (!strcmp(nm, ".BTF.ext"))
			extsec = i;
	}
	fails = 0;
	nmut = 0;
	int btf_refused = 0;
	for (int which = 0; which < 2; which++) {
		struct sh s = shdr(orig, which ? extsec : btfsec);
		if (!s.size)
			continue;
		for (uint64_t w = 0; w + 4 <= s.size; w += 4) {
			static const uint32_t vals[] = { 0, 0xffffffff, 0x7fffffff, 0x10000, 3 };
			for (size_t k = 0; k < 5; k++) {
				memcpy(d, orig, olen);
				put(d + s.off + w, 4, vals[k]);
				struct bk_object *o = NULL;
				bk_err_clear(&e);
				if (bk_object_read(d, olen, NAME, &o, &e)) {
					fails++;
					continue;
				}
				struct bk_btf *btf;
				struct bk_btf_ext *ext;
				bk_err_clear(&e);
				if (bk_object_btf(o, &btf, &ext, &e) == 0) {
					exercise(o, "BTF word");
					bk_btf_ext_free(ext);
					bk_btf_free(btf);
				} else {
					btf_refused++;
					if (strncmp(e.msg, NAME ": .BTF", strlen(NAME) + 6) || strchr(e.msg, '\n')) {
						fails++;
						printf("# unclean BTF error: %s\n", e.msg);
					}
				}
				bk_object_free(o);
				nmut++;
			}
		}
	}
	CHECKF(fails == 0 && btf_refused > 0, "%u BTF/BTF.ext word mutations handled (%d refused)", nmut,
	       btf_refused);

	/* random byte flips anywhere: no crash, clean error or a usable object */
	srand(12345);
	fails = 0;
	for (int it = 0; it < 3000; it++) {
		memcpy(d, orig, olen);
		int nflip = 1 + rand() % 4;
		for (int k = 0; k < nflip; k++)
			d[(size_t)rand() % olen] = (uint8_t)rand();
		try(d, olen, 0, "random flips");
	}
	CHECK("3000 random mutations: no crash, clean errors", fails == 0);
	free(d);
	free(orig);
	return 0;
}
