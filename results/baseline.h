/*
 * baseline.h - named baselines: the exact results of one or more complete runs of one
 * machine, pooled per case. Results marked functional_only (timings that mean nothing) are
 * never part of a baseline.
 */
#ifndef XB_RESULTS_BASELINE_H
#define XB_RESULTS_BASELINE_H

#include <stdint.h>
#include <stdio.h>

#include "store.h"

struct baseline_outcome {
	int nr_results;  /* (run, case) results in the baseline */
	int nr_excluded; /* functional-only results left out */
};

/*
 * Creates or replaces baseline @name from @runs (all complete, one machine). Each excluded
 * functional-only result is described on @notes. Refuses (and changes nothing) when no
 * result is left.
 */
int baseline_set(struct results_store *st, const char *name, const int64_t *runs, int nr_runs, const char *now,
		 FILE *notes, struct baseline_outcome *out) XB_MUST_CHECK;
/* One line per baseline: name, created, runs, results. */
int baseline_list(struct results_store *st, FILE *out) XB_MUST_CHECK;

#endif
