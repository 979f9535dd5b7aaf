/*
 * gbench.h - the C face of Google Benchmark. A case is a function that runs one timed batch
 * and reports its net time, its operation count and any counted events; each Google
 * Benchmark iteration is one batch (manual time: the gross batch time) and each repetition one sample, handed
 * back through a report callback with per-op counters (ticks_per_op, ns_per_op, cpu_ns_per_op:
 * ns_per_op times the share of the repetition the thread spent on a CPU, ...).
 */
#ifndef XB_BENCH_GBENCH_H
#define XB_BENCH_GBENCH_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GBENCH_MAX_METRICS 16
#define GBENCH_ERROR_MAX 256

enum gbench_metric_kind {
	GBENCH_PER_OP,     /* summed over the batches, divided by the operations */
	GBENCH_PER_BATCH,  /* averaged over the batches (a rate such as a hit ratio) */
};

struct gbench_metric {
	const char *name; /* static storage */
	enum gbench_metric_kind kind;
	double value;     /* this batch's count (per-op kind) or value (per-batch kind) */
};

struct gbench_batch {
	double gross_ticks; /* the batch as timed: Google Benchmark's manual time, so its
			     * iteration count follows how long batches really take */
	double net_ticks;   /* the operations alone, calibrated overhead subtracted: the
			     * ticks_per_op and ns_per_op counters */
	uint64_t ops;
	int nr_metrics;
	struct gbench_metric metrics[GBENCH_MAX_METRICS];
	char error[GBENCH_ERROR_MAX]; /* set with a non-zero return: the case stops */
};

/*
 * Runs one batch; returns 0, or non-zero with out->error set. A case must report the same
 * metric names in every batch (Google Benchmark aggregates repetitions by counter name).
 */
typedef int (*gbench_batch_fn)(void *ctx, struct gbench_batch *out);

/* One reported repetition of a case (Google Benchmark's aggregates are not reported). */
struct gbench_repetition {
	const char *name;
	int64_t index;      /* repetition index */
	int64_t batches;    /* Google Benchmark iterations */
	bool last;          /* the case's final repetition */
	bool error;
	const char *error_message;
	int nr_counters;
	const char *const *counter_names; /* ticks_per_op, ns_per_op, then the metrics */
	const double *counter_values;
};

typedef void (*gbench_report_fn)(void *ctx, const struct gbench_repetition *rep);

/*
 * Registers a case; @tsc_hz converts ticks to Google Benchmark's manual time. @iterations > 0
 * fixes the batches per repetition (a case whose batch hands over a sample measured
 * elsewhere uses 1); 0 lets --benchmark_min_time decide.
 */
int gbench_register(const char *name, gbench_batch_fn fn, void *ctx, double tsc_hz, int64_t iterations);

/*
 * Runs every registered case. @argv holds Google Benchmark flags (--benchmark_repetitions,
 * --benchmark_min_time, ...). Returns the number of cases run, or -1 when
 * Google Benchmark rejected a flag.
 */
int gbench_run(int argc, char **argv, gbench_report_fn report, void *report_ctx);

#ifdef __cplusplus
}
#endif

#endif
