/*
 * report_page.h - the report's index.html and report.md: the series, the charts (PNG shown,
 * SVG linked) and, with two series or more, the comparison table.
 */
#ifndef XB_RESULTS_REPORT_PAGE_H
#define XB_RESULTS_REPORT_PAGE_H

#include <stdbool.h>

#include "comparison.h"

struct report_chart {
	char name[400]; /* NAME.png and NAME.svg */
	char title[512];
};

struct report_page {
	const char *metric;
	int nr_charts;
	struct report_chart *charts;
	bool operations_cut; /* more operations than charted */
};

int report_page_write(const char *dir, const struct report_page *page, const struct series *series, int nr,
		      const struct comparison *cmp) XB_MUST_CHECK;

#endif
