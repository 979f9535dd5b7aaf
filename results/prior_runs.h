/*
 * prior_runs.h - each case's run-to-run variance on one machine, from the database's other
 * runs of it: what a comparison of one run a side cannot see of itself. Some cases keep a
 * process's placement (its pages, its partner thread's PU) for a whole run: on a quiet
 * machine their rounds agree within 0.1-0.5% while their runs differ by 1-3% (ptrace,
 * context switches, fpstate reallocation), so a spread pooled across cases, most of which
 * vary far less, would call those runs regressions. The runs taken are the most recent ones
 * on BASE's machine and kernel, complete and not disturbed (as marked, or as their samples'
 * spread says), that are not NEW's.
 */
#ifndef XB_RESULTS_PRIOR_RUNS_H
#define XB_RESULTS_PRIOR_RUNS_H

#include "../base/error.h"
#include "series.h"

/* A case's variance between runs, estimated from a few of them, is used at its upper bound at
 * this confidence (stats_variance_upper_bound()): a few runs of a heavy-tailed spread
 * understate it more often than not. */
#define RUN_VARIANCE_CONFIDENCE 0.90

/* At most this many runs, the most recent. */
#define PRIOR_RUNS_MAX 12
/* A kernel path (bench_id_instruction_loop() false) is assumed to spread at least
 * PRIOR_KERNEL_PATH_SPREAD between runs until this many prior runs show its own spread: on
 * this project's quiet A/A runs, one of four runs of native/switch/realloc cases came out 11.6%
 * slower than the other three (the allocator's state), the cross-PU context switches 7%,
 * ptrace 2-3%; a few runs that happen to agree cannot rule out such a mode. */
#define PRIOR_RUNS_FULL 8
#define PRIOR_KERNEL_PATH_SPREAD 0.05
/* A case measured in fewer runs has no prior variance. */
#define PRIOR_RUNS_MIN 3

struct prior_runs {
	bool loaded;          /* nr_used >= PRIOR_RUNS_MIN */
	struct series runs;   /* in the comparison's metric */
	int nr_used;          /* the runs not left out as disturbed (their samples spread) */
	int *nr_measured;     /* per case of runs: the runs kept that measured it */
	double *variance;     /* per case of runs, as prior_runs_variance() */
};

/*
 * Loads the prior runs for a comparison of @base with @news (@nr_news series) from @st, in
 * @metric. Finding too few is not an error (loaded stays false). Returns 0 or an error.
 */
int prior_runs_load(struct results_store *st, const struct series *base, const struct series *news, int nr_news,
		    const char *metric, struct prior_runs *out) XB_MUST_CHECK;

/*
 * The variance of a run's log median of @case_id beyond the runs' machine-wide levels, at its
 * RUN_VARIANCE_CONFIDENCE upper bound, or NAN when fewer than PRIOR_RUNS_MIN prior runs
 * measured it; for a kernel path, at least PRIOR_KERNEL_PATH_SPREAD's until PRIOR_RUNS_FULL
 * runs measured it. @p may be NULL (no prior runs).
 */
double prior_runs_variance(const struct prior_runs *p, const char *case_id);

/*
 * The estimate itself, from @logs, @cases x @runs log run medians (NAN: not measured in that
 * run): each run's machine-wide level (the median over the cases of their deviation from
 * their mean: a clock or host that moved every case alike is the comparison's shift, not a
 * case's spread) taken out, each case's variance over its runs at its upper bound into
 * @variance, NAN for a case in fewer than PRIOR_RUNS_MIN runs. Returns 0 or -ENOMEM.
 */
int prior_runs_case_variances(const double *logs, int cases, int runs, double *variance) XB_MUST_CHECK;

void prior_runs_free(struct prior_runs *p);

#endif
