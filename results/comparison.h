/*
 * comparison.h - BASE against one or more NEW series: one row per case id found in any of
 * them, one verdict per NEW series, each series' cases corrected together.
 */
#ifndef XB_RESULTS_COMPARISON_H
#define XB_RESULTS_COMPARISON_H

#include <stdbool.h>
#include <stdio.h>

#include "series.h"
#include "verdict.h"

struct comparison_row {
	const char *id;
	const char *unit;
	const struct series_case *base;   /* NULL when BASE lacks the case */
	const struct series_case **news;  /* per NEW series, NULL when it lacks the case */
	struct case_verdict *cells;       /* per NEW series */
};

struct comparison {
	const char *metric;
	struct verdict_options options;
	const struct series *base;
	const struct series *news;
	int nr_news;
	int nr_rows;
	struct comparison_row *rows;
};

int comparison_build(struct comparison *c, const struct series *base, const struct series *news, int nr_news,
		     const char *metric, const struct verdict_options *o) XB_MUST_CHECK;
/* Cases with @verdict against NEW series @k. */
int comparison_count(const struct comparison *c, int k, enum verdict v);
/* The reason a cell's timings mean nothing (from either side), or NULL. */
const char *comparison_functional_only(const struct comparison_row *row, int k);
/* Writes a line to @out for every incomplete run in the series (a NEW run: with the cases of
 * BASE it lacks; BASE's: those of the first NEW) and returns how many: the comparison is
 * then inconclusive. */
int comparison_report_incomplete(const struct comparison *c, FILE *out);
void comparison_free(struct comparison *c);

#endif
