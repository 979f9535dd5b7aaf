/*
 * test_statistics.c - the comparison statistics on known answers: the normal tail and
 * quantile against scipy.stats.norm (Debian's python3-scipy 1.10.1), Holm's correction, the
 * two-level side estimate, tau and the machine-wide shift on data worked out by hand below,
 * the order-statistic interval of a median and the IQR%; the upper bound of a variance
 * against the exact chi-square quantiles.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "results/holm.h"
#include "results/replication.h"
#include "results/shift.h"
#include "results/stats.h"

#define assert_close(a, b, rel) assert_true(fabs((a) - (b)) <= (rel) * fmax(fabs(b), 1e-300))

/* scipy.stats.norm: ppf(1e-6), ppf(0.975), sf(3), ppf(0.8), ppf(1 - 0.01 / 180) */
static void test_normal_matches_scipy(void **state)
{
	(void)state;
	assert_close(stats_normal_quantile(1e-6), -4.753424308822899, 1e-10);
	assert_close(stats_normal_quantile(0.975), 1.959963984540054, 1e-10);
	assert_close(stats_normal_quantile(0.8), 0.8416212335729143, 1e-10);
	assert_close(stats_normal_quantile(1 - 0.01 / 180), 3.864951862277043, 1e-10);
	assert_true(fabs(stats_normal_quantile(0.5)) < 1e-12);
	assert_true(isnan(stats_normal_quantile(0)) && isnan(stats_normal_quantile(1)));
	assert_close(stats_normal_sf(3.0), 0.0013498980316300933, 1e-12);
	assert_close(stats_normal_sf(0), 0.5, 1e-15);
}

/*
 * p = 0.01, NaN, 0.04, 0.03, 0.005 (m = 4 tested): sorted 0.005 * 4 = 0.02, 0.01 * 3 = 0.03,
 * 0.03 * 2 = 0.06, 0.04 * 1 = 0.04 raised to the running maximum 0.06.
 */
static void test_holm(void **state)
{
	const double p[] = { 0.01, NAN, 0.04, 0.03, 0.005 };
	double adj[5];

	(void)state;
	assert_int_equal(holm_adjust(p, 5, adj), 0);
	assert_close(adj[4], 0.02, 1e-12);
	assert_close(adj[0], 0.03, 1e-12);
	assert_close(adj[3], 0.06, 1e-12);
	assert_close(adj[2], 0.06, 1e-12);
	assert_true(isnan(adj[1]));
}

/*
 * One run, two rounds of three samples, logs {0, 0.02, -0.02} and {0.10, 0.12, 0.08}: the run's
 * location is the median of all six logs, (0.02 + 0.08) / 2 = 0.05. The deviations from the
 * round medians (0 and 0.10) are 0, 0.02, 0.02 twice: MAD 0.02, sigma 1.4826 * 0.02, and the
 * samples say pi / 2 * sigma^2 / 6 = 2.3018e-4; the round medians say var{0, 0.10} / 2 =
 * 0.0025, which is larger: the drift between the rounds counts. IQR% of the values: 8.9993.
 */
static void test_side_estimate_rounds(void **state)
{
	const double logs[] = { 0, 0.02, -0.02, 0.10, 0.12, 0.08 };
	const int runs[] = { 0, 0, 0, 0, 0, 0 }, rounds[] = { 0, 0, 0, 1, 1, 1 };
	double v[6];
	struct side_estimate e;

	(void)state;
	for (int i = 0; i < 6; i++)
		v[i] = exp(logs[i]);
	assert_int_equal(side_estimate(v, runs, rounds, 6, 1, &e), 0);
	assert_true(e.valid);
	assert_int_equal(e.n_runs, 1);
	assert_int_equal(e.n_rounds, 2);
	assert_close(e.location, 0.05, 1e-12);
	assert_close(e.within_var, 0.0025, 1e-12);
	assert_true(isnan(e.between_var));
	assert_close(e.spread, 8.99930041185265, 1e-9);
	/* the same samples in one round: only the samples' spread is left */
	const int one_round[] = { 0, 0, 0, 0, 0, 0 };
	assert_int_equal(side_estimate(v, runs, one_round, 6, 1, &e), 0);
	/* deviations from the median 0.05: 0.05, 0.03, 0.07, 0.05, 0.07, 0.03: MAD 0.05 */
	assert_close(e.within_var, M_PI / 2 * pow(1.4826 * 0.05, 2) / 6, 1e-9);
}

/*
 * Two runs of four samples in one round each, logs 0 .. 0.03 and 0.10 .. 0.13 by 0.01: run
 * medians 0.015 and 0.115, location their mean 0.065; each run's MAD is 0.01, so each run
 * says pi / 2 * (1.4826 * 0.01)^2 / 4 and the side (2 runs) half of that: 4.31596e-5; the
 * run medians themselves spread var{0.015, 0.115} / 2 = 0.0025.
 */
static void test_side_estimate_runs(void **state)
{
	const double logs[] = { 0.03, 0.10, 0, 0.11, 0.01, 0.12, 0.02, 0.13 };
	const int runs[] = { 0, 1, 0, 1, 0, 1, 0, 1 }, rounds[8] = { 0 };
	double v[8];
	struct side_estimate e;

	(void)state;
	for (int i = 0; i < 8; i++)
		v[i] = exp(logs[i]);
	assert_int_equal(side_estimate(v, runs, rounds, 8, 2, &e), 0);
	assert_true(e.valid);
	assert_int_equal(e.n_runs, 2);
	assert_close(e.location, 0.065, 1e-12);
	assert_close(e.within_var, 4.3159646766571544e-05, 1e-9);
	assert_close(e.between_var, 0.0025, 1e-12);
	assert_close(e.spread, 1.5000125001250124, 1e-9);
	/* a run of one sample, a value that is not positive: no estimate, and why */
	const int lonely[] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	assert_int_equal(side_estimate(v, lonely, rounds, 8, 2, &e), 0);
	assert_false(e.valid);
	assert_string_equal(e.why, "a run has fewer than two samples");
	v[3] = 0;
	assert_int_equal(side_estimate(v, runs, rounds, 8, 2, &e), 0);
	assert_false(e.valid);
	assert_string_equal(e.why, "a sample is not positive: no ratio");
}

/*
 * tau^2 with (almost) no inner variance and c = 1: the standardized changes are r / tau, so
 * tau is Qn(r). For r = 0.01, -0.02, 0.03, -0.04, 0.05 the ten |r_i - r_j| sorted are 0.02
 * three times, 0.03, 0.04, 0.05 twice, 0.07 twice, 0.09; n = 5, h = 3, k = C(3, 2) = 3: the
 * third, 0.02; Qn = 2.2219 * 0.02 * 0.844 (the correction for n = 5) = 0.0375057. With inner
 * variances that already explain the spread, 0; fewer than SHIFT_MIN_CASES cases, 0.
 */
static void test_run_spread(void **state)
{
	const double r[] = { 0.01, -0.02, 0.03, -0.04, 0.05 }, one[5] = { 1, 1, 1, 1, 1 };
	const double tiny[5] = { 1e-14, 1e-14, 1e-14, 1e-14, 1e-14 }, wide[5] = { 1, 1, 1, 1, 1 };
	double t2;

	(void)state;
	assert_int_equal(run_spread_estimate(r, tiny, one, 5, &t2), 0);
	/* used at its upper bound: SHIFT_TAU_BOUND_Z times the relative error 2 / sqrt(1.64 n) above */
	assert_close(t2, pow(2.2219 * 0.02 * 0.844, 2) * (1 + SHIFT_TAU_BOUND_Z * 2 / sqrt(1.64 * 5)), 1e-3);
	assert_int_equal(run_spread_estimate(r, wide, one, 5, &t2), 0);
	assert_true(t2 == 0);
	assert_int_equal(run_spread_estimate(r, tiny, one, 4, &t2), 0);
	assert_true(t2 == 0);
}

/*
 * Ten cases that moved by 0.01 .. 0.10 (log): the shift is their median 0.055, its interval
 * x(2) .. x(9) = 0.02 .. 0.09 (as the median interval below), which excludes 0: per-case
 * changes are taken relative to it and inherit ((0.09 - 0.02) / (2 * 1.96))^2. Cases that
 * moved both ways around 0 leave it unadjusted; four cases are too few.
 */
static void test_machine_shift(void **state)
{
	double d[10], mixed[10];
	struct machine_shift s;

	(void)state;
	for (int i = 0; i < 10; i++)
		d[i] = 0.01 * (10 - i), mixed[i] = 0.01 * (i - 4.5);
	machine_shift_estimate(d, 10, &s);
	assert_close(s.ratio, exp(0.055), 1e-12);
	assert_close(s.lo, exp(0.02), 1e-12);
	assert_close(s.hi, exp(0.09), 1e-12);
	assert_true(s.adjusted);
	assert_close(s.log_var, pow(0.07 / (2 * 1.959963984540054), 2), 1e-9);
	machine_shift_estimate(mixed, 10, &s);
	assert_false(s.adjusted);
	assert_true(s.log_var == 0);
	machine_shift_estimate(d, 4, &s);
	assert_true(isnan(s.ratio) && !s.adjusted);
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

/*
 * The 80% upper bound of a variance from n runs is SS / chi2.ppf(0.2, n - 1): for 2 degrees
 * of freedom -2 ln 0.8 = 0.4462871, for 4 the root of 1 - e^(-x/2) (1 + x/2) = 0.2,
 * 1.6487766; Wilson and Hilferty's approximation is within 1.5% of both.
 */
static void test_prior_variance_bound(void **state)
{
	const double three[] = { 0, 0.01, 0.02 }, five[] = { 0.01, -0.01, 0.02, 0, 0.03 };

	(void)state;
	assert_close(stats_variance_upper_bound(three, 3, 0.80), 2e-4 / 0.4462871026284194, 0.015);
	/* five: mean 0.01, squares 0 + 4 + 1 + 1 + 4 (1e-4) */
	assert_close(stats_variance_upper_bound(five, 5, 0.80), 10e-4 / 1.6487766180659689, 0.015);
	/* above the sample variance: an upper bound */
	assert_true(stats_variance_upper_bound(five, 5, 0.80) > 10e-4 / 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prior_variance_bound),
		cmocka_unit_test(test_normal_matches_scipy),
		cmocka_unit_test(test_holm),
		cmocka_unit_test(test_side_estimate_rounds),
		cmocka_unit_test(test_side_estimate_runs),
		cmocka_unit_test(test_run_spread),
		cmocka_unit_test(test_machine_shift),
		cmocka_unit_test(test_median_interval),
		cmocka_unit_test(test_iqr_percent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
