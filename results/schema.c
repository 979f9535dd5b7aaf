/*
 * schema.c - schema migrations. Migration N takes a database from version N-1 to N; each
 * runs in its own transaction together with the version bump.
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
};

static int table_exists(struct db *db, bool *exists)
{
	struct db_stmt *s;
	int rc = db_prepare(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'", &s);

	if (rc)
		return rc;
	rc = db_step(s);
	*exists = rc == DB_ROW && db_column_int64(s, 0) > 0;
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

int schema_version(struct db *db, int *version)
{
	struct db_stmt *s;
	bool exists;
	int rc = table_exists(db, &exists);

	*version = 0;
	if (rc || !exists)
		return rc;
	rc = db_prepare(db, "SELECT max(version) FROM schema_version", &s);
	if (rc)
		return rc;
	rc = db_step(s);
	if (rc == DB_ROW && !db_column_is_null(s, 0))
		*version = (int)db_column_int64(s, 0);
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

int schema_migrate(struct db *db)
{
	int version, rc = schema_version(db, &version);

	if (rc)
		return rc;
	if (version > SCHEMA_VERSION)
		return xb_fail(EPROTO, "the database has schema version %d, newer than this "
			       "xstate-bench understands (%d): upgrade xstate-bench", version, SCHEMA_VERSION);
	for (int v = version + 1; v <= SCHEMA_VERSION; v++) {
		struct db_stmt *s;

		if ((rc = db_begin(db)))
			return rc;
		if (v == 1 && (rc = db_exec(db, "CREATE TABLE schema_version (version INTEGER NOT NULL)")))
			goto fail;
		if ((rc = db_exec(db, migrations[v - 1])))
			goto fail;
		if ((rc = db_prepare(db, "INSERT INTO schema_version (version) VALUES (?)", &s)))
			goto fail;
		rc = db_bind_int64(s, 1, v);
		if (!rc)
			rc = db_step(s);
		db_finalize(s);
		if (rc < 0)
			goto fail;
		if ((rc = db_commit(db)))
			goto fail;
	}
	return 0;
fail:
	db_rollback(db);
	return rc;
}
