/*
 * builtin-compare.c - `xstate-bench compare BASE NEW...`: a verdict per case; exit 0 when
 * nothing regressed or failed, 1 when a case regressed or failed its checks, 2 on error, 3
 * when the comparison is inconclusive. BASE and NEW are read from the database, or are
 * Google Benchmark JSON files imported into a store in memory.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../results/compare_format.h"
#include "../results/gbench_import.h"
#include "cli.h"

static const char usage[] =
	"usage: xstate-bench compare [--db URL] [--metric NAME] [--threshold PCT] [--alpha A]\n"
	"                            [--format text|markdown|json|junit|ktap] BASE NEW [NEW...]\n"
	"\n"
	"  BASE, NEW          a run id, a run label (its latest run), a baseline name, or a\n"
	"                     Google Benchmark JSON file (run --json, export, or any Google\n"
	"                     Benchmark program's --benchmark_out); run:N, label:L,\n"
	"                     baseline:NAME and file:PATH say which one is meant\n"
	"  --db URL           results database (default $XSTATE_BENCH_DB or ./xstate-bench.db)\n"
	"  --metric NAME      per-sample value compared (default core_cycles_per_op, estimated\n"
	"                     core cycles, steadier than ticks on a machine whose core clock\n"
	"                     moves; ticks_per_op where a series has none): ticks_per_op,\n"
	"                     ns_per_op, or any stored sample metric\n"
	"  --threshold PCT    smallest change that counts, in percent (default 2)\n"
	"  --alpha A          chance of any false alarm across the cases (default 0.01)\n"
	"  --format F         text (80 columns), markdown, json, junit (JUnit XML) or ktap\n"
	"                     (KTAP version 1) (default text)\n"
	"  --help             this text\n"
	"\n"
	"A change is a regression or an improvement only when it is significant after Holm's\n"
	"correction and larger than the threshold; its error counts the samples, the rounds\n"
	"and the runs. A case that could not have detected a change of the threshold's size is\n"
	"noisy; one measured while something else ran on its PU is disturbed; one that failed\n"
	"its own checks in NEW is failed. A machine-wide shift (every case moved alike) is its\n"
	"own line, and so are runs on different machines, naming both. Several NEW series are\n"
	"each compared with BASE, one column each.\n"
	"Exit status: 0 nothing regressed, 1 a case regressed or failed, 2 error, 3\n"
	"inconclusive (a side disturbed or incomplete, or a machine-wide shift beyond the\n"
	"threshold).\n";

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
	struct results_store *st = NULL, *files = NULL, **stores = NULL;
	struct comparison_set set = { 0 };
	char **specs = NULL, (*file_specs)[32] = NULL;
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
				return cli_usage_error(usage, "--format: want text, markdown, json, junit or ktap, got '%s'",
						       optarg);
			break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option(usage, argc, argv);
		}
	}
	nr_series = argc - optind;
	if (nr_series < 2)
		return cli_usage_error(usage, "want BASE and at least one NEW");
	stores = calloc((size_t)nr_series, sizeof(*stores));
	specs = calloc((size_t)nr_series, sizeof(*specs));
	file_specs = calloc((size_t)nr_series, sizeof(*file_specs));
	if (!stores || !specs || !file_specs) {
		rc = xb_fail(ENOMEM, "out of memory");
		goto out;
	}
	memcpy(specs, argv + optind, (size_t)nr_series * sizeof(*specs));
	rc = place_specs(db, specs, file_specs, nr_series, stores, &st, &files);
	if (!rc)
		rc = comparison_set_load(stores, specs, nr_series, metric, &o, &set);
	/* a file's series is named by its path */
	for (int i = 0; i < nr_series && !rc; i++)
		if (specs[i] == file_specs[i])
			snprintf(set.series[i].name, sizeof(set.series[i].name), "%s", spec_file(argv[optind + i]));
	if (!rc)
		rc = compare_format_write(&set.cmp, (enum compare_format)format, stdout);
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
