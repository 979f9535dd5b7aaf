/*
 * comparison.h - BASE against one or more NEW series: one row per case id found in any of
 * them (measured, or failed in a NEW series), one verdict per NEW series that has the case,
 * each series' cases corrected together; and the notes printed with it.
 */
#ifndef XB_RESULTS_COMPARISON_H
#define XB_RESULTS_COMPARISON_H

#include <stdbool.h>

#include "series.h"
#include "verdict.h"

struct comparison_row {
	const char *id;
	const char *unit;
	const struct series_case *base;   /* NULL when BASE lacks the case */
	const struct series_case **news;  /* per NEW series, NULL when it lacks the case */
	struct case_verdict *cells;       /* per NEW series */
};

/* A line every format prints with the comparison: a warning (an incomplete run, runs on
 * different machines) or any other finding, about the whole comparison or one NEW series. */
struct comparison_note {
	int series;    /* the NEW series it is about, or -1: the whole comparison */
	char kind[16]; /* "warning", ...: what the formats print before the text */
	char *text;
};

struct comparison {
	const char *metric;
	struct verdict_options options;
	const struct series *base;
	const struct series *news;
	int nr_news;
	int nr_rows;
	struct comparison_row *rows;
	int nr_notes;
	struct comparison_note *notes;
};

int comparison_build(struct comparison *c, const struct series *base, const struct series *news, int nr_news,
		     const char *metric, const struct verdict_options *o) XB_MUST_CHECK;
/* Cases with @verdict against NEW series @k. */
int comparison_count(const struct comparison *c, int k, enum verdict v);
/* Whether BASE or NEW series @k has the case (measured, or failed in NEW): a row another
 * NEW series brought is not a case of this one. */
bool comparison_cell_present(const struct comparison_row *row, int k);
/* Appends a note (comparison_notes.c); returns 0 or -ENOMEM. */
int comparison_add_note(struct comparison *c, int series, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5))) XB_MUST_CHECK;
/* The notes every comparison gets: incomplete runs, and NEW series measured on other
 * machines than BASE (naming both). */
int comparison_add_series_notes(struct comparison *c) XB_MUST_CHECK;
void comparison_free_notes(struct comparison *c);
/* The reason a cell's timings mean nothing (from either side), or NULL. */
const char *comparison_functional_only(const struct comparison_row *row, int k);
void comparison_free(struct comparison *c);

#endif
