/*
 * disturbance.h - what counts as a disturbed case or run, one set of documented thresholds
 * used by `run` (which marks the database) and by `compare` (which recomputes it, also for
 * imported runs). The evidence: per sample, the wall time, the measuring thread's wait on
 * the run queue (another task held its PU), the PU's steal time (the hypervisor ran someone
 * else) and the thread's involuntary context switches; per run, the spread of its samples.
 */
#ifndef XB_RESULTS_DISTURBANCE_H
#define XB_RESULTS_DISTURBANCE_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/attributes.h"

/* The per-sample metrics that carry the evidence, SAMPLE_*, and the result attribute a
 * disturbed case carries, its reason (ATTR_DISTURBED), are base/attributes.h's. */

/* A case is disturbed when its thread waited for its PU, or the PU was stolen, for more than
 * this share of its measuring time... */
#define DISTURB_RUN_DELAY_SHARE 0.02
#define DISTURB_STEAL_SHARE 0.02
/* ...or, where the kernel has no schedstat, when it was switched out more often than this. */
#define DISTURB_SWITCHES_PER_SECOND 20.0
/* A run is disturbed when more than this share of its measured cases are. */
#define DISTURB_CASE_SHARE 0.10
/* A run is disturbed when the median over its cases of their samples' interquartile range
 * exceeds this many percent of the median... */
#define DISTURB_DISPERSION_PERCENT 25.0
/* ...or this many times the other side's (and by DISTURB_DISPERSION_MARGIN points). */
#define DISTURB_DISPERSION_FACTOR 3.0
#define DISTURB_DISPERSION_MARGIN 2.0

/* One case's evidence summed over its samples; a total reads NAN when no sample had it. */
struct interference_totals {
	double wall_ms, run_delay_ms, steal_ms, involuntary_switches;
};

void interference_totals_init(struct interference_totals *t);
/* Adds one sample's value of the evidence metric @name; other names are ignored. */
void interference_totals_add(struct interference_totals *t, const char *name, double value);
/* Whether @t is over a threshold; the reason goes to @why ("" when not). */
bool disturbance_case(const struct interference_totals *t, char *why, size_t size);
/* Whether a run with @nr_disturbed of @nr_cases measured cases disturbed is. */
bool disturbance_run(int nr_cases, int nr_disturbed, char *why, size_t size);
/* Whether a run whose cases' median sample spread is @spread (percent) is disturbed, against
 * the other side's @other_spread (NAN: none). */
bool disturbance_spread(double spread, double other_spread, char *why, size_t size);

#endif
