/*
 * builtin-import.c - `xstate-bench import FILE [--label L]`: a Google Benchmark JSON file
 * becomes a complete run.
 */
#include <getopt.h>
#include <stdio.h>

#include "../results/gbench_import.h"
#include "cli.h"

static const char usage[] =
	"usage: xstate-bench import [--db URL] [--label L] FILE\n"
	"\n"
	"  FILE          Google Benchmark JSON (--benchmark_out_format=json, or run --json):\n"
	"                each benchmark becomes a case, each repetition a sample, valued by\n"
	"                its ticks_per_op counter when present, else by real_time in ns;\n"
	"                the other counters are stored as sample metrics\n"
	"  --db URL      results database (default $XSTATE_BENCH_DB or ./xstate-bench.db)\n"
	"  --label L     a label for the imported run\n"
	"  --help        this text\n";

int cmd_import(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "label", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = NULL, *label = NULL;
	struct gbench_import_result r;
	struct results_store *st;
	char now[32];
	int opt, rc;

	optind = 0; /* a fresh getopt: 1 would keep the state of an earlier parse */
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'D':
			if (!(db = cli_db_option(usage, optarg)))
				return EXIT_USAGE;
			break;
		case 'l':
			if (!(label = cli_name_option(usage, "--label", optarg)))
				return EXIT_USAGE;
			break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option(usage, argc, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(usage, argc - optind ? "want one FILE" : "missing FILE");
	if (cli_stop_after_arguments)
		return 0;
	rc = results_open(cli_db_url(db), &st);
	if (rc) {
		fprintf(stderr, "xstate-bench import: cannot use the results database %s: %s\n", cli_db_url(db),
			xb_error_message());
		return 1;
	}
	cli_iso_time(now, sizeof(now));
	rc = gbench_import(st, argv[optind], label, now, &r);
	results_close(st);
	if (rc) {
		fprintf(stderr, "xstate-bench import: %s\n", xb_error_message());
		return 1;
	}
	printf("imported %s: run %lld, %d cases (%d with errors), %d samples\n", argv[optind], (long long)r.run_id,
	       r.nr_cases, r.nr_errors, r.nr_samples);
	return 0;
}
