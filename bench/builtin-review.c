/*
 * builtin-review.c - `xstate-bench review MANIFEST`: a patch series against its base, from
 * the runs scripts/lab/compare-series.py made (interleaved, several a kernel): the mail-ready
 * text on stdout, and with --out the text, the Markdown and the HTML report in a directory.
 * Exit status as compare's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../results/report.h"
#include "../results/review_format.h"
#include "cli.h"

static struct {
	struct verdict_options verdict;
	const char *db, *metric, *out;
} args;

static int write_file(const char *dir, const char *name, const struct review *r,
		      void (*writer)(const struct review *, FILE *))
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "w")))
		return xb_fail_errno("open %s", path);
	writer(r, f);
	return fclose(f) ? xb_fail_errno("write %s", path) : 0;
}

/* review.txt, review.md and report/ in @dir. */
static int write_outputs(struct results_store *st, const char *dir, const char *metric, const struct verdict_options *o,
			 const struct review *r)
{
	char report_dir[4096];
	struct report_outcome outcome;
	struct report_options ro = { .dir = report_dir, .metric = metric, .verdict = *o, .names = r->names };
	int rc = 0;

	if (mkdir(dir, 0755) && errno != EEXIST)
		rc = xb_fail_errno("mkdir %s", dir);
	if (!rc)
		rc = write_file(dir, "review.txt", r, review_write_text);
	if (!rc)
		rc = write_file(dir, "review.md", r, review_write_markdown);
	snprintf(report_dir, sizeof(report_dir), "%s/report", dir);
	if (!rc)
		rc = report_write(st, r->specs, r->nr_kernels, &ro, &outcome);
	return rc;
}

static int review_main(int argc, char **argv)
{
	struct results_store *st = NULL;
	struct review r = { 0 };
	int first, rc, outcome = 0;

	memset(&args, 0, sizeof(args));
	args.verdict = (struct verdict_options)CLI_VERDICT_DEFAULTS;
	if ((rc = cli_parse(&cmd_review, argc, argv, &first)) != CLI_CONTINUE)
		return rc;
	if (argc - first != 1)
		return cli_usage_error(&cmd_review, "want one MANIFEST");
	if (cli_stop_after_arguments)
		return 0;
	rc = cli_open_results(args.db, &st);
	if (!rc)
		rc = review_load(st, argv[first], args.metric, &args.verdict, &r);
	if (!rc)
		review_write_text(&r, stdout);
	if (!rc && fflush(stdout))
		rc = xb_fail_errno("write stdout");
	if (!rc && args.out)
		rc = write_outputs(st, args.out, args.metric, &args.verdict, &r);
	if (!rc)
		outcome = (int)comparison_outcome(&r.set.cmp);
	if (rc)
		fprintf(stderr, "xstate-bench review: %s\n", xb_error_message());
	review_free(&r);
	results_close(st);
	return rc ? EXIT_USAGE : outcome;
}

static const char *const review_forms[] = { "MANIFEST", NULL };
static const struct cli_operand review_operands[] = {
	{ "MANIFEST", "what scripts/lab/compare-series.py wrote (series.json): the kernels, the base first, with "
		      "their sources and patches, and the schedule of their runs" },
	{ NULL },
};
static const struct cli_option review_options[] = {
	CLI_DB_OPTION(&args.db),
	OPT_STRING(0, "metric", &args.metric, "NAME", "the per-sample value compared (default: compare's)"),
	CLI_VERDICT_OPTIONS(&args.verdict),
	OPT_BOOLEAN(0, "functional-only-verdicts", &args.verdict.functional_only_verdicts,
		    "judge timings that mean nothing (QEMU TCG: the lab) like real ones; every output then says so "
		    "first. Without it those cases are never a regression"),
	OPT_STRING(0, "out", &args.out, "DIR", "also write DIR/review.txt, DIR/review.md and the HTML report in "
		   "DIR/report"),
	OPT_END(),
};

const struct cli_command cmd_review = {
	.name = "review",
	.summary = "a patch series against its base: each kernel's interleaved lab runs compared",
	.forms = review_forms,
	.operands = review_operands,
	.options = review_options,
	.description = "Each kernel's runs are one side (its rounds of the interleaved schedule); every version is "
		       "compared with the base as compare does. The text (80 columns, for a reply on a mailing "
		       "list) names the host, the lab, each kernel's release, source and patches and the schedule, "
		       "gives each version's machine-wide shift, then only the cases that changed in some version "
		       "(a regression, an improvement, new, missing or failed).\n\nExit status: 0 nothing "
		       "regressed, 1 a case regressed or failed, 2 error, 3 inconclusive.",
	.main = review_main,
};
