/*
 * compare_format.c - the four renderings of a comparison. Changes are printed as percent
 * (the ratio minus one), intervals as the percent change at their ends; each NEW series
 * opens with its machine-wide shift line and its controls, and says when it is disturbed.
 */
#include "compare_format.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_write.h"
#include "stats.h"

static const char *const format_names[] = { "text", "markdown", "json", "junit" };

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

static void header_lines(const struct comparison *c, FILE *out, const char *bullet)
{
	fprintf(out, "%scompare %s: base %s%s\n", bullet, c->metric, c->base->name,
		series_complete(c->base) ? "" : " (INCOMPLETE)");
	for (int k = 0; k < c->nr_news; k++) {
		fprintf(out, c->nr_news > 1 ? "%snew %d: " : "%snew: ", bullet, k + 1);
		fprintf(out, "%s%s\n", c->news[k].name, series_complete(&c->news[k]) ? "" : " (INCOMPLETE)");
	}
	fprintf(out, "%sthreshold %g%%, alpha %g over all cases (Holm); changes, %.0f%% intervals from the\n"
		"%s  samples, rounds and runs; detect: the smallest change found with %.0f%% power\n", bullet,
		100 * c->options.threshold, c->options.alpha, 100 * VERDICT_INTERVAL, bullet, 100 * VERDICT_POWER);
	for (int k = -1; k < c->nr_news; k++) {
		const struct series *s = k < 0 ? c->base : &c->news[k];

		for (int r = 0; r < s->nr_runs; r++)
			if (!s->runs[r].complete)
				fprintf(out, "%swarning: run %lld is incomplete (it was killed or is still running): "
					"cases it did not finish show as %s\n", bullet, (long long)s->runs[r].id,
					k < 0 ? "new" : "missing");
	}
}

/* The machine-wide shift against NEW series @k, its controls, and what they mean. */
static void shift_lines(const struct comparison *c, int k, FILE *out, const char *bullet)
{
	const struct comparison_column *col = &c->columns[k];
	const struct machine_shift *s = &col->shift;
	const char *label = c->nr_news > 1 ? c->news[k].name : "";
	const char *sep = c->nr_news > 1 ? ": " : "";

	if (isnan(s->ratio))
		fprintf(out, "%s%s%smachine-wide shift: not estimated (%d cases, fewer than %d)\n", bullet, label, sep,
			s->n_cases, SHIFT_MIN_CASES);
	else
		fprintf(out, "%s%s%smachine-wide shift: %+.2f%% [%+.2f, %+.2f] over %d cases\n%s  per-case changes "
			"are %s\n", bullet, label, sep, percent(s->ratio), percent(s->lo), percent(s->hi), s->n_cases,
			bullet, s->adjusted ? "relative to it" : "raw: it is not significant");
	fprintf(out, "%s  controls: core clock %s", bullet, "");
	if (isnan(s->clock_ratio))
		fprintf(out, "not recorded");
	else
		fprintf(out, "%+.2f%%", percent(s->clock_ratio));
	if (!isnan(s->empty_base) || !isnan(s->empty_new))
		fprintf(out, ", empty loop %.3g -> %.3g (near 0 is right)", s->empty_base, s->empty_new);
	fprintf(out, "\n%s  run-to-run spread of a case beyond its samples: %.2f%%\n", bullet, 100 * expm1(s->tau));
	if (comparison_shift_beyond(c, k) && !col->disturbed[0])
		fprintf(out, "%s  INCONCLUSIVE: every case moved alike by more than the threshold: the machine\n"
			"%s  (clock, load, host) or a change that slows everything alike; rerun to tell\n", bullet, bullet);
	if (col->disturbed[0])
		fprintf(out, "%s  DISTURBED: %s: no case is judged\n", bullet, col->disturbed);
}

/* The noisy cases of NEW series @k: how far off they are and what would resolve them. */
static void noisy_line(const struct comparison *c, int k, FILE *out)
{
	int noisy = 0, rounds2 = 0, rounds4 = 0, runs3 = 0, runs5 = 0, n = 0;
	double mdes[c->nr_rows > 0 ? c->nr_rows : 1];

	for (int r = 0; r < c->nr_rows; r++) {
		const struct case_verdict *v = &c->rows[r].cells[k];

		if (v->verdict != VERDICT_NOISY || isnan(v->mde))
			continue;
		noisy++;
		mdes[n++] = v->mde;
		rounds2 += v->rounds_factor && v->rounds_factor <= 2;
		rounds4 += v->rounds_factor && v->rounds_factor <= 4;
		runs3 += v->runs_per_side && v->runs_per_side <= 3;
		runs5 += v->runs_per_side && v->runs_per_side <= 5;
	}
	if (!noisy)
		return;
	fprintf(out, "noisy: %d cases cannot resolve %g%% (their median detects %.1f%%)\n"
		"  resolved by 2x the rounds: %d, 4x: %d; by 3 runs a side: %d, 5 runs: %d\n", noisy,
		100 * c->options.threshold, 100 * stats_median(mdes, n), rounds2, rounds4, runs3, runs5);
}

/* "2 regression, 1 improvement, 17 noisy, 1 new": regressions and improvements always,
 * the rest when there are any; wrapped to stay within 80 columns. */
static void summary_line(const struct comparison *c, int k, FILE *out)
{
	static const enum verdict order[] = { VERDICT_REGRESSION, VERDICT_IMPROVEMENT, VERDICT_UNCHANGED,
					      VERDICT_NOISY, VERDICT_DISTURBED, VERDICT_NEW, VERDICT_MISSING };
	int column = 0;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int n = comparison_count(c, k, order[i]);
		char item[48];

		if (!n && i >= 2)
			continue;
		snprintf(item, sizeof(item), "%d %s", n, verdict_name(order[i]));
		if (column && column + 2 + (int)strlen(item) > 72) {
			fputs(",\n  ", out);
			column = 2;
		} else if (column) {
			fputs(", ", out);
			column += 2;
		}
		column += fprintf(out, "%s", item);
	}
	fputc('\n', out);
}

#define TEXT_SERIES_PER_LINE 3

static void write_text(const struct comparison *c, FILE *out)
{
	char base[24], new[24], change[48], p[16], mde[16];

	header_lines(c, out, "");
	for (int k = 0; k < c->nr_news; k++)
		shift_lines(c, k, out, "");
	if (c->nr_news == 1)
		fprintf(out, "\n  %10s %10s %8s %17s %6s %7s  %s\n", "base", "new", "change", "95% interval", "detect",
			"p adj", "verdict");
	else
		fprintf(out, "\n  %10s   then per new series: change, verdict\n", "base");
	for (int r = 0; r < c->nr_rows; r++) {
		const struct comparison_row *row = &c->rows[r];

		fprintf(out, "%s  (%s)\n", row->id, series_metric_unit(c->metric, row->unit));
		compare_number_text(row->cells[0].base_median, base, sizeof(base));
		fprintf(out, "  %10s", base);
		for (int k = 0; k < c->nr_news; k++) {
			const struct case_verdict *v = &row->cells[k];

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
				fprintf(out, " %6s %7s  %s\n", mde, p, verdict_name(v->verdict));
			} else {
				if (k && k % TEXT_SERIES_PER_LINE == 0)
					fprintf(out, "\n  %10s", "");
				compare_change_text(v, false, change, sizeof(change));
				bool last_on_line = k + 1 == c->nr_news || (k + 1) % TEXT_SERIES_PER_LINE == 0;

				/* padded to line up the next column, but no trailing blanks */
				fprintf(out, "  %d:%7s %-*s", k + 1, change, last_on_line ? 0 : 11, verdict_name(v->verdict));
			}
		}
		if (c->nr_news > 1)
			fputc('\n', out);
		for (int k = 0; k < c->nr_news; k++) {
			const char *fo = comparison_functional_only(row, k);

			if (fo)
				fprintf(out, "  functional only, never a regression: %s\n", fo);
			else if (row->cells[k].disturbed && row->cells[k].disturbed != c->columns[k].disturbed &&
				 c->nr_news == 1)
				fprintf(out, "  disturbed: %s\n", row->cells[k].disturbed);
			else if (row->cells[k].why && c->nr_news == 1)
				fprintf(out, "  noisy: %s\n", row->cells[k].why);
		}
	}
	fputc('\n', out);
	for (int k = 0; k < c->nr_news; k++) {
		if (c->nr_news > 1)
			fprintf(out, "%d: ", k + 1);
		noisy_line(c, k, out);
		summary_line(c, k, out);
	}
}

static void write_markdown(const struct comparison *c, FILE *out)
{
	char base[24], new[24], change[64];

	header_lines(c, out, "- ");
	for (int k = 0; k < c->nr_news; k++)
		shift_lines(c, k, out, "- ");
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
		for (int k = 0; k < c->nr_news; k++) {
			const struct case_verdict *v = &row->cells[k];
			bool flagged = v->verdict == VERDICT_REGRESSION || v->verdict == VERDICT_IMPROVEMENT;

			compare_number_text(v->new_median, new, sizeof(new));
			compare_change_text(v, true, change, sizeof(change));
			fprintf(out, " %s, %s", new, change);
			if (!isnan(v->mde))
				fprintf(out, ", detects %.1f%%", 100 * v->mde);
			if (!isnan(v->p_adjusted))
				fprintf(out, ", p adj %.2g", v->p_adjusted);
			fprintf(out, flagged ? ", **%s**" : ", %s", verdict_name(v->verdict));
			if (comparison_functional_only(row, k))
				fprintf(out, " (functional only: %s)", comparison_functional_only(row, k));
			else if (v->disturbed && v->disturbed != c->columns[k].disturbed)
				fprintf(out, " (%s)", v->disturbed);
			fprintf(out, " |");
		}
		fputc('\n', out);
	}
	fputc('\n', out);
	for (int k = 0; k < c->nr_news; k++) {
		fprintf(out, "%s: ", c->news[k].name);
		summary_line(c, k, out);
		noisy_line(c, k, out);
	}
}

static cJSON *series_json(const struct series *s)
{
	cJSON *o = cJSON_CreateObject(), *runs = cJSON_AddArrayToObject(o, "runs");

	cJSON_AddStringToObject(o, "name", s->name);
	cJSON_AddBoolToObject(o, "complete", series_complete(s));
	for (int i = 0; i < s->nr_runs; i++) {
		cJSON *r = cJSON_CreateObject();

		cJSON_AddNumberToObject(r, "id", (double)s->runs[i].id);
		cJSON_AddStringToObject(r, "label", s->runs[i].label);
		cJSON_AddBoolToObject(r, "complete", s->runs[i].complete);
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

static int write_json(const struct comparison *c, FILE *out)
{
	cJSON *root = cJSON_CreateObject(), *news = cJSON_AddArrayToObject(root, "new");
	cJSON *cases = cJSON_AddArrayToObject(root, "cases");

	cJSON_AddStringToObject(root, "metric", c->metric);
	cJSON_AddNumberToObject(root, "threshold_percent", 100 * c->options.threshold);
	cJSON_AddNumberToObject(root, "alpha", c->options.alpha);
	cJSON_AddStringToObject(root, "correction", "holm");
	cJSON_AddNumberToObject(root, "power", VERDICT_POWER);
	cJSON_AddNumberToObject(root, "outcome", comparison_outcome(c));
	cJSON_AddItemToObject(root, "base", series_json(c->base));
	for (int k = 0; k < c->nr_news; k++)
		cJSON_AddItemToArray(news, series_json(&c->news[k]));
	for (int k = 0; k < c->nr_news; k++) {
		cJSON *column = cJSON_GetArrayItem(news, k), *shift = cJSON_AddObjectToObject(column, "shift");
		const struct machine_shift *ms = &c->columns[k].shift;

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
		for (int r = 0; r < c->nr_rows; r++) {
			const struct comparison_row *row = &c->rows[r];
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
			cJSON_AddItemToArray(cases, o);
		}
	}
	return json_write(root, out);
}

void markup_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
	}
}

static void write_junit(const struct comparison *c, FILE *out)
{
	char change[64], line[512];

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
	for (int k = 0; k < c->nr_news; k++) {
		int skipped = 0;

		for (int r = 0; r < c->nr_rows; r++)
			skipped += comparison_functional_only(&c->rows[r], k) != NULL ||
				   c->rows[r].cells[k].verdict == VERDICT_DISTURBED;
		fprintf(out, "  <testsuite name=\"");
		snprintf(line, sizeof(line), "%s: %s against %s", c->metric, c->news[k].name, c->base->name);
		markup_escaped(out, line);
		fprintf(out, "\" tests=\"%d\" failures=\"%d\" skipped=\"%d\">\n", c->nr_rows,
			comparison_count(c, k, VERDICT_REGRESSION), skipped);
		for (int r = 0; r < c->nr_rows; r++) {
			const struct comparison_row *row = &c->rows[r];
			const struct case_verdict *v = &row->cells[k];
			const char *fo = comparison_functional_only(row, k);

			compare_change_text(v, true, change, sizeof(change));
			snprintf(line, sizeof(line), "%s %s, p adj %.3g", verdict_name(v->verdict), change, v->p_adjusted);
			fprintf(out, "    <testcase classname=\"xstate-bench.compare\" name=\"");
			markup_escaped(out, row->id);
			fprintf(out, "\">");
			if (fo) {
				fprintf(out, "<skipped message=\"functional only: ");
				markup_escaped(out, fo);
				fprintf(out, "\"/>");
			} else if (v->verdict == VERDICT_DISTURBED) {
				fprintf(out, "<skipped message=\"disturbed: ");
				markup_escaped(out, v->disturbed);
				fprintf(out, "\"/>");
			} else if (v->verdict == VERDICT_REGRESSION) {
				fprintf(out, "<failure message=\"");
				markup_escaped(out, line);
				fprintf(out, "\"/>");
			} else {
				fprintf(out, "<system-out>");
				markup_escaped(out, line);
				fprintf(out, "</system-out>");
			}
			fprintf(out, "</testcase>\n");
		}
		fprintf(out, "  </testsuite>\n");
	}
	fprintf(out, "</testsuites>\n");
}

int compare_format_write(const struct comparison *c, enum compare_format f, FILE *out)
{
	switch (f) {
	case FORMAT_TEXT: write_text(c, out); return 0;
	case FORMAT_MARKDOWN: write_markdown(c, out); return 0;
	case FORMAT_JSON: return write_json(c, out);
	case FORMAT_JUNIT: write_junit(c, out); return 0;
	}
	return xb_fail(EINVAL, "unknown format");
}
