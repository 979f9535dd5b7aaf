/*
 * builtin-compare.c - `xstate-bench compare BASE NEW...`: a verdict per case; exit 0 when
 * nothing failed, 1 when a case regressed or failed its checks, 2 on error. BASE and NEW
 * are read from the database, or are Google Benchmark JSON files imported into a store in
 * memory.
 */
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
	"  --metric NAME      per-sample value compared (default ticks_per_op): ns_per_op,\n"
	"                     core_cycles_per_op (estimated core cycles: steadier than ticks on\n"
	"                     a machine whose core clock moves), or any stored sample metric\n"
	"  --threshold PCT    smallest change that counts, in percent (default 2)\n"
	"  --alpha A          false discovery rate across the cases (default 0.01)\n"
	"  --format F         text (80 columns), markdown, json, junit (JUnit XML) or ktap\n"
	"                     (KTAP version 1) (default text)\n"
	"  --help             this text\n"
	"\n"
	"A change is a regression or an improvement only when it is significant after the\n"
	"Benjamini-Hochberg correction and larger than the threshold. A case that failed its\n"
	"own checks in NEW is failed. Several NEW series are each compared with BASE, one\n"
	"column each. Runs on different machines are compared with a warning naming both.\n"
	"Exit status: 0 nothing regressed or failed, 1 something did, 2 error.\n";

/* The file a spec names, or NULL: "file:PATH", or any existing regular file. */
static const char *spec_file(const char *spec)
{
	struct stat st;

	if (!strncmp(spec, "file:", 5))
		return spec + 5;
	return !stat(spec, &st) && S_ISREG(st.st_mode) ? spec : NULL;
}

/* Imports @path into the in-memory store *@files (opened on first use) and loads it. */
static int load_file(struct results_store **files, const char *path, const char *metric, struct series *out)
{
	struct gbench_import_result r;
	char now[32], spec[32];
	int rc = *files ? 0 : results_open(":memory:", files);

	cli_iso_time(now, sizeof(now));
	if (!rc && !(rc = gbench_import(*files, path, NULL, now, &r))) {
		snprintf(spec, sizeof(spec), "run:%lld", (long long)r.run_id);
		rc = series_load(*files, spec, metric, out);
	}
	if (!rc)
		snprintf(out->name, sizeof(out->name), "%s", path);
	return rc;
}

static int load_series(const char *db, const char *spec, const char *metric, struct results_store **st,
		       struct results_store **files, struct series *out)
{
	const char *path = spec_file(spec);
	int rc;

	if (path)
		return load_file(files, path, metric, out);
	if (!*st && (rc = cli_open_results(db, st)))
		return rc;
	return series_load(*st, spec, metric, out);
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
	const char *db = NULL, *metric = CLI_DEFAULT_METRIC;
	struct results_store *st = NULL, *files = NULL;
	struct series *series = NULL;
	struct comparison c = { 0 };
	int opt, format = FORMAT_TEXT, nr_series, rc = 0;

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
	if (!(series = calloc((size_t)nr_series, sizeof(*series)))) {
		fprintf(stderr, "xstate-bench compare: out of memory\n");
		return EXIT_USAGE;
	}
	for (int i = 0; i < nr_series && !rc; i++)
		rc = load_series(db, argv[optind + i], metric, &st, &files, &series[i]);
	if (!rc)
		rc = comparison_build(&c, &series[0], &series[1], nr_series - 1, metric, &o);
	if (!rc)
		rc = compare_format_write(&c, (enum compare_format)format, stdout);
	if (!rc && fflush(stdout))
		rc = xb_fail_errno("write stdout");
	if (rc)
		fprintf(stderr, "xstate-bench compare: %s\n", xb_error_message());
	else if (compare_any_failure(&c))
		rc = 1;
	comparison_free(&c);
	for (int i = 0; i < nr_series; i++)
		series_free(&series[i]);
	free(series);
	results_close(st);
	results_close(files);
	return rc < 0 ? EXIT_USAGE : rc;
}
