/*
 * holm.c - Holm's step-down adjusted p-values.
 */
#include "holm.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

static int by_p(const void *a, const void *b, void *p_values)
{
	const double *p = p_values;
	double x = p[*(const int *)a], y = p[*(const int *)b];

	return (x > y) - (x < y);
}

int holm_adjust(const double *p, int n, double *adjusted)
{
	int *order = malloc((size_t)(n ? n : 1) * sizeof(*order)), tested = 0;
	double running = 0;

	if (!order)
		return xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < n; i++) {
		adjusted[i] = NAN;
		if (!isnan(p[i]))
			order[tested++] = i;
	}
	qsort_r(order, (size_t)tested, sizeof(*order), by_p, (void *)p);
	for (int r = 0; r < tested; r++) {
		int i = order[r];

		running = fmax(running, fmin(1.0, p[i] * (tested - r)));
		adjusted[i] = running;
	}
	free(order);
	return 0;
}
