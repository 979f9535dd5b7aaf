/*
 * builtin-compare.c - `xstate-bench compare BASE NEW...`: a verdict per case; exit 0 when
 * nothing regressed, 1 when something did, 2 on error, 3 when the comparison is
 * inconclusive.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "../results/compare_format.h"
#include "cli.h"

static const char usage[] =
	"usage: xstate-bench compare [--db URL] [--metric NAME] [--threshold PCT] [--alpha A]\n"
	"                            [--format text|markdown|json|junit] BASE NEW [NEW...]\n"
	"\n"
	"  BASE, NEW          a run id, a run label (its latest run) or a baseline name;\n"
	"                     run:N, label:L and baseline:NAME say which one is meant\n"
	"  --db URL           results database (default $XSTATE_BENCH_DB or ./xstate-bench.db)\n"
	"  --metric NAME      per-sample value compared (default core_cycles_per_op, estimated\n"
	"                     core cycles, steadier than ticks on a machine whose core clock\n"
	"                     moves; ticks_per_op where a series has none): ticks_per_op,\n"
	"                     ns_per_op, or any stored sample metric\n"
	"  --threshold PCT    smallest change that counts, in percent (default 2)\n"
	"  --alpha A          chance of any false alarm across the cases (default 0.01)\n"
	"  --format F         text (80 columns), markdown, json or junit (default text)\n"
	"  --help             this text\n"
	"\n"
	"A change is a regression or an improvement only when it is significant after Holm's\n"
	"correction and larger than the threshold; its error counts the samples, the rounds\n"
	"and the runs. A case that could not have detected a change of the threshold's size is\n"
	"noisy; one measured while something else ran on its PU is disturbed. A machine-wide\n"
	"shift (every case moved alike) is its own line. Several NEW series are each compared\n"
	"with BASE, one column each.\n"
	"Exit status: 0 nothing regressed, 1 something regressed, 2 error, 3 inconclusive (a\n"
	"side disturbed or incomplete, or a machine-wide shift beyond the threshold).\n";

int cmd_compare(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "metric", required_argument, NULL, 'm' },
		{ "threshold", required_argument, NULL, 't' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct verdict_options o = CLI_VERDICT_DEFAULTS;
	const char *db = NULL, *metric = NULL;
	struct results_store *st = NULL;
	struct comparison_set set = { 0 };
	int opt, format = FORMAT_TEXT, nr_series, rc = 0, outcome = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'D': db = optarg; break;
		case 'm': metric = optarg; break;
		case 't':
		case 'a':
			if ((rc = cli_verdict_option(usage, opt, optarg, &o)))
				return rc;
			break;
		case 'f':
			if ((format = compare_format_parse(optarg)) < 0)
				return cli_usage_error(usage, "--format: want text, markdown, json or junit, got '%s'", optarg);
			break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option(usage, argc, argv);
		}
	}
	nr_series = argc - optind;
	if (nr_series < 2)
		return cli_usage_error(usage, "want BASE and at least one NEW");
	if ((rc = cli_open_results(db, &st)))
		goto out;
	rc = comparison_set_load(st, argv + optind, nr_series, metric, &o, &set);
	if (!rc)
		rc = compare_format_write(&set.cmp, (enum compare_format)format, stdout);
	if (!rc)
		outcome = (int)comparison_outcome(&set.cmp);
out:
	if (rc)
		fprintf(stderr, "xstate-bench compare: %s\n", xb_error_message());
	comparison_set_free(&set);
	results_close(st);
	return rc ? EXIT_USAGE : outcome;
}
