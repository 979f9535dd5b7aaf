/*
 * compare_format.c - the text, Markdown and JSON renderings of a comparison and what all
 * formats share. Changes are printed as percent (the ratio minus one), intervals as the
 * percent change at their ends. The machine-wide shift, its controls, a disturbed or
 * inconclusive column and the other findings are the comparison's notes
 * (comparison_notes.c), printed like any other.
 */
#include "compare_format.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare_junit.h"
#include "json_write.h"
#include "ktap.h"

static const char *const format_names[] = { "text", "markdown", "json", "junit", "ktap" };

static const enum test_outcome outcomes[] = {
	[VERDICT_UNCHANGED] = TEST_PASS,
	[VERDICT_REGRESSION] = TEST_FAIL,
	[VERDICT_IMPROVEMENT] = TEST_PASS,
	[VERDICT_NOISY] = TEST_SKIP,
	[VERDICT_DISTURBED] = TEST_SKIP,
	[VERDICT_NEW] = TEST_SKIP,
	[VERDICT_MISSING] = TEST_SKIP,
	[VERDICT_FAILED] = TEST_FAIL,
	[VERDICT_DRIFT] = TEST_FAIL,
};
_Static_assert(sizeof(outcomes) / sizeof(outcomes[0]) == VERDICT_COUNT, "an outcome for every verdict");

/* The order of the counts: regressions and improvements first, always printed. */
static const enum verdict count_order[] = {
	VERDICT_REGRESSION, VERDICT_IMPROVEMENT, VERDICT_UNCHANGED, VERDICT_NOISY, VERDICT_DISTURBED, VERDICT_NEW,
	VERDICT_MISSING, VERDICT_FAILED, VERDICT_DRIFT,
};
_Static_assert(sizeof(count_order) / sizeof(count_order[0]) == VERDICT_COUNT, "every verdict counted");

enum test_outcome compare_test_outcome(enum verdict v)
{
	return outcomes[v];
}

int compare_format_parse(const char *name)
{
	for (int i = 0; i < (int)(sizeof(format_names) / sizeof(format_names[0])); i++)
		if (!strcmp(name, format_names[i]))
			return i;
	return -1;
}

static double percent(double ratio)
{
	return 100 * (ratio - 1);
}

void compare_change_text(const struct case_verdict *v, bool interval, char *out, size_t size)
{
	if (!v->r.valid)
		snprintf(out, size, "-");
	else if (interval)
		snprintf(out, size, "%+.1f%% [%+.1f, %+.1f]", percent(v->r.ratio), percent(v->r.lo), percent(v->r.hi));
	else
		snprintf(out, size, "%+.1f%%", percent(v->r.ratio));
}

void compare_number_text(double v, char *out, size_t size)
{
	if (isnan(v))
		snprintf(out, size, "-");
	else
		snprintf(out, size, fabs(v) >= 1e5 ? "%.4g" : "%.1f", v);
}

const char *compare_cell_reason(const struct comparison_row *row, int k)
{
	const struct case_verdict *v = &row->cells[k];
	const char *fo = comparison_functional_only(row, k);

	if (fo)
		return fo;
	return v->verdict == VERDICT_DISTURBED ? v->disturbed : v->why;
}

/* "functional only: " before a functional-only reason, which is the attribute's bare text */
static const char *reason_prefix(const struct comparison_row *row, int k)
{
	return comparison_functional_only(row, k) ? "functional only: " : "";
}

void compare_one_line(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
}

/* "median 1234.5 ticks/op, 30 samples", or what the series recorded instead of samples. */
static void side_text(const struct series *s, const struct series_case *sc, double median, const char *unit,
		      const char *id, FILE *out)
{
	const struct series_unmeasured *u = series_find_unmeasured(s, id);
	char number[24];

	compare_number_text(median, number, sizeof(number));
	if (sc) {
		fprintf(out, "median %s %s, %d samples", number, unit, sc->n);
	} else if (u) {
		fprintf(out, "%s: ", u->status == CASE_ERROR ? "failed its checks" : "skipped");
		compare_one_line(out, u->reason);
	} else {
		fprintf(out, "not measured");
	}
}

void compare_cell_figures(const struct comparison *c, const struct comparison_row *row, int k, const char *prefix,
			  FILE *out)
{
	const struct case_verdict *v = &row->cells[k];
	const char *unit = series_metric_unit(c->metric, row->unit), *reason = compare_cell_reason(row, k);
	char change[64];

	fprintf(out, "%sbase %s: ", prefix, c->base->name);
	side_text(c->base, row->base, v->base_median, unit, row->id, out);
	fprintf(out, "\n%snew %s: ", prefix, c->news[k].name);
	side_text(&c->news[k], row->news[k], v->new_median, unit, row->id, out);
	fputc('\n', out);
	if (v->r.valid) {
		compare_change_text(v, !isnan(v->r.lo), change, sizeof(change));
		fprintf(out, "%schange %s", prefix, change);
		if (!isnan(v->mde))
			fprintf(out, ", detects %.1f%%", 100 * v->mde);
		if (!isnan(v->p_adjusted))
			fprintf(out, ", p adj %.3g", v->p_adjusted);
		fprintf(out, " (threshold %g%%, alpha %g)\n", 100 * c->options.threshold, c->options.alpha);
	}
	fprintf(out, "%sverdict %s%s%s", prefix, verdict_name(v->verdict), reason ? ": " : "",
		reason ? reason_prefix(row, k) : "");
	compare_one_line(out, reason ? reason : "");
	fputc('\n', out);
}

void compare_counts_text(const struct comparison *c, int k, char *out, size_t size)
{
	size_t used = 0;

	out[0] = 0;
	for (int i = 0; i < VERDICT_COUNT && used < size; i++) {
		int n = comparison_count(c, k, count_order[i]);

		if (n || i < 2)
			used += (size_t)snprintf(out + used, size - used, "%s%d %s", used ? ", " : "", n,
						 verdict_name(count_order[i]));
	}
}

void compare_method_text(const struct comparison *c, FILE *out)
{
	fprintf(out, "threshold %g%%, alpha %g over all cases (Holm); changes, %.0f%% intervals from the samples, "
		"rounds and runs; detect: the smallest change found with %.0f%% power", 100 * c->options.threshold,
		c->options.alpha, 100 * VERDICT_INTERVAL, 100 * VERDICT_POWER);
}

void compare_text_folded(FILE *out, const char *lead, const char *text, int indent)
{
	int column = fprintf(out, "%s", lead);
	bool first = true;

	text += strspn(text, " ");
	while (*text) {
		int word = (int)strcspn(text, " "), gap = first ? 0 : 1;

		if (column > indent && column + gap + word > COMPARE_TEXT_WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			column = indent;
			gap = 0;
		} else if (gap) {
			fputc(' ', out);
			column++;
		}
		if (column + gap + word > COMPARE_TEXT_WIDTH) /* longer than a line: cut */
			word = COMPARE_TEXT_WIDTH - column > 0 ? COMPARE_TEXT_WIDTH - column : 1;
		column += fprintf(out, "%.*s", word, text);
		first = false;
		text += word;
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

char *compare_method_string(const struct comparison *c)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	compare_method_text(c, f);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

static int series_lines(const struct comparison *c, FILE *out, const char *bullet, bool fold)
{
	char *method = compare_method_string(c);

	if (!method)
		return xb_fail(ENOMEM, "out of memory");
	fprintf(out, "%scompare %s: base %s%s\n", bullet, c->metric, c->base->name,
		series_complete(c->base) ? "" : " (INCOMPLETE)");
	for (int k = 0; k < c->nr_news; k++) {
		fprintf(out, c->nr_news > 1 ? "%snew %d: " : "%snew: ", bullet, k + 1);
		fprintf(out, "%s%s\n", c->news[k].name, series_complete(&c->news[k]) ? "" : " (INCOMPLETE)");
	}
	if (fold)
		compare_text_folded(out, bullet, method, 2);
	else
		fprintf(out, "%s%s\n", bullet, method);
	free(method);
	return 0;
}

/* "kind: ", with the NEW series' number first when there are several: "2: kind: ". */
static void note_lead(const struct comparison *c, const struct comparison_note *n, char *out, size_t size)
{
	if (c->nr_news > 1 && n->series >= 0)
		snprintf(out, size, "%d: %s: ", n->series + 1, n->kind);
	else
		snprintf(out, size, "%s: ", n->kind);
}

#define TEXT_SERIES_PER_LINE 3

/* Under a row, why each cell has its verdict; a column's disturbance is its note's. */
static void text_reasons(const struct comparison *c, const struct comparison_row *row, FILE *out)
{
	char lead[96];

	for (int k = 0; k < c->nr_news; k++) {
		const char *reason = comparison_cell_present(row, k) ? compare_cell_reason(row, k) : NULL;
		int n = c->nr_news > 1 ? snprintf(lead, sizeof(lead), "  %d: ", k + 1) : snprintf(lead, sizeof(lead), "  ");

		if (!reason || reason == c->columns[k].disturbed)
			continue;
		if (comparison_functional_only(row, k))
			snprintf(lead + n, sizeof(lead) - (size_t)n, "functional only, never a regression: ");
		else
			snprintf(lead + n, sizeof(lead) - (size_t)n, "%s: ", verdict_name(row->cells[k].verdict));
		compare_text_folded(out, lead, reason, 6);
	}
}

static int write_text(const struct comparison *c, FILE *out)
{
	char base[24], new[24], change[48], p[16], mde[16], lead[48], counts[COMPARE_COUNTS_SIZE];
	int rc = series_lines(c, out, "", true);

	if (rc)
		return rc;
	for (int i = 0; i < c->nr_notes; i++) {
		note_lead(c, &c->notes[i], lead, sizeof(lead));
		compare_text_folded(out, lead, c->notes[i].text, 2);
	}
	if (c->nr_news == 1)
		fprintf(out, "\n  %10s %10s %8s %17s %6s %7s  %s\n", "base", "new", "change", "95% interval", "detect",
			"p adj", "verdict");
	else
		fprintf(out, "\n  %10s   then per new series: change, verdict\n", "base");
	for (int r = 0; r < c->nr_rows; r++) {
		const struct comparison_row *row = &c->rows[r];
		const char *unit = series_metric_unit(c->metric, row->unit);

		fprintf(out, *unit ? "%s  (%s)\n" : "%s\n", row->id, unit);
		compare_number_text(row->cells[0].base_median, base, sizeof(base));
		fprintf(out, "  %10s", base);
		for (int k = 0; k < c->nr_news; k++) {
			const struct case_verdict *v = &row->cells[k];
			const char *verdict = comparison_cell_present(row, k) ? verdict_name(v->verdict) : "";

			if (c->nr_news == 1) {
				compare_number_text(v->new_median, new, sizeof(new));
				compare_change_text(v, false, change, sizeof(change));
				snprintf(p, sizeof(p), isnan(v->p_adjusted) ? "-" : "%.2g", v->p_adjusted);
				snprintf(mde, sizeof(mde), isnan(v->mde) ? "-" : "%.1f%%", 100 * v->mde);
				fprintf(out, " %10s %8s", new, change);
				if (v->r.valid && !isnan(v->r.lo))
					fprintf(out, " [%+6.1f,%+6.1f]%%", percent(v->r.lo), percent(v->r.hi));
				else
					fprintf(out, " %17s", "-");
				fprintf(out, " %6s %7s  %s\n", mde, p, verdict);
			} else {
				if (k && k % TEXT_SERIES_PER_LINE == 0)
					fprintf(out, "\n  %10s", "");
				compare_change_text(v, false, change, sizeof(change));
				bool last_on_line = k + 1 == c->nr_news || (k + 1) % TEXT_SERIES_PER_LINE == 0;

				/* padded to line up the next column, but no trailing blanks */
				fprintf(out, "  %d:%7s", k + 1, change);
				if (*verdict || !last_on_line)
					fprintf(out, " %-*s", last_on_line ? 0 : 11, verdict);
			}
		}
		if (c->nr_news > 1)
			fputc('\n', out);
		text_reasons(c, row, out);
	}
	fputc('\n', out);
	for (int k = 0; k < c->nr_news; k++) {
		snprintf(lead, sizeof(lead), c->nr_news > 1 ? "%d: " : "", k + 1);
		compare_counts_text(c, k, counts, sizeof(counts));
		compare_text_folded(out, lead, counts, (int)strlen(lead) + 2);
	}
	return 0;
}

void markdown_cell_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', out);
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
	}
}

/* A verdict in a table cell: a failure bold, a skip in italics. */
static const char *const markdown_emphasis[] = {
	[TEST_PASS] = ", %s", [TEST_FAIL] = ", **%s**", [TEST_SKIP] = ", _%s_",
};

void compare_markdown_cell(const struct comparison *c, const struct comparison_row *row, int k, FILE *out)
{
	const struct case_verdict *v = &row->cells[k];
	const char *reason = compare_cell_reason(row, k);
	char new[24], change[64];

	if (!comparison_cell_present(row, k)) {
		fprintf(out, " - |");
		return;
	}
	compare_number_text(v->new_median, new, sizeof(new));
	compare_change_text(v, true, change, sizeof(change));
	fprintf(out, " %s, %s", new, change);
	if (!isnan(v->mde))
		fprintf(out, ", detects %.1f%%", 100 * v->mde);
	if (!isnan(v->p_adjusted))
		fprintf(out, ", p adj %.2g", v->p_adjusted);
	fprintf(out, markdown_emphasis[compare_test_outcome(v->verdict)], verdict_name(v->verdict));
	if (reason && reason != c->columns[k].disturbed) {
		fprintf(out, " (%s", reason_prefix(row, k));
		markdown_cell_text(out, reason);
		fputc(')', out);
	}
	fprintf(out, " |");
}

static int write_markdown(const struct comparison *c, FILE *out)
{
	char base[24], lead[48], counts[COMPARE_COUNTS_SIZE];
	int rc = series_lines(c, out, "- ", false);

	if (rc)
		return rc;
	for (int i = 0; i < c->nr_notes; i++) {
		note_lead(c, &c->notes[i], lead, sizeof(lead));
		fprintf(out, "- **%.*s**: %s\n", (int)strlen(lead) - 2, lead, c->notes[i].text);
	}
	fprintf(out, "\n| case | unit | base |");
	for (int k = 0; k < c->nr_news; k++)
		fprintf(out, " %s |", c->news[k].name);
	fprintf(out, "\n| --- | --- | ---: |");
	for (int k = 0; k < c->nr_news; k++)
		fprintf(out, " --- |");
	fputc('\n', out);
	for (int r = 0; r < c->nr_rows; r++) {
		const struct comparison_row *row = &c->rows[r];

		compare_number_text(row->cells[0].base_median, base, sizeof(base));
		fprintf(out, "| `%s` | %s | %s |", row->id, series_metric_unit(c->metric, row->unit), base);
		for (int k = 0; k < c->nr_news; k++)
			compare_markdown_cell(c, row, k, out);
		fputc('\n', out);
	}
	fputc('\n', out);
	for (int k = 0; k < c->nr_news; k++) {
		compare_counts_text(c, k, counts, sizeof(counts));
		fprintf(out, "%s: %s\n", c->news[k].name, counts);
	}
	return 0;
}

static cJSON *series_json(const struct series *s)
{
	cJSON *o = cJSON_CreateObject(), *runs = cJSON_AddArrayToObject(o, "runs");

	cJSON_AddStringToObject(o, "name", s->name);
	cJSON_AddBoolToObject(o, "complete", series_complete(s));
	for (int i = 0; i < s->nr_runs; i++) {
		const struct series_run *run = &s->runs[i];
		cJSON *r = cJSON_CreateObject();

		cJSON_AddNumberToObject(r, "id", (double)run->id);
		cJSON_AddStringToObject(r, "label", run->label);
		cJSON_AddBoolToObject(r, "complete", run->complete);
		cJSON_AddStringToObject(r, "started_at", run->started_at);
		cJSON_AddNumberToObject(r, "machine_id", (double)run->machine_id);
		cJSON_AddStringToObject(r, "hostname", run->hostname);
		cJSON_AddStringToObject(r, "cpu", run->cpu);
		cJSON_AddStringToObject(r, "microcode", run->microcode);
		cJSON_AddStringToObject(r, "kernel", run->kernel);
		cJSON_AddItemToArray(runs, r);
	}
	return o;
}

/* NaN is not JSON: null */
static void add_number(cJSON *o, const char *name, double v)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddNumberToObject(o, name, v);
}

/* NEW series @k: its counts, the shift with its controls, the sides' spread, a disturbance. */
static void column_json(const struct comparison *c, int k, cJSON *column)
{
	cJSON *shift = cJSON_AddObjectToObject(column, "shift"), *counts = cJSON_AddObjectToObject(column, "counts");
	const struct machine_shift *ms = &c->columns[k].shift;

	for (int v = 0; v < VERDICT_COUNT; v++)
		cJSON_AddNumberToObject(counts, verdict_name((enum verdict)v), comparison_count(c, k, (enum verdict)v));
	cJSON_AddNumberToObject(column, "regressions", comparison_count(c, k, VERDICT_REGRESSION));
	cJSON_AddNumberToObject(shift, "cases", ms->n_cases);
	add_number(shift, "ratio", ms->ratio);
	add_number(shift, "ci_low", ms->lo);
	add_number(shift, "ci_high", ms->hi);
	cJSON_AddBoolToObject(shift, "adjusted", ms->adjusted);
	cJSON_AddBoolToObject(shift, "beyond_threshold", comparison_shift_beyond(c, k));
	add_number(shift, "run_spread", expm1(ms->tau));
	add_number(shift, "core_clock_ratio", ms->clock_ratio);
	add_number(shift, "empty_loop_base", ms->empty_base);
	add_number(shift, "empty_loop_new", ms->empty_new);
	add_number(column, "base_spread_percent", c->columns[k].base_spread);
	add_number(column, "new_spread_percent", c->columns[k].new_spread);
	if (c->columns[k].disturbed[0])
		cJSON_AddStringToObject(column, "disturbed", c->columns[k].disturbed);
}

static cJSON *case_json(const struct comparison *c, const struct comparison_row *row, int k)
{
	const struct case_verdict *v = &row->cells[k];
	const char *fo = comparison_functional_only(row, k);
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", row->id);
	cJSON_AddStringToObject(o, "series", c->news[k].name);
	cJSON_AddStringToObject(o, "unit", series_metric_unit(c->metric, row->unit));
	cJSON_AddStringToObject(o, "verdict", verdict_name(v->verdict));
	add_number(o, "ratio", v->r.ratio);
	add_number(o, "ci_low", v->r.lo);
	add_number(o, "ci_high", v->r.hi);
	add_number(o, "p", v->p);
	add_number(o, "p_adjusted", v->p_adjusted);
	add_number(o, "se_log", v->se);
	add_number(o, "detectable", v->mde);
	add_number(o, "base_median", v->base_median);
	add_number(o, "new_median", v->new_median);
	cJSON_AddNumberToObject(o, "n_base", v->n_base);
	cJSON_AddNumberToObject(o, "n_new", v->n_new);
	if (v->why)
		cJSON_AddStringToObject(o, "why", v->why);
	if (v->disturbed)
		cJSON_AddStringToObject(o, "disturbed", v->disturbed);
	cJSON_AddNumberToObject(o, "runs_base", v->base.n_runs);
	cJSON_AddNumberToObject(o, "runs_new", v->new.n_runs);
	cJSON_AddNumberToObject(o, "rounds_base", v->base.n_rounds);
	cJSON_AddNumberToObject(o, "rounds_new", v->new.n_rounds);
	if (fo)
		cJSON_AddStringToObject(o, "functional_only", fo);
	return o;
}

static int write_json(const struct comparison *c, FILE *out)
{
	cJSON *root = cJSON_CreateObject(), *news = cJSON_AddArrayToObject(root, "new");
	cJSON *notes = cJSON_AddArrayToObject(root, "notes"), *cases = cJSON_AddArrayToObject(root, "cases");

	cJSON_AddStringToObject(root, "metric", c->metric);
	cJSON_AddNumberToObject(root, "threshold_percent", 100 * c->options.threshold);
	cJSON_AddNumberToObject(root, "alpha", c->options.alpha);
	cJSON_AddStringToObject(root, "correction", "holm");
	cJSON_AddNumberToObject(root, "power", VERDICT_POWER);
	cJSON_AddNumberToObject(root, "outcome", comparison_outcome(c));
	cJSON_AddItemToObject(root, "base", series_json(c->base));
	for (int i = 0; i < c->nr_notes; i++) {
		cJSON *n = cJSON_CreateObject();

		if (c->notes[i].series < 0)
			cJSON_AddNullToObject(n, "series");
		else
			cJSON_AddStringToObject(n, "series", c->news[c->notes[i].series].name);
		cJSON_AddStringToObject(n, "kind", c->notes[i].kind);
		cJSON_AddStringToObject(n, "text", c->notes[i].text);
		cJSON_AddItemToArray(notes, n);
	}
	for (int k = 0; k < c->nr_news; k++) {
		cJSON *column = series_json(&c->news[k]);

		column_json(c, k, column);
		cJSON_AddItemToArray(news, column);
		for (int r = 0; r < c->nr_rows; r++)
			if (comparison_cell_present(&c->rows[r], k))
				cJSON_AddItemToArray(cases, case_json(c, &c->rows[r], k));
	}
	return json_write(root, out);
}

/* XML text: markup escaped; in an attribute also line breaks and tabs, as references. */
static void markup(FILE *out, const char *s, bool attribute)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		case '\n': fputs(attribute ? "&#10;" : "\n", out); break;
		case '\t': fputs(attribute ? "&#9;" : "\t", out); break;
		default:
			/* XML 1.0 has no other control character, not even as a reference */
			fputc((unsigned char)*s < 0x20 ? '?' : *s, out);
		}
	}
}

void markup_escaped(FILE *out, const char *s)
{
	markup(out, s, true);
}

void markup_text(FILE *out, const char *s)
{
	markup(out, s, false);
}

int compare_format_write(const struct comparison *c, enum compare_format f, FILE *out)
{
	switch (f) {
	case FORMAT_TEXT: return write_text(c, out);
	case FORMAT_MARKDOWN: return write_markdown(c, out);
	case FORMAT_JSON: return write_json(c, out);
	case FORMAT_JUNIT: return compare_junit_write(c, out);
	case FORMAT_KTAP: return ktap_write_comparison(c, out);
	}
	return xb_fail(EINVAL, "unknown format");
}
