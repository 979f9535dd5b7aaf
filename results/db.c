/*
 * db.c - choosing a driver by URL and the calls common to all drivers.
 */
#include "db.h"

#include <errno.h>
#include <stddef.h>

static const struct db_driver *const drivers[] = {
	&db_pg_driver,
	&db_sqlite_driver, /* last: it takes any URL that is not another backend's */
};

int db_open(const char *url, bool create, struct db **out)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (drivers[i]->accepts(url))
			return drivers[i]->open(url, create, out);
	return xb_fail(EINVAL, "%s: no database driver accepts this URL", url);
}

void db_close(struct db *db)
{
	if (db)
		db->driver->close(db);
}

int db_exec(struct db *db, const char *sql)
{
	return db->driver->exec(db, sql);
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	return db->driver->prepare(db, sql, out);
}

int db_begin(struct db *db)
{
	return db_exec(db, db->driver->begin_sql);
}

int db_begin_schema_change(struct db *db)
{
	int rc = db_begin(db);

	if (rc || !db->driver->schema_lock_sql)
		return rc;
	rc = db_exec(db, db->driver->schema_lock_sql);
	if (rc)
		db_rollback(db);
	return rc;
}

int db_select_int64(struct db *db, const char *sql, const char *text, int64_t *value, bool *found)
{
	struct db_stmt *s;
	int rc = db_prepare(db, sql, &s);

	*found = false;
	if (rc)
		return rc;
	if (!(rc = text ? db_bind_text(s, 1, text) : 0))
		rc = db_step(s);
	if (rc == DB_ROW && !db_column_is_null(s, 0)) {
		*value = db_column_int64(s, 0);
		*found = true;
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

int db_table_exists(struct db *db, const char *table, bool *exists)
{
	int64_t count = 0;
	int rc = db_select_int64(db, db->driver->table_exists_sql, table, &count, exists);

	*exists = *exists && count > 0;
	return rc;
}

int db_commit(struct db *db)
{
	return db_exec(db, "COMMIT");
}

/* Used on error paths: the first error is the one worth reporting, so this one is dropped. */
void db_rollback(struct db *db)
{
	if (db->driver->exec(db, "ROLLBACK"))
		return;
}
