/*
 * datasheet_compare.h - two datasheets side by side (`datasheet --compare OTHER.json`):
 * component by component, the layout facts that differ (size, offsets, alignment, supervisor,
 * XFD, enabled) and, for every cost both measured (operation, condition, component), the ratio
 * of this machine's to the other's.
 */
#ifndef XB_RESULTS_DATASHEET_COMPARE_H
#define XB_RESULTS_DATASHEET_COMPARE_H

#include <cjson/cJSON.h>

#include "../base/error.h"

/* Reads a datasheet.json; NULL after recording why (unreadable, not JSON, not a datasheet). */
cJSON *datasheet_read(const char *path);

/* Adds "compare" to @doc: @doc's machine beside @other's, which came from @source. */
void datasheet_compare(cJSON *doc, const cJSON *other, const char *source);

#endif
