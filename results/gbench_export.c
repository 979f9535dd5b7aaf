/*
 * gbench_export.c - reading a run's samples and metrics back and writing them as Google
 * Benchmark JSON (cJSON) or CSV.
 */
#include "gbench_export.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "json_write.h"
#include "series.h"

struct export_sample {
	char *id;
	int repetition, round;
	double ticks, ns;
	int64_t batches;
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

static int read_samples(struct db *db, int64_t run_id, struct export_run *r)
{
	struct db_stmt *s;
	int rc = db_prepare(db, "SELECT c.name, s.repetition, s.ticks_per_op, s.ns_per_op, s.batches, s.round FROM samples s"
				" JOIN results res ON res.run_id = s.run_id AND res.case_id = s.case_id"
				" JOIN cases c ON c.id = s.case_id WHERE s.run_id = ? AND res.status = 'ok'", &s);

	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, run_id))) {
		while ((rc = db_step(s)) == DB_ROW) {
			struct export_sample *e;

			if (r->nr == r->cap) {
				struct export_sample *grown = realloc(r->samples, (size_t)(r->cap = r->cap ? 2 * r->cap : 1024) * sizeof(*grown));

				if (!grown) {
					rc = xb_fail(ENOMEM, "out of memory");
					break;
				}
				r->samples = grown;
			}
			e = &r->samples[r->nr++];
			*e = (struct export_sample){
				.id = strdup(db_column_text(s, 0)), .repetition = (int)db_column_int64(s, 1),
				.ticks = db_column_double(s, 2), .ns = db_column_double(s, 3),
				.batches = db_column_int64(s, 4), .round = (int)db_column_int64(s, 5),
				.metrics = cJSON_CreateObject(),
			};
			if (!e->id || !e->metrics) {
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
			struct export_sample *e = bsearch(&key, r->samples, (size_t)r->nr, sizeof(*r->samples),
							  by_case_then_repetition);
			const char *name = db_column_text(s, 2);

			if (!e)
				continue; /* a case whose result is not ok */
			if (!cJSON_AddNumberToObject(e->metrics, name, db_column_double(s, 3)) ||
			    (rc = note_metric_name(r, name)))
				break;
		}
	}
	db_finalize(s);
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

static int repetitions_of(const struct export_run *r, int i)
{
	int n = 0;

	for (int k = i; k >= 0 && !strcmp(r->samples[k].id, r->samples[i].id); k--)
		n++;
	for (int k = i + 1; k < r->nr && !strcmp(r->samples[k].id, r->samples[i].id); k++)
		n++;
	return n;
}

static int write_json(const struct series_run *run, const char *host, const struct export_run *r, FILE *out)
{
	cJSON *root = cJSON_CreateObject(), *context = cJSON_AddObjectToObject(root, "context");
	cJSON *benchmarks = cJSON_AddArrayToObject(root, "benchmarks");
	int family = -1, nr_reps = 0;

	cJSON_AddStringToObject(context, "date", run->started_at);
	cJSON_AddStringToObject(context, "host_name", host);
	cJSON_AddStringToObject(context, "executable", "xstate-bench");
	cJSON_AddStringToObject(context, "library_build_type", "release");
	cJSON_AddNumberToObject(context, "xstate_bench_run", (double)run->id);
	cJSON_AddStringToObject(context, "xstate_bench_label", run->label);
	for (int i = 0; i < r->nr; i++) {
		const struct export_sample *e = &r->samples[i];
		cJSON *b = cJSON_CreateObject(), *m;

		if (!i || strcmp(e->id, r->samples[i - 1].id))
			family++, nr_reps = repetitions_of(r, i);
		cJSON_AddStringToObject(b, "name", e->id);
		cJSON_AddNumberToObject(b, "family_index", family);
		cJSON_AddNumberToObject(b, "per_family_instance_index", 0);
		cJSON_AddStringToObject(b, "run_name", e->id);
		cJSON_AddStringToObject(b, "run_type", "iteration");
		cJSON_AddNumberToObject(b, "repetitions", nr_reps);
		cJSON_AddNumberToObject(b, "repetition_index", e->repetition);
		cJSON_AddNumberToObject(b, GBENCH_JSON_ROUND, e->round);
		cJSON_AddNumberToObject(b, "threads", 1);
		cJSON_AddNumberToObject(b, "iterations", (double)e->batches);
		add_exact(b, "real_time", e->ns);
		add_exact(b, "cpu_time", e->ns);
		cJSON_AddStringToObject(b, "time_unit", "ns");
		add_exact(b, "ticks_per_op", e->ticks);
		add_exact(b, "ns_per_op", e->ns);
		cJSON_ArrayForEach(m, e->metrics)
			add_exact(b, m->string, m->valuedouble);
		cJSON_AddItemToArray(benchmarks, b);
	}
	return json_write(root, out);
}

/* Google Benchmark's CSV columns, then ticks_per_op, ns_per_op and the metrics. */
static void write_csv(const struct export_run *r, FILE *out)
{
	fprintf(out, "name,iterations,real_time,cpu_time,time_unit,bytes_per_second,items_per_second,"
		     "label,error_occurred,error_message,\"ticks_per_op\",\"ns_per_op\"");
	for (int k = 0; k < r->nr_metric_names; k++)
		fprintf(out, ",\"%s\"", r->metric_names[k]);
	fputc('\n', out);
	for (int i = 0; i < r->nr; i++) {
		const struct export_sample *e = &r->samples[i];

		fprintf(out, "\"%s\",%lld,%.17g,%.17g,ns,,,,,,%.17g,%.17g", e->id, (long long)e->batches, e->ns, e->ns,
			e->ticks, e->ns);
		for (int k = 0; k < r->nr_metric_names; k++) {
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(e->metrics, r->metric_names[k]);

			if (m)
				fprintf(out, ",%.17g", m->valuedouble);
			else
				fputc(',', out);
		}
		fputc('\n', out);
	}
}

static int host_of(struct db *db, int64_t run_id, char *host, size_t size)
{
	struct db_stmt *s;
	int rc = db_prepare(db, "SELECT coalesce(r.hostname, m.hostname) FROM runs r JOIN machines m ON m.id = r.machine_id"
				" WHERE r.id = ?", &s);

	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, run_id)) && (rc = db_step(s)) == DB_ROW)
		snprintf(host, size, "%s", db_column_text(s, 0));
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

int gbench_export(struct results_store *st, int64_t run_id, enum export_format f, FILE *out)
{
	struct export_run r = { 0 };
	struct series_run run;
	char host[128] = "";
	int rc = series_run_info(st, run_id, &run);

	if (rc == -ENOENT)
		return xb_fail(ENOENT, "no run %lld", (long long)run_id);
	if (!rc)
		rc = host_of(results_db(st), run_id, host, sizeof(host));
	if (!rc)
		rc = read_samples(results_db(st), run_id, &r);
	if (!rc)
		rc = read_metrics(results_db(st), run_id, &r);
	if (!rc && f == EXPORT_JSON)
		rc = write_json(&run, host, &r, out);
	else if (!rc)
		write_csv(&r, out);
	for (int i = 0; i < r.nr; i++) {
		free(r.samples[i].id);
		cJSON_Delete(r.samples[i].metrics);
	}
	for (int i = 0; i < r.nr_metric_names; i++)
		free(r.metric_names[i]);
	free(r.metric_names);
	free(r.samples);
	return rc;
}
