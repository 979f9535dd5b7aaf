/*
 * builtin-compare.c - `xstate-bench compare BASE NEW...`: a verdict per case; exit 0 when
 * nothing regressed, 1 when something did, 2 on error, 3 when the comparison is
 * inconclusive.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../results/compare_format.h"
#include "cli.h"

static struct {
	struct verdict_options verdict;
	const char *db, *metric;
	int format;
} args;

static const char *format_option(void *value, const char *arg, char *msg, size_t size)
{
	(void)msg, (void)size;
	*(int *)value = compare_format_parse(arg);
	return *(int *)value < 0 ? "text, markdown, json or junit" : NULL;
}

static int compare_main(int argc, char **argv)
{
	struct results_store *st = NULL;
	struct comparison_set set = { 0 };
	int first, nr_series, rc, outcome = 0;

	args.verdict = (struct verdict_options)CLI_VERDICT_DEFAULTS;
	args.format = FORMAT_TEXT;
	if ((rc = cli_parse(&cmd_compare, argc, argv, &first)) != CLI_CONTINUE)
		return rc;
	rc = 0;
	nr_series = argc - first;
	if (nr_series < 2)
		return cli_usage_error(&cmd_compare, "want BASE and at least one NEW");
	if ((rc = cli_open_results(args.db, &st)))
		goto out;
	rc = comparison_set_load(st, argv + first, nr_series, args.metric, &args.verdict, &set);
	if (!rc)
		rc = compare_format_write(&set.cmp, (enum compare_format)args.format, stdout);
	if (!rc)
		outcome = (int)comparison_outcome(&set.cmp);
out:
	if (rc)
		fprintf(stderr, "xstate-bench compare: %s\n", xb_error_message());
	comparison_set_free(&set);
	results_close(st);
	return rc ? EXIT_USAGE : outcome;
}

static const char *const compare_forms[] = { "BASE NEW [NEW...]", NULL };
static const struct cli_operand compare_operands[] = {
	{ "BASE, NEW", "a run id, a run label (its latest run) or a baseline name; run:N, label:L and baseline:NAME "
		       "say which one is meant" },
	{ NULL },
};
static const struct cli_option compare_options[] = {
	CLI_DB_OPTION(&args.db),
	OPT_STRING(0, "metric", &args.metric, "NAME", "the per-sample value compared (default core_cycles_per_op, "
		   "estimated core cycles, steadier than ticks on a machine whose core clock moves; ticks_per_op "
		   "where a series has none): ticks_per_op, ns_per_op, or any stored sample metric"),
	CLI_VERDICT_OPTIONS(&args.verdict),
	OPT_CALLBACK(0, "format", &args.format, "F", "text (80 columns), markdown, json or junit (default text)",
		     format_option, NULL),
	OPT_END(),
};

const struct cli_command cmd_compare = {
	.name = "compare",
	.summary = "compare runs or baselines case by case: verdicts, intervals, p-values",
	.forms = compare_forms,
	.operands = compare_operands,
	.options = compare_options,
	.description = "A change is a regression or an improvement only when it is significant after Holm's "
		       "correction and larger than the threshold; its error counts the samples, the rounds and "
		       "the runs. A case that could not have detected a change of the threshold's size is noisy; "
		       "one measured while something else ran on its PU is disturbed. A machine-wide shift (every "
		       "case moved alike) is its own line. Several NEW series are each compared with BASE, one "
		       "column each.\n\nExit status: 0 nothing regressed, 1 something regressed, 2 error, 3 "
		       "inconclusive (a side disturbed or incomplete, or a machine-wide shift beyond the "
		       "threshold).",
	.main = compare_main,
};
