/*
 * summary.h - what `run` prints at the end: per case the median ticks, ns and estimated core
 * cycles per op and the interquartile spread, in 80 columns (--wide: with the samples,
 * XINUSE, the modified optimization's hits and the reruns); the comparisons; the errors; the
 * skipped cases grouped by reason, each group with its count and one example (--verbose:
 * every case).
 */
#ifndef XB_BENCH_SUMMARY_H
#define XB_BENCH_SUMMARY_H

#include <stdio.h>

#include "../results/replication.h"
#include "../results/store.h"
#include "case.h"

struct summary_row {
	int order; /* the case's place in the plan: rows print in plan order */
	char id[CASE_ID_MAX];
	enum case_status status;
	char reason[CASE_REASON_MAX];
	int samples;
	double median_ticks, median_ns, iqr_percent;
	double median_cycles; /* estimated core cycles per op; NAN when not measured */
	char xinuse[24];
	char guest_fpstate_bytes[16]; /* kvm cases: what KVM_GET_XSAVE2 writes (get_xsave2_bytes) */
	double modopt_hit_rate; /* NAN when not probed */
	double discarded_rate;  /* batches run again because the state changed under them */
	bool functional_only;   /* timed where timings mean nothing (QEMU TCG): shown, never a baseline */
	bool disturbed;         /* measured while something else ran on its PU (disturbance.h) */
	char insns[32];         /* the instructions the case ran (its "insns" attribute), or "" */
	struct side_estimate ticks; /* the samples' ticks/op in their rounds: for intervals */
};

struct summary {
	int count, capacity;
	struct summary_row *rows;
};

/* How the summary is printed. */
struct summary_view {
	bool wide;    /* every column, whatever the width */
	bool verbose; /* every skipped case, not one per reason */
};

void summary_add(struct summary *s, int order, const char *id, enum case_status status, const char *reason,
		 const struct sample_record *samples, int nr_samples, int nr_attributes,
		 const struct case_attribute *attributes);
/* Sorts the rows into plan order and prints them. */
void summary_print(struct summary *s, const struct summary_view *v, FILE *out);
/* The switch strategies side by side with the sum of their measured parts and their ratio,
 * each kernel path minus its init-state control, and KVM's round trip for a guest offered
 * x87/SSE only against one offered everything (summary_compare.c); prints nothing for what
 * the run did not measure. */
void summary_print_comparisons(const struct summary *s, FILE *out);
void summary_free(struct summary *s);

#endif
