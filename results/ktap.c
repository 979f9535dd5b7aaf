/*
 * ktap.c - writing comparisons and runs as KTAP.
 */
#include "ktap.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare_format.h"
#include "stats.h"

/* One level of nesting is two spaces (ktap.rst, "Nested tests"). */
#define KTAP_INDENT 2

/* A description "can't include #"; and a line is one line. */
static void description(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(*s == '#' ? '_' : *s == '\n' || *s == '\r' ? ' ' : *s, out);
}

static void header(FILE *out, int depth, int plan)
{
	fprintf(out, "%*sKTAP version 1\n%*s1..%d\n", depth * KTAP_INDENT, "", depth * KTAP_INDENT, "", plan);
}

static void diagnostic(FILE *out, int depth, const char *kind, const char *text)
{
	fprintf(out, "%*s# %s%s", depth * KTAP_INDENT, "", kind ? kind : "", kind ? ": " : "");
	compare_one_line(out, text);
	fputc('\n', out);
}

/*
 * A result line: "ok"/"not ok", the number, the description, then after '#' the SKIP
 * directive for a skip and any diagnostic data.
 */
static void result(FILE *out, int depth, enum test_outcome outcome, int number, const char *name,
		   const char *data)
{
	fprintf(out, "%*s%s %d ", depth * KTAP_INDENT, "", outcome == TEST_FAIL ? "not ok" : "ok", number);
	description(out, name);
	if (outcome == TEST_SKIP || data)
		fputs(" #", out);
	if (outcome == TEST_SKIP)
		fputs(" SKIP", out);
	if (data) {
		fputc(' ', out);
		compare_one_line(out, data);
	}
	fputc('\n', out);
}

/* The notes about series @series (-1: the whole comparison) as diagnostic lines. */
static void notes(const struct comparison *c, int series, int depth, FILE *out)
{
	for (int i = 0; i < c->nr_notes; i++)
		if (c->notes[i].series == series)
			diagnostic(out, depth, c->notes[i].kind, c->notes[i].text);
}

/* The figures (compare_cell_figures) as diagnostic lines at @depth. */
static int cell_diagnostics(const struct comparison *c, const struct comparison_row *row, int k, int depth,
			    FILE *out)
{
	char prefix[64], *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return xb_fail(ENOMEM, "out of memory");
	snprintf(prefix, sizeof(prefix), "%*s# ", depth * KTAP_INDENT, "");
	compare_cell_figures(c, row, k, prefix, f);
	if (fclose(f))
		return xb_fail(ENOMEM, "out of memory");
	fputs(text, out);
	free(text);
	return 0;
}

static int series_test(const struct comparison *c, int k, FILE *out)
{
	enum test_outcome parent = TEST_SKIP;
	int number = 0, rc = 0, cases = 0;
	char counts[COMPARE_COUNTS_SIZE], data[512];

	for (int r = 0; r < c->nr_rows; r++)
		cases += comparison_cell_present(&c->rows[r], k);
	header(out, 1, cases);
	notes(c, k, 1, out);
	for (int r = 0; r < c->nr_rows && !rc; r++) {
		const struct comparison_row *row = &c->rows[r];
		const struct case_verdict *v = &row->cells[k];
		enum test_outcome outcome = compare_test_outcome(v->verdict);
		const char *reason = compare_cell_reason(row, k);

		if (!comparison_cell_present(row, k))
			continue;
		if ((rc = cell_diagnostics(c, row, k, 1, out)))
			break;
		snprintf(data, sizeof(data), "%s%s%s", verdict_name(v->verdict), reason ? ": " : "", reason ? reason : "");
		result(out, 1, outcome, ++number, row->id, data);
		/* the series fails when a case fails, passes when one passes, skips when all skip */
		if (outcome == TEST_FAIL || (outcome == TEST_PASS && parent == TEST_SKIP))
			parent = outcome;
	}
	if (rc)
		return rc;
	compare_counts_text(c, k, counts, sizeof(counts));
	diagnostic(out, 0, NULL, counts);
	result(out, 0, parent, k + 1, c->news[k].name, parent == TEST_SKIP ? "no case could be compared" : NULL);
	return 0;
}

int ktap_write_comparison(const struct comparison *c, FILE *out)
{
	char line[512];
	int rc = 0;

	header(out, 0, c->nr_news);
	snprintf(line, sizeof(line), "xstate-bench compare %s: base %s", c->metric, c->base->name);
	diagnostic(out, 0, NULL, line);
	fputs("# ", out);
	compare_method_text(c, out);
	fputc('\n', out);
	notes(c, -1, 0, out);
	for (int k = 0; k < c->nr_news && !rc; k++)
		rc = series_test(c, k, out);
	return rc;
}

/* The next case of @run in id order: a measured one (*m) or an unmeasured one (*u). */
static const char *next_case(const struct series *run, int *m, int *u, const struct series_case **measured,
			     const struct series_unmeasured **unmeasured)
{
	bool take_measured = *m < run->nr_cases &&
			     (*u >= run->nr_unmeasured || strcmp(run->cases[*m].id, run->unmeasured[*u].id) < 0);

	*measured = take_measured ? &run->cases[(*m)++] : NULL;
	*unmeasured = take_measured ? NULL : &run->unmeasured[(*u)++];
	return take_measured ? (*measured)->id : (*unmeasured)->id;
}

static int measured_diagnostic(const struct series_case *sc, const char *metric, FILE *out)
{
	double *sorted = malloc((size_t)sc->n * sizeof(*sorted)), iqr;
	char median[24], spread[24] = "-"; /* no spread around a median of zero */

	if (!sorted)
		return xb_fail(ENOMEM, "out of memory");
	memcpy(sorted, sc->values, (size_t)sc->n * sizeof(*sorted));
	stats_sort(sorted, sc->n);
	compare_number_text(stats_quantile_sorted(sorted, sc->n, 0.5), median, sizeof(median));
	iqr = stats_iqr_percent(sorted, sc->n);
	if (isfinite(iqr))
		snprintf(spread, sizeof(spread), "%.1f%%", iqr);
	fprintf(out, "# median %s %s, IQR %s, %d samples\n", median, series_metric_unit(metric, sc->unit), spread, sc->n);
	free(sorted);
	if (sc->functional_only)
		diagnostic(out, 0, "functional only", sc->functional_only);
	return 0;
}

int ktap_write_run(const struct series *run, const char *metric, FILE *out)
{
	const struct series_run *r = &run->runs[0];
	char line[1024], machine[320];
	int m = 0, u = 0, rc = 0;

	header(out, 0, run->nr_cases + run->nr_unmeasured);
	series_run_machine(r, machine, sizeof(machine));
	snprintf(line, sizeof(line), "xstate-bench %s on %s, kernel %s, started %s", run->name, machine,
		 r->kernel[0] ? r->kernel : "unknown", r->started_at);
	diagnostic(out, 0, NULL, line);
	if (!r->complete)
		diagnostic(out, 0, "warning", "the run is incomplete: cases it did not finish are not listed");
	for (int number = 1; number <= run->nr_cases + run->nr_unmeasured && !rc; number++) {
		const struct series_case *measured;
		const struct series_unmeasured *unmeasured;
		const char *id = next_case(run, &m, &u, &measured, &unmeasured);

		if (measured) {
			rc = measured_diagnostic(measured, metric, out);
			result(out, 0, TEST_PASS, number, id, NULL);
		} else if (unmeasured->status == CASE_SKIP) {
			result(out, 0, TEST_SKIP, number, id, unmeasured->reason);
		} else {
			snprintf(line, sizeof(line), "failed: %s", unmeasured->reason);
			result(out, 0, TEST_FAIL, number, id, line);
		}
	}
	return rc;
}
