/*
 * fdr.c - Benjamini-Hochberg step-up adjusted p-values.
 */
#include "fdr.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

static int by_p(const void *a, const void *b, void *p_values)
{
	const double *p = p_values;
	double x = p[*(const int *)a], y = p[*(const int *)b];

	return (x > y) - (x < y);
}

int fdr_benjamini_hochberg(const double *p, int n, double *adjusted)
{
	int *order = malloc((size_t)(n ? n : 1) * sizeof(*order)), tested = 0;
	double running = 1.0;

	if (!order)
		return xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < n; i++) {
		adjusted[i] = NAN;
		if (!isnan(p[i]))
			order[tested++] = i;
	}
	qsort_r(order, (size_t)tested, sizeof(*order), by_p, (void *)p);
	for (int r = tested; r >= 1; r--) {
		int i = order[r - 1];

		running = fmin(running, p[i] * tested / r);
		adjusted[i] = running;
	}
	free(order);
	return 0;
}
