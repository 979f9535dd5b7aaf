/*
 * main.c - `xstate-bench <command>`: the command table and dispatch.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct command commands[] = {
	{ "probe", "describe the machine: CPU, xstate layout, kernel, TSC, topology, KVM, PMU", cmd_probe },
	{ "list", "list every benchmark id and whether it can run here (and why not)", cmd_list },
	{ "run", "measure, store the run in the database, print the summary", cmd_run },
	{ "compare", "compare runs or baselines case by case: verdicts, intervals, p-values", cmd_compare },
	{ "baseline", "set, list and show named baselines", cmd_baseline },
	{ "import", "store a Google Benchmark JSON file as a run", cmd_import },
	{ "export", "write a run as Google Benchmark JSON or CSV", cmd_export },
	{ "history", "the medians of one case across the runs of a machine", cmd_history },
	{ "report", "gnuplot charts with an HTML and a Markdown page", cmd_report },
	{ "review", "a patch series against its base: the versions' interleaved lab runs compared", cmd_review },
};

static void print_usage(FILE *out)
{
	fprintf(out, "usage: xstate-bench <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'xstate-bench <command> --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		print_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("xstate-bench %s\n", XB_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "xstate-bench: unknown command '%s'\n\n", argv[1]);
	print_usage(stderr);
	return EXIT_USAGE;
}
