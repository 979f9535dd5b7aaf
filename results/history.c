/*
 * history.c - reading one case's samples across a machine's runs and summarising each run.
 */
#include "history.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/attributes.h"
#include "db.h"
#include "stats.h"

struct history_sample {
	struct series_run run;
	double v;
	bool functional_only;
};

static int latest_machine(struct db *db, const char *case_id, int64_t *machine_id)
{
	bool found;
	int rc = db_select_int64(db, "SELECT r.machine_id FROM results res JOIN runs r ON r.id = res.run_id"
				     " JOIN cases c ON c.id = res.case_id WHERE c.name = ? AND res.status = 'ok'"
				     " ORDER BY r.id DESC LIMIT 1", case_id, machine_id, &found);

	return rc ? rc : found ? 0 : xb_fail(ENOENT, "no run measured %s", case_id);
}

static int read_samples(struct db *db, const char *case_id, const char *metric, int64_t machine_id,
			struct history_sample **out, int *nr, char *unit, size_t unit_size)
{
	bool binds_name;
	const char *source = series_metric_source(metric, &binds_name);
	struct db_stmt *s;
	char sql[832];
	int rc, cap = 0, arg = 1;

	snprintf(sql, sizeof(sql), "SELECT v.value, c.unit, fa.value, " SERIES_RUN_COLUMNS
		 " FROM %s JOIN cases c ON c.id = v.case_id"
		 " JOIN runs r ON r.id = v.run_id JOIN results res ON res.run_id = v.run_id AND res.case_id = v.case_id"
		 " LEFT JOIN result_attributes fa ON fa.run_id = v.run_id AND fa.case_id = v.case_id"
		 " AND fa.name = ? WHERE c.name = ? AND r.machine_id = ? AND res.status = 'ok'", source);
	if ((rc = db_prepare(db, sql, &s)))
		return rc;
	if (!(rc = binds_name ? db_bind_text(s, arg++, metric) : 0) &&
	    !(rc = db_bind_text(s, arg++, ATTR_FUNCTIONAL_ONLY)) && !(rc = db_bind_text(s, arg++, case_id)) &&
	    !(rc = db_bind_int64(s, arg, machine_id))) {
		while ((rc = db_step(s)) == DB_ROW) {
			struct history_sample *h;

			if (*nr == cap) {
				struct history_sample *grown = realloc(*out, (size_t)(cap = cap ? 2 * cap : 256) * sizeof(*grown));

				if (!grown) {
					rc = xb_fail(ENOMEM, "out of memory");
					break;
				}
				*out = grown;
			}
			h = &(*out)[(*nr)++];
			h->v = db_column_double(s, 0);
			h->functional_only = !db_column_is_null(s, 2);
			series_run_columns(s, 3, &h->run);
			snprintf(unit, unit_size, "%s", series_metric_unit(metric, db_column_text(s, 1)));
		}
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

static int by_run(const void *a, const void *b)
{
	int64_t x = ((const struct history_sample *)a)->run.id, y = ((const struct history_sample *)b)->run.id;

	return (x > y) - (x < y);
}

static int by_time(const void *a, const void *b)
{
	const struct history_point *x = a, *y = b;
	int c = strcmp(x->run.started_at, y->run.started_at);

	return c ? c : (x->run.id > y->run.id) - (x->run.id < y->run.id);
}

static int summarise(struct history_sample *samples, int nr, struct history *out)
{
	double *v = malloc((size_t)(nr ? nr : 1) * sizeof(*v));
	int rc = v ? 0 : xb_fail(ENOMEM, "out of memory");

	if (!rc && !(out->points = calloc((size_t)(nr ? nr : 1), sizeof(*out->points))))
		rc = xb_fail(ENOMEM, "out of memory");
	qsort(samples, (size_t)nr, sizeof(*samples), by_run);
	for (int i = 0; i < nr && !rc;) {
		struct history_point *p = &out->points[out->nr_points++];
		int j = i;

		for (; j < nr && samples[j].run.id == samples[i].run.id; j++)
			v[j - i] = samples[j].v;
		stats_sort(v, j - i);
		p->n = j - i;
		p->median = stats_quantile_sorted(v, p->n, 0.5);
		p->q1 = stats_quantile_sorted(v, p->n, 0.25);
		p->q3 = stats_quantile_sorted(v, p->n, 0.75);
		p->iqr_percent = stats_iqr_percent(v, p->n);
		p->functional_only = samples[i].functional_only;
		p->run = samples[i].run;
		i = j;
	}
	qsort(out->points, (size_t)out->nr_points, sizeof(*out->points), by_time);
	free(v);
	return rc;
}

int history_load(struct results_store *st, const char *case_id, const char *metric, int64_t machine_id,
		 struct history *out)
{
	struct history_sample *samples = NULL;
	int nr = 0, rc = 0;

	memset(out, 0, sizeof(*out));
	if (!machine_id)
		rc = latest_machine(results_db(st), case_id, &machine_id);
	out->machine_id = machine_id;
	if (!rc)
		rc = read_samples(results_db(st), case_id, metric, machine_id, &samples, &nr, out->unit, sizeof(out->unit));
	if (!rc && !nr)
		rc = xb_fail(ENOENT, "no samples of %s for %s on machine %lld", metric, case_id, (long long)machine_id);
	if (!rc)
		rc = summarise(samples, nr, out);
	free(samples);
	return rc;
}

void history_free(struct history *h)
{
	free(h->points);
	memset(h, 0, sizeof(*h));
}
