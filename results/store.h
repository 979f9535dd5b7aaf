/*
 * store.h - the results API: machines, runs, per-case results and raw samples. Every case
 * is written in its own transaction, so a run that dies keeps the cases it finished and
 * stays marked incomplete; a caller may also put several calls in one transaction.
 */
#ifndef XB_RESULTS_STORE_H
#define XB_RESULTS_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "../host/error.h"

struct results_store;
struct db;

struct machine_record {
	const char *fingerprint;
	const char *hostname;
	const char *vendor;
	unsigned int family, model, stepping;
	const char *microcode;
	const char *brand;
	uint64_t xcr0, xss;
	const char *cpuid_dump;
};

struct run_record {
	const char *label;
	const char *started_at; /* ISO 8601, UTC */
	const char *hostname;
	const char *kernel_release;
	const char *kernel_cmdline;
	const char *command_line; /* of the tool */
	const char *source;       /* "run", or "import:FILE" */
	const char *tool_version;
	double tsc_hz;
	const char *tsc_source;
	int pinned_pu; /* -1 when not pinned */
	const char *notes;
};

enum case_status { CASE_OK, CASE_SKIP, CASE_ERROR };

struct named_value {
	const char *name;
	double value;
};

struct sample_record {
	double ticks_per_op; /* the sample's value in its case's unit */
	double ns_per_op;
	int64_t batches;
	int nr_metrics;
	const struct named_value *metrics; /* per-op counter values and the like */
	int round;           /* the pass over the cases it was measured in */
};

struct attribute_record {
	const char *name;
	const char *value;
};

struct case_record {
	const char *id;
	const char *unit; /* "ticks/op", or "ns" for an imported benchmark without ticks */
	enum case_status status;
	const char *reason; /* skip or error reason */
	int64_t ops_per_batch;
	double overhead_ticks;
	int nr_samples;
	const struct sample_record *samples;
	int nr_attributes;
	const struct attribute_record *attributes;
};

int results_open(const char *url, struct results_store **out) XB_MUST_CHECK;
/* For writers of a database that must exist: an SQLite file that does not exist is an error. */
int results_open_existing(const char *url, struct results_store **out) XB_MUST_CHECK;
/* For readers: the database must exist and is opened read-only (an SQLite file in a
 * read-only place can be read), after migrating an older schema. */
int results_open_for_reading(const char *url, struct results_store **out) XB_MUST_CHECK;
void results_close(struct results_store *st);

int results_put_machine(struct results_store *st, const struct machine_record *m,
			int64_t *machine_id) XB_MUST_CHECK;
int results_begin_run(struct results_store *st, int64_t machine_id, const struct run_record *r,
		      int64_t *run_id) XB_MUST_CHECK;
int results_put_counter(struct results_store *st, int64_t run_id, const char *name,
			bool available, const char *reason) XB_MUST_CHECK;
/* One case, in one transaction of its own. */
int results_put_case(struct results_store *st, int64_t run_id, const struct case_record *c) XB_MUST_CHECK;
/* Many cases in one transaction: all are stored or none (import). */
int results_put_cases(struct results_store *st, int64_t run_id, const struct case_record *cases,
		      int nr_cases) XB_MUST_CHECK;
/* One transaction around several calls (an import: all stored or nothing); the store's own
 * transactions join it. After a failure inside it, results_rollback() undoes it all. */
int results_begin(struct results_store *st) XB_MUST_CHECK;
int results_commit(struct results_store *st) XB_MUST_CHECK;
void results_rollback(struct results_store *st);
/* Marks the run complete, stamps its end time and, when @disturbed is not NULL, records why
 * the run was disturbed (disturbance.h); a transaction of its own, or part of the caller's. */
int results_finish_run(struct results_store *st, int64_t run_id, const char *finished_at,
		       const char *disturbed) XB_MUST_CHECK;

/* Labels run @run_id (the nightly labels its night's run once it knows its date and kernel). */
int results_label_run(struct results_store *st, int64_t run_id, const char *label) XB_MUST_CHECK;

/* The database under the store, for the readers in results/ (series, baselines, history). */
struct db *results_db(struct results_store *st);
/* Reserves @count consecutive ids for @table (machines, runs, cases, baselines); the first is
 * returned. Portable across backends: a row per table in id_sequences. */
int results_allocate_ids(struct results_store *st, const char *table, int count, int64_t *first) XB_MUST_CHECK;

#endif
