/*
 * test_verdict.c - the decision rule of `compare`: new, missing and failed cases, too few samples
 * (to reach alpha, or for a 95% interval), functional-only results kept out of the false-discovery family, the threshold; and a
 * simulation with a fixed seed: on A/A data (10 samples a side, 2% normal noise) the share
 * of cases called a regression or an improvement stays under alpha, and a 5% shift is found
 * at least 95% of the time. The rates are printed; only the bounds the issue sets are
 * asserted (no timing is measured here).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "results/verdict.h"

static const struct verdict_options defaults = { .threshold = 0.02, .alpha = 0.01 };

/* splitmix64 and Box-Muller: a reproducible normal stream */
static uint64_t rng_state;

static double uniform01(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
	return sqrt(-2 * log(uniform01())) * cos(2 * M_PI * uniform01());
}

static void draw(double *v, int n, double center, double noise)
{
	for (int i = 0; i < n; i++)
		v[i] = center * (1 + noise * normal());
}

static void test_new_missing_and_small(void **state)
{
	double a[] = { 10, 11, 12, 13, 14 }, b[] = { 20, 21, 22, 23, 24 };
	struct case_verdict c[4];

	(void)state;
	assert_int_equal(verdict_measure(a, 5, b, 0, &c[0]), 0);
	assert_int_equal(verdict_measure(a, 0, b, 5, &c[1]), 0);
	assert_int_equal(verdict_measure(a, 3, b, 3, &c[2]), 0); /* separated, but p >= 0.1 */
	assert_int_equal(verdict_measure(a, 5, b, 5, &c[3]), 0); /* separated: p = 2/252 */
	assert_int_equal(verdict_decide(c, 4, &defaults), 0);
	assert_int_equal(c[0].verdict, VERDICT_MISSING);
	assert_int_equal(c[1].verdict, VERDICT_NEW);
	assert_int_equal(c[2].verdict, VERDICT_NOISY);
	assert_string_equal(c[2].why, "too few samples to reach alpha");
	/* family of two tested cases: 2/252 * 2 / 1 > 0.01, so not significant after correction */
	assert_true(c[3].p_adjusted > 0.01);
	assert_int_equal(c[3].verdict, VERDICT_NOISY);
	assert_true(fabs(verdict_min_p(5, 5) - 2.0 / 252) < 1e-15);
}

/* A case that failed its checks in NEW is failed with its reason, outside the family. */
static void test_failed_in_new(void **state)
{
	double a[10], b[10];
	struct case_verdict c[2];

	(void)state;
	for (int i = 0; i < 10; i++)
		a[i] = 100 + i, b[i] = 200 + i;
	assert_int_equal(verdict_measure(a, 10, NULL, 0, &c[0]), 0);
	c[0].failure = "XINUSE after XRSTOR was 0x2";
	assert_int_equal(verdict_measure(a, 10, b, 10, &c[1]), 0);
	assert_int_equal(verdict_decide(c, 2, &defaults), 0);
	assert_int_equal(c[0].verdict, VERDICT_FAILED);
	assert_string_equal(c[0].why, "XINUSE after XRSTOR was 0x2");
	assert_string_equal(verdict_name(c[0].verdict), "failed");
	/* alone in the family: adjusted as one test */
	assert_true(c[1].p_adjusted == c[1].p);
	assert_int_equal(c[1].verdict, VERDICT_REGRESSION);
}

/*
 * 3 a side with --alpha 0.1: the test can reach alpha (2 / C(6, 3) = 0.1), but even the
 * widest interval, [D(1), D(9)] = [100.5 / 102, 102.5 / 100], covers only 90%: though it
 * lies within a 5% threshold it rules nothing out, so the case is noisy, not unchanged.
 */
static void test_interval_short_of_95(void **state)
{
	static const struct verdict_options loose = { .threshold = 0.05, .alpha = 0.1 };
	double a[] = { 100, 101, 102 }, b[] = { 100.5, 101.5, 102.5 };
	struct case_verdict c;

	(void)state;
	assert_int_equal(verdict_measure(a, 3, b, 3, &c), 0);
	assert_int_equal(verdict_decide(&c, 1, &loose), 0);
	assert_false(c.r.full_coverage);
	assert_true(c.r.lo > 0.95 && c.r.hi < 1.05);
	assert_true(c.p_adjusted > 0.1);
	assert_int_equal(c.verdict, VERDICT_NOISY);
	assert_string_equal(c.why, "too few samples for a 95% interval");
}

static void test_threshold_and_functional_only(void **state)
{
	double base[20], slower[20], slightly[20], tcg[20];
	struct case_verdict c[3];

	(void)state;
	for (int i = 0; i < 20; i++) {
		base[i] = 1000 + i;         /* 1000 .. 1019 */
		slower[i] = 1100 + i;       /* +10%: regression */
		slightly[i] = 1010 + i;     /* +1%: significant but under the threshold */
		tcg[i] = 5000 + i;          /* a functional-only result: never a regression */
	}
	assert_int_equal(verdict_measure(base, 20, slower, 20, &c[0]), 0);
	assert_int_equal(verdict_measure(base, 20, slightly, 20, &c[1]), 0);
	assert_int_equal(verdict_measure(base, 20, tcg, 20, &c[2]), 0);
	c[2].functional_only = true;
	assert_int_equal(verdict_decide(c, 3, &defaults), 0);
	assert_int_equal(c[0].verdict, VERDICT_REGRESSION);
	assert_true(c[0].r.lo > 1.09 && c[0].r.hi < 1.11);
	assert_true(c[1].p_adjusted <= 0.01);
	assert_int_equal(c[1].verdict, VERDICT_UNCHANGED);
	assert_int_equal(c[2].verdict, VERDICT_NOISY);
	assert_true(isnan(c[2].p_adjusted));
	/* the same data read the other way round is an improvement */
	assert_int_equal(verdict_measure(slower, 20, base, 20, &c[0]), 0);
	assert_int_equal(verdict_decide(c, 1, &defaults), 0);
	assert_int_equal(c[0].verdict, VERDICT_IMPROVEMENT);
}

enum { SAMPLES = 10, FAMILY = 50, FAMILIES = 400, SINGLE_TRIALS = 20000 };

/* One comparison of FAMILY cases, the first @shifted of them 5% slower in NEW. */
static void compare_family(int shifted, int *flagged_null, int *found, int *raw_null)
{
	static struct case_verdict c[FAMILY];
	double base[SAMPLES], new[SAMPLES];

	for (int i = 0; i < FAMILY; i++) {
		draw(base, SAMPLES, 1000, 0.02);
		draw(new, SAMPLES, i < shifted ? 1050 : 1000, 0.02);
		assert_int_equal(verdict_measure(base, SAMPLES, new, SAMPLES, &c[i]), 0);
	}
	assert_int_equal(verdict_decide(c, FAMILY, &defaults), 0);
	for (int i = 0; i < FAMILY; i++) {
		bool flagged = c[i].verdict == VERDICT_REGRESSION || c[i].verdict == VERDICT_IMPROVEMENT;

		if (i < shifted)
			*found += c[i].verdict == VERDICT_REGRESSION;
		else
			*flagged_null += flagged, *raw_null += c[i].p <= defaults.alpha;
	}
}

static void test_simulation(void **state)
{
	int flagged = 0, raw = 0, found = 0, found_family = 0, flagged_family = 0, raw_family = 0;
	struct case_verdict c;
	double base[SAMPLES], new[SAMPLES];

	(void)state;
	rng_state = 20260101;
	for (int f = 0; f < FAMILIES; f++)
		compare_family(0, &flagged, &found, &raw);
	print_message("A/A: %d of %d cases flagged (%.4f%%), raw p <= alpha in %.3f%%\n", flagged,
		      FAMILIES * FAMILY, 100.0 * flagged / (FAMILIES * FAMILY), 100.0 * raw / (FAMILIES * FAMILY));
	assert_true(flagged < defaults.alpha * FAMILIES * FAMILY);
	assert_true(raw < defaults.alpha * FAMILIES * FAMILY);

	for (int t = 0; t < SINGLE_TRIALS; t++) {
		draw(base, SAMPLES, 1000, 0.02);
		draw(new, SAMPLES, 1050, 0.02);
		assert_int_equal(verdict_measure(base, SAMPLES, new, SAMPLES, &c), 0);
		assert_int_equal(verdict_decide(&c, 1, &defaults), 0);
		found += c.verdict == VERDICT_REGRESSION;
	}
	print_message("5%% shift, one case compared: found %d of %d (%.2f%%)\n", found, SINGLE_TRIALS,
		      100.0 * found / SINGLE_TRIALS);
	assert_true(found >= 0.95 * SINGLE_TRIALS);

	/* the same among 50 cases, 10 of them shifted: the correction costs some power */
	for (int f = 0; f < FAMILIES; f++)
		compare_family(10, &flagged_family, &found_family, &raw_family);
	print_message("5%% shift, 10 of 50 cases shifted: found %d of %d (%.2f%%); "
		      "unshifted flagged %d of %d\n", found_family, FAMILIES * 10,
		      100.0 * found_family / (FAMILIES * 10), flagged_family, FAMILIES * 40);
	assert_true(flagged_family < defaults.alpha * FAMILIES * 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_missing_and_small),
		cmocka_unit_test(test_failed_in_new),
		cmocka_unit_test(test_interval_short_of_95),
		cmocka_unit_test(test_threshold_and_functional_only),
		cmocka_unit_test(test_simulation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
