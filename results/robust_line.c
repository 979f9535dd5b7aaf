/*
 * robust_line.c - Theil and Sen's line, its residuals' robust scale, the points off it.
 */
#include "robust_line.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "stats.h"

/* The normal distribution's sigma over its median absolute deviation. */
#define MAD_TO_SIGMA 1.4826

bool robust_line_off(const struct robust_line *line, double x, double y)
{
	double fitted = line->intercept + line->slope * x, r = fabs(y - fitted);

	return r > ROBUST_LINE_OFF_SIGMAS * line->sigma && r > ROBUST_LINE_OFF_SHARE * fabs(fitted);
}

int robust_line_sen_slope(const double *x, const double *y, int n, double *slope)
{
	double *pairs = malloc((size_t)(n > 1 ? n * (n - 1) / 2 : 1) * sizeof(*pairs));
	int m = 0;

	if (!pairs)
		return xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (x[j] != x[i])
				pairs[m++] = (y[j] - y[i]) / (x[j] - x[i]);
	if (!m) {
		free(pairs);
		return xb_fail(EINVAL, "no two points at different x: no slope");
	}
	*slope = stats_median(pairs, m);
	free(pairs);
	return 0;
}

int robust_line_fit(const double *x, const double *y, int n, struct robust_line *out, bool *off)
{
	double *r;
	int rc;

	if (n < ROBUST_LINE_MIN_POINTS)
		return xb_fail(EINVAL, "a robust line needs %d points or more, got %d", ROBUST_LINE_MIN_POINTS, n);
	if (!(r = malloc((size_t)n * sizeof(*r))))
		return xb_fail(ENOMEM, "out of memory");
	*out = (struct robust_line){ .n = n };
	if ((rc = robust_line_sen_slope(x, y, n, &out->slope))) {
		free(r);
		return rc;
	}
	for (int i = 0; i < n; i++)
		r[i] = y[i] - out->slope * x[i];
	out->intercept = stats_median(r, n);
	for (int i = 0; i < n; i++)
		r[i] = fabs(r[i] - out->intercept);
	out->sigma = MAD_TO_SIGMA * stats_median(r, n);
	for (int i = 0; off && i < n; i++)
		off[i] = robust_line_off(out, x[i], y[i]);
	free(r);
	return 0;
}
