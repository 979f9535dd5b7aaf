/*
 * builtin-export.c - `xstate-bench export RUN [--format json|csv]`: a run as Google
 * Benchmark output on stdout (or --out FILE), readable by compare.py.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../results/gbench_export.h"
#include "../results/series.h"
#include "cli.h"

static const char *const formats[] = { "json", "csv", NULL }; /* enum export_format's order */

static struct {
	const char *db, *path;
	int format;
} args;

static int export_main(int argc, char **argv)
{
	struct results_store *st = NULL;
	struct series s = { 0 };
	FILE *out = stdout;
	int first, rc;

	memset(&args, 0, sizeof(args));
	if ((rc = cli_parse(&cmd_export, argc, argv, &first)) != CLI_CONTINUE)
		return rc;
	if (argc - first != 1)
		return cli_usage_error(&cmd_export, argc - first ? "want one RUN" : "missing RUN");
	if (cli_stop_after_arguments)
		return 0;
	rc = cli_open_results(args.db, &st);
	if (!rc && !(rc = series_resolve(st, argv[first], &s)) && s.baseline_id)
		rc = xb_fail(EINVAL, "%s is a baseline: export takes a run", argv[first]);
	if (!rc && args.path && !(out = fopen(args.path, "w")))
		rc = xb_fail_errno("open %s", args.path);
	if (!rc)
		rc = gbench_export(st, s.runs[0].id, (enum export_format)args.format, out);
	if (out != stdout && out && fclose(out) && !rc)
		rc = xb_fail_errno("write %s", args.path);
	series_free(&s);
	results_close(st);
	if (rc)
		fprintf(stderr, "xstate-bench export: %s\n", xb_error_message());
	return rc ? 1 : 0;
}

static const char *const export_forms[] = { "RUN", NULL };
static const struct cli_operand export_operands[] = {
	{ "RUN", "a run id or a run label (its latest run); run:N, label:L" },
	{ NULL },
};
static const struct cli_option export_options[] = {
	CLI_DB_OPTION(&args.db),
	OPT_CHOICE(0, "format", &args.format, "F", formats, "json (Google Benchmark's schema, for compare.py) or csv "
		   "(default json)"),
	OPT_OUTPUT_FILE(0, "out", &args.path, "write there instead of stdout"),
	OPT_END(),
};

const struct cli_command cmd_export = {
	.name = "export",
	.summary = "write a run as Google Benchmark JSON or CSV",
	.forms = export_forms,
	.operands = export_operands,
	.options = export_options,
	.description = "One iteration entry per sample, real_time = cpu_time = ns per op, the ticks_per_op and "
		       "metric counters exact to the last bit; import reads it back as the same samples.",
	.main = export_main,
};
