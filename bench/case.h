/*
 * case.h - benchmark families and their cases. A family is an ops table (plan, setup,
 * batch, teardown); planning turns the machine into a list of cases, each either runnable
 * or carrying the reason it cannot run here (which CPUID bit, which kernel interface).
 */
#ifndef XB_BENCH_CASE_H
#define XB_BENCH_CASE_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/attributes.h"
#include "../base/ids.h"
#include "../host/counters.h"
#include "../host/machine.h"
#include "gbench.h"

#define CASE_ID_MAX BENCH_ID_MAX
#define CASE_REASON_MAX 256
#define CASE_ATTR_MAX 16

struct bench_case;
struct plan;

/* What setup may use: the machine and run-wide settings. */
struct run_env {
	const struct machine *machine;
	const char *vmm;       /* the launcher the guest suite boots with (the plan's) */
	uint32_t ops_override; /* --ops, 0 = each family's default */
	int repetitions;       /* samples per case */
	double min_time;       /* seconds of batches per sample */
};

/*
 * What one batch reports. The runner subtracts the empty-batch overhead: its own, timed beside
 * the batch for ops_per_batch, or the one the batch brings from where it ran (site_overhead
 * families).
 */
struct batch_result {
	uint64_t gross_ticks; /* the timed region as measured */
	uint64_t ops;
	/* site_overhead families: the overhead inside gross_ticks, timed where the batch ran (ring 0
	 * in the kernel module; the guest, over the batches of its sample) */
	uint64_t site_overhead_ticks;
	/* Non-zero: the core clock where the batch ran, TSC ticks per core cycle (the guest's);
	 * 0: the runner times its own beside the batch. */
	double site_ticks_per_cycle;
	int nr_metrics;
	/* room is left for the runner's core-clock metrics and the counters */
	struct gbench_metric metrics[GBENCH_MAX_METRICS - COUNTERS_MAX - 2];
	char error[GBENCH_ERROR_MAX];
	/* With a failed batch: the case turned out not to be runnable where it ran (the guest
	 * lacks a feature the host planned from), and error is the skip reason, not an error. */
	bool skip;
};

struct bench_family {
	const char *name;
	enum site site;   /* the suite it belongs to (base/ids.h) */
	/* Each batch brings the overhead timed where it ran (site_overhead_ticks): the runner
	 * times no empty batches for the family and stores the site's overhead. */
	bool site_overhead;
	/* Each batch hands over one sample finished elsewhere (inside a guest): one batch per
	 * repetition, and no host counters around it. */
	bool self_timed;
	/* > 0: this many batches a sample, whatever --min-time says: for batches whose cost lies
	 * mostly outside their timed region (a process started for each), which Google Benchmark
	 * would otherwise repeat thousands of times to fill the sample's time. */
	int batches_per_sample;
	/* Appends every case of the family, runnable or with its skip reason. */
	int (*plan)(const struct machine *m, struct plan *plan);
	/* Optional: what the family's cases share over one run (the guest suite's one boot):
	 * opened before the first case's setup, given to each case as c->shared, closed after the
	 * last teardown. NULL from open_run: out of memory (the message recorded). */
	void *(*open_run)(const struct run_env *env);
	void (*close_run)(void *shared);
	int (*setup)(struct bench_case *c, const struct run_env *env);
	/* One timed batch of c->ops_per_batch operations: gross ticks and per-batch metrics. */
	int (*batch)(struct bench_case *c, struct batch_result *out);
	/* Optional: frees what setup made. */
	void (*teardown)(struct bench_case *c);
};

struct case_attribute {
	char name[32];
	char value[96];
};

struct bench_case {
	char id[CASE_ID_MAX];
	const struct bench_family *family;
	char skip_reason[CASE_REASON_MAX]; /* empty: runnable */
	/* Family parameters: the operation (an index into the family's table), features, condition. */
	int op;
	uint64_t features;
	int condition;
	/* Set by setup: the batch size; the runner calibrates the overhead for it (or stores the
	 * site's per batch of this size). */
	uint32_t ops_per_batch;
	/* Set by setup: a task (thread or process id) that shares the measured PU by design, a
	 * ping-pong partner, whose time on the PU is the case and not interference; 0: none. */
	int pu_partner;
	/* Facts a case records with its result (buffer size, XINUSE before the batch, ...). */
	int nr_attributes;
	struct case_attribute attributes[CASE_ATTR_MAX];
	void *state;  /* owned by the family between setup and teardown */
	void *shared; /* the family's open_run(), for this run */
};

struct plan {
	int count, capacity;
	struct bench_case *cases;
	const char *vmm; /* the launcher the guest suite is planned for (host/guest_launcher.h) */
};

/* Appends a case; @skip_fmt NULL makes it runnable. Returns the case or NULL (no memory). */
struct bench_case *plan_add(struct plan *plan, const struct bench_family *family, const char *id,
			    const char *skip_fmt, ...) __attribute__((format(printf, 4, 5)));
/* Appends the case @id (base/ids.h) on the components @features, its condition the id's:
 * runnable when @why is NULL, else skipped with that reason. Returns the case, or NULL with
 * the message recorded. */
struct bench_case *plan_case(struct plan *plan, const struct bench_family *family, const struct bench_id *id,
			     uint64_t features, const char *why);

/* The value of an attribute the case records, or NULL. */
const char *case_attribute(const struct bench_case *c, const char *name);
/* Sets or replaces an attribute recorded with the case's result. */
void case_set_attribute(struct bench_case *c, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
