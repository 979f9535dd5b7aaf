/*
 * test_store.c - the results API on either backend: machines are found again by
 * fingerprint, a case (or a batch of cases) is stored whole or not at all, long sample
 * lists go through every multi-row chunk size, a run is complete only when finished, ids
 * come from id_sequences, and bad databases are refused without being touched. With
 * XB_TEST_PG set (tests/with_postgres.py) every test runs on a fresh PostgreSQL database,
 * otherwise on a fresh SQLite file.
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

#include "results/bulk.h"
#include "results/db.h"
#include "results/schema.h"
#include "results/store.h"

static char dir[] = "/tmp/xb-test-store-XXXXXX";
static const char *pg_admin; /* XB_TEST_PG: the server's admin URL */
static char url[512];
static int nr_databases;

/* A new empty database for each test: a file, or CREATE DATABASE on the test server. */
static int fresh_database(void **state)
{
	(void)state;
	nr_databases++;
	if (!pg_admin) {
		snprintf(url, sizeof(url), "%s/results-%d.db", dir, nr_databases);
		return 0;
	}
	struct db *admin;
	char sql[64], name[32];
	const char *q = strchr(pg_admin, '?');

	snprintf(name, sizeof(name), "xb_store_%d", nr_databases);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	if (db_open(pg_admin, DB_WRITE, &admin) || db_exec(admin, sql))
		return -1;
	db_close(admin);
	snprintf(url, sizeof(url), "postgresql:///%s%s", name, q);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	pg_admin = getenv("XB_TEST_PG");
	return mkdtemp(dir) ? 0 : -1;
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
	struct db *db;
	struct db_stmt *s;
	int64_t v = -1;

	assert_int_equal(db_open(url, DB_READ, &db), 0);
	assert_int_equal(db_prepare(db, sql, &s), 0);
	if (db_step(s) == DB_ROW)
		v = db_column_int64(s, 0);
	db_finalize(s);
	db_close(db);
	return v;
}

static void exec_sql(const char *sql)
{
	struct db *db;

	assert_int_equal(db_open(url, DB_WRITE, &db), 0);
	assert_int_equal(db_exec(db, sql), 0);
	db_close(db);
}

static const struct machine_record machine = {
	.fingerprint = "0123456789abcdef", .hostname = "h", .vendor = "GenuineIntel",
	.family = 6, .model = 85, .stepping = 7, .microcode = "0x1", .brand = "b",
	.xcr0 = 0x2ff, .xss = 0, .cpuid_dump = "xcr0 0x2ff\n",
};

static const struct run_record run_rec = {
	.label = "t", .started_at = "2026-01-01T00:00:00Z", .hostname = "h", .kernel_cmdline = "quiet",
	.source = "run", .pinned_pu = 1,
};

static void test_run_round_trip(void **state)
{
	struct results_store *st;
	int64_t m1, m2, run;
	struct named_value metrics[] = { { "perf::PERF_COUNT_SW_TASK_CLOCK", 12.5 } };
	struct sample_record samples[] = {
		{ 100.0, 40.0, 1000, 1, metrics, 0 }, { 101.0, 40.4, 1000, 1, metrics, 1 }, { 99.0, 39.6, 1000, 1, metrics, 2 },
	};
	struct attribute_record attrs[] = { { "xinuse_before", "0x2e7" } };
	struct case_record ok = { "native/save/xsave/avx512/inuse", "ticks/op", CASE_OK, NULL, 128, 180.0,
				  3, samples, 1, attrs };
	struct case_record skip = { "native/save/xsave/amx/inuse", "ticks/op", CASE_SKIP, "no AMX", 0, 0,
				    0, NULL, 0, NULL };

	assert_int_equal(fresh_database(state), 0);
	assert_int_equal(results_open(url, &st), 0);
	assert_int_equal(results_put_machine(st, &machine, &m1), 0);
	assert_int_equal(results_put_machine(st, &machine, &m2), 0);
	assert_int_equal(m1, m2);
	assert_int_equal(results_begin_run(st, m1, &run_rec, &run), 0);
	assert_int_equal(run, 1);
	assert_int_equal(results_put_counter(st, run, "cycles", false, "no PMU"), 0);
	assert_int_equal(results_put_case(st, run, &ok), 0);
	assert_int_equal(results_put_case(st, run, &skip), 0);
	assert_int_equal(query_int("SELECT complete FROM runs"), 0);
	/* the same case twice in one run: refused, and nothing of it is half-written */
	assert_int_not_equal(results_put_case(st, run, &ok), 0);
	assert_int_equal(query_int("SELECT count(*) FROM samples"), 3);
	assert_int_equal(results_finish_run(st, run, "2026-01-01T00:01:00Z", "3 of 4 measured cases were disturbed"), 0);
	results_close(st);

	assert_int_equal(query_int("SELECT count(*) FROM runs WHERE disturbed = '3 of 4 measured cases were disturbed'"), 1);
	assert_int_equal(query_int("SELECT sum(round) FROM samples"), 3);
	assert_int_equal(query_int("SELECT count(*) FROM machines"), 1);
	assert_int_equal(query_int("SELECT complete FROM runs"), 1);
	assert_int_equal(query_int("SELECT count(*) FROM runs WHERE kernel_cmdline = 'quiet' AND source = 'run'"), 1);
	assert_int_equal(query_int("SELECT count(*) FROM results WHERE status = 'skip' AND reason = 'no AMX'"), 1);
	assert_int_equal(query_int("SELECT count(*) FROM sample_metrics"), 3);
	assert_int_equal(query_int("SELECT count(*) FROM result_attributes WHERE value = '0x2e7'"), 1);
	assert_int_equal(query_int("SELECT available FROM run_counters WHERE name = 'cycles'"), 0);
	assert_int_equal(query_int("SELECT max(version) FROM schema_version"), SCHEMA_VERSION);
	/* doubles come back bit for bit */
	assert_int_equal(query_int("SELECT count(*) FROM samples WHERE ns_per_op = 40.4"), 1);
}

/*
 * One samples writer over two cases of BULK_ROWS (128) and BULK_ROWS - 1 samples: the first
 * case fills one whole chunk of 128 rows, the second one's 127 are flushed as chunks of 64,
 * 32, 16, 8, 4, 2 and 1, so every chunk size writes rows, each its own. And a batch of cases
 * whose last one collides stores none of them.
 */
static void test_many_rows_and_atomic_batches(void **state)
{
	enum { FULL = BULK_ROWS, REST = BULK_ROWS - 1 };
	struct results_store *st;
	struct sample_record samples[FULL];
	struct named_value metrics[2] = { { "core_cycles_per_op", 7.0 }, { "core_clock_ghz", 3.5 } };
	struct case_record batch[3];
	int64_t m, run, run2;
	char names[3][32];

	for (int i = 0; i < FULL; i++)
		samples[i] = (struct sample_record){ 10.0 + i, 5.0 + i, 100, 2, metrics, i % 3 };
	for (int i = 0; i < 3; i++) {
		snprintf(names[i], sizeof(names[i]), "case/%d", i);
		batch[i] = (struct case_record){ names[i], "ticks/op", CASE_OK, NULL, 64, 1.0, i ? REST : FULL, samples,
						 0, NULL };
	}
	assert_int_equal(fresh_database(state), 0);
	assert_int_equal(results_open(url, &st), 0);
	assert_int_equal(results_put_machine(st, &machine, &m), 0);
	assert_int_equal(results_begin_run(st, m, &run_rec, &run), 0);
	assert_int_equal(results_put_cases(st, run, batch, 2), 0);
	assert_int_equal(query_int("SELECT count(*) FROM samples"), FULL + REST);
	assert_int_equal(query_int("SELECT count(*) FROM sample_metrics"), 2 * (FULL + REST));
	assert_int_equal(query_int("SELECT sum(repetition) FROM samples"), FULL * (FULL - 1) / 2 + REST * (REST - 1) / 2);
	/* ticks 10 + repetition: every chunk bound its own rows */
	assert_int_equal(query_int("SELECT CAST(sum(ticks_per_op) AS BIGINT) FROM samples"),
			 10 * (FULL + REST) + FULL * (FULL - 1) / 2 + REST * (REST - 1) / 2);
	/* case/2 is new, case/1 is already in this run: the whole batch is refused */
	assert_int_not_equal(results_put_cases(st, run, &batch[1], 2), 0);
	assert_int_equal(query_int("SELECT count(*) FROM results"), 2);
	/* a second run gets the next id and the known case names keep theirs */
	assert_int_equal(results_begin_run(st, m, &run_rec, &run2), 0);
	assert_int_equal(run2, run + 1);
	assert_int_equal(results_put_cases(st, run2, batch, 3), 0);
	assert_int_equal(query_int("SELECT count(*) FROM cases"), 3);
	assert_int_equal(query_int("SELECT count(*) FROM results WHERE run_id = 2"), 3);
	results_close(st);
}

/* Two stores on one database hand out distinct ids. */
static void test_ids_across_connections(void **state)
{
	struct results_store *a, *b;
	int64_t first_a, first_b;

	assert_int_equal(fresh_database(state), 0);
	assert_int_equal(results_open(url, &a), 0);
	assert_int_equal(results_open(url, &b), 0);
	assert_int_equal(results_allocate_ids(a, "runs", 5, &first_a), 0);
	assert_int_equal(results_allocate_ids(b, "runs", 1, &first_b), 0);
	assert_int_equal(first_a, 1);
	assert_int_equal(first_b, 6);
	assert_int_not_equal(results_allocate_ids(a, "nonsense", 1, &first_a), 0);
	results_close(a);
	results_close(b);
}

/* A case name another store added is found in the database, not added twice; a name
 * repeated in one batch is added once. */
static void test_cases_across_connections(void **state)
{
	struct results_store *a, *b;
	struct case_record shared = { "case/shared", "ticks/op", CASE_SKIP, "no AMX", 0, 0, 0, NULL, 0, NULL };
	struct case_record batch[2] = { shared, shared }, twice[2] = { shared, shared };
	int64_t m, run_a, run_b, run_c;

	batch[1].id = "case/new";
	twice[0].id = twice[1].id = "case/twice";
	assert_int_equal(fresh_database(state), 0);
	assert_int_equal(results_open(url, &a), 0);
	assert_int_equal(results_open(url, &b), 0);
	assert_int_equal(results_put_machine(a, &machine, &m), 0);
	assert_int_equal(results_begin_run(a, m, &run_rec, &run_a), 0);
	assert_int_equal(results_begin_run(b, m, &run_rec, &run_b), 0);
	assert_int_equal(results_begin_run(b, m, &run_rec, &run_c), 0);
	assert_int_equal(results_put_case(b, run_b, &shared), 0);
	assert_int_equal(results_put_cases(a, run_a, batch, 2), 0);
	/* the name is stored, its results are not: a case twice in one run */
	assert_int_not_equal(results_put_cases(b, run_c, twice, 2), 0);
	assert_int_equal(query_int("SELECT count(*) FROM cases"), 3);
	assert_int_equal(query_int("SELECT count(DISTINCT case_id) FROM results"), 2);
	assert_int_equal(query_int("SELECT count(*) FROM results r JOIN cases c ON c.id = r.case_id"
				   " WHERE c.name = 'case/shared'"), 2);
	results_close(a);
	results_close(b);
}

/*
 * A transaction around several calls (an import) is stored whole or not at all: rolled back,
 * the database is as before, and the case ids the store cached inside it are forgotten, so
 * the same cases are stored again afterwards.
 */
static void test_caller_transaction_all_or_nothing(void **state)
{
	struct results_store *st;
	int64_t m, run;
	struct sample_record samples[] = { { .ticks_per_op = 10.0, .ns_per_op = 4.0, .batches = 100 } };
	struct case_record c = { "native/test/op/tx/inuse", "ticks/op", CASE_OK, NULL, 1, 0, 1, samples, 0, NULL };

	assert_int_equal(fresh_database(state), 0);
	assert_int_equal(results_open(url, &st), 0);
	assert_int_equal(results_begin(st), 0);
	assert_int_equal(results_put_machine(st, &machine, &m), 0);
	assert_int_equal(results_begin_run(st, m, &run_rec, &run), 0);
	assert_int_equal(results_put_case(st, run, &c), 0);
	assert_int_equal(results_finish_run(st, run, "2026-01-01T00:01:00Z", NULL), 0);
	results_rollback(st);
	assert_int_equal(query_int("SELECT count(*) FROM machines"), 0);
	assert_int_equal(query_int("SELECT count(*) FROM runs"), 0);
	assert_int_equal(query_int("SELECT count(*) FROM cases"), 0);
	assert_int_equal(query_int("SELECT max(last_id) FROM id_sequences"), 0);
	/* the same store again, committed this time */
	assert_int_equal(results_begin(st), 0);
	assert_int_equal(results_put_machine(st, &machine, &m), 0);
	assert_int_equal(results_begin_run(st, m, &run_rec, &run), 0);
	assert_int_equal(results_put_case(st, run, &c), 0);
	assert_int_equal(results_commit(st), 0);
	results_close(st);
	assert_int_equal(query_int("SELECT count(*) FROM samples"), 1);
	assert_int_equal(query_int("SELECT count(*) FROM cases"), 1);
}

/* A failed rollback (the transaction already gone) keeps the first error as the message. */
static void test_rollback_keeps_first_error(void **state)
{
	struct db *db;
	char first[XB_ERROR_MAX];

	assert_int_equal(fresh_database(state), 0);
	assert_int_equal(db_open(url, DB_CREATE, &db), 0);
	assert_int_equal(db_begin(db), 0);
	assert_int_not_equal(db_exec(db, "INSERT INTO no_such_table VALUES (1)"), 0);
	snprintf(first, sizeof(first), "%s", xb_error_message());
	assert_non_null(strstr(first, "no_such_table"));
	assert_int_equal(db_exec(db, "ROLLBACK"), 0); /* as SQLite does by itself after some errors */
	db_rollback(db);
	assert_string_equal(xb_error_message(), first);
	db_close(db);
}

static void test_newer_schema_refused(void **state)
{
	struct results_store *st;

	assert_int_equal(fresh_database(state), 0);
	assert_int_equal(results_open(url, &st), 0);
	results_close(st);
	exec_sql("INSERT INTO schema_version VALUES (99)");
	assert_int_not_equal(results_open(url, &st), 0);
	assert_non_null(strstr(xb_error_message(), "newer"));
	assert_int_equal(query_int("SELECT count(*) FROM schema_version"), SCHEMA_VERSION + 1);
}

static void test_not_a_database(void **state)
{
	char bad[300], before[64] = "this is a text file, not a database\n", after[64] = { 0 };
	struct results_store *st;
	FILE *f;

	(void)state;
	if (pg_admin)
		skip(); /* a file is SQLite's case; PostgreSQL's is test_unreachable */
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

static void test_unreachable(void **state)
{
	struct results_store *st;
	char missing[512];

	(void)state;
	if (pg_admin) {
		snprintf(missing, sizeof(missing), "postgresql:///no_such_database%s", strchr(pg_admin, '?'));
		assert_int_not_equal(results_open(missing, &st), 0);
		assert_non_null(strstr(xb_error_message(), "no_such_database"));
	} else {
		assert_int_not_equal(results_open("/nonexistent-dir/sub/results.db", &st), 0);
		assert_non_null(strstr(xb_error_message(), "/nonexistent-dir/sub/results.db"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_round_trip),
		cmocka_unit_test(test_many_rows_and_atomic_batches),
		cmocka_unit_test(test_ids_across_connections),
		cmocka_unit_test(test_cases_across_connections),
		cmocka_unit_test(test_caller_transaction_all_or_nothing),
		cmocka_unit_test(test_rollback_keeps_first_error),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_not_a_database),
		cmocka_unit_test(test_unreachable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
