/* bpfkit map: bpftool's map command over libbpf. */
#include "kcli.h"

BK_COMMAND(map, bk_cmd_map, "show, dump, edit, create, pin, freeze kernel BPF maps (as bpftool)")

#if !BK_HAVE_KERN
BK_CLI_NO_KERN(map)
#else
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bpfkit [-j|-p] [-f] map COMMAND\n"
		"  map { show | list } [MAP]\n"
		"  map create FILE type TYPE key KEY_SIZE value VALUE_SIZE entries MAX_ENTRIES\n"
		"         name NAME [flags FLAGS] [inner_map MAP]\n"
		"  map dump MAP\n"
		"  map update MAP [key DATA] [value VALUE] [UPDATE_FLAGS]\n"
		"  map lookup MAP [key DATA]\n"
		"  map getnext MAP [key DATA]\n"
		"  map delete MAP key DATA\n"
		"  map pin MAP FILE\n"
		"  map freeze MAP\n"
		"  MAP := { id MAP_ID | pinned FILE | name MAP_NAME }\n"
		"  DATA := { [hex] BYTES }\n"
		"  VALUE := { DATA | MAP | PROG }   (fds for map-in-map and prog_array values)\n"
		"  UPDATE_FLAGS := { any | exist | noexist }\n");
}

static int done(int r, const char *cmd, struct bk_err *e, struct bk_buf *out)
{
	if (r) {
		bk_buf_free(out);
		return bk_kcli_fail(cmd, e);
	}
	bk_kcli_flush(out);
	return 0;
}

static int do_show(int argc, char **argv)
{
	struct bk_kern_fmt fmt = bk_kcli_fmt();
	struct bk_buf out = { 0 };
	struct bk_err e = { 0 };
	if (!argc)
		return done(bk_kern_map_list(&fmt, &out, &e), "map show", &e, &out);
	int used, fd = bk_kcli_map(argc, argv, &used, "map show");
	if (fd < 0)
		return 1;
	if (used != argc) {
		close(fd);
		return bk_cli_fail("map show", "unexpected '%s'", argv[used]);
	}
	int r = bk_kern_map_show(fd, &fmt, &out, &e);
	close(fd);
	return done(r, "map show", &e, &out);
}

/* Commands of the form MAP [key DATA] [value VALUE] [FLAGS]. */
static int do_keyed(int argc, char **argv, const char *sub)
{
	char cmd[32];
	snprintf(cmd, sizeof(cmd), "map %s", sub);
	int used, fd = bk_kcli_map(argc, argv, &used, cmd);
	if (fd < 0)
		return 1;
	struct bk_buf key = { 0 }, val = { 0 }, out = { 0 };
	int have_key = 0, have_val = 0, r = 1, vfd = -1;
	uint64_t flags = BPF_ANY;
	uint32_t ks = 0, vs = 0, type = 0;
	struct bk_err e = { 0 };
	if (bk_kern_map_sizes(fd, &ks, &vs, &type, &e)) {
		bk_kcli_fail(cmd, &e);
		goto out;
	}
	for (int i = used; i < argc;) {
		if (!strcmp(argv[i], "key") && !have_key) {
			int n = bk_kcli_bytes(argc - i - 1, argv + i + 1, &key, "key", cmd);
			if (n < 0)
				goto out;
			have_key = 1;
			i += 1 + n;
		} else if (!strcmp(argv[i], "value") && !have_val && !strcmp(sub, "update")) {
			int fdval = type == BPF_MAP_TYPE_PROG_ARRAY || type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
				    type == BPF_MAP_TYPE_HASH_OF_MAPS;
			if (fdval && i + 2 < argc + 1 && i + 1 < argc && strchr("iptn", argv[i + 1][0]) &&
			    strcmp(argv[i + 1], "hex")) {
				/* prog_array values are programs, map-in-map values are maps. */
				int u;
				if (type == BPF_MAP_TYPE_PROG_ARRAY)
					vfd = bk_kcli_prog(argc - i - 1, argv + i + 1, &u, cmd);
				else
					vfd = bk_kcli_map(argc - i - 1, argv + i + 1, &u, cmd);
				if (vfd < 0)
					goto out;
				uint32_t v = (uint32_t)vfd;
				bk_buf_append(&val, &v, 4);
				i += 1 + u;
			} else {
				int n = bk_kcli_bytes(argc - i - 1, argv + i + 1, &val, "value", cmd);
				if (n < 0)
					goto out;
				i += 1 + n;
			}
			have_val = 1;
		} else if (!strcmp(sub, "update") && (!strcmp(argv[i], "any") || !strcmp(argv[i], "exist") ||
						       !strcmp(argv[i], "noexist"))) {
			flags = argv[i][0] == 'a' ? BPF_ANY : argv[i][0] == 'e' ? BPF_EXIST : BPF_NOEXIST;
			i++;
		} else {
			bk_cli_fail(cmd, "unexpected '%s' (see bpfkit map --help)", argv[i]);
			goto out;
		}
	}
	struct bk_kern_fmt fmt = bk_kcli_fmt();
	if (!strcmp(sub, "update")) {
		if (!have_val) {
			bk_cli_fail(cmd, "value is required");
			goto out;
		}
		if (!have_key && ks) {
			bk_cli_fail(cmd, "key is required");
			goto out;
		}
		r = bk_kern_map_update(fd, key.data, key.len, val.data, val.len, flags, &e);
		if (!r && bk_cli.json)
			bk_buf_printf(&out, "null\n");
	} else if (!strcmp(sub, "lookup")) {
		if (!have_key && ks) {
			bk_cli_fail(cmd, "key is required");
			goto out;
		}
		r = bk_kern_map_lookup(fd, key.data, key.len, &fmt, &out, &e);
	} else if (!strcmp(sub, "getnext")) {
		r = bk_kern_map_getnext(fd, have_key ? key.data : NULL, key.len, &fmt, &out, &e);
	} else {
		if (!have_key) {
			bk_cli_fail(cmd, "key is required");
			goto out;
		}
		r = bk_kern_map_delete(fd, key.data, key.len, &e);
		if (!r && bk_cli.json)
			bk_buf_printf(&out, "null\n");
	}
	r = done(r, cmd, &e, &out);
out:
	if (vfd >= 0)
		close(vfd);
	close(fd);
	bk_buf_free(&key);
	bk_buf_free(&val);
	bk_buf_free(&out);
	return r;
}

static int parse_u32(const char *s, uint32_t *v, const char *what)
{
	char *end;
	errno = 0;
	unsigned long x = strtoul(s, &end, 0);
	if (!*s || *end || errno || x > UINT32_MAX || s[0] == '-') {
		bk_cli_fail("map create", "bad %s '%s'", what, s);
		return -1;
	}
	*v = (uint32_t)x;
	return 0;
}

static int do_create(int argc, char **argv)
{
	if (argc < 1)
		return bk_cli_fail("map create", "expected FILE");
	struct bk_kern_map_create_opts o = BK_OPTS_INIT(bk_kern_map_create_opts, .inner_fd = -1);
	int have = 0, r = 1;
	for (int i = 1; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v) {
			bk_cli_fail("map create", "'%s' needs a value", k);
			goto out;
		}
		if (!strcmp(k, "type")) { o.type = v; have |= 1; }
		else if (!strcmp(k, "name")) { o.name = v; have |= 2; }
		else if (!strcmp(k, "key")) { if (parse_u32(v, &o.key, k)) goto out; have |= 4; }
		else if (!strcmp(k, "value")) { if (parse_u32(v, &o.value, k)) goto out; have |= 8; }
		else if (!strcmp(k, "entries")) { if (parse_u32(v, &o.entries, k)) goto out; have |= 16; }
		else if (!strcmp(k, "flags")) { if (parse_u32(v, &o.flags, k)) goto out; }
		else if (!strcmp(k, "inner_map")) {
			int used;
			if (o.inner_fd >= 0) {
				bk_cli_fail("map create", "inner_map given twice");
				goto out;
			}
			o.inner_fd = bk_kcli_map(argc - i - 1, argv + i + 1, &used, "map create");
			if (o.inner_fd < 0)
				goto out;
			i += used - 1;
		} else {
			bk_cli_fail("map create", "unexpected '%s' (see bpfkit map --help)", k);
			goto out;
		}
	}
	if ((have & 3) != 3) {
		bk_cli_fail("map create", "type and name are required");
		goto out;
	}
	struct bk_err e = { 0 };
	if (bk_kern_map_create(argv[0], &o, &e)) {
		bk_kcli_fail("map create", &e);
		goto out;
	}
	if (bk_cli.json)
		printf("null\n");
	r = 0;
out:
	if (o.inner_fd >= 0)
		close(o.inner_fd);
	return r;
}

int bk_cmd_map(int argc, char **argv)
{
	int st = bk_kcli_start(argc, argv, usage);
	if (st >= 0)
		return st;
	const char *c = argv[1];
	argc -= 2;
	argv += 2;
	if (!strcmp(c, "show") || !strcmp(c, "list"))
		return do_show(argc, argv);
	if (!strcmp(c, "create"))
		return do_create(argc, argv);
	if (!strcmp(c, "update") || !strcmp(c, "lookup") || !strcmp(c, "getnext") || !strcmp(c, "delete"))
		return do_keyed(argc, argv, c);
	if (!strcmp(c, "dump") || !strcmp(c, "freeze") || !strcmp(c, "pin")) {
		char cmd[16];
		snprintf(cmd, sizeof(cmd), "map %s", c);
		int used, fd = bk_kcli_map(argc, argv, &used, cmd);
		if (fd < 0)
			return 1;
		struct bk_err e = { 0 };
		struct bk_buf out = { 0 };
		struct bk_kern_fmt fmt = bk_kcli_fmt();
		int r;
		if (!strcmp(c, "pin")) {
			if (used + 1 != argc) {
				close(fd);
				return bk_cli_fail(cmd, "expected MAP FILE");
			}
			r = bk_kern_pin(fd, argv[used], &e);
		} else if (used != argc) {
			close(fd);
			return bk_cli_fail(cmd, "unexpected '%s'", argv[used]);
		} else if (c[0] == 'd') {
			r = bk_kern_map_dump(fd, &fmt, &out, &e);
		} else {
			r = bk_kern_map_freeze(fd, &e);
		}
		close(fd);
		if (!r && c[0] != 'd' && bk_cli.json)
			bk_buf_printf(&out, "null\n");
		return done(r, cmd, &e, &out);
	}
	return bk_cli_fail("map", "unknown command '%s' (see bpfkit map --help)", c);
}
#endif
