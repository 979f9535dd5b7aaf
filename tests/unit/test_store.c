/*
 * test_store.c - the results API on SQLite: machines are found again by fingerprint, a case
 * is stored whole or not at all, a run is complete only when finished, and bad files are
 * refused without being touched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "results/store.h"

static char dir[] = "/tmp/xb-test-store-XXXXXX";
static char path[256];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/results.db", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static int64_t query_int(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static const struct machine_record machine = {
	.fingerprint = "0123456789abcdef", .hostname = "h", .vendor = "GenuineIntel",
	.family = 6, .model = 85, .stepping = 7, .microcode = "0x1", .brand = "b",
	.xcr0 = 0x2ff, .xss = 0, .cpuid_dump = "xcr0 0x2ff\n",
};

static void test_run_round_trip(void **state)
{
	struct results_store *st;
	int64_t m1, m2, run;
	struct named_value metrics[] = { { "perf::PERF_COUNT_SW_TASK_CLOCK", 12.5 } };
	struct sample_record samples[] = {
		{ 100.0, 40.0, 1000, 1, metrics }, { 101.0, 40.4, 1000, 1, metrics }, { 99.0, 39.6, 1000, 1, metrics },
	};
	struct attribute_record attrs[] = { { "xinuse_before", "0x2e7" } };
	struct case_record ok = { "native/save/xsave/avx512/inuse", "ticks/op", CASE_OK, NULL, 128, 180.0,
				  3, samples, 1, attrs };
	struct case_record skip = { "native/save/xsave/amx/inuse", "ticks/op", CASE_SKIP, "no AMX", 0, 0,
				    0, NULL, 0, NULL };
	struct run_record r = { .label = "t", .started_at = "2026-01-01T00:00:00Z", .pinned_pu = 1 };

	(void)state;
	assert_int_equal(results_open(path, &st), 0);
	assert_int_equal(results_put_machine(st, &machine, &m1), 0);
	assert_int_equal(results_put_machine(st, &machine, &m2), 0);
	assert_int_equal(m1, m2);
	assert_int_equal(results_begin_run(st, m1, &r, &run), 0);
	assert_int_equal(results_put_counter(st, run, "cycles", false, "no PMU"), 0);
	assert_int_equal(results_put_case(st, run, &ok), 0);
	assert_int_equal(results_put_case(st, run, &skip), 0);
	assert_int_equal(query_int("SELECT complete FROM runs"), 0);
	/* the same case twice in one run: refused, and nothing of it is half-written */
	assert_int_not_equal(results_put_case(st, run, &ok), 0);
	assert_int_equal(query_int("SELECT count(*) FROM samples"), 3);
	assert_int_equal(results_finish_run(st, run, "2026-01-01T00:01:00Z"), 0);
	results_close(st);

	assert_int_equal(query_int("SELECT count(*) FROM machines"), 1);
	assert_int_equal(query_int("SELECT complete FROM runs"), 1);
	assert_int_equal(query_int("SELECT count(*) FROM results WHERE status = 'skip' AND reason = 'no AMX'"), 1);
	assert_int_equal(query_int("SELECT count(*) FROM sample_metrics"), 3);
	assert_int_equal(query_int("SELECT count(*) FROM result_attributes WHERE value = '0x2e7'"), 1);
	assert_int_equal(query_int("SELECT available FROM run_counters WHERE name = 'cycles'"), 0);
	assert_int_equal(query_int("SELECT max(version) FROM schema_version"), 1);
}

static void test_not_a_database(void **state)
{
	char bad[300], before[64] = "this is a text file, not a database\n", after[64] = { 0 };
	struct results_store *st;
	FILE *f;

	(void)state;
	snprintf(bad, sizeof(bad), "%s/notes.txt", dir);
	f = fopen(bad, "w");
	fputs(before, f);
	fclose(f);
	assert_int_not_equal(results_open(bad, &st), 0);
	assert_non_null(strstr(xb_error_message(), "not an SQLite database"));
	f = fopen(bad, "r");
	assert_non_null(fgets(after, sizeof(after), f));
	fclose(f);
	assert_string_equal(before, after);
}

static void test_newer_schema_refused(void **state)
{
	char newer[300];
	struct results_store *st;
	sqlite3 *db;

	(void)state;
	snprintf(newer, sizeof(newer), "%s/newer.db", dir);
	assert_int_equal(results_open(newer, &st), 0);
	results_close(st);
	assert_int_equal(sqlite3_open(newer, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO schema_version VALUES (99)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_not_equal(results_open(newer, &st), 0);
	assert_non_null(strstr(xb_error_message(), "newer"));
}

static void test_unwritable(void **state)
{
	struct results_store *st;

	(void)state;
	assert_int_not_equal(results_open("/nonexistent-dir/sub/results.db", &st), 0);
	assert_non_null(strstr(xb_error_message(), "/nonexistent-dir/sub/results.db"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_round_trip),
		cmocka_unit_test(test_not_a_database),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_unwritable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
