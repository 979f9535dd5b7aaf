/*
 * nightly_summary.c - summary.md and nightly.json.
 */
#include "nightly_summary.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "compare_format.h"
#include "disturbance.h"
#include "json_write.h"

const char *nightly_headline(const struct nightly_judgement *j)
{
	switch (j->state) {
	case NIGHT_BUILDING: return "BUILDING BASELINE";
	case NIGHT_PASS: return "PASS";
	case NIGHT_FLAGGED: return j->outcome == OUTCOME_REGRESSION ? "REGRESSION" : "CHANGED";
	case NIGHT_INCONCLUSIVE: return "INCONCLUSIVE";
	default: return "DISTURBED";
	}
}

/* Why a row of tonight is disturbed: its cell's reason, or (a night without verdicts) its own
 * evidence; NULL when it is not. */
static const char *row_disturbed(const struct comparison_row *row, char *why, size_t size)
{
	const struct case_verdict *v = &row->cells[0];

	if (v->verdict == VERDICT_DISTURBED)
		return v->disturbed;
	if (row->news[0] && !v->functional_only && disturbance_case(&row->news[0]->interference, why, size))
		return why;
	return NULL;
}

static bool shift_note(const struct comparison_note *n)
{
	return !strcmp(n->kind, "machine-wide shift") || !strcmp(n->kind, "controls") ||
	       !strcmp(n->kind, "machine-wide drift") || !strcmp(n->kind, "INCONCLUSIVE");
}

/* The rows with one of the @n @verdicts as a table, or "None." */
static void verdict_table(const struct comparison *c, const enum verdict *verdicts, int n, FILE *out)
{
	int shown = 0;

	for (int r = 0; r < c->nr_rows; r++) {
		const struct comparison_row *row = &c->rows[r];
		const struct case_verdict *v = &row->cells[0];
		const char *reason = compare_cell_reason(row, 0);
		char base[24], new[24], change[64];
		bool wanted = false;

		for (int i = 0; i < n; i++)
			wanted |= comparison_cell_present(row, 0) && v->verdict == verdicts[i];
		if (!wanted)
			continue;
		if (!shown++)
			fprintf(out, "| case | baseline | tonight | change [95%% interval] | p (Holm) | verdict |\n"
				     "| --- | ---: | ---: | --- | ---: | --- |\n");
		compare_number_text(v->base_median, base, sizeof(base));
		compare_number_text(v->new_median, new, sizeof(new));
		compare_change_text(v, !isnan(v->r.lo), change, sizeof(change));
		fprintf(out, "| `%s` | %s | %s | %s | ", row->id, base, new, change);
		fprintf(out, isnan(v->p_adjusted) ? "- | " : "%.2g | ", v->p_adjusted);
		fprintf(out, "**%s**", verdict_name(v->verdict));
		if (reason) {
			fputs(": ", out);
			markdown_cell_text(out, reason);
		}
		fputs(" |\n", out);
	}
	if (!shown)
		fputs("None.\n", out);
}

static void header(const struct nightly_judgement *j, const struct nightly_facts *f, FILE *out)
{
	const struct series_run *run = &j->cmp->news[0].runs[0];
	char machine[400];

	series_run_machine(run, machine, sizeof(machine));
	fprintf(out, "# Nightly %s: %s (exit %d)\n\n**%s: ", f->night, nightly_headline(j), j->outcome,
		night_state_name(j->state));
	markdown_cell_text(out, j->reason);
	fprintf(out, "**\n\n- run %" PRId64 " `%s`, started %s%s%s, on %s\n- kernel %s%s%s\n- configuration `%s`\n",
		j->run_id, f->label, run->started_at, strcmp(run->source, "run") ? ", " : "",
		strcmp(run->source, "run") ? run->source : "", machine, f->kernel_release,
		f->kernel_commit ? ", commit " : "", f->kernel_commit ? f->kernel_commit : "", j->key.configuration);
	if (j->building) {
		fprintf(out, "- rolling baseline: building (%d of %d quiet nights): no verdicts until it has %d\n",
			j->nr_baseline, j->options.baseline_nights, j->options.baseline_nights);
	} else {
		fprintf(out, "- rolling baseline `%s`: runs", j->baseline_name);
		for (int i = j->nr_baseline - 1; i >= 0; i--)
			fprintf(out, " %" PRId64 "%s", j->baseline[i], i ? "," : "");
		fprintf(out, " (the last %d quiet nights of this machine and configuration)%s\n", j->nr_baseline,
			j->against_baseline ? "" : ": every result of theirs is functional only, nothing is compared");
	}
	fprintf(out, "- the report: [%s](%s); every file: [index.txt](index.txt)\n", f->report, f->report);
}

static void disturbed_section(const struct comparison *c, FILE *out)
{
	int shown = 0;

	fputs("\n## Disturbed\n\n", out);
	if (c->columns[0].disturbed[0])
		fprintf(out, "The whole night: %s.\n\n", c->columns[0].disturbed);
	for (int r = 0; r < c->nr_rows; r++) {
		char why[COMPARISON_WHY_MAX];
		const char *reason = row_disturbed(&c->rows[r], why, sizeof(why));

		if (!reason)
			continue;
		if (!shown++)
			fputs("| case | what else ran |\n| --- | --- |\n", out);
		fprintf(out, "| `%s` | ", c->rows[r].id);
		markdown_cell_text(out, reason);
		fputs(" |\n", out);
	}
	if (!shown && !c->columns[0].disturbed[0])
		fputs("None.\n", out);
}

int nightly_summary_markdown(const struct nightly_judgement *j, const struct nightly_facts *f, FILE *out)
{
	static const enum verdict flagged[] = { VERDICT_REGRESSION, VERDICT_FAILED, VERDICT_DRIFT };
	static const enum verdict improved[] = { VERDICT_IMPROVEMENT };
	const struct comparison *c = j->cmp;
	char counts[COMPARE_COUNTS_SIZE];

	header(j, f, out);
	fputs("\n## Regressions, failures and drifts\n\n", out);
	verdict_table(c, flagged, 3, out);
	fputs("\n## Improvements\n\n", out);
	verdict_table(c, improved, 1, out);
	fputs("\n## Machine-wide shift\n\n", out);
	for (int i = 0; i < c->nr_notes && j->against_baseline; i++)
		if (shift_note(&c->notes[i]))
			fprintf(out, "- %s: %s\n", c->notes[i].kind, c->notes[i].text);
	if (!j->against_baseline)
		fputs("None measured: nothing was compared.\n", out);
	disturbed_section(c, out);
	fputs("\n## Notes\n\n", out);
	for (int i = 0; i < c->nr_notes; i++)
		if (!shift_note(&c->notes[i]))
			fprintf(out, "- %s: %s\n", c->notes[i].kind, c->notes[i].text);
	compare_counts_text(c, 0, counts, sizeof(counts));
	fprintf(out, "\n## Counts\n\n%d cases compared, %d flagged, %d disturbed; verdicts: %s.\n", j->compared, j->flagged,
		j->disturbed, counts);
	fputs("\nFlagged and drifting cases stay out of the rolling baseline until someone accepts the night: "
	      "`xstate-bench baseline accept --reason WHY RUN`.\n", out);
	return ferror(out) ? xb_fail(EIO, "write the summary") : 0;
}

static void add_runs(cJSON *o, const char *name, const int64_t *runs, int nr, bool newest_first)
{
	cJSON *a = cJSON_AddArrayToObject(o, name);

	for (int i = 0; i < nr; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber((double)runs[newest_first ? nr - 1 - i : i]));
}

static void add_text_or_null(cJSON *o, const char *name, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, name, v);
	else
		cJSON_AddNullToObject(o, name);
}

static void add_cases(const struct nightly_judgement *j, cJSON *root)
{
	cJSON *flagged = cJSON_AddArrayToObject(root, "flagged"), *drifts = cJSON_AddArrayToObject(root, "drift");

	for (int r = 0; r < j->cmp->nr_rows; r++) {
		const struct case_verdict *v = &j->cmp->rows[r].cells[0];
		cJSON *o;

		if (!nightly_row_flagged(j, r))
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", j->cmp->rows[r].id);
		cJSON_AddStringToObject(o, "verdict", verdict_name(v->verdict));
		if (v->r.valid)
			cJSON_AddNumberToObject(o, "change", v->r.ratio - 1);
		else
			cJSON_AddNullToObject(o, "change");
		cJSON_AddItemToArray(flagged, o);
	}
	for (int i = 0; i < j->nr_drifts; i++) {
		const struct nightly_drift *d = &j->drifts[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "id", j->cmp->rows[d->row].id);
		cJSON_AddStringToObject(o, "direction", d->direction > 0 ? "slower" : "faster");
		cJSON_AddNumberToObject(o, "began_run", (double)d->began_run);
		cJSON_AddStringToObject(o, "began_at", d->began_at);
		cJSON_AddNumberToObject(o, "nights", d->nights);
		cJSON_AddNumberToObject(o, "per_night", d->per_night);
		cJSON_AddNumberToObject(o, "change", d->change);
		cJSON_AddNumberToObject(o, "p_adjusted", d->p_adjusted);
		cJSON_AddItemToArray(drifts, o);
	}
}

static int unmeasured(const struct series *night, enum case_status status)
{
	int n = 0;

	for (int i = 0; i < night->nr_unmeasured; i++)
		n += night->unmeasured[i].status == status;
	return n;
}

int nightly_summary_json(const struct nightly_judgement *j, const struct nightly_facts *f, FILE *out)
{
	cJSON *root = cJSON_CreateObject(), *baseline, *counts;
	char machine[400];

	series_run_machine(&j->cmp->news[0].runs[0], machine, sizeof(machine));
	cJSON_AddNumberToObject(root, "run", (double)j->run_id);
	cJSON_AddStringToObject(root, "label", f->label);
	cJSON_AddStringToObject(root, "night", f->night);
	cJSON_AddNumberToObject(root, "machine_id", (double)j->key.machine_id);
	cJSON_AddStringToObject(root, "machine", machine);
	cJSON_AddStringToObject(root, "configuration", j->key.configuration);
	cJSON_AddStringToObject(root, "kernel_release", f->kernel_release);
	add_text_or_null(root, "kernel_commit", f->kernel_commit);
	cJSON_AddStringToObject(root, "state", night_state_name(j->state));
	cJSON_AddNumberToObject(root, "outcome", j->outcome);
	cJSON_AddStringToObject(root, "reason", j->reason);
	baseline = cJSON_AddObjectToObject(root, "baseline");
	cJSON_AddStringToObject(baseline, "name", j->baseline_name);
	cJSON_AddBoolToObject(baseline, "building", j->building);
	cJSON_AddNumberToObject(baseline, "nights", j->options.baseline_nights);
	add_runs(baseline, "runs", j->baseline, j->nr_baseline, true);
	counts = cJSON_AddObjectToObject(root, "counts");
	cJSON_AddNumberToObject(counts, "cases", j->cmp->news[0].nr_cases + unmeasured(&j->cmp->news[0], CASE_ERROR));
	cJSON_AddNumberToObject(counts, "skipped", unmeasured(&j->cmp->news[0], CASE_SKIP));
	cJSON_AddNumberToObject(counts, "compared", j->compared);
	cJSON_AddNumberToObject(counts, "flagged", j->flagged);
	cJSON_AddNumberToObject(counts, "disturbed", j->disturbed);
	cJSON_AddNumberToObject(root, "trend_nights", j->nr_trend_nights);
	add_runs(root, "history", j->history, j->nr_history, false);
	add_cases(j, root);
	return json_write(root, out);
}
