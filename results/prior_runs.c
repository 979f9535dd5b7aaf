/*
 * prior_runs.c - each case's run-to-run variance on one machine from the database's other
 * runs of it (see prior_runs.h).
 */
#include "prior_runs.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/ids.h"
#include "db.h"
#include "disturbance.h"
#include "stats.h"

static bool in_news(int64_t run_id, const struct series *news, int nr_news)
{
	for (int k = 0; k < nr_news; k++)
		for (int i = 0; i < news[k].nr_runs; i++)
			if (news[k].runs[i].id == run_id)
				return true;
	return false;
}

/* "runs:A,B,C" of the most recent complete, undisturbed runs of BASE's machine and kernel
 * that NEW does not hold; *count of them. */
static int select_runs(struct results_store *st, const struct series *base, const struct series *news,
		       int nr_news, char *spec, size_t size, int *count)
{
	const struct series_run *ref = &base->runs[0];
	struct db_stmt *s;
	size_t used = (size_t)snprintf(spec, size, "runs:");
	int rc = db_prepare(results_db(st), "SELECT id FROM runs WHERE machine_id = ? AND complete = 1 AND "
				"(disturbed IS NULL OR disturbed = '') AND COALESCE(kernel_release, '') = ? "
				"ORDER BY id DESC", &s);

	*count = 0;
	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, ref->machine_id)) && !(rc = db_bind_text(s, 2, ref->kernel)))
		while (*count < PRIOR_RUNS_MAX && (rc = db_step(s)) == DB_ROW) {
			int64_t id = db_column_int64(s, 0);
			int n;

			if (in_news(id, news, nr_news))
				continue;
			n = snprintf(spec + used, size - used, "%s%lld", *count ? "," : "", (long long)id);
			if (n < 0 || (size_t)n >= size - used)
				break;
			used += (size_t)n;
			++*count;
		}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/* @c's median in each run, in log (NAN where it has no sample), into @logs, and its samples'
 * interquartile range in percent into @iqr; @scratch holds c->n values. */
static void run_medians(const struct series_case *c, int nr_runs, double *logs, double *iqr, double *scratch)
{
	for (int r = 0; r < nr_runs; r++) {
		int m = 0;

		for (int i = 0; i < c->n; i++)
			if (c->run_of[i] == r && c->values[i] > 0)
				scratch[m++] = c->values[i];
		stats_sort(scratch, m);
		logs[r] = m ? log(stats_quantile_sorted(scratch, m, 0.5)) : NAN;
		iqr[r] = m ? stats_iqr_percent(scratch, m) : NAN;
	}
}

/*
 * Leaves out the runs that were disturbed as compare would say it of them though the database
 * does not (an import of an older export): their samples spread over the threshold
 * (disturbance_spread()). @iqr is cases x runs.
 */
static void drop_disturbed(double *logs, const double *iqr, int cases, int runs, double *scratch, int *nr_kept)
{
	char why[160];

	*nr_kept = 0;
	for (int r = 0; r < runs; r++) {
		int m = 0;

		for (int c = 0; c < cases; c++)
			if (!isnan(iqr[c * runs + r]))
				scratch[m++] = iqr[c * runs + r];
		if (m && disturbance_spread(stats_median(scratch, m), NAN, why, sizeof(why))) {
			for (int c = 0; c < cases; c++)
				logs[c * runs + r] = NAN;
			continue;
		}
		++*nr_kept;
	}
}

/* The mean of @n values, NANs left out. */
static double mean_present(const double *v, int n)
{
	double sum = 0;
	int m = 0;

	for (int i = 0; i < n; i++)
		if (!isnan(v[i]))
			sum += v[i], m++;
	return m ? sum / m : NAN;
}

int prior_runs_case_variances(const double *logs, int cases, int runs, double *variance)
{
	size_t per_case = (size_t)(cases ? cases : 1) * sizeof(double);
	double *dev = malloc(per_case), *mean = malloc(per_case), *level = malloc((size_t)runs * sizeof(*level));
	double *row = malloc((size_t)runs * sizeof(*row));
	int rc = dev && mean && level && row ? 0 : xb_fail(ENOMEM, "out of memory");

	for (int c = 0; c < cases && !rc; c++) {
		int m = 0;

		for (int r = 0; r < runs; r++)
			m += !isnan(logs[c * runs + r]);
		variance[c] = m >= PRIOR_RUNS_MIN ? 0 : NAN;
		mean[c] = mean_present(&logs[c * runs], runs);
	}
	/* each run's level: the median over the cases of their deviation from their mean */
	for (int r = 0; r < runs && !rc; r++) {
		int m = 0;

		for (int c = 0; c < cases; c++)
			if (!isnan(variance[c]) && !isnan(logs[c * runs + r]))
				dev[m++] = logs[c * runs + r] - mean[c];
		level[r] = m ? stats_median(dev, m) : 0;
	}
	for (int c = 0; c < cases && !rc; c++) {
		int m = 0;

		if (isnan(variance[c]))
			continue;
		for (int r = 0; r < runs; r++)
			if (!isnan(logs[c * runs + r]))
				row[m++] = logs[c * runs + r] - level[r];
		variance[c] = stats_variance_upper_bound(row, m, RUN_VARIANCE_CONFIDENCE);
	}
	free(dev);
	free(mean);
	free(level);
	free(row);
	return rc;
}

/* Every case's run medians, the disturbed runs left out, then their variances and how many
 * runs measured each. */
static int estimate(struct prior_runs *p)
{
	int runs = p->runs.nr_runs, cases = p->runs.nr_cases, most = 1, rc;
	size_t cells = (size_t)(cases ? cases : 1) * (size_t)runs;
	double *logs, *iqr, *scratch;

	for (int c = 0; c < cases; c++)
		most = p->runs.cases[c].n > most ? p->runs.cases[c].n : most;
	logs = malloc(cells * sizeof(*logs));
	iqr = malloc(cells * sizeof(*iqr));
	/* a case's samples (run_medians()) or a run's cases (drop_disturbed()) */
	scratch = malloc((size_t)(most > cases ? most : cases) * sizeof(*scratch));
	p->variance = malloc((size_t)(cases ? cases : 1) * sizeof(*p->variance));
	p->nr_measured = calloc((size_t)(cases ? cases : 1), sizeof(*p->nr_measured));
	rc = logs && iqr && scratch && p->variance && p->nr_measured ? 0 : xb_fail(ENOMEM, "out of memory");
	for (int c = 0; c < cases && !rc; c++)
		run_medians(&p->runs.cases[c], runs, &logs[c * runs], &iqr[c * runs], scratch);
	if (!rc)
		drop_disturbed(logs, iqr, cases, runs, scratch, &p->nr_used);
	for (int c = 0; c < cases && !rc; c++)
		for (int r = 0; r < runs; r++)
			p->nr_measured[c] += !isnan(logs[c * runs + r]);
	if (!rc)
		rc = prior_runs_case_variances(logs, cases, runs, p->variance);
	free(logs);
	free(iqr);
	free(scratch);
	return rc;
}

int prior_runs_load(struct results_store *st, const struct series *base, const struct series *news, int nr_news,
		    const char *metric, struct prior_runs *out)
{
	char spec[SERIES_NAME_MAX];
	int count, rc;

	*out = (struct prior_runs){ 0 };
	if (!base->nr_runs)
		return 0;
	if ((rc = select_runs(st, base, news, nr_news, spec, sizeof(spec), &count)) || count < PRIOR_RUNS_MIN)
		return rc;
	/* a run without the metric (an import) leaves none to take */
	rc = series_load(st, spec, metric, &out->runs);
	if (rc == -ENOENT) {
		series_free(&out->runs);
		return 0;
	}
	if (!rc)
		rc = estimate(out);
	out->loaded = !rc && out->nr_used >= PRIOR_RUNS_MIN;
	return rc;
}

double prior_runs_variance(const struct prior_runs *p, const char *case_id)
{
	const struct series_case *c = p && p->loaded ? series_find(&p->runs, case_id) : NULL;
	double var = c ? p->variance[c - p->runs.cases] : NAN, floor = log1p(PRIOR_KERNEL_PATH_SPREAD);
	struct bench_id_parts parts;

	if (!bench_id_parse(case_id, &parts) || bench_id_instruction_loop(&parts))
		return var;
	if (c && p->nr_measured[c - p->runs.cases] >= PRIOR_RUNS_FULL)
		return var;
	return fmax(var, floor * floor);
}

void prior_runs_free(struct prior_runs *p)
{
	series_free(&p->runs);
	free(p->variance);
	free(p->nr_measured);
	p->variance = NULL;
	p->nr_measured = NULL;
	p->loaded = false;
}
