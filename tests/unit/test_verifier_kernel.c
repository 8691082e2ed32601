/* Verdict and message agreement between bpfkit's verifier and the running kernel's.
 * Every program of tests/verifier/progs.h is verified by bpfkit and loaded into the
 * kernel (when root with BPF); the verdicts must agree and match the expectation
 * written beside each program, and the kernel's message (the last log line before
 * "processed ...") must equal bpfkit's for at least 90% of rejections. The may_goto
 * programs (names with "mg_") must also process as many instructions as the kernel:
 * their loops converge only where the kernel's widening and pruning make them. */
#include "tap.h"
#include "bpfkit/verifier.h"
#include "bpfkit/probe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "verifier/insn.h"

struct vt {
	const char *name;
	int type;
	int expect; /* 1 accepted, 0 rejected */
	const struct bk_insn *insns;
	size_t n;
};
#define P(name, type, exp, ...) { name, type, exp, (const struct bk_insn[]){ __VA_ARGS__ }, \
	sizeof((const struct bk_insn[]){ __VA_ARGS__ }) / sizeof(struct bk_insn) }
#define SK BK_VPROG_SOCKET_FILTER
#define XDP BK_VPROG_XDP
#define TC BK_VPROG_SCHED_CLS
#define KP BK_VPROG_KPROBE
#define TP BK_VPROG_TRACEPOINT

#include "verifier/progs.h"

/* The maps every program may name by index. */
static const struct bk_vmap maps[] = {
	{ 1, 4, 8, 16, -1, NULL },     /* 0: hash, key 4, value 8 */
	{ 2, 4, 48, 4, -1, NULL },     /* 1: array, value 48 */
	{ 27, 0, 0, 4096, -1, NULL },  /* 2: ringbuf */
	{ 3, 4, 4, 4, -1, NULL },      /* 3: prog array */
	{ 2, 4, 8, 4, -1, NULL },      /* 4: array, value 8 */
	{ 2, 4, 48, 1, -1, NULL },     /* 5: array of one value 48 (direct value access) */
};
#define NMAPS (sizeof(maps) / sizeof(maps[0]))

static int map_fds[NMAPS];

static int create_maps(void)
{
	for (size_t i = 0; i < NMAPS; i++) {
		union bpf_attr a;
		memset(&a, 0, sizeof a);
		a.map_type = maps[i].type;
		a.key_size = maps[i].key_size;
		a.value_size = maps[i].value_size;
		a.max_entries = maps[i].max_entries;
		map_fds[i] = (int)syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof a);
		if (map_fds[i] < 0)
			return -errno;
	}
	return 0;
}

/* The kernel's message: the last non-empty line before the "processed" line. */
static void kernel_msg(const char *log, char *out, size_t n)
{
	const char *lines[2] = { NULL, NULL };
	const char *p = log, *prev = NULL, *last_before = NULL;
	out[0] = 0;
	(void)lines;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (!strncmp(p, "cur state:", 10) || !strncmp(p, "old state:", 10)) {
			p = nl ? nl + 1 : p + len;
			continue;
		}
		const char *pr = strstr(p, "processed ");
		if (pr && (!nl || pr < nl) && pr != p && strstr(pr, " insns (limit ")) {
			/* a message the kernel printed without its newline */
			size_t l2 = (size_t)(pr - p);
			if (l2 >= n) l2 = n - 1;
			memcpy(out, p, l2);
			out[l2] = 0;
			return;
		}
		if (!strncmp(p, "processed ", 10)) {
			last_before = prev;
			break;
		}
		if (len)
			prev = p;
		p = nl ? nl + 1 : p + len;
	}
	if (!last_before)
		last_before = prev;
	if (!last_before)
		return;
	size_t len = strcspn(last_before, "\n");
	if (len >= n)
		len = n - 1;
	memcpy(out, last_before, len);
	out[len] = 0;
}

static int kernel_load(const struct vt *t, char *log, size_t logsz)
{
	struct bk_insn *in = malloc(t->n * sizeof(*in));
	if (!in)
		return -ENOMEM;
	memcpy(in, t->insns, t->n * sizeof(*in));
	for (size_t i = 0; i < t->n; i++)
		if (in[i].code == 0x18 && (in[i].src == 1 || in[i].src == 2) && in[i].imm >= 0 &&
		    (size_t)in[i].imm < NMAPS)
			in[i].imm = map_fds[in[i].imm];
	struct bk_probe_load_opts o = { .sz = sizeof o, .prog_type = t->type, .log = log,
					.log_size = logsz, .log_level = 1 };
	log[0] = 0;
	int fd = bk_probe_load(in, t->n, &o, NULL);
	free(in);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return 0;
}

int main(void)
{
	const char *verbose = getenv("VT_VERBOSE");
	bool kern = geteuid() == 0 && create_maps() == 0;
	size_t logsz = 4 << 20;
	char *log = malloc(logsz);
	size_t n = sizeof(progs) / sizeof(progs[0]);
	int agree = 0, total = 0, rej = 0, msg_same = 0, unsafe_accepted = 0, nacc = 0, nrej = 0;
	for (size_t i = 0; i < n; i++) {
		const struct vt *t = &progs[i];
		struct bk_verify_opts o = { .sz = sizeof o, .prog_type = t->type, .maps = maps, .nmaps = NMAPS };
		struct bk_verify_result r;
		int rc = bk_verify(t->insns, t->n, &o, NULL, &r, NULL);
		bk_verify_result_free(&r);
		bool mine = rc == 0;
		if (t->expect) nacc++; else nrej++;
		if (!kern) {
			if (mine == (bool)t->expect)
				printf("ok verifier %s\n", t->name);
			else
				printf("not ok verifier %s: %s (expected %s; %s)\n", t->name,
				       mine ? "accepted" : "rejected", t->expect ? "accept" : "reject", r.msg);
			continue;
		}
		int k = kernel_load(t, log, logsz);
		char km[256];
		kernel_msg(log, km, sizeof km);
		total++;
		if (mine == (bool)k)
			agree++;
		if (!k && mine)
			unsafe_accepted++;
		if (!k) {
			rej++;
			if (!mine && !strcmp(km, r.msg))
				msg_same++;
			else if (verbose)
				fprintf(stderr, "MSG %s\n  kernel: %s\n  bpfkit: %s\n", t->name, km, r.msg);
		}
		if (strstr(t->name, "mg_")) {
			const char *pr = strstr(log, "processed ");
			unsigned kp = pr ? (unsigned)strtoul(pr + 10, NULL, 10) : 0;
			CHECKF(kp == r.processed, "verifier %s processed bpfkit %u kernel %u", t->name, r.processed, kp);
		}
		if (mine != (bool)k || k != t->expect)
			printf("not ok verifier %s: kernel %s, bpfkit %s, expected %s | kernel: %s | bpfkit: %s\n",
			       t->name, k ? "accepts" : "rejects", mine ? "accepts" : "rejects",
			       t->expect ? "accept" : "reject", km, r.msg);
		else
			printf("ok verifier %s\n", t->name);
	}
	printf("# %zu programs: %d expected accepted, %d expected rejected\n", n, nacc, nrej);
	CHECKF(nrej >= 200 && nacc >= 100, "verifier corpus size: %d rejected >= 200, %d accepted >= 100", nrej, nacc);
	if (!kern) {
		printf("skip verifier kernel agreement: needs root with bpf(2)\n");
	} else {
		double va = total ? 100.0 * agree / total : 0, ma = rej ? 100.0 * msg_same / rej : 0;
		printf("# verdict agreement %d/%d (%.1f%%), kernel message for %d/%d rejections (%.1f%%), unsafe accepted %d\n",
		       agree, total, va, msg_same, rej, ma, unsafe_accepted);
		CHECKF(va >= 98.0, "verifier verdict agreement %.1f%% >= 98%%", va);
		CHECKF(ma >= 90.0, "verifier kernel message for %.1f%% of rejections >= 90%%", ma);
		CHECKF(unsafe_accepted == 0, "verifier no kernel-rejected program accepted (%d)", unsafe_accepted);

	}
	for (size_t i = 0; i < NMAPS; i++)
		if (kern && map_fds[i] >= 0)
			close(map_fds[i]);
	free(log);
	return 0;
}
