/*
 * replication.h - one case on one side of a comparison, estimated at the level where its
 * variance lives (Kalibera and Jones, "Rigorous benchmarking in reasonable time", 2013):
 * samples within rounds, rounds within runs, runs within the side (a baseline may hold
 * several). A run's location is the median of its samples; the side's, the mean over its
 * runs (in log). The variance of a run's location is the larger of what its samples say
 * (robust scale) and what its rounds' medians say, so that drift between passes over the
 * cases counts; the variance between runs is measured where the side has several, and
 * otherwise left to the comparison, which estimates it across cases.
 */
#ifndef XB_RESULTS_REPLICATION_H
#define XB_RESULTS_REPLICATION_H

#include <stdbool.h>

#include "../base/error.h"

/* The smallest spread a sample set is credited with (log scale): timings quantized to a
 * tick cannot claim to know a ratio better than this. */
#define REPLICATION_MIN_SIGMA 1e-4

struct side_estimate {
	bool valid;         /* every run has two samples or more, every sample positive */
	const char *why;    /* when not valid, static text */
	int n_samples, n_runs, n_rounds;
	double location;    /* mean over runs of log(median of the run's samples) */
	double within_var;  /* the location's variance from inside the runs */
	double between_var; /* the variance of the run locations over n_runs, NAN for one run */
	double spread;      /* the samples' interquartile range in percent of their median
			     * (the median over runs) */
};

/*
 * @values[i] belongs to run @run_of[i] (0 .. nr_runs - 1) and to round @round_of[i] of that
 * run. Returns 0 or -ENOMEM.
 */
int side_estimate(const double *values, const int *run_of, const int *round_of, int n, int nr_runs,
		  struct side_estimate *out) XB_MUST_CHECK;

#endif
