/*
 * report.h - `report --out DIR RUN...`: gnuplot charts (PNG and SVG) of the cost per
 * feature set of every operation with 95% intervals of the median, the ratio of each later
 * series to the first with its interval, and each operation's history on the machine of
 * the last series; plus index.html and report.md that show them. On request, chosen cases
 * first, each over chosen runs against the date.
 */
#ifndef XB_RESULTS_REPORT_H
#define XB_RESULTS_REPORT_H

#include "series.h"
#include "verdict.h"

/* A case charted over chosen runs (the nightly's flagged cases over its last nights). */
struct report_case_history {
	const char *id;
	const char *caption; /* what was found, after the id in the title */
};

struct report_options {
	const char *dir;
	const char *metric; /* NULL: compare's default (comparison.h) */
	struct verdict_options verdict;
	const char *const *names; /* per spec, the name its series is shown by; NULL: its own */
	/* Charts of these cases first, each over @history_runs against the date (none: 0). */
	const struct report_case_history *case_histories;
	int nr_case_histories;
	const int64_t *history_runs;
	int nr_history_runs;
};

struct report_outcome {
	int nr_charts; /* each written as PNG and SVG */
};

/* @specs name runs or baselines, oldest first: the first is the base of the ratio charts. */
int report_write(struct results_store *st, char *const *specs, int nr_specs, const struct report_options *o,
		 struct report_outcome *out) XB_MUST_CHECK;

#endif
