/*
 * robust_line.c - the robust straight line, through GSL.
 */
#include "robust_line.h"

#include <errno.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>
#include <math.h>

bool robust_line_off(const struct robust_line *line, double x, double y)
{
	double fitted = line->intercept + line->slope * x, r = fabs(y - fitted);

	return r > ROBUST_LINE_OFF_SIGMAS * line->sigma && r > ROBUST_LINE_OFF_SHARE * fabs(fitted);
}

static bool spread(const double *x, int n)
{
	for (int i = 1; i < n; i++)
		if (x[i] != x[0])
			return true;
	return false;
}

int robust_line_fit(const double *x, const double *y, int n, struct robust_line *out, bool *off)
{
	gsl_matrix *design = NULL, *cov = NULL;
	gsl_vector *obs = NULL, *coef = NULL;
	gsl_multifit_robust_workspace *w = NULL;
	int rc = 0, status;

	if (n < ROBUST_LINE_MIN_POINTS || !spread(x, n))
		return xb_fail(EINVAL, "a robust line needs %d points or more at two x or more, got %d",
			       ROBUST_LINE_MIN_POINTS, n);
	gsl_set_error_handler_off(); /* errors are returned, never abort() */
	design = gsl_matrix_alloc((size_t)n, 2);
	cov = gsl_matrix_alloc(2, 2);
	obs = gsl_vector_alloc((size_t)n);
	coef = gsl_vector_alloc(2);
	w = gsl_multifit_robust_alloc(gsl_multifit_robust_bisquare, (size_t)n, 2);
	if (!design || !cov || !obs || !coef || !w) {
		rc = xb_fail(ENOMEM, "out of memory for the robust fit");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		gsl_matrix_set(design, (size_t)i, 0, 1.0);
		gsl_matrix_set(design, (size_t)i, 1, x[i]);
		gsl_vector_set(obs, (size_t)i, y[i]);
	}
	status = gsl_multifit_robust(design, obs, coef, cov, w);
	if (status) {
		rc = xb_fail(EDOM, "gsl_multifit_robust: %s", gsl_strerror(status));
		goto out;
	}
	*out = (struct robust_line){ .intercept = gsl_vector_get(coef, 0), .slope = gsl_vector_get(coef, 1),
				     .intercept_se = sqrt(gsl_matrix_get(cov, 0, 0)),
				     .slope_se = sqrt(gsl_matrix_get(cov, 1, 1)),
				     .sigma = gsl_multifit_robust_statistics(w).sigma_rob, .n = n };
	for (int i = 0; off && i < n; i++)
		off[i] = robust_line_off(out, x[i], y[i]);
out:
	if (w)
		gsl_multifit_robust_free(w);
	gsl_vector_free(coef);
	gsl_vector_free(obs);
	gsl_matrix_free(cov);
	gsl_matrix_free(design);
	return rc;
}
