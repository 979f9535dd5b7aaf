/*
 * schema.c - schema migrations. Migration N takes a database from version N-1 to N; all
 * that a database needs run in one transaction with the version bumps. The SQL is the same
 * for SQLite and PostgreSQL: types both accept, and ids handed out by the store from
 * id_sequences (version 2) rather than by either backend's own auto-increment.
 */
#include "schema.h"

#include <errno.h>
#include <string.h>

static const char *const migrations[SCHEMA_VERSION] = {
	/* 1: machines, runs, cases, per-case results, raw samples and their metrics */
	"CREATE TABLE machines ("
	"  id INTEGER PRIMARY KEY,"
	"  fingerprint TEXT NOT NULL UNIQUE,"
	"  hostname TEXT NOT NULL,"
	"  vendor TEXT NOT NULL,"
	"  family INTEGER NOT NULL,"
	"  model INTEGER NOT NULL,"
	"  stepping INTEGER NOT NULL,"
	"  microcode TEXT,"
	"  brand TEXT,"
	"  xcr0 BIGINT NOT NULL,"
	"  xss BIGINT NOT NULL,"
	"  cpuid_dump TEXT NOT NULL);"
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY,"
	"  machine_id INTEGER NOT NULL REFERENCES machines(id),"
	"  label TEXT,"
	"  started_at TEXT NOT NULL,"
	"  finished_at TEXT,"
	"  complete INTEGER NOT NULL DEFAULT 0,"
	"  kernel_release TEXT,"
	"  command_line TEXT,"
	"  tool_version TEXT,"
	"  tsc_hz DOUBLE PRECISION,"
	"  tsc_source TEXT,"
	"  pinned_pu INTEGER,"
	"  notes TEXT);"
	"CREATE INDEX runs_label ON runs(label);"
	"CREATE TABLE cases ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  unit TEXT NOT NULL);"
	"CREATE TABLE results ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id),"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  status TEXT NOT NULL CHECK (status IN ('ok', 'skip', 'error')),"
	"  reason TEXT,"
	"  ops_per_batch INTEGER,"
	"  overhead_ticks DOUBLE PRECISION,"
	"  PRIMARY KEY (run_id, case_id));"
	"CREATE TABLE result_attributes ("
	"  run_id INTEGER NOT NULL,"
	"  case_id INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (run_id, case_id, name),"
	"  FOREIGN KEY (run_id, case_id) REFERENCES results(run_id, case_id));"
	"CREATE TABLE samples ("
	"  run_id INTEGER NOT NULL,"
	"  case_id INTEGER NOT NULL,"
	"  repetition INTEGER NOT NULL,"
	"  ticks_per_op DOUBLE PRECISION NOT NULL,"
	"  ns_per_op DOUBLE PRECISION NOT NULL,"
	"  batches BIGINT NOT NULL,"
	"  PRIMARY KEY (run_id, case_id, repetition),"
	"  FOREIGN KEY (run_id, case_id) REFERENCES results(run_id, case_id));"
	"CREATE TABLE sample_metrics ("
	"  run_id INTEGER NOT NULL,"
	"  case_id INTEGER NOT NULL,"
	"  repetition INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  value DOUBLE PRECISION NOT NULL,"
	"  PRIMARY KEY (run_id, case_id, repetition, name),"
	"  FOREIGN KEY (run_id, case_id, repetition) REFERENCES samples(run_id, case_id, repetition));"
	"CREATE TABLE run_counters ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id),"
	"  name TEXT NOT NULL,"
	"  available INTEGER NOT NULL,"
	"  reason TEXT,"
	"  PRIMARY KEY (run_id, name));",

	/* 2: the run's host and kernel command line and where it came from; portable ids;
	 * baselines (the exact results they pool); indexes for history and per-machine queries */
	"ALTER TABLE runs ADD COLUMN hostname TEXT;"
	"ALTER TABLE runs ADD COLUMN kernel_cmdline TEXT;"
	"ALTER TABLE runs ADD COLUMN source TEXT;"
	"CREATE TABLE id_sequences ("
	"  name TEXT PRIMARY KEY,"
	"  last_id BIGINT NOT NULL);"
	"INSERT INTO id_sequences (name, last_id) SELECT 'machines', coalesce(max(id), 0) FROM machines;"
	"INSERT INTO id_sequences (name, last_id) SELECT 'runs', coalesce(max(id), 0) FROM runs;"
	"INSERT INTO id_sequences (name, last_id) SELECT 'cases', coalesce(max(id), 0) FROM cases;"
	"INSERT INTO id_sequences (name, last_id) VALUES ('baselines', 0);"
	"CREATE TABLE baselines ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  created_at TEXT NOT NULL);"
	"CREATE TABLE baseline_results ("
	"  baseline_id INTEGER NOT NULL REFERENCES baselines(id),"
	"  run_id INTEGER NOT NULL,"
	"  case_id INTEGER NOT NULL,"
	"  PRIMARY KEY (baseline_id, run_id, case_id),"
	"  FOREIGN KEY (run_id, case_id) REFERENCES results(run_id, case_id));"
	"CREATE INDEX results_case ON results(case_id);"
	"CREATE INDEX runs_machine ON runs(machine_id);",

	/* 3: replication and disturbance: each sample's round (a pass over every case; 0 for the
	 * runs before rounds, whose samples were interleaved over the whole run), and the reason
	 * a run was disturbed (NULL when it was not) */
	"ALTER TABLE samples ADD COLUMN round INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE runs ADD COLUMN disturbed TEXT;",

	/* 4: the nightly job (nightly_record.h): each night's run with the machine and
	 * configuration its rolling baseline is keyed by, what the night was judged and the
	 * exit status it gave; and who accepted a night into its rolling baseline, and why */
	"CREATE TABLE nightly_runs ("
	"  run_id INTEGER PRIMARY KEY REFERENCES runs(id),"
	"  machine_id INTEGER NOT NULL REFERENCES machines(id),"
	"  configuration TEXT NOT NULL,"
	"  night TEXT NOT NULL,"
	"  kernel_release TEXT NOT NULL,"
	"  kernel_commit TEXT,"
	"  state TEXT NOT NULL CHECK (state IN ('building', 'pass', 'flagged', 'inconclusive', 'disturbed')),"
	"  outcome INTEGER NOT NULL,"
	"  compared INTEGER NOT NULL,"
	"  flagged INTEGER NOT NULL,"
	"  disturbed INTEGER NOT NULL,"
	"  baseline_runs TEXT NOT NULL,"
	"  reason TEXT NOT NULL);"
	"CREATE INDEX nightly_runs_key ON nightly_runs(machine_id, configuration);"
	"CREATE TABLE nightly_acceptances ("
	"  run_id INTEGER PRIMARY KEY REFERENCES nightly_runs(run_id),"
	"  accepted_at TEXT NOT NULL,"
	"  accepted_by TEXT NOT NULL,"
	"  reason TEXT NOT NULL);",
};

int schema_version(struct db *db, int *version)
{
	int64_t v = 0;
	bool exists;
	int rc = db_table_exists(db, "schema_version", &exists);

	*version = 0;
	if (rc || !exists)
		return rc;
	rc = db_select_int64(db, "SELECT max(version) FROM schema_version", NULL, &v, &exists);
	*version = (int)v;
	return rc;
}

static int record_version(struct db *db, int version)
{
	struct db_stmt *s;
	int rc = db_prepare(db, "INSERT INTO schema_version (version) VALUES (?)", &s);

	if (rc)
		return rc;
	rc = db_bind_int64(s, 1, version);
	if (!rc)
		rc = db_step(s);
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

static int refuse_newer(int version)
{
	return xb_fail(EPROTO, "the database has schema version %d, newer than this "
		       "xstate-bench understands (%d): upgrade xstate-bench", version, SCHEMA_VERSION);
}

/*
 * A current database is only read. Otherwise the version is read again under the schema
 * lock, so that of several processes opening a new database at once one migrates it and
 * the others find it done.
 */
int schema_migrate(struct db *db)
{
	int version, rc = schema_version(db, &version);

	if (rc || version == SCHEMA_VERSION)
		return rc;
	if (version > SCHEMA_VERSION)
		return refuse_newer(version);
	if ((rc = db_begin_schema_change(db)))
		return rc;
	if ((rc = schema_version(db, &version)))
		goto fail;
	if (version > SCHEMA_VERSION) {
		rc = refuse_newer(version);
		goto fail;
	}
	if (version == 0 && (rc = db_exec(db, "CREATE TABLE schema_version (version INTEGER NOT NULL)")))
		goto fail;
	for (int v = version + 1; v <= SCHEMA_VERSION; v++)
		if ((rc = db_exec(db, migrations[v - 1])) || (rc = record_version(db, v)))
			goto fail;
	if ((rc = db_commit(db)))
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return rc;
}
