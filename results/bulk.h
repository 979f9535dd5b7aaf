/*
 * bulk.h - multi-row INSERTs: values are buffered row by row and written BULK_ROWS rows per
 * prepared statement, so that a PostgreSQL server sees one round trip per chunk instead of
 * one per row, and SQLite parses one statement per chunk.
 */
#ifndef XB_RESULTS_BULK_H
#define XB_RESULTS_BULK_H

#include <stdint.h>

#include "db.h"

#define BULK_ROWS 128

struct bulk_insert;

/*
 * @head is "INSERT INTO t (a, b, c)", @tail what follows the VALUES list ("" or an
 * ON CONFLICT clause); both must outlive the writer.
 */
int bulk_open(struct db *db, const char *head, const char *tail, int nr_columns,
	      struct bulk_insert **out) XB_MUST_CHECK;
/* The next value of the current row; a failure is kept and returned by bulk_end_row. */
void bulk_int64(struct bulk_insert *b, int64_t v);
void bulk_double(struct bulk_insert *b, double v);
void bulk_text(struct bulk_insert *b, const char *v); /* copied; NULL is SQL NULL */
void bulk_null(struct bulk_insert *b);
/* Ends a row (it must have nr_columns values); writes a chunk when BULK_ROWS are buffered. */
int bulk_end_row(struct bulk_insert *b) XB_MUST_CHECK;
/* Ends a writer: when @rc is 0 the buffered rows are written first. Returns the first error. */
int bulk_close(struct bulk_insert *b, int rc) XB_MUST_CHECK;

#endif
