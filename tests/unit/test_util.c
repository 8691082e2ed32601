#include "bpfkit/util.h"
#include "tap.h"
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	struct bk_buf b = { 0 };
	struct bk_err e = { 0 };
	CHECK("hex bytes parse", bk_parse_hex_bytes("00 ff\n 0x1a", &b, &e) == 0 && b.len == 3 &&
					 b.data[1] == 0xff && b.data[2] == 0x1a);
	bk_buf_free(&b);
	bk_err_clear(&e);
	CHECK("bad hex names offset", bk_parse_hex_bytes("00 zz", &b, &e) < 0 && strstr(e.msg, "offset 3"));
	bk_buf_free(&b);
	bk_err_clear(&e);
	/* A write into a missing directory must fail and leave nothing behind. */
	CHECK("write to missing dir fails", bk_write_file("/nonexistent-dir/x.o", "a", 1, &e) < 0);
	char path[] = "/tmp/bk-util-XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	bk_err_clear(&e);
	CHECK("atomic write", bk_write_file(path, "hello", 5, &e) == 0);
	uint8_t *d;
	size_t n;
	CHECK("read back", bk_read_file(path, &d, &n, &e) == 0 && n == 5 && !memcmp(d, "hello", 5) && d[5] == 0);
	free(d);
	unlink(path);
	bk_err_clear(&e);
	bk_err_set(&e, -1, "first");
	bk_err_set(&e, -2, "second");
	CHECK("first error wins", e.code == -1 && !strcmp(e.msg, "first"));
	return 0;
}
