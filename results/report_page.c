/*
 * report_page.c - writing index.html (escaped HTML, no scripts) and report.md.
 */
#include "report_page.h"

#include <stdio.h>
#include <string.h>

#include "compare_format.h"

static void html_series(FILE *f, const struct series *series, int nr)
{
	fputs("<h2>Series</h2>\n<table>\n<tr><th>series</th><th>run</th><th>label</th><th>started</th>"
	      "<th>machine</th><th>complete</th></tr>\n", f);
	for (int s = 0; s < nr; s++) {
		for (int r = 0; r < series[s].nr_runs; r++) {
			const struct series_run *run = &series[s].runs[r];

			fputs("<tr><td>", f);
			markup_escaped(f, series[s].name);
			fprintf(f, "</td><td>%lld</td><td>", (long long)run->id);
			markup_escaped(f, run->label);
			fprintf(f, "</td><td>%s</td><td>%lld</td><td>%s</td></tr>\n", run->started_at,
				(long long)run->machine_id, run->complete ? "yes" : "<strong>no: incomplete</strong>");
		}
	}
	fputs("</table>\n", f);
}

static void html_comparison(FILE *f, const struct comparison *c)
{
	char base[24], change[48];

	fputs("<h2>Comparison</h2>\n<p>Ratio NEW/BASE of the medians with its 95% Hodges-Lehmann interval, "
	      "Mann-Whitney p-value adjusted by Benjamini-Hochberg.</p>\n<table>\n<tr><th>case</th><th>base median</th>", f);
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
		   "table { border-collapse: collapse; }\ntd, th { border: 1px solid #bbb; padding: 2px 6px; }\n"
		   "img { max-width: 100%%; border: 1px solid #ddd; }\n.regression { color: #c00; font-weight: bold; }\n"
		   ".improvement { color: #080; font-weight: bold; }\n</style>\n</head>\n<body>\n"
		   "<h1>xstate-bench report</h1>\n<p>Metric: <code>");
	markup_escaped(f, page->metric);
	fputs("</code>.</p>\n", f);
	for (int i = 0; cmp && i < cmp->nr_notes; i++) {
		if (strcmp(cmp->notes[i].kind, COMPARISON_FUNCTIONAL_ONLY_NOTE))
			continue;
		fprintf(f, "<p class=\"regression\">%s: ", COMPARISON_FUNCTIONAL_ONLY_NOTE);
		markup_text(f, cmp->notes[i].text);
		fputs("</p>\n", f);
	}
	html_series(f, series, nr);
	if (cmp)
		html_comparison(f, cmp);
	fputs("<h2>Charts</h2>\n", f);
	if (page->operations_cut)
		fputs("<p>Only the first operations are charted.</p>\n", f);
	for (int i = 0; i < page->nr_charts; i++) {
		fprintf(f, "<figure>\n<img src=\"%s.png\" alt=\"", page->charts[i].name);
		markup_escaped(f, page->charts[i].title);
		fputs("\">\n<figcaption>", f);
		markup_escaped(f, page->charts[i].title);
		fprintf(f, " (<a href=\"%s.svg\">SVG</a>)</figcaption>\n</figure>\n", page->charts[i].name);
	}
	fputs("</body>\n</html>\n", f);
	return fclose(f) ? xb_fail_errno("write %s", path) : 0;
}

static int write_markdown(const char *dir, const struct report_page *page, const struct series *series, int nr,
			  const struct comparison *cmp)
{
	char path[4096];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/report.md", dir);
	if (!(f = fopen(path, "w")))
		return xb_fail_errno("open %s", path);
	fprintf(f, "# xstate-bench report\n\nMetric: `%s`.\n\n## Series\n\n", page->metric);
	for (int s = 0; s < nr; s++)
		fprintf(f, "- %s%s\n", series[s].name, series_complete(&series[s]) ? "" : " (**incomplete**)");
	if (cmp) {
		fputs("\n## Comparison\n\n", f);
		rc = compare_format_write(cmp, FORMAT_MARKDOWN, f);
	}
	fputs("\n## Charts\n\n", f);
	for (int i = 0; i < page->nr_charts; i++)
		fprintf(f, "![%s](%s.png)\n\n[SVG](%s.svg)\n\n", page->charts[i].title, page->charts[i].name,
			page->charts[i].name);
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
