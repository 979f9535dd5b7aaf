/*
 * verdict.c - per-case tests and the decision rule. A change counts only when it is both
 * significant after the false-discovery-rate correction and larger than the threshold; a
 * case that is not significant is unchanged only when its 95% interval rules out a change
 * larger than the threshold, and noisy otherwise (also when the samples are too small for
 * a 95% interval, which --alpha above 0.05 lets through).
 */
#include "verdict.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "fdr.h"
#include "stats.h"

static const char *const names[] = {
	[VERDICT_UNCHANGED] = "unchanged",
	[VERDICT_REGRESSION] = "regression",
	[VERDICT_IMPROVEMENT] = "improvement",
	[VERDICT_NOISY] = "noisy",
	[VERDICT_NEW] = "new",
	[VERDICT_MISSING] = "missing",
	[VERDICT_FAILED] = "failed",
};
_Static_assert(sizeof(names) / sizeof(names[0]) == VERDICT_KINDS, "a name for every verdict");

const char *verdict_name(enum verdict v)
{
	return names[v];
}

double verdict_min_p(int n, int m)
{
	/* 2 / C(n + m, n): the two most extreme of the equally likely arrangements */
	double p = 2;

	for (int i = 1; i <= n && p > 1e-300; i++)
		p *= (double)i / (m + i);
	return fmin(p, 1.0);
}

int verdict_measure(const double *base, int n, const double *new, int m, struct case_verdict *out)
{
	struct mw_result mw;
	int rc;

	*out = (struct case_verdict){
		.n_base = n, .n_new = m, .base_median = stats_median(base, n), .new_median = stats_median(new, m),
		.r = { .ratio = NAN, .lo = NAN, .hi = NAN }, .u = NAN, .p = NAN, .p_adjusted = NAN,
	};
	if (!n || !m)
		return 0;
	if ((rc = mann_whitney(base, n, new, m, &mw)) ||
	    (rc = ratio_estimate(base, n, out->base_median, new, m, out->new_median, &mw, &out->r)))
		return rc;
	out->u = mw.u;
	out->p = mw.p;
	return 0;
}

static void decide(struct case_verdict *c, const struct verdict_options *o)
{
	double change = c->r.ratio - 1;

	c->why = NULL;
	if (c->failure) {
		c->verdict = VERDICT_FAILED;
		c->why = c->failure;
		return;
	}
	if (!c->n_base || !c->n_new) {
		c->verdict = c->n_base ? VERDICT_MISSING : VERDICT_NEW;
		return;
	}
	c->verdict = VERDICT_NOISY;
	if (c->functional_only)
		c->why = "functional only: the timings mean nothing";
	else if (verdict_min_p(c->n_base, c->n_new) > o->alpha)
		c->why = "too few samples to reach alpha";
	else if (!c->r.valid)
		c->why = "no ratio: the base median is not positive";
	else if (c->p_adjusted <= o->alpha && fabs(change) > o->threshold)
		c->verdict = change > 0 ? VERDICT_REGRESSION : VERDICT_IMPROVEMENT;
	else if (c->p_adjusted <= o->alpha ||
		 (c->r.full_coverage && c->r.lo >= 1 - o->threshold && c->r.hi <= 1 + o->threshold))
		c->verdict = VERDICT_UNCHANGED;
	else
		c->why = c->r.full_coverage ? "the interval is wider than the threshold"
					    : "too few samples for a 95% interval";
}

int verdict_decide(struct case_verdict *cases, int nr_cases, const struct verdict_options *o)
{
	double *p = malloc((size_t)(nr_cases ? nr_cases : 1) * sizeof(*p));
	double *adjusted = malloc((size_t)(nr_cases ? nr_cases : 1) * sizeof(*adjusted));
	int rc = p && adjusted ? 0 : xb_fail(ENOMEM, "out of memory");

	/* the family: every case tested on timings that mean something */
	for (int i = 0; i < nr_cases && !rc; i++)
		p[i] = cases[i].functional_only ? NAN : cases[i].p;
	if (!rc)
		rc = fdr_benjamini_hochberg(p, nr_cases, adjusted);
	for (int i = 0; i < nr_cases && !rc; i++) {
		cases[i].p_adjusted = adjusted[i];
		decide(&cases[i], o);
	}
	free(p);
	free(adjusted);
	return rc;
}
