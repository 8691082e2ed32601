/* The context access rules of progtype.h against the running kernel, exhaustively: for
 * every program type bpfkit describes, every offset of its context (and a little past
 * it), every size 1/2/4/8, read and write, a one-access program is loaded into the
 * kernel and verified by bpfkit; the kernel's verdict must equal both the table's
 * (bk_progtype_ctx_access, which the runtime uses) and the verifier's. For each read the
 * kernel accepts, a second program dereferences the loaded value, which tells the
 * register type the kernel gave it (scalar, pkt, pkt_end, sock_common_or_null): the
 * verifier's message for that program must be the kernel's. Reads through
 * __sk_buff->sk (struct bpf_sock) are checked the same way. */
#define VM_INSNS_ONLY
#include "vm_insns.h"

#include "bpfkit/probe.h"
#include "bpfkit/progtype.h"
#include "bpfkit/verifier.h"

#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static char klog[1 << 16];
static const uint8_t szcode[4] = { SZ_B, SZ_H, SZ_W, SZ_DW };

static int kload(int type, int eat, const struct bk_insn *p, size_t n)
{
	struct bk_probe_load_opts o = { .sz = sizeof o, .prog_type = type, .expected_attach_type = eat,
					.log = klog, .log_size = sizeof klog, .log_level = 1 };
	klog[0] = 0;
	int fd = bk_probe_load(p, n, &o, NULL);
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

static int mine(int type, const struct bk_insn *p, size_t n, char *msg, size_t msz)
{
	struct bk_verify_opts o = { .sz = sizeof o, .prog_type = type };
	struct bk_verify_result r;
	int rc = bk_verify(p, n, &o, NULL, &r, NULL);
	snprintf(msg, msz, "%s", r.msg);
	bk_verify_result_free(&r);
	return rc == 0;
}

/* The kernel's log has bpfkit's message as one of its lines. */
static bool log_has(const char *msg)
{
	size_t l = strlen(msg);
	if (!l)
		return false;
	for (const char *p = klog; (p = strstr(p, msg)); p++)
		if ((p == klog || p[-1] == '\n') && (p[l] == '\n' || p[l] == 0))
			return true;
	return false;
}

struct tally {
	int probes, bad;
	char first[512];
};

static void mismatch(struct tally *t, const char *fmt, int off, int size, const char *what)
{
	t->bad++;
	if (t->bad <= 3) {
		size_t l = strlen(t->first);
		snprintf(t->first + l, sizeof t->first - l, "%s" "off=%d size=%d %s: %s", l ? "; " : "",
			 off, size, what, fmt);
	}
}

static void probe_type(int type, int eat, bool devmap, int lo, int hi, struct tally *t)
{
	const struct bk_progtype *pt = bk_progtype_any(type);
	char m[256];
	for (int off = lo; off < hi; off++)
		for (int s = 0; s < 4; s++) {
			int size = 1 << s;
			for (int write = 0; write < 2; write++) {
				struct bk_insn rd[] = { LDX(szcode[s], 2, 1, (int16_t)off), MOV(0, 0), EXIT };
				struct bk_insn wr[] = { MOV(2, 0), STX(szcode[s], 1, 2, (int16_t)off), MOV(0, 0),
							EXIT };
				const struct bk_insn *p = write ? wr : rd;
				size_t n = write ? N(wr) : N(rd);
				int k = kload(type, eat, p, n);
				const struct bk_ctx_field *f =
					bk_progtype_ctx_access2(pt, (uint32_t)off, (uint32_t)size, write, devmap);
				t->probes++;
				if (k != (f != NULL))
					mismatch(t, k ? "kernel accepts, table refuses" : "kernel refuses, table accepts",
						 off, size, write ? "write" : "read");
				/* The verifier has no attach type: devmap-only fields stay refused. */
				if (!devmap && mine(type, p, n, m, sizeof m) != k)
					mismatch(t, k ? "kernel accepts, verifier refuses" : "kernel refuses, verifier accepts",
						 off, size, write ? "write" : "read");
				if (write || !k || devmap)
					continue;
				/* What the load gave: dereference it and compare the refusal. */
				struct bk_insn dr[] = { LDX(szcode[s], 2, 1, (int16_t)off), LDX(SZ_B, 0, 2, 0),
							MOV(0, 0), EXIT };
				int kd = kload(type, eat, dr, N(dr));
				int md = mine(type, dr, N(dr), m, sizeof m);
				t->probes++;
				if (kd != md || (!kd && !log_has(m)))
					mismatch(t, "the loaded register's type differs", off, size, "deref");
			}
		}
}

/* r2 = skb->sk; if r2 == 0 goto out; r0 = *(size *)(r2 + off) */
static void probe_sock(int type, struct tally *t)
{
	char m[256];
	for (int off = -4; off < 96; off++)
		for (int s = 0; s < 4; s++) {
			int size = 1 << s;
			struct bk_insn p[] = { LDX(SZ_DW, 2, 1, 168), JEQK(2, 0, 1),
					       LDX(szcode[s], 0, 2, (int16_t)off), MOV(0, 0), EXIT };
			int k = kload(type, 0, p, N(p));
			int tab = off >= 0 && bk_progtype_sock_common_access((uint32_t)off, (uint32_t)size);
			int v = mine(type, p, N(p), m, sizeof m);
			t->probes++;
			if (k != tab)
				mismatch(t, k ? "kernel accepts, table refuses" : "kernel refuses, table accepts",
					 off, size, "sock read");
			if (k != v || (!k && !log_has(m)))
				mismatch(t, "verifier differs", off, size, "sock read");
		}
	/* unchecked: the kernel's words for a possibly-null socket */
	struct bk_insn p[] = { LDX(SZ_DW, 2, 1, 168), LDX(SZ_W, 0, 2, 4), EXIT };
	int k = kload(type, 0, p, N(p));
	int v = mine(type, p, N(p), m, sizeof m);
	t->probes++;
	if (k || v || !log_has(m))
		mismatch(t, "null socket read", 4, 4, m);
}

int main(void)
{
	struct bk_insn triv[] = { MOV(0, 0), EXIT };
	if (geteuid() != 0 || !kload(BPF_PROG_TYPE_SOCKET_FILTER, 0, triv, N(triv))) {
		printf("skip progtype kernel context rules: needs root with bpf(2)\n");
		return 0;
	}
	static const struct { int type, eat, lo, hi; bool devmap; const char *name; } cases[] = {
		{ BPF_PROG_TYPE_SOCKET_FILTER, 0, 0, 200, false, "socket_filter" },
		{ BPF_PROG_TYPE_SCHED_CLS, 0, 0, 200, false, "sched_cls" },
		{ BPF_PROG_TYPE_SCHED_ACT, 0, 0, 200, false, "sched_act" },
		{ BPF_PROG_TYPE_XDP, 0, 0, 32, false, "xdp" },
		{ BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, 0, 32, true, "xdp devmap" },
		{ BPF_PROG_TYPE_KPROBE, 0, 0, 176, false, "kprobe" },
		{ BPF_PROG_TYPE_TRACEPOINT, 0, 0, 40, false, "tracepoint (start)" },
		{ BPF_PROG_TYPE_TRACEPOINT, 0, 8170, 8200, false, "tracepoint (end)" },
		{ BPF_PROG_TYPE_PERF_EVENT, 0, 0, 192, false, "perf_event" },
		{ BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0, 104, false, "raw_tracepoint" },
	};
	int total = 0;
	for (size_t i = 0; i < N(cases); i++) {
		struct tally t = { 0 };
		probe_type(cases[i].type, cases[i].eat, cases[i].devmap, cases[i].lo, cases[i].hi, &t);
		total += t.probes;
		CHECKF(t.bad == 0, "progtype %s context: %d probes, %d differ from the kernel%s%s",
		       cases[i].name, t.probes, t.bad, t.bad ? ": " : "", t.first);
	}
	static const int sock_types[] = { BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_SCHED_CLS };
	for (size_t i = 0; i < N(sock_types); i++) {
		struct tally t = { 0 };
		probe_sock(sock_types[i], &t);
		total += t.probes;
		CHECKF(t.bad == 0, "progtype __sk_buff->sk reads (type %d): %d probes, %d differ from the kernel%s%s",
		       sock_types[i], t.probes, t.bad, t.bad ? ": " : "", t.first);
	}
	printf("# %d programs loaded into the kernel and verified by bpfkit\n", total);
	return 0;
}
