/*
 * stats.h - descriptive statistics over samples (sorting, quantiles, median and spread) and
 * the normal distribution's tail and quantile.
 */
#ifndef XB_RESULTS_STATS_H
#define XB_RESULTS_STATS_H

/* Sorts in place, ascending. */
void stats_sort(double *v, int n);
/* Quantile q in [0, 1] of sorted data, linear interpolation between order statistics. */
double stats_quantile_sorted(const double *sorted, int n, double q);
/* The spread of sorted data: 100 * (Q3 - Q1) / |median|, in percent. */
double stats_iqr_percent(const double *sorted, int n);
/* Median of unsorted data (copies; does not reorder @v). NAN when n == 0. */
double stats_median(const double *v, int n);

/*
 * A distribution-free interval for the median of sorted data: the order statistics
 * x(k) and x(n + 1 - k) with k the largest index such that P(Binomial(n, 1/2) < k) <= 2.5%,
 * covering at least 95% (for n < 6 no such k exists and [min, max] is given).
 */
void stats_median_interval_sorted(const double *sorted, int n, double *lo, double *hi);

/* The standard normal's upper tail, P(Z > z). */
double stats_normal_sf(double z);
/* The standard normal's quantile: z with P(Z <= z) = p, for 0 < p < 1. */
double stats_normal_quantile(double p);

/*
 * The one-sided upper confidence bound, at @confidence, of the variance of the population
 * @n values (n >= 2) were drawn from: SS / chi-square quantile (1 - confidence, n - 1), the
 * quantile by Wilson and Hilferty's (1931) approximation, within 1.5% of the exact one from
 * 2 degrees of freedom on at the quantiles used here.
 */
double stats_variance_upper_bound(const double *v, int n, double confidence);

#endif
