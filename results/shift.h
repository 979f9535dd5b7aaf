/*
 * shift.h - what moved every case of a comparison alike: the machine-wide shift (the median
 * change over the cases, with a distribution-free interval) and the controls that say why
 * (the core clock from the clock chain; the empty loop, which should stay near zero); and
 * what a single run cannot see of itself: how far cases move between runs beyond what their
 * samples predict (tau), estimated across the cases of the comparison, robustly, so that a
 * minority of real changes does not inflate it.
 */
#ifndef XB_RESULTS_SHIFT_H
#define XB_RESULTS_SHIFT_H

#include <stdbool.h>

#include "../base/error.h"

/* Fewer tested cases than this: no shift and no tau are estimated. */
#define SHIFT_MIN_CASES 5
/* tau^2 is used at its upper bound this many standard errors above the estimate. */
#define SHIFT_TAU_BOUND_Z 2.0
/* tau is estimated from the cases whose standardized change is within this many: a case
 * beyond it has most likely changed, and must not widen everyone's interval. */
#define SHIFT_TRIM_Z 3.5

struct machine_shift {
	int n_cases;           /* the cases it is estimated from */
	double ratio, lo, hi;  /* NEW/BASE over the cases and its 95% interval; NAN: too few */
	bool adjusted;         /* the interval excludes 1: the cases' changes are taken relative to it */
	double log_var;        /* the variance of log(ratio) a case's change inherits (0 unless adjusted) */
	double tau;            /* a case's run-to-run spread beyond its samples (log), per run */
	double clock_ratio;    /* the core clock NEW/BASE; NAN when not recorded */
	double empty_base, empty_new; /* the empty loop's medians; NAN when absent */
};

/* The shift from the log changes @d of the @n tested cases (@d is reordered). */
void machine_shift_estimate(double *d, int n, struct machine_shift *out);

/*
 * *tau2: the value that gives the cases' standardized changes r[i] / sqrt(v[i] + c[i] tau^2)
 * a spread of 1. It starts from the median of their squares (which half of the cases having
 * really changed cannot break), then takes Rousseeuw and Croux's Qn (1993) over the cases
 * within SHIFT_TRIM_Z, until that set settles: Qn is 82% as efficient as a standard
 * deviation where the median of the squares is 37% (with 60 cases its tau^2 was 30% off,
 * enough to double the false alarms), and the trimming keeps cases that really changed from
 * widening everyone's interval. 0 when the cases already spread no more than their variances
 * @v say, or are fewer than SHIFT_MIN_CASES; the value returned is the upper bound
 * SHIFT_TAU_BOUND_Z standard errors above the estimate. @r are the cases' changes relative to
 * the shift, @c how much of a run's spread reaches each (1/runs in BASE + 1/runs in NEW).
 * Returns 0 or -ENOMEM.
 */
int run_spread_estimate(const double *r, const double *v, const double *c, int n, double *tau2) XB_MUST_CHECK;

#endif
