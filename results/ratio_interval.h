/*
 * ratio_interval.h - the change between two samples as the ratio NEW/BASE of their medians,
 * with a distribution-free 95% confidence interval: the Hodges-Lehmann (Moses) interval for
 * a shift, taken on log values so that it is an interval for a ratio.
 */
#ifndef XB_RESULTS_RATIO_INTERVAL_H
#define XB_RESULTS_RATIO_INTERVAL_H

#include "../host/error.h"
#include <stdbool.h>

#include "mannwhitney.h"

#define RATIO_CONFIDENCE 0.95

struct ratio_estimate {
	bool valid;         /* false when the base median is not positive: no ratio */
	double ratio;       /* median(new) / median(base) */
	double lo, hi;      /* 95% interval for new/base */
	bool log_scale;     /* every value positive: exp of the interval for log(new) - log(base);
			     * otherwise 1 + (interval for new - base) / median(base) */
	bool full_coverage; /* false when the samples are too small for 95%: [lo, hi] is then
			     * the widest interval the data give, and rules nothing out */
};

/*
 * n, m >= 1; the samples' medians and @mw, mann_whitney(base, n, new, m), come from the
 * caller, who has them already (log values have the same ranks and ties). Returns 0, or
 * -ENOMEM.
 */
int ratio_estimate(const double *base, int n, double base_median, const double *new, int m, double new_median,
		   const struct mw_result *mw, struct ratio_estimate *out) XB_MUST_CHECK;

/*
 * The Hodges-Lehmann interval on its own: the order statistics D(k) and D(nm + 1 - k) of
 * the n*m differences y - x, k from the U distribution (exact or normal with the tie term,
 * as @mw, the test of x against y, chose). Returns 0 or -ENOMEM.
 */
int hodges_lehmann_interval(const double *x, int n, const double *y, int m, const struct mw_result *mw,
			    double *lo, double *hi, bool *full_coverage) XB_MUST_CHECK;

#endif
