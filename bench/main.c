/*
 * main.c - `xstate-bench <command>`: dispatch through the command table (builtin-help.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv)
{
	const struct cli_command *cmd;

	if (argc < 2) {
		cli_write_commands(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cli_write_commands(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("xstate-bench %s\n", XB_VERSION);
		return 0;
	}
	cmd = cli_command_find(argv[1]);
	if (cmd)
		return cmd->main(argc - 1, argv + 1);
	fprintf(stderr, "xstate-bench: unknown command '%s'\n\n", argv[1]);
	cli_write_commands(stderr);
	return EXIT_USAGE;
}
