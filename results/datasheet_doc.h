/*
 * datasheet_doc.h - the datasheet's files from its JSON document: datasheet.json as it is,
 * datasheet.md and datasheet.html (the layout findings first, then the components, the costs
 * with their fitted lines, the virtualization cost, the comparison), and the cost-against-
 * bytes chart drawn by the real gnuplot (datasheet-costs.png and .svg) when costs were fitted.
 */
#ifndef XB_RESULTS_DATASHEET_DOC_H
#define XB_RESULTS_DATASHEET_DOC_H

#include <cjson/cJSON.h>

#include "../base/error.h"

/* The chart's size in pixels, as the page declares it. */
#define DATASHEET_CHART_WIDTH 960
#define DATASHEET_CHART_HEIGHT 600

/* Writes the files into @dir (which exists). Returns 0 or the first failing write. */
int datasheet_doc_write(const char *dir, const cJSON *doc) XB_MUST_CHECK;

#endif
