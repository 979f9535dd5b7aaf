/*
 * builtin-review.c - `xstate-bench review MANIFEST`: a patch series against its base, from
 * the runs scripts/lab/compare-series.sh made (interleaved, several a kernel): the mail-ready
 * text on stdout, and with --out the text, the Markdown and the HTML report in a directory.
 * Exit status as compare's.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>

#include "../results/report.h"
#include "../results/review_format.h"
#include "cli.h"

static const char usage[] =
	"usage: xstate-bench review [--db URL] [--metric NAME] [--threshold PCT] [--alpha A]\n"
	"                           [--functional-only-verdicts] [--out DIR] MANIFEST\n"
	"\n"
	"  MANIFEST           what scripts/lab/compare-series.sh wrote: the kernels (the base\n"
	"                     first), their sources and patches, the schedule of their runs\n"
	"  --db URL           results database holding the runs (default $XSTATE_BENCH_DB or\n"
	"                     ./xstate-bench.db)\n"
	"  --metric NAME      per-sample value compared (default: compare's)\n"
	"  --threshold PCT    smallest change that counts, in percent (default 2)\n"
	"  --alpha A          chance of any false alarm across one version's cases (default 0.01)\n"
	"  --functional-only-verdicts\n"
	"                     judge timings that mean nothing (QEMU TCG: the lab) like real\n"
	"                     ones; every output then says so in a banner. Without it those\n"
	"                     cases are never a regression\n"
	"  --out DIR          also write DIR/review.txt, DIR/review.md and the HTML report in\n"
	"                     DIR/report (index.html, the charts)\n"
	"  --help             this text\n"
	"\n"
	"Each kernel's runs are one side (its rounds of the interleaved schedule); every version\n"
	"is compared with the base as compare does. The text lists only the cases that changed\n"
	"in some version.\n"
	"Exit status: 0 nothing regressed, 1 something regressed, 2 error, 3 inconclusive.\n";

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

int cmd_review(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "metric", required_argument, NULL, 'm' },
		{ "threshold", required_argument, NULL, 't' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "functional-only-verdicts", no_argument, NULL, 'F' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct verdict_options o = CLI_VERDICT_DEFAULTS;
	const char *db = NULL, *metric = NULL, *out_dir = NULL;
	struct results_store *st = NULL;
	struct review r = { 0 };
	int opt, rc = 0, outcome = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'D': db = optarg; break;
		case 'm': metric = optarg; break;
		case 't':
		case 'a':
			if ((rc = cli_verdict_option(usage, opt, optarg, &o)))
				return rc;
			break;
		case 'F': o.functional_only_verdicts = true; break;
		case 'o': out_dir = optarg; break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option(usage, argc, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(usage, "want one MANIFEST");
	if ((rc = cli_open_results(db, &st)))
		goto out;
	rc = review_load(st, argv[optind], metric, &o, &r);
	if (!rc)
		review_write_text(&r, stdout);
	if (!rc && out_dir)
		rc = write_outputs(st, out_dir, metric, &o, &r);
	if (!rc)
		outcome = (int)comparison_outcome(&r.set.cmp);
out:
	if (rc)
		fprintf(stderr, "xstate-bench review: %s\n", xb_error_message());
	review_free(&r);
	results_close(st);
	return rc ? EXIT_USAGE : outcome;
}
