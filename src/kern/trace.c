/* bpf_trace_printk lines of one thread, without trace_pipe: trace_pipe is the
 * whole machine's, and reading it takes lines away from every other reader.
 * bpf_trace_printk writes through the bpf_trace/bpf_trace_printk trace event, and
 * an event can be enabled in a trace instance of our own; a filter on
 * common_pid keeps other threads' lines out of it. */
#define _GNU_SOURCE
#include "kj.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct bk_kern_trace {
	char dir[4096];
	char comm[17];
	long tid;
};

int bk_kern_tracefs_find(char *path, size_t len)
{
	FILE *f = fopen("/proc/self/mounts", "r");
	if (!f)
		return -errno;
	char line[4096];
	int r = -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		char dev[256], dir[4000], type[64];
		if (sscanf(line, "%255s %3999s %63s", dev, dir, type) != 3 || strcmp(type, "tracefs"))
			continue;
		char probe[4096];
		snprintf(probe, sizeof(probe), "%s/instances", dir);
		if (access(probe, W_OK))
			continue;
		snprintf(path, len, "%s", dir);
		r = 0;
		break;
	}
	fclose(f);
	return r;
}

static int put(const char *dir, const char *file, const char *text, struct bk_err *err)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return bk_err_set(err, -errno, "%s: %s", path, strerror(errno));
	ssize_t n = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	if (n != (ssize_t)strlen(text))
		return bk_err_set(err, n < 0 ? -e : -EIO, "%s: %s", path, n < 0 ? strerror(e) : "short write");
	return 0;
}

int bk_kern_trace_open(const char *tracefs, struct bk_kern_trace **out, struct bk_err *err)
{
	*out = NULL;
	struct bk_kern_trace *t = calloc(1, sizeof(*t));
	if (!t)
		return bk_err_set(err, -ENOMEM, "out of memory");
	long tid = syscall(SYS_gettid);
	t->tid = tid;
	if (prctl(PR_GET_NAME, t->comm))
		snprintf(t->comm, sizeof(t->comm), "<...>");
	snprintf(t->dir, sizeof(t->dir), "%s/instances/bpfkit-%ld", tracefs, tid);
	if (mkdir(t->dir, 0700)) {
		int r = bk_err_set(err, -errno, "can't create the trace instance %s: %s", t->dir, strerror(errno));
		free(t);
		return r;
	}
	char filter[64];
	snprintf(filter, sizeof(filter), "common_pid == %ld", tid);
	/* A small buffer: a test run prints a few lines, and every CPU gets one. */
	int r = put(t->dir, "buffer_size_kb", "64", err);
	if (!r)
		r = put(t->dir, "events/bpf_trace/bpf_trace_printk/filter", filter, err);
	if (!r)
		r = put(t->dir, "events/bpf_trace/bpf_trace_printk/enable", "1", err);
	if (r) {
		bk_kern_trace_close(t);
		return r;
	}
	*out = t;
	return 0;
}

/* The instance's "trace" file: trace_pipe's lines under a '#' header. */
int bk_kern_trace_read(struct bk_kern_trace *t, struct bk_buf *out, struct bk_err *err)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/trace", t->dir);
	uint8_t *data;
	size_t len;
	int r = bk_read_file(path, &data, &len, err);
	if (r < 0)
		return r;
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (e < len && data[e] != '\n')
			e++;
		if (e > i && data[i] != '#') {
			/* An instance knows no task names ("<...>", or the name the pid had
			 * before an exec): the filter says whose line it is, so the task
			 * field is written as trace_pipe writes it ("%16s-%-7d "). */
			const char *br = memmem(data + i, e - i, " [", 2);
			char want[32];
			int wl = snprintf(want, sizeof(want), "-%ld ", t->tid);
			const char *pid = br ? memmem(data + i, (size_t)(br - (const char *)data - i) + 1, want, (size_t)wl) : NULL;
			size_t from = i;
			if (pid) {
				bk_buf_printf(out, "%16s-%-7ld", t->comm, t->tid);
				from = (size_t)(br - (const char *)data);
			}
			bk_buf_append(out, data + from, e - from);
			bk_buf_append(out, "\n", 1);
			n++;
		}
		i = e + 1;
	}
	free(data);
	return (int)n;
}

void bk_kern_trace_close(struct bk_kern_trace *t)
{
	if (!t)
		return;
	/* An instance goes only once its events are off. */
	put(t->dir, "events/bpf_trace/bpf_trace_printk/enable", "0", NULL);
	rmdir(t->dir);
	free(t);
}
