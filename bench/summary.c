/*
 * summary.c - the end-of-run table.
 */
#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../results/disturbance.h"
#include "../results/stats.h"

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

void summary_print(struct summary *s, FILE *out)
{
	int skipped = 0, errors = 0;

	qsort(s->rows, (size_t)s->count, sizeof(s->rows[0]), by_order);
	fprintf(out, "\n%-44s %9s %8s %9s %6s %4s %s\n", "case", "ticks/op", "ns/op", "cycles/op",
		"IQR%", "n", "notes");
	for (int i = 0; i < s->count; i++) {
		const struct summary_row *r = &s->rows[i];

		if (r->status != CASE_OK) {
			skipped += r->status == CASE_SKIP;
			errors += r->status == CASE_ERROR;
			continue;
		}
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
	summary_print_comparisons(s, out);
	if (errors) {
		fprintf(out, "\nerrors (%d): no number reported\n", errors);
		for (int i = 0; i < s->count; i++)
			if (s->rows[i].status == CASE_ERROR)
				fprintf(out, "  %s: %s\n", s->rows[i].id, s->rows[i].reason);
	}
	if (skipped) {
		fprintf(out, "\nskipped (%d):\n", skipped);
		for (int i = 0; i < s->count; i++)
			if (s->rows[i].status == CASE_SKIP)
				fprintf(out, "  %s: %s\n", s->rows[i].id, s->rows[i].reason);
	}
}

void summary_free(struct summary *s)
{
	free(s->rows);
	memset(s, 0, sizeof(*s));
}
