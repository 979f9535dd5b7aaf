/*
 * store.h - the results API: machines, runs, per-case results and raw samples. Every case
 * is written in its own transaction, so a run that dies keeps the cases it finished and
 * stays marked incomplete.
 */
#ifndef XB_RESULTS_STORE_H
#define XB_RESULTS_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "../host/error.h"

struct results_store;

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
	const char *kernel_release;
	const char *command_line;
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
	double ticks_per_op;
	double ns_per_op;
	int64_t batches;
	int nr_metrics;
	const struct named_value *metrics; /* per-op counter values and the like */
};

struct attribute_record {
	const char *name;
	const char *value;
};

struct case_record {
	const char *id;
	const char *unit; /* "ticks/op" */
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
void results_close(struct results_store *st);

int results_put_machine(struct results_store *st, const struct machine_record *m,
			int64_t *machine_id) XB_MUST_CHECK;
int results_begin_run(struct results_store *st, int64_t machine_id, const struct run_record *r,
		      int64_t *run_id) XB_MUST_CHECK;
int results_put_counter(struct results_store *st, int64_t run_id, const char *name,
			bool available, const char *reason) XB_MUST_CHECK;
int results_put_case(struct results_store *st, int64_t run_id, const struct case_record *c) XB_MUST_CHECK;
/* Marks the run complete and stamps its end time. */
int results_finish_run(struct results_store *st, int64_t run_id, const char *finished_at) XB_MUST_CHECK;

#endif
