/* CO-RE relocations (needs -g), a struct access, a loop and a switch. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task_like {
	int pid;
	int tgid;
	char comm[16];
} __attribute__((preserve_access_index));

SEC("kprobe/sys_getpid")
int core_prog(struct task_like *t)
{
#if defined(__BPF_CORE__) || 1
	int v = 0;
#ifdef __clang__
#if __has_builtin(__builtin_preserve_access_index)
	v = t->tgid + t->comm[2];
#endif
#endif
	switch (v & 7) {
	case 0: return 1;
	case 1: return 5;
	case 2: return 9;
	case 3: return 17;
	default: return v;
	}
#endif
}

char _license[] SEC("license") = "GPL";
