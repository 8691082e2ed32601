#include "cli.h"

BK_COMMAND(version, bk_cmd_version, "print the version")

int bk_cmd_version(int argc, char **argv)
{
	if (argc > 1 && bk_cli_is_help(argv[1])) {
		printf("Usage: bpfkit version\n");
		return 0;
	}
	if (bk_cli.json)
		printf("{\"version\":\"%s\",\"kernel_front_end\":%s}\n", bk_version(),
		       BK_HAVE_KERN ? "true" : "false");
	else
		printf("bpfkit %s\nfeatures: kernel front end %s, x86 listing %s\n", bk_version(),
		       BK_HAVE_KERN ? "on" : "off", BK_HAVE_CAPSTONE ? "on" : "off");
	return 0;
}
