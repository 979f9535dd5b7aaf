/*
 * review_format.c - the review as text (every line within COMPARE_TEXT_WIDTH, words folded
 * under a label column) and as Markdown. Changes are percent (the ratio minus one),
 * as compare prints them.
 */
#include "review_format.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare_format.h"

#define LABEL_COLUMNS 10 /* "schedule  " */

/* @text after @label padded to LABEL_COLUMNS (a longer label on a line of its own), folded
 * under it, later lines @hang further in. */
static void labelled(FILE *out, const char *label, int hang, const char *text)
{
	char lead[LABEL_COLUMNS + 1];

	if ((int)strlen(label) >= LABEL_COLUMNS)
		fprintf(out, "%s\n", label);
	snprintf(lead, sizeof(lead), "%-*s", LABEL_COLUMNS, (int)strlen(label) >= LABEL_COLUMNS ? "" : label);
	compare_text_folded(out, lead, text, LABEL_COLUMNS + hang);
}

/* @text indented by @indent, folded, later lines @hang further in. */
static void indented(FILE *out, int indent, int hang, const char *text)
{
	char lead[64];

	snprintf(lead, sizeof(lead), "%*s", indent, "");
	compare_text_folded(out, lead, text, indent + hang);
}

/* "runs 1, 4, 7" */
static void runs_text(const struct review_kernel *k, char *out, size_t size)
{
	size_t used = (size_t)snprintf(out, size, "run%s", k->nr_runs > 1 ? "s" : "");

	for (int i = 0; i < k->nr_runs && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s %lld", i ? "," : "", (long long)k->runs[i]);
}

/* "; built here in 612 s", "; cached (its build took 612 s)", or "" when not built here */
static void build_text(const struct review_kernel *k, char *out, size_t size)
{
	if (isnan(k->build_seconds))
		out[0] = 0;
	else
		snprintf(out, size, k->build_cached ? "; cached (its build took %.0f s)" : "; built here in %.0f s",
			 k->build_seconds);
}

/* "base, v1, v2; base, v1, v2" with the total time. */
static void schedule_text(const struct review *r, char *out, size_t size)
{
	double lab = 0, shortest = INFINITY, longest = 0;
	size_t used = 0;
	int per_round = r->nr_steps / (r->rounds > 0 ? r->rounds : 1);

	for (int i = 0; i < r->nr_steps && used < size; i++) {
		const char *sep = !i ? "" : per_round > 0 && i % per_round == 0 ? "; " : ", ";

		used += (size_t)snprintf(out + used, size - used, "%s%s", sep, r->kernels[r->schedule[i].kernel].name);
		if (!isnan(r->schedule[i].seconds)) {
			lab += r->schedule[i].seconds;
			shortest = fmin(shortest, r->schedule[i].seconds);
			longest = fmax(longest, r->schedule[i].seconds);
		}
	}
	if (used < size && lab > 0)
		used += (size_t)snprintf(out + used, size - used, " (%d lab runs of %.0f-%.0f s, %.1f min", r->nr_steps,
					 shortest, longest, lab / 60);
	if (used < size && lab > 0)
		snprintf(out + used, size - used, isnan(r->wall_seconds) ? ")" : "; %.1f min in all, builds included)",
			 r->wall_seconds / 60);
}

static double percent(double ratio)
{
	return 100 * (ratio - 1);
}

static int changed_rows(const struct comparison *c)
{
	int n = 0;

	for (int r = 0; r < c->nr_rows; r++)
		n += review_row_changed(c, &c->rows[r]);
	return n;
}

/* Why a cell has its verdict, beyond the figures: "" when the figures or the notes say it. */
static const char *cell_note(const struct comparison *c, const struct comparison_row *row, int k, char *out,
			     size_t size)
{
	const struct case_verdict *v = &row->cells[k];
	const struct series_unmeasured *u;

	out[0] = 0;
	if (v->verdict == VERDICT_NEW) { /* what the base did instead */
		u = series_find_unmeasured(c->base, row->id);
		snprintf(out, size, "%s", u ? (u->status == CASE_ERROR ? "the base failed it: " : "the base skipped it: ")
					    : "not measured by the base");
		if (u)
			snprintf(out + strlen(out), size - strlen(out), "%s", u->reason);
		return out;
	}
	if (v->verdict == VERDICT_MISSING || v->verdict == VERDICT_FAILED)
		return v->why ? v->why : "not measured by this version";
	if (v->verdict == VERDICT_DISTURBED && v->disturbed != c->columns[k].disturbed)
		return v->disturbed;
	/* timings that mean nothing: the reason, unless they were judged (the banner says it) */
	return v->functional_only ? comparison_functional_only(row, k) : "";
}

/* One version's line of a case: median, change, interval, detectable change, p, verdict. */
static void text_cell(const struct comparison *c, const struct comparison_row *row, int k, int name_width,
		      FILE *out)
{
	const struct case_verdict *v = &row->cells[k];
	char median[24], change[24], figures[160], line[320], lead[64], why[COMPARISON_WHY_MAX + 32];
	const char *note = cell_note(c, row, k, why, sizeof(why));
	int n;

	compare_number_text(v->new_median, median, sizeof(median));
	compare_change_text(v, false, change, sizeof(change));
	n = snprintf(figures, sizeof(figures), "%10s %8s", median, change);
	if (v->r.valid && !isnan(v->r.lo))
		n += snprintf(figures + n, sizeof(figures) - (size_t)n, " [%+.1f, %+.1f]", percent(v->r.lo),
			      percent(v->r.hi));
	if (!isnan(v->mde))
		n += snprintf(figures + n, sizeof(figures) - (size_t)n, " det %.1f%%", 100 * v->mde);
	if (!isnan(v->p_adjusted)) /* an adjusted p below 1e-99 is as good as 0, and wider */
		snprintf(figures + n, sizeof(figures) - (size_t)n, v->p_adjusted < 1e-99 ? " p<1e-99" : " p %.2g",
			 v->p_adjusted);
	snprintf(line, sizeof(line), "  %-*.*s %s  %s", name_width, REVIEW_NAME_MAX - 1, c->news[k].name, figures,
		 verdict_name(v->verdict));
	if ((int)strlen(line) <= COMPARE_TEXT_WIDTH)
		fprintf(out, "%s\n", line);
	else /* a long change or interval: the verdict on a line of its own */
		fprintf(out, "  %-*.*s %s\n  %-*s %s\n", name_width, REVIEW_NAME_MAX - 1, c->news[k].name, figures,
			name_width, "", verdict_name(v->verdict));
	if (!*note)
		return;
	snprintf(lead, sizeof(lead), "%*s(", name_width + 3, "");
	snprintf(line, sizeof(line), "%s)", note);
	compare_text_folded(out, lead, line, name_width + 4);
}

static void text_row(const struct comparison *c, const struct comparison_row *row, int name_width, FILE *out)
{
	char base[24];
	const char *unit = series_metric_unit(c->metric, row->unit);

	if ((int)(strlen(row->id) + strlen(unit) + 3) <= COMPARE_TEXT_WIDTH)
		fprintf(out, "%s (%s)\n", row->id, unit);
	else
		fprintf(out, "%s\n  (%s)\n", row->id, unit);
	compare_number_text(row->base ? row->cells[0].base_median : NAN, base, sizeof(base));
	fprintf(out, "  %-*s %10s\n", name_width, c->base->name, base);
	for (int k = 0; k < c->nr_news; k++)
		if (comparison_cell_present(row, k))
			text_cell(c, row, k, name_width, out);
}

static int name_width(const struct review *r)
{
	int w = 4;

	for (int i = 0; i < r->nr_kernels; i++)
		w = (int)fmax(w, (double)strlen(r->kernels[i].name));
	return w;
}

static void text_kernels(const struct review *r, FILE *out)
{
	char runs[256], build[96], line[REVIEW_TEXT_MAX * 2];

	for (int i = 0; i < r->nr_kernels; i++) {
		const struct review_kernel *k = &r->kernels[i];

		runs_text(k, runs, sizeof(runs));
		snprintf(line, sizeof(line), "%s: %s, %s", k->name, k->release, runs);
		labelled(out, i ? "" : "kernels", 2, line);
		build_text(k, build, sizeof(build));
		snprintf(line, sizeof(line), "%s%s", k->source, build);
		indented(out, LABEL_COLUMNS + 2, 2, line);
		if (!k->nr_patches)
			indented(out, LABEL_COLUMNS + 2, 2, "no patches");
		for (int p = 0; p < k->nr_patches; p++)
			indented(out, LABEL_COLUMNS + 2, 4, k->patches[p]);
	}
}

static void stars(FILE *out)
{
	for (int i = 0; i < COMPARE_TEXT_WIDTH; i++)
		fputc('*', out);
	fputc('\n', out);
}

static bool is_banner(const struct comparison_note *n)
{
	return !strcmp(n->kind, COMPARISON_FUNCTIONAL_ONLY_NOTE);
}

/* The notes about version @k (-1: the whole comparison), the banner aside, as "kind: text". */
static void text_notes(const struct comparison *c, int k, FILE *out)
{
	const char *label = k < 0 ? "note" : c->news[k].name;
	char *text;

	for (int i = 0; i < c->nr_notes; i++) {
		const struct comparison_note *n = &c->notes[i];

		if (n->series != k || is_banner(n) || asprintf(&text, "%s: %s", n->kind, n->text) < 0)
			continue;
		labelled(out, label, 2, text);
		label = "";
		free(text);
	}
}

void review_write_text(const struct review *r, FILE *out)
{
	const struct comparison *c = &r->set.cmp;
	char line[REVIEW_TEXT_MAX * 4], *method = compare_method_string(c);
	int width = name_width(r), changed = changed_rows(c);
	size_t used = 0;

	for (int k = 0; k < c->nr_news; k++)
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s", k ? ", " : "", c->news[k].name);
	snprintf(line + used, sizeof(line) - used, " against %s, in %s", c->base->name, c->metric);
	labelled(out, "review", 0, line);
	for (int i = 0; i < c->nr_notes; i++) {
		if (!is_banner(&c->notes[i]))
			continue;
		stars(out);
		snprintf(line, sizeof(line), "%s: %s", c->notes[i].kind, c->notes[i].text);
		compare_text_folded(out, "", line, 0);
		stars(out);
	}
	labelled(out, "host", 0, r->host);
	snprintf(line, sizeof(line), "%s; the runs recorded %s", r->lab, r->lab_cpu);
	labelled(out, "lab", 0, line);
	labelled(out, "measured", 0, r->suites);
	text_kernels(r, out);
	schedule_text(r, line, sizeof(line));
	labelled(out, "schedule", 0, line);
	labelled(out, "method", 0, method ? method : "");
	free(method);
	text_notes(c, -1, out);
	for (int k = 0; k < c->nr_news; k++)
		text_notes(c, k, out);
	snprintf(line, sizeof(line), "%d of %d cases%s", changed, c->nr_rows,
		 changed < c->nr_rows ? " (the others are unchanged, noisy or disturbed in every version)" : "");
	fputc('\n', out);
	labelled(out, "changed", 0, line);
	for (int row = 0; row < c->nr_rows; row++) {
		if (!review_row_changed(c, &c->rows[row]))
			continue;
		fputc('\n', out);
		text_row(c, &c->rows[row], width, out);
	}
	fputc('\n', out);
	for (int k = 0; k < c->nr_news; k++) {
		char counts[COMPARE_COUNTS_SIZE];

		compare_counts_text(c, k, counts, sizeof(counts));
		snprintf(line, sizeof(line), "%s: %s", c->news[k].name, counts);
		labelled(out, k ? "" : "summary", 2, line);
	}
}

static void markdown_cases(const struct comparison *c, bool changed_only, FILE *out)
{
	char base[24];

	fprintf(out, "| case | unit | %s |", c->base->name);
	for (int k = 0; k < c->nr_news; k++)
		fprintf(out, " %s |", c->news[k].name);
	fprintf(out, "\n| --- | --- | ---: |");
	for (int k = 0; k < c->nr_news; k++)
		fputs(" --- |", out);
	fputc('\n', out);
	for (int r = 0; r < c->nr_rows; r++) {
		const struct comparison_row *row = &c->rows[r];

		if (changed_only && !review_row_changed(c, row))
			continue;
		compare_number_text(row->base ? row->cells[0].base_median : NAN, base, sizeof(base));
		fprintf(out, "| `%s` | %s | %s |", row->id, series_metric_unit(c->metric, row->unit), base);
		for (int k = 0; k < c->nr_news; k++)
			compare_markdown_cell(c, row, k, out);
		fputc('\n', out);
	}
}

void review_write_markdown(const struct review *r, FILE *out)
{
	const struct comparison *c = &r->set.cmp;
	char text[REVIEW_TEXT_MAX * 4], runs[256], build[96], counts[COMPARE_COUNTS_SIZE];

	fprintf(out, "# xstate-bench review: ");
	for (int k = 0; k < c->nr_news; k++)
		fprintf(out, "%s%s", k ? ", " : "", c->news[k].name);
	fprintf(out, " against %s\n\n", c->base->name);
	for (int i = 0; i < c->nr_notes; i++)
		if (is_banner(&c->notes[i]))
			fprintf(out, "> **%s**: %s\n\n", c->notes[i].kind, c->notes[i].text);
	fprintf(out, "- metric: `%s`\n- host: %s\n- lab: %s; the runs recorded %s\n- measured: %s\n", c->metric,
		r->host, r->lab, r->lab_cpu, r->suites);
	schedule_text(r, text, sizeof(text));
	fprintf(out, "- schedule: %s\n- method: ", text);
	compare_method_text(c, out);
	fputs("\n\n## Kernels\n\n| kernel | release | runs | source | patches |\n| --- | --- | --- | --- | --- |\n", out);
	for (int i = 0; i < r->nr_kernels; i++) {
		const struct review_kernel *k = &r->kernels[i];

		runs_text(k, runs, sizeof(runs));
		build_text(k, build, sizeof(build));
		fprintf(out, "| %s | `%s` | %s | ", k->name, k->release, runs);
		markdown_cell_text(out, k->source);
		markdown_cell_text(out, build);
		fputs(" | ", out);
		for (int p = 0; p < k->nr_patches; p++) {
			fputs(p ? "<br>" : "", out);
			markdown_cell_text(out, k->patches[p]);
		}
		fputs(k->nr_patches ? " |\n" : "none |\n", out);
	}
	fputs("\n## Notes\n\n", out);
	for (int i = 0; i < c->nr_notes; i++)
		if (!is_banner(&c->notes[i]))
			fprintf(out, "- %s%s%s: %s\n", c->notes[i].series < 0 ? "" : c->news[c->notes[i].series].name,
				c->notes[i].series < 0 ? "" : ", ", c->notes[i].kind, c->notes[i].text);
	fprintf(out, "\n## Changed in some version (%d of %d cases)\n\n", changed_rows(c), c->nr_rows);
	markdown_cases(c, true, out);
	fputs("\n## Summary\n\n", out);
	for (int k = 0; k < c->nr_news; k++) {
		compare_counts_text(c, k, counts, sizeof(counts));
		fprintf(out, "- %s: %s\n", c->news[k].name, counts);
	}
	fputs("\n<details><summary>Every case</summary>\n\n", out);
	markdown_cases(c, false, out);
	fputs("\n</details>\n", out);
}
