/*
 * mannwhitney.h - the Mann-Whitney U test, two-sided, as scipy.stats.mannwhitneyu computes
 * it by default: the exact null distribution when a sample has at most 8 values and there
 * are no ties, otherwise the normal approximation with the tie correction and a continuity
 * correction.
 */
#ifndef XB_RESULTS_MANNWHITNEY_H
#define XB_RESULTS_MANNWHITNEY_H

#include "../host/error.h"
#include <stdbool.h>

#define MW_EXACT_MAX 8

struct mw_result {
	double u;          /* U of the first sample: the pairs (x, y) with x > y, ties counting 1/2 */
	double p;          /* two-sided p-value */
	double tie_term;   /* sum of t^3 - t over groups of t tied values */
	bool exact;        /* p from the exact distribution */
};

/* n, m >= 1; values must not be NaN. Returns 0, or -ENOMEM. */
int mann_whitney(const double *x, int n, const double *y, int m, struct mw_result *out) XB_MUST_CHECK;

/* Whether scipy's 'auto' rule takes the exact distribution. */
bool mw_use_exact(int n, int m, bool ties);
/* P(U <= k) for k = 0 .. n*m under the null hypothesis without ties (malloc'd, n*m + 1
 * values), or NULL when out of memory. */
double *mw_exact_cdf(int n, int m);
/* The standard deviation of U under the null hypothesis, with the tie correction. */
double mw_sigma(int n, int m, double tie_term);

#endif
