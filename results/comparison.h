/*
 * comparison.h - BASE against one or more NEW series: one row per case id found in any of
 * them (measured, or failed in a NEW series), one verdict per NEW series that has the case; per NEW series, the machine-wide shift with its controls,
 * and whether the comparison can be judged at all (a side measured while something else
 * ran is disturbed: its cases get no regression or improvement).
 */
#ifndef XB_RESULTS_COMPARISON_H
#define XB_RESULTS_COMPARISON_H

#include <stdbool.h>

#include "../base/attributes.h"
#include "series.h"
#include "prior_runs.h"
#include "verdict.h"

#define COMPARISON_WHY_MAX 320

/* What compare and report compare unless told: estimated core cycles, from which the clock
 * chain has taken the core clock's drift; ticks where a series has no cycle estimates
 * (imported from another tool). */
#define COMPARISON_METRIC METRIC_CORE_CYCLES_PER_OP
#define COMPARISON_METRIC_FALLBACK METRIC_TICKS_PER_OP

struct comparison_row {
	const char *id;
	const char *unit;
	const struct series_case *base;   /* NULL when BASE lacks the case */
	const struct series_case **news;  /* per NEW series, NULL when it lacks the case */
	struct case_verdict *cells;       /* per NEW series */
	char (*disturbed)[COMPARISON_WHY_MAX]; /* per NEW series: what cells[k].disturbed points to */
};

struct comparison_column {
	struct machine_shift shift;
	/* why the whole comparison with this NEW series cannot be judged, "" when it can */
	char disturbed[COMPARISON_WHY_MAX];
	double base_spread, new_spread; /* the median over the cases of their samples' IQR% */
};

/* A line every format prints with the comparison, "kind: text": a warning (an incomplete
 * run, runs on different machines), the machine-wide shift and its controls, a disturbed or
 * inconclusive column, what would resolve the noisy cases; about the whole comparison or
 * one NEW series (comparison_notes.c). */
struct comparison_note {
	int series;    /* the NEW series it is about, or -1: the whole comparison */
	char kind[24]; /* "warning", "machine-wide shift", ...: printed before the text */
	char *text;
};

struct comparison {
	const char *metric;
	struct verdict_options options;
	const struct series *base;
	const struct series *news;
	int nr_news;
	const struct prior_runs *prior; /* BASE's machine's prior runs, or NULL */
	int nr_rows;
	struct comparison_row *rows;
	struct comparison_column *columns; /* per NEW series */
	int nr_notes;
	struct comparison_note *notes;
};

/* The exit status `compare` and `nightly` share. */
enum comparison_outcome {
	OUTCOME_PASS = 0,         /* nothing regressed */
	OUTCOME_REGRESSION = 1,   /* a case regressed, drifted (nightly) or failed its checks in NEW */
	OUTCOME_INCONCLUSIVE = 3, /* nothing regressed, but a side's run was disturbed or is
				   * incomplete, or every case moved alike beyond the threshold (a
				   * few disturbed cases are withheld and listed, not inconclusive) */
};

/*
 * Matches the series' cases and decides every cell. @prior (NULL: none) gives each case its
 * own run-to-run variance where the machine has prior runs. @base_clock and @new_clocks
 * (NULL when not recorded) are the same series loaded with the core clock metric, for the
 * shift's clock control.
 */
int comparison_build(struct comparison *c, const struct series *base, const struct series *news, int nr_news,
		     const char *metric, const struct verdict_options *o, const struct prior_runs *prior,
		     const struct series *base_clock, const struct series *new_clocks) XB_MUST_CHECK;
/* Cases with @verdict against NEW series @k. */
int comparison_count(const struct comparison *c, int k, enum verdict v);
/* Whether BASE or NEW series @k has the case (measured, or failed in NEW): a row another
 * NEW series brought is not a case of this one. */
bool comparison_cell_present(const struct comparison_row *row, int k);
/* Appends a note; returns 0 or -ENOMEM. */
int comparison_add_note(struct comparison *c, int series, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5))) XB_MUST_CHECK;
/* The notes every comparison gets, from its series and columns. */
int comparison_add_series_notes(struct comparison *c) XB_MUST_CHECK;
void comparison_free_notes(struct comparison *c);
/* The reason a cell's timings mean nothing (from either side), or NULL. */
const char *comparison_functional_only(const struct comparison_row *row, int k);
/* The first note of a comparison that judged functional-only timings, so that every output
 * says it (kind "FUNCTIONAL ONLY", about the whole comparison, with the cases' reason). */
#define COMPARISON_FUNCTIONAL_ONLY_NOTE "FUNCTIONAL ONLY"
#define COMPARISON_FUNCTIONAL_ONLY_BANNER \
	"these timings are not a real CPU's. Verdicts are given on them only because " \
	"--functional-only-verdicts asked for them: they say what the paths cost where they ran, " \
	"not on silicon"
/* The reason of the first functional-only case the comparison judged, or NULL when it judged
 * none (options.functional_only_verdicts unset, or no such case). */
const char *comparison_functional_only_judged(const struct comparison *c);
/* Whether the shift against NEW series @k is beyond the threshold. */
bool comparison_shift_beyond(const struct comparison *c, int k);
enum comparison_outcome comparison_outcome(const struct comparison *c);
void comparison_free(struct comparison *c);

/* Series loaded for a comparison, and the comparison of them (nr > 1). */
struct comparison_set {
	int nr;                 /* BASE, then the NEW series */
	const char *metric;     /* what was loaded */
	struct series *series;
	struct series *clocks;  /* the same series in the core clock metric; NULL when not recorded */
	struct prior_runs prior; /* BASE's machine's other runs, from BASE's store */
	struct comparison cmp;
};

/*
 * Loads @specs, each from its store in @stores, in @metric (NULL: COMPARISON_METRIC, or
 * COMPARISON_METRIC_FALLBACK when a series lacks it), with their core clocks where recorded,
 * and compares them when there are two or more. Returns 0 or an error; comparison_set_free()
 * either way.
 */
int comparison_set_load(struct results_store *const *stores, char *const *specs, int nr, const char *metric,
			const struct verdict_options *o, struct comparison_set *out) XB_MUST_CHECK;
void comparison_set_free(struct comparison_set *s);

#endif
