/* Raw bpf(2) probes. Libc only on purpose: the assembler and the compiler driver
 * live in the core, which must not depend on libbpf. */
#include "bpfkit/probe.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
						.off = (o), .imm = (i) })
#define MOV0 INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0)
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

int bk_probe_load(const void *insns, size_t insn_cnt, const struct bk_probe_load_opts *opts,
		  struct bk_err *err)
{
	union bpf_attr a;
	static const char license[] = "GPL";
	memset(&a, 0, sizeof(a));
	a.prog_type = (uint32_t)BK_OPTS_GET(opts, prog_type, BPF_PROG_TYPE_SOCKET_FILTER);
	a.expected_attach_type = (uint32_t)BK_OPTS_GET(opts, expected_attach_type, 0);
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)insn_cnt;
	a.license = (uint64_t)(uintptr_t)license;
	a.prog_flags = (uint32_t)BK_OPTS_GET(opts, prog_flags, 0);
	a.attach_btf_id = (uint32_t)BK_OPTS_GET(opts, attach_btf_id, 0);
	char *log = BK_OPTS_GET(opts, log, NULL);
	size_t log_size = BK_OPTS_GET(opts, log_size, 0);
	if (log && log_size) {
		log[0] = 0;
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = (uint32_t)log_size;
		a.log_level = BK_OPTS_GET(opts, log_level, 1) ? BK_OPTS_GET(opts, log_level, 1) : 1;
	}
	long fd = syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (fd < 0) {
		int e = errno;
		return bk_err_set(err, -e, "bpf(BPF_PROG_LOAD, type %u): %s", a.prog_type, strerror(e));
	}
	return (int)fd;
}

/* The programs below exercise exactly what each -mcpu level adds, as LLVM emits it
 * (shared/isa/isa-reference.md §4): v2 the JLT/JLE family, v3 the JMP32 class,
 * v4 sign-extending moves, signed division, bswap and the 32-bit-offset ja. */
static int load_plain(const struct bpf_insn *insns, size_t n, char *log, size_t log_size,
		      struct bk_err *err)
{
	struct bk_probe_load_opts o = BK_OPTS_INIT(bk_probe_load_opts,
		.prog_type = BPF_PROG_TYPE_SOCKET_FILTER, .log = log, .log_size = log_size);
	return bk_probe_load(insns, n, &o, err);
}

int bk_probe_isa(int level, struct bk_err *err)
{
	struct bpf_insn p[8];
	size_t n = 0;
	p[n++] = MOV0;
	switch (level) {
	case 1:
		break;
	case 2:
		p[n++] = INSN(BPF_JMP | BPF_JLT | BPF_K, 0, 0, 0, 1);
		break;
	case 3:
		p[n++] = INSN(BPF_JMP32 | BPF_JLT | BPF_K, 0, 0, 0, 1);
		break;
	case 4:
		p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 0, 8, 0);   /* r0 = (s8)r0 */
		p[n++] = INSN(BPF_ALU64 | BPF_DIV | BPF_K, 0, 0, 1, 1);   /* r0 s/= 1 */
		p[n++] = INSN(BPF_ALU64 | BPF_END | BPF_K, 0, 0, 0, 16);  /* r0 = bswap16 r0 */
		p[n++] = INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, 0);            /* gotol +0 */
		break;
	default:
		return bk_err_set(err, -EINVAL, "probe: no cpu level v%d (1..4)", level);
	}
	p[n++] = EXIT;
	struct bk_err e = { 0 };
	char log[1024];
	int fd = load_plain(p, n, log, sizeof(log), &e);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	/* EINVAL/EACCES is the verifier saying no to the instruction; anything else
	 * (EPERM, ENOSYS) means we could not ask. */
	if (fd == -EINVAL || fd == -EACCES)
		return 0;
	return bk_err_set(err, fd, "%s", e.msg);
}

int bk_probe_cpu_level(struct bk_err *err)
{
	int r = bk_probe_isa(1, err);
	if (r < 0)
		return r;
	if (r == 0)
		return bk_err_set(err, -EINVAL, "probe: the kernel refuses even a v1 program");
	int level = 1;
	for (int l = 2; l <= 4; l++) {
		r = bk_probe_isa(l, err);
		if (r < 0)
			return r;
		if (r == 0)
			break;
		level = l;
	}
	return level;
}

static int default_attach_type(int prog_type);

/* syscall programs load only as sleepable ones. */
static int default_flags(int prog_type)
{
	return prog_type == BPF_PROG_TYPE_SYSCALL ? BPF_F_SLEEPABLE : 0;
}

int bk_probe_prog_loads(int prog_type)
{
	struct bpf_insn p[2] = { MOV0, EXIT };
	struct bk_probe_load_opts o = BK_OPTS_INIT(bk_probe_load_opts, .prog_type = prog_type,
		.expected_attach_type = default_attach_type(prog_type),
		.prog_flags = default_flags(prog_type));
	int fd = bk_probe_load(p, 2, &o, NULL);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* Types that the kernel only loads with a particular expected_attach_type. */
static int default_attach_type(int prog_type)
{
	switch (prog_type) {
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR: return BPF_CGROUP_INET4_CONNECT;
	case BPF_PROG_TYPE_CGROUP_SOCKOPT: return BPF_CGROUP_GETSOCKOPT;
	case BPF_PROG_TYPE_SK_LOOKUP: return BPF_SK_LOOKUP;
	case BPF_PROG_TYPE_LIRC_MODE2: return BPF_LIRC_MODE2;
	case 32: return 45; /* netfilter / BPF_NETFILTER: newer than the uapi headers here */
	default: return 0;
	}
}

int bk_probe_prog_type(int prog_type, struct bk_err *err)
{
	struct bpf_insn p[2] = { MOV0, EXIT };
	char log[1024];
	struct bk_probe_load_opts o = BK_OPTS_INIT(bk_probe_load_opts, .prog_type = prog_type,
		.expected_attach_type = default_attach_type(prog_type), .log = log,
		.log_size = sizeof(log), .prog_flags = default_flags(prog_type));
	struct bk_err e = { 0 };
	int fd = bk_probe_load(p, 2, &o, &e);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	/* struct_ops is the one known type that refuses every plain program with
	 * ENOTSUPP. Types that need a BTF target (tracing, lsm, ext) are refused here:
	 * whether they really load is the caller's question (a BTF-aware probe). */
	if (fd == -524)
		return 1;
	if (fd == -EINVAL || fd == -EOPNOTSUPP || fd == -EPERM || fd == -EACCES)
		return 0;
	return bk_err_set(err, fd, "%s", e.msg);
}

int bk_probe_helper(int prog_type, int helper_id, struct bk_err *err)
{
	/* Only a type whose trivial program loads can tell a refused helper from
	 * everything else it dislikes. */
	/* Remembered per type: a feature probe asks about ~200 helpers per type. The
	 * answer cannot change while the process runs (0 = unknown, 1 = yes, 2 = no). */
	static int loads[64];
	int known = prog_type >= 0 && prog_type < 64 ? loads[prog_type] : 0;
	if (!known) {
		known = bk_probe_prog_loads(prog_type) ? 1 : 2;
		if (prog_type >= 0 && prog_type < 64)
			loads[prog_type] = known;
	}
	if (known != 1)
		return bk_err_set(err, -EOPNOTSUPP, "probe: a trivial program of type %d does not load", prog_type);
	struct bpf_insn p[2] = { INSN(BPF_JMP | BPF_CALL, 0, 0, 0, helper_id), EXIT };
	char log[4096];
	struct bk_probe_load_opts o = BK_OPTS_INIT(bk_probe_load_opts, .prog_type = prog_type,
		.expected_attach_type = default_attach_type(prog_type), .log = log,
		.log_size = sizeof(log), .log_level = 1, .prog_flags = default_flags(prog_type));
	struct bk_err e = { 0 };
	int fd = bk_probe_load(p, 2, &o, &e);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	/* The verifier's refusals, old and current wording. Any other failure (argument
	 * types, return range, log space) comes after the helper was accepted. */
	if (strstr(log, "invalid func ") || strstr(log, "unknown func ") ||
	    strstr(log, "cannot use helper") || strstr(log, "helper call is not allowed"))
		return 0;
	if (log[0] == 0 && fd != -ENOSPC)
		return bk_err_set(err, fd, "probe: program type %d does not load: %s", prog_type,
				  e.msg);
	return 1;
}

int bk_probe_large_insn_limit(void)
{
	/* One more than the old 4096-instruction limit. */
	enum { N = 4097 };
	static struct bpf_insn p[N];
	for (int i = 0; i < N - 1; i++)
		p[i] = MOV0;
	p[N - 1] = EXIT;
	int fd = load_plain(p, N, NULL, 0, NULL);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

int bk_probe_bounded_loops(void)
{
	struct bpf_insn p[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 10),
		INSN(BPF_ALU64 | BPF_SUB | BPF_K, 0, 0, 0, 1),
		INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, -2, 0),
		EXIT,
	};
	int fd = load_plain(p, 4, NULL, 0, NULL);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}
