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

#include "db.h"
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
	out->loaded = !rc;
	return rc;
}

/* Wilson and Hilferty's (1931) chi-square quantile, within 1% of the exact one from 2 degrees
 * of freedom on at the quantiles used here. */
static double chi_square_quantile(double p, int df)
{
	double z = stats_normal_quantile(p), a = 2.0 / (9.0 * df), c = 1 - a + z * sqrt(a);

	return df * c * c * c;
}

double prior_runs_variance_bound(const double *values, int n)
{
	double mean = 0, ss = 0;

	for (int i = 0; i < n; i++)
		mean += values[i] / n;
	for (int i = 0; i < n; i++)
		ss += (values[i] - mean) * (values[i] - mean);
	/* (n - 1) s^2 / sigma^2 is chi-square with n - 1 degrees of freedom */
	return ss / chi_square_quantile(1 - PRIOR_RUNS_CONFIDENCE, n - 1);
}

int prior_runs_variance(const struct prior_runs *p, const char *case_id, double *var)
{
	const struct series_case *c = p->loaded ? series_find(&p->runs, case_id) : NULL;
	double *logs, *scratch;
	int nr = 0;

	*var = NAN;
	if (!c)
		return 0;
	logs = malloc((size_t)p->runs.nr_runs * sizeof(*logs));
	scratch = malloc((size_t)(c->n ? c->n : 1) * sizeof(*scratch));
	if (!logs || !scratch) {
		free(logs);
		free(scratch);
		return xb_fail(ENOMEM, "out of memory");
	}
	/* each run's median, in log */
	for (int r = 0; r < p->runs.nr_runs; r++) {
		int m = 0;

		for (int i = 0; i < c->n; i++)
			if (c->run_of[i] == r && c->values[i] > 0)
				scratch[m++] = c->values[i];
		if (m)
			logs[nr++] = log(stats_median(scratch, m));
	}
	if (nr >= PRIOR_RUNS_MIN)
		*var = prior_runs_variance_bound(logs, nr);
	free(logs);
	free(scratch);
	return 0;
}

void prior_runs_free(struct prior_runs *p)
{
	series_free(&p->runs);
	p->loaded = false;
}
