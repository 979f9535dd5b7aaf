/*
 * db.c - choosing a driver by URL and the calls common to all drivers.
 */
#include "db.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const struct db_driver *const drivers[] = {
	&db_pg_driver,
	&db_sqlite_driver, /* last: it takes any URL that is not another backend's */
};

/* A database about to be written must pass the driver's check: writing into damaged pages
 * would spread the damage and hide it. */
static int check_before_writing(struct db *db, const char *url)
{
	struct db_stmt *s;
	const char *verdict;
	int rc;

	if (!db->driver->check_sql)
		return 0;
	if ((rc = db_prepare(db, db->driver->check_sql, &s)))
		return xb_fail(EIO, "%s: the database cannot be checked, so it is not written: %s", url,
			       xb_error_message());
	rc = db_step(s);
	verdict = rc == DB_ROW ? db_column_text(s, 0) : NULL;
	if (rc < 0)
		rc = xb_fail(EIO, "%s: the database fails its integrity check, so it is not written: %s", url,
			     xb_error_message());
	else if (!verdict || strcmp(verdict, "ok"))
		rc = xb_fail(EIO, "%s: the database fails its integrity check (%s: %s), so it is not written;"
			     " recover it (sqlite3's .recover) or restore a copy", url, db->driver->check_sql,
			     verdict ? verdict : "no answer");
	else
		rc = 0;
	db_finalize(s);
	return rc;
}

int db_open(const char *url, enum db_access access, struct db **out)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		int rc;

		if (!drivers[i]->accepts(url))
			continue;
		if ((rc = drivers[i]->open(url, access, out)))
			return rc;
		if (access != DB_READ && (rc = check_before_writing(*out, url))) {
			db_close(*out);
			*out = NULL;
		}
		return rc;
	}
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

int db_fail(const char *backend, const char *cause, const char *sql)
{
	size_t len = strlen(cause), shown = strcspn(sql, "(");

	while (len && (cause[len - 1] == '\n' || cause[len - 1] == ' '))
		len--; /* libpq's messages end with a newline */
	if (shown > 60)
		shown = 60;
	return xb_fail(EIO, "%s: %.*s (in: %.*s%s)", backend, (int)len, cause, (int)shown, sql,
		       sql[shown] ? "..." : "");
}

void db_rollback(struct db *db)
{
	char first[XB_ERROR_MAX];

	snprintf(first, sizeof(first), "%s", xb_error_message());
	if (db->driver->exec(db, "ROLLBACK"))
		xb_fail(EIO, "%s", first);
}
