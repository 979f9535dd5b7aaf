/*
 * builtin-run.c - `xstate-bench run`: options, then the runner; with --format ktap, the
 * stored run as KTAP on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../host/machine.h"
#include "../results/ktap.h"
#include "../results/series.h"
#include "cli.h"
#include "plan.h"
#include "run_cli.h"

static const char usage[] =
	"usage: xstate-bench run [--suite S] [--filter REGEX] [--rounds R] [--repetitions N] [--quick]\n"
	"                        [--db URL] [--label L] [--json FILE] [--cpu N]\n"
	"                        [--counters LIST] [--ops N] [--min-time SECONDS] [--vmm NAME]\n"
	"                        [--format text|ktap]\n"
	"\n"
	RUN_CLI_HELP("native")
	"  --db URL           results database (default $XSTATE_BENCH_DB or ./xstate-bench.db)\n"
	"  --label L          a label for this run (baselines and compare accept it)\n"
	"  --json FILE        also write the run as Google Benchmark JSON to FILE (the shape\n"
	"                     of export: per-operation times)\n"
	"  --format F         what stdout carries: text (progress and the summary table, the\n"
	"                     default) or ktap (KTAP version 1 of the stored run, for\n"
	"                     kselftest-style runners; the progress goes to stderr)\n"
	"  --help             this text\n";

enum run_format { RUN_TEXT, RUN_KTAP };

/* The stored run @run_id as KTAP on stdout. */
static int write_ktap(const char *db_url, int64_t run_id)
{
	struct results_store *st = NULL;
	struct series s = { 0 };
	char spec[32];
	int rc = cli_open_results(db_url, &st);

	snprintf(spec, sizeof(spec), "run:%lld", (long long)run_id);
	if (!rc && !(rc = series_load(st, spec, CLI_DEFAULT_METRIC, &s)))
		rc = ktap_write_run(&s, CLI_DEFAULT_METRIC, stdout);
	if (!rc && fflush(stdout))
		rc = xb_fail_errno("write stdout");
	series_free(&s);
	results_close(st);
	return rc;
}

/* With KTAP on stdout, everything else the run prints goes to stderr: returns the saved
 * stdout for restore_stdout(), or -1 with a message. */
static int stdout_to_stderr(void)
{
	int saved;

	fflush(stdout);
	if ((saved = dup(STDOUT_FILENO)) < 0)
		return xb_fail_errno("dup stdout");
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		xb_fail_errno("dup2 stderr to stdout");
		close(saved);
		return -1;
	}
	return saved;
}

static void restore_stdout(int saved)
{
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
}

static char *join_args(int argc, char **argv)
{
	size_t len = strlen("xstate-bench") + 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	strcpy(s, "xstate-bench");
	for (int i = 0; i < argc; i++) {
		strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int cmd_run(int argc, char **argv)
{
	static const struct option options[] = {
		RUN_CLI_OPTIONS,
		{ "db", required_argument, NULL, 'D' },
		{ "label", required_argument, NULL, 'l' },
		{ "json", required_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct run_cli c;
	struct run_options *o = &c.o;
	const char *db = NULL;
	enum run_format format = RUN_TEXT;
	struct machine *m;
	int64_t run_id = 0;
	int opt, rc = 0, saved_stdout = -1;

	run_cli_init(&c, SUITE_NATIVE);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (opt) {
		case 'D': db = optarg; break;
		case 'l': o->label = optarg; break;
		case 'j': o->json_path = optarg; break;
		case 'F':
			if (strcmp(optarg, "text") && strcmp(optarg, "ktap"))
				return cli_usage_error(usage, "--format: want text or ktap, got '%s'", optarg);
			format = strcmp(optarg, "ktap") ? RUN_TEXT : RUN_KTAP;
			break;
		case 'h': return cli_help(usage);
		default:
			if ((rc = run_cli_option(&c, usage, opt, optarg)) < 0)
				return cli_bad_option(usage, argc, argv);
			if (rc)
				return rc;
		}
	}
	if (optind < argc)
		return cli_usage_error(usage, "unexpected argument: %s", argv[optind]);
	run_cli_finish(&c);
	o->db_url = cli_db_url(db);
	o->command_line = join_args(argc, argv);

	m = malloc(sizeof(*m));
	if (!m || !o->command_line) {
		fprintf(stderr, "xstate-bench run: out of memory\n");
		free(m);
		free((char *)o->command_line);
		return 1;
	}
	if (format == RUN_KTAP && (saved_stdout = stdout_to_stderr()) < 0)
		rc = -EIO;
	if (!rc)
		rc = machine_probe(m);
	if (!rc)
		rc = runner_run(m, o, &run_id);
	if (rc < 0)
		fprintf(stderr, "xstate-bench run: %s\n", xb_error_message());
	if (saved_stdout >= 0)
		restore_stdout(saved_stdout);
	/* what was stored, also of a run that ended in an error */
	if (format == RUN_KTAP && run_id) {
		int ktap_rc = write_ktap(o->db_url, run_id);

		if (ktap_rc)
			fprintf(stderr, "xstate-bench run: %s\n", xb_error_message());
		if (ktap_rc && rc >= 0)
			rc = ktap_rc;
	}
	free((char *)o->command_line);
	free(m);
	return rc < 0 ? 1 : rc;
}
