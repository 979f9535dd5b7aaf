/*
 * db_sqlite.c - the SQLite driver: WAL journal and a busy timeout so that several
 * processes can write runs into one file.
 */
#include "db.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define BUSY_TIMEOUT_MS 30000

struct sqlite_db {
	struct db base;
	sqlite3 *handle;
};

struct sqlite_stmt {
	struct db_stmt base;
	sqlite3_stmt *handle;
	sqlite3 *db;
};

static bool sqlite_accepts(const char *url)
{
	return strncmp(url, "postgres://", 11) && strncmp(url, "postgresql://", 13);
}

static int sqlite_error(sqlite3 *h, const char *what)
{
	return xb_fail(EIO, "%s: %s", what, sqlite3_errmsg(h));
}

/*
 * PRAGMA journal_mode = WAL, waiting like the busy timeout: while another process creates
 * the file or switches it, SQLite returns SQLITE_BUSY at once rather than call the busy
 * handler (waiting could deadlock it), so the switch is tried again every 10 ms.
 */
static int switch_to_wal(sqlite3 *h, char **msg)
{
	int rc;

	for (int waited = 0;; waited += 10) {
		rc = sqlite3_exec(h, "PRAGMA journal_mode = WAL", NULL, NULL, msg);
		if ((rc & 0xff) != SQLITE_BUSY || waited >= BUSY_TIMEOUT_MS)
			return rc;
		sqlite3_free(*msg);
		*msg = NULL;
		sqlite3_sleep(10);
	}
}

static int sqlite_open(const char *url, bool create, struct db **out)
{
	const char *path = strncmp(url, "sqlite:", 7) ? url : url + 7;
	struct sqlite_db *db = calloc(1, sizeof(*db));
	const char *what = NULL;
	char *msg = NULL;
	int rc;

	if (!db)
		return xb_fail(ENOMEM, "sqlite: out of memory");
	rc = sqlite3_open_v2(path, &db->handle, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0), NULL);
	if (rc != SQLITE_OK) {
		rc = xb_fail(EIO, "sqlite3_open %s: %s", path,
			     db->handle ? sqlite3_errmsg(db->handle) : sqlite3_errstr(rc));
		sqlite3_close(db->handle);
		free(db);
		return rc;
	}
	sqlite3_busy_timeout(db->handle, BUSY_TIMEOUT_MS);
	/* Reading the schema first tells a file that is not a database from one that is; the
	 * WAL journal lets readers go on beside the one writer. */
	if (sqlite3_exec(db->handle, "PRAGMA foreign_keys = ON; SELECT count(*) FROM sqlite_master",
			 NULL, NULL, &msg) != SQLITE_OK)
		what = "not an SQLite database, or unreadable";
	else if (switch_to_wal(db->handle, &msg) != SQLITE_OK)
		what = "cannot switch to the WAL journal";
	if (what) {
		rc = xb_fail(EIO, "%s: %s: %s", path, what, msg ? msg : sqlite3_errmsg(db->handle));
		sqlite3_free(msg);
		sqlite3_close(db->handle);
		free(db);
		return rc;
	}
	db->base.driver = &db_sqlite_driver;
	*out = &db->base;
	return 0;
}

static void sqlite_close(struct db *base)
{
	struct sqlite_db *db = (struct sqlite_db *)base;

	sqlite3_close(db->handle);
	free(db);
}

static int sqlite_exec(struct db *base, const char *sql)
{
	struct sqlite_db *db = (struct sqlite_db *)base;
	char *msg = NULL;
	int rc;

	if (sqlite3_exec(db->handle, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	rc = xb_fail(EIO, "sqlite: %s: %s", sql, msg ? msg : sqlite3_errmsg(db->handle));
	sqlite3_free(msg);
	return rc;
}

static int sqlite_prepare(struct db *base, const char *sql, struct db_stmt **out)
{
	struct sqlite_db *db = (struct sqlite_db *)base;
	struct sqlite_stmt *s = calloc(1, sizeof(*s));

	if (!s)
		return xb_fail(ENOMEM, "sqlite: out of memory");
	if (sqlite3_prepare_v2(db->handle, sql, -1, &s->handle, NULL) != SQLITE_OK) {
		int rc = xb_fail(EIO, "sqlite3_prepare %s: %s", sql, sqlite3_errmsg(db->handle));

		free(s);
		return rc;
	}
	s->base.driver = &db_sqlite_driver;
	s->db = db->handle;
	*out = &s->base;
	return 0;
}

#define STMT(base) ((struct sqlite_stmt *)(base))

static int bind_result(struct db_stmt *base, int rc)
{
	return rc == SQLITE_OK ? 0 : sqlite_error(STMT(base)->db, "sqlite3_bind");
}

static int sqlite_bind_int64(struct db_stmt *s, int i, int64_t v)
{
	return bind_result(s, sqlite3_bind_int64(STMT(s)->handle, i, v));
}

static int sqlite_bind_double(struct db_stmt *s, int i, double v)
{
	return bind_result(s, sqlite3_bind_double(STMT(s)->handle, i, v));
}

static int sqlite_bind_text(struct db_stmt *s, int i, const char *v)
{
	return bind_result(s, sqlite3_bind_text(STMT(s)->handle, i, v, -1, SQLITE_TRANSIENT));
}

static int sqlite_bind_null(struct db_stmt *s, int i)
{
	return bind_result(s, sqlite3_bind_null(STMT(s)->handle, i));
}

static int sqlite_step(struct db_stmt *s)
{
	int rc = sqlite3_step(STMT(s)->handle);

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	return sqlite_error(STMT(s)->db, sqlite3_sql(STMT(s)->handle));
}

static int64_t sqlite_column_int64(struct db_stmt *s, int c)
{
	return sqlite3_column_int64(STMT(s)->handle, c);
}

static double sqlite_column_double(struct db_stmt *s, int c)
{
	return sqlite3_column_double(STMT(s)->handle, c);
}

static const char *sqlite_column_text(struct db_stmt *s, int c)
{
	return (const char *)sqlite3_column_text(STMT(s)->handle, c);
}

static bool sqlite_column_is_null(struct db_stmt *s, int c)
{
	return sqlite3_column_type(STMT(s)->handle, c) == SQLITE_NULL;
}

static int sqlite_reset(struct db_stmt *s)
{
	sqlite3_reset(STMT(s)->handle);
	return sqlite3_clear_bindings(STMT(s)->handle) == SQLITE_OK ? 0 : sqlite_error(STMT(s)->db, "sqlite3_reset");
}

static void sqlite_finalize(struct db_stmt *s)
{
	sqlite3_finalize(STMT(s)->handle);
	free(s);
}

const struct db_driver db_sqlite_driver = {
	.name = "sqlite",
	.begin_sql = "BEGIN IMMEDIATE",
	.table_exists_sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
	.accepts = sqlite_accepts,
	.open = sqlite_open,
	.close = sqlite_close,
	.exec = sqlite_exec,
	.prepare = sqlite_prepare,
	.bind_int64 = sqlite_bind_int64,
	.bind_double = sqlite_bind_double,
	.bind_text = sqlite_bind_text,
	.bind_null = sqlite_bind_null,
	.step = sqlite_step,
	.column_int64 = sqlite_column_int64,
	.column_double = sqlite_column_double,
	.column_text = sqlite_column_text,
	.column_is_null = sqlite_column_is_null,
	.reset = sqlite_reset,
	.finalize = sqlite_finalize,
};
