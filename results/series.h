/*
 * series.h - what `compare`, `history`, `report` and `export` read back: a series is a run
 * or a baseline (its pooled results), named on the command line by a run id, a run label
 * or a baseline name, with the samples of one metric per case.
 */
#ifndef XB_RESULTS_SERIES_H
#define XB_RESULTS_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "disturbance.h"
#include "store.h"

struct db_stmt;

#define SERIES_NAME_MAX 160

struct series_run {
	int64_t id, machine_id;
	char label[64];
	char started_at[32];
	bool complete;
	char disturbed[256]; /* the reason the run was marked disturbed, "" when it was not */
	/* Where and when it ran: filled by series_run_info() (so for every run of a series),
	 * not by series_run_columns(). */
	char finished_at[32];   /* "" while it runs, or when it was killed */
	char source[64];        /* "run", or "import:FILE" */
	char hostname[64];
	char kernel[64];        /* "" when unknown (an import) */
	char cpu[160];          /* brand, vendor family/model/stepping; "" for an import */
	char microcode[32];     /* "" when unknown */
};

/* A case of a run that has no samples: skipped (the reason it cannot run there) or failed
 * its own checks (the error). */
struct series_unmeasured {
	char *id;
	enum case_status status; /* CASE_SKIP or CASE_ERROR */
	char *reason;
};

struct series_case {
	char *id;
	char *unit;
	double *values;
	int *run_of;           /* per sample: its run, an index into the series' runs */
	int *round_of;         /* per sample: its round (pass over the cases) in that run */
	int n;
	char *functional_only; /* the attribute's reason, or NULL */
	struct interference_totals interference; /* over every sample, every run */
};

struct series {
	char name[SERIES_NAME_MAX]; /* "run 12 (v6.1)", "baseline nightly" */
	int64_t baseline_id;        /* 0 for a run */
	int nr_runs;
	struct series_run *runs;
	int nr_cases;
	struct series_case *cases;  /* sorted by id */
	int nr_unmeasured;
	struct series_unmeasured *unmeasured; /* a run's skipped and failed cases, sorted by id;
					       * none for a baseline (it pools measured results) */
};

/*
 * Resolves @spec: "run:N", "baseline:NAME", "label:L", "runs:N,M,..." (several runs as one
 * series, each result as stored: the versions of an interleaved schedule), or bare: a run
 * id, else a baseline name, else the latest run with that label. Fills name and runs.
 */
int series_resolve(struct results_store *st, const char *spec, struct series *out) XB_MUST_CHECK;
/* Resolves and loads every ok case's samples of @metric: ticks_per_op (the sample's value
 * in its case's unit), ns_per_op, or any name in sample_metrics; with each sample its run
 * and round, and each case's interference evidence; and a run's skipped and failed cases.
 * A series that measured cases but has no sample of the metric is an error. */
int series_load(struct results_store *st, const char *spec, const char *metric, struct series *out) XB_MUST_CHECK;
const struct series_case *series_find(const struct series *s, const char *case_id);
const struct series_unmeasured *series_find_unmeasured(const struct series *s, const char *case_id);
/* Whether two runs (perhaps from different databases) ran on the same machine: the same
 * host name, CPU and microcode, where both sides know them. */
bool series_same_machine(const struct series_run *a, const struct series_run *b);
/* The machine a run ran on, in words: "HOST (CPU, microcode M)". */
void series_run_machine(const struct series_run *r, char *out, size_t size);
bool series_complete(const struct series *s);
void series_free(struct series *s);

/* The unit a metric is shown in: the case's own unit for ticks_per_op, else the metric. */
const char *series_metric_unit(const char *metric, const char *case_unit);

/* A FROM item "(...) v" with columns run_id, case_id, repetition, round, value for
 * @metric; when *binds_name is set its first '?' takes the metric name. */
const char *series_metric_source(const char *metric, bool *binds_name);

int series_run_info(struct results_store *st, int64_t run_id, struct series_run *out) XB_MUST_CHECK;
/* Calls @each for every result of run @run_id marked functional_only, with its case and
 * reason, until @each returns an error. Returns 0 or the first error. */
int series_functional_only(struct results_store *st, int64_t run_id,
			   int (*each)(void *arg, const char *case_id, const char *reason), void *arg) XB_MUST_CHECK;
/* The columns of a run (of runs r) in a SELECT list, and reading them back from column @col. */
#define SERIES_RUN_COLUMNS "r.id, r.machine_id, r.label, r.started_at, r.complete, r.disturbed"
void series_run_columns(struct db_stmt *s, int col, struct series_run *out);

#endif
