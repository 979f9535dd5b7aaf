/*
 * prior_runs.h - each case's run-to-run variance on one machine, from the database's other
 * runs of it: what a comparison of one run a side cannot see of itself. Some cases keep a
 * process's placement (its pages, its partner thread's PU) for a whole run: on a quiet
 * machine their rounds agree within 0.1-0.5% while their runs differ by 1-3% (ptrace,
 * context switches, fpstate reallocation), so a spread pooled across cases, most of which
 * vary far less, would call those runs regressions. The runs taken are the most recent ones
 * on BASE's machine and kernel, complete and not disturbed, that are not NEW's.
 */
#ifndef XB_RESULTS_PRIOR_RUNS_H
#define XB_RESULTS_PRIOR_RUNS_H

#include "../base/error.h"
#include "series.h"

/* At most this many runs, the most recent. */
#define PRIOR_RUNS_MAX 12
/* A case measured in fewer runs has no prior variance. */
#define PRIOR_RUNS_MIN 3
/* The variance is used at the upper bound of this one-sided confidence (chi-square): a few
 * runs from a heavy-tailed spread understate it more often than not. */
#define PRIOR_RUNS_CONFIDENCE 0.80

struct prior_runs {
	bool loaded;          /* runs.nr_runs >= PRIOR_RUNS_MIN */
	struct series runs;   /* in the comparison's metric */
};

/*
 * Loads the prior runs for a comparison of @base with @news (@nr_news series) from @st, in
 * @metric. Finding too few is not an error (loaded stays false). Returns 0 or an error.
 */
int prior_runs_load(struct results_store *st, const struct series *base, const struct series *news, int nr_news,
		    const char *metric, struct prior_runs *out) XB_MUST_CHECK;

/*
 * The variance of a run's log median of @case_id, at its PRIOR_RUNS_CONFIDENCE upper bound,
 * or NAN when fewer than PRIOR_RUNS_MIN prior runs measured it. Returns 0 or -ENOMEM.
 */
int prior_runs_variance(const struct prior_runs *p, const char *case_id, double *var) XB_MUST_CHECK;

/* The upper bound of the variance of @n values (n >= 2) at PRIOR_RUNS_CONFIDENCE. */
double prior_runs_variance_bound(const double *values, int n);

void prior_runs_free(struct prior_runs *p);

#endif
