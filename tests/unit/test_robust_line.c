/*
 * test_robust_line.c - the robust line on constructed data: a cost line with noise and two
 * outliers is recovered (least squares would not be) and exactly the outliers lie off it; an
 * outlier at the largest x (the most leverage: where an M-estimator follows it) is not
 * followed; Sen's slope on hand-worked pairs; too few points or a single x are refused; the
 * rule off the line on hand-worked points.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <math.h>
#include <cmocka.h>

#include "results/robust_line.h"

#define N 10

/* y = 40 + 0.25 x with +-1% noise (fixed), points 3 and 8 raised by 60% and 45%. */
static void constructed(double *x, double *y)
{
	static const double noise[N] = { 0.004, -0.008, 0.01, -0.002, 0.006, -0.01, 0.0, 0.008, -0.006, 0.002 };

	for (int i = 0; i < N; i++) {
		x[i] = 576 + 256 * i;
		y[i] = (40 + 0.25 * x[i]) * (1 + noise[i]);
	}
	y[3] *= 1.6;
	y[8] *= 1.45;
}

static void test_recovers_the_line_despite_outliers(void **state)
{
	double x[N], y[N], sx = 0, sy = 0, sxx = 0, sxy = 0, ols_slope;
	struct robust_line line;
	bool off[N];

	(void)state;
	constructed(x, y);
	assert_int_equal(robust_line_fit(x, y, N, &line, off), 0);
	assert_int_equal(line.n, N);
	assert_true(fabs(line.slope - 0.25) < 0.01);
	assert_true(fabs(line.intercept - 40) < 15);
	assert_true(line.sigma > 0 && line.sigma < 10);
	for (int i = 0; i < N; i++)
		assert_int_equal(off[i], i == 3 || i == 8);
	/* the control: least squares is pulled by the outliers */
	for (int i = 0; i < N; i++) {
		sx += x[i];
		sy += y[i];
		sxx += x[i] * x[i];
		sxy += x[i] * y[i];
	}
	ols_slope = (N * sxy - sx * sy) / (N * sxx - sx * sx);
	assert_true(fabs(ols_slope - 0.25) > 3 * fabs(line.slope - 0.25));
}

/* The datasheet's shape: five components, the largest 50% above the line ticks = 42.4 + 0.1 bytes. */
static void test_outlier_at_the_largest_x(void **state)
{
	double x[5] = { 576, 640, 832, 1088, 1600 }, y[5];
	struct robust_line line;
	bool off[5];

	(void)state;
	for (int i = 0; i < 5; i++)
		y[i] = 42.4 + 0.1 * x[i];
	y[4] *= 1.5;
	assert_int_equal(robust_line_fit(x, y, 5, &line, off), 0);
	assert_true(fabs(line.slope - 0.1) < 1e-9);
	assert_true(fabs(line.intercept - 42.4) < 1e-6);
	for (int i = 0; i < 5; i++)
		assert_int_equal(off[i], i == 4);
}

static void test_sen_slope_by_hand(void **state)
{
	/* pairs: (0,1) 2, (0,2) 1, (0,3) 3, (1,2) 0, (1,3) 3.5, (2,3) 7 */
	double x[4] = { 0, 1, 2, 3 }, y[4] = { 0, 2, 2, 9 }, slope;

	(void)state;
	assert_int_equal(robust_line_sen_slope(x, y, 4, &slope), 0);
	assert_true(fabs(slope - 2.5) < 1e-12); /* the median of 0 1 2 3 3.5 7 */
	assert_int_equal(robust_line_sen_slope(x + 1, y + 1, 1, &slope), -EINVAL);
	/* pairs with x equal are left out: (1, 1) */
	double same_x[2] = { 1, 1 }, two_y[2] = { 2, 5 };
	assert_int_equal(robust_line_sen_slope(same_x, two_y, 2, &slope), -EINVAL);
}

static void test_refuses_too_little(void **state)
{
	double x[3] = { 576, 832, 1088 }, y[3] = { 100, 120, 140 }, same[3] = { 576, 576, 576 };
	struct robust_line line;

	(void)state;
	assert_int_equal(robust_line_fit(x, y, 2, &line, NULL), -EINVAL);
	assert_int_equal(robust_line_fit(same, y, 3, &line, NULL), -EINVAL);
}

static void test_off_rule(void **state)
{
	struct robust_line line = { .intercept = 100, .slope = 0, .sigma = 1 };

	(void)state;
	/* 3 sigma and 5% of 100 both exceeded */
	assert_true(robust_line_off(&line, 0, 106));
	assert_true(robust_line_off(&line, 0, 94));
	/* beyond 3 sigma, within 5% */
	assert_false(robust_line_off(&line, 0, 104));
	/* beyond 5%, within 3 sigma */
	line.sigma = 10;
	assert_false(robust_line_off(&line, 0, 120));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recovers_the_line_despite_outliers),
		cmocka_unit_test(test_outlier_at_the_largest_x),
		cmocka_unit_test(test_sen_slope_by_hand),
		cmocka_unit_test(test_refuses_too_little),
		cmocka_unit_test(test_off_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
