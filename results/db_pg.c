/*
 * db_pg.c - the PostgreSQL driver (libpq): the store's '?' placeholders become $1, $2, ...,
 * every statement is prepared on the server once per connection (PQprepare, cached by its
 * SQL text) and run with PQexecPrepared; rows come back as text and are converted here.
 */
#include "db.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A statement prepared on the server under a name, for the life of the connection. */
struct pg_prepared {
	char *sql;
	char name[16];
	int nr_params;
	struct pg_prepared *next;
};

struct pg_db {
	struct db base;
	PGconn *conn;
	struct pg_prepared *prepared;
	int nr_prepared;
};

struct pg_stmt {
	struct db_stmt base;
	struct pg_db *db;
	const struct pg_prepared *prepared;
	char **params; /* owned text of each bound parameter, NULL for SQL NULL */
	PGresult *result;
	int row, nr_rows;
};

static bool pg_accepts(const char *url)
{
	return !strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13);
}

/* libpq's messages end with a newline; the recorded message should not. */
static int pg_fail(const char *what, const char *message)
{
	size_t len = strlen(message);

	while (len && (message[len - 1] == '\n' || message[len - 1] == ' '))
		len--;
	return xb_fail(EIO, "%s: %.*s", what, (int)len, message);
}

static void quiet_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int pg_open(const char *url, enum db_access access, struct db **out)
{
	struct pg_db *db = calloc(1, sizeof(*db));
	int rc;

	(void)access; /* a database is created on the server, not by connecting */
	if (!db)
		return xb_fail(ENOMEM, "postgresql: out of memory");
	db->conn = PQconnectdb(url);
	if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
		rc = pg_fail("PQconnectdb", db->conn ? PQerrorMessage(db->conn) : "out of memory");
		PQfinish(db->conn);
		free(db);
		return rc;
	}
	PQsetNoticeProcessor(db->conn, quiet_notices, NULL);
	db->base.driver = &db_pg_driver;
	*out = &db->base;
	return 0;
}

static void pg_close(struct db *base)
{
	struct pg_db *db = (struct pg_db *)base;

	while (db->prepared) {
		struct pg_prepared *p = db->prepared;

		db->prepared = p->next;
		free(p->sql);
		free(p);
	}
	PQfinish(db->conn);
	free(db);
}

static int check_result(PGconn *conn, PGresult *res, const char *what)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return 0;
	return db_fail("postgresql", res ? PQresultErrorMessage(res) : PQerrorMessage(conn), what);
}

static int pg_exec(struct db *base, const char *sql)
{
	struct pg_db *db = (struct pg_db *)base;
	PGresult *res = PQexec(db->conn, sql);
	int rc = check_result(db->conn, res, sql);

	PQclear(res);
	if (rc && !strcmp(sql, "COMMIT") && PQstatus(db->conn) == CONNECTION_BAD)
		rc = xb_fail(EIO, "%s; the connection was lost during COMMIT, so whether the server stored the "
			     "transaction is unknown", xb_error_message());
	return rc;
}

/* '?' outside quotes becomes $n; returns the count, or -1 when out of memory. */
static int translate_placeholders(const char *sql, char **out)
{
	size_t len = strlen(sql);
	char *t = malloc(len * 6 + 1), *w = t; /* "?" can grow to "$99999" */
	char quote = 0;
	int n = 0;

	if (!t)
		return -1;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			quote = *p == quote ? 0 : quote;
			*w++ = *p;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			*w++ = *p;
		} else if (*p == '?') {
			w += sprintf(w, "$%d", ++n);
		} else {
			*w++ = *p;
		}
	}
	*w = 0;
	*out = t;
	return n;
}

static int prepare_on_server(struct pg_db *db, const char *sql, const struct pg_prepared **out)
{
	struct pg_prepared *p;
	PGresult *res;
	char *translated;
	int rc;

	for (p = db->prepared; p; p = p->next) {
		if (!strcmp(p->sql, sql)) {
			*out = p;
			return 0;
		}
	}
	p = calloc(1, sizeof(*p));
	if (!p || !(p->sql = strdup(sql)) || (p->nr_params = translate_placeholders(sql, &translated)) < 0) {
		if (p)
			free(p->sql);
		free(p);
		return xb_fail(ENOMEM, "postgresql: out of memory");
	}
	snprintf(p->name, sizeof(p->name), "xb%d", db->nr_prepared++);
	res = PQprepare(db->conn, p->name, translated, p->nr_params, NULL);
	rc = check_result(db->conn, res, sql);
	PQclear(res);
	free(translated);
	if (rc) {
		free(p->sql);
		free(p);
		return rc;
	}
	p->next = db->prepared;
	db->prepared = p;
	*out = p;
	return 0;
}

static int pg_prepare(struct db *base, const char *sql, struct db_stmt **out)
{
	struct pg_db *db = (struct pg_db *)base;
	struct pg_stmt *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return xb_fail(ENOMEM, "postgresql: out of memory");
	rc = prepare_on_server(db, sql, &s->prepared);
	if (!rc && s->prepared->nr_params &&
	    !(s->params = calloc((size_t)s->prepared->nr_params, sizeof(*s->params))))
		rc = xb_fail(ENOMEM, "postgresql: out of memory");
	if (rc) {
		free(s);
		return rc;
	}
	s->base.driver = &db_pg_driver;
	s->db = db;
	*out = &s->base;
	return 0;
}

#define STMT(base) ((struct pg_stmt *)(base))

static int set_param(struct db_stmt *base, int i, char *text, bool is_null)
{
	struct pg_stmt *s = STMT(base);

	if (i < 1 || i > s->prepared->nr_params) {
		free(text);
		return xb_fail(ERANGE, "postgresql: parameter %d of %d in %s", i, s->prepared->nr_params,
			       s->prepared->sql);
	}
	if (!is_null && !text)
		return xb_fail(ENOMEM, "postgresql: out of memory");
	free(s->params[i - 1]);
	s->params[i - 1] = text;
	return 0;
}

static int pg_bind_int64(struct db_stmt *s, int i, int64_t v)
{
	char *text;

	return set_param(s, i, asprintf(&text, "%" PRId64, v) < 0 ? NULL : text, false);
}

static int pg_bind_double(struct db_stmt *s, int i, double v)
{
	char *text;

	/* 17 significant digits: the value comes back bit for bit */
	return set_param(s, i, asprintf(&text, "%.17g", v) < 0 ? NULL : text, false);
}

static int pg_bind_text(struct db_stmt *s, int i, const char *v)
{
	return set_param(s, i, strdup(v), false);
}

static int pg_bind_null(struct db_stmt *s, int i)
{
	return set_param(s, i, NULL, true);
}

static int pg_step(struct db_stmt *base)
{
	struct pg_stmt *s = STMT(base);
	PGconn *conn = s->db->conn;

	if (!s->result) {
		int rc;

		s->result = PQexecPrepared(conn, s->prepared->name, s->prepared->nr_params,
					   (const char *const *)s->params, NULL, NULL, 0);
		rc = check_result(conn, s->result, s->prepared->sql);
		if (rc) {
			PQclear(s->result);
			s->result = NULL;
			return rc;
		}
		s->row = -1;
		s->nr_rows = PQntuples(s->result);
	}
	if (s->row + 1 >= s->nr_rows) {
		s->row = s->nr_rows;
		return DB_DONE;
	}
	s->row++;
	return DB_ROW;
}

static const char *pg_column_text(struct db_stmt *base, int c)
{
	struct pg_stmt *s = STMT(base);

	if (PQgetisnull(s->result, s->row, c))
		return NULL;
	return PQgetvalue(s->result, s->row, c);
}

static int64_t pg_column_int64(struct db_stmt *s, int c)
{
	const char *v = pg_column_text(s, c);

	return v ? strtoll(v, NULL, 10) : 0;
}

static double pg_column_double(struct db_stmt *s, int c)
{
	const char *v = pg_column_text(s, c);

	return v ? strtod(v, NULL) : 0.0;
}

static bool pg_column_is_null(struct db_stmt *base, int c)
{
	return PQgetisnull(STMT(base)->result, STMT(base)->row, c);
}

static int pg_reset(struct db_stmt *base)
{
	struct pg_stmt *s = STMT(base);

	PQclear(s->result);
	s->result = NULL;
	for (int i = 0; i < s->prepared->nr_params; i++) {
		free(s->params[i]);
		s->params[i] = NULL;
	}
	return 0;
}

static void pg_finalize(struct db_stmt *base)
{
	struct pg_stmt *s = STMT(base);

	pg_reset(base);
	free(s->params);
	free(s);
}

const struct db_driver db_pg_driver = {
	.name = "postgresql",
	.begin_sql = "BEGIN",
	/* held to the end of the transaction: one migrator at a time */
	.schema_lock_sql = "SELECT pg_advisory_xact_lock(7883705412)",
	.table_exists_sql = "SELECT count(*) FROM information_schema.tables"
			    " WHERE table_schema = current_schema() AND table_name = ?",
	.accepts = pg_accepts,
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.bind_int64 = pg_bind_int64,
	.bind_double = pg_bind_double,
	.bind_text = pg_bind_text,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.column_int64 = pg_column_int64,
	.column_double = pg_column_double,
	.column_text = pg_column_text,
	.column_is_null = pg_column_is_null,
	.reset = pg_reset,
	.finalize = pg_finalize,
};
