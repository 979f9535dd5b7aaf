/*
 * robust_line.h - a straight line through points that may hold outliers: GSL's robust
 * regression (gsl_multifit_robust with bisquare weights, iteratively reweighted least
 * squares), its robust scale of the residuals, and which points lie off the line.
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
#define ROBUST_LINE_RULE "off the line: |residual| > 3 robust sigma and > 5% of the line's value " \
	"(GSL gsl_multifit_robust, bisquare weights)"

struct robust_line {
	double intercept, slope;
	double intercept_se, slope_se; /* standard errors from the robust covariance */
	double sigma;                  /* the robust scale of the residuals (GSL's sigma_rob) */
	int n;
};

/* Fits y = intercept + slope x over @n points; off[i] (when @off is not NULL) says whether
 * point i lies off the line. Returns 0; -EINVAL for fewer than ROBUST_LINE_MIN_POINTS points or
 * a single x; -ENOMEM; -EDOM when GSL fails (its reason in the message). */
int robust_line_fit(const double *x, const double *y, int n, struct robust_line *out, bool *off) XB_MUST_CHECK;

/* Whether the point (@x, @y) lies off @line by the rule above. */
bool robust_line_off(const struct robust_line *line, double x, double y);

#endif
