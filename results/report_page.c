/*
 * report_page.c - writing index.html (escaped HTML, no scripts) and report.md.
 */
#include "report_page.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare_format.h"

/* The cases NEW series @k failed (its own checks, no numbers), with the reason: as HTML list
 * items or Markdown bullets. */
static void failed_cases(FILE *f, const struct comparison *c, int k, bool html)
{
	for (int r = 0; r < c->nr_rows; r++) {
		const char *why;

		if (c->rows[r].cells[k].verdict != VERDICT_FAILED)
			continue;
		why = compare_cell_reason(&c->rows[r], k);
		if (!html) {
			fprintf(f, "  - failed `%s`: %s\n", c->rows[r].id, why ? why : "");
			continue;
		}
		fputs("<li class=\"failed\"><code>", f);
		markup_escaped(f, c->rows[r].id);
		fputs("</code>: ", f);
		markup_text(f, why ? why : "");
		fputs("</li>\n", f);
	}
}

/* At most this many regressions and improvements are named at the top. */
#define MAX_NAMED 12

static const char *const chart_sections[] = { "The cases found, night by night", "Change per case",
					       "Cost per feature set", "History" };

const char *report_verdict_colour(enum verdict v)
{
	switch (v) {
	case VERDICT_REGRESSION:
	case VERDICT_DRIFT:
	case VERDICT_FAILED: return "#cc0000";
	case VERDICT_IMPROVEMENT: return "#008800";
	case VERDICT_NOISY: return "#e69f00";
	case VERDICT_DISTURBED: return "#8e44ad";
	default: return "#777777";
	}
}

/* "+0.70% [+0.45, +0.86] over 90 cases, taken out of every case's change" */
static void shift_text(const struct comparison *c, int k, char *out, size_t size)
{
	const struct machine_shift *s = &c->columns[k].shift;
	int n;

	if (isnan(s->ratio)) {
		snprintf(out, size, "not estimated (%d cases, fewer than %d)", s->n_cases, SHIFT_MIN_CASES);
		return;
	}
	n = snprintf(out, size, "%+.2f%% [%+.2f, %+.2f] over %d cases, %s", 100 * (s->ratio - 1), 100 * (s->lo - 1),
		     100 * (s->hi - 1), s->n_cases,
		     s->adjusted ? "taken out of every case's change" : "not significant: changes are raw");
	if (!isnan(s->clock_ratio))
		snprintf(out + n, size - (size_t)n, "; core clock %+.2f%%", 100 * (s->clock_ratio - 1));
}

/* What stops NEW series @k from being judged, or NULL. */
static const char *inconclusive_text(const struct comparison *c, int k)
{
	if (c->columns[k].disturbed[0])
		return c->columns[k].disturbed;
	if (comparison_shift_beyond(c, k))
		return "every case moved alike by more than the threshold: the machine, or a change that slows "
		       "everything alike; rerun to tell";
	return NULL;
}

static void html_machine_and_series(FILE *f, const struct series *series, int nr)
{
	char machine[320];

	fputs("<table>\n<tr><th>series</th><th>run</th><th>label</th><th>started (UTC)</th><th>machine</th>"
	      "<th>kernel</th><th>state</th></tr>\n", f);
	for (int s = 0; s < nr; s++) {
		for (int r = 0; r < series[s].nr_runs; r++) {
			const struct series_run *run = &series[s].runs[r];

			fputs("<tr><td>", f);
			markup_escaped(f, series[s].name);
			fprintf(f, "</td><td>%lld</td><td>", (long long)run->id);
			markup_escaped(f, run->label);
			fprintf(f, "</td><td>%s</td><td>", run->started_at);
			series_run_machine(run, machine, sizeof(machine));
			markup_escaped(f, machine);
			fputs("</td><td>", f);
			markup_escaped(f, run->kernel[0] ? run->kernel : "not recorded");
			fputs("</td><td>", f);
			if (!run->complete)
				fputs("<strong>incomplete</strong>", f);
			else if (run->disturbed[0]) {
				fputs("<span class=\"disturbed\">disturbed: ", f);
				markup_escaped(f, run->disturbed);
				fputs("</span>", f);
			} else {
				fputs("complete", f);
			}
			fputs("</td></tr>\n", f);
		}
	}
	fputs("</table>\n", f);
}

/* The rows of NEW series @k with verdict @v, at most @max of them, largest change first. */
static int flagged(const struct comparison *c, int k, enum verdict v, const struct comparison_row **out, int max)
{
	int n = 0;

	for (int r = 0; r < c->nr_rows; r++) {
		const struct comparison_row *row = &c->rows[r];
		double size = fabs(log(row->cells[k].r.ratio));
		int i;

		if (row->cells[k].verdict != v)
			continue;
		if (n == max && size <= fabs(log(out[n - 1]->cells[k].r.ratio)))
			continue; /* smaller than every one kept */
		i = n < max ? n++ : n - 1; /* a free place, or the smallest's */
		for (; i > 0 && fabs(log(out[i - 1]->cells[k].r.ratio)) < size; i--)
			out[i] = out[i - 1];
		out[i] = row;
	}
	return n;
}

static void html_verdicts(FILE *f, const struct comparison *c)
{
	char change[64], shift[192], counts[COMPARE_COUNTS_SIZE];

	fputs("<h2>Verdicts</h2>\n", f);
	for (int k = 0; k < c->nr_news; k++) {
		const char *stop = inconclusive_text(c, k);

		fputs("<p class=\"verdicts\"><strong>", f);
		markup_escaped(f, c->news[k].name);
		fputs("</strong> against ", f);
		markup_escaped(f, c->base->name);
		compare_counts_text(c, k, counts, sizeof(counts));
		fprintf(f, ": %s", counts);
		shift_text(c, k, shift, sizeof(shift));
		fprintf(f, "<br>machine-wide shift: %s</p>\n", shift);
		if (stop) {
			fprintf(f, "<p class=\"warning\">%s: ", c->columns[k].disturbed[0] ? "DISTURBED" : "INCONCLUSIVE");
			markup_escaped(f, stop);
			fputs(c->columns[k].disturbed[0] ? ": no case is judged</p>\n" : "</p>\n", f);
		}
		for (int v = VERDICT_REGRESSION; v <= VERDICT_IMPROVEMENT; v++) {
			const struct comparison_row *rows[MAX_NAMED];
			int n = flagged(c, k, (enum verdict)v, rows, MAX_NAMED), total = comparison_count(c, k, (enum verdict)v);

			if (!n)
				continue;
			fprintf(f, "<table class=\"flagged\">\n<tr><th>%s%s</th><th>change [95%% interval]</th>"
				   "<th>detects</th></tr>\n", verdict_name((enum verdict)v), total > n ? " (the largest)" : "");
			for (int i = 0; i < n; i++) {
				compare_change_text(&rows[i]->cells[k], true, change, sizeof(change));
				fputs("<tr><td><code>", f);
				markup_escaped(f, rows[i]->id);
				fprintf(f, "</code></td><td class=\"%s\">%s</td><td>%.1f%%</td></tr>\n",
					verdict_name((enum verdict)v), change, 100 * rows[i]->cells[k].mde);
			}
			fputs("</table>\n", f);
		}
		if (comparison_count(c, k, VERDICT_FAILED)) {
			fputs("<p>failed its own checks (no numbers):</p>\n<ul>\n", f);
			failed_cases(f, c, k, true);
			fputs("</ul>\n", f);
		}
	}
}

static void html_comparison(FILE *f, const struct comparison *c)
{
	char base[24], change[48];

	fputs("<h2>Comparison table</h2>\n<p>Per case: NEW/BASE of the medians (relative to the machine-wide shift "
	      "when compare takes it out) with its 95% interval from the samples, rounds and runs, and the verdict "
	      "after Holm's correction and the threshold.</p>\n<table>\n<tr><th>case</th><th>base median</th>", f);
	for (int k = 0; k < c->nr_news; k++) {
		fputs("<th>", f);
		markup_escaped(f, c->news[k].name);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (int r = 0; r < c->nr_rows; r++) {
		const struct comparison_row *row = &c->rows[r];

		fputs("<tr><td><code>", f);
		markup_escaped(f, row->id);
		compare_number_text(row->cells[0].base_median, base, sizeof(base));
		fprintf(f, "</code></td><td>%s</td>", base);
		for (int k = 0; k < c->nr_news; k++) {
			const struct case_verdict *v = &row->cells[k];

			if (!comparison_cell_present(row, k)) {
				fputs("<td>-</td>", f);
				continue;
			}
			compare_change_text(v, true, change, sizeof(change));
			fprintf(f, "<td class=\"%s\">%s %s</td>", verdict_name(v->verdict), change, verdict_name(v->verdict));
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void html_charts(FILE *f, const struct report_page *page)
{
	fputs("<h2>Charts</h2>\n", f);
	if (page->operations_cut)
		fputs("<p>Only the first operations are charted.</p>\n", f);
	for (int kind = REPORT_CHART_CASE; kind <= REPORT_CHART_HISTORY; kind++) {
		bool heading = false;

		for (int i = 0; i < page->nr_charts; i++) {
			const struct report_chart *ch = &page->charts[i];

			if ((int)ch->kind != kind)
				continue;
			if (!heading)
				fprintf(f, "<h3>%s</h3>\n", chart_sections[kind]);
			heading = true;
			fprintf(f, "<figure>\n<img src=\"%s.png\" width=\"%d\" height=\"%d\" alt=\"", ch->name, ch->width,
				ch->height);
			markup_escaped(f, ch->title);
			fputs("\">\n<figcaption>", f);
			markup_escaped(f, ch->title);
			fprintf(f, " (<a href=\"%s.svg\">SVG</a>)</figcaption>\n</figure>\n", ch->name);
		}
	}
}

static int write_html(const char *dir, const struct report_page *page, const struct series *series, int nr,
		      const struct comparison *cmp)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/index.html", dir);
	if (!(f = fopen(path, "w")))
		return xb_fail_errno("open %s", path);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<title>xstate-bench report</title>\n<style>\nbody { font-family: sans-serif; margin: 2em; }\n"
		   "table { border-collapse: collapse; margin: 0.5em 0; }\ntd, th { border: 1px solid #bbb; padding: 2px 6px; "
		   "}\nimg { max-width: 100%%; height: auto; border: 1px solid #ddd; }\n"
		   ".warning { color: #8e44ad; font-weight: bold; }\n");
	for (int v = 0; v < VERDICT_COUNT; v++)
		fprintf(f, ".%s { color: %s;%s }\n", verdict_name((enum verdict)v), report_verdict_colour((enum verdict)v),
			v == VERDICT_REGRESSION || v == VERDICT_IMPROVEMENT || v == VERDICT_FAILED || v == VERDICT_DRIFT
			? " font-weight: bold;" : "");
	fputs("</style>\n</head>\n<body>\n<h1>xstate-bench report</h1>\n<p>Metric: <code>", f);
	markup_escaped(f, page->metric);
	fputs("</code>.</p>\n", f);
	for (int i = 0; cmp && i < cmp->nr_notes; i++) {
		if (strcmp(cmp->notes[i].kind, COMPARISON_FUNCTIONAL_ONLY_NOTE))
			continue;
		fprintf(f, "<p class=\"warning\">%s: ", COMPARISON_FUNCTIONAL_ONLY_NOTE);
		markup_text(f, cmp->notes[i].text);
		fputs("</p>\n", f);
	}
	html_machine_and_series(f, series, nr);
	if (cmp)
		html_verdicts(f, cmp);
	html_charts(f, page);
	if (cmp)
		html_comparison(f, cmp);
	fputs("</body>\n</html>\n", f);
	return fclose(f) ? xb_fail_errno("write %s", path) : 0;
}

static void markdown_verdicts(FILE *f, const struct comparison *c)
{
	char change[64], shift[192], counts[COMPARE_COUNTS_SIZE];

	fputs("\n## Verdicts\n\n", f);
	for (int k = 0; k < c->nr_news; k++) {
		const char *stop = inconclusive_text(c, k);

		compare_counts_text(c, k, counts, sizeof(counts));
		fprintf(f, "- **%s** against %s: %s;", c->news[k].name, c->base->name, counts);
		shift_text(c, k, shift, sizeof(shift));
		fprintf(f, " machine-wide shift %s\n", shift);
		if (stop)
			fprintf(f, "  - **%s**: %s\n", c->columns[k].disturbed[0] ? "DISTURBED" : "INCONCLUSIVE", stop);
		for (int v = VERDICT_REGRESSION; v <= VERDICT_IMPROVEMENT; v++) {
			const struct comparison_row *rows[MAX_NAMED];
			int n = flagged(c, k, (enum verdict)v, rows, MAX_NAMED);

			for (int i = 0; i < n; i++) {
				compare_change_text(&rows[i]->cells[k], true, change, sizeof(change));
				fprintf(f, "  - %s `%s` %s\n", verdict_name((enum verdict)v), rows[i]->id, change);
			}
		}
		failed_cases(f, c, k, false);
	}
}

static int write_markdown(const char *dir, const struct report_page *page, const struct series *series, int nr,
			  const struct comparison *cmp)
{
	char path[4096];
	FILE *f;
	int rc = 0;

	char machine[320];

	snprintf(path, sizeof(path), "%s/report.md", dir);
	if (!(f = fopen(path, "w")))
		return xb_fail_errno("open %s", path);
	fprintf(f, "# xstate-bench report\n\nMetric: `%s`.\n\n## Series\n\n", page->metric);
	for (int s = 0; s < nr; s++) {
		for (int r = 0; r < series[s].nr_runs; r++) {
			const struct series_run *run = &series[s].runs[r];

			series_run_machine(run, machine, sizeof(machine));
			fprintf(f, "- %s, run %lld started %s: %s, kernel %s%s%s\n", series[s].name, (long long)run->id,
				run->started_at, machine, run->kernel[0] ? run->kernel : "not recorded",
				run->complete ? "" : " (**incomplete**)", run->disturbed[0] ? " (disturbed)" : "");
		}
	}
	if (cmp)
		markdown_verdicts(f, cmp);
	fputs("\n## Charts\n\n", f);
	for (int i = 0; i < page->nr_charts; i++)
		fprintf(f, "![%s](%s.png)\n\n[SVG](%s.svg)\n\n", page->charts[i].title, page->charts[i].name,
			page->charts[i].name);
	if (cmp) {
		fputs("## Comparison\n\n", f);
		rc = compare_format_write(cmp, FORMAT_MARKDOWN, f);
	}
	if (fclose(f) && !rc)
		rc = xb_fail_errno("write %s", path);
	return rc;
}

int report_page_write(const char *dir, const struct report_page *page, const struct series *series, int nr,
		      const struct comparison *cmp)
{
	int rc = write_html(dir, page, series, nr, cmp);

	return rc ? rc : write_markdown(dir, page, series, nr, cmp);
}
