#include "cli.h"
#include "bpfkit/verifier.h"
#include "bpfkit/object.h"
#include "bpfkit/disasm.h"
#include "bpfkit/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

BK_COMMAND(verify, bk_cmd_verify, "verify programs offline with the kernel's rules and messages")

static void usage(FILE *f)
{
	fprintf(f, "Usage: bpfkit verify FILE [--prog NAME] [--type TYPE] [-mcpu=vN] [--log-level 1|2]\n"
		   "                     [--unprivileged] [--no-advice]\n"
		   "  FILE is an ELF object (every program in it, or --prog NAME) or raw bytecode\n"
		   "  (8-byte instructions; --type names its program type, default socket_filter).\n"
		   "  Types: socket_filter, xdp, tc, sched_act, kprobe, tracepoint, perf_event, raw_tp.\n"
		   "  Exit status 0 when every program is accepted, 1 when one is rejected.\n");
}

static void json_str(const char *s)
{
	struct bk_buf b = { 0 };
	bk_buf_json_str(&b, s, strlen(s));
	fwrite(b.data, 1, b.len, stdout);
	bk_buf_free(&b);
}

static int verify_one(const char *name, const struct bk_insn *insns, size_t n, int type,
		      const struct bk_vmap *maps, size_t nmaps, bool func_info,
		      const struct bk_vfunc *funcs, size_t nfuncs, const bool *locks, int cpu, int level,
		      bool unpriv, bool no_advice, bool *first)
{
	struct bk_verify_opts o = { .sz = sizeof o, .prog_type = type, .cpu = cpu,
				    .log_level = level, .unprivileged = unpriv, .maps = maps,
				    .nmaps = nmaps, .no_advice = no_advice, .btf_func_info = func_info,
				    .funcs = funcs, .nfuncs = nfuncs, .map_spin_lock = locks };
	struct bk_buf log = { 0 };
	struct bk_verify_result r;
	struct bk_err err = { 0 };
	int rc = bk_verify(insns, n, &o, level ? &log : NULL, &r, &err);
	char listing[200] = "";
	if (rc && r.err_insn >= 0 && (size_t)r.err_insn < n) {
		char txt[160];
		struct bk_print_opts po = { .sz = sizeof po, .syntax = BK_SYNTAX_KERNEL };
		bk_insn_format(&insns[r.err_insn], n - (size_t)r.err_insn, &po, txt, sizeof txt);
		snprintf(listing, sizeof listing, "%d: %s", r.err_insn, txt);
	}
	if (bk_cli.json) {
		printf("%s{\"name\":", *first ? "" : ",");
		json_str(name);
		printf(",\"type\":");
		json_str(bk_vprog_type_name(type));
		printf(",\"accepted\":%s,\"processed\":%u,\"total_states\":%u,\"peak_states\":%u,"
		       "\"stack_depth\":%u",
		       rc ? "false" : "true", r.processed, r.total_states, r.peak_states, r.stack_depth);
		if (rc) {
			printf(",\"insn\":%d,\"listing\":", r.err_insn);
			json_str(listing);
			printf(",\"message\":");
			json_str(r.msg);
			printf(",\"advice\":");
			json_str(r.advice);
		}
		if (level) {
			printf(",\"log\":");
			bk_buf_append(&log, "", 1);
			json_str((const char *)log.data);
		}
		printf("}");
		*first = false;
	} else {
		if (level && log.len)
			fwrite(log.data, 1, log.len, rc ? stderr : stdout);
		if (rc) {
			fprintf(stderr, "%s: rejected\n", name);
			if (!level) {
				if (listing[0])
					fprintf(stderr, "%s\n", listing);
				fprintf(stderr, "%s\n", r.msg);
			}
			if (r.advice[0])
				fprintf(stderr, "advice: %s\n", r.advice);
		} else {
			printf("%s: accepted, processed %u insns (limit 1000000) max_states_per_insn %u "
			       "total_states %u peak_states %u\n",
			       name, r.processed, r.max_states_per_insn, r.total_states, r.peak_states);
		}
	}
	bk_verify_result_free(&r);
	bk_buf_free(&log);
	return rc ? 1 : 0;
}

int bk_cmd_verify(int argc, char **argv)
{
	const char *file = NULL, *prog = NULL, *type_name = NULL;
	int cpu = 0, level = 0;
	bool unpriv = false, no_advice = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (bk_cli_is_help(a)) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--prog") && i + 1 < argc) {
			prog = argv[++i];
		} else if (!strcmp(a, "--type") && i + 1 < argc) {
			type_name = argv[++i];
		} else if (!strncmp(a, "-mcpu=", 6) || !strncmp(a, "--mcpu=", 7)) {
			cpu = bk_isa_parse_cpu(strchr(a, '=') + 1);
			if (cpu <= 0)
				return bk_cli_fail("verify", "unknown cpu '%s'", strchr(a, '=') + 1);
		} else if (!strcmp(a, "--log-level") && i + 1 < argc) {
			level = atoi(argv[++i]);
			if (level < 0 || level > 2)
				return bk_cli_fail("verify", "--log-level must be 0, 1 or 2");
		} else if (!strncmp(a, "--log-level=", 12)) {
			level = atoi(a + 12);
			if (level < 0 || level > 2)
				return bk_cli_fail("verify", "--log-level must be 0, 1 or 2");
		} else if (!strcmp(a, "--unprivileged")) {
			unpriv = true;
		} else if (!strcmp(a, "--no-advice")) {
			no_advice = true;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			bk_cli.json = 1;
		} else if (a[0] == '-' && a[1]) {
			usage(stderr);
			return bk_cli_fail("verify", "unknown option '%s'", a);
		} else if (!file) {
			file = a;
		} else {
			return bk_cli_fail("verify", "more than one FILE ('%s')", a);
		}
	}
	if (!file) {
		usage(stderr);
		return 2;
	}
	int type = -1;
	if (type_name) {
		type = bk_vprog_type_parse(type_name);
		if (type < 0)
			return bk_cli_fail("verify", "unknown program type '%s'", type_name);
	}
	uint8_t *data;
	size_t len;
	struct bk_err err = { 0 };
	if (bk_read_file(file, &data, &len, &err) < 0)
		return bk_cli_fail("verify", "%s", err.msg);
	int status = 0;
	bool first = true;
	if (bk_cli.json)
		printf("{\"programs\":[");
	if (len >= 4 && !memcmp(data, "\177ELF", 4)) {
		struct bk_object *obj = NULL;
		struct bk_vprog *progs = NULL;
		size_t np = 0;
		if (bk_object_read(data, len, file, &obj, &err) < 0 ||
		    bk_vprogs_from_object(obj, &progs, &np, &err) < 0) {
			bk_object_free(obj);
			free(data);
			if (bk_cli.json)
				printf("]}\n");
			return bk_cli_fail("verify", "%s", err.msg);
		}
		size_t done = 0;
		for (size_t i = 0; i < np; i++) {
			if (prog && strcmp(prog, progs[i].name) && strcmp(prog, progs[i].sec))
				continue;
			int t = type >= 0 ? type : progs[i].type;
			if (t < 0) {
				status = bk_cli_fail("verify", "%s: section '%s' names no known program type (use --type)",
						     progs[i].name, progs[i].sec);
				continue;
			}
			status |= verify_one(progs[i].name, progs[i].insns, progs[i].n, t, progs[i].maps,
					     progs[i].nmaps, progs[i].btf_func_info, progs[i].funcs,
					     progs[i].nfuncs, progs[i].map_spin_lock, cpu, level, unpriv, no_advice,
					     &first);
			done++;
		}
		if (!done && !status) {
			if (prog)
				status = bk_cli_fail("verify", "%s: no program named '%s'", file, prog);
			else
				status = bk_cli_fail("verify", "%s: no programs", file);
		}
		bk_vprogs_free(progs, np);
		bk_object_free(obj);
	} else {
		if (len % 8 || !len) {
			free(data);
			if (bk_cli.json)
				printf("]}\n");
			return bk_cli_fail("verify", "%s: neither an ELF object nor raw bytecode (size %zu is not a multiple of 8)",
					   file, len);
		}
		status = verify_one(file, (const struct bk_insn *)data, len / 8,
				    type >= 0 ? type : BK_VPROG_SOCKET_FILTER, NULL, 0, false, NULL, 0, NULL, cpu, level, unpriv,
				    no_advice, &first);
	}
	if (bk_cli.json)
		printf("]}\n");
	free(data);
	return status;
}
