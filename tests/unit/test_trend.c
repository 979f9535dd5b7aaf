/*
 * test_trend.c - the nightly's trend test: Mann-Kendall's S and p-value against scipy's exact
 * Kendall tau (Debian's python3-scipy 1.10.1) and against the normal approximation worked by
 * hand for ties and for more nights than the exact table; Sen's slope, the onset of a ramp
 * and each night's machine-wide level on hand-worked data; the decision (threshold,
 * direction, too few nights); and a simulation with a fixed seed on the noise model of
 * test_verdict.c (noise_model.h), each night's location taken as compare takes it
 * (side_estimate): on quiet histories the share of nights reporting any drift stays under
 * alpha, and a creep of 0.5% a night for 10 nights is found with the night it began. The
 * rates are printed; only the bounds are asserted.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "results/replication.h"
#include "results/trend.h"
#include "noise_model.h"

static const struct trend_options defaults = { .threshold = 0.02, .alpha = 0.01 };

static const int nights[70] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
	30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58,
	59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69,
};

static void assert_mk(const double *x, int n, double s, double p)
{
	struct mann_kendall mk;

	assert_int_equal(trend_mann_kendall(x, n, &mk), 0);
	assert_true(mk.s == s);
	assert_true(fabs(mk.p - p) <= 1e-9 * p);
}

/* scipy.stats.kendalltau(range(n), x, method='exact'): S is tau times n(n - 1)/2 */
static void test_mann_kendall_exact(void **state)
{
	static const double rising[] = { 1, 2, 3, 4, 5 }, one_swap[] = { 1, 3, 2, 4 };
	static const double noisy[] = { 0.3, -0.1, 0.2, 0.5, 0.4, 0.9, 0.7, 1.1, 0.8, 1.3 };
	static const double pairs[] = { 2, 1, 3, 5, 4, 6, 8, 7, 9, 10, 12, 11 };
	static const double mixed[] = { 5, 3, 8, 1, 9, 2, 7, 4, 6, 0, 11, 10, 12, 14, 13 };
	double falling[5];

	(void)state;
	assert_mk(rising, 5, 10, 0.016666666666666666);
	for (int i = 0; i < 5; i++)
		falling[i] = -rising[i];
	assert_mk(falling, 5, -10, 0.016666666666666666);
	assert_mk(one_swap, 4, 4, 0.3333333333333333);
	assert_mk(noisy, 10, 33, 0.002212852733686067);
	assert_mk(pairs, 12, 58, 5.319397680508792e-06);
	assert_mk(mixed, 15, 49, 0.015510823225067603);
	/* no trend at all */
	assert_mk((const double[]){ 1, 3, 2, 4, 0 }, 5, 0, 1);
}

/*
 * Ties, and more nights than the exact table: 2 * P(Z > (|S| - 1) / sqrt(var)) with
 * var = (n(n - 1)(2n + 5) - sum t(t - 1)(2t + 5)) / 18 over the groups of t tied values.
 */
static void test_mann_kendall_normal(void **state)
{
	static const double tied[] = { 1, 2, 2, 3, 4, 4, 4, 5 };
	double many[70];

	(void)state;
	/* S = 24; ties: a pair (2 * 1 * 9 = 18) and a triple (3 * 2 * 11 = 66); var = (8 * 7 * 21 - 84) / 18 */
	assert_mk(tied, 8, 24, 0.0031477598557005807);
	for (int i = 0; i < 70; i++)
		many[i] = i;
	many[10] = 11, many[11] = 10;
	assert_mk(many, 70, 2413, 2.2025326836479934e-34);
}

static void test_sen_slope_and_onset(void **state)
{
	static const double x[] = { 0, 1, 4, 3 };
	static const double ramp[] = { 0, 0, 0, 0, 0, 1, 2, 3, 4 };
	static const double line[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const int gaps[] = { 0, 1, 3, 4, 6, 8, 9, 10 };
	static const double gapped[] = { 5, 5, 5, 5, 5, 7, 8, 9 };
	double slope;

	(void)state;
	/* slopes 1, 2, 1, 3, 1, -1: the median is 1 */
	assert_int_equal(trend_sen_slope(x, nights, 4, &slope), 0);
	assert_true(fabs(slope - 1) < 1e-12);
	/* flat to night 4, one a night from night 5: the first night of the ramp is 5 */
	assert_int_equal(trend_onset(ramp, nights, 9), 5);
	assert_int_equal(trend_onset(line, nights, 9), 0);
	/* nights 6, 8 missing: flat to night 6 (index 4), rising from night 8 (index 5) */
	assert_int_equal(trend_onset(gapped, gaps, 8), 5);
	assert_int_equal(trend_sen_slope(gapped + 4, gaps + 4, 4, &slope), 0);
	assert_true(fabs(slope - 1) < 1e-12);
}

/* Five cases, three nights; every case moves with the night (0, +0.1, -0.05) and case 0 also
 * by +0.2 on the last night: the level is the night's, and only case 0 keeps a change. */
static void test_relative_levels(void **state)
{
	double loc[5 * 3], level[3];
	static const double night[] = { 0, 0.1, -0.05 };

	(void)state;
	for (int c = 0; c < 5; c++)
		for (int t = 0; t < 3; t++)
			loc[c * 3 + t] = c + 1 + night[t] + (c == 0 && t == 2 ? 0.2 : 0);
	assert_int_equal(trend_relative_levels(loc, 5, 3, level), 0);
	for (int t = 0; t < 3; t++)
		assert_true(fabs(level[t] - night[t]) < 1e-12);
	assert_true(fabs(loc[0] - 1) < 1e-12 && fabs(loc[1] - 1) < 1e-12 && fabs(loc[2] - 1.2) < 1e-12);
	for (int c = 1; c < 5; c++)
		for (int t = 0; t < 3; t++)
			assert_true(fabs(loc[c * 3 + t] - (c + 1)) < 1e-12);
	/* a night with fewer than five cases keeps its level */
	loc[1] = loc[4] = loc[7] = NAN;
	assert_int_equal(trend_relative_levels(loc, 5, 3, level), 0);
	assert_true(level[1] == 0);
}

/*
 * Twelve nights: case 0 climbs 1% a night from night 6 (5% by the last), case 1 falls alike,
 * case 2 climbs 0.1% a night (significant, but 0.5% in all: under the threshold), case 3 is
 * flat with a wobble, case 4 has seven nights only: not tested.
 */
static void test_decide(void **state)
{
	double x[5][12];
	struct trend_series s[5];
	struct trend_verdict v[5];

	(void)state;
	for (int t = 0; t < 12; t++) {
		x[0][t] = 0.01 * fmax(0, t - 6) + 0.001 * (t % 2);
		x[1][t] = -x[0][t];
		x[2][t] = 0.001 * t;
		x[3][t] = 0.002 * ((t * 7) % 5);
		x[4][t] = 0.05 * t;
	}
	for (int i = 0; i < 5; i++)
		s[i] = (struct trend_series){ x[i], nights, i == 4 ? 7 : 12 };
	assert_int_equal(trend_decide(s, 5, &defaults, v), 0);
	assert_int_equal(v[0].direction, 1);
	assert_int_equal(v[0].began, 7);
	assert_true(fabs(v[0].slope - 0.01) < 0.002 && fabs(v[0].change - 0.05) < 0.01);
	assert_int_equal(v[1].direction, -1);
	assert_int_equal(v[2].direction, 0);
	assert_true(v[2].p_adjusted <= defaults.alpha && v[2].change < log1p(defaults.threshold));
	assert_int_equal(v[3].direction, 0);
	assert_false(v[4].tested);
	assert_true(isnan(v[4].p));
	/* Holm over the four tested cases */
	assert_true(v[0].p_adjusted >= v[0].p && v[0].p_adjusted <= 4 * v[0].p + 1e-15);
}

/*
 * The simulation: a history of NIGHTS nights of the noise model's machine, one run a night;
 * each case's location that night is side_estimate's (as compare's); the cases below
 * @planted creep by 0.5% a night from night CREEP_FROM on.
 */
enum { NIGHTS = 20, CREEP_FROM = 10, HISTORIES = 300 };

/* The steady cases: samples that spread 1% or less (noise_model.h: 0.2% .. 4%), runs that
 * move by 0.5% or less (0.05% .. 3%) */
#define STEADY_NOISE 0.01
#define STEADY_RUN 0.005

struct tally {
	int histories_flagged, null_flagged, planted, found, onset_right, steady, steady_found;
};

static void history_once(const struct world *w, int planted, struct tally *t)
{
	static struct side sides[CASES];
	static double loc[CASES * NIGHTS];
	double level[NIGHTS], factor[CASES];
	struct trend_series series[CASES];
	struct trend_verdict v[CASES];
	bool any = false;

	for (int night = 0; night < NIGHTS; night++) {
		for (int i = 0; i < CASES; i++)
			factor[i] = i < planted ? exp(0.005 * fmax(0, night - CREEP_FROM + 1)) : 1;
		simulate(w, 1, factor, sides);
		for (int i = 0; i < CASES; i++) {
			struct side_estimate e;

			assert_int_equal(side_estimate(sides[i].v, sides[i].run, sides[i].round, sides[i].n, 1, &e), 0);
			loc[i * NIGHTS + night] = e.location;
		}
	}
	assert_int_equal(trend_relative_levels(loc, CASES, NIGHTS, level), 0);
	for (int i = 0; i < CASES; i++)
		series[i] = (struct trend_series){ &loc[i * NIGHTS], nights, NIGHTS };
	assert_int_equal(trend_decide(series, CASES, &defaults, v), 0);
	for (int i = 0; i < CASES; i++) {
		bool steady = w->noise[i] <= STEADY_NOISE && w->run_sd[i] <= STEADY_RUN;

		if (i >= planted) {
			t->null_flagged += v[i].direction != 0;
			any |= v[i].direction != 0;
			continue;
		}
		t->planted++;
		t->found += v[i].direction == 1;
		t->steady += steady;
		t->steady_found += steady && v[i].direction == 1;
		t->onset_right += v[i].direction == 1 && abs(v[i].began - CREEP_FROM) <= 2;
	}
	t->histories_flagged += any;
}

static void test_simulation_quiet_nights(void **state)
{
	struct world w;
	struct tally t = { 0 };

	(void)state;
	rng_state = 20261207;
	make_world(&w);
	for (int k = 0; k < HISTORIES; k++)
		history_once(&w, 0, &t);
	print_message("quiet: %d of %d histories of %d nights reported a drift (%d cases)\n", t.histories_flagged,
		      HISTORIES, NIGHTS, t.null_flagged);
	/* the family-wise rate is alpha; allow two standard errors of the estimate above it */
	assert_true(t.histories_flagged <= defaults.alpha * HISTORIES + 2 * sqrt(defaults.alpha * HISTORIES));
}

static void test_simulation_creep(void **state)
{
	struct world w;
	struct tally t = { 0 };

	(void)state;
	rng_state = 20261208;
	make_world(&w);
	for (int k = 0; k < HISTORIES / 3; k++)
		history_once(&w, 10, &t);
	print_message("creep of 0.5%% a night for %d nights on 10 of %d cases: found %d of %d (%d of the %d whose "
		      "samples spread 1%% or less and runs 0.5%%), began within two nights of night %d: %d; %d others reported\n",
		      NIGHTS - CREEP_FROM, CASES, t.found, t.planted, t.steady_found, t.steady, CREEP_FROM,
		      t.onset_right, t.null_flagged);
	/* a steady case creeps by at least its run-to-run spread every night: most are found */
	assert_true(t.steady >= 0.2 * t.planted && t.steady_found >= 0.8 * t.steady);
	assert_true(t.found >= 0.6 * t.planted);
	assert_true(t.onset_right >= 0.85 * t.found);
	assert_true(t.null_flagged <= defaults.alpha * HISTORIES / 3 + 2 * sqrt(defaults.alpha * HISTORIES / 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mann_kendall_exact),
		cmocka_unit_test(test_mann_kendall_normal),
		cmocka_unit_test(test_sen_slope_and_onset),
		cmocka_unit_test(test_relative_levels),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_simulation_quiet_nights),
		cmocka_unit_test(test_simulation_creep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
