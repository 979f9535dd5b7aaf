/*
 * test_counters.c - libpfm4 events: software events count; an event the machine cannot
 * count is marked unavailable with a reason, never read as zero; bad lists and events libpfm4
 * does not know are refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "host/counters.h"

static void busy(void)
{
	for (volatile unsigned long i = 0; i < 2000000; i++)
		;
}

static void test_software_and_unavailable(void **state)
{
	struct counter_set set;
	uint64_t delta[COUNTERS_MAX];

	(void)state;
	assert_int_equal(counters_open("perf::PERF_COUNT_SW_TASK_CLOCK,cycles", &set), 0);
	assert_int_equal(set.count, 2);
	assert_true(set.c[0].available);
	counters_start(&set);
	busy();
	counters_stop(&set);
	assert_int_equal(counters_read_delta(&set, delta), 0);
	assert_true(delta[0] > 0); /* task clock in ns */
	if (set.c[1].available)
		assert_true(delta[1] > 0);
	else
		assert_true(strlen(set.c[1].reason) > 0);
	/* disabled counters do not move */
	busy();
	assert_int_equal(counters_read_delta(&set, delta), 0);
	assert_int_equal(delta[0], 0);
	counters_close(&set);
}

static void test_bad_lists(void **state)
{
	struct counter_set set;

	(void)state;
	assert_int_equal(counters_open("", &set), -EINVAL);
	assert_int_equal(set.count, 0);
	assert_int_equal(counters_check_list("cycles,,instructions"), -EINVAL);
	assert_int_equal(counters_check_list("cycles,"), -EINVAL);
	assert_int_equal(counters_check_list("cycles,cycles,cycles,cycles,cycles,cycles,cycles,cycles,cycles"), -E2BIG);
	/* an event libpfm4 does not know is refused with its name, before anything is opened */
	assert_int_equal(counters_open("perf::PERF_COUNT_SW_TASK_CLOCK,no_such_event_xyz", &set), -EINVAL);
	assert_int_equal(set.count, 0);
	assert_non_null(strstr(xb_error_message(), "no_such_event_xyz"));
	assert_non_null(strstr(xb_error_message(), "libpfm4 does not know"));
	assert_int_equal(counters_check_list("perf::PERF_COUNT_SW_TASK_CLOCK,cycles:u"), 0);
}

static void test_probe(void **state)
{
	struct pmu_info pmu;

	(void)state;
	counters_probe(&pmu);
	assert_true(pmu.libpfm_ok);
	assert_true(pmu.software);
	if (!pmu.hardware)
		assert_true(strlen(pmu.hardware_error) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_software_and_unavailable),
		cmocka_unit_test(test_bad_lists),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
