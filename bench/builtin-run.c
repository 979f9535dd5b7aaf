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

static const char usage[] =
	"usage: xstate-bench run [--suite S] [--filter REGEX] [--rounds R] [--repetitions N] [--quick]\n"
	"                        [--db URL] [--label L] [--json FILE] [--cpu N]\n"
	"                        [--counters LIST] [--ops N] [--min-time SECONDS] [--vmm NAME]\n"
	"                        [--format text|ktap]\n"
	"\n"
	"  --suite S          native, kvm, guest, kapi or all, comma-separated (default: native)\n"
	"  --filter REGEX     only cases whose id matches (POSIX extended regex)\n"
	"  --rounds R         passes over every case, each in a shuffled order (default 3;\n"
	"                     --quick: 2): replicates the drift between passes\n"
	"  --repetitions N    samples per case in each round (default 10; --quick: 3); a\n"
	"                     sample is the median of its batches\n"
	"  --quick            fewer rounds and shorter samples, for a smoke run\n"
	"  --db URL           results database (default $XSTATE_BENCH_DB or ./xstate-bench.db)\n"
	"  --label L          a label for this run (baselines and compare accept it)\n"
	"  --json FILE        also write the run as Google Benchmark JSON to FILE (the shape\n"
	"                     of export: per-operation times)\n"
	"  --cpu N            pin the measuring thread to the PU with OS index N (default: last PU)\n"
	"  --counters LIST    count these libpfm4 events around each batch (e.g.\n"
	"                     perf::PERF_COUNT_SW_TASK_CLOCK,cycles)\n"
	"  --ops N            operations per timed batch (default: each family's own)\n"
	"  --min-time S       seconds of batches per sample (default 0.02; --quick: 0.003)\n"
	"  --vmm NAME         what boots the guest suite's payload: kvm (this project's VMM,\n"
	"                     the default) or qemu (qemu-system-x86_64; KVM when it works,\n"
	"                     else TCG, whose results are marked functional_only)\n"
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
		{ "suite", required_argument, NULL, 's' },
		{ "filter", required_argument, NULL, 'f' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "repetitions", required_argument, NULL, 'n' },
		{ "quick", no_argument, NULL, 'q' },
		{ "db", required_argument, NULL, 'D' },
		{ "label", required_argument, NULL, 'l' },
		{ "json", required_argument, NULL, 'j' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "counters", required_argument, NULL, 'C' },
		{ "ops", required_argument, NULL, 'o' },
		{ "min-time", required_argument, NULL, 't' },
		{ "vmm", required_argument, NULL, 'V' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct run_options o = { .suites = SUITE_NATIVE, .cpu = -1 };
	const char *db = NULL;
	enum run_format format = RUN_TEXT;
	long repetitions = 0, rounds = 0, v;
	double min_time = 0;
	bool quick = false;
	struct machine *m;
	int64_t run_id = 0;
	int opt, rc = 0, saved_stdout = -1;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (suite_parse(optarg, &o.suites))
				return cli_usage_error(usage, "--suite: unknown suite in '%s'", optarg);
			break;
		case 'f':
			if (!cli_regex_ok(usage, "--filter", optarg))
				return EXIT_USAGE;
			o.filter = optarg;
			break;
		case 'R':
			if (!cli_parse_long(optarg, 1, 100, &rounds))
				return cli_usage_error(usage, "--rounds: want 1..100, got '%s'", optarg);
			break;
		case 'n':
			if (!cli_parse_long(optarg, 1, 1000, &repetitions))
				return cli_usage_error(usage, "--repetitions: want 1..1000, got '%s'", optarg);
			break;
		case 'q': quick = true; break;
		case 'D': db = optarg; break;
		case 'l': o.label = optarg; break;
		case 'j': o.json_path = optarg; break;
		case 'c':
			if (!cli_parse_long(optarg, 0, 65535, &v))
				return cli_usage_error(usage, "--cpu: want a PU number, got '%s'", optarg);
			o.cpu = (int)v;
			break;
		case 'C': o.counters = optarg; break;
		case 'o':
			if (!cli_parse_long(optarg, 1, 1 << 20, &v))
				return cli_usage_error(usage, "--ops: want 1..1048576, got '%s'", optarg);
			o.ops = (uint32_t)v;
			break;
		case 't':
			if (!cli_parse_double(optarg, 1e-6, 60, &min_time))
				return cli_usage_error(usage, "--min-time: want seconds in (0, 60], got '%s'", optarg);
			break;
		case 'V':
			if (!guest_family_select_vmm(optarg))
				return cli_usage_error(usage, "--vmm: want kvm or qemu, got '%s'", optarg);
			break;
		case 'F':
			if (strcmp(optarg, "text") && strcmp(optarg, "ktap"))
				return cli_usage_error(usage, "--format: want text or ktap, got '%s'", optarg);
			format = strcmp(optarg, "ktap") ? RUN_TEXT : RUN_KTAP;
			break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option(usage, argc, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(usage, "unexpected argument: %s", argv[optind]);
	o.rounds = rounds ? (int)rounds : quick ? QUICK_ROUNDS : DEFAULT_ROUNDS;
	o.repetitions = repetitions ? (int)repetitions : quick ? QUICK_REPETITIONS : DEFAULT_REPETITIONS;
	o.min_time = min_time > 0 ? min_time : quick ? QUICK_MIN_TIME : DEFAULT_MIN_TIME;
	o.db_url = cli_db_url(db);
	o.command_line = join_args(argc, argv);

	m = malloc(sizeof(*m));
	if (!m || !o.command_line) {
		fprintf(stderr, "xstate-bench run: out of memory\n");
		free(m);
		free((char *)o.command_line);
		return 1;
	}
	if (format == RUN_KTAP && (saved_stdout = stdout_to_stderr()) < 0)
		rc = -EIO;
	if (!rc)
		rc = machine_probe(m);
	if (!rc)
		rc = runner_run(m, &o, &run_id);
	if (rc < 0)
		fprintf(stderr, "xstate-bench run: %s\n", xb_error_message());
	if (saved_stdout >= 0)
		restore_stdout(saved_stdout);
	/* what was stored, also of a run that ended in an error */
	if (format == RUN_KTAP && run_id) {
		int ktap_rc = write_ktap(o.db_url, run_id);

		if (ktap_rc)
			fprintf(stderr, "xstate-bench run: %s\n", xb_error_message());
		if (ktap_rc && rc >= 0)
			rc = ktap_rc;
	}
	free((char *)o.command_line);
	free(m);
	return rc < 0 ? 1 : rc;
}
