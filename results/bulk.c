/*
 * bulk.c - multi-row INSERTs with buffered values. Buffered rows are written in chunks of
 * BULK_ROWS, the last ones in power-of-two chunks, so a writer prepares at most
 * log2(BULK_ROWS) + 1 distinct statements.
 */
#include "bulk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NR_SIZES 8 /* chunks of 1, 2, 4, ... BULK_ROWS rows */

enum value_kind { VALUE_NULL, VALUE_INT, VALUE_DOUBLE, VALUE_TEXT };

struct value {
	enum value_kind kind;
	union {
		int64_t i;
		double d;
		char *t;
	};
};

struct bulk_insert {
	struct db *db;
	const char *head, *tail;
	int nr_columns;
	int nr_rows, nr_values; /* buffered */
	int error;
	struct value *values;              /* BULK_ROWS * nr_columns */
	struct db_stmt *stmt[NR_SIZES];    /* by log2 of the chunk size */
};

_Static_assert(BULK_ROWS == 1 << (NR_SIZES - 1), "BULK_ROWS is the largest chunk");

int bulk_open(struct db *db, const char *head, const char *tail, int nr_columns, struct bulk_insert **out)
{
	struct bulk_insert *b = calloc(1, sizeof(*b));

	if (!b || !(b->values = calloc((size_t)BULK_ROWS * (size_t)nr_columns, sizeof(*b->values)))) {
		free(b);
		return xb_fail(ENOMEM, "out of memory");
	}
	b->db = db;
	b->head = head;
	b->tail = tail;
	b->nr_columns = nr_columns;
	*out = b;
	return 0;
}

static struct value *next_value(struct bulk_insert *b)
{
	if (b->nr_values >= (b->nr_rows + 1) * b->nr_columns) {
		b->error = b->error ? b->error : xb_fail(EINVAL, "%s: too many values in a row", b->head);
		return NULL;
	}
	return &b->values[b->nr_values++];
}

void bulk_int64(struct bulk_insert *b, int64_t v)
{
	struct value *x = next_value(b);

	if (x)
		*x = (struct value){ .kind = VALUE_INT, .i = v };
}

void bulk_double(struct bulk_insert *b, double v)
{
	struct value *x = next_value(b);

	if (x)
		*x = (struct value){ .kind = VALUE_DOUBLE, .d = v };
}

void bulk_null(struct bulk_insert *b)
{
	struct value *x = next_value(b);

	if (x)
		*x = (struct value){ .kind = VALUE_NULL };
}

void bulk_text(struct bulk_insert *b, const char *v)
{
	struct value *x = next_value(b);

	if (!x)
		return;
	*x = (struct value){ .kind = v ? VALUE_TEXT : VALUE_NULL };
	if (v && !(x->t = strdup(v))) {
		x->kind = VALUE_NULL;
		b->error = b->error ? b->error : xb_fail(ENOMEM, "out of memory");
	}
}

static char *chunk_sql(const struct bulk_insert *b, int rows)
{
	size_t row_len = (size_t)b->nr_columns * 3 + 4;
	size_t len = strlen(b->head) + strlen(b->tail) + 16 + (size_t)rows * row_len;
	char *sql = malloc(len), *w;

	if (!sql)
		return NULL;
	w = sql + sprintf(sql, "%s VALUES ", b->head);
	for (int r = 0; r < rows; r++) {
		*w++ = r ? ',' : ' ';
		*w++ = '(';
		for (int c = 0; c < b->nr_columns; c++)
			w += sprintf(w, c ? ", ?" : "?");
		*w++ = ')';
	}
	sprintf(w, " %s", b->tail);
	return sql;
}

static int bind_value(struct db_stmt *s, int index, const struct value *v)
{
	switch (v->kind) {
	case VALUE_INT: return db_bind_int64(s, index, v->i);
	case VALUE_DOUBLE: return db_bind_double(s, index, v->d);
	case VALUE_TEXT: return db_bind_text(s, index, v->t);
	default: return db_bind_null(s, index);
	}
}

/* Writes rows [first, first + 2^order) of the buffer. */
static int write_chunk(struct bulk_insert *b, int first, int order)
{
	int rows = 1 << order, rc = 0;
	struct db_stmt *s = b->stmt[order];

	if (!s) {
		char *sql = chunk_sql(b, rows);

		if (!sql)
			return xb_fail(ENOMEM, "out of memory");
		rc = db_prepare(b->db, sql, &b->stmt[order]);
		free(sql);
		if (rc)
			return rc;
		s = b->stmt[order];
	}
	for (int i = 0; i < rows * b->nr_columns && !rc; i++)
		rc = bind_value(s, i + 1, &b->values[first * b->nr_columns + i]);
	if (!rc)
		rc = db_step(s);
	if (rc >= 0)
		rc = db_reset(s);
	return rc < 0 ? rc : 0;
}

static void clear_values(struct bulk_insert *b)
{
	for (int i = 0; i < b->nr_values; i++)
		if (b->values[i].kind == VALUE_TEXT)
			free(b->values[i].t);
	b->nr_values = b->nr_rows = 0;
}

/* Writes what is buffered. */
static int bulk_flush(struct bulk_insert *b)
{
	int rc = b->error, first = 0;

	for (int order = NR_SIZES - 1; order >= 0 && !rc; order--) {
		while (b->nr_rows - first >= 1 << order && !rc) {
			rc = write_chunk(b, first, order);
			first += 1 << order;
		}
	}
	clear_values(b);
	return rc;
}

int bulk_end_row(struct bulk_insert *b)
{
	if (b->error)
		return b->error;
	if (b->nr_values != (b->nr_rows + 1) * b->nr_columns)
		return b->error = xb_fail(EINVAL, "%s: a row with %d of %d values", b->head,
					  b->nr_values - b->nr_rows * b->nr_columns, b->nr_columns);
	if (++b->nr_rows == BULK_ROWS)
		return bulk_flush(b);
	return 0;
}

/* Frees the writer; rows not flushed are dropped. */
static void bulk_free(struct bulk_insert *b)
{
	if (!b)
		return;
	clear_values(b);
	for (int i = 0; i < NR_SIZES; i++)
		db_finalize(b->stmt[i]);
	free(b->values);
	free(b);
}

int bulk_close(struct bulk_insert *b, int rc)
{
	if (!rc)
		rc = bulk_flush(b);
	bulk_free(b);
	return rc;
}
