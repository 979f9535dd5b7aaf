/*
 * summary.c - the end-of-run table.
 */
#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../results/disturbance.h"
#include "../results/stats.h"
#include "cli.h"
#include "require.h"

/* Median over the samples of one per-sample metric; NAN when no sample has it. */
static double sample_metric_median(const struct sample_record *samples, int n, const char *name)
{
	double values[n > 0 ? n : 1];
	int found = 0;

	for (int i = 0; i < n; i++)
		for (int k = 0; k < samples[i].nr_metrics; k++)
			if (!strcmp(samples[i].metrics[k].name, name))
				values[found++] = samples[i].metrics[k].value;
	return found ? stats_median(values, found) : NAN;
}

static double sample_metric_mean(const struct sample_record *samples, int n, const char *name)
{
	double sum = 0;
	int found = 0;

	for (int i = 0; i < n; i++)
		for (int k = 0; k < samples[i].nr_metrics; k++)
			if (!strcmp(samples[i].metrics[k].name, name))
				sum += samples[i].metrics[k].value, found++;
	return found ? sum / found : NAN;
}

void summary_add(struct summary *s, int order, const char *id, enum case_status status, const char *reason,
		 const struct sample_record *samples, int nr_samples, int nr_attributes,
		 const struct case_attribute *attributes)
{
	struct summary_row *row;
	double *ticks;
	int *runs, *rounds;

	if (s->count == s->capacity) {
		int cap = s->capacity ? 2 * s->capacity : 64;
		struct summary_row *grown = realloc(s->rows, (size_t)cap * sizeof(*grown));

		if (!grown)
			return;
		s->rows = grown;
		s->capacity = cap;
	}
	row = &s->rows[s->count++];
	memset(row, 0, sizeof(*row));
	row->order = order;
	snprintf(row->id, sizeof(row->id), "%s", id);
	row->status = status;
	snprintf(row->reason, sizeof(row->reason), "%s", reason ? reason : "");
	row->samples = nr_samples;
	row->median_ticks = row->median_ns = row->iqr_percent = NAN;
	row->modopt_hit_rate = sample_metric_mean(samples, nr_samples, "modopt_hit_rate");
	row->discarded_rate = sample_metric_mean(samples, nr_samples, "discarded_batches");
	row->median_cycles = sample_metric_median(samples, nr_samples, "core_cycles_per_op");
	for (int i = 0; i < nr_attributes; i++)
		if (!strcmp(attributes[i].name, "xinuse_before"))
			snprintf(row->xinuse, sizeof(row->xinuse), "%s", attributes[i].value);
		else if (!strcmp(attributes[i].name, "functional_only"))
			row->functional_only = true;
		else if (!strcmp(attributes[i].name, "get_xsave2_bytes"))
			snprintf(row->guest_fpstate_bytes, sizeof(row->guest_fpstate_bytes), "%s", attributes[i].value);
		else if (!strcmp(attributes[i].name, ATTR_DISTURBED))
			row->disturbed = true;
		else if (!strcmp(attributes[i].name, "insns"))
			snprintf(row->insns, sizeof(row->insns), "%s", attributes[i].value);
	if (!nr_samples || !(ticks = malloc((size_t)nr_samples * sizeof(*ticks))))
		return;
	for (int i = 0; i < nr_samples; i++)
		ticks[i] = samples[i].ticks_per_op;
	runs = calloc((size_t)nr_samples, sizeof(*runs));
	rounds = malloc((size_t)nr_samples * sizeof(*rounds));
	for (int i = 0; rounds && i < nr_samples; i++)
		rounds[i] = samples[i].round;
	if (!runs || !rounds || side_estimate(ticks, runs, rounds, nr_samples, 1, &row->ticks))
		row->ticks = (struct side_estimate){ .why = "out of memory" };
	free(runs);
	free(rounds);
	stats_sort(ticks, nr_samples);
	row->median_ticks = stats_quantile_sorted(ticks, nr_samples, 0.5);
	row->iqr_percent = stats_iqr_percent(ticks, nr_samples);
	for (int i = 0; i < nr_samples; i++)
		ticks[i] = samples[i].ns_per_op;
	row->median_ns = stats_median(ticks, nr_samples);
	free(ticks);
}

static int by_order(const void *a, const void *b)
{
	const struct summary_row *x = a, *y = b;

	return (x->order > y->order) - (x->order < y->order);
}

/* The widest id column the 80-column table gives: its numbers and flag take the rest. */
#define TABLE_ID_MAX 43

/* The one-letter flags of the 80-column table, in the order they are shown. */
static const struct {
	char letter;
	const char *meaning;
} flags[] = {
	{ 'D', "disturbed: something else ran on its PU while it was measured" },
	{ 'F', "functional only: timed where timings mean nothing (QEMU TCG)" },
	{ 'r', "batches run again: the kernel changed the state under them (--wide: how many)" },
};

static char row_flag(const struct summary_row *r)
{
	return r->disturbed ? 'D' : r->functional_only ? 'F' : r->discarded_rate > 0 ? 'r' : ' ';
}

static void print_wide(const struct summary *s, FILE *out)
{
	fprintf(out, "\n%-44s %9s %8s %9s %6s %4s %s\n", "case", "ticks/op", "ns/op", "cycles/op", "IQR%", "n", "notes");
	for (int i = 0; i < s->count; i++) {
		const struct summary_row *r = &s->rows[i];

		if (r->status != CASE_OK)
			continue;
		fprintf(out, "%-44s %9.1f %8.2f %9.1f %6.1f %4d", r->id, r->median_ticks, r->median_ns,
			r->median_cycles, isfinite(r->iqr_percent) ? r->iqr_percent : 0.0, r->samples);
		if (r->xinuse[0])
			fprintf(out, " xinuse=%s", r->xinuse);
		if (!isnan(r->modopt_hit_rate))
			fprintf(out, " modopt-hit=%.0f%%", 100.0 * r->modopt_hit_rate);
		if (r->discarded_rate > 0)
			fprintf(out, " rerun=%.1f%%", 100.0 * r->discarded_rate);
		if (r->functional_only)
			fputs(" functional-only", out);
		if (r->disturbed)
			fputs(" disturbed", out);
		fputc('\n', out);
	}
}

/* @v in @width columns with at most @decimals decimals, fewer when it would not fit. */
static void fitted(FILE *out, double v, int width, int decimals)
{
	char text[64];

	do
		snprintf(text, sizeof(text), " %*.*f", width, decimals, v);
	while ((int)strlen(text) > width + 1 && decimals-- > 0);
	fputs(text, out);
}

/* 80 columns: an id longer than the id column gets a line of its own. */
static void print_narrow(const struct summary *s, FILE *out)
{
	bool seen[sizeof(flags) / sizeof(flags[0])] = { false };
	int width = 4;

	for (int i = 0; i < s->count; i++)
		if (s->rows[i].status == CASE_OK && (int)strlen(s->rows[i].id) > width)
			width = (int)strlen(s->rows[i].id);
	width = width > TABLE_ID_MAX ? TABLE_ID_MAX : width;
	fprintf(out, "\n%-*s %9s %8s %9s %5s\n", width, "case", "ticks/op", "ns/op", "cycles/op", "IQR%");
	for (int i = 0; i < s->count; i++) {
		const struct summary_row *r = &s->rows[i];
		char flag = row_flag(r);

		if (r->status != CASE_OK)
			continue;
		if ((int)strlen(r->id) > width)
			fprintf(out, "%s\n%-*s", r->id, width, "");
		else
			fprintf(out, "%-*s", width, r->id);
		fitted(out, r->median_ticks, 9, 1);
		fitted(out, r->median_ns, 8, 2);
		fitted(out, r->median_cycles, 9, 1);
		fitted(out, isfinite(r->iqr_percent) ? r->iqr_percent : 0.0, 5, 1);
		fprintf(out, flag == ' ' ? "\n" : " %c\n", flag);
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
			seen[f] |= flags[f].letter == flag;
	}
	for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
		if (seen[f])
			fprintf(out, "%c: %s\n", flags[f].letter, flags[f].meaning);
}

static void print_errors(const struct summary *s, FILE *out)
{
	int errors = 0;

	for (int i = 0; i < s->count; i++)
		errors += s->rows[i].status == CASE_ERROR;
	if (!errors)
		return;
	fprintf(out, "\nerrors (%d): no number reported\n", errors);
	for (int i = 0; i < s->count; i++) {
		char line[CASE_ID_MAX + CASE_REASON_MAX + 8];

		if (s->rows[i].status != CASE_ERROR)
			continue;
		snprintf(line, sizeof(line), "%s: %s", s->rows[i].id, s->rows[i].reason);
		fputs("  ", out);
		cli_write_wrapped(out, line, 2, 4);
		fputc('\n', out);
	}
}

/* One reason and the cases skipped for it, in plan order. */
struct skip_group {
	const char *reason;
	int count, first; /* first: the row of its first case */
};

static int by_count(const void *a, const void *b)
{
	const struct skip_group *x = a, *y = b;

	return x->count != y->count ? y->count - x->count : x->first - y->first;
}

static void print_skips(const struct summary *s, const struct summary_view *v, FILE *out)
{
	struct skip_group *groups = calloc((size_t)(s->count ? s->count : 1), sizeof(*groups));
	int nr = 0, skipped = 0;

	if (!groups)
		return;
	for (int i = 0; i < s->count; i++) {
		int g = 0;

		if (s->rows[i].status != CASE_SKIP)
			continue;
		skipped++;
		while (g < nr && strcmp(groups[g].reason, s->rows[i].reason))
			g++;
		if (g == nr)
			groups[nr++] = (struct skip_group){ .reason = s->rows[i].reason, .first = i };
		groups[g].count++;
	}
	qsort(groups, (size_t)nr, sizeof(*groups), by_count);
	if (skipped)
		fprintf(out, "\nskipped: %d of %d cases, for %d reason%s%s\n", skipped, s->count, nr, nr == 1 ? "" : "s",
			v->verbose ? "" : " (run --verbose or list: every case)");
	for (int g = 0; g < nr; g++) {
		const char *hint = require_hint(groups[g].reason);

		fprintf(out, "%5d  ", groups[g].count);
		cli_write_wrapped(out, groups[g].reason, 7, 7);
		if (!v->verbose)
			fprintf(out, "\n       e.g. %s", s->rows[groups[g].first].id);
		if (hint) {
			fputs("\n       ", out);
			cli_write_wrapped(out, hint, 7, 7);
		}
		fputc('\n', out);
		for (int i = groups[g].first; v->verbose && i < s->count; i++)
			if (s->rows[i].status == CASE_SKIP && !strcmp(s->rows[i].reason, groups[g].reason))
				fprintf(out, "         %s\n", s->rows[i].id);
	}
	free(groups);
}

void summary_print(struct summary *s, const struct summary_view *v, FILE *out)
{
	qsort(s->rows, (size_t)s->count, sizeof(s->rows[0]), by_order);
	if (v->wide)
		print_wide(s, out);
	else
		print_narrow(s, out);
	summary_print_comparisons(s, out);
	print_errors(s, out);
	print_skips(s, v, out);
}

void summary_free(struct summary *s)
{
	free(s->rows);
	memset(s, 0, sizeof(*s));
}
