/*
 * stats.c - descriptive statistics and the order-statistic interval of a median.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void stats_sort(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
}

double stats_quantile_sorted(const double *sorted, int n, double q)
{
	double pos, frac;
	int lo;

	if (n <= 0)
		return NAN;
	pos = q * (n - 1);
	lo = (int)floor(pos);
	frac = pos - lo;
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

double stats_iqr_percent(const double *sorted, int n)
{
	return 100 * (stats_quantile_sorted(sorted, n, 0.75) - stats_quantile_sorted(sorted, n, 0.25)) /
	       fabs(stats_quantile_sorted(sorted, n, 0.5));
}

double stats_median(const double *v, int n)
{
	double *copy, m;

	if (n <= 0 || !(copy = malloc((size_t)n * sizeof(*copy))))
		return NAN;
	memcpy(copy, v, (size_t)n * sizeof(*copy));
	stats_sort(copy, n);
	m = stats_quantile_sorted(copy, n, 0.5);
	free(copy);
	return m;
}

void stats_median_interval_sorted(const double *sorted, int n, double *lo, double *hi)
{
	double term = pow(0.5, n), below = 0; /* P(B = i) and P(B < k) for B ~ Binomial(n, 1/2) */
	int k = 0;

	if (n <= 0) {
		*lo = *hi = NAN;
		return;
	}
	/* P(B < k + 1) = P(B < k) + P(B = k) */
	while (k < n / 2 && below + term <= 0.025) {
		below += term;
		term = term * (n - k) / (k + 1);
		k++;
	}
	if (k < 1)
		k = 1;
	*lo = sorted[k - 1];
	*hi = sorted[n - k];
}
