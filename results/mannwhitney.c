/*
 * mannwhitney.c - the U statistic from mid-ranks, its exact null distribution (the
 * coefficients of the Gaussian binomial [n+m choose n]_q) and the normal approximation.
 */
#include "mannwhitney.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

struct ranked {
	double v;
	int sample; /* 0: x, 1: y */
};

static int by_value(const void *a, const void *b)
{
	double x = ((const struct ranked *)a)->v, y = ((const struct ranked *)b)->v;

	return (x > y) - (x < y);
}

bool mw_use_exact(int n, int m, bool ties)
{
	return (n <= MW_EXACT_MAX || m <= MW_EXACT_MAX) && !ties;
}

double mw_sigma(int n, int m, double tie_term)
{
	double total = n + m;

	return sqrt((double)n * m / 12.0 * ((total + 1) - tie_term / (total * (total - 1))));
}

double *mw_exact_cdf(int n, int m)
{
	int top = n * m, size = top + n + 1;
	double *c = calloc((size_t)size, sizeof(*c)), sum = 0, acc = 0;

	if (!c)
		return NULL;
	/* [m + i choose i]_q = [m + i - 1 choose i - 1]_q (1 - q^(m+i)) / (1 - q^i) */
	c[0] = 1;
	for (int i = 1; i <= n; i++) {
		for (int k = size - 1; k >= m + i; k--)
			c[k] -= c[k - m - i];
		for (int k = i; k < size; k++)
			c[k] += c[k - i];
	}
	for (int k = 0; k <= top; k++)
		sum += c[k];
	for (int k = 0; k <= top; k++) {
		acc += c[k];
		c[k] = acc / sum;
	}
	return c;
}

int mann_whitney(const double *x, int n, const double *y, int m, struct mw_result *out)
{
	int total = n + m;
	struct ranked *r = malloc((size_t)total * sizeof(*r));
	double rank_sum = 0, u_max, p;

	if (!r)
		return xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < n; i++)
		r[i] = (struct ranked){ x[i], 0 };
	for (int j = 0; j < m; j++)
		r[n + j] = (struct ranked){ y[j], 1 };
	qsort(r, (size_t)total, sizeof(*r), by_value);
	out->tie_term = 0;
	for (int i = 0; i < total;) {
		int j = i;

		while (j + 1 < total && r[j + 1].v == r[i].v)
			j++;
		for (int k = i; k <= j; k++)
			if (r[k].sample == 0)
				rank_sum += (i + j) / 2.0 + 1; /* the mid-rank, 1-based */
		out->tie_term += pow(j - i + 1, 3) - (j - i + 1);
		i = j + 1;
	}
	free(r);
	out->u = rank_sum - n * (n + 1) / 2.0;
	u_max = fmax(out->u, (double)n * m - out->u);
	out->exact = mw_use_exact(n, m, out->tie_term > 0);
	if (out->exact) {
		double *cdf = mw_exact_cdf(n, m);

		if (!cdf)
			return xb_fail(ENOMEM, "out of memory");
		/* P(U >= u) = P(U <= nm - u) by symmetry */
		p = 2 * cdf[n * m - (int)u_max];
		free(cdf);
	} else {
		double sigma = mw_sigma(n, m, out->tie_term);
		double z = (u_max - n * m / 2.0 - 0.5) / sigma;

		p = sigma > 0 ? erfc(z / M_SQRT2) : 1.0;
	}
	out->p = fmin(p, 1.0);
	return 0;
}
