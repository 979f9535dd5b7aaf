/*
 * verdict.h - one case compared between BASE and NEW, and the decision for every case of one
 * NEW series together. A case's change is NEW/BASE of its side estimates (replication.h),
 * taken relative to the machine-wide shift when the shift is real (shift.h); its standard
 * error adds the samples' and rounds' variance, the runs' (measured where a side has several;
 * for what a single run cannot see, the spread across cases, tau, or the case's own over its
 * machine's prior runs where that is larger) and the shift's. A
 * normal test per case, Holm's correction across the cases, and the threshold decide; every
 * tested case states the smallest change it could have detected.
 */
#ifndef XB_RESULTS_VERDICT_H
#define XB_RESULTS_VERDICT_H

#include <stdbool.h>

#include "../base/error.h"
#include "replication.h"
#include "shift.h"

enum verdict {
	VERDICT_UNCHANGED,   /* no change larger than the case could detect, which is under the threshold */
	VERDICT_REGRESSION,  /* significant after correction and slower by more than the threshold */
	VERDICT_IMPROVEMENT, /* significant after correction and faster by more than the threshold */
	VERDICT_NOISY,       /* cannot resolve the threshold: its detectable change is larger, or
			      * it has no ratio, or timings that mean nothing */
	VERDICT_DISTURBED,   /* a side was measured while something else ran: no verdict */
	VERDICT_NEW,         /* measured in NEW only */
	VERDICT_MISSING,     /* measured in BASE only */
	VERDICT_FAILED,      /* NEW failed the case's own checks: no numbers */
	VERDICT_DRIFT,       /* slower by small steps over many nights, which no single night flagged:
			      * set by the nightly's trend test (trend.h), never by verdict_decide() */
	VERDICT_COUNT,
};

/* The power at which the smallest detectable change is stated. */
#define VERDICT_POWER 0.80
/* The confidence of the interval printed beside each change. */
#define VERDICT_INTERVAL 0.95

struct verdict_options {
	double threshold; /* a fraction: 0.02 for --threshold 2 */
	double alpha;     /* the family-wise error rate across the cases (Holm) */
	/* Judge functional-only timings (QEMU TCG) like real ones: only for `review
	 * --functional-only-verdicts`, whose every output carries a banner saying so. */
	bool functional_only_verdicts;
};

struct ratio_estimate {
	bool valid;      /* both sides have a side estimate */
	double ratio;    /* NEW/BASE, relative to the shift when the shift is adjusted */
	double lo, hi;   /* its VERDICT_INTERVAL interval */
};

struct case_verdict {
	int n_base, n_new;              /* samples */
	double base_median, new_median; /* of the samples, as printed */
	struct side_estimate base, new;
	double change;                  /* log(NEW/BASE) before the shift */
	struct ratio_estimate r;
	double se;                      /* of log(r.ratio) */
	double p, p_adjusted;           /* NAN when not tested */
	double mde;                     /* the smallest change detected with VERDICT_POWER, a
					 * fraction; NAN when not tested */
	/* noisy: what would resolve the threshold, 0 when that would not: this many times the
	 * rounds in both runs, or this many runs on each side */
	int rounds_factor, runs_per_side;
	double prior_var;               /* a run's variance beyond its samples from the machine's
					 * prior runs (prior_runs.h); NAN when they are too few */
	bool functional_only;           /* a side's timings mean nothing: never a regression */
	bool control;                   /* the empty loop: shown, not tested as a ratio */
	const char *disturbed;          /* why a side cannot be judged, or NULL */
	const char *failure;            /* NEW's error when it failed the case's checks, else NULL */
	enum verdict verdict;
	const char *why;                /* noisy: the reason, static text; failed: the failure;
					 * missing: NEW's skip reason when it skipped the case */
};

/* Fills the cell from the two side estimates (either may have no samples: new, missing). */
void verdict_measure(const struct side_estimate *base, double base_median, const struct side_estimate *new,
		     double new_median, struct case_verdict *out);
/*
 * Decides every case of one NEW series: estimates @shift (its controls are the caller's) and
 * tau from the tested cases, then the standard errors, Holm-adjusted p-values, detectable
 * changes and verdicts. Returns 0 or -ENOMEM.
 */
int verdict_decide(struct case_verdict *cases, int nr_cases, const struct verdict_options *o,
		   struct machine_shift *shift) XB_MUST_CHECK;
const char *verdict_name(enum verdict v);

#endif
