/*
 * shift.c - the median change over the cases and the cases' spread around it.
 */
#include "shift.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* The median of a chi-square with one degree of freedom. */
#define CHI2_1_MEDIAN 0.454936423119572

/* The spread of the standardized changes of the @n cases in @idx, with tau^2 = @t2: their
 * Qn, or (@by_median) the square root of the median of their squares over the chi-square's.
 * It falls as t2 grows. */
static double spread_at(const double *r, const double *v, const double *c, const int *idx, int n, double t2,
			bool by_median, double *scratch)
{
	double *u = scratch, *pairs = scratch + n;

	for (int k = 0; k < n; k++) {
		int i = idx[k];

		u[k] = r[i] / sqrt(v[i] + c[i] * t2);
		if (by_median)
			u[k] *= u[k];
	}
	if (!by_median)
		return qn_scale(u, n, pairs);
	stats_sort(u, n);
	return sqrt(stats_quantile_sorted(u, n, 0.5) / CHI2_1_MEDIAN);
}

/* The tau^2 that gives the cases in @idx a spread of 1 (0 when they spread less already). */
static double solve(const double *r, const double *v, const double *c, const int *idx, int n, bool by_median,
		    double *scratch)
{
	double lo = 0, hi = 1e-8;

	if (spread_at(r, v, c, idx, n, 0, by_median, scratch) <= 1)
		return 0;
	while (spread_at(r, v, c, idx, n, hi, by_median, scratch) > 1 && hi < 1e6)
		hi *= 4;
	/* to a relative precision of 1e-4: about 40 steps */
	for (int i = 0; i < 200 && hi - lo > 1e-4 * hi; i++) {
		double mid = (lo + hi) / 2;

		if (spread_at(r, v, c, idx, n, mid, by_median, scratch) > 1)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/* The cases whose standardized change with @t2 is within SHIFT_TRIM_Z into @idx; how many. */
static int untrimmed(const double *r, const double *v, const double *c, int n, double t2, int *idx)
{
	int m = 0;

	for (int i = 0; i < n; i++)
		if (fabs(r[i]) <= SHIFT_TRIM_Z * sqrt(v[i] + c[i] * t2))
			idx[m++] = i;
	return m;
}

int run_spread_estimate(const double *r, const double *v, const double *c, int n, double *tau2)
{
	double *scratch, t2;
	int *idx, *next, m = n;

	*tau2 = 0;
	if (n < SHIFT_MIN_CASES)
		return 0;
	scratch = malloc(((size_t)n + (size_t)n * (n - 1) / 2) * sizeof(*scratch));
	idx = malloc(2 * (size_t)n * sizeof(*idx));
	if (!scratch || !idx) {
		free(scratch);
		free(idx);
		return xb_fail(ENOMEM, "out of memory");
	}
	next = idx + n;
	for (int i = 0; i < n; i++)
		idx[i] = i;
	/* a start that half of the cases changing cannot break, then Qn on the cases it does not
	 * call changed, until that set settles */
	t2 = solve(r, v, c, idx, n, true, scratch);
	for (int round = 0; round < 20; round++) {
		int k = untrimmed(r, v, c, n, t2, next);
		bool same = k == m && !memcmp(next, idx, (size_t)k * sizeof(*idx));

		memcpy(idx, next, (size_t)k * sizeof(*idx));
		m = k;
		if (m < SHIFT_MIN_CASES)
			break;
		t2 = solve(r, v, c, idx, m, false, scratch);
		if (same)
			break;
	}
	/* at its upper bound: Qn's 82% efficiency leaves tau^2 a relative standard error of
	 * 2 / sqrt(1.64 m), and the tests should not take an estimate for the truth */
	*tau2 = t2 * (1 + SHIFT_TAU_BOUND_Z * 2 / sqrt(1.64 * (m > 0 ? m : 1)));
	free(scratch);
	free(idx);
	return 0;
}
