/*
 * replication.c - the side estimate: run medians, robust within-run spread, round medians.
 */
#include "replication.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* 1.4826 * MAD estimates a normal sigma; the median of n normal values has variance
 * pi / 2 * sigma^2 / n. */
#define MAD_TO_SIGMA 1.4826
#define MEDIAN_VARIANCE_FACTOR (M_PI / 2)

struct run_estimate {
	double location, variance, spread;
};

static double sample_variance(const double *v, int n)
{
	double mean = 0, ss = 0;

	for (int i = 0; i < n; i++)
		mean += v[i] / n;
	for (int i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	return ss / (n - 1);
}

/*
 * One run: @logs (sorted by round, @rounds[i] its round) of @n samples. Deviations are taken
 * from each sample's round median, or from the run median where every round holds a single
 * sample (old runs, or rounds of one).
 */
static int estimate_run(const double *logs, const int *rounds, const double *values, int n,
			struct run_estimate *out, double *scratch)
{
	double *medians = scratch, *dev = scratch + n, sigma, v_samples, v_rounds = 0;
	int nr_rounds = 0, in_multi = 0;

	for (int i = 0; i < n;) {
		int j = i;

		while (j < n && rounds[j] == rounds[i])
			j++;
		memcpy(dev, logs + i, (size_t)(j - i) * sizeof(*dev));
		stats_sort(dev, j - i);
		medians[nr_rounds++] = stats_quantile_sorted(dev, j - i, 0.5);
		in_multi += j - i > 1 ? j - i : 0;
		i = j;
	}
	memcpy(dev, logs, (size_t)n * sizeof(*dev));
	stats_sort(dev, n);
	out->location = stats_quantile_sorted(dev, n, 0.5);
	/* deviations from the round medians, or the run median */
	for (int i = 0, r = -1, k = 0; i < n; i++) {
		if (!i || rounds[i] != rounds[i - 1])
			r++;
		dev[k++] = fabs(logs[i] - (in_multi ? medians[r] : out->location));
	}
	stats_sort(dev, n);
	/* rounds of one sample deviate by 0 from their own median: leave them out of the scale */
	sigma = MAD_TO_SIGMA * stats_quantile_sorted(dev + (in_multi ? n - in_multi : 0), in_multi ? in_multi : n, 0.5);
	sigma = fmax(sigma, REPLICATION_MIN_SIGMA);
	v_samples = MEDIAN_VARIANCE_FACTOR * sigma * sigma / n;
	if (nr_rounds >= 2 && in_multi)
		v_rounds = sample_variance(medians, nr_rounds) / nr_rounds;
	out->variance = fmax(v_samples, v_rounds);
	memcpy(dev, values, (size_t)n * sizeof(*dev));
	stats_sort(dev, n);
	out->spread = stats_iqr_percent(dev, n);
	return 0;
}

struct tagged {
	int run, round;
	double value;
};

static int by_run_round(const void *a, const void *b)
{
	const struct tagged *x = a, *y = b;

	if (x->run != y->run)
		return x->run - y->run;
	return x->round - y->round;
}

int side_estimate(const double *values, const int *run_of, const int *round_of, int n, int nr_runs,
		  struct side_estimate *out)
{
	struct tagged *t = malloc((size_t)(n ? n : 1) * sizeof(*t));
	double *logs = malloc((size_t)(n ? n : 1) * sizeof(*logs)), *vals = malloc((size_t)(n ? n : 1) * sizeof(*vals));
	double *scratch = malloc((size_t)(2 * n + 1) * sizeof(*scratch));
	double *locations = malloc((size_t)(nr_runs ? nr_runs : 1) * sizeof(*locations));
	double *spreads = malloc((size_t)(nr_runs ? nr_runs : 1) * sizeof(*spreads));
	int *rounds = malloc((size_t)(n ? n : 1) * sizeof(*rounds));
	int rc = t && logs && vals && scratch && locations && spreads && rounds ? 0 : xb_fail(ENOMEM, "out of memory");
	int runs_seen = 0;

	*out = (struct side_estimate){ .n_samples = n, .location = NAN, .within_var = NAN, .between_var = NAN,
				       .spread = NAN };
	for (int i = 0; i < n && !rc; i++) {
		t[i] = (struct tagged){ run_of[i], round_of[i], values[i] };
		if (!(values[i] > 0))
			out->why = "a sample is not positive: no ratio";
	}
	if (!rc && !out->why && !n)
		out->why = "no samples";
	if (rc || out->why)
		goto out;
	qsort(t, (size_t)n, sizeof(*t), by_run_round);
	out->within_var = 0;
	for (int i = 0; i < n;) {
		struct run_estimate re;
		int j = i;

		while (j < n && t[j].run == t[i].run)
			j++;
		if (j - i < 2) {
			out->why = "a run has fewer than two samples";
			goto out;
		}
		for (int k = i; k < j; k++) {
			logs[k - i] = log(t[k].value);
			vals[k - i] = t[k].value;
			rounds[k - i] = t[k].round;
			out->n_rounds += k == i || t[k].round != t[k - 1].round;
		}
		if ((rc = estimate_run(logs, rounds, vals, j - i, &re, scratch)))
			goto out;
		locations[runs_seen] = re.location;
		spreads[runs_seen++] = re.spread;
		out->within_var += re.variance;
		i = j;
	}
	out->n_runs = runs_seen;
	out->location = 0;
	for (int r = 0; r < runs_seen; r++)
		out->location += locations[r] / runs_seen;
	out->within_var /= (double)runs_seen * runs_seen;
	if (runs_seen >= 2)
		out->between_var = sample_variance(locations, runs_seen) / runs_seen;
	out->spread = stats_median(spreads, runs_seen);
	out->valid = true;
out:
	free(t);
	free(logs);
	free(vals);
	free(scratch);
	free(locations);
	free(spreads);
	free(rounds);
	return rc;
}
