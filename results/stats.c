/*
 * stats.c - descriptive statistics.
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
