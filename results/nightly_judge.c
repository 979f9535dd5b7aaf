/*
 * nightly_judge.c - the rolling baseline, the comparison (or the building one), the trend
 * over the key's nights, and the night's state.
 */
#include "nightly_judge.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "baseline.h"
#include "disturbance.h"
#include "replication.h"

bool nightly_row_flagged(const struct nightly_judgement *j, int row)
{
	enum verdict v = j->cmp->rows[row].cells[0].verdict;

	return comparison_cell_present(&j->cmp->rows[row], 0) &&
	       (v == VERDICT_REGRESSION || v == VERDICT_IMPROVEMENT || v == VERDICT_FAILED || v == VERDICT_DRIFT);
}

/* The named baseline of a key: "nightly-m3-1a2b3c4d", the machine and the configuration's CRC. */
static void baseline_name(const struct nightly_key *key, char *out, size_t size)
{
	uLong crc = crc32(0, (const Bytef *)key->configuration, (uInt)strlen(key->configuration));

	snprintf(out, size, "nightly-m%" PRId64 "-%08lx", key->machine_id, crc);
}

/*
 * A case of a night without verdicts is new, and says why; or disturbed, by its own evidence
 * or its run's (a comparison finds a case disturbed only where both sides have it).
 */
static void mark_building_cell(struct comparison_row *row, const char *why)
{
	struct case_verdict *v = &row->cells[0];
	char reason[COMPARISON_WHY_MAX - 8];

	if (v->verdict != VERDICT_NEW)
		return;
	v->why = why;
	if (!v->functional_only && disturbance_case(&row->news[0]->interference, reason, sizeof(reason))) {
		snprintf(row->disturbed[0], sizeof(row->disturbed[0]), "NEW: %s", reason);
		v->disturbed = row->disturbed[0];
	}
	if (v->disturbed && !v->functional_only) {
		v->verdict = VERDICT_DISTURBED;
		v->why = NULL;
	}
}

/*
 * Tonight against a baseline with the nights' runs but none of their cases (its name, in
 * j->empty_base.name, is every case's reason): every case new, a note of @kind saying @note.
 */
static int compare_without_cases(struct results_store *st, struct nightly_judgement *j, const char *kind,
				 const char *note)
{
	struct results_store *stores[1] = { st };
	char run_spec[32], *specs[1] = { run_spec };
	const struct series *clocks;
	int rc;

	snprintf(run_spec, sizeof(run_spec), "run:%" PRId64, j->run_id);
	if ((rc = comparison_set_load(stores, specs, 1, NULL, &j->options.verdict, &j->set)))
		return rc;
	if (!(j->empty_base.runs = calloc((size_t)(j->nr_baseline ? j->nr_baseline : 1), sizeof(*j->empty_base.runs))))
		return xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < j->nr_baseline && !rc; i++)
		if (!(rc = series_run_info(st, j->baseline[i], &j->empty_base.runs[i])))
			j->empty_base.nr_runs++;
	clocks = j->set.clocks ? &j->set.clocks[0] : NULL;
	if (!rc)
		rc = comparison_build(&j->building_cmp, &j->empty_base, &j->set.series[0], 1, j->set.metric,
				      &j->options.verdict, NULL, NULL, clocks);
	if (rc)
		return rc;
	j->cmp = &j->building_cmp;
	for (int r = 0; r < j->cmp->nr_rows; r++)
		mark_building_cell(&j->cmp->rows[r], j->empty_base.name);
	return comparison_add_note(j->cmp, -1, kind, "%s", note);
}

static int compare_while_building(struct results_store *st, struct nightly_judgement *j)
{
	char note[160];

	snprintf(j->empty_base.name, sizeof(j->empty_base.name), "rolling baseline (building: %d of %d nights)",
		 j->nr_baseline, j->options.baseline_nights);
	snprintf(note, sizeof(note), "%d of %d quiet nights so far: no verdicts until the rolling baseline has %d",
		 j->nr_baseline, j->options.baseline_nights, j->options.baseline_nights);
	return compare_without_cases(st, j, "building baseline", note);
}

/* The rolling baseline set under its name, and tonight compared with it. */
static int compare_with_baseline(struct results_store *st, struct nightly_judgement *j, const char *now)
{
	struct results_store *stores[2] = { st, st };
	char base_spec[96], run_spec[32], *specs[2] = { base_spec, run_spec };
	struct baseline_outcome bo;
	int rc = baseline_set(st, j->baseline_name, j->baseline, j->nr_baseline, now, stdout, &bo);

	if (rc == -EINVAL) { /* the nights' runs are complete and of one machine: every result is functional only */
		snprintf(j->empty_base.name, sizeof(j->empty_base.name), "rolling baseline (its results are all "
			 "functional only)");
		return compare_without_cases(st, j, "functional only", "no result of the rolling baseline's nights has "
					     "timings that mean something: nothing is compared, a failed check still counts");
	}
	if (rc)
		return rc;
	snprintf(base_spec, sizeof(base_spec), "baseline:%s", j->baseline_name);
	snprintf(run_spec, sizeof(run_spec), "run:%" PRId64, j->run_id);
	if ((rc = comparison_set_load(stores, specs, 2, NULL, &j->options.verdict, &j->set)))
		return rc;
	j->cmp = &j->set.cmp;
	j->against_baseline = true;
	return 0;
}

/* Cases of the trend: tonight's measured cases that mean something (no control). */
static bool trend_row(const struct comparison *c, int r)
{
	const struct comparison_row *row = &c->rows[r];

	return row->news[0] && !row->cells[0].functional_only && !row->cells[0].control;
}

/* One night's location of every trend row into column @t of @loc (NAN where absent). */
static int night_locations(struct results_store *st, const struct nightly_judgement *j, int64_t run_id, int t,
			   int nights, const int *rows, int nr_rows, double *loc, struct series_run *run)
{
	char spec[32];
	struct series s;
	int rc;

	snprintf(spec, sizeof(spec), "run:%" PRId64, run_id);
	if ((rc = series_load(st, spec, j->set.metric, &s)) == -ENOENT) { /* a night without the metric */
		for (int i = 0; i < nr_rows; i++)
			loc[i * nights + t] = NAN;
		return 0;
	}
	for (int i = 0; i < nr_rows && !rc; i++) {
		const struct series_case *c = series_find(&s, j->cmp->rows[rows[i]].id);
		struct side_estimate e = { .valid = false };

		if (c && !c->functional_only)
			rc = side_estimate(c->values, c->run_of, c->round_of, c->n, 1, &e);
		loc[i * nights + t] = e.valid ? e.location : NAN;
	}
	if (!rc)
		*run = s.runs[0];
	series_free(&s);
	return rc;
}

/* "drift: +0.5% a night from run 12 (2026-01-01T02:00:00Z) on, +4.6% over 9 nights; ..." */
static void drift_text(const struct nightly_drift *d, char *out, size_t size)
{
	snprintf(out, size, "drift: %+.2f%% a night from run %" PRId64 " (%s) on, %+.1f%% over %d nights; Mann-Kendall "
		 "p %.2g after Holm's correction", 100 * d->per_night, d->began_run, d->began_at, 100 * d->change,
		 d->nights, d->p_adjusted);
}

/* Appends to j->drifts and j->drift_why, allocated for every case before (a cell's why
 * points into drift_why). */
static void add_drift(struct nightly_judgement *j, int row, const struct trend_verdict *v,
		      const struct trend_series *s, const int64_t *runs, const struct series_run *info)
{
	struct nightly_drift *d;
	int first = s->t[v->began];

	d = &j->drifts[j->nr_drifts];
	*d = (struct nightly_drift){
		.row = row, .direction = v->direction, .began_run = runs[first],
		.nights = s->t[s->n - 1] - s->t[v->began ? v->began - 1 : 0],
		.per_night = expm1(v->slope), .change = expm1(v->change), .p_adjusted = v->p_adjusted,
	};
	snprintf(d->began_at, sizeof(d->began_at), "%s", info[first].started_at);
	drift_text(d, j->drift_why[j->nr_drifts], sizeof(j->drift_why[0]));
	j->nr_drifts++;
}

/* The machine-wide level's own trend: every case alike, a note (the machine, or everything). */
static int level_note(struct nightly_judgement *j, const double *level, const int *t, int nights,
		      const int64_t *runs, const struct series_run *info)
{
	struct trend_series s = { level, t, nights };
	struct trend_verdict v;
	int rc = trend_decide(&s, 1, &(struct trend_options){ j->options.verdict.threshold, j->options.verdict.alpha }, &v);

	if (rc || !v.direction)
		return rc;
	return comparison_add_note(j->cmp, 0, "machine-wide drift", "every case alike %+.2f%% a night from run %" PRId64
				   " (%s) on, %+.1f%% in all: the machine (clock, host) or a change that slows "
				   "everything alike", 100 * expm1(v.slope), runs[v.began], info[v.began].started_at,
				   100 * expm1(v.change));
}

/* Each case's trend over the key's nights, tonight last; drifts into the verdicts and notes. */
static int judge_trend(struct results_store *st, struct nightly_judgement *j, int64_t *runs, int nights)
{
	const struct trend_options to = { j->options.verdict.threshold, j->options.verdict.alpha };
	int *rows = malloc((size_t)(j->cmp->nr_rows + 1) * sizeof(*rows)), *t = malloc((size_t)nights * sizeof(*t));
	double *loc = NULL, *x = NULL, level[NIGHTLY_TREND_NIGHTS];
	struct series_run info[NIGHTLY_TREND_NIGHTS];
	struct trend_series *series = NULL;
	struct trend_verdict *v = NULL;
	int nr_rows = 0, tested = 0, rc = rows && t ? 0 : xb_fail(ENOMEM, "out of memory");

	for (int r = 0; r < j->cmp->nr_rows && !rc; r++)
		if (trend_row(j->cmp, r))
			rows[nr_rows++] = r;
	loc = malloc((size_t)(nr_rows * nights + 1) * sizeof(*loc));
	x = malloc((size_t)(nr_rows * nights + 1) * sizeof(*x));
	series = calloc((size_t)(nr_rows + 1), sizeof(*series));
	v = calloc((size_t)(nr_rows + 1), sizeof(*v));
	j->drifts = calloc((size_t)(nr_rows + 1), sizeof(*j->drifts));
	j->drift_why = calloc((size_t)(nr_rows + 1), sizeof(*j->drift_why));
	if (!rc && (!loc || !x || !series || !v || !j->drifts || !j->drift_why))
		rc = xb_fail(ENOMEM, "out of memory");
	for (int n = 0; n < nights && !rc; n++) {
		t[n] = n;
		rc = night_locations(st, j, runs[n], n, nights, rows, nr_rows, loc, &info[n]);
	}
	if (!rc)
		rc = trend_relative_levels(loc, nr_rows, nights, level);
	/* the family: the cases tonight's comparison left unchanged or noisy (the others are
	 * given no nights, so they are not tested) */
	for (int i = 0; i < nr_rows && !rc; i++) {
		enum verdict cell = j->cmp->rows[rows[i]].cells[0].verdict;
		int *at = malloc((size_t)nights * sizeof(*at)), m = 0;

		if (!at) {
			rc = xb_fail(ENOMEM, "out of memory");
			break;
		}
		for (int n = 0; n < nights; n++)
			if (!isnan(loc[i * nights + n]))
				x[i * nights + m] = loc[i * nights + n], at[m++] = n;
		series[i] = (struct trend_series){ &x[i * nights], at,
						   cell == VERDICT_UNCHANGED || cell == VERDICT_NOISY ? m : 0 };
	}
	if (!rc)
		rc = trend_decide(series, nr_rows, &to, v);
	for (int i = 0; i < nr_rows && !rc; i++) {
		tested += v[i].tested;
		if (!v[i].direction)
			continue;
		add_drift(j, rows[i], &v[i], &series[i], runs, info);
		if (v[i].direction > 0) {
			j->cmp->rows[rows[i]].cells[0].verdict = VERDICT_DRIFT;
			j->cmp->rows[rows[i]].cells[0].why = j->drift_why[j->nr_drifts - 1];
		} else {
			rc = comparison_add_note(j->cmp, 0, "drift (faster)", "%s %s", j->cmp->rows[rows[i]].id,
						 j->drift_why[j->nr_drifts - 1] + strlen("drift: "));
		}
	}
	if (!rc)
		rc = comparison_add_note(j->cmp, 0, "trend", "%d nights from run %" PRId64 " (%s) on, Mann-Kendall over "
					 "%d cases with Holm's correction: %d drifting", nights, runs[0], info[0].started_at,
					 tested, j->nr_drifts);
	if (!rc)
		rc = level_note(j, level, t, nights, runs, info);
	for (int i = 0; i < nr_rows; i++)
		free((int *)series[i].t);
	j->nr_trend_nights = nights;
	free(rows);
	free(t);
	free(loc);
	free(x);
	free(series);
	free(v);
	return rc;
}

/* The trend is tested on a night that was judged (not building, nothing inconclusive) and
 * has TREND_MIN_NIGHTS nights or more to look back over. */
static int trend(struct results_store *st, struct nightly_judgement *j)
{
	int64_t runs[NIGHTLY_TREND_NIGHTS];
	int nr;
	int rc;

	if (j->building || comparison_outcome(j->cmp) == OUTCOME_INCONCLUSIVE)
		return 0;
	if ((rc = nightly_trend_runs(st, &j->key, j->run_id, NIGHTLY_TREND_NIGHTS - 1, runs, &nr)))
		return rc;
	runs[nr++] = j->run_id;
	if (nr < TREND_MIN_NIGHTS)
		return comparison_add_note(j->cmp, 0, "trend", "not tested: %d nights, fewer than %d", nr, TREND_MIN_NIGHTS);
	return judge_trend(st, j, runs, nr);
}

/* Tonight's cases over a disturbance threshold on their own evidence, of *measured; the
 * first's reason. */
static int disturbed_cases(const struct series *night, int *measured, char *first, size_t size)
{
	char why[COMPARISON_WHY_MAX];
	int n = 0;

	first[0] = 0;
	*measured = 0;
	for (int i = 0; i < night->nr_cases; i++) {
		if (night->cases[i].functional_only)
			continue;
		++*measured;
		if (!disturbance_case(&night->cases[i].interference, why, sizeof(why)))
			continue;
		if (!n++)
			snprintf(first, size, "%s: %s", night->cases[i].id, why);
	}
	return n;
}

/* "2 regression, 1 drift": the flagged verdicts' counts. */
static void flagged_text(const struct comparison *c, char *out, size_t size)
{
	static const enum verdict flagged[] = { VERDICT_REGRESSION, VERDICT_FAILED, VERDICT_DRIFT, VERDICT_IMPROVEMENT };
	size_t used = 0;

	out[0] = 0;
	for (size_t i = 0; i < sizeof(flagged) / sizeof(flagged[0]) && used < size; i++) {
		int n = comparison_count(c, 0, flagged[i]);

		if (n)
			used += (size_t)snprintf(out + used, size - used, "%s%d %s", used ? ", " : "", n,
						 verdict_name(flagged[i]));
	}
}

static void decide_state(struct nightly_judgement *j)
{
	const struct series *night = &j->cmp->news[0];
	const struct comparison_column *col = &j->cmp->columns[0];
	char first[COMPARISON_WHY_MAX + 64], spread[160], counts[160], share[160];
	int measured;
	bool many;

	for (int r = 0; r < j->cmp->nr_rows; r++) {
		j->compared += j->cmp->rows[r].base && j->cmp->rows[r].news[0];
		j->flagged += nightly_row_flagged(j, r);
	}
	j->disturbed = disturbed_cases(night, &measured, first, sizeof(first));
	/* a few disturbed cases are withheld and listed; more than a run may have make the night
	 * disturbed (disturbance_run(), as compare judges a side) */
	many = disturbance_run(measured, j->disturbed, share, sizeof(share));
	j->outcome = comparison_outcome(j->cmp);
	if (j->outcome == OUTCOME_PASS && many)
		j->outcome = OUTCOME_INCONCLUSIVE;
	if (night->runs[0].disturbed[0]) {
		j->state = NIGHT_DISTURBED;
		snprintf(j->reason, sizeof(j->reason), "the run was disturbed: %s", night->runs[0].disturbed);
	} else if (disturbance_spread(col->new_spread, col->base_spread, spread, sizeof(spread))) {
		j->state = NIGHT_DISTURBED;
		snprintf(j->reason, sizeof(j->reason), "the run was disturbed: %s", spread);
	} else if (many) {
		j->state = NIGHT_DISTURBED;
		snprintf(j->reason, sizeof(j->reason), "%s (%s)", share, first);
	} else if (j->flagged) {
		j->state = NIGHT_FLAGGED;
		flagged_text(j->cmp, counts, sizeof(counts));
		snprintf(j->reason, sizeof(j->reason), "%s", counts);
	} else if (j->outcome == OUTCOME_INCONCLUSIVE) {
		j->state = NIGHT_INCONCLUSIVE;
		snprintf(j->reason, sizeof(j->reason), "%s", col->disturbed[0] ? col->disturbed
			 : !series_complete(night) || !series_complete(j->cmp->base) ? "a run is incomplete"
			 : "every case moved alike by more than the threshold");
	} else {
		j->state = j->building ? NIGHT_BUILDING : NIGHT_PASS;
		snprintf(j->reason, sizeof(j->reason), j->building ? "building baseline (%d of %d)"
			 : "nothing flagged against the last %d quiet nights", j->nr_baseline, j->options.baseline_nights);
	}
}

int nightly_judge(struct results_store *st, int64_t run_id, const struct nightly_key *key,
		  const struct nightly_options *o, const char *now, struct nightly_judgement *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->run_id = run_id;
	out->key = *key;
	out->options = *o;
	baseline_name(key, out->baseline_name, sizeof(out->baseline_name));
	rc = nightly_baseline_runs(st, key, run_id, o->baseline_nights, out->baseline, &out->nr_baseline);
	out->building = out->nr_baseline < o->baseline_nights;
	if (!rc)
		rc = out->building ? compare_while_building(st, out) : compare_with_baseline(st, out, now);
	if (!rc)
		rc = trend(st, out);
	if (!rc)
		rc = nightly_recent_runs(st, key, run_id, NIGHTLY_CHART_NIGHTS - 1, out->history, &out->nr_history);
	if (!rc) {
		out->history[out->nr_history++] = run_id;
		decide_state(out);
	}
	return rc;
}

void nightly_judgement_free(struct nightly_judgement *j)
{
	comparison_free(&j->building_cmp);
	comparison_set_free(&j->set);
	free(j->empty_base.runs);
	free(j->drifts);
	free(j->drift_why);
	memset(j, 0, sizeof(*j));
}
