/*
 * report_page.h - the report's index.html and report.md: first what was measured where (the
 * series, their machines and kernels) and, with two series or more, the verdicts and the
 * machine-wide shift; then the charts (PNG shown, SVG linked); then compare's table.
 */
#ifndef XB_RESULTS_REPORT_PAGE_H
#define XB_RESULTS_REPORT_PAGE_H

#include <stdbool.h>

#include "comparison.h"

enum report_chart_kind { REPORT_CHART_CASE, REPORT_CHART_FOREST, REPORT_CHART_COST, REPORT_CHART_HISTORY };

struct report_chart {
	enum report_chart_kind kind;
	char name[400]; /* NAME.png and NAME.svg */
	char title[512];
	int width, height; /* pixels */
};

struct report_page {
	const char *metric;
	int nr_charts;
	struct report_chart *charts;
	bool operations_cut; /* more operations than charted */
};

int report_page_write(const char *dir, const struct report_page *page, const struct series *series, int nr,
		      const struct comparison *cmp) XB_MUST_CHECK;
/* A verdict's colour, "#cc0000", alike on the charts and the page. */
const char *report_verdict_colour(enum verdict v);

#endif
