/*
 * builtin-run.c - `xstate-bench run`: options, then the runner; with --format ktap, the
 * stored run as KTAP on stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../host/machine.h"
#include "../results/ktap.h"
#include "../results/series.h"
#include "cli.h"
#include "run_cli.h"

enum run_format { RUN_TEXT, RUN_KTAP };
static const char *const formats[] = { "text", "ktap", NULL };

static struct {
	struct run_cli run;
	const char *db;
	int format;
} args;

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

static int run_main(int argc, char **argv)
{
	struct run_options *o = &args.run.o;
	struct machine *m;
	int64_t run_id = 0;
	int first, rc, saved_stdout = -1;

	memset(&args, 0, sizeof(args));
	run_cli_init(&args.run, SUITE_NATIVE);
	if ((rc = cli_parse(&cmd_run, argc, argv, &first)) != CLI_CONTINUE)
		return rc;
	if (first < argc)
		return cli_usage_error(&cmd_run, "unexpected argument: %s", argv[first]);
	if (cli_stop_after_arguments)
		return 0;
	run_cli_finish(&args.run);
	o->db_url = cli_db_url(args.db);
	o->command_line = run_cli_command_line(argc, argv);
	rc = 0;

	m = malloc(sizeof(*m));
	if (!m || !o->command_line) {
		fprintf(stderr, "xstate-bench run: out of memory\n");
		free(m);
		free((char *)o->command_line);
		return 1;
	}
	if (args.format == RUN_KTAP && (saved_stdout = stdout_to_stderr()) < 0)
		rc = -EIO;
	if (!rc)
		rc = machine_probe(m);
	if (!rc)
		rc = runner_run(m, o, &run_id);
	if (rc == EXIT_USAGE)
		rc = cli_usage_error(&cmd_run, "%s", xb_error_message());
	else if (rc < 0)
		fprintf(stderr, "xstate-bench run: %s\n", xb_error_message());
	if (saved_stdout >= 0)
		restore_stdout(saved_stdout);
	/* what was stored, also of a run that ended in an error */
	if (args.format == RUN_KTAP && run_id) {
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

static const struct cli_option run_options[] = {
	RUN_CLI_OPTIONS(&args.run, "native"),
	CLI_DB_OPTION(&args.db),
	OPT_NAME(0, "label", &args.run.o.label, "L", "a label for this run (baselines and compare accept it)"),
	OPT_OUTPUT_FILE(0, "json", &args.run.o.json_path, "also write the run as Google Benchmark JSON to FILE (the "
			"shape of export: per-operation times)"),
	OPT_CHOICE(0, "format", &args.format, "F", formats, "what stdout carries: text (the summary, the default) "
		   "or ktap (KTAP version 1 of the stored run, for kselftest-style runners; the summary then goes "
		   "to stderr, with the progress)"),
	OPT_BOOLEAN(0, "wide", &args.run.o.wide, "the result table with every column: ns/op, samples, XINUSE before "
		    "the batch, the modified optimization's hit rate, batches run again"),
	OPT_BOOLEAN('v', "verbose", &args.run.o.verbose, "list every skipped case with its reason, not only one "
		    "example per reason"),
	OPT_END(),
};

const struct cli_command cmd_run = {
	.name = "run",
	.summary = "measure, store the run in the database, print the summary",
	.options = run_options,
	.description = "Progress goes to stderr, the results to stdout: the run's header, the result table "
		       "(median ticks, ns and estimated core cycles per op, the interquartile spread), the "
		       "switch strategies and the kernel paths compared, the errors, the skipped cases grouped "
		       "by reason, \"DISTURBED: reason\" when something else ran on the measured PU, and the "
		       "run id.\n\nExit status: 0 when every runnable case produced numbers, 1 when a case "
		       "failed its checks or the database could not be written, 2 on a usage error.",
	.main = run_main,
};
