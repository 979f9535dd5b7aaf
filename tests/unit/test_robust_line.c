/*
 * test_robust_line.c - the robust line on constructed data: a cost line with noise and two
 * outliers is recovered (least squares would not be) and exactly the outliers lie off it;
 * too few points or a single x are refused; the rule off the line on hand-worked points.
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
	assert_true(line.sigma > 0 && line.sigma < 20);
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
		cmocka_unit_test(test_refuses_too_little),
		cmocka_unit_test(test_off_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
