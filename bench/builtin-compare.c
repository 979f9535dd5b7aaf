/*
 * builtin-compare.c - `xstate-bench compare BASE NEW...`: a verdict per case; exit 0 when
 * nothing regressed or failed, 1 when a case regressed or failed its checks, 2 on error, 3
 * when the comparison is inconclusive. BASE and NEW are read from the database, or are
 * Google Benchmark JSON files imported into a store in memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../results/compare_format.h"
#include "../results/gbench_import.h"
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
	return *(int *)value < 0 ? "text, markdown, json, junit or ktap" : NULL;
}

/* The file a spec names, or NULL: "file:PATH", or any existing regular file. */
static const char *spec_file(const char *spec)
{
	struct stat st;

	if (!strncmp(spec, "file:", 5))
		return spec + 5;
	return !stat(spec, &st) && S_ISREG(st.st_mode) ? spec : NULL;
}

/*
 * Where each of the @nr specs is read (@stores[i]): a file is imported into the store in
 * memory (*@files, opened on first use) and its spec becomes "run:N" there (written into
 * @file_specs[i]); any other spec is read from the database (*@db_store, opened on first use).
 */
static int place_specs(const char *db, char **specs, char (*file_specs)[32], int nr,
		       struct results_store **stores, struct results_store **db_store, struct results_store **files)
{
	char now[32];
	int rc = 0;

	cli_iso_time(now, sizeof(now));
	for (int i = 0; i < nr && !rc; i++) {
		const char *path = spec_file(specs[i]);
		struct gbench_import_result r;

		if (!path) {
			if (!*db_store)
				rc = cli_open_results(db, db_store);
			stores[i] = *db_store;
			continue;
		}
		if (!*files && (rc = results_open(":memory:", files)))
			break;
		if (!(rc = gbench_import(*files, path, NULL, now, &r))) {
			snprintf(file_specs[i], sizeof(file_specs[i]), "run:%lld", (long long)r.run_id);
			specs[i] = file_specs[i];
			stores[i] = *files;
		}
	}
	return rc;
}

static int compare_main(int argc, char **argv)
{
	struct results_store *st = NULL, *files = NULL, **stores = NULL;
	struct comparison_set set = { 0 };
	char **specs = NULL, (*file_specs)[32] = NULL;
	int first, nr_series, rc, outcome = 0;

	memset(&args, 0, sizeof(args));
	args.verdict = (struct verdict_options)CLI_VERDICT_DEFAULTS;
	args.format = FORMAT_TEXT;
	if ((rc = cli_parse(&cmd_compare, argc, argv, &first)) != CLI_CONTINUE)
		return rc;
	rc = 0;
	nr_series = argc - first;
	if (nr_series < 2)
		return cli_usage_error(&cmd_compare, "want BASE and at least one NEW");
	if (cli_stop_after_arguments)
		return 0;
	stores = calloc((size_t)nr_series, sizeof(*stores));
	specs = calloc((size_t)nr_series, sizeof(*specs));
	file_specs = calloc((size_t)nr_series, sizeof(*file_specs));
	if (!stores || !specs || !file_specs) {
		rc = xb_fail(ENOMEM, "out of memory");
		goto out;
	}
	memcpy(specs, argv + first, (size_t)nr_series * sizeof(*specs));
	rc = place_specs(args.db, specs, file_specs, nr_series, stores, &st, &files);
	if (!rc)
		rc = comparison_set_load(stores, specs, nr_series, args.metric, &args.verdict, &set);
	/* a file's series is named by its path */
	for (int i = 0; i < nr_series && !rc; i++)
		if (specs[i] == file_specs[i])
			snprintf(set.series[i].name, sizeof(set.series[i].name), "%s", spec_file(argv[first + i]));
	if (!rc)
		rc = compare_format_write(&set.cmp, (enum compare_format)args.format, stdout);
	if (!rc && fflush(stdout))
		rc = xb_fail_errno("write stdout");
	if (!rc)
		outcome = (int)comparison_outcome(&set.cmp);
out:
	if (rc)
		fprintf(stderr, "xstate-bench compare: %s\n", xb_error_message());
	comparison_set_free(&set);
	results_close(st);
	results_close(files);
	free(stores);
	free(specs);
	free(file_specs);
	return rc ? EXIT_USAGE : outcome;
}

static const char *const compare_forms[] = { "BASE NEW [NEW...]", NULL };
static const struct cli_operand compare_operands[] = {
	{ "BASE, NEW", "a run id, a run label (its latest run), a baseline name, or a Google Benchmark JSON file "
		       "(run --json, export, or any Google Benchmark program's --benchmark_out); run:N, label:L, "
		       "baseline:NAME and file:PATH say which one is meant" },
	{ NULL },
};
static const struct cli_option compare_options[] = {
	CLI_DB_OPTION(&args.db),
	OPT_STRING(0, "metric", &args.metric, "NAME", "the per-sample value compared (default core_cycles_per_op, "
		   "estimated core cycles, steadier than ticks on a machine whose core clock moves; ticks_per_op "
		   "where a series has none): ticks_per_op, ns_per_op, or any stored sample metric"),
	CLI_VERDICT_OPTIONS(&args.verdict),
	OPT_CALLBACK(0, "format", &args.format, "F", "text (80 columns), markdown, json, junit (JUnit XML) or ktap "
		     "(KTAP version 1) (default text)", format_option, NULL),
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
		       "one measured while something else ran on its PU is disturbed; one that failed its own "
		       "checks in NEW is failed. A machine-wide shift (every case moved alike) is its own line, and "
		       "so are runs on different machines, naming both. Several NEW series are each compared with "
		       "BASE, one column each.\n\nExit status: 0 nothing regressed, 1 a case regressed or failed, "
		       "2 error, 3 inconclusive (a side disturbed or incomplete, or a machine-wide shift beyond the "
		       "threshold).",
	.main = compare_main,
};
