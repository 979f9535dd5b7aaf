/*
 * ratio_interval.c - the ratio of medians and its Hodges-Lehmann interval.
 */
#include "ratio_interval.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "mannwhitney.h"
#include "stats.h"

#define Z_975 1.959963984540054 /* the standard normal's 97.5% quantile */

static bool has_ties(const double *x, int n, const double *y, int m)
{
	double *all = malloc((size_t)(n + m) * sizeof(*all));
	bool ties = false;

	if (!all)
		return true; /* the normal rule needs no memory */
	for (int i = 0; i < n; i++)
		all[i] = x[i];
	for (int j = 0; j < m; j++)
		all[n + j] = y[j];
	stats_sort(all, n + m);
	for (int i = 1; i < n + m && !ties; i++)
		ties = all[i] == all[i - 1];
	free(all);
	return ties;
}

/* The tie term of the combined sample (sorted copy), for the normal approximation. */
static double tie_term(const double *x, int n, const double *y, int m)
{
	struct mw_result r;

	return mann_whitney(x, n, y, m, &r) ? 0 : r.tie_term;
}

/* k: P(U <= k - 1) <= 2.5% for the largest such k; 0 when even k = 1 is too wide. */
static int order_index(const double *x, int n, const double *y, int m)
{
	const double half_alpha = (1 - RATIO_CONFIDENCE) / 2;
	int k = 0;

	if (mw_use_exact(n, m, has_ties(x, n, y, m))) {
		double *cdf = mw_exact_cdf(n, m);

		if (!cdf)
			return xb_fail(ENOMEM, "out of memory");
		while (k <= n * m && cdf[k] <= half_alpha)
			k++;
		free(cdf);
		return k;
	}
	k = (int)floor(n * m / 2.0 + 0.5 - Z_975 * mw_sigma(n, m, tie_term(x, n, y, m)));
	return k < 0 ? 0 : k;
}

int hodges_lehmann_interval(const double *x, int n, const double *y, int m, double *lo, double *hi,
			    bool *full_coverage)
{
	int nm = n * m, k = order_index(x, n, y, m);
	double *d;

	if (k < 0)
		return k;
	if (!(d = malloc((size_t)nm * sizeof(*d))))
		return xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < n; i++)
		for (int j = 0; j < m; j++)
			d[i * m + j] = y[j] - x[i];
	stats_sort(d, nm);
	*full_coverage = k >= 1;
	if (k < 1)
		k = 1;
	*lo = d[k - 1];
	*hi = d[nm - k];
	free(d);
	return 0;
}

static bool all_positive(const double *v, int n)
{
	for (int i = 0; i < n; i++)
		if (!(v[i] > 0))
			return false;
	return true;
}

int ratio_estimate(const double *base, int n, const double *new, int m, struct ratio_estimate *out)
{
	double base_median = stats_median(base, n), lo, hi;
	double *lx = NULL, *ly = NULL;
	int rc;

	*out = (struct ratio_estimate){ .ratio = NAN, .lo = NAN, .hi = NAN };
	if (!(base_median > 0))
		return 0;
	out->valid = true;
	out->ratio = stats_median(new, m) / base_median;
	out->log_scale = all_positive(base, n) && all_positive(new, m);
	if (!out->log_scale) {
		rc = hodges_lehmann_interval(base, n, new, m, &lo, &hi, &out->full_coverage);
		out->lo = 1 + lo / base_median;
		out->hi = 1 + hi / base_median;
		return rc;
	}
	lx = malloc((size_t)n * sizeof(*lx));
	ly = malloc((size_t)m * sizeof(*ly));
	rc = lx && ly ? 0 : xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < n && !rc; i++)
		lx[i] = log(base[i]);
	for (int j = 0; j < m && !rc; j++)
		ly[j] = log(new[j]);
	if (!rc)
		rc = hodges_lehmann_interval(lx, n, ly, m, &lo, &hi, &out->full_coverage);
	out->lo = exp(lo);
	out->hi = exp(hi);
	free(lx);
	free(ly);
	return rc;
}
