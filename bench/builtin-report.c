/*
 * builtin-report.c - `xstate-bench report --out DIR RUN...`: charts and pages.
 */
#include <getopt.h>
#include <stdio.h>

#include "../results/report.h"
#include "cli.h"

static const char usage[] =
	"usage: xstate-bench report [--db URL] [--metric NAME] [--threshold PCT] [--alpha A]\n"
	"                           --out DIR RUN...\n"
	"\n"
	"  RUN            run ids, labels or baseline names, oldest first; with two or more the\n"
	"                 first is the base of the ratio charts and of the comparison table\n"
	"  --out DIR      where index.html, report.md and the charts (PNG and SVG) go\n"
	"  --db URL       results database (default $XSTATE_BENCH_DB or ./xstate-bench.db)\n"
	"  --metric NAME  core_cycles_per_op (default, as compare), ticks_per_op, ns_per_op or any\n"
	"                 sample metric\n"
	"  --threshold, --alpha   as for compare (default 2 and 0.01)\n"
	"  --help         this text\n"
	"\n"
	"Charts (drawn by gnuplot): the cost per feature set of each operation with the 95%\n"
	"interval of the median, the ratio to the first series with its interval, and each\n"
	"operation's history on the machine of the last run.\n";

int cmd_report(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "out", required_argument, NULL, 'o' },
		{ "metric", required_argument, NULL, 'm' },
		{ "threshold", required_argument, NULL, 't' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct report_options o = { .verdict = CLI_VERDICT_DEFAULTS };
	struct results_store *st;
	struct report_outcome out;
	const char *db = NULL;
	int opt, rc;

	optind = 0; /* a fresh getopt: 1 would keep the state of an earlier parse */
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'D':
			if (!(db = cli_db_option(usage, optarg)))
				return EXIT_USAGE;
			break;
		case 'o': o.dir = optarg; break;
		case 'm': o.metric = optarg; break;
		case 't':
		case 'a':
			if ((rc = cli_verdict_option(usage, opt, optarg, &o.verdict)))
				return rc;
			break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option(usage, argc, argv);
		}
	}
	if (!o.dir)
		return cli_usage_error(usage, "missing --out DIR");
	if (optind >= argc)
		return cli_usage_error(usage, "want at least one RUN");
	if (cli_stop_after_arguments)
		return 0;
	rc = cli_open_results(db, &st);
	if (!rc) {
		rc = report_write(st, argv + optind, argc - optind, &o, &out);
		results_close(st);
	}
	if (rc) {
		fprintf(stderr, "xstate-bench report: %s\n", xb_error_message());
		return 1;
	}
	printf("report: %s/index.html and %s/report.md, %d charts (PNG and SVG)\n", o.dir, o.dir, out.nr_charts);
	return 0;
}
