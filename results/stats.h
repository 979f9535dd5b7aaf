/*
 * stats.h - descriptive statistics over samples: sorting, quantiles, median and spread.
 */
#ifndef XB_RESULTS_STATS_H
#define XB_RESULTS_STATS_H

/* Sorts in place, ascending. */
void stats_sort(double *v, int n);
/* Quantile q in [0, 1] of sorted data, linear interpolation between order statistics. */
double stats_quantile_sorted(const double *sorted, int n, double q);
/* Median of unsorted data (copies; does not reorder @v). NAN when n == 0. */
double stats_median(const double *v, int n);

#endif
