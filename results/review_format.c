/*
 * review_format.c - the review as text (every line within REVIEW_TEXT_COLUMNS, words
 * wrapped under a label column) and as Markdown. Changes are percent (the ratio minus one),
 * as compare prints them.
 */
#include "review_format.h"

#include <math.h>
#include <string.h>

#include "compare_format.h"

#define LABEL_COLUMNS 10 /* "schedule  " */

/* Writes @text after @first (the label, padded to @label_columns) and wraps it at spaces,
 * later lines indented by @label_columns + @hang; a word longer than a line is cut. */
static void wrap_at(FILE *out, const char *first, int label_columns, int hang, const char *text)
{
	int width = REVIEW_TEXT_COLUMNS - label_columns, column = 0;
	const char *p = text;

	if (label_columns && (int)strlen(first) >= label_columns) /* a long label: the text below it */
		fprintf(out, "%s\n%*s", first, label_columns, "");
	else
		fprintf(out, "%-*s", label_columns, first);
	while (*p) {
		size_t word = strcspn(p, " "), room = (size_t)(width - column);

		if (column && word + 1 > room) {
			fprintf(out, "\n%*s", label_columns + hang, "");
			column = hang;
			room = (size_t)(width - column);
		} else if (column) {
			fputc(' ', out);
			column++;
			room--;
		}
		if (word > room)
			word = room;
		column += fprintf(out, "%.*s", (int)word, p);
		p += word;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

static void wrap(FILE *out, const char *first, int hang, const char *text)
{
	wrap_at(out, first, LABEL_COLUMNS, hang, text);
}

/* "runs 1, 4, 7" */
static void runs_text(const struct review_kernel *k, char *out, size_t size)
{
	size_t used = (size_t)snprintf(out, size, "run%s", k->nr_runs > 1 ? "s" : "");

	for (int i = 0; i < k->nr_runs && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s %lld", i ? "," : "", (long long)k->runs[i]);
}

/* "built in 612 s", "cached (built in 612 s)" or "" */
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

/* A version's shift and controls, and what stops its verdicts. */
static void shift_text(const struct comparison *c, int k, char *out, size_t size)
{
	const struct comparison_column *col = &c->columns[k];
	const struct machine_shift *s = &col->shift;
	size_t used;

	if (isnan(s->ratio))
		used = (size_t)snprintf(out, size, "machine-wide shift not estimated (%d cases, fewer than %d);",
					s->n_cases, SHIFT_MIN_CASES);
	else
		used = (size_t)snprintf(out, size, "machine-wide shift %+.2f%% [%+.2f, %+.2f] over %d cases (%s);",
					percent(s->ratio), percent(s->lo), percent(s->hi), s->n_cases,
					s->adjusted ? "changes taken relative to it" : "not significant: changes are raw");
	if (used < size)
		used += isnan(s->clock_ratio) ? (size_t)snprintf(out + used, size - used, " core clock not recorded;")
					      : (size_t)snprintf(out + used, size - used, " core clock %+.2f%%;",
								 percent(s->clock_ratio));
	if (used < size && (!isnan(s->empty_base) || !isnan(s->empty_new)))
		used += (size_t)snprintf(out + used, size - used, " empty loop %.3g -> %.3g;", s->empty_base, s->empty_new);
	if (used < size)
		used += (size_t)snprintf(out + used, size - used, " a case's run-to-run spread beyond its samples %.2f%%",
					 100 * expm1(s->tau));
	if (used < size && comparison_shift_beyond(c, k) && !col->disturbed[0])
		used += (size_t)snprintf(out + used, size - used, ". INCONCLUSIVE: every case moved alike by more than the "
					 "threshold (the machine, or a change that slows everything alike)");
	if (used < size && col->disturbed[0])
		snprintf(out + used, size - used, ". DISTURBED: %s: no case is judged", col->disturbed);
}

/* Cells a version has (its own or the base's case) with verdict @v. */
static int count_present(const struct comparison *c, int k, enum verdict v)
{
	int n = 0;

	for (int r = 0; r < c->nr_rows; r++)
		n += review_cell_present(&c->rows[r], k) && c->rows[r].cells[k].verdict == v;
	return n;
}

static void counts_text(const struct comparison *c, int k, char *out, size_t size)
{
	static const enum verdict order[] = { VERDICT_REGRESSION, VERDICT_IMPROVEMENT, VERDICT_UNCHANGED,
					      VERDICT_NOISY, VERDICT_DISTURBED, VERDICT_NEW, VERDICT_MISSING };
	size_t used = 0;

	out[0] = 0;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && used < size; i++) {
		int n = count_present(c, k, order[i]);

		if (n || i < 2)
			used += (size_t)snprintf(out + used, size - used, "%s%d %s", used ? ", " : "", n,
						 verdict_name(order[i]));
	}
}

static int changed_rows(const struct comparison *c)
{
	int n = 0;

	for (int r = 0; r < c->nr_rows; r++)
		n += review_row_changed(c, &c->rows[r]);
	return n;
}

/* Why a present cell has its verdict, beyond the figures: "" when the figures say it. */
static const char *cell_note(const struct comparison *c, const struct comparison_row *row, int k)
{
	const struct case_verdict *v = &row->cells[k];

	if (!row->news[k])
		return "not measured by this version";
	if (!row->base)
		return "not measured by the base";
	if (v->verdict == VERDICT_DISTURBED && v->disturbed != c->columns[k].disturbed)
		return v->disturbed;
	if (v->functional_only)
		return comparison_functional_only(row, k);
	return "";
}

/* One version's line of a case: median, change, interval, detectable change, p, verdict. */
static void text_cell(const struct comparison *c, const struct comparison_row *row, int k, int name_width,
		      FILE *out)
{
	const struct case_verdict *v = &row->cells[k];
	char median[24], change[24], figures[160], line[320];
	const char *note = cell_note(c, row, k);
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
	if ((int)strlen(line) <= REVIEW_TEXT_COLUMNS)
		fprintf(out, "%s\n", line);
	else /* a long change or interval: the verdict on a line of its own */
		fprintf(out, "  %-*s %s\n  %-*s %s\n", name_width, c->news[k].name, figures, name_width, "",
			verdict_name(v->verdict));
	if (*note)
		fprintf(out, "  %-*s (%.*s)\n", name_width, "", REVIEW_TEXT_COLUMNS - 6 - name_width, note);
}

static void text_row(const struct comparison *c, const struct comparison_row *row, int name_width, FILE *out)
{
	char base[24];
	const char *unit = series_metric_unit(c->metric, row->unit);

	if ((int)(strlen(row->id) + strlen(unit) + 3) <= REVIEW_TEXT_COLUMNS)
		fprintf(out, "%s (%s)\n", row->id, unit);
	else
		fprintf(out, "%s\n  (%s)\n", row->id, unit);
	compare_number_text(row->base ? row->cells[0].base_median : NAN, base, sizeof(base));
	fprintf(out, "  %-*s %10s\n", name_width, c->base->name, base);
	for (int k = 0; k < c->nr_news; k++)
		if (review_cell_present(row, k))
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
		wrap(out, i ? "" : "kernels", 2, line);
		build_text(k, build, sizeof(build));
		snprintf(line, sizeof(line), "%s%s", k->source, build);
		wrap_at(out, "", LABEL_COLUMNS + 2, 2, line);
		if (!k->nr_patches)
			wrap_at(out, "", LABEL_COLUMNS + 2, 2, "no patches");
		for (int p = 0; p < k->nr_patches; p++)
			wrap_at(out, "", LABEL_COLUMNS + 2, 4, k->patches[p]);
	}
}

static void stars(FILE *out)
{
	for (int i = 0; i < REVIEW_TEXT_COLUMNS; i++)
		fputc('*', out);
	fputc('\n', out);
}

static void text_banner(const struct comparison *c, FILE *out)
{
	const char *reason = comparison_functional_only_judged(c);
	char line[512];

	if (!reason)
		return;
	stars(out);
	snprintf(line, sizeof(line), "%s (%s)", COMPARISON_FUNCTIONAL_ONLY_BANNER, reason);
	wrap_at(out, "", 0, 0, line);
	stars(out);
}

void review_write_text(const struct review *r, FILE *out)
{
	const struct comparison *c = &r->set.cmp;
	char line[REVIEW_TEXT_MAX * 4];
	int width = name_width(r), changed = changed_rows(c);
	size_t used = 0;

	for (int k = 0; k < c->nr_news; k++)
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s", k ? ", " : "", c->news[k].name);
	snprintf(line + used, sizeof(line) - used, " against %s, in %s", c->base->name, c->metric);
	wrap(out, "review", 0, line);
	text_banner(c, out);
	wrap(out, "host", 0, r->host);
	snprintf(line, sizeof(line), "%s; the CPU the runs recorded: %s", r->lab, r->lab_cpu);
	wrap(out, "lab", 0, line);
	wrap(out, "measured", 0, r->suites);
	text_kernels(r, out);
	schedule_text(r, line, sizeof(line));
	wrap(out, "schedule", 0, line);
	snprintf(line, sizeof(line), "threshold %g%%, alpha %g over each version's cases (Holm); %.0f%% intervals "
		 "from the samples, the passes and the runs; det: the smallest change found with %.0f%% power",
		 100 * c->options.threshold, c->options.alpha, 100 * VERDICT_INTERVAL, 100 * VERDICT_POWER);
	wrap(out, "method", 0, line);
	for (int k = 0; k < c->nr_news; k++) {
		shift_text(c, k, line, sizeof(line));
		wrap(out, c->news[k].name, 0, line);
	}
	snprintf(line, sizeof(line), "%d of %d cases%s", changed, c->nr_rows,
		 changed < c->nr_rows ? " (the others are unchanged, noisy or disturbed in every version)" : "");
	fputc('\n', out);
	wrap(out, "changed", 0, line);
	for (int row = 0; row < c->nr_rows; row++) {
		if (!review_row_changed(c, &c->rows[row]))
			continue;
		fputc('\n', out);
		text_row(c, &c->rows[row], width, out);
	}
	fputc('\n', out);
	for (int k = 0; k < c->nr_news; k++) {
		char counts[256];

		counts_text(c, k, counts, sizeof(counts));
		snprintf(line, sizeof(line), "%s: %s", c->news[k].name, counts);
		wrap(out, k ? "" : "summary", 2, line);
	}
}

/* A Markdown table cell: | and line breaks would end it. */
static void markdown_cell(FILE *out, const char *s)
{
	for (; *s; s++)
		fputs(*s == '|' ? "\\|" : *s == '\n' ? " " : (char[2]){ *s, 0 }, out);
}

static void markdown_cases(const struct comparison *c, bool changed_only, FILE *out)
{
	char base[24], median[24], change[64];

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
		for (int k = 0; k < c->nr_news; k++) {
			const struct case_verdict *v = &row->cells[k];
			bool flagged = v->verdict == VERDICT_REGRESSION || v->verdict == VERDICT_IMPROVEMENT;
			const char *note;

			if (!review_cell_present(row, k)) {
				fputs(" - |", out);
				continue;
			}
			compare_number_text(v->new_median, median, sizeof(median));
			compare_change_text(v, true, change, sizeof(change));
			fprintf(out, " %s, %s", median, change);
			if (!isnan(v->mde))
				fprintf(out, ", detects %.1f%%", 100 * v->mde);
			if (!isnan(v->p_adjusted))
				fprintf(out, ", p adj %.2g", v->p_adjusted);
			fprintf(out, flagged ? ", **%s**" : ", %s", verdict_name(v->verdict));
			if (*(note = cell_note(c, row, k))) {
				fputs(" (", out);
				markdown_cell(out, note);
				fputc(')', out);
			}
			fputs(" |", out);
		}
		fputc('\n', out);
	}
}

void review_write_markdown(const struct review *r, FILE *out)
{
	const struct comparison *c = &r->set.cmp;
	const char *reason = comparison_functional_only_judged(c);
	char text[REVIEW_TEXT_MAX * 4], runs[256], build[96];

	fprintf(out, "# xstate-bench review: ");
	for (int k = 0; k < c->nr_news; k++)
		fprintf(out, "%s%s", k ? ", " : "", c->news[k].name);
	fprintf(out, " against %s\n\n", c->base->name);
	if (reason)
		fprintf(out, "> **%s** (%s)\n\n", COMPARISON_FUNCTIONAL_ONLY_BANNER, reason);
	fprintf(out, "- metric: `%s`\n- host: %s\n- lab: %s; the CPU the runs recorded: %s\n- measured: %s\n", c->metric,
		r->host, r->lab, r->lab_cpu, r->suites);
	schedule_text(r, text, sizeof(text));
	fprintf(out, "- schedule: %s\n", text);
	fprintf(out, "- method: threshold %g%%, alpha %g over each version's cases (Holm); %.0f%% intervals from the "
		"samples, the passes and the runs; detects: the smallest change found with %.0f%% power\n",
		100 * c->options.threshold, c->options.alpha, 100 * VERDICT_INTERVAL, 100 * VERDICT_POWER);
	fputs("\n## Kernels\n\n| kernel | release | runs | source | patches |\n| --- | --- | --- | --- | --- |\n", out);
	for (int i = 0; i < r->nr_kernels; i++) {
		const struct review_kernel *k = &r->kernels[i];

		runs_text(k, runs, sizeof(runs));
		build_text(k, build, sizeof(build));
		fprintf(out, "| %s | `%s` | %s | ", k->name, k->release, runs);
		markdown_cell(out, k->source);
		markdown_cell(out, build);
		fputs(" | ", out);
		for (int p = 0; p < k->nr_patches; p++) {
			fputs(p ? "<br>" : "", out);
			markdown_cell(out, k->patches[p]);
		}
		fputs(k->nr_patches ? " |\n" : "none |\n", out);
	}
	fputs("\n## Machine-wide shift\n\n", out);
	for (int k = 0; k < c->nr_news; k++) {
		shift_text(c, k, text, sizeof(text));
		fprintf(out, "- %s: %s\n", c->news[k].name, text);
	}
	fprintf(out, "\n## Changed in some version (%d of %d cases)\n\n", changed_rows(c), c->nr_rows);
	markdown_cases(c, true, out);
	fputs("\n## Summary\n\n", out);
	for (int k = 0; k < c->nr_news; k++) {
		counts_text(c, k, text, sizeof(text));
		fprintf(out, "- %s: %s\n", c->news[k].name, text);
	}
	fputs("\n<details><summary>Every case</summary>\n\n", out);
	markdown_cases(c, false, out);
	fputs("\n</details>\n", out);
}
