/*
 * stats.c - descriptive statistics, the order-statistic interval of a median, and the normal
 * distribution (from libm's erfc).
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
	if (frac == 0) /* exact: also when the neighbour is infinite */
		return sorted[lo];
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

double stats_normal_sf(double z)
{
	return 0.5 * erfc(z / M_SQRT2);
}

/* Newton's method on the upper tail, from Abramowitz and Stegun 26.2.23's approximation. */
double stats_normal_quantile(double p)
{
	double q, t, z;

	if (!(p > 0 && p < 1))
		return NAN;
	q = p < 0.5 ? p : 1 - p; /* find z >= 0 with P(Z > z) = q */
	t = sqrt(-2 * log(q));
	z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
	for (int i = 0; i < 50; i++) {
		double step = (stats_normal_sf(z) - q) / (exp(-z * z / 2) / sqrt(2 * M_PI));

		z += step;
		if (fabs(step) < 1e-13 * fmax(1, z))
			break;
	}
	return p < 0.5 ? -z : z;
}

double stats_variance_upper_bound(const double *v, int n, double confidence)
{
	double mean = 0, ss = 0, df = n - 1, a = 2.0 / (9.0 * df);
	double c = 1 - a + stats_normal_quantile(1 - confidence) * sqrt(a);

	for (int i = 0; i < n; i++)
		mean += v[i] / n;
	for (int i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	/* (n - 1) s^2 / sigma^2 is chi-square with n - 1 degrees of freedom */
	return ss / (df * c * c * c);
}
