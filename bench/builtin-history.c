/*
 * builtin-history.c - `xstate-bench history CASE`: the median of a case in every run of
 * one machine, oldest first.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "../results/csv_write.h"
#include "../results/history.h"
#include "../results/json_write.h"
#include "cli.h"

static const char *const formats[] = { "text", "json", "csv", NULL };
enum { FORMAT_TEXT, FORMAT_JSON, FORMAT_CSV };

static struct {
	const char *db, *metric;
	long machine;
	int format;
} args;

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

static int history_main(int argc, char **argv)
{
	struct results_store *st;
	struct history h = { 0 };
	int first, rc;

	memset(&args, 0, sizeof(args));
	args.metric = CLI_DEFAULT_METRIC;
	if ((rc = cli_parse(&cmd_history, argc, argv, &first)) != CLI_CONTINUE)
		return rc;
	if (argc - first != 1)
		return cli_usage_error(&cmd_history, argc - first ? "want one CASE" : "missing CASE");
	if (cli_stop_after_arguments)
		return 0;
	rc = cli_open_results(args.db, &st);
	if (!rc) {
		rc = history_load(st, argv[first], args.metric, args.machine, &h);
		results_close(st);
	}
	if (!rc && args.format == FORMAT_JSON)
		rc = write_json(&h, argv[first], args.metric);
	else if (!rc && args.format == FORMAT_CSV) {
		printf("run,started_at,label,complete,n,median,q1,q3" CSV_RECORD_END);
		for (int i = 0; i < h.nr_points; i++) {
			printf("%lld,%s,", (long long)h.points[i].run.id, h.points[i].run.started_at);
			csv_text(stdout, h.points[i].run.label);
			printf(",%d,%d,%.17g,%.17g,%.17g" CSV_RECORD_END, h.points[i].run.complete, h.points[i].n,
			       h.points[i].median, h.points[i].q1, h.points[i].q3);
		}
	} else if (!rc) {
		write_text(&h, argv[first], args.metric);
	}
	history_free(&h);
	if (rc)
		fprintf(stderr, "xstate-bench history: %s\n", xb_error_message());
	return rc ? 1 : 0;
}

static const char *const history_forms[] = { "CASE", NULL };
static const struct cli_operand history_operands[] = {
	{ "CASE", "a benchmark id, e.g. native/save/xsavec/avx512/inuse" },
	{ NULL },
};
static const struct cli_option history_options[] = {
	CLI_DB_OPTION(&args.db),
	OPT_STRING(0, "metric", &args.metric, "NAME", "ticks_per_op (default), core_cycles_per_op, ns_per_op or any "
		   "sample metric"),
	OPT_LONG(0, "machine", &args.machine, "ID", 1, 1L << 40, "the machine (machines.id); default: that of the "
		 "latest run with CASE"),
	OPT_CHOICE(0, "format", &args.format, "F", formats, "text (default), json or csv"),
	OPT_END(),
};

const struct cli_command cmd_history = {
	.name = "history",
	.summary = "the medians of one case across the runs of a machine",
	.forms = history_forms,
	.operands = history_operands,
	.options = history_options,
	.description = "Oldest first: per run its start, label, samples, median, interquartile spread and the "
		       "change from the first run.",
	.main = history_main,
};
