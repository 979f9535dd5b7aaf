/*
 * builtin-report.c - `xstate-bench report --out DIR RUN...`: charts and pages.
 */
#include <stdio.h>
#include <string.h>

#include "../results/report.h"
#include "cli.h"

static struct {
	struct report_options o;
	const char *db;
} args;

static int report_main(int argc, char **argv)
{
	struct results_store *st;
	struct report_outcome out;
	int first, rc;

	memset(&args, 0, sizeof(args));
	args.o = (struct report_options){ .verdict = CLI_VERDICT_DEFAULTS };
	if ((rc = cli_parse(&cmd_report, argc, argv, &first)) != CLI_CONTINUE)
		return rc;
	if (!args.o.dir)
		return cli_usage_error(&cmd_report, "missing --out DIR");
	if (first >= argc)
		return cli_usage_error(&cmd_report, "want at least one RUN");
	if (cli_stop_after_arguments)
		return 0;
	rc = cli_open_results(args.db, &st);
	if (!rc) {
		rc = report_write(st, argv + first, argc - first, &args.o, &out);
		results_close(st);
	}
	if (rc) {
		fprintf(stderr, "xstate-bench report: %s\n", xb_error_message());
		return 1;
	}
	printf("report: %s/index.html and %s/report.md, %d charts (PNG and SVG)\n", args.o.dir, args.o.dir,
	       out.nr_charts);
	return 0;
}

static const char *const report_forms[] = { "--out DIR RUN...", NULL };
static const struct cli_operand report_operands[] = {
	{ "RUN", "run ids, labels or baseline names, oldest first; with two or more the first is the base of the "
		 "forest plots and of the comparison table" },
	{ NULL },
};
static const struct cli_option report_options[] = {
	OPT_STRING(0, "out", &args.o.dir, "DIR", "where index.html, report.md and the charts (PNG and SVG) go"),
	CLI_DB_OPTION(&args.db),
	OPT_STRING(0, "metric", &args.o.metric, "NAME", "core_cycles_per_op (default, as compare), ticks_per_op, "
		   "ns_per_op or any sample metric"),
	CLI_VERDICT_OPTIONS(&args.o.verdict),
	OPT_END(),
};

const struct cli_command cmd_report = {
	.name = "report",
	.summary = "gnuplot charts with an HTML and a Markdown page",
	.forms = report_forms,
	.operands = report_operands,
	.options = report_options,
	.description = "The page opens with the machine (CPU, microcode, kernel) and, with two series or more, "
		       "the verdicts and the machine-wide shift; then the charts, drawn by gnuplot: per operation "
		       "the median cost per feature set as bars, one per condition and series, with the 95% "
		       "interval of each median; per NEW series a forest plot of compare's ratios and intervals "
		       "on a log axis, coloured by verdict, regressions first; each operation's history on the "
		       "machine of the last series, against the date; then compare's table.",
	.main = report_main,
};
