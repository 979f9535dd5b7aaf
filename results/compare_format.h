/*
 * compare_format.h - writing a comparison as plain text (80 columns, for a mailing-list
 * reply), Markdown, JSON or JUnit XML.
 */
#ifndef XB_RESULTS_COMPARE_FORMAT_H
#define XB_RESULTS_COMPARE_FORMAT_H

#include <stdio.h>

#include "comparison.h"

enum compare_format { FORMAT_TEXT, FORMAT_MARKDOWN, FORMAT_JSON, FORMAT_JUNIT };

/* Parses "text", "markdown", "json" or "junit"; -1 when unknown. */
int compare_format_parse(const char *name);
int compare_format_write(const struct comparison *c, enum compare_format f, FILE *out) XB_MUST_CHECK;
/* A case's change: "+4.9%", with @interval "+4.9% [+3.1, +6.4]", or "-" without a ratio. */
void compare_change_text(const struct case_verdict *v, bool interval, char *out, size_t size);
/* A median as the formats print it: "1234.5", "1.235e+05", or "-" for none (NaN). */
void compare_number_text(double v, char *out, size_t size);
/* Writes @s with <, >, & and " escaped, for XML (JUnit) and HTML (the report). */
void markup_escaped(FILE *out, const char *s);

#endif
