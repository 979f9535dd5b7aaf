/*
 * nightly_artifacts.c - each file of the night, then index.txt.
 */
#include "nightly_artifacts.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_format.h"
#include "gbench_export.h"
#include "report.h"

/* Every file and what it is, in index.txt's order. */
static const struct {
	const char *name, *what;
} files[] = {
	{ "summary.md", "the night in Markdown: regressions first, the machine-wide shift, the disturbed cases with "
			"their reasons, the counts, a link to the report" },
	{ "comparison.ktap", "the comparison with the rolling baseline in KTAP version 1 (kselftest runners, KernelCI, "
			     "LKFT): a case that regressed, drifted or failed is 'not ok'" },
	{ "comparison.junit.xml", "the same in JUnit XML (Jenkins, GitLab): one testcase per case" },
	{ "comparison.json", "the same in compare's JSON: every case's figures and verdict, the notes" },
	{ "nightly.json", "the night in JSON: state, exit status, the rolling baseline's runs, the counts, the flagged "
			  "and drifting cases" },
	{ "run.json", "the night's run as Google Benchmark JSON (xstate-bench import and compare.py read it)" },
	{ "report/index.html", "the HTML report (report.md beside it): the flagged cases over the last nights, then "
			       "every operation's cost and history, gnuplot charts as PNG and SVG" },
	{ NIGHTLY_MACHINE_DUMP, "the machine as probed before the run (probe --cpuid-dump and list --cpuid-dump read it)" },
};

static FILE *create(const char *dir, const char *name, char *path, size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/%s", dir, name);
	if (!(f = fopen(path, "w")))
		xb_fail_errno("open %s", path);
	return f;
}

static int finish(FILE *f, const char *path, int rc)
{
	if (fclose(f) && !rc)
		rc = xb_fail_errno("write %s", path);
	return rc;
}

static int write_comparison(const char *dir, const char *name, const struct comparison *c, enum compare_format format)
{
	char path[4096];
	FILE *f = create(dir, name, path, sizeof(path));

	return f ? finish(f, path, compare_format_write(c, format, f)) : -EIO;
}

/* The flagged cases over the key's last nights, then the report's own charts. */
static int write_report(struct results_store *st, const char *dir, const struct nightly_judgement *j)
{
	struct report_case_history *cases = calloc((size_t)(j->cmp->nr_rows + 1), sizeof(*cases));
	char (*captions)[COMPARISON_WHY_MAX + 64] = calloc((size_t)(j->cmp->nr_rows + 1), sizeof(*captions));
	char report_dir[4096], base_spec[96], run_spec[32], *specs[2] = { base_spec, run_spec };
	struct report_options o = { .dir = report_dir, .verdict = j->options.verdict, .history_runs = j->history,
				    .nr_history_runs = j->nr_history };
	struct report_outcome outcome;
	int rc = cases && captions ? 0 : xb_fail(ENOMEM, "out of memory");

	for (int r = 0; r < j->cmp->nr_rows && !rc; r++) {
		const struct case_verdict *v = &j->cmp->rows[r].cells[0];
		const char *reason = compare_cell_reason(&j->cmp->rows[r], 0);
		char change[64];

		if (!nightly_row_flagged(j, r))
			continue;
		compare_change_text(v, false, change, sizeof(change));
		snprintf(captions[o.nr_case_histories], sizeof(captions[0]), "%s %s%s%s", verdict_name(v->verdict), change,
			 reason ? ", " : "", reason ? reason : "");
		cases[o.nr_case_histories] = (struct report_case_history){ j->cmp->rows[r].id, captions[o.nr_case_histories] };
		o.nr_case_histories++;
	}
	o.case_histories = cases;
	snprintf(report_dir, sizeof(report_dir), "%s/report", dir);
	snprintf(base_spec, sizeof(base_spec), "baseline:%s", j->baseline_name);
	snprintf(run_spec, sizeof(run_spec), "run:%" PRId64, j->run_id);
	if (!rc)
		rc = report_write(st, j->against_baseline ? specs : specs + 1, j->against_baseline ? 2 : 1, &o, &outcome);
	free(cases);
	free(captions);
	return rc;
}

static int write_index(const char *dir, const struct nightly_judgement *j, const struct nightly_facts *f,
		       bool machine_dump)
{
	char path[4096];
	FILE *out = create(dir, "index.txt", path, sizeof(path));

	if (!out)
		return -EIO;
	fprintf(out, "xstate-bench nightly %s: run %" PRId64 " (%s), %s, exit %d\n%s: %s\n\n", f->night, j->run_id,
		f->label, nightly_headline(j), j->outcome, night_state_name(j->state), j->reason);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (machine_dump || strcmp(files[i].name, NIGHTLY_MACHINE_DUMP))
			fprintf(out, "%-21s %s\n", files[i].name, files[i].what);
	return finish(out, path, 0);
}

int nightly_artifacts_write(struct results_store *st, const char *dir, const struct nightly_judgement *j,
			    const struct nightly_facts *f, bool machine_dump)
{
	char path[4096];
	FILE *out;
	int rc = write_comparison(dir, "comparison.ktap", j->cmp, FORMAT_KTAP);

	if (!rc)
		rc = write_comparison(dir, "comparison.junit.xml", j->cmp, FORMAT_JUNIT);
	if (!rc)
		rc = write_comparison(dir, "comparison.json", j->cmp, FORMAT_JSON);
	if (!rc)
		rc = (out = create(dir, "run.json", path, sizeof(path))) ? finish(out, path, gbench_export(st, j->run_id,
											EXPORT_JSON, out)) : -EIO;
	if (!rc)
		rc = write_report(st, dir, j);
	if (!rc)
		rc = (out = create(dir, "summary.md", path, sizeof(path))) ? finish(out, path,
										  nightly_summary_markdown(j, f, out)) : -EIO;
	if (!rc)
		rc = (out = create(dir, "nightly.json", path, sizeof(path))) ? finish(out, path,
										    nightly_summary_json(j, f, out)) : -EIO;
	if (!rc)
		rc = write_index(dir, j, f, machine_dump);
	return rc;
}
