/*
 * gbench_export.c - reading a run's samples, metrics and failed cases back and writing them
 * as Google Benchmark JSON (cJSON) or as Google Benchmark's CSV columns (RFC 4180).
 */
#include "gbench_export.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv_write.h"
#include "db.h"
#include "json_write.h"
#include "series.h"
#include "shift.h"
#include "stats.h"

/* Why the empty-loop control is named in the context rather than written. */
#define EMPTY_LOOP_LEFT_OUT "the bare loop minus its calibrated overhead: zero but for noise, no operation's time"

/* One repetition of a case, or (with error set) a case that failed its checks. */
struct export_sample {
	char *id;
	int repetition, round;
	double ticks, ns;
	bool in_ticks; /* the case's unit is ticks/op: ticks is a counter of its own */
	int64_t batches;
	int threads;
	char *error;
	cJSON *metrics; /* an object: name -> value */
};

struct export_run {
	struct export_sample *samples;
	int nr, cap;
	char **metric_names; /* every metric name, sorted, for the CSV columns */
	int nr_metric_names;
};

static int by_case_then_repetition(const void *a, const void *b)
{
	const struct export_sample *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x->repetition > y->repetition) - (x->repetition < y->repetition);
}

static struct export_sample *new_sample(struct export_run *r)
{
	if (r->nr == r->cap) {
		struct export_sample *grown = realloc(r->samples, (size_t)(r->cap = r->cap ? 2 * r->cap : 1024) * sizeof(*grown));

		if (!grown)
			return NULL;
		r->samples = grown;
	}
	memset(&r->samples[r->nr], 0, sizeof(r->samples[0]));
	return &r->samples[r->nr++];
}

/* The ok cases' samples and the failed cases (status error), each with its thread count. */
static int read_samples(struct db *db, int64_t run_id, struct export_run *r)
{
	struct db_stmt *s;
	int rc = db_prepare(db, "SELECT c.name, c.unit, res.status, res.reason, s.repetition, s.ticks_per_op,"
				" s.ns_per_op, s.batches, t.value, s.round FROM results res JOIN cases c ON c.id = res.case_id"
				" LEFT JOIN samples s ON s.run_id = res.run_id AND s.case_id = res.case_id"
				" LEFT JOIN result_attributes t ON t.run_id = res.run_id AND t.case_id = res.case_id"
				" AND t.name = 'threads'"
				" WHERE res.run_id = ? AND (res.status = 'error' OR (res.status = 'ok' AND s.repetition IS NOT NULL))", &s);

	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, run_id))) {
		while ((rc = db_step(s)) == DB_ROW) {
			struct export_sample *e = new_sample(r);
			bool failed = !strcmp(db_column_text(s, 2), "error");

			if (!e) {
				rc = xb_fail(ENOMEM, "out of memory");
				break;
			}
			e->id = strdup(db_column_text(s, 0));
			e->in_ticks = !strcmp(db_column_text(s, 1), "ticks/op");
			e->threads = db_column_is_null(s, 8) ? 1 : atoi(db_column_text(s, 8));
			e->metrics = cJSON_CreateObject();
			if (failed) {
				const char *reason = db_column_text(s, 3);

				e->error = strdup(reason ? reason : "the case failed");
			} else {
				e->repetition = (int)db_column_int64(s, 4);
				e->ticks = db_column_double(s, 5);
				e->ns = db_column_double(s, 6);
				e->batches = db_column_int64(s, 7);
				e->round = (int)db_column_int64(s, 9);
			}
			if (!e->id || !e->metrics || (failed && !e->error)) {
				rc = xb_fail(ENOMEM, "out of memory");
				break;
			}
		}
	}
	db_finalize(s);
	qsort(r->samples, (size_t)r->nr, sizeof(*r->samples), by_case_then_repetition);
	return rc < 0 ? rc : 0;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int note_metric_name(struct export_run *r, const char *name)
{
	char **grown;

	for (int i = 0; i < r->nr_metric_names; i++)
		if (!strcmp(r->metric_names[i], name))
			return 0;
	if (!(grown = realloc(r->metric_names, (size_t)(r->nr_metric_names + 1) * sizeof(*grown))))
		return xb_fail(ENOMEM, "out of memory");
	r->metric_names = grown;
	return (r->metric_names[r->nr_metric_names++] = strdup(name)) ? 0 : xb_fail(ENOMEM, "out of memory");
}

static int read_metrics(struct db *db, int64_t run_id, struct export_run *r)
{
	struct db_stmt *s;
	int rc = db_prepare(db, "SELECT c.name, m.repetition, m.name, m.value FROM sample_metrics m"
				" JOIN cases c ON c.id = m.case_id WHERE m.run_id = ?", &s);

	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, run_id))) {
		while ((rc = db_step(s)) == DB_ROW) {
			struct export_sample key = { .id = (char *)db_column_text(s, 0),
						     .repetition = (int)db_column_int64(s, 1) };
			struct export_sample *e = !r->nr ? NULL : bsearch(&key, r->samples, (size_t)r->nr,
									 sizeof(*r->samples), by_case_then_repetition);
			const char *name = db_column_text(s, 2);

			if (!e || e->error)
				continue; /* a case whose result is not ok */
			if (!cJSON_AddNumberToObject(e->metrics, name, db_column_double(s, 3)) ||
			    (rc = note_metric_name(r, name)))
				break;
		}
	}
	db_finalize(s);
	if (r->nr_metric_names) /* qsort must not be given NULL, even for no elements */
		qsort(r->metric_names, (size_t)r->nr_metric_names, sizeof(*r->metric_names), by_string);
	return rc < 0 ? rc : 0;
}

/* cJSON prints numbers only as close as 1e-15: the exact %.17g text, or null for NaN. */
static void add_exact(cJSON *o, const char *name, double v)
{
	char text[32];

	if (!isfinite(v)) {
		cJSON_AddNullToObject(o, name);
		return;
	}
	snprintf(text, sizeof(text), "%.17g", v);
	cJSON_AddRawToObject(o, name, text);
}

/*
 * Google Benchmark's times: real_time the net time per operation, cpu_time that time's share
 * on a CPU (the cpu_ns_per_op metric; none when the sample lacks it). A time is never below
 * zero: the empty loop's net time is noise around zero, whose exact value stays in the
 * ns_per_op counter.
 */
static double gbench_time(double ns)
{
	return ns > 0 ? ns : 0;
}

static const cJSON *cpu_metric(const struct export_sample *e)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(e->metrics, "cpu_ns_per_op");

	return cJSON_IsNumber(m) ? m : NULL;
}

static void add_times(cJSON *b, const struct export_sample *e)
{
	const cJSON *cpu = cpu_metric(e), *m;

	cJSON_AddNumberToObject(b, "iterations", (double)e->batches);
	add_exact(b, "real_time", e->error ? 0 : gbench_time(e->ns));
	if (e->error || cpu)
		add_exact(b, "cpu_time", e->error ? 0 : gbench_time(cpu->valuedouble));
	cJSON_AddStringToObject(b, "time_unit", "ns");
	if (e->error)
		return;
	if (e->in_ticks)
		add_exact(b, "ticks_per_op", e->ticks);
	add_exact(b, "ns_per_op", e->ns);
	cJSON_ArrayForEach(m, e->metrics)
		add_exact(b, m->string, m->valuedouble);
}

/* The members every entry of a case has: its names, family and repetitions. */
static cJSON *entry(const struct export_sample *e, int family, int repetitions, const char *aggregate)
{
	cJSON *b = cJSON_CreateObject();
	char name[512];

	snprintf(name, sizeof(name), "%s%s%s", e->id, aggregate ? "_" : "", aggregate ? aggregate : "");
	cJSON_AddStringToObject(b, "name", name);
	cJSON_AddNumberToObject(b, "family_index", family);
	cJSON_AddNumberToObject(b, "per_family_instance_index", 0);
	cJSON_AddStringToObject(b, "run_name", e->id);
	cJSON_AddStringToObject(b, "run_type", aggregate ? "aggregate" : "iteration");
	cJSON_AddNumberToObject(b, "repetitions", repetitions);
	if (!aggregate) {
		cJSON_AddNumberToObject(b, "repetition_index", e->repetition);
		cJSON_AddNumberToObject(b, GBENCH_JSON_ROUND, e->round);
	}
	cJSON_AddNumberToObject(b, "threads", e->threads);
	return b;
}

enum aggregate { AGGREGATE_MEAN, AGGREGATE_MEDIAN, AGGREGATE_STDDEV, AGGREGATE_CV, AGGREGATES };

static const char *const aggregate_names[AGGREGATES] = { "mean", "median", "stddev", "cv" };

/* Google Benchmark's statistics of a case's repetitions (n >= 2); stddev is a sample's. */
static double aggregate_of(const double *v, int n, enum aggregate a)
{
	double mean = 0, squares = 0;

	if (a == AGGREGATE_MEDIAN)
		return stats_median(v, n);
	for (int i = 0; i < n; i++)
		mean += v[i] / n;
	if (a == AGGREGATE_MEAN)
		return mean;
	for (int i = 0; i < n; i++)
		squares += (v[i] - mean) * (v[i] - mean);
	return a == AGGREGATE_STDDEV ? sqrt(squares / (n - 1)) : sqrt(squares / (n - 1)) / mean;
}

/* A number of an entry as written: add_exact's raw text, or a plain number. */
static bool entry_number(const cJSON *m, double *out)
{
	if (cJSON_IsRaw(m) && strcmp(m->valuestring, "null"))
		*out = strtod(m->valuestring, NULL);
	else if (cJSON_IsNumber(m))
		*out = m->valuedouble;
	else
		return false;
	return true;
}

/* Members of an iteration entry that are not measurements: no aggregate of them. */
static bool measured_member(const cJSON *m)
{
	static const char *const not_measured[] = {
		"family_index", "iterations", "per_family_instance_index", "repetition_index", "repetitions", "threads",
		GBENCH_JSON_ROUND,
	};

	for (size_t i = 0; i < sizeof(not_measured) / sizeof(not_measured[0]); i++)
		if (!strcmp(m->string, not_measured[i]))
			return false;
	return true;
}

/*
 * What Google Benchmark appends to a case's repetitions: mean, median, stddev and cv of the
 * times and of every counter, over the entries as written. compare.py shows them as one row
 * per case; import skips them.
 */
static int add_aggregates(cJSON *benchmarks, const struct export_sample *first, cJSON *const *entries, int n,
			  int family)
{
	double *v = malloc((size_t)n * sizeof(*v));
	const cJSON *m;

	if (!v)
		return xb_fail(ENOMEM, "out of memory");
	for (int a = 0; a < AGGREGATES; a++) {
		cJSON *b = entry(first, family, n, aggregate_names[a]);

		cJSON_AddStringToObject(b, "aggregate_name", aggregate_names[a]);
		cJSON_AddStringToObject(b, "aggregate_unit", a == AGGREGATE_CV ? "percentage" : "time");
		cJSON_AddNumberToObject(b, "iterations", n);
		cJSON_AddStringToObject(b, "time_unit", "ns");
		cJSON_ArrayForEach(m, entries[0]) {
			bool everywhere = measured_member(m);

			for (int i = 0; i < n && everywhere; i++)
				everywhere = entry_number(cJSON_GetObjectItemCaseSensitive(entries[i], m->string), &v[i]);
			if (everywhere)
				add_exact(b, m->string, aggregate_of(v, n, (enum aggregate)a));
		}
		cJSON_AddItemToArray(benchmarks, b);
	}
	free(v);
	return 0;
}

static void add_text_column(cJSON *o, const char *name, struct db_stmt *s, int col)
{
	if (!db_column_is_null(s, col))
		cJSON_AddStringToObject(o, name, db_column_text(s, col));
}

/* The run's machine, kernel and disturbance into the context (GBENCH_JSON_MACHINE ...). */
static int add_run_place(struct db *db, int64_t run_id, cJSON *context)
{
	struct db_stmt *s;
	int rc = db_prepare(db, "SELECT m.fingerprint, m.vendor, m.family, m.model, m.stepping, m.microcode, m.brand,"
				" m.xcr0, m.xss, m.cpuid_dump, r.kernel_release, r.kernel_cmdline, r.disturbed"
				" FROM runs r JOIN machines m ON m.id = r.machine_id WHERE r.id = ?", &s);
	char hex[24];

	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, run_id)) && (rc = db_step(s)) == DB_ROW) {
		cJSON *m = cJSON_AddObjectToObject(context, GBENCH_JSON_MACHINE);

		add_text_column(m, "fingerprint", s, 0);
		add_text_column(m, "vendor", s, 1);
		cJSON_AddNumberToObject(m, "family", (double)db_column_int64(s, 2));
		cJSON_AddNumberToObject(m, "model", (double)db_column_int64(s, 3));
		cJSON_AddNumberToObject(m, "stepping", (double)db_column_int64(s, 4));
		add_text_column(m, "microcode", s, 5);
		add_text_column(m, "brand", s, 6);
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)db_column_int64(s, 7));
		cJSON_AddStringToObject(m, "xcr0", hex);
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)db_column_int64(s, 8));
		cJSON_AddStringToObject(m, "xss", hex);
		add_text_column(m, "cpuid_dump", s, 9);
		add_text_column(context, GBENCH_JSON_KERNEL_RELEASE, s, 10);
		add_text_column(context, GBENCH_JSON_KERNEL_CMDLINE, s, 11);
		add_text_column(context, GBENCH_JSON_DISTURBED, s, 12);
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

static int write_json(struct db *db, const struct series_run *run, const struct export_run *r, FILE *out)
{
	cJSON *root = cJSON_CreateObject(), *context = cJSON_AddObjectToObject(root, "context");
	cJSON *benchmarks = cJSON_AddArrayToObject(root, "benchmarks"), **entries, *left_out = NULL;
	int rc = 0;

	if (!(entries = malloc((size_t)(r->nr ? r->nr : 1) * sizeof(*entries)))) {
		cJSON_Delete(root);
		return xb_fail(ENOMEM, "out of memory");
	}
	cJSON_AddStringToObject(context, "date", run->started_at);
	cJSON_AddStringToObject(context, "host_name", run->hostname);
	cJSON_AddStringToObject(context, "executable", "xstate-bench");
	cJSON_AddNumberToObject(context, "xstate_bench_run", (double)run->id);
	cJSON_AddStringToObject(context, "xstate_bench_label", run->label);
	rc = add_run_place(db, run->id, context);
	for (int i = 0, n, family = 0; i < r->nr && !rc; i += n) {
		for (n = 0; i + n < r->nr && !strcmp(r->samples[i + n].id, r->samples[i].id); n++)
			;
		if (!strcmp(r->samples[i].id, CONTROL_EMPTY_LOOP_ID)) {
			if (!left_out)
				left_out = cJSON_AddObjectToObject(context, "xstate_bench_left_out");
			cJSON_AddStringToObject(left_out, r->samples[i].id, EMPTY_LOOP_LEFT_OUT);
			continue;
		}
		for (int k = 0; k < n; k++) {
			const struct export_sample *e = &r->samples[i + k];

			entries[k] = entry(e, family, n, NULL);
			if (e->error) {
				cJSON_AddTrueToObject(entries[k], "error_occurred");
				cJSON_AddStringToObject(entries[k], "error_message", e->error);
			}
			add_times(entries[k], e);
			cJSON_AddItemToArray(benchmarks, entries[k]);
		}
		if (n > 1)
			rc = add_aggregates(benchmarks, &r->samples[i], entries, n, family);
		family++;
	}
	free(entries);
	if (rc) {
		cJSON_Delete(root);
		return rc;
	}
	return json_write(root, out);
}

static void csv_number(FILE *out, double v)
{
	if (isfinite(v))
		fprintf(out, ",%.17g", v);
	else
		fputc(',', out);
}

/* Google Benchmark's CSV columns, then ticks_per_op, ns_per_op and the metrics; CRLF lines. */
static void write_csv(const struct export_run *r, FILE *out)
{
	fprintf(out, "name,iterations,real_time,cpu_time,time_unit,bytes_per_second,items_per_second,"
		     "label,error_occurred,error_message,\"ticks_per_op\",\"ns_per_op\"");
	for (int k = 0; k < r->nr_metric_names; k++) {
		fputc(',', out);
		csv_text(out, r->metric_names[k]);
	}
	fputs(CSV_RECORD_END, out);
	for (int i = 0; i < r->nr; i++) {
		const struct export_sample *e = &r->samples[i];
		const cJSON *cpu = cpu_metric(e);

		csv_text(out, e->id);
		if (e->error) {
			fputs(",,,,,,,,true,", out);
			csv_text(out, e->error);
			for (int k = 0; k < 2 + r->nr_metric_names; k++)
				fputc(',', out);
			fputs(CSV_RECORD_END, out);
			continue;
		}
		fprintf(out, ",%lld", (long long)e->batches);
		csv_number(out, gbench_time(e->ns));
		csv_number(out, cpu ? gbench_time(cpu->valuedouble) : NAN);
		fputs(",ns,,,,,", out);
		csv_number(out, e->in_ticks ? e->ticks : NAN);
		csv_number(out, e->ns);
		for (int k = 0; k < r->nr_metric_names; k++) {
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(e->metrics, r->metric_names[k]);

			csv_number(out, m ? m->valuedouble : NAN);
		}
		fputs(CSV_RECORD_END, out);
	}
}

int gbench_export(struct results_store *st, int64_t run_id, enum export_format f, FILE *out)
{
	struct export_run r = { 0 };
	struct series_run run;
	int rc = series_run_info(st, run_id, &run);

	if (rc == -ENOENT)
		return xb_fail(ENOENT, "no run %lld", (long long)run_id);
	if (!rc)
		rc = read_samples(results_db(st), run_id, &r);
	if (!rc)
		rc = read_metrics(results_db(st), run_id, &r);
	if (!rc && f == EXPORT_JSON)
		rc = write_json(results_db(st), &run, &r, out);
	else if (!rc)
		write_csv(&r, out);
	for (int i = 0; i < r.nr; i++) {
		free(r.samples[i].id);
		free(r.samples[i].error);
		cJSON_Delete(r.samples[i].metrics);
	}
	for (int i = 0; i < r.nr_metric_names; i++)
		free(r.metric_names[i]);
	free(r.metric_names);
	free(r.samples);
	return rc;
}
