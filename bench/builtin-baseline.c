/*
 * builtin-baseline.c - `xstate-bench baseline set NAME RUN... | list | show NAME | accept RUN`.
 */
#include <errno.h>
#include <getopt.h>
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

static const char usage[] =
	"usage: xstate-bench baseline [--db URL] set NAME RUN...\n"
	"       xstate-bench baseline [--db URL] list\n"
	"       xstate-bench baseline [--db URL] [--metric NAME] show NAME\n"
	"       xstate-bench baseline [--db URL] [--by WHO] --reason TEXT accept RUN\n"
	"\n"
	"  set NAME RUN...  make (or replace) baseline NAME from one run or several pooled runs of\n"
	"                   one machine; RUN is a run id or a run label (its latest run). Runs\n"
	"                   must be complete; results marked functional_only (timings that mean\n"
	"                   nothing, e.g. under QEMU TCG) are left out and listed\n"
	"  list             every baseline: when it was set, its runs and results\n"
	"  show NAME        its runs, and per case the samples, median and spread of --metric\n"
	"  accept RUN       let a flagged or inconclusive night of the nightly job (a run id or\n"
	"                   label) into its rolling baseline: its level is the new normal\n"
	"  --reason TEXT    for accept: why (recorded with the night)\n"
	"  --by WHO         for accept: who accepts it (default: the login name)\n"
	"  --db URL         results database (default $XSTATE_BENCH_DB or ./xstate-bench.db)\n"
	"  --metric NAME    for show: ticks_per_op (default), core_cycles_per_op, ...\n"
	"  --help           this text\n"
	"\n"
	"compare takes a baseline name wherever it takes a run.\n";

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

int cmd_baseline(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "metric", required_argument, NULL, 'm' },
		{ "by", required_argument, NULL, 'b' },
		{ "reason", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *db = NULL, *metric = CLI_DEFAULT_METRIC, *action, *who = NULL, *why = NULL;
	char uid[32];
	struct results_store *st;
	int opt, rc, nr;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'D': db = optarg; break;
		case 'm': metric = optarg; break;
		case 'b': who = optarg; break;
		case 'r': why = optarg; break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option(usage, argc, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error(usage, "want set, list, show or accept");
	action = argv[optind];
	nr = argc - optind - 1;
	if (!strcmp(action, "set") && nr < 2)
		return cli_usage_error(usage, "baseline set: want NAME and at least one RUN");
	if (!strcmp(action, "list") && nr)
		return cli_usage_error(usage, "unexpected argument: %s", argv[optind + 1]);
	if (!strcmp(action, "show") && nr != 1)
		return cli_usage_error(usage, "baseline show: want one NAME");
	if (!strcmp(action, "accept") && nr != 1)
		return cli_usage_error(usage, "baseline accept: want one RUN");
	if (!strcmp(action, "accept") && (!why || !*why))
		return cli_usage_error(usage, "baseline accept: say why with --reason TEXT");
	if (strcmp(action, "accept") && (who || why))
		return cli_usage_error(usage, "--by and --reason are for accept");
	if (strcmp(action, "set") && strcmp(action, "list") && strcmp(action, "show") && strcmp(action, "accept"))
		return cli_usage_error(usage, "unknown action '%s': want set, list, show or accept", action);
	if ((rc = cli_open_results(db, &st)))
		goto out;
	if (!strcmp(action, "set"))
		rc = set(st, argv[optind + 1], nr - 1, argv + optind + 2);
	else if (!strcmp(action, "list"))
		rc = baseline_list(st, stdout);
	else if (!strcmp(action, "accept"))
		rc = accept(st, argv[optind + 1], who ? who : login_name(uid, sizeof(uid)), why);
	else
		rc = show(st, argv[optind + 1], metric);
	results_close(st);
out:
	if (rc)
		fprintf(stderr, "xstate-bench baseline: %s\n", xb_error_message());
	return rc ? 1 : 0;
}
