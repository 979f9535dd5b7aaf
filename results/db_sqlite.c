/*
 * db_sqlite.c - the SQLite driver: WAL journal and a busy timeout so that several
 * processes can write runs into one file; readers open the file read-only.
 */
#include "db.h"

#include <ctype.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int sqlite_error(sqlite3 *h, const char *sql)
{
	return db_fail("sqlite", sqlite3_errmsg(h), sql);
}

static void directory_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');

	snprintf(dir, size, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1, slash ? path : ".");
}

/*
 * A WAL database in a directory nobody can write (a read-only mount of artifacts) cannot
 * be opened the usual way: SQLite wants to create its -shm file beside it. With no -wal
 * file there, no writer can be at work either (it would need one), so the file can be read
 * as immutable. Returns true when that is the case for @path.
 */
static bool readable_as_immutable(const char *path)
{
	char dir[4096], wal[4100];
	struct stat st;

	directory_of(path, dir, sizeof(dir));
	snprintf(wal, sizeof(wal), "%s-wal", path);
	return access(dir, W_OK) != 0 && (stat(wal, &st) != 0 || st.st_size == 0);
}

/* Whether a writer can write @path and its journal beside it; else why not, in @why. */
static bool writable(const char *path, char *why, size_t size)
{
	char dir[4096];

	directory_of(path, dir, sizeof(dir));
	if ((access(path, F_OK) || !access(path, W_OK)) && !access(dir, W_OK))
		return true;
	snprintf(why, size, "cannot be written here: %s (errno %d)", strerror(errno), errno);
	return false;
}

/* "file:PATH?immutable=1" with PATH percent-encoded; malloc'd. */
static char *immutable_uri(const char *path)
{
	char *uri = malloc(3 * strlen(path) + 32), *w = uri;

	if (!uri)
		return NULL;
	w += sprintf(w, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		w += isalnum(*p) || strchr("/-_.~", *p) ? sprintf(w, "%c", *p) : sprintf(w, "%%%02X", *p);
	sprintf(w, "?immutable=1");
	return uri;
}

/* Opens @name and reads the schema, which tells a file that is not a database from one that is. */
static int open_handle(const char *name, int flags, sqlite3 **handle, char **msg)
{
	int rc = sqlite3_open_v2(name, handle, flags, NULL);

	if (rc != SQLITE_OK)
		return rc;
	sqlite3_busy_timeout(*handle, BUSY_TIMEOUT_MS);
	return sqlite3_exec(*handle, "PRAGMA foreign_keys = ON; SELECT count(*) FROM sqlite_master", NULL, NULL, msg);
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

static int sqlite_open(const char *url, enum db_access access, struct db **out)
{
	const char *path = strncmp(url, "sqlite:", 7) ? url : url + 7;
	int flags = access == DB_READ ? SQLITE_OPEN_READONLY
		    : SQLITE_OPEN_READWRITE | (access == DB_CREATE ? SQLITE_OPEN_CREATE : 0);
	struct sqlite_db *db;
	const char *what = NULL;
	char *msg = NULL, why[160];
	int rc;

	if (!*path)
		return xb_fail(EINVAL, "sqlite: an empty path names no file (SQLite would keep the results in a "
			       "private temporary database and drop them at exit)");
	if (!(db = calloc(1, sizeof(*db))))
		return xb_fail(ENOMEM, "sqlite: out of memory");
	rc = open_handle(path, flags, &db->handle, &msg);
	if (rc == SQLITE_CANTOPEN && access == DB_READ && db->handle && readable_as_immutable(path)) {
		char *uri = immutable_uri(path);

		sqlite3_free(msg);
		msg = NULL;
		sqlite3_close(db->handle);
		db->handle = NULL;
		rc = uri ? open_handle(uri, flags | SQLITE_OPEN_URI, &db->handle, &msg) : SQLITE_NOMEM;
		free(uri);
	}
	if (rc != SQLITE_OK && !db->handle) {
		rc = xb_fail(EIO, "sqlite3_open %s: %s", path, sqlite3_errstr(rc));
		free(db);
		return rc;
	}
	if (rc != SQLITE_OK && access != DB_READ && !writable(path, why, sizeof(why)))
		what = why;
	else if (rc != SQLITE_OK)
		what = sqlite3_errcode(db->handle) == SQLITE_CANTOPEN ? "cannot open" : "not an SQLite database, or unreadable";
	/* the WAL journal lets readers go on beside the one writer */
	else if (access != DB_READ && switch_to_wal(db->handle, &msg) != SQLITE_OK)
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
	rc = db_fail("sqlite", msg ? msg : sqlite3_errmsg(db->handle), sql);
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
		int rc = db_fail("sqlite3_prepare", sqlite3_errmsg(db->handle), sql);

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
	.check_sql = "PRAGMA quick_check",
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
