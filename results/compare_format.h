/*
 * compare_format.h - writing a comparison as plain text (80 columns, for a mailing-list
 * reply), Markdown, JSON, JUnit XML (compare_junit.c) or KTAP (ktap.c), and what every
 * format shares: how a verdict reads as a test outcome, a cell's figures and reason, the
 * notes and the per-verdict counts. A writer prints verdicts and notes from these, never
 * naming one verdict or one kind of note itself.
 */
#ifndef XB_RESULTS_COMPARE_FORMAT_H
#define XB_RESULTS_COMPARE_FORMAT_H

#include <stdio.h>

#include "comparison.h"

enum compare_format { FORMAT_TEXT, FORMAT_MARKDOWN, FORMAT_JSON, FORMAT_JUNIT, FORMAT_KTAP };

/* How a test report (JUnit, KTAP) reads a verdict. */
enum test_outcome {
	TEST_PASS,
	TEST_FAIL, /* a <failure>, a KTAP "not ok" (and compare's exit status 1) */
	TEST_SKIP, /* a <skipped> or a KTAP "# SKIP" with the reason: never a silent pass */
};

/* Parses "text", "markdown", "json", "junit" or "ktap"; -1 when unknown. */
int compare_format_parse(const char *name);
int compare_format_write(const struct comparison *c, enum compare_format f, FILE *out) XB_MUST_CHECK;
enum test_outcome compare_test_outcome(enum verdict v);
/* A case's change: "+4.9%", with @interval "+4.9% [+3.1, +6.4]", or "-" without a ratio. */
void compare_change_text(const struct case_verdict *v, bool interval, char *out, size_t size);
/* A median as the formats print it: "1234.5", "1.235e+05", or "-" for none (NaN). */
void compare_number_text(double v, char *out, size_t size);
/* Why a present cell has its verdict (the attribute's reason for timings that mean nothing,
 * what disturbed it, why it is noisy, failed or missing), or NULL. */
const char *compare_cell_reason(const struct comparison_row *row, int k);
/* The cell's figures, one line each started by @prefix: both medians with their samples,
 * the change with its interval, detectable change and adjusted p-value, the verdict and its
 * reason. */
void compare_cell_figures(const struct comparison *c, const struct comparison_row *row, int k, const char *prefix,
			  FILE *out);
/* The width of the text format's lines. */
#define COMPARE_TEXT_WIDTH 80
/* @lead then @text, folded at blanks to COMPARE_TEXT_WIDTH columns, later lines indented by
 * @indent; a word longer than a line is cut. */
void compare_text_folded(FILE *out, const char *lead, const char *text, int indent);
/* NEW series @k's cell of @row in a Markdown table, " figures, verdict (reason) |", or " - |"
 * when neither side has the case. */
void compare_markdown_cell(const struct comparison *c, const struct comparison_row *row, int k, FILE *out);
/* Writes @s on one line: line breaks become blanks (a reason in figures, KTAP data). */
void compare_one_line(FILE *out, const char *s);
/* "2 regression, 1 improvement, 17 noisy": the counts against NEW series @k, regressions and
 * improvements always, the others when there are any. */
#define COMPARE_COUNTS_SIZE 512
void compare_counts_text(const struct comparison *c, int k, char *out, size_t size);
/* "threshold 2%, alpha 0.01 over all cases (Holm); ...": how the verdicts were reached. */
void compare_method_text(const struct comparison *c, FILE *out);
/* The same as a string to free(), for folding; NULL when out of memory. */
char *compare_method_string(const struct comparison *c);
/* Writes @s with <, >, &, " and ' escaped, for XML (JUnit) and HTML (the report); line breaks
 * too, for an attribute. markup_text() keeps them, for an element's text. */
void markup_escaped(FILE *out, const char *s);
/* A Markdown table cell's text: a '|' escaped (it would end the cell), on one line. */
void markdown_cell_text(FILE *out, const char *s);
void markup_text(FILE *out, const char *s);

#endif
