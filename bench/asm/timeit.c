/* bench/asm/timeit CMD [ARG...]: runs CMD once (stdout to /dev/null) and prints
 * "WALL_S MAXRSS_KB CPU_S": wall time from just before the fork to the return of wait4, by
 * CLOCK_MONOTONIC; peak resident memory and user + system time from wait4's rusage.
 * time(1) prints its wall clock in hundredths, cut off (at 0.07 s a hundredth is a seventh
 * of the ratio), and starting time(1) and date(1) around it added milliseconds to both tools. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double secs(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: timeit CMD [ARG...]\n");
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		return 2;
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 1);
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	int st;
	struct rusage ru;
	if (wait4(pid, &st, 0, &ru) < 0) {
		perror("timeit: wait4");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "timeit: %s failed (status %d)\n", argv[1], st);
		return 1;
	}
	double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.4f %ld %.3f\n", wall, ru.ru_maxrss, secs(ru.ru_utime) + secs(ru.ru_stime));
	return 0;
}
