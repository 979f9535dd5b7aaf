/*
 * comparison.c - matching cases across series, measuring every cell, and what makes a
 * column disturbed.
 */
#include "comparison.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/attributes.h"
#include "../base/ids.h"
#include "disturbance.h"
#include "stats.h"

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sorted, distinct case ids of all series: measured, or failed in a NEW series. */
static int union_of_ids(const struct series *base, const struct series *news, int nr_news, const char ***ids, int *n)
{
	int total = base->nr_cases, k = 0;
	const char **all;

	for (int i = 0; i < nr_news; i++)
		total += news[i].nr_cases + news[i].nr_unmeasured;
	if (!(all = malloc((size_t)(total ? total : 1) * sizeof(*all))))
		return xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < base->nr_cases; i++)
		all[k++] = base->cases[i].id;
	for (int s = 0; s < nr_news; s++) {
		for (int i = 0; i < news[s].nr_cases; i++)
			all[k++] = news[s].cases[i].id;
		for (int i = 0; i < news[s].nr_unmeasured; i++)
			if (news[s].unmeasured[i].status == CASE_ERROR)
				all[k++] = news[s].unmeasured[i].id;
	}
	total = k;
	qsort(all, (size_t)total, sizeof(*all), by_string);
	*n = 0;
	for (int i = 0; i < total; i++)
		if (!*n || strcmp(all[*n - 1], all[i]))
			all[(*n)++] = all[i];
	*ids = all;
	return 0;
}

const char *comparison_functional_only(const struct comparison_row *row, int k)
{
	if (row->base && row->base->functional_only)
		return row->base->functional_only;
	return row->news[k] ? row->news[k]->functional_only : NULL;
}

const char *comparison_functional_only_judged(const struct comparison *c)
{
	for (int r = 0; c->options.functional_only_verdicts && r < c->nr_rows; r++)
		for (int k = 0; k < c->nr_news; k++)
			if (comparison_functional_only(&c->rows[r], k))
				return comparison_functional_only(&c->rows[r], k);
	return NULL;
}

static int estimate(const struct series *s, const struct series_case *c, struct side_estimate *out, double *median)
{
	*median = c ? stats_median(c->values, c->n) : NAN;
	if (!c) {
		*out = (struct side_estimate){ .why = "no samples" };
		return 0;
	}
	return side_estimate(c->values, c->run_of, c->round_of, c->n, s->nr_runs, out);
}

/* A case measured while something else ran, on either side: the reason into @why. */
static bool case_disturbed(const struct comparison_row *row, int k, char *why, size_t size)
{
	char reason[COMPARISON_WHY_MAX - 32];

	if (row->base && disturbance_case(&row->base->interference, reason, sizeof(reason))) {
		snprintf(why, size, "BASE: %s", reason);
		return true;
	}
	if (row->news[k] && disturbance_case(&row->news[k]->interference, reason, sizeof(reason))) {
		snprintf(why, size, "NEW: %s", reason);
		return true;
	}
	return false;
}

/* NEW series @k's record of a case it did not measure, with @status, or NULL. */
static const struct series_unmeasured *unmeasured(const struct comparison *c, int k, const char *id,
						  enum case_status status)
{
	const struct series_unmeasured *u = series_find_unmeasured(&c->news[k], id);

	return u && u->status == status ? u : NULL;
}

static int measure_rows(struct comparison *c)
{
	int rc = 0;

	for (int r = 0; r < c->nr_rows && !rc; r++) {
		struct comparison_row *row = &c->rows[r];

		for (int k = 0; k < c->nr_news && !rc; k++) {
			struct side_estimate b, n;
			double bm, nm;
			struct case_verdict *v = &row->cells[k];

			if ((rc = estimate(c->base, row->base, &b, &bm)) || (rc = estimate(&c->news[k], row->news[k], &n, &nm)))
				break;
			const struct series_unmeasured *failed = unmeasured(c, k, row->id, CASE_ERROR);

			verdict_measure(&b, bm, &n, nm, v);
			v->prior_var = prior_runs_variance(c->prior, row->id);
			/* judged like any other when asked for: then the outputs say so */
			v->functional_only = comparison_functional_only(row, k) && !c->options.functional_only_verdicts;
			v->control = !strcmp(row->id, ID_EMPTY_LOOP);
			v->failure = failed ? failed->reason : NULL;
		}
	}
	return rc;
}

/* A stored mark on one of the series' runs (the runner leaves functional-only cases out of it). */
static bool run_marked(const struct series *s, const char *side, char *why, size_t size)
{
	for (int i = 0; i < s->nr_runs; i++) {
		if (s->runs[i].disturbed[0]) {
			snprintf(why, size, "%s run %lld was disturbed: %s", side, (long long)s->runs[i].id,
				 s->runs[i].disturbed);
			return true;
		}
	}
	return false;
}

/* A side whose cases' own evidence says it was disturbed as a whole. */
static bool cases_marked(const struct comparison *c, int k, bool base, const char *side, char *why, size_t size)
{
	char reason[COMPARISON_WHY_MAX - 32], case_why[COMPARISON_WHY_MAX];
	int measured = 0, disturbed = 0;

	for (int r = 0; r < c->nr_rows; r++) {
		const struct series_case *sc = base ? c->rows[r].base : c->rows[r].news[k];

		if (!sc || c->rows[r].cells[k].functional_only)
			continue;
		measured++;
		disturbed += disturbance_case(&sc->interference, case_why, sizeof(case_why));
	}
	if (!disturbance_run(measured, disturbed, reason, sizeof(reason)))
		return false;
	snprintf(why, size, "%s: %s", side, reason);
	return true;
}

/* The median over the cases of one side's sample spread. */
static double side_spread(const struct comparison *c, int k, bool base)
{
	double *v = malloc((size_t)(c->nr_rows ? c->nr_rows : 1) * sizeof(*v)), m;
	int n = 0;

	if (!v)
		return NAN;
	for (int r = 0; r < c->nr_rows; r++) {
		const struct side_estimate *e = base ? &c->rows[r].cells[k].base : &c->rows[r].cells[k].new;

		if (e->valid && !c->rows[r].cells[k].control && !c->rows[r].cells[k].functional_only && !isnan(e->spread))
			v[n++] = e->spread;
	}
	m = stats_median(v, n);
	free(v);
	return m;
}

static void judge_column(struct comparison *c, int k)
{
	struct comparison_column *col = &c->columns[k];
	char reason[COMPARISON_WHY_MAX - 32];
	size_t size = sizeof(col->disturbed);

	col->base_spread = side_spread(c, k, true);
	col->new_spread = side_spread(c, k, false);
	if (run_marked(c->base, "BASE", col->disturbed, size) || run_marked(&c->news[k], "NEW", col->disturbed, size) ||
	    cases_marked(c, k, true, "BASE", col->disturbed, size) || cases_marked(c, k, false, "NEW", col->disturbed, size))
		return;
	if (disturbance_spread(col->new_spread, col->base_spread, reason, sizeof(reason)))
		snprintf(col->disturbed, size, "NEW: %s", reason);
	else if (disturbance_spread(col->base_spread, col->new_spread, reason, sizeof(reason)))
		snprintf(col->disturbed, size, "BASE: %s", reason);
}

/* The clock control: the median over the cases of NEW's core clock over BASE's. */
static double clock_ratio(const struct comparison *c, const struct series *base_clock, const struct series *new_clock)
{
	double *v, m;
	int n = 0;

	if (!base_clock || !new_clock || !(v = malloc((size_t)(c->nr_rows ? c->nr_rows : 1) * sizeof(*v))))
		return NAN;
	for (int r = 0; r < c->nr_rows; r++) {
		const struct series_case *b = series_find(base_clock, c->rows[r].id), *w = series_find(new_clock, c->rows[r].id);

		if (b && w)
			v[n++] = stats_median(w->values, w->n) / stats_median(b->values, b->n);
	}
	m = stats_median(v, n);
	free(v);
	return m;
}

/* Each NEW series is its own family for the correction. */
static int decide_columns(struct comparison *c, const struct series *base_clock, const struct series *new_clocks)
{
	struct case_verdict *column = malloc((size_t)(c->nr_rows ? c->nr_rows : 1) * sizeof(*column));
	int rc = column ? 0 : xb_fail(ENOMEM, "out of memory");

	for (int k = 0; k < c->nr_news && !rc; k++) {
		struct comparison_column *col = &c->columns[k];

		judge_column(c, k);
		for (int r = 0; r < c->nr_rows; r++)
			column[r] = c->rows[r].cells[k];
		/* the shift and tau come from every case; what was disturbed is withheld after */
		rc = verdict_decide(column, c->nr_rows, &c->options, &col->shift);
		for (int r = 0; r < c->nr_rows && !rc; r++) {
			struct comparison_row *row = &c->rows[r];

			if (row->base && row->news[k] && case_disturbed(row, k, row->disturbed[k], sizeof(row->disturbed[k])))
				column[r].disturbed = row->disturbed[k];
			else if (col->disturbed[0])
				column[r].disturbed = col->disturbed;
			/* a disturbed side: the figures stand, no case is judged (a failed check stands) */
			if (column[r].disturbed && column[r].verdict != VERDICT_NEW && column[r].verdict != VERDICT_MISSING &&
			    column[r].verdict != VERDICT_FAILED && !column[r].functional_only) {
				column[r].verdict = VERDICT_DISTURBED;
				column[r].why = NULL;
			}
			row->cells[k] = column[r];
			if (column[r].control) {
				col->shift.empty_base = column[r].base_median;
				col->shift.empty_new = column[r].new_median;
			}
		}
		col->shift.clock_ratio = clock_ratio(c, base_clock, new_clocks ? &new_clocks[k] : NULL);
	}
	free(column);
	return rc;
}

/* A case missing from NEW because it was skipped there says why. */
static void explain_missing(struct comparison *c)
{
	for (int r = 0; r < c->nr_rows; r++) {
		for (int k = 0; k < c->nr_news; k++) {
			struct case_verdict *v = &c->rows[r].cells[k];
			const struct series_unmeasured *skipped = unmeasured(c, k, c->rows[r].id, CASE_SKIP);

			if (v->verdict == VERDICT_MISSING && skipped)
				v->why = skipped->reason;
		}
	}
}

int comparison_build(struct comparison *c, const struct series *base, const struct series *news, int nr_news,
		     const char *metric, const struct verdict_options *o, const struct prior_runs *prior,
		     const struct series *base_clock, const struct series *new_clocks)
{
	const char **ids = NULL;
	int rc;

	*c = (struct comparison){ .metric = metric, .options = *o, .base = base, .news = news, .nr_news = nr_news,
				  .prior = prior && prior->loaded ? prior : NULL };
	if ((rc = union_of_ids(base, news, nr_news, &ids, &c->nr_rows)))
		return rc;
	c->rows = calloc((size_t)(c->nr_rows ? c->nr_rows : 1), sizeof(*c->rows));
	c->columns = calloc((size_t)(nr_news ? nr_news : 1), sizeof(*c->columns));
	if (!c->rows || !c->columns)
		rc = xb_fail(ENOMEM, "out of memory");
	for (int k = 0; k < nr_news && !rc; k++)
		c->columns[k].shift.empty_base = c->columns[k].shift.empty_new = NAN;
	for (int r = 0; r < c->nr_rows && !rc; r++) {
		struct comparison_row *row = &c->rows[r];

		row->id = ids[r];
		row->base = series_find(base, ids[r]);
		row->news = calloc((size_t)nr_news, sizeof(*row->news));
		row->cells = calloc((size_t)nr_news, sizeof(*row->cells));
		row->disturbed = calloc((size_t)nr_news, sizeof(*row->disturbed));
		if (!row->news || !row->cells || !row->disturbed) {
			rc = xb_fail(ENOMEM, "out of memory");
			break;
		}
		for (int k = 0; k < nr_news; k++)
			row->news[k] = series_find(&news[k], ids[r]);
		row->unit = row->base ? row->base->unit : NULL;
		for (int k = 0; k < nr_news && !row->unit; k++)
			row->unit = row->news[k] ? row->news[k]->unit : NULL;
	}
	free(ids);
	if (!rc)
		rc = measure_rows(c);
	if (!rc)
		rc = decide_columns(c, base_clock, new_clocks);
	if (!rc) {
		explain_missing(c);
		rc = comparison_add_series_notes(c);
	}
	return rc;
}

bool comparison_cell_present(const struct comparison_row *row, int k)
{
	return row->base || row->news[k] || row->cells[k].failure;
}

int comparison_count(const struct comparison *c, int k, enum verdict v)
{
	int n = 0;

	for (int r = 0; r < c->nr_rows; r++)
		n += comparison_cell_present(&c->rows[r], k) && c->rows[r].cells[k].verdict == v;
	return n;
}

bool comparison_shift_beyond(const struct comparison *c, int k)
{
	const struct machine_shift *s = &c->columns[k].shift;

	return s->adjusted && (s->lo > 1 + c->options.threshold || s->hi < 1 - c->options.threshold);
}

enum comparison_outcome comparison_outcome(const struct comparison *c)
{
	bool inconclusive = !series_complete(c->base);

	for (int k = 0; k < c->nr_news; k++) {
		if (comparison_count(c, k, VERDICT_REGRESSION) || comparison_count(c, k, VERDICT_FAILED) ||
		    comparison_count(c, k, VERDICT_DRIFT))
			return OUTCOME_REGRESSION;
		/* a few disturbed cases are withheld and listed; a run with many is disturbed */
		inconclusive |= !series_complete(&c->news[k]) || c->columns[k].disturbed[0] ||
				comparison_shift_beyond(c, k);
	}
	return inconclusive ? OUTCOME_INCONCLUSIVE : OUTCOME_PASS;
}

void comparison_free(struct comparison *c)
{
	for (int r = 0; r < c->nr_rows; r++) {
		free(c->rows[r].news);
		free(c->rows[r].cells);
		free(c->rows[r].disturbed);
	}
	free(c->rows);
	free(c->columns);
	c->rows = NULL;
	c->columns = NULL;
	c->nr_rows = 0;
	comparison_free_notes(c);
}

static void free_series(struct series **s, int nr)
{
	for (int i = 0; *s && i < nr; i++)
		series_free(&(*s)[i]);
	free(*s);
	*s = NULL;
}

/* Every spec in @metric: 0, or the first error (-ENOENT when one lacks the metric). */
static int load_all(struct results_store *const *stores, char *const *specs, int nr, const char *metric,
		    struct series **out)
{
	int rc = (*out = calloc((size_t)nr, sizeof(**out))) ? 0 : xb_fail(ENOMEM, "out of memory");

	for (int i = 0; i < nr && !rc; i++)
		rc = series_load(stores[i], specs[i], metric, &(*out)[i]);
	if (rc)
		free_series(out, nr);
	return rc;
}

int comparison_set_load(struct results_store *const *stores, char *const *specs, int nr, const char *metric,
			const struct verdict_options *o, struct comparison_set *out)
{
	int rc;

	*out = (struct comparison_set){ .nr = nr, .metric = metric ? metric : COMPARISON_METRIC };
	rc = load_all(stores, specs, nr, out->metric, &out->series);
	if (rc == -ENOENT && !metric) {
		out->metric = COMPARISON_METRIC_FALLBACK;
		rc = load_all(stores, specs, nr, out->metric, &out->series);
	}
	if (rc)
		return rc;
	/* not recorded (an imported run): the shift line says so */
	(void)load_all(stores, specs, nr, METRIC_CORE_CLOCK_GHZ, &out->clocks);
	if (nr > 1)
		rc = prior_runs_load(stores[0], &out->series[0], &out->series[1], nr - 1, out->metric, &out->prior);
	if (nr > 1 && !rc)
		rc = comparison_build(&out->cmp, &out->series[0], &out->series[1], nr - 1, out->metric, o, &out->prior,
				      out->clocks ? &out->clocks[0] : NULL, out->clocks ? &out->clocks[1] : NULL);
	return rc;
}

void comparison_set_free(struct comparison_set *s)
{
	comparison_free(&s->cmp);
	prior_runs_free(&s->prior);
	free_series(&s->series, s->nr);
	free_series(&s->clocks, s->nr);
}
