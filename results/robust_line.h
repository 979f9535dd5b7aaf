/*
 * robust_line.h - a straight line through few points that may hold outliers, also at the
 * ends (a component of 8 KiB beside ones of 64 to 1024 bytes): Theil and Sen's estimator, the
 * median of the slopes between every pair of points, the intercept the median of y - slope x;
 * the residuals' scale from their median absolute deviation; the points off the line. An
 * M-estimator (GSL's gsl_multifit_robust) follows an outlier at the largest x, where a point has
 * the most leverage; the median of pairwise slopes does not while fewer than about 29% of the
 * points are off.
 */
#ifndef XB_RESULTS_ROBUST_LINE_H
#define XB_RESULTS_ROBUST_LINE_H

#include <stdbool.h>

#include "../base/error.h"

/* Fewer points leave the residuals' scale undetermined. */
#define ROBUST_LINE_MIN_POINTS 3
/* A point is off the line when its residual exceeds both this many robust sigmas and this
 * share of the line's value at its x. */
#define ROBUST_LINE_OFF_SIGMAS 3.0
#define ROBUST_LINE_OFF_SHARE 0.05
/* The rule in words, for the documents that show the points off the line. */
#define ROBUST_LINE_RULE "Theil-Sen (the median of the pairwise slopes); off the line: |residual| > 3 " \
	"robust sigma (1.4826 x the residuals' median absolute deviation) and > 5% of the line's value"

struct robust_line {
	double intercept, slope;
	double sigma; /* 1.4826 times the median absolute deviation of the residuals */
	int n;
};

/* Sen's slope: the median of (y[j] - y[i]) / (x[j] - x[i]) over the pairs with x[i] != x[j].
 * Returns 0, -EINVAL when no pair has two x, or -ENOMEM. */
int robust_line_sen_slope(const double *x, const double *y, int n, double *slope) XB_MUST_CHECK;

/* Fits y = intercept + slope x over @n points; off[i] (when @off is not NULL) says whether
 * point i lies off the line. Returns 0; -EINVAL for fewer than ROBUST_LINE_MIN_POINTS points or
 * a single x; -ENOMEM. */
int robust_line_fit(const double *x, const double *y, int n, struct robust_line *out, bool *off) XB_MUST_CHECK;

/* Whether the point (@x, @y) lies off @line by the rule above. */
bool robust_line_off(const struct robust_line *line, double x, double y);

#endif
