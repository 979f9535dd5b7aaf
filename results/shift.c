/*
 * shift.c - the median change over the cases and the cases' spread around it.
 */
#include "shift.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "stats.h"

#define Z_975 1.959963984540054

void machine_shift_estimate(double *d, int n, struct machine_shift *out)
{
	double lo, hi, mid;

	out->n_cases = n;
	out->ratio = out->lo = out->hi = NAN;
	out->adjusted = false;
	out->log_var = 0;
	if (n < SHIFT_MIN_CASES)
		return;
	stats_sort(d, n);
	mid = stats_quantile_sorted(d, n, 0.5);
	stats_median_interval_sorted(d, n, &lo, &hi);
	out->ratio = exp(mid);
	out->lo = exp(lo);
	out->hi = exp(hi);
	out->adjusted = lo > 0 || hi < 0;
	if (out->adjusted)
		out->log_var = pow((hi - lo) / (2 * Z_975), 2);
}

/* Qn's finite-sample correction (Croux and Rousseeuw 1992; robustbase's values below 10). */
static double qn_correction(int n)
{
	static const double small[] = { 0, 0, 0.399, 0.994, 0.512, 0.844, 0.611, 0.857, 0.669, 0.872 };

	if (n < 10)
		return small[n];
	return n % 2 ? n / (n + 1.4) : n / (n + 3.8);
}

/* Qn of @u: 2.2219 times the k-th smallest |u_i - u_j| (i < j), k = C(n / 2 + 1, 2). */
static double qn_scale(const double *u, int n, double *pairs)
{
	int h = n / 2 + 1, k = h * (h - 1) / 2, m = 0;

	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			pairs[m++] = fabs(u[i] - u[j]);
	stats_sort(pairs, m);
	return 2.2219 * pairs[k - 1] * qn_correction(n);
}

/* The spread of the standardized changes with tau^2 = @t2 (it falls as t2 grows). */
static double spread_at(const double *r, const double *v, const double *c, int n, double t2, double *scratch)
{
	double *u = scratch, *pairs = scratch + n;

	for (int i = 0; i < n; i++)
		u[i] = r[i] / sqrt(v[i] + c[i] * t2);
	return qn_scale(u, n, pairs);
}

int run_spread_estimate(const double *r, const double *v, const double *c, int n, double *tau2)
{
	double *scratch, lo = 0, hi = 1e-8;

	*tau2 = 0;
	if (n < SHIFT_MIN_CASES)
		return 0;
	if (!(scratch = malloc(((size_t)n + (size_t)n * (n - 1) / 2) * sizeof(*scratch))))
		return xb_fail(ENOMEM, "out of memory");
	if (spread_at(r, v, c, n, 0, scratch) > 1) {
		while (spread_at(r, v, c, n, hi, scratch) > 1 && hi < 1e6)
			hi *= 4;
		/* to a relative precision of 1e-4: about 40 steps */
		for (int i = 0; i < 200 && hi - lo > 1e-4 * hi; i++) {
			double mid = (lo + hi) / 2;

			if (spread_at(r, v, c, n, mid, scratch) > 1)
				lo = mid;
			else
				hi = mid;
		}
		/* at its upper bound: Qn's 82% efficiency leaves tau^2 a relative standard error
		 * of 2 / sqrt(1.64 n), and the tests should not take an estimate for the truth */
		*tau2 = hi * (1 + SHIFT_TAU_BOUND_Z * 2 / sqrt(1.64 * n));
	}
	free(scratch);
	return 0;
}
