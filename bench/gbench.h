/*
 * gbench.h - the C face of Google Benchmark. A case is a function that runs one timed batch
 * and reports its net time, its operation count and any counted events; each Google
 * Benchmark iteration is one batch (manual time: the gross batch time) and each repetition
 * one sample, handed back through a report callback with per-op counters. A sample's
 * ticks_per_op is the median of its batches' ticks per op, so that one interrupted batch
 * cannot move it; batches the case saw disturbed (preempted) are left out of the median and
 * counted; the mean over all batches is kept beside it as evidence.
 */
#ifndef XB_BENCH_GBENCH_H
#define XB_BENCH_GBENCH_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GBENCH_MAX_METRICS 16
/* What one sample may report: the fixed counters, the batches' metrics, repetition_end's. */
#define GBENCH_MAX_SAMPLE_METRICS 8
#define GBENCH_MAX_COUNTERS (5 + GBENCH_MAX_METRICS + GBENCH_MAX_SAMPLE_METRICS)
#define GBENCH_ERROR_MAX 256

enum gbench_metric_kind {
	GBENCH_PER_OP,        /* summed over the batches, divided by the operations */
	GBENCH_PER_OP_MEDIAN, /* per op in each batch, the median over the undisturbed batches
			       * (a time, like ticks_per_op) */
	GBENCH_PER_BATCH,     /* averaged over the batches (a rate such as a hit ratio) */
	GBENCH_PER_SAMPLE,    /* one value for the whole repetition (repetition_end's) */
};

/* The counters every sample carries besides the case's own metrics. */
#define GBENCH_TICKS_PER_OP "ticks_per_op"           /* median over undisturbed batches */
#define GBENCH_NS_PER_OP "ns_per_op"                 /* the same in nanoseconds */
#define GBENCH_TICKS_PER_OP_MEAN "ticks_per_op_mean" /* all batches' net ticks over their ops */
#define GBENCH_PREEMPTED_BATCHES "preempted_batches" /* batches left out of the median */
/* ns_per_op times the share of the repetition the thread spent on a CPU: Google
 * Benchmark's cpu_time, per operation */
#define GBENCH_CPU_NS_PER_OP "cpu_ns_per_op"

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
	bool disturbed;     /* the thread was preempted during the batch: not in the median */
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
	const char *const *counter_names; /* the GBENCH_* counters above, then the metrics */
	const double *counter_values;
};

typedef void (*gbench_report_fn)(void *ctx, const struct gbench_repetition *rep);

struct gbench_case {
	const char *name;
	gbench_batch_fn batch;
	/* Optional: called before a repetition's first batch, with the batches it will run, and
	 * after its last; end may add up to @max per-sample values (GBENCH_PER_SAMPLE) and returns
	 * how many it added. Google Benchmark may run a case's first repetition several times
	 * with growing batch counts before it keeps one (when iterations is 0): each run calls
	 * both. */
	void (*repetition_begin)(void *ctx, int64_t batches);
	int (*repetition_end)(void *ctx, struct gbench_metric *metrics, int max);
	void *ctx;
	double tsc_hz;      /* converts ticks to Google Benchmark's manual time */
	/* > 0 fixes the batches per repetition (a case whose batch hands over a sample measured
	 * elsewhere uses 1; later rounds reuse the first round's count); 0 lets
	 * --benchmark_min_time decide. */
	int64_t iterations;
};

/* Registers a case (copied). Returns 0. */
int gbench_register(const struct gbench_case *c);

/*
 * Runs every registered case. @argv holds Google Benchmark flags (--benchmark_repetitions,
 * --benchmark_min_time, --benchmark_out, ...). Returns the number of cases run, or -1 when
 * Google Benchmark rejected a flag.
 */
int gbench_run(int argc, char **argv, gbench_report_fn report, void *report_ctx);

#ifdef __cplusplus
}
#endif

#endif
