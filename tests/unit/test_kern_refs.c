/* "pids" of prog/map show: the task_file iterator bpfkit generates and the /proc
 * scan it falls back to must both find a child process that holds a program and
 * a map, and neither may name this process. The per-boot cache of BTF facts is
 * written, read back, and a cache of another boot is ignored and replaced.
 * Nothing stays: the child exits, every fd is closed, the cache dir is removed. */
#include "bpfkit/kern.h"
#include "tap.h"

#if !BK_HAVE_KERN
int main(void)
{
	printf("skip kern-refs: built without libbpf\n");
	return 0;
}
#else
#include "kern/kj.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

static uint32_t id_of(int fd)
{
	struct bpf_prog_info info;   /* id is the first field of both info structs */
	uint32_t len = sizeof(info);
	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

int main(void)
{
	if (geteuid() != 0 || access("/sys/kernel/btf/vmlinux", R_OK)) {
		printf("skip kern-refs: needs root and a kernel with BTF\n");
		return 0;
	}
	char dir[] = "/tmp/bk-refs-XXXXXX";
	if (!mkdtemp(dir)) {
		printf("not ok kern-refs/tmpdir: %s\n", strerror(errno));
		return 0;
	}
	setenv("BPFKIT_CACHE_DIR", dir, 1);
	char cache[256];
	snprintf(cache, sizeof(cache), "%s/btf-iter-facts", dir);

	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int prog = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "bk_refs_t", "GPL", insns, 2, NULL);
	int map = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bk_refs_t", 4, 4, 1, NULL);
	if (prog < 0 || map < 0) {
		printf("not ok kern-refs/setup: can't create a program or map: %s\n", strerror(errno));
		return 0;
	}
	uint32_t pid_ = id_of(prog), mid = id_of(map);
	int gate[2];
	if (pipe(gate)) {
		printf("not ok kern-refs/pipe: %s\n", strerror(errno));
		return 0;
	}
	pid_t child = fork();
	if (child == 0) {
		char c;
		close(gate[1]);
		(void)!read(gate[0], &c, 1);   /* holds prog and map until the parent closes the pipe */
		_exit(0);
	}
	close(gate[0]);
	int self = getpid();

	struct bk_kern_refs *ip = bk_kern_refs_load_how(0, BK_REFS_ITER);
	if (!ip) {
		/* The kernel refused the iterator: say so, and the fallback must still work. */
		printf("skip kern-refs/iter: the kernel refused the task_file iterator program\n");
	} else {
		CHECK("kern-refs/iter-prog-holder", bk_kern_refs_has(ip, pid_, child));
		CHECK("kern-refs/iter-not-self", !bk_kern_refs_has(ip, pid_, self));
		CHECK("kern-refs/iter-prog-not-map", !bk_kern_refs_has(ip, mid, child) || mid == pid_);
		char buf[512] = "", boot[64] = "";
		CHECK("kern-refs/cache-written", bk_kern_read_small(cache, buf, sizeof(buf)) >= 0 && !strncmp(buf, "bpfkit-iter-1 ", 14));
		bk_kern_read_small("/proc/sys/kernel/random/boot_id", boot, sizeof(boot));
		boot[strcspn(boot, "\n")] = 0;
		CHECK("kern-refs/cache-names-boot", boot[0] && strstr(buf, boot));
		/* Read back from the cache: the same answer. */
		struct bk_kern_refs *again = bk_kern_refs_load_how(0, BK_REFS_ITER);
		CHECK("kern-refs/iter-from-cache", again && bk_kern_refs_has(again, pid_, child));
		bk_kern_refs_free(again);
		/* Another boot's facts (wrong on purpose) are not used, and replaced. */
		FILE *f = fopen(cache, "w");
		if (f) {
			fprintf(f, "bpfkit-iter-1 00000000-other-boot 1 2 3 4 5 6 7 8\n");
			fclose(f);
		}
		again = bk_kern_refs_load_how(0, BK_REFS_ITER);
		CHECK("kern-refs/other-boot-ignored", again && bk_kern_refs_has(again, pid_, child));
		bk_kern_refs_free(again);
		CHECK("kern-refs/other-boot-replaced", bk_kern_read_small(cache, buf, sizeof(buf)) >= 0 && boot[0] && strstr(buf, boot));
		struct bk_kern_refs *im = bk_kern_refs_load_how(1, BK_REFS_ITER);
		CHECK("kern-refs/iter-map-holder", im && bk_kern_refs_has(im, mid, child));
		CHECK("kern-refs/iter-map-not-self", im && !bk_kern_refs_has(im, mid, self));
		bk_kern_refs_free(im);
	}
	bk_kern_refs_free(ip);

	struct bk_kern_refs *pp = bk_kern_refs_load_how(0, BK_REFS_PROC);
	CHECK("kern-refs/proc-prog-holder", bk_kern_refs_has(pp, pid_, child));
	CHECK("kern-refs/proc-not-self", !bk_kern_refs_has(pp, pid_, self));
	bk_kern_refs_free(pp);
	struct bk_kern_refs *pm = bk_kern_refs_load_how(1, BK_REFS_PROC);
	CHECK("kern-refs/proc-map-holder", bk_kern_refs_has(pm, mid, child));
	bk_kern_refs_free(pm);

	close(gate[1]);
	waitpid(child, NULL, 0);
	close(prog);
	close(map);
	/* Once the child is gone nobody else holds them. */
	struct bk_kern_refs *gone = bk_kern_refs_load_how(0, BK_REFS_AUTO);
	CHECK("kern-refs/holder-gone", gone && !bk_kern_refs_has(gone, pid_, child));
	bk_kern_refs_free(gone);
	unlink(cache);
	rmdir(dir);
	return 0;
}
#endif
