/*
 * compare_junit.c - writing a comparison as JUnit XML.
 */
#include "compare_junit.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compare_format.h"

/* Every distinct value of a run's text field (at @offset in struct series_run), "; " between. */
static void runs_field_text(const struct series *s, size_t offset, char *out, size_t size)
{
	size_t used = 0;

	out[0] = 0;
	for (int r = 0; r < s->nr_runs; r++) {
		const char *v = (const char *)&s->runs[r] + offset;
		bool seen = false;

		for (int q = 0; q < r; q++)
			seen = seen || !strcmp((const char *)&s->runs[q] + offset, v);
		if (!seen && *v && used < size)
			used += (size_t)snprintf(out + used, size - used, "%s%s", used ? "; " : "", v);
	}
}

static void property(FILE *out, const char *name, const char *value)
{
	fputs("      <property name=\"", out);
	markup_escaped(out, name);
	fputs("\" value=\"", out);
	markup_escaped(out, value);
	fputs("\"/>\n", out);
}

static void series_properties(FILE *out, const char *side, const struct series *s)
{
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {
		{ "machine", offsetof(struct series_run, hostname) },
		{ "cpu", offsetof(struct series_run, cpu) },
		{ "microcode", offsetof(struct series_run, microcode) },
		{ "kernel", offsetof(struct series_run, kernel) },
		{ "started", offsetof(struct series_run, started_at) },
	};
	char name[64], value[1024];

	property(out, side, s->name);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		runs_field_text(s, fields[i].offset, value, sizeof(value));
		if (!value[0])
			continue;
		snprintf(name, sizeof(name), "%s.%s", side, fields[i].name);
		property(out, name, value);
	}
}

static bool parse_time(const char *iso, time_t *out)
{
	struct tm tm = { 0 };
	const char *end = strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm);

	if (!end || (*end && strcmp(end, "Z") && strcmp(end, "+00:00")))
		return false;
	*out = timegm(&tm);
	return true;
}

/* Seconds the series' measured runs took (imports know none): false when unknown. */
static bool series_seconds(const struct series *s, double *seconds)
{
	bool known = false;

	*seconds = 0;
	for (int r = 0; r < s->nr_runs; r++) {
		time_t start, end;

		if (strcmp(s->runs[r].source, "run") || !parse_time(s->runs[r].started_at, &start) ||
		    !parse_time(s->runs[r].finished_at, &end))
			continue;
		*seconds += difftime(end, start);
		known = true;
	}
	return known;
}

/* A testcase's class: its family, the id's site and group ("native.save"), or the whole id. */
static void family_class(const char *id, char *out, size_t size)
{
	const char *slash = strchr(id, '/');
	size_t len = strlen(id);

	if (slash && strchr(slash + 1, '/'))
		len = (size_t)(strchr(slash + 1, '/') - id);
	else if (slash)
		len = (size_t)(slash - id);
	snprintf(out, size, "%.*s", (int)len, id);
	for (char *p = out; *p; p++)
		if (*p == '/')
			*p = '.';
}

static int write_testcase(const struct comparison *c, const struct comparison_row *row, int k, FILE *out)
{
	static const char *const elements[] = { [TEST_FAIL] = "failure", [TEST_SKIP] = "skipped" };
	const struct case_verdict *v = &row->cells[k];
	enum test_outcome outcome = compare_test_outcome(v->verdict);
	const char *reason = compare_cell_reason(row, k);
	char class[128], change[64], *figures = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&figures, &size);

	if (!f)
		return xb_fail(ENOMEM, "out of memory");
	compare_cell_figures(c, row, k, "", f);
	if (fclose(f))
		return xb_fail(ENOMEM, "out of memory");
	family_class(row->id, class, sizeof(class));
	fputs("    <testcase name=\"", out);
	markup_escaped(out, row->id);
	fputs("\" classname=\"", out);
	markup_escaped(out, class);
	fputs("\">\n", out);
	if (outcome == TEST_PASS) {
		fputs("      <system-out>", out);
	} else {
		fprintf(out, "      <%s type=\"%s\" message=\"%s", elements[outcome], verdict_name(v->verdict),
			verdict_name(v->verdict));
		if (v->r.valid) {
			compare_change_text(v, !isnan(v->r.lo), change, sizeof(change));
			fprintf(out, " %s", change);
		}
		if (reason) {
			fputs(": ", out);
			markup_escaped(out, reason);
		}
		fputs("\">", out);
	}
	markup_text(out, figures);
	fprintf(out, "</%s>\n    </testcase>\n", outcome == TEST_PASS ? "system-out" : elements[outcome]);
	free(figures);
	return 0;
}

static int count_outcome(const struct comparison *c, int k, enum test_outcome outcome)
{
	int n = 0;

	for (int v = 0; v < VERDICT_COUNT; v++)
		if (compare_test_outcome((enum verdict)v) == outcome)
			n += comparison_count(c, k, (enum verdict)v);
	return n;
}

static int cases_of(const struct comparison *c, int k)
{
	int n = 0;

	for (int r = 0; r < c->nr_rows; r++)
		n += comparison_cell_present(&c->rows[r], k);
	return n;
}

static int write_testsuite(const struct comparison *c, int k, FILE *out)
{
	const struct series *new = &c->news[k];
	char name[512];
	double seconds;
	int rc = 0;

	snprintf(name, sizeof(name), "%s: %s against %s", c->metric, new->name, c->base->name);
	fputs("  <testsuite name=\"", out);
	markup_escaped(out, name);
	fprintf(out, "\" package=\"xstate-bench\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\"",
		cases_of(c, k), count_outcome(c, k, TEST_FAIL), count_outcome(c, k, TEST_SKIP));
	if (series_seconds(new, &seconds))
		fprintf(out, " time=\"%.3f\"", seconds);
	if (new->nr_runs) {
		fputs(" timestamp=\"", out);
		markup_escaped(out, new->runs[0].started_at);
		fputs("\" hostname=\"", out);
		markup_escaped(out, new->runs[0].hostname);
		fputc('"', out);
	}
	fputs(">\n    <properties>\n", out);
	property(out, "metric", c->metric);
	snprintf(name, sizeof(name), "%g", 100 * c->options.threshold);
	property(out, "threshold_percent", name);
	snprintf(name, sizeof(name), "%g", c->options.alpha);
	property(out, "alpha", name);
	series_properties(out, "base", c->base);
	series_properties(out, "new", new);
	for (int i = 0; i < c->nr_notes; i++)
		if (c->notes[i].series < 0 || c->notes[i].series == k)
			property(out, c->notes[i].kind, c->notes[i].text);
	fputs("    </properties>\n", out);
	for (int r = 0; r < c->nr_rows && !rc; r++)
		if (comparison_cell_present(&c->rows[r], k))
			rc = write_testcase(c, &c->rows[r], k, out);
	fputs("  </testsuite>\n", out);
	return rc;
}

int compare_junit_write(const struct comparison *c, FILE *out)
{
	int tests = 0, failures = 0, rc = 0;

	for (int k = 0; k < c->nr_news; k++) {
		tests += cases_of(c, k);
		failures += count_outcome(c, k, TEST_FAIL);
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<testsuites name=\"xstate-bench compare\" tests=\"%d\" failures=\"%d\" errors=\"0\">\n",
		tests, failures);
	for (int k = 0; k < c->nr_news && !rc; k++)
		rc = write_testsuite(c, k, out);
	fputs("</testsuites>\n", out);
	return rc;
}
