/*
 * builtin-compare.c - `xstate-bench compare BASE NEW...`: a verdict per case; exit 0 when
 * nothing regressed, 1 when something did, 2 on error, 3 when inconclusive.
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
	"  --metric NAME      per-sample value compared (default ticks_per_op): ns_per_op,\n"
	"                     core_cycles_per_op (estimated core cycles: steadier than ticks on\n"
	"                     a machine whose core clock moves), or any stored sample metric\n"
	"  --threshold PCT    smallest change that counts, in percent (default 2)\n"
	"  --alpha A          false discovery rate across the cases (default 0.01)\n"
	"  --format F         text (80 columns), markdown, json or junit (default text)\n"
	"  --help             this text\n"
	"\n"
	"A change is a regression or an improvement only when it is significant after the\n"
	"Benjamini-Hochberg correction and larger than the threshold. Several NEW series are\n"
	"each compared with BASE, one column each.\n"
	"Exit status: 0 nothing regressed, 1 something regressed, 2 error, 3 inconclusive\n"
	"(a run incomplete: killed, failed to store or still running).\n";

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
	const char *db = NULL, *metric = CLI_DEFAULT_METRIC;
	struct results_store *st = NULL;
	struct series *series = NULL;
	struct comparison c = { 0 };
	int opt, format = FORMAT_TEXT, nr_series, loaded = 0, rc = 0, regressions = 0, incomplete = 0;

	optind = 0; /* a fresh getopt: 1 would keep the state of an earlier parse */
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'D':
			if (!cli_db_option_ok(usage, optarg))
				return EXIT_USAGE;
			db = optarg;
			break;
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
	if (cli_stop_after_arguments)
		return 0;
	if (!(series = calloc((size_t)nr_series, sizeof(*series)))) {
		fprintf(stderr, "xstate-bench compare: out of memory\n");
		return EXIT_USAGE;
	}
	if ((rc = cli_open_results(db, &st)))
		goto out;
	for (; loaded < nr_series && !rc; loaded++)
		rc = series_load(st, argv[optind + loaded], metric, &series[loaded]);
	if (!rc)
		rc = comparison_build(&c, &series[0], &series[1], nr_series - 1, metric, &o);
	if (!rc)
		rc = compare_format_write(&c, (enum compare_format)format, stdout);
	for (int k = 0; k < c.nr_news && !rc; k++)
		regressions += comparison_count(&c, k, VERDICT_REGRESSION);
	if (!rc)
		incomplete = comparison_report_incomplete(&c, stderr);
out:
	if (rc)
		fprintf(stderr, "xstate-bench compare: %s\n", xb_error_message());
	comparison_free(&c);
	for (int i = 0; i < nr_series; i++)
		series_free(&series[i]);
	free(series);
	results_close(st);
	return rc ? EXIT_USAGE : regressions ? 1 : incomplete ? EXIT_INCONCLUSIVE : 0;
}
