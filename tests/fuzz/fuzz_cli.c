/*
 * fuzz_cli.c - libFuzzer target: the command line. The input is argv after the program name,
 * its words separated by NUL bytes; bench/main.c dispatches it to the command as the program
 * does, and every command stops once its arguments are parsed and checked
 * (cli_stop_after_arguments), before it reads or writes anything. A command line is either
 * accepted (0) or refused with usage (EXIT_USAGE): nothing else, and no crash.
 * Run it with -close_fd_mask=3: the usage messages are many. Checking an output file
 * (OPT_OUTPUT_FILE: --json, --record, --out) creates and removes it: the target works in a
 * directory of its own and skips command lines with an absolute path or "..", so nothing is
 * made anywhere else.
 */
#include "fuzz_input.h"

#include "bench/cli.h"

int xstate_bench_main(int argc, char **argv); /* bench/main.c's main, renamed for this target */

#define MAX_WORDS 64

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/xb-fuzz-cli-XXXXXX";

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir) || chdir(dir))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_WORDS + 2], *text = fuzz_string(data, size);
	int argc = 0, rc;

	cli_stop_after_arguments = true;
	argv[argc++] = (char *)"xstate-bench";
	for (size_t at = 0; at < size && argc <= MAX_WORDS; at += strlen(text + at) + 1) {
		if (text[at] == '/' || strstr(text + at, "..")) {
			free(text);
			return -1; /* a path outside the target's directory: not added to the corpus */
		}
		argv[argc++] = text + at;
	}
	argv[argc] = NULL;
	rc = xstate_bench_main(argc, argv);
	if (rc != 0 && rc != EXIT_USAGE)
		abort();
	fflush(stdout);
	free(text);
	return 0;
}
