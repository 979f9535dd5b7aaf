/*
 * db.c - choosing a driver by URL and the calls common to all drivers.
 */
#include "db.h"

#include <errno.h>
#include <stddef.h>

static const struct db_driver *const drivers[] = {
	&db_sqlite_driver,
};

int db_open(const char *url, struct db **out)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (drivers[i]->accepts(url))
			return drivers[i]->open(url, out);
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
	return db_exec(db, "BEGIN");
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
