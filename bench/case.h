/*
 * case.h - benchmark families and their cases. A family is an ops table (plan, setup,
 * batch, teardown); planning turns the machine into a list of cases, each either runnable
 * or carrying the reason it cannot run here (which CPUID bit, which kernel interface).
 */
#ifndef XB_BENCH_CASE_H
#define XB_BENCH_CASE_H

#include <stdbool.h>
#include <stdint.h>

#include "../host/counters.h"
#include "../host/machine.h"
#include "gbench.h"

#define CASE_ID_MAX 96
#define CASE_REASON_MAX 256
#define CASE_ATTR_MAX 8

struct bench_case;
struct plan;

/* What setup may use: the machine and run-wide settings. */
struct run_env {
	const struct machine *machine;
	uint32_t ops_override; /* --ops, 0 = each family's default */
	int repetitions;       /* samples per case */
	double min_time;       /* seconds of batches per sample */
};

/* What one batch reports; the runner subtracts the empty-batch overhead for ops_per_batch. */
struct batch_result {
	uint64_t gross_ticks; /* the timed region as measured */
	double net_ticks;     /* self-timed families only: already net of their own overhead */
	uint64_t ops;
	/* Non-zero: an empty batch of the same size timed where this batch ran (ring 0 in the
	 * kernel module, the guest), which the runner subtracts instead of its own. */
	uint64_t site_overhead_ticks;
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
	const char *site; /* the suite it belongs to: native, kvm or guest */
	/*
	 * The samples are timed and calibrated elsewhere (inside a guest): each batch() hands
	 * over one finished sample (net_ticks, and its own core-clock metrics), one batch per
	 * repetition; the runner subtracts no overhead and adds no clock estimate or counters.
	 */
	bool self_timed;
	/* Appends every case of the family, runnable or with its skip reason. */
	int (*plan)(const struct machine *m, struct plan *plan);
	int (*setup)(struct bench_case *c, const struct run_env *env);
	/* One timed batch of c->ops_per_batch operations: gross ticks and per-batch metrics. */
	int (*batch)(struct bench_case *c, struct batch_result *out);
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
	/* Set by setup: the batch size; the runner calibrates the overhead for it. */
	uint32_t ops_per_batch;
	/* Facts a case records with its result (buffer size, XINUSE before the batch, ...). */
	int nr_attributes;
	struct case_attribute attributes[CASE_ATTR_MAX];
	void *state; /* owned by the family between setup and teardown */
};

struct plan {
	int count, capacity;
	struct bench_case *cases;
};

/* Appends a case; @skip_fmt NULL makes it runnable. Returns the case or NULL (no memory). */
struct bench_case *plan_add(struct plan *plan, const struct bench_family *family, const char *id,
			    const char *skip_fmt, ...) __attribute__((format(printf, 4, 5)));

/* Sets or replaces an attribute recorded with the case's result. */
void case_set_attribute(struct bench_case *c, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
