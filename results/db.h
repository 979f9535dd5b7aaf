/*
 * db.h - the database driver interface the results store is written against. One set of
 * SQL and one code path for every backend: statements use '?' placeholders and the driver
 * translates them; a backend is chosen by the URL (a file path or sqlite:PATH for SQLite,
 * postgresql://... for PostgreSQL).
 */
#ifndef XB_RESULTS_DB_H
#define XB_RESULTS_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "../host/error.h"

struct db;
struct db_stmt;

/* What the opener will do: only read (SQLite opens the file read-only, so a database in a
 * read-only place can be read), write an existing database, or create it if missing. */
enum db_access {
	DB_READ,
	DB_WRITE,
	DB_CREATE,
};

enum db_step {
	DB_ROW = 1,  /* a row is available */
	DB_DONE = 0, /* no (more) rows */
	/* negative: error, message in xb_error_message() */
};

struct db_driver {
	const char *name;
	/* How this backend starts a write transaction (SQLite takes the write lock at once, so
	 * a busy timeout covers it), and the SQL that takes the schema lock inside one. */
	const char *begin_sql;
	const char *schema_lock_sql; /* NULL: begin_sql already excludes other writers */
	/* One '?' parameter, the table name; returns one row with a count. */
	const char *table_exists_sql;
	/* SQL whose first row's first column is "ok" when the database is sound (SQLite's
	 * quick_check); run before anything is written. NULL: the server keeps it sound. */
	const char *check_sql;
	bool (*accepts)(const char *url);
	int (*open)(const char *url, enum db_access access, struct db **out);
	void (*close)(struct db *db);
	int (*exec)(struct db *db, const char *sql);
	int (*prepare)(struct db *db, const char *sql, struct db_stmt **out);
	int (*bind_int64)(struct db_stmt *s, int index, int64_t v);
	int (*bind_double)(struct db_stmt *s, int index, double v);
	int (*bind_text)(struct db_stmt *s, int index, const char *v);
	int (*bind_null)(struct db_stmt *s, int index);
	int (*step)(struct db_stmt *s);
	int64_t (*column_int64)(struct db_stmt *s, int col);
	double (*column_double)(struct db_stmt *s, int col);
	const char *(*column_text)(struct db_stmt *s, int col);
	bool (*column_is_null)(struct db_stmt *s, int col);
	int (*reset)(struct db_stmt *s);
	void (*finalize)(struct db_stmt *s);
};

/* Every open database starts with its driver, so the generic calls can dispatch. */
struct db {
	const struct db_driver *driver;
};

struct db_stmt {
	const struct db_driver *driver;
};

extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_pg_driver;

/* DB_CREATE: an SQLite file that does not exist is created (else it is an error). DB_WRITE
 * and DB_CREATE refuse a database that fails the driver's check_sql, before writing. */
int db_open(const char *url, enum db_access access, struct db **out) XB_MUST_CHECK;
void db_close(struct db *db);
int db_exec(struct db *db, const char *sql) XB_MUST_CHECK;
int db_prepare(struct db *db, const char *sql, struct db_stmt **out) XB_MUST_CHECK;
int db_begin(struct db *db) XB_MUST_CHECK;
/* A transaction no other writer can enter, for migrations. */
int db_begin_schema_change(struct db *db) XB_MUST_CHECK;
int db_table_exists(struct db *db, const char *table, bool *exists) XB_MUST_CHECK;
/* The first column of the first row of @sql, with @text (NULL: none) bound to its one '?'.
 * *found is false when there is no row or the value is NULL. */
int db_select_int64(struct db *db, const char *sql, const char *text, int64_t *value, bool *found) XB_MUST_CHECK;
int db_commit(struct db *db) XB_MUST_CHECK;
/* For drivers: records "@backend: @cause (in: SQL...)", the cause first and the statement
 * shortened, so a long multi-row INSERT cannot push the cause out of the message. */
int db_fail(const char *backend, const char *cause, const char *sql);
/* For error paths: rolls back and keeps the error already recorded (the first cause), not
 * the rollback's own (SQLite may have rolled back by itself, after a full disk say). */
void db_rollback(struct db *db);

static inline int db_bind_int64(struct db_stmt *s, int i, int64_t v) { return s->driver->bind_int64(s, i, v); }
static inline int db_bind_double(struct db_stmt *s, int i, double v) { return s->driver->bind_double(s, i, v); }
static inline int db_bind_text(struct db_stmt *s, int i, const char *v) { return v ? s->driver->bind_text(s, i, v) : s->driver->bind_null(s, i); }
static inline int db_bind_null(struct db_stmt *s, int i) { return s->driver->bind_null(s, i); }
static inline int db_step(struct db_stmt *s) { return s->driver->step(s); }
static inline int64_t db_column_int64(struct db_stmt *s, int c) { return s->driver->column_int64(s, c); }
static inline double db_column_double(struct db_stmt *s, int c) { return s->driver->column_double(s, c); }
static inline const char *db_column_text(struct db_stmt *s, int c) { return s->driver->column_text(s, c); }
static inline bool db_column_is_null(struct db_stmt *s, int c) { return s->driver->column_is_null(s, c); }
static inline int db_reset(struct db_stmt *s) { return s->driver->reset(s); }
static inline void db_finalize(struct db_stmt *s) { if (s) s->driver->finalize(s); }

#endif
