/* Minimal checks for C unit tests, printing the runner's protocol. */
#ifndef BK_TAP_H
#define BK_TAP_H
#include <stdio.h>
#include <string.h>
#define CHECK(name, cond) do { if (cond) printf("ok %s\n", name); \
	else printf("not ok %s: %s (%s:%d)\n", name, #cond, __FILE__, __LINE__); } while (0)
#define CHECKF(cond, ...) do { char _n[2048]; snprintf(_n, sizeof _n, __VA_ARGS__); CHECK(_n, cond); } while (0)
#endif
