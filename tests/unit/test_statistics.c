/*
 * test_statistics.c - the comparison statistics on known answers: the Mann-Whitney U and
 * two-sided p-value against scipy.stats.mannwhitneyu (fixed vectors in mw_vectors.h, made
 * once by mw_vectors.py with Debian's python3-scipy 1.10.1), the exact null distribution,
 * the Hodges-Lehmann interval, the order-statistic interval of a median and the IQR% on
 * data whose order statistics are worked out by hand below, the ratio on log and linear
 * scales, and Benjamini-Hochberg on the 15 p-values of Benjamini and Hochberg (1995),
 * where 4 hypotheses are rejected at q = 0.05.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "results/fdr.h"
#include "results/mannwhitney.h"
#include "results/ratio_interval.h"
#include "results/stats.h"
#include "mw_vectors.h"

#define assert_close(a, b, rel) assert_true(fabs((a) - (b)) <= (rel) * fmax(fabs(b), 1e-300))

static void test_mann_whitney_matches_scipy(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(mw_vectors) / sizeof(mw_vectors[0]); i++) {
		const struct mw_vector *v = &mw_vectors[i];
		struct mw_result r;

		print_message("%s: U %g p %.12g\n", v->name, v->u, v->p);
		assert_int_equal(mann_whitney(v->x, v->n, v->y, v->m, &r), 0);
		assert_close(r.u, v->u, 1e-12);
		assert_close(r.p, v->p, 1e-9);
	}
}

/* P(U <= k) for n = m = 5: 1, 1, 2, 3 arrangements of 252 give U = 0, 1, 2, 3. */
static void test_exact_distribution(void **state)
{
	double *cdf = mw_exact_cdf(5, 5);

	(void)state;
	assert_non_null(cdf);
	assert_close(cdf[0], 1.0 / 252, 1e-12);
	assert_close(cdf[2], 4.0 / 252, 1e-12);
	assert_close(cdf[3], 7.0 / 252, 1e-12);
	assert_close(cdf[12], 0.5, 1e-12); /* symmetric about 12.5 */
	assert_close(cdf[25], 1.0, 1e-12);
	free(cdf);
	assert_true(mw_use_exact(8, 100, false));
	assert_false(mw_use_exact(8, 100, true));
	assert_false(mw_use_exact(9, 9, false));
}

/*
 * x = 1..5, y = x + 10.5: the 25 differences are 10.5 + d, d = j - i, with 5 - |d| of each.
 * Exact (n = m = 5): P(U <= 2) = 4/252 <= 2.5% < P(U <= 3) = 7/252, so k = 3: D(3) and
 * D(23), 10.5 - 3 and 10.5 + 3.
 */
static void test_hodges_lehmann_exact(void **state)
{
	double x[5], y[5], lo, hi;
	struct mw_result mw;
	bool full;

	(void)state;
	for (int i = 0; i < 5; i++)
		x[i] = i + 1, y[i] = i + 11.5;
	assert_int_equal(mann_whitney(x, 5, y, 5, &mw), 0);
	assert_int_equal(hodges_lehmann_interval(x, 5, y, 5, &mw, &lo, &hi, &full), 0);
	assert_true(full);
	assert_close(lo, 7.5, 1e-12);
	assert_close(hi, 13.5, 1e-12);
}

/*
 * x = 1..10, y = x + 5.5 (no ties, so the normal rule): sigma = sqrt(100 * 21 / 12),
 * k = floor(50 + 0.5 - 1.96 sigma) = 24; the differences 5.5 + d come 1, 2, 3, ... times
 * for d = -9, -8, -7, ..., so D(24) has d = -3 and D(77) has d = +3.
 */
static void test_hodges_lehmann_normal(void **state)
{
	double x[10], y[10], lo, hi;
	struct mw_result mw;
	bool full;

	(void)state;
	for (int i = 0; i < 10; i++)
		x[i] = i + 1, y[i] = i + 6.5;
	assert_int_equal(mann_whitney(x, 10, y, 10, &mw), 0);
	assert_int_equal(hodges_lehmann_interval(x, 10, y, 10, &mw, &lo, &hi, &full), 0);
	assert_true(full);
	assert_close(lo, 2.5, 1e-12);
	assert_close(hi, 8.5, 1e-12);
}

/* n = m = 3: even the widest interval covers only 90%: it is given, and said to be short. */
static void test_hodges_lehmann_too_small(void **state)
{
	double x[] = { 0, 1, 2 }, y[] = { 0.5, 1.5, 2.5 }, lo, hi;
	struct mw_result mw;
	bool full;

	(void)state;
	assert_int_equal(mann_whitney(x, 3, y, 3, &mw), 0);
	assert_int_equal(hodges_lehmann_interval(x, 3, y, 3, &mw, &lo, &hi, &full), 0);
	assert_false(full);
	assert_close(lo, -1.5, 1e-12);
	assert_close(hi, 2.5, 1e-12);
}

/* ratio_estimate given what verdict_measure hands it: the test's result and both medians */
static int estimate(const double *base, int n, const double *new, int m, struct ratio_estimate *r)
{
	struct mw_result mw;
	int rc = mann_whitney(base, n, new, m, &mw);

	return rc ? rc : ratio_estimate(base, n, stats_median(base, n), new, m, stats_median(new, m), &mw, r);
}

static void test_ratio(void **state)
{
	double base[] = { 100, 100, 100, 100, 100, 100 }, new[] = { 110, 110, 110, 110, 110, 110 };
	double signed_base[] = { -1, 1, 2, 3, 4 }, signed_new[] = { 0, 2, 3, 4, 5 };
	double zero[] = { -1, 0, 0, 1 };
	double x[10], y[10];
	struct ratio_estimate r;

	(void)state;
	assert_int_equal(estimate(base, 6, new, 6, &r), 0);
	assert_true(r.valid && r.log_scale);
	assert_close(r.ratio, 1.1, 1e-12);
	assert_close(r.lo, 1.1, 1e-12);
	assert_close(r.hi, 1.1, 1e-12);
	/* y = 2x: every log difference is log 2 + log(x_j / x_i); the interval holds 2 */
	for (int i = 0; i < 10; i++)
		x[i] = 10 + i, y[i] = 2 * x[i];
	assert_int_equal(estimate(x, 10, y, 10, &r), 0);
	assert_close(r.ratio, 2.0, 1e-12);
	assert_true(r.lo < 2 && r.hi > 2 && r.lo > 1.5 && r.hi < 2.7);
	/* values that are not all positive: a linear interval over the base median (2) */
	assert_int_equal(estimate(signed_base, 5, signed_new, 5, &r), 0);
	assert_true(r.valid && !r.log_scale);
	assert_close(r.ratio, 1.5, 1e-12);
	/* no ratio when the base median is not positive */
	assert_int_equal(estimate(zero, 4, new, 6, &r), 0);
	assert_false(r.valid);
}

/*
 * The order-statistic interval of a median, B ~ Binomial(n, 1/2), x(i) = i:
 * n = 10: P(B < 2) = 11/1024 = 1.07% <= 2.5% < P(B < 3) = 56/1024 = 5.47%, so x(2), x(9);
 * n = 20: P(B < 6) = 21700/2^20 = 2.07% <= 2.5% < P(B < 7) = 60460/2^20 = 5.77%: x(6), x(15);
 * n = 5: P(B < 1) = 1/32 = 3.1% > 2.5%, no k: [min, max]; n = 0: no interval.
 */
static void test_median_interval(void **state)
{
	double x[20], lo, hi;

	(void)state;
	for (int i = 0; i < 20; i++)
		x[i] = i + 1;
	stats_median_interval_sorted(x, 10, &lo, &hi);
	assert_close(lo, 2.0, 1e-12);
	assert_close(hi, 9.0, 1e-12);
	stats_median_interval_sorted(x, 20, &lo, &hi);
	assert_close(lo, 6.0, 1e-12);
	assert_close(hi, 15.0, 1e-12);
	stats_median_interval_sorted(x, 5, &lo, &hi);
	assert_close(lo, 1.0, 1e-12);
	assert_close(hi, 5.0, 1e-12);
	stats_median_interval_sorted(x, 0, &lo, &hi);
	assert_true(isnan(lo) && isnan(hi));
}

/* 1..5: Q1 2, median 3, Q3 4, so 100 * 2 / 3; the spread of negative values is positive too. */
static void test_iqr_percent(void **state)
{
	double x[] = { 1, 2, 3, 4, 5 }, negative[] = { -5, -4, -3, -2, -1 };

	(void)state;
	assert_close(stats_iqr_percent(x, 5), 200.0 / 3, 1e-12);
	assert_close(stats_iqr_percent(negative, 5), 200.0 / 3, 1e-12);
}

static void test_benjamini_hochberg(void **state)
{
	/* Benjamini & Hochberg (1995), section 4 */
	const double p[15] = { 0.0201, 0.0001, 0.0004, 0.0019, 0.0095, 0.0278, 0.0298, 0.0344,
			       0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000 };
	double adj[15], with_nan[3], adj3[3];
	int rejected = 0;

	(void)state;
	assert_int_equal(fdr_benjamini_hochberg(p, 15, adj), 0);
	for (int i = 0; i < 15; i++)
		rejected += adj[i] <= 0.05;
	assert_int_equal(rejected, 4);
	assert_close(adj[1], 0.0001 * 15, 1e-12);     /* rank 1: min(15 p, rank 2's 0.003) */
	assert_close(adj[4], 0.0095 * 15 / 4, 1e-12); /* rank 4: 0.035625 */
	assert_close(adj[0], 0.0201 * 15 / 5, 1e-12); /* rank 5: 0.0603, below rank 6's 0.0695 */
	assert_close(adj[14], 1.0, 1e-12);
	assert_close(adj[13], 0.7590 * 15 / 14, 1e-12);
	/* untested cases do not count in the family */
	with_nan[0] = 0.01, with_nan[1] = NAN, with_nan[2] = 0.04;
	assert_int_equal(fdr_benjamini_hochberg(with_nan, 3, adj3), 0);
	assert_true(isnan(adj3[1]));
	assert_close(adj3[0], 0.02, 1e-12);
	assert_close(adj3[2], 0.04, 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mann_whitney_matches_scipy),
		cmocka_unit_test(test_exact_distribution),
		cmocka_unit_test(test_hodges_lehmann_exact),
		cmocka_unit_test(test_hodges_lehmann_normal),
		cmocka_unit_test(test_hodges_lehmann_too_small),
		cmocka_unit_test(test_ratio),
		cmocka_unit_test(test_median_interval),
		cmocka_unit_test(test_iqr_percent),
		cmocka_unit_test(test_benjamini_hochberg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
