/*
 * nightly_summary.h - a night in words for people and in JSON for programs: summary.md (what
 * the night was judged and why; the regressions, failures and drifts first, then the
 * improvements; the machine-wide shift and its controls; the disturbed cases with their
 * reasons; the other notes; the counts; a link to the report) and nightly.json (the same
 * facts: state, exit status, the rolling baseline's runs, the counts, each flagged and each
 * drifting case; the cases measured or failed, skipped, compared, flagged and disturbed).
 */
#ifndef XB_RESULTS_NIGHTLY_SUMMARY_H
#define XB_RESULTS_NIGHTLY_SUMMARY_H

#include <stdio.h>

#include "nightly_judge.h"

/* What the summary says of the night besides its judgement. */
struct nightly_facts {
	const char *label;
	const char *night;          /* YYYY-MM-DD */
	const char *kernel_release;
	const char *kernel_commit;  /* NULL when not given */
	const char *report;         /* the report's page, relative to the summary */
};

/* The night in one word, as the summary's title says it: "REGRESSION", "PASS", ... */
const char *nightly_headline(const struct nightly_judgement *j);
int nightly_summary_markdown(const struct nightly_judgement *j, const struct nightly_facts *f, FILE *out) XB_MUST_CHECK;
int nightly_summary_json(const struct nightly_judgement *j, const struct nightly_facts *f, FILE *out) XB_MUST_CHECK;

#endif
