/*
 * verdict.h - one case compared between BASE and NEW: medians, the ratio NEW/BASE with its
 * interval, the Mann-Whitney p-value, and, once every case of a comparison is known, the
 * Benjamini-Hochberg adjusted p-value and the verdict.
 */
#ifndef XB_RESULTS_VERDICT_H
#define XB_RESULTS_VERDICT_H

#include "../host/error.h"
#include <stdbool.h>

#include "ratio_interval.h"

enum verdict {
	VERDICT_UNCHANGED,
	VERDICT_REGRESSION,  /* significant after correction and slower by more than the threshold */
	VERDICT_IMPROVEMENT, /* significant after correction and faster by more than the threshold */
	VERDICT_NOISY,       /* cannot decide: too few samples, an interval wider than the
			      * threshold, no ratio, or timings that mean nothing */
	VERDICT_NEW,         /* measured in NEW only */
	VERDICT_MISSING,     /* measured in BASE only */
	VERDICT_FAILED,      /* NEW failed the case's own checks: no numbers */
	VERDICT_KINDS        /* the number of verdicts */
};

struct verdict_options {
	double threshold; /* a fraction: 0.02 for --threshold 2 */
	double alpha;     /* the false discovery rate */
};

struct case_verdict {
	int n_base, n_new;
	double base_median, new_median;
	struct ratio_estimate r;
	double u, p, p_adjusted; /* NaN when not tested */
	bool functional_only;    /* a side's timings mean nothing: never a regression */
	const char *failure;     /* NEW's error when it failed the case's checks, else NULL */
	enum verdict verdict;
	const char *why;         /* for noisy: the reason, static text; for failed: the failure;
				  * for missing: NEW's skip reason when it skipped the case */
};

/* Medians, ratio, interval and p-value; the verdict waits for verdict_decide(). Either side
 * may be empty (new or missing). Returns 0 or -ENOMEM. */
int verdict_measure(const double *base, int n, const double *new, int m, struct case_verdict *out) XB_MUST_CHECK;
/* Adjusts the p-values of all cases together and gives each its verdict. */
int verdict_decide(struct case_verdict *cases, int nr_cases, const struct verdict_options *o) XB_MUST_CHECK;
/* The smallest two-sided p-value samples of these sizes can give (complete separation). */
double verdict_min_p(int n, int m);
const char *verdict_name(enum verdict v);

#endif
