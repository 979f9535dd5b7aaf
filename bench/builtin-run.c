/*
 * builtin-run.c - `xstate-bench run`: options, then the runner.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../host/machine.h"
#include "cli.h"
#include "family_guest.h"
#include "plan.h"
#include "runner.h"

/* 3 rounds of 10 samples: the same 30 samples a case had before rounds, spread over three
 * passes so that a run carries the drift between passes. */
#define DEFAULT_ROUNDS 3
#define DEFAULT_REPETITIONS 10
#define DEFAULT_MIN_TIME 0.02
#define QUICK_ROUNDS 2
#define QUICK_REPETITIONS 3
#define QUICK_MIN_TIME 0.003

static struct {
	struct run_options o;
	const char *db;
	int repetitions, rounds, progress;
	double min_time;
	bool quick, quiet;
} args;

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

static int run_main(int argc, char **argv)
{
	struct run_options *o = &args.o;
	struct machine *m;
	int64_t run_id = 0;
	int first, rc;

	*o = (struct run_options){ .suites = SUITE_NATIVE, .cpu = -1 };
	if ((rc = cli_parse(&cmd_run, argc, argv, &first)) != CLI_CONTINUE)
		return rc;
	if (first < argc)
		return cli_usage_error(&cmd_run, "unexpected argument: %s", argv[first]);
	o->rounds = args.rounds ? args.rounds : args.quick ? QUICK_ROUNDS : DEFAULT_ROUNDS;
	o->repetitions = args.repetitions ? args.repetitions : args.quick ? QUICK_REPETITIONS : DEFAULT_REPETITIONS;
	o->min_time = args.min_time > 0 ? args.min_time : args.quick ? QUICK_MIN_TIME : DEFAULT_MIN_TIME;
	o->progress = args.quiet ? PROGRESS_NONE : (enum progress_mode)args.progress;
	o->db_url = cli_db_url(args.db);
	o->command_line = join_args(argc, argv);

	m = malloc(sizeof(*m));
	if (!m || !o->command_line) {
		fprintf(stderr, "xstate-bench run: out of memory\n");
		free(m);
		free((char *)o->command_line);
		return 1;
	}
	rc = machine_probe(m);
	if (!rc)
		rc = runner_run(m, o, &run_id);
	if (rc < 0)
		fprintf(stderr, "xstate-bench run: %s\n", xb_error_message());
	free((char *)o->command_line);
	free(m);
	return rc < 0 ? 1 : rc;
}

static const struct cli_option run_options[] = {
	OPT_CALLBACK(0, "suite", &args.o.suites, "S", "native, kvm, guest, kapi or all, comma-separated (default: "
		     "native)", cli_check_suite, suite_names),
	OPT_CALLBACK(0, "filter", &args.o.filter, "REGEX", "only cases whose id matches (POSIX extended regex)",
		     cli_check_regex, NULL),
	OPT_INTEGER(0, "rounds", &args.rounds, "R", 1, 100, "passes over every case, each in a shuffled order "
		    "(default 3; --quick: 2): replicates the drift between passes"),
	OPT_INTEGER(0, "repetitions", &args.repetitions, "N", 1, 1000, "samples per case in each round (default 10; "
		    "--quick: 3); a sample is the median of its batches"),
	OPT_BOOLEAN(0, "quick", &args.quick, "fewer rounds and shorter samples, for a smoke run"),
	CLI_DB_OPTION(&args.db),
	OPT_STRING(0, "label", &args.o.label, "L", "a label for this run (baselines and compare accept it)"),
	OPT_STRING(0, "json", &args.o.json_path, "FILE", "also write the run as Google Benchmark JSON to FILE"),
	OPT_INTEGER(0, "cpu", &args.o.cpu, "N", 0, 65535, "pin the measuring thread to the PU with OS index N "
		    "(default: the last PU)"),
	OPT_STRING(0, "counters", &args.o.counters, "LIST", "count these libpfm4 events around each batch (e.g. "
		   "perf::PERF_COUNT_SW_TASK_CLOCK,cycles)"),
	OPT_INTEGER(0, "ops", &args.o.ops, "N", 1, 1 << 20, "operations per timed batch (default: each family's own)"),
	OPT_DOUBLE(0, "min-time", &args.min_time, "SECONDS", 1e-6, 60, "seconds of batches per sample (default "
		   "0.02; --quick: 0.003)"),
	OPT_CALLBACK(0, "vmm", NULL, "NAME", "what boots the guest suite's payload: kvm (this project's VMM, the "
		     "default) or qemu (qemu-system-x86_64; KVM when it works, else TCG, whose results are marked "
		     "functional_only)", cli_check_vmm, guest_vmm_names),
	OPT_CHOICE(0, "progress", &args.progress, "MODE", progress_mode_names, "progress on stderr: auto (the "
		   "default: one updating line on a terminal, else plain), line, plain (a line every few seconds) or "
		   "none"),
	OPT_BOOLEAN('q', "quiet", &args.quiet, "no progress (--progress none)"),
	OPT_BOOLEAN(0, "wide", &args.o.wide, "the result table with every column: ns/op, samples, XINUSE before the "
		    "batch, the modified optimization's hit rate, batches run again"),
	OPT_BOOLEAN('v', "verbose", &args.o.verbose, "list every skipped case with its reason, not only one "
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
