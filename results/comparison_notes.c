/*
 * comparison_notes.c - the lines printed with a comparison besides its cases: functional-only
 * timings judged on request; runs that did not finish; per NEW series its machine-wide shift, the shift's controls, whether the
 * column is disturbed or inconclusive, what would resolve its noisy cases; and NEW series
 * measured on other machines than BASE.
 */
#include "comparison.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

int comparison_add_note(struct comparison *c, int series, const char *kind, const char *fmt, ...)
{
	struct comparison_note *grown = realloc(c->notes, (size_t)(c->nr_notes + 1) * sizeof(*grown));
	va_list ap;
	int n;

	if (!grown)
		return xb_fail(ENOMEM, "out of memory");
	c->notes = grown;
	grown = &c->notes[c->nr_notes];
	grown->series = series;
	snprintf(grown->kind, sizeof(grown->kind), "%s", kind);
	va_start(ap, fmt);
	n = vasprintf(&grown->text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return xb_fail(ENOMEM, "out of memory");
	c->nr_notes++;
	return 0;
}

void comparison_free_notes(struct comparison *c)
{
	for (int i = 0; i < c->nr_notes; i++)
		free(c->notes[i].text);
	free(c->notes);
	c->notes = NULL;
	c->nr_notes = 0;
}

/* Cases of @with that @s lacks. */
static int lacking(const struct comparison *c, const struct series *s, const struct series *with)
{
	int n = 0;

	for (int r = 0; r < c->nr_rows; r++)
		n += series_find(with, c->rows[r].id) && !series_find(s, c->rows[r].id);
	return n;
}

/* An incomplete run names itself and how many of the other side's cases it lacks (BASE's for
 * a NEW run; the first NEW's for BASE). */
static int incomplete_runs(struct comparison *c)
{
	int rc = 0;

	for (int k = -1; k < c->nr_news && !rc; k++) {
		const struct series *s = k < 0 ? c->base : &c->news[k];
		const struct series *with = k < 0 ? (c->nr_news ? &c->news[0] : c->base) : c->base;

		for (int r = 0; r < s->nr_runs && !rc; r++)
			if (!s->runs[r].complete)
				rc = comparison_add_note(c, k, "warning", "run %lld is incomplete (it was killed, failed "
							 "to store or is still running): it lacks %d of the %d cases of %s,"
							 " which show as %s", (long long)s->runs[r].id, lacking(c, s, with),
							 with->nr_cases, with->name, k < 0 ? "new" : "missing");
	}
	return rc;
}

static bool has_machine(const struct series *s, const struct series_run *run)
{
	for (int r = 0; r < s->nr_runs; r++)
		if (series_same_machine(&s->runs[r], run))
			return true;
	return false;
}

static bool same_machines(const struct series *a, const struct series *b)
{
	if (!a->nr_runs || !b->nr_runs) /* a side without runs (a baseline being built) has no machine */
		return true;
	for (int r = 0; r < a->nr_runs; r++)
		if (!has_machine(b, &a->runs[r]))
			return false;
	for (int r = 0; r < b->nr_runs; r++)
		if (!has_machine(a, &b->runs[r]))
			return false;
	return true;
}

/* "HOST (CPU)" of every distinct machine of @s, joined by "; ". */
static char *machines_text(const struct series *s)
{
	char *text = NULL, one[320];
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	for (int r = 0; r < s->nr_runs; r++) {
		bool seen = false;

		for (int q = 0; q < r; q++)
			seen = seen || series_same_machine(&s->runs[q], &s->runs[r]);
		if (seen)
			continue;
		series_run_machine(&s->runs[r], one, sizeof(one));
		fprintf(f, "%s%s", r ? "; " : "", one);
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

static int other_machines(struct comparison *c)
{
	int rc = 0;

	for (int k = 0; k < c->nr_news && !rc; k++) {
		char *base, *new;

		if (same_machines(c->base, &c->news[k]))
			continue;
		base = machines_text(c->base);
		new = machines_text(&c->news[k]);
		if (!base || !new)
			rc = xb_fail(ENOMEM, "out of memory");
		else
			rc = comparison_add_note(c, k, "warning", "measured on different machines: %s on %s, %s on %s",
						 c->base->name, base, c->news[k].name, new);
		free(base);
		free(new);
	}
	return rc;
}

static double percent(double ratio)
{
	return 100 * (ratio - 1);
}

/* The machine-wide shift against NEW series @k and its controls. */
static int shift_notes(struct comparison *c, int k)
{
	const struct machine_shift *s = &c->columns[k].shift;
	char clock[32], loop[96] = "", base[24], new[24], prior[160];
	int rc;

	if (c->prior)
		snprintf(prior, sizeof(prior), "or a case's own over %d prior runs of this machine where larger",
			 c->prior->nr_used);
	else
		snprintf(prior, sizeof(prior), "pooled: fewer than %d prior runs of this machine show each case's own "
			 "(kernel paths vary 1-3%% between runs)", PRIOR_RUNS_MIN);
	if (isnan(s->ratio))
		rc = comparison_add_note(c, k, "machine-wide shift", "not estimated (%d cases, fewer than %d)", s->n_cases,
					 SHIFT_MIN_CASES);
	else
		rc = comparison_add_note(c, k, "machine-wide shift", "%+.2f%% [%+.2f, %+.2f] over %d cases: per-case "
					 "changes are %s", percent(s->ratio), percent(s->lo), percent(s->hi), s->n_cases,
					 s->adjusted ? "relative to it" : "raw, it is not significant");
	if (isnan(s->clock_ratio))
		snprintf(clock, sizeof(clock), "not recorded");
	else
		snprintf(clock, sizeof(clock), "%+.2f%%", percent(s->clock_ratio));
	snprintf(base, sizeof(base), isnan(s->empty_base) ? "-" : "%.3g", s->empty_base);
	snprintf(new, sizeof(new), isnan(s->empty_new) ? "-" : "%.3g", s->empty_new);
	if (!isnan(s->empty_base) || !isnan(s->empty_new))
		snprintf(loop, sizeof(loop), ", empty loop %s -> %s (near 0 is right)", base, new);
	if (!rc)
		rc = comparison_add_note(c, k, "controls", "core clock %s%s; run-to-run spread of a case beyond its "
					 "samples: %.2f%%, %s", clock, loop, 100 * expm1(s->tau), prior);
	return rc;
}

/* Why the column cannot be judged: a disturbed side, or every case moved alike. */
static int judgement_notes(struct comparison *c, int k)
{
	if (c->columns[k].disturbed[0])
		return comparison_add_note(c, k, "DISTURBED", "%s: no case is judged", c->columns[k].disturbed);
	if (comparison_shift_beyond(c, k))
		return comparison_add_note(c, k, "INCONCLUSIVE", "every case moved alike by more than the threshold: "
					   "the machine (clock, load, host) or a change that slows everything alike; "
					   "rerun to tell");
	return 0;
}

/* The noisy cases of NEW series @k: how far off they are and what would resolve them. */
static int noisy_note(struct comparison *c, int k)
{
	double *mdes = malloc((size_t)(c->nr_rows ? c->nr_rows : 1) * sizeof(*mdes));
	int rounds2 = 0, rounds4 = 0, runs3 = 0, runs5 = 0, n = 0, rc = 0;

	if (!mdes)
		return xb_fail(ENOMEM, "out of memory");
	for (int r = 0; r < c->nr_rows; r++) {
		const struct case_verdict *v = &c->rows[r].cells[k];

		if (v->verdict != VERDICT_NOISY || isnan(v->mde))
			continue;
		mdes[n++] = v->mde;
		rounds2 += v->rounds_factor && v->rounds_factor <= 2;
		rounds4 += v->rounds_factor && v->rounds_factor <= 4;
		runs3 += v->runs_per_side && v->runs_per_side <= 3;
		runs5 += v->runs_per_side && v->runs_per_side <= 5;
	}
	if (n)
		rc = comparison_add_note(c, k, "noisy", "%d cases cannot resolve %g%% (their median detects %.1f%%); "
					 "resolved by 2x the rounds: %d, 4x: %d; by 3 runs a side: %d, 5 runs: %d", n,
					 100 * c->options.threshold, 100 * stats_median(mdes, n), rounds2, rounds4, runs3,
					 runs5);
	free(mdes);
	return rc;
}

int comparison_add_series_notes(struct comparison *c)
{
	const char *judged = comparison_functional_only_judged(c);
	int rc = judged ? comparison_add_note(c, -1, COMPARISON_FUNCTIONAL_ONLY_NOTE, "%s (%s)",
					      COMPARISON_FUNCTIONAL_ONLY_BANNER, judged) : 0;

	if (!rc)
		rc = incomplete_runs(c);

	for (int k = 0; k < c->nr_news && !rc; k++)
		if (!(rc = shift_notes(c, k)) && !(rc = judgement_notes(c, k)))
			rc = noisy_note(c, k);
	return rc ? rc : other_machines(c);
}
