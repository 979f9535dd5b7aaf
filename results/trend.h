/*
 * trend.h - a slow creep across the nights of the nightly job, which no single night's
 * comparison flags (the rolling baseline creeps along with it). Per case, its location in
 * each night's run (replication.h: the median of the run's samples, in log), taken relative
 * to that night's machine-wide level (the median over the cases of their departure from
 * their own typical level: what moved every case alike, the core clock or the host), is
 * tested for a monotonic trend by Mann-Kendall: distribution-free (the nights need only be
 * exchangeable when nothing changes), exact up to TREND_EXACT_MAX nights, with Holm's
 * correction across the cases of the night, so that the chance of any drift reported on a
 * night when nothing moved is at most alpha. A trend is a drift when it is significant and
 * the change since it began (Sen's slope times the nights) exceeds the threshold; where it
 * began is the night that best splits the series into a flat part and a ramp (a hinge
 * fitted by least squares).
 */
#ifndef XB_RESULTS_TREND_H
#define XB_RESULTS_TREND_H

#include <stdbool.h>

#include "../host/error.h"

/* Up to this many nights the null distribution of S is exact (Mahonian numbers); beyond
 * it, or with tied values, the normal approximation with the ties' variance. */
#define TREND_EXACT_MAX 60
/* A case with fewer nights is not tested: with 7, Mann-Kendall's smallest two-sided
 * p-value (2/7!) can still pass Holm's correction over a dozen cases; with fewer it
 * cannot. */
#define TREND_MIN_NIGHTS 8
/* The ramp the onset fit considers has this many nights at least. */
#define TREND_MIN_RAMP 3

struct trend_options {
	double threshold; /* the smallest change since the drift began that counts, a fraction */
	double alpha;     /* the family-wise error rate across the cases of one night (Holm) */
};

struct mann_kendall {
	double s; /* the sum over pairs i < j of sign(x[j] - x[i]) */
	double p; /* two-sided */
};

/* Mann-Kendall's S and its p-value for @x in time order. Returns 0 or -ENOMEM. */
int trend_mann_kendall(const double *x, int n, struct mann_kendall *out) XB_MUST_CHECK;
/* Sen's slope: the median of (x[j] - x[i]) / (t[j] - t[i]) over the pairs i < j (@t
 * increasing). Returns 0 or -ENOMEM. */
int trend_sen_slope(const double *x, const int *t, int n, double *slope) XB_MUST_CHECK;
/* The first night of a ramp: the k whose hinge x = a + b max(0, t - t[k - 1]) (flat up to
 * night k - 1, rising or falling from night k, which leaves TREND_MIN_RAMP nights or more)
 * fits @x best by least squares; 0 when a straight line through every night fits best: it
 * began on the first night of the series, or before. */
int trend_onset(const double *x, const int *t, int n);

/*
 * Takes each night's machine-wide level out of @loc (@nr_cases rows of @nr_nights, NAN where
 * a case was not measured), in place: level[t] is the median over the cases measured that
 * night of loc[c][t] - ref[c], ref[c] the case's median over its nights. A night with fewer
 * than SHIFT_MIN_CASES cases keeps its level (0). Returns 0 or -ENOMEM.
 */
int trend_relative_levels(double *loc, int nr_cases, int nr_nights, double *level) XB_MUST_CHECK;

/* One case's values in time order and the night each was measured on (increasing). */
struct trend_series {
	const double *x;
	const int *t;
	int n;
};

struct trend_verdict {
	bool tested;       /* TREND_MIN_NIGHTS nights or more */
	double s, p, p_adjusted; /* NAN when not tested */
	int began;         /* the index of the first night of the ramp (trend_onset) */
	double slope;      /* Sen's slope from the night before it on, per night (log) */
	double change;     /* slope times the nights from the night before it to the last (log) */
	int direction;     /* +1 drifting up (slower), -1 down (faster), 0 no drift */
};

/* Tests every case and decides which drift. Returns 0 or -ENOMEM. */
int trend_decide(const struct trend_series *cases, int nr_cases, const struct trend_options *o,
		 struct trend_verdict *out) XB_MUST_CHECK;

#endif
