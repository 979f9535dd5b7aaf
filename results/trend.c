/*
 * trend.c - Mann-Kendall's test, Sen's slope, the onset of a ramp, each night's machine-wide
 * level, and the decision across the cases of a night.
 */
#include "trend.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "holm.h"
#include "robust_line.h"
#include "shift.h"
#include "stats.h"

static double sign(double v)
{
	return (v > 0) - (v < 0);
}

/*
 * P(S >= s) for @n values without ties under the null (every order equally likely): with
 * m = n(n-1)/2 pairs, S = m - 2D where D counts the inversions, whose distribution is the
 * Mahonian numbers over n!, built one value at a time: inserting the k-th value adds 0 to
 * k-1 inversions, each with probability 1/k.
 */
static int upper_tail_exact(int n, double s, double *p)
{
	int m = n * (n - 1) / 2, top = 0;
	double *f = calloc((size_t)m + 1, sizeof(*f)), *g = calloc((size_t)m + 1, sizeof(*g)), *swap;
	long d_max = lround(floor((m - s) / 2));

	if (!f || !g) {
		free(f);
		free(g);
		return xb_fail(ENOMEM, "out of memory");
	}
	f[0] = 1;
	for (int k = 2; k <= n; k++) {
		for (int d = 0; d <= top + k - 1; d++) {
			double sum = 0;

			for (int j = 0; j < k && j <= d; j++)
				sum += d - j <= top ? f[d - j] : 0;
			g[d] = sum / k;
		}
		top += k - 1;
		swap = f, f = g, g = swap;
	}
	*p = 0;
	for (long d = 0; d <= d_max && d <= m; d++)
		*p += f[d];
	free(f);
	free(g);
	return 0;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The ties' share of S's variance: the sum over groups of t equal values of t(t-1)(2t+5). */
static int ties_term(const double *x, int n, double *term)
{
	double *v = malloc((size_t)(n ? n : 1) * sizeof(*v));

	if (!v)
		return xb_fail(ENOMEM, "out of memory");
	memcpy(v, x, (size_t)n * sizeof(*v));
	qsort(v, (size_t)n, sizeof(*v), by_value);
	*term = 0;
	for (int i = 0; i < n;) {
		int j = i;

		while (j < n && v[j] == v[i])
			j++;
		*term += (double)(j - i) * (j - i - 1) * (2 * (j - i) + 5);
		i = j;
	}
	free(v);
	return 0;
}

int trend_mann_kendall(const double *x, int n, struct mann_kendall *out)
{
	double ties = 0, var, tail = 0;
	int rc;

	out->s = 0;
	out->p = 1;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			out->s += sign(x[j] - x[i]);
	if (n < 2 || out->s == 0)
		return 0;
	if ((rc = ties_term(x, n, &ties)))
		return rc;
	if (!ties && n <= TREND_EXACT_MAX) {
		if ((rc = upper_tail_exact(n, fabs(out->s), &tail)))
			return rc;
		out->p = fmin(1, 2 * tail);
		return 0;
	}
	/* the normal approximation with a continuity correction */
	var = ((double)n * (n - 1) * (2 * n + 5) - ties) / 18;
	if (var > 0)
		out->p = fmin(1, 2 * stats_normal_sf((fabs(out->s) - 1) / sqrt(var)));
	return 0;
}

int trend_sen_slope(const double *x, const int *t, int n, double *slope)
{
	double *nights = malloc((size_t)(n > 0 ? n : 1) * sizeof(*nights));
	int rc;

	if (!nights)
		return xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < n; i++)
		nights[i] = t[i];
	rc = robust_line_sen_slope(nights, x, n, slope);
	free(nights);
	/* fewer than two nights: no slope, as the median of no pairs */
	return rc == -EINVAL ? (*slope = NAN, 0) : rc;
}

/* The residual sum of squares of the hinge x = a + b max(0, t - @knot), by least squares. */
static double hinge_sse(const double *x, const int *t, int n, double knot)
{
	double mh = 0, mx = 0, shh = 0, shx = 0, b, sse = 0;

	for (int i = 0; i < n; i++) {
		mh += fmax(0, t[i] - knot) / n;
		mx += x[i] / n;
	}
	for (int i = 0; i < n; i++) {
		double h = fmax(0, t[i] - knot) - mh;

		shh += h * h;
		shx += h * (x[i] - mx);
	}
	b = shh > 0 ? shx / shh : 0;
	for (int i = 0; i < n; i++) {
		double r = x[i] - mx - b * (fmax(0, t[i] - knot) - mh);

		sse += r * r;
	}
	return sse;
}

/* k = 0 is a straight line through every night (its knot before the first); k >= 2 has its
 * knot on night k - 1, the last before the ramp (k = 1 would be the straight line again). */
int trend_onset(const double *x, const int *t, int n)
{
	double best = n > 0 ? hinge_sse(x, t, n, t[0] - 1) : 0;
	int began = 0;

	for (int k = 2; k <= n - TREND_MIN_RAMP; k++) {
		double sse = hinge_sse(x, t, n, t[k - 1]);

		if (sse < best) {
			best = sse;
			began = k;
		}
	}
	return began;
}

int trend_relative_levels(double *loc, int nr_cases, int nr_nights, double *level)
{
	double *ref = malloc((size_t)(nr_cases ? nr_cases : 1) * sizeof(*ref));
	double *v = malloc((size_t)(nr_cases + nr_nights + 1) * sizeof(*v));

	if (!ref || !v) {
		free(ref);
		free(v);
		return xb_fail(ENOMEM, "out of memory");
	}
	for (int c = 0; c < nr_cases; c++) {
		int n = 0;

		for (int t = 0; t < nr_nights; t++)
			if (!isnan(loc[c * nr_nights + t]))
				v[n++] = loc[c * nr_nights + t];
		ref[c] = stats_median(v, n);
	}
	for (int t = 0; t < nr_nights; t++) {
		int n = 0;

		for (int c = 0; c < nr_cases; c++)
			if (!isnan(loc[c * nr_nights + t]))
				v[n++] = loc[c * nr_nights + t] - ref[c];
		level[t] = n >= SHIFT_MIN_CASES ? stats_median(v, n) : 0;
		for (int c = 0; c < nr_cases; c++)
			loc[c * nr_nights + t] -= level[t];
	}
	free(ref);
	free(v);
	return 0;
}

/* Where the ramp began, its slope from the last night before it, and the change since. */
static int measure_ramp(const struct trend_series *c, struct trend_verdict *v)
{
	int from, rc;

	v->began = trend_onset(c->x, c->t, c->n);
	from = v->began ? v->began - 1 : 0;
	if ((rc = trend_sen_slope(c->x + from, c->t + from, c->n - from, &v->slope)))
		return rc;
	v->change = v->slope * (c->t[c->n - 1] - c->t[from]);
	return 0;
}

int trend_decide(const struct trend_series *cases, int nr_cases, const struct trend_options *o,
		 struct trend_verdict *out)
{
	double *p = calloc((size_t)(2 * nr_cases + 1), sizeof(*p)), *adjusted = p + nr_cases;
	int rc = p ? 0 : xb_fail(ENOMEM, "out of memory");

	for (int i = 0; i < nr_cases && !rc; i++) {
		out[i] = (struct trend_verdict){ .s = NAN, .p = NAN, .p_adjusted = NAN, .slope = NAN, .change = NAN };
		p[i] = NAN;
	}
	for (int i = 0; i < nr_cases && !rc; i++) {
		struct mann_kendall mk = { 0 };

		if (cases[i].n < TREND_MIN_NIGHTS)
			continue;
		if ((rc = trend_mann_kendall(cases[i].x, cases[i].n, &mk)))
			break;
		out[i].tested = true;
		out[i].s = mk.s;
		p[i] = out[i].p = mk.p;
	}
	if (!rc)
		rc = holm_adjust(p, nr_cases, adjusted);
	for (int i = 0; i < nr_cases && !rc; i++) {
		struct trend_verdict *v = &out[i];

		if (!v->tested)
			continue;
		v->p_adjusted = adjusted[i];
		if ((rc = measure_ramp(&cases[i], v)))
			break;
		if (v->p_adjusted <= o->alpha && fabs(v->change) > log1p(o->threshold) && sign(v->change) == sign(v->s))
			v->direction = (int)sign(v->change);
	}
	free(p);
	return rc;
}
