/*
 * builtin-baseline.c - `xstate-bench baseline set NAME RUN... | list | show NAME | accept RUN`.
 */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../results/baseline.h"
#include "../results/nightly_record.h"
#include "../results/series.h"
#include "../results/stats.h"
#include "cli.h"

static struct {
	const char *db, *metric, *by, *reason;
} args;

static int set(struct results_store *st, const char *name, int nr, char **specs)
{
	int64_t *runs = calloc((size_t)nr, sizeof(*runs));
	struct baseline_outcome o;
	char now[32];
	int rc = runs ? 0 : xb_fail(ENOMEM, "out of memory");

	for (int i = 0; i < nr && !rc; i++) {
		struct series s;

		if (!(rc = series_resolve(st, specs[i], &s)) && s.baseline_id)
			rc = xb_fail(EINVAL, "%s is a baseline: a baseline is set from runs", specs[i]);
		if (!rc)
			runs[i] = s.runs[0].id;
		series_free(&s);
	}
	cli_iso_time(now, sizeof(now));
	if (!rc)
		rc = baseline_set(st, name, runs, nr, now, stdout, &o);
	if (!rc)
		printf("baseline %s: %d results from %d run%s%s\n", name, o.nr_results, nr, nr > 1 ? "s" : "",
		       o.nr_excluded ? " (functional-only results excluded, listed above)" : "");
	free(runs);
	return rc;
}

static int accept(struct results_store *st, const char *spec, const char *who, const char *why)
{
	struct night_acceptance a;
	struct series s;
	char now[32];
	int rc = series_resolve(st, spec, &s);

	if (!rc && s.baseline_id)
		rc = xb_fail(EINVAL, "%s is a baseline: accept takes a night's run", spec);
	cli_iso_time(now, sizeof(now));
	if (!rc && !(rc = nightly_accept(st, s.runs[0].id, now, who, why, &a)))
		printf("accepted run %" PRId64 " (%s night) into the rolling baseline of machine %" PRId64 ", %s; by %s: %s\n",
		       s.runs[0].id, night_state_name(a.state), a.machine_id, a.configuration, who, why);
	series_free(&s);
	return rc;
}

/* The login name of the effective user, else $USER, else its uid. */
static const char *login_name(char *buf, size_t size)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *user = getenv("USER");

	if (pw)
		return pw->pw_name;
	if (user && *user)
		return user;
	snprintf(buf, size, "uid %d", (int)geteuid());
	return buf;
}

static int show(struct results_store *st, const char *name, const char *metric)
{
	char spec[256];
	struct series s;
	int rc;

	snprintf(spec, sizeof(spec), "baseline:%s", name);
	if ((rc = series_load(st, spec, metric, &s)))
		return rc;
	printf("%s: %d runs, %d cases, metric %s\n", s.name, s.nr_runs, s.nr_cases, metric);
	for (int i = 0; i < s.nr_runs; i++)
		printf("  run %" PRId64 " %s %s%s\n", s.runs[i].id, s.runs[i].started_at, s.runs[i].label,
		       s.runs[i].complete ? "" : " (incomplete)");
	printf("\n%-48s %5s %12s %7s\n", "case", "n", "median", "IQR%");
	for (int i = 0; i < s.nr_cases; i++) {
		struct series_case *c = &s.cases[i];

		stats_sort(c->values, c->n);
		printf("%-48s %5d %12.2f %7.1f  %s\n", c->id, c->n, stats_quantile_sorted(c->values, c->n, 0.5),
		       stats_iqr_percent(c->values, c->n), series_metric_unit(metric, c->unit));
	}
	series_free(&s);
	return 0;
}

static int baseline_main(int argc, char **argv)
{
	const char *action, *name = NULL;
	struct results_store *st;
	char uid[32];
	int first, rc, nr;

	memset(&args, 0, sizeof(args));
	args.metric = CLI_DEFAULT_METRIC;
	if ((rc = cli_parse(&cmd_baseline, argc, argv, &first)) != CLI_CONTINUE)
		return rc;
	if (first >= argc)
		return cli_usage_error(&cmd_baseline, "want set, list, show or accept");
	action = argv[first];
	nr = argc - first - 1;
	if (!strcmp(action, "set") && nr < 2)
		return cli_usage_error(&cmd_baseline, "baseline set: want NAME and at least one RUN");
	if (!strcmp(action, "set") &&
	    cli_check_operand(&cmd_baseline, "baseline set NAME", cli_check_name, &name, argv[first + 1]) != CLI_CONTINUE)
		return EXIT_USAGE;
	if (!strcmp(action, "list") && nr)
		return cli_usage_error(&cmd_baseline, "unexpected argument: %s", argv[first + 1]);
	if (!strcmp(action, "show") && nr != 1)
		return cli_usage_error(&cmd_baseline, "baseline show: want one NAME");
	if (!strcmp(action, "accept") && nr != 1)
		return cli_usage_error(&cmd_baseline, "baseline accept: want one RUN");
	if (!strcmp(action, "accept") && (!args.reason || !*args.reason))
		return cli_usage_error(&cmd_baseline, "baseline accept: say why with --reason TEXT");
	if (strcmp(action, "accept") && (args.by || args.reason))
		return cli_usage_error(&cmd_baseline, "--by and --reason are for accept");
	if (strcmp(action, "set") && strcmp(action, "list") && strcmp(action, "show") && strcmp(action, "accept"))
		return cli_usage_error(&cmd_baseline, "unknown action '%s': want set, list, show or accept", action);
	if (cli_stop_after_arguments)
		return 0;
	rc = !strcmp(action, "set") || !strcmp(action, "accept") ? cli_open_results_for_writing(args.db, &st)
								   : cli_open_results(args.db, &st);
	if (rc)
		goto out;
	if (!strcmp(action, "set"))
		rc = set(st, name, nr - 1, argv + first + 2);
	else if (!strcmp(action, "list"))
		rc = baseline_list(st, stdout);
	else if (!strcmp(action, "accept"))
		rc = accept(st, argv[first + 1], args.by ? args.by : login_name(uid, sizeof(uid)), args.reason);
	else
		rc = show(st, argv[first + 1], args.metric);
	results_close(st);
out:
	if (rc)
		fprintf(stderr, "xstate-bench baseline: %s\n", xb_error_message());
	return rc ? 1 : 0;
}

static const char *const baseline_forms[] = { "set NAME RUN...", "list", "show NAME", "accept RUN", NULL };
static const struct cli_operand baseline_operands[] = {
	{ "set NAME RUN...", "make (or replace) baseline NAME from one run or several pooled runs of one machine; RUN "
			     "is a run id or a run label (its latest run). Runs must be complete; results marked "
			     "functional_only (timings that mean nothing, e.g. under QEMU TCG) are left out and "
			     "listed" },
	{ "list", "every baseline: when it was set, its runs and results" },
	{ "show NAME", "its runs, and per case the samples, median and spread of --metric" },
	{ "accept RUN", "let a flagged or inconclusive night of the nightly job (a run id or label) into its rolling "
			"baseline: its level is the new normal; recorded with --by and --reason" },
	{ NULL },
};
static const struct cli_option baseline_options[] = {
	CLI_DB_OPTION(&args.db),
	OPT_STRING(0, "metric", &args.metric, "NAME", "for show: ticks_per_op (default), core_cycles_per_op, ..."),
	OPT_STRING(0, "reason", &args.reason, "TEXT", "for accept: why (required)"),
	OPT_STRING(0, "by", &args.by, "WHO", "for accept: who accepts it (default: the login name)"),
	OPT_END(),
};

const struct cli_command cmd_baseline = {
	.name = "baseline",
	.summary = "set, list and show named baselines; accept a night into its rolling baseline",
	.forms = baseline_forms,
	.operands = baseline_operands,
	.options = baseline_options,
	.description = "compare and report take a baseline name wherever they take a run.",
	.main = baseline_main,
};
