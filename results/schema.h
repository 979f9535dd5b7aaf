/*
 * schema.h - the results schema as numbered forward migrations; opening a database
 * brings it to the newest version and refuses one written by a newer xstate-bench.
 */
#ifndef XB_RESULTS_SCHEMA_H
#define XB_RESULTS_SCHEMA_H

#include "db.h"

#define SCHEMA_VERSION 4

int schema_migrate(struct db *db) XB_MUST_CHECK;
/* The version a database is at; 0 for an empty one. */
int schema_version(struct db *db, int *version) XB_MUST_CHECK;

#endif
