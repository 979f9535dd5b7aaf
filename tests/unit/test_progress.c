/*
 * test_progress.c - the progress line of `run` (bench/progress.h): round and case i of N
 * from the samples begun, the time left from the time per sample so far, and the line
 * fitted to the terminal's width with the case id shortened from its left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bench/progress.h"

/* 3 rounds of 10 samples of 50 cases; the second round has begun 101 samples (so 100 are
 * done, case 11 of 50), after 500 in the first: 600 of 1500 done in 60 s since the first
 * sample, 70 s since the start. */
static struct progress second_round(const char *id)
{
	return (struct progress){ .mode = PROGRESS_PLAIN, .rounds = 3, .repetitions = 10, .round = 1, .cases = 50,
				  .begun = 101, .done_before = 500, .start = 0, .first_sample = 10, .current = id };
}

static void test_counts_and_time_left(void **state)
{
	struct progress p = second_round("native/save/xsave/fp/init");
	char line[256];

	(void)state;
	progress_format(&p, 70, 80, line, sizeof(line));
	/* 900 samples left at 0.1 s each */
	assert_string_equal(line, "round 2/3  case 11/50  native/save/xsave/fp/init  1:10, about 1:30 left");
}

static void test_before_any_sample_no_estimate(void **state)
{
	struct progress p = { .mode = PROGRESS_PLAIN, .rounds = 2, .repetitions = 3, .cases = 4, .first_sample = -1 };
	char line[256];

	(void)state;
	progress_format(&p, 3725, 80, line, sizeof(line));
	assert_string_equal(line, "round 1/2  case 1/4  1:02:05");
}

static void test_the_last_sample_is_case_n_of_n(void **state)
{
	struct progress p = second_round("x");
	char line[256];

	(void)state;
	p.begun = 500; /* the round's last sample begun */
	progress_format(&p, 70, 80, line, sizeof(line));
	assert_non_null(strstr(line, "case 50/50 "));
}

static void test_fits_the_width(void **state)
{
	struct progress p = second_round("native/switch/three-buffer/avx512/need-load");
	char line[256];

	(void)state;
	progress_format(&p, 70, 60, line, sizeof(line));
	assert_true(strlen(line) <= 59);
	assert_non_null(strstr(line, "...")); /* the id shortened from its left */
	assert_non_null(strstr(line, "need-load  1:10, about 1:30 left"));
	progress_format(&p, 70, 30, line, sizeof(line)); /* no room for the id at all */
	assert_string_equal(line, "round 2/3  case 11/50  1:10, about 1:30 left");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_and_time_left),
		cmocka_unit_test(test_before_any_sample_no_estimate),
		cmocka_unit_test(test_the_last_sample_is_case_n_of_n),
		cmocka_unit_test(test_fits_the_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
