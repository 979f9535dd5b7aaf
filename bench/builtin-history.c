/*
 * builtin-history.c - `xstate-bench history CASE`: the median of a case in every run of
 * one machine, oldest first.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../results/csv_write.h"
#include "../results/history.h"
#include "../results/json_write.h"
#include "cli.h"

static const char usage[] =
	"usage: xstate-bench history [--db URL] [--metric NAME] [--machine ID] [--format text|json|csv] CASE\n"
	"\n"
	"  CASE           a benchmark id, e.g. native/save/xsavec/avx512/inuse\n"
	"  --db URL       results database (default $XSTATE_BENCH_DB or ./xstate-bench.db)\n"
	"  --metric NAME  ticks_per_op (default), core_cycles_per_op, ns_per_op or any sample metric\n"
	"  --machine ID   the machine (machines.id); default: that of the latest run with CASE\n"
	"  --format F     text (default), json or csv\n"
	"  --help         this text\n";

static void write_text(const struct history *h, const char *case_id, const char *metric)
{
	double first = h->points[0].median;

	printf("history of %s, %s (%s), machine %lld\n\n", case_id, metric, h->unit, (long long)h->machine_id);
	printf("%6s  %-20s  %-16s %4s %12s %7s %8s\n", "run", "started", "label", "n", "median", "IQR%", "vs first");
	for (int i = 0; i < h->nr_points; i++) {
		const struct history_point *p = &h->points[i];

		printf("%6lld  %-20s  %-16.16s %4d %12.2f %7.1f %+7.1f%%%s%s\n", (long long)p->run.id, p->run.started_at,
		       p->run.label, p->n, p->median, p->iqr_percent,
		       100 * (p->median / first - 1), p->run.complete ? "" : " incomplete",
		       p->functional_only ? " functional-only" : "");
	}
}

static int write_json(const struct history *h, const char *case_id, const char *metric)
{
	cJSON *root = cJSON_CreateObject(), *points = cJSON_AddArrayToObject(root, "points");

	cJSON_AddStringToObject(root, "case", case_id);
	cJSON_AddStringToObject(root, "metric", metric);
	cJSON_AddStringToObject(root, "unit", h->unit);
	cJSON_AddNumberToObject(root, "machine_id", (double)h->machine_id);
	for (int i = 0; i < h->nr_points; i++) {
		const struct history_point *p = &h->points[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "run", (double)p->run.id);
		cJSON_AddStringToObject(o, "started_at", p->run.started_at);
		cJSON_AddStringToObject(o, "label", p->run.label);
		cJSON_AddBoolToObject(o, "complete", p->run.complete);
		cJSON_AddBoolToObject(o, "functional_only", p->functional_only);
		cJSON_AddNumberToObject(o, "n", p->n);
		cJSON_AddNumberToObject(o, "median", p->median);
		cJSON_AddNumberToObject(o, "q1", p->q1);
		cJSON_AddNumberToObject(o, "q3", p->q3);
		cJSON_AddItemToArray(points, o);
	}
	return json_write(root, stdout);
}

int cmd_history(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "metric", required_argument, NULL, 'm' },
		{ "machine", required_argument, NULL, 'M' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = NULL, *metric = CLI_DEFAULT_METRIC, *format = "text";
	struct results_store *st;
	struct history h = { 0 };
	long machine = 0;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'D': db = optarg; break;
		case 'm': metric = optarg; break;
		case 'M':
			if (!cli_parse_long(optarg, 1, 1L << 40, &machine))
				return cli_usage_error(usage, "--machine: want a machine id, got '%s'", optarg);
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json") && strcmp(optarg, "csv"))
				return cli_usage_error(usage, "--format: want text, json or csv, got '%s'", optarg);
			format = optarg;
			break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option(usage, argc, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(usage, argc - optind ? "want one CASE" : "missing CASE");
	rc = cli_open_results(db, &st);
	if (!rc) {
		rc = history_load(st, argv[optind], metric, machine, &h);
		results_close(st);
	}
	if (!rc && !strcmp(format, "json"))
		rc = write_json(&h, argv[optind], metric);
	else if (!rc && !strcmp(format, "csv")) {
		printf("run,started_at,label,complete,n,median,q1,q3" CSV_RECORD_END);
		for (int i = 0; i < h.nr_points; i++) {
			printf("%lld,%s,", (long long)h.points[i].run.id, h.points[i].run.started_at);
			csv_text(stdout, h.points[i].run.label);
			printf(",%d,%d,%.17g,%.17g,%.17g" CSV_RECORD_END, h.points[i].run.complete, h.points[i].n,
			       h.points[i].median, h.points[i].q1, h.points[i].q3);
		}
	} else if (!rc) {
		write_text(&h, argv[optind], metric);
	}
	history_free(&h);
	if (rc)
		fprintf(stderr, "xstate-bench history: %s\n", xb_error_message());
	return rc ? 1 : 0;
}
