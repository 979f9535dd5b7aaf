/*
 * builtin-import.c - `xstate-bench import FILE [--label L]`: a Google Benchmark JSON file
 * becomes a complete run.
 */
#include <stdio.h>

#include "../results/gbench_import.h"
#include "cli.h"

static struct {
	const char *db, *label;
} args;

static int import_main(int argc, char **argv)
{
	struct gbench_import_result r;
	struct results_store *st;
	char now[32];
	int first, rc;

	args.db = args.label = NULL;
	if ((rc = cli_parse(&cmd_import, argc, argv, &first)) != CLI_CONTINUE)
		return rc;
	if (argc - first != 1)
		return cli_usage_error(&cmd_import, argc - first ? "want one FILE" : "missing FILE");
	if (cli_stop_after_arguments)
		return 0;
	rc = results_open(cli_db_url(args.db), &st);
	if (rc) {
		fprintf(stderr, "xstate-bench import: cannot use the results database %s: %s\n", cli_db_url(args.db),
			xb_error_message());
		return 1;
	}
	cli_iso_time(now, sizeof(now));
	rc = gbench_import(st, argv[first], args.label, now, &r);
	results_close(st);
	if (rc) {
		fprintf(stderr, "xstate-bench import: %s\n", xb_error_message());
		return 1;
	}
	printf("imported %s: run %lld, %d cases (%d with errors), %d samples\n", argv[first], (long long)r.run_id,
	       r.nr_cases, r.nr_errors, r.nr_samples);
	return 0;
}

static const char *const import_forms[] = { "FILE", NULL };
static const struct cli_operand import_operands[] = {
	{ "FILE", "Google Benchmark JSON (--benchmark_out_format=json, or run --json): each benchmark becomes a "
		  "case, each repetition a sample, valued by its ticks_per_op counter when present, else by real_time "
		  "in ns; the other counters are stored as sample metrics" },
	{ NULL },
};
static const struct cli_option import_options[] = {
	CLI_DB_OPTION(&args.db),
	OPT_NAME(0, "label", &args.label, "L", "a label for the imported run"),
	OPT_END(),
};

const struct cli_command cmd_import = {
	.name = "import",
	.summary = "store a Google Benchmark JSON file as a run",
	.forms = import_forms,
	.operands = import_operands,
	.options = import_options,
	.description = "The file is stored as one complete run, in one transaction; its machine is its "
		       "host_name (Google Benchmark does not record the CPU).",
	.main = import_main,
};
