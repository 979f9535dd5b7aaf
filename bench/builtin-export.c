/*
 * builtin-export.c - `xstate-bench export RUN [--format json|csv]`: a run as Google
 * Benchmark output on stdout (or --out FILE), readable by compare.py.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../results/gbench_export.h"
#include "../results/series.h"
#include "cli.h"

static const char usage[] =
	"usage: xstate-bench export [--db URL] [--format json|csv] [--out FILE] RUN\n"
	"\n"
	"  RUN           a run id or a run label (its latest run); run:N, label:L\n"
	"  --db URL      results database (default $XSTATE_BENCH_DB or ./xstate-bench.db)\n"
	"  --format F    json (Google Benchmark's schema, for compare.py) or csv (default json)\n"
	"  --out FILE    write there instead of stdout\n"
	"  --help        this text\n";

int cmd_export(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = NULL, *path = NULL;
	enum export_format format = EXPORT_JSON;
	struct results_store *st = NULL;
	struct series s = { 0 };
	FILE *out = stdout;
	int opt, rc;

	optind = 0; /* a fresh getopt: 1 would keep the state of an earlier parse */
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'D':
			if (!(db = cli_db_option(usage, optarg)))
				return EXIT_USAGE;
			break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "csv"))
				return cli_usage_error(usage, "--format: want json or csv, got '%s'", optarg);
			format = strcmp(optarg, "json") ? EXPORT_CSV : EXPORT_JSON;
			break;
		case 'o': path = optarg; break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option(usage, argc, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(usage, argc - optind ? "want one RUN" : "missing RUN");
	if (cli_stop_after_arguments)
		return 0;
	rc = cli_open_results(db, &st);
	if (!rc && !(rc = series_resolve(st, argv[optind], &s)) && s.baseline_id)
		rc = xb_fail(EINVAL, "%s is a baseline: export takes a run", argv[optind]);
	if (!rc && path && !(out = fopen(path, "w")))
		rc = xb_fail_errno("open %s", path);
	if (!rc)
		rc = gbench_export(st, s.runs[0].id, format, out);
	if (out != stdout && out && fclose(out) && !rc)
		rc = xb_fail_errno("write %s", path);
	series_free(&s);
	results_close(st);
	if (rc)
		fprintf(stderr, "xstate-bench export: %s\n", xb_error_message());
	return rc ? 1 : 0;
}
