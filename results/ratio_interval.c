/*
 * ratio_interval.c - the ratio of medians and its Hodges-Lehmann interval.
 */
#include "ratio_interval.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "stats.h"

#define Z_975 1.959963984540054 /* the standard normal's 97.5% quantile */

/* k: P(U <= k - 1) <= 2.5% for the largest such k; 0 when even k = 1 is too wide. */
static int order_index(int n, int m, const struct mw_result *mw)
{
	const double half_alpha = (1 - RATIO_CONFIDENCE) / 2;
	int k = 0;

	if (mw->exact) {
		double *cdf = mw_exact_cdf(n, m);

		if (!cdf)
			return xb_fail(ENOMEM, "out of memory");
		while (k <= n * m && cdf[k] <= half_alpha)
			k++;
		free(cdf);
		return k;
	}
	k = (int)floor(n * m / 2.0 + 0.5 - Z_975 * mw_sigma(n, m, mw->tie_term));
	return k < 0 ? 0 : k;
}

int hodges_lehmann_interval(const double *x, int n, const double *y, int m, const struct mw_result *mw,
			    double *lo, double *hi, bool *full_coverage)
{
	int nm = n * m, k = order_index(n, m, mw);
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

int ratio_estimate(const double *base, int n, double base_median, const double *new, int m, double new_median,
		   const struct mw_result *mw, struct ratio_estimate *out)
{
	double lo = NAN, hi = NAN, *lx = NULL, *ly = NULL;
	int rc;

	*out = (struct ratio_estimate){ .ratio = NAN, .lo = NAN, .hi = NAN };
	if (!(base_median > 0))
		return 0;
	out->valid = true;
	out->ratio = new_median / base_median;
	out->log_scale = all_positive(base, n) && all_positive(new, m);
	if (!out->log_scale) {
		rc = hodges_lehmann_interval(base, n, new, m, mw, &lo, &hi, &out->full_coverage);
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
		rc = hodges_lehmann_interval(lx, n, ly, m, mw, &lo, &hi, &out->full_coverage);
	out->lo = exp(lo);
	out->hi = exp(hi);
	free(lx);
	free(ly);
	return rc;
}
