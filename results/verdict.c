/*
 * verdict.c - per-case tests and the decision rule. A change counts only when it is both
 * significant after Holm's correction and larger than the threshold. A case that is not
 * flagged is unchanged when it could have detected a change of the threshold's size with
 * VERDICT_POWER, and noisy otherwise, with what more replication would resolve it.
 */
#include "verdict.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "holm.h"
#include "stats.h"

static const char *const names[VERDICT_COUNT] = {
	[VERDICT_UNCHANGED] = "unchanged",
	[VERDICT_REGRESSION] = "regression",
	[VERDICT_IMPROVEMENT] = "improvement",
	[VERDICT_NOISY] = "noisy",
	[VERDICT_DISTURBED] = "disturbed",
	[VERDICT_NEW] = "new",
	[VERDICT_MISSING] = "missing",
	[VERDICT_FAILED] = "failed",
	[VERDICT_DRIFT] = "drift",
};

/* The most rounds and runs a noisy case's resolution is worked out for. */
#define RESOLVE_MAX_ROUNDS_FACTOR 8
#define RESOLVE_MAX_RUNS 10

const char *verdict_name(enum verdict v)
{
	return names[v];
}

void verdict_measure(const struct side_estimate *base, double base_median, const struct side_estimate *new,
		     double new_median, struct case_verdict *out)
{
	*out = (struct case_verdict){
		.n_base = base->n_samples, .n_new = new->n_samples, .base_median = base_median,
		.new_median = new_median, .base = *base, .new = *new, .change = NAN,
		.r = { .ratio = NAN, .lo = NAN, .hi = NAN }, .se = NAN, .p = NAN, .p_adjusted = NAN, .mde = NAN,
		.prior_var = NAN,
	};
	if (base->valid && new->valid) {
		out->change = new->location - base->location;
		out->r.valid = true;
	}
}

/* Tested: both sides estimated, timings that mean something, nothing disturbed, no control. */
static bool tested(const struct case_verdict *c)
{
	return c->r.valid && !c->functional_only && !c->disturbed && !c->control;
}

/* How much of one run's spread (tau^2) reaches the change: each side's mean over its runs. */
static double run_share(const struct case_verdict *c)
{
	return 1.0 / c->base.n_runs + 1.0 / c->new.n_runs;
}

/* One run's spread beyond its samples: tau^2 across the cases, or the case's own from its
 * machine's prior runs where that is larger (fmax() passes over NAN). */
static double run_variance(const struct case_verdict *c, double tau2)
{
	return fmax(tau2, c->prior_var);
}

/* The variance of the change: inside the runs, between them (measured, or tau), the shift. */
static double change_variance(const struct case_verdict *c, double tau2, double shift_var)
{
	double run = run_variance(c, tau2);
	double base = c->base.within_var + run / c->base.n_runs, new = c->new.within_var + run / c->new.n_runs;

	if (!isnan(c->base.between_var))
		base = fmax(base, c->base.between_var);
	if (!isnan(c->new.between_var))
		new = fmax(new, c->new.between_var);
	return base + new + shift_var;
}

/* The smallest detectable change for a standard error, as a fraction. */
static double detectable(double k, double se)
{
	return expm1(k * se);
}

/* What would bring a noisy case's detectable change under the threshold. */
static void resolution(struct case_verdict *c, double k, double tau2, double shift_var, double limit)
{
	double per_run = c->base.within_var * c->base.n_runs + c->new.within_var * c->new.n_runs;
	double run = run_variance(c, tau2);

	c->rounds_factor = c->runs_per_side = 0;
	for (int f = 2; f <= RESOLVE_MAX_ROUNDS_FACTOR && !c->rounds_factor; f *= 2) {
		double v = (c->base.within_var + c->new.within_var) / f + run * run_share(c) + shift_var;

		if (k * sqrt(v) <= limit)
			c->rounds_factor = f;
	}
	/* the same runs, this many a side: within and between shrink together */
	for (int runs = 2; runs <= RESOLVE_MAX_RUNS && !c->runs_per_side; runs++) {
		double v = (per_run / 2 + run) * 2 / runs + shift_var;

		if (runs > c->base.n_runs && runs > c->new.n_runs && k * sqrt(v) <= limit)
			c->runs_per_side = runs;
	}
}

static void decide(struct case_verdict *c, const struct verdict_options *o, double k, double tau2,
		   const struct machine_shift *shift)
{
	double relative, limit = log1p(o->threshold), z_interval = stats_normal_quantile(0.5 + VERDICT_INTERVAL / 2);

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
	if (c->r.valid) {
		relative = c->change - (shift->adjusted ? log(shift->ratio) : 0);
		c->se = sqrt(change_variance(c, tau2, shift->log_var));
		c->r.ratio = exp(relative);
		c->r.lo = exp(relative - z_interval * c->se);
		c->r.hi = exp(relative + z_interval * c->se);
	}
	c->verdict = VERDICT_NOISY;
	if (c->functional_only) { /* never judged: whatever disturbed it does not matter */
		c->why = "functional only: the timings mean nothing";
		return;
	}
	if (c->disturbed) {
		c->verdict = VERDICT_DISTURBED;
		return;
	}
	if (c->control) {
		c->why = "a control: its change is shown beside the machine-wide shift";
		return;
	}
	if (!c->r.valid) {
		c->why = !c->base.valid ? c->base.why : c->new.why;
		return;
	}
	c->mde = detectable(k, c->se);
	if (c->p_adjusted <= o->alpha && fabs(c->r.ratio - 1) > o->threshold)
		c->verdict = c->r.ratio > 1 ? VERDICT_REGRESSION : VERDICT_IMPROVEMENT;
	else if (k * c->se <= limit || c->p_adjusted <= o->alpha)
		c->verdict = VERDICT_UNCHANGED;
	else {
		c->why = "the change it can detect is larger than the threshold";
		resolution(c, k, tau2, shift->log_var, limit);
	}
}

/* The shift, from the tested cases' changes. */
static int estimate_shift(const struct case_verdict *cases, int n, struct machine_shift *shift)
{
	double *d = malloc((size_t)(n ? n : 1) * sizeof(*d));
	int m = 0;

	if (!d)
		return xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < n; i++)
		if (tested(&cases[i]))
			d[m++] = cases[i].change;
	machine_shift_estimate(d, m, shift);
	free(d);
	return 0;
}

/* tau^2 from the tested cases' changes relative to the shift and their inner variances. */
static int estimate_tau2(const struct case_verdict *cases, int n, const struct machine_shift *shift, double *tau2)
{
	double *r = malloc((size_t)(3 * n + 1) * sizeof(*r)), *v = r + n, *c = v + n;
	int m = 0, rc;

	if (!r)
		return xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < n; i++) {
		if (!tested(&cases[i]))
			continue;
		r[m] = cases[i].change - (shift->adjusted ? log(shift->ratio) : 0);
		v[m] = change_variance(&cases[i], 0, shift->log_var);
		c[m++] = run_share(&cases[i]);
	}
	rc = run_spread_estimate(r, v, c, m, tau2);
	free(r);
	return rc;
}

int verdict_decide(struct case_verdict *cases, int nr_cases, const struct verdict_options *o,
		   struct machine_shift *shift)
{
	double *p = malloc((size_t)(2 * nr_cases + 1) * sizeof(*p)), *adjusted = p + nr_cases, tau2 = 0, k;
	int family = 0, rc = p ? 0 : xb_fail(ENOMEM, "out of memory");

	if (!rc)
		rc = estimate_shift(cases, nr_cases, shift);
	if (!rc)
		rc = estimate_tau2(cases, nr_cases, shift, &tau2);
	shift->tau = sqrt(tau2);
	for (int i = 0; i < nr_cases && !rc; i++) {
		struct case_verdict *c = &cases[i];

		p[i] = NAN;
		if (!tested(c))
			continue;
		c->se = sqrt(change_variance(c, tau2, shift->log_var));
		c->p = 2 * stats_normal_sf(fabs(c->change - (shift->adjusted ? log(shift->ratio) : 0)) / c->se);
		p[i] = c->p;
		family++;
	}
	if (!rc)
		rc = holm_adjust(p, nr_cases, adjusted);
	/* Holm's first step is Bonferroni's: what a case alone must reach to be flagged */
	k = stats_normal_quantile(1 - o->alpha / (2.0 * (family ? family : 1))) + stats_normal_quantile(VERDICT_POWER);
	for (int i = 0; i < nr_cases && !rc; i++) {
		cases[i].p_adjusted = adjusted[i];
		decide(&cases[i], o, k, tau2, shift);
	}
	free(p);
	return rc;
}
