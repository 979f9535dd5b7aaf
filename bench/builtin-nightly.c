/*
 * builtin-nightly.c - `xstate-bench nightly --db URL --out DIR [run options]`: the command a
 * CI job runs every night. Under a machine-wide lock: probe and measure (or take the night
 * from an export), label the run with the date, the kernel release and commit, judge it
 * against the rolling baseline of its machine and configuration (nightly_judge.h), write
 * the artifacts (nightly_artifacts.h), record the night. Exit 0 nothing regressed, 1 a case
 * regressed, drifted or failed its checks, 3 inconclusive (disturbed, incomplete, every case
 * moved alike), 2 could not run.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../host/kernel_config.h"
#include "../host/lock_file.h"
#include "../host/machine.h"
#include "../results/gbench_import.h"
#include "../results/nightly_artifacts.h"
#include "cli.h"
#include "plan.h"
#include "run_cli.h"

#define DEFAULT_BASELINE_NIGHTS 5
#define DEFAULT_LOCK_WAIT 7200
/* Machine-wide: /run/lock is the FHS place for lock files (tmpfs, world-writable). */
#define DEFAULT_LOCK "/run/lock/xstate-bench-nightly.lock"

static const char usage[] =
	"usage: xstate-bench nightly --db URL --out DIR [--baseline-nights N] [--kernel-commit ID]\n"
	"                            [--kernel-config NAME] [--import FILE] [--lock FILE]\n"
	"                            [--lock-wait SECONDS] [--threshold PCT] [--alpha A] [run options]\n"
	"\n"
	"  --db URL             results database (default $XSTATE_BENCH_DB or ./xstate-bench.db)\n"
	"  --out DIR            where the artifacts go (created; index.txt says which file is what)\n"
	"  --baseline-nights N  the rolling baseline's size: the last N nights of this machine and\n"
	"                       configuration that were neither disturbed nor flagged (default 5);\n"
	"                       until there are N, the nights only build it\n"
	"  --kernel-commit ID   the kernel's commit, into the run's label and the night's record\n"
	"  --kernel-config NAME what the kernel configuration is called (default: the digest of\n"
	"                       the running kernel's config and command line); a new one starts\n"
	"                       a new rolling baseline\n"
	"  --import FILE        take the night's run from FILE, a Google Benchmark JSON written by\n"
	"                       run --json or export (its machine and kernel come with it),\n"
	"                       instead of measuring\n"
	"  --lock FILE          the lock two nightly jobs on one machine take in turn (default\n"
	"                       " DEFAULT_LOCK ")\n"
	"  --lock-wait SECONDS  how long to wait for it (default 7200)\n"
	"  --threshold, --alpha as for compare (default 2 and 0.01); also for the trend test\n"
	"  --help               this text\n"
	"\n"
	"run options (what is measured; the suites, filter, ops, PU and VMM are part of the\n"
	"configuration the rolling baseline is kept by):\n"
	RUN_CLI_HELP("all: native, and kvm, guest and kapi where the machine has them,\n"
		     "                     each case it cannot run skipping with its reason")
	"\n"
	"Exit status: 0 nothing regressed (also while the baseline is being built), 1 a case\n"
	"regressed, drifted or failed its checks, 2 the night could not run, 3 inconclusive\n"
	"(the run was disturbed or is incomplete, or every case moved alike).\n";

struct nightly_args {
	struct run_cli run;
	const char *db, *out, *kernel_commit, *kernel_config, *import, *lock;
	long baseline_nights, lock_wait;
	struct verdict_options verdict;
};

/* The options, in one place. Returns -1 to go on, else the exit status. */
static int parse(int argc, char **argv, struct nightly_args *a)
{
	static const struct option options[] = {
		RUN_CLI_OPTIONS,
		{ "db", required_argument, NULL, 'D' },
		{ "out", required_argument, NULL, 'O' },
		{ "baseline-nights", required_argument, NULL, 'N' },
		{ "kernel-commit", required_argument, NULL, 'K' },
		{ "kernel-config", required_argument, NULL, 'k' },
		{ "import", required_argument, NULL, 'I' },
		{ "lock", required_argument, NULL, 'L' },
		{ "lock-wait", required_argument, NULL, 'W' },
		{ "threshold", required_argument, NULL, 'T' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int opt, rc;

	*a = (struct nightly_args){ .baseline_nights = DEFAULT_BASELINE_NIGHTS, .lock_wait = DEFAULT_LOCK_WAIT,
				    .lock = DEFAULT_LOCK, .verdict = CLI_VERDICT_DEFAULTS };
	run_cli_init(&a->run, SUITE_ALL);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (opt) {
		case 'D': a->db = optarg; break;
		case 'O': a->out = optarg; break;
		case 'N':
			if (!cli_parse_long(optarg, 1, NIGHTLY_MAX_BASELINE, &a->baseline_nights))
				return cli_usage_error(usage, "--baseline-nights: want 1..%d, got '%s'", NIGHTLY_MAX_BASELINE,
						       optarg);
			break;
		case 'K': a->kernel_commit = optarg; break;
		case 'k': a->kernel_config = optarg; break;
		case 'I': a->import = optarg; break;
		case 'L': a->lock = optarg; break;
		case 'W':
			if (!cli_parse_long(optarg, 0, 86400, &a->lock_wait))
				return cli_usage_error(usage, "--lock-wait: want 0..86400 seconds, got '%s'", optarg);
			break;
		case 'T':
		case 'a':
			if ((rc = cli_verdict_option(usage, opt == 'a' ? 'a' : 't', optarg, &a->verdict)))
				return rc;
			break;
		case 'h': return cli_help(usage);
		default:
			if ((rc = run_cli_option(&a->run, usage, opt, optarg)) < 0)
				return cli_bad_option(usage, argc, argv);
			if (rc)
				return rc;
		}
	}
	if (optind < argc)
		return cli_usage_error(usage, "unexpected argument: %s", argv[optind]);
	if (!a->out)
		return cli_usage_error(usage, "missing --out DIR");
	if (a->kernel_commit && (!*a->kernel_commit || strpbrk(a->kernel_commit, " \t\n")))
		return cli_usage_error(usage, "--kernel-commit: want a commit id without blanks, got '%s'", a->kernel_commit);
	run_cli_finish(&a->run);
	return -1;
}

static void suites_text(unsigned int suites, char *out, size_t size)
{
	static const struct { unsigned int bit; const char *name; } names[] = {
		{ SUITE_NATIVE, "native" }, { SUITE_KVM, "kvm" }, { SUITE_GUEST, "guest" }, { SUITE_KAPI, "kapi" },
	};
	size_t used = 0;

	out[0] = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (suites & names[i].bit)
			used += (size_t)snprintf(out + used, size - used, "%s%s", used ? "," : "", names[i].name);
}

/* What the rolling baseline is kept by besides the machine: what is measured, and how the
 * kernel is configured. */
static void configuration(const struct nightly_args *a, const char *release, char *out, size_t size)
{
	char suites[64], kernel[KERNEL_CONFIG_TEXT_MAX], ops[16] = "default", cpu[16] = "last";

	suites_text(a->run.o.suites, suites, sizeof(suites));
	if (a->run.o.ops)
		snprintf(ops, sizeof(ops), "%u", a->run.o.ops);
	if (a->run.o.cpu >= 0)
		snprintf(cpu, sizeof(cpu), "%d", a->run.o.cpu);
	if (a->kernel_config)
		snprintf(kernel, sizeof(kernel), "%s", a->kernel_config);
	else
		kernel_config_describe(release, kernel, sizeof(kernel));
	snprintf(out, size, "suites %s; filter %s; ops %s; cpu %s; vmm %s; kernel %s", suites,
		 a->run.o.filter ? a->run.o.filter : "none", ops, cpu, a->run.vmm ? a->run.vmm : "kvm", kernel);
}

static char *command_line(int argc, char **argv)
{
	size_t len = strlen("xstate-bench") + 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (!(s = malloc(len)))
		return NULL;
	strcpy(s, "xstate-bench");
	for (int i = 0; i < argc; i++)
		strcat(strcat(s, " "), argv[i]);
	return s;
}

/* Probes the machine (written as NIGHTLY_MACHINE_DUMP) and measures: the run's id. */
static int measure(struct nightly_args *a, int argc, char **argv, int64_t *run_id)
{
	struct machine *m = malloc(sizeof(*m));
	char dump[4096];
	int rc = m ? 0 : xb_fail(ENOMEM, "out of memory");

	a->run.o.db_url = cli_db_url(a->db);
	a->run.o.command_line = command_line(argc, argv);
	if (!rc && !a->run.o.command_line)
		rc = xb_fail(ENOMEM, "out of memory");
	snprintf(dump, sizeof(dump), "%s/%s", a->out, NIGHTLY_MACHINE_DUMP);
	if (!rc)
		rc = machine_probe(m);
	if (!rc)
		rc = machine_write_dump(m, dump);
	if (!rc)
		rc = runner_run(m, &a->run.o, run_id);
	free((char *)a->run.o.command_line);
	free(m);
	/* 1: a case failed its checks; the comparison says so */
	return rc > 0 ? 0 : rc;
}

static int import_night(struct results_store *st, const char *path, int64_t *run_id)
{
	struct gbench_import_result r;
	char now[32];
	int rc;

	cli_iso_time(now, sizeof(now));
	if ((rc = gbench_import(st, path, NULL, now, &r)))
		return rc;
	*run_id = r.run_id;
	printf("nightly: run %" PRId64 " imported from %s: %d cases (%d failed), %d samples\n", r.run_id, path,
	       r.nr_cases, r.nr_errors, r.nr_samples);
	return 0;
}

/* Labels the run "nightly-DATE-RELEASE[-gCOMMIT]" and fills the facts the summary states. */
static int label_night(struct results_store *st, int64_t run_id, const char *commit, struct series_run *run,
		       char *label, size_t size, char *night, struct nightly_facts *f)
{
	int rc = series_run_info(st, run_id, run);

	if (rc)
		return rc;
	snprintf(night, 11, "%.10s", run->started_at);
	snprintf(label, size, "nightly-%s-%s%s%.12s", night, run->kernel[0] ? run->kernel : "unknown",
		 commit ? "-g" : "", commit ? commit : "");
	*f = (struct nightly_facts){ .label = label, .night = night, .kernel_release = run->kernel[0] ? run->kernel : "unknown",
				     .kernel_commit = commit, .report = "report/index.html" };
	return results_label_run(st, run_id, label);
}

static int record(struct results_store *st, const struct nightly_judgement *j, const struct nightly_facts *f)
{
	char runs[NIGHTLY_MAX_BASELINE * 21 + 1] = "";
	size_t used = 0;

	for (int i = j->nr_baseline - 1; !j->building && i >= 0; i--)
		used += (size_t)snprintf(runs + used, sizeof(runs) - used, "%s%" PRId64, used ? " " : "", j->baseline[i]);
	struct night_record r = {
		.run_id = j->run_id, .key = j->key, .night = f->night, .kernel_release = f->kernel_release,
		.kernel_commit = f->kernel_commit, .state = j->state, .outcome = j->outcome, .compared = j->compared,
		.flagged = j->flagged, .disturbed = j->disturbed, .baseline_runs = runs, .reason = j->reason,
	};
	return nightly_record_night(st, &r);
}

static void report(const struct nightly_judgement *j, const struct nightly_facts *f, const char *out)
{
	printf("\nnightly %s: run %" PRId64 " (%s): %s, exit %d\n  %s: %s\n", f->night, j->run_id, f->label,
	       nightly_headline(j), j->outcome, night_state_name(j->state), j->reason);
	if (j->building)
		printf("  rolling baseline: building, %d of %d nights\n", j->nr_baseline, j->options.baseline_nights);
	else {
		printf("  rolling baseline %s: runs", j->baseline_name);
		for (int i = j->nr_baseline - 1; i >= 0; i--)
			printf(" %" PRId64, j->baseline[i]);
		putchar('\n');
	}
	printf("  %d cases compared, %d flagged, %d disturbed; artifacts in %s (index.txt)\n", j->compared, j->flagged,
	       j->disturbed, out);
}

/* Under the lock: the run, its judgement, the artifacts, the record. */
static int night(struct nightly_args *a, int argc, char **argv)
{
	struct results_store *st = NULL;
	struct nightly_judgement j = { 0 };
	struct nightly_facts facts;
	struct series_run run;
	char label[160], date[16], config[640];
	int64_t run_id = 0;
	int rc = a->import ? 0 : measure(a, argc, argv, &run_id);

	if (!rc && (rc = results_open(cli_db_url(a->db), &st)))
		xb_fail(-rc, "cannot use the results database %s: %s", cli_db_url(a->db), xb_error_message());
	if (!rc && a->import)
		rc = import_night(st, a->import, &run_id);
	if (!rc)
		rc = label_night(st, run_id, a->kernel_commit, &run, label, sizeof(label), date, &facts);
	if (!rc) {
		const struct nightly_options o = { .baseline_nights = (int)a->baseline_nights, .verdict = a->verdict };
		struct nightly_key key = { .machine_id = run.machine_id, .configuration = config };

		configuration(a, run.kernel, config, sizeof(config));
		rc = nightly_judge(st, run_id, &key, &o, &j);
	}
	if (!rc)
		rc = nightly_artifacts_write(st, a->out, &j, &facts, !a->import);
	if (!rc)
		rc = record(st, &j, &facts);
	if (!rc) {
		report(&j, &facts, a->out);
		rc = j.outcome;
	}
	nightly_judgement_free(&j);
	results_close(st);
	return rc;
}

int cmd_nightly(int argc, char **argv)
{
	struct nightly_args a;
	struct lock_file lock;
	char holder[256];
	int rc = parse(argc, argv, &a);

	if (rc >= 0)
		return rc;
	rc = 0;
	if (mkdir(a.out, 0755) && errno != EEXIST)
		rc = xb_fail_errno("mkdir %s", a.out);
	snprintf(holder, sizeof(holder), "xstate-bench nightly, pid %d, database %s\n", (int)getpid(), cli_db_url(a.db));
	if (rc < 0 || (rc = lock_file_take(a.lock, (int)a.lock_wait, holder, stdout, &lock))) {
		fprintf(stderr, "xstate-bench nightly: %s\n", xb_error_message());
		return EXIT_USAGE;
	}
	fflush(stdout);
	rc = night(&a, argc, argv);
	lock_file_release(&lock);
	if (rc < 0) {
		fprintf(stderr, "xstate-bench nightly: could not run: %s\n", xb_error_message());
		return EXIT_USAGE;
	}
	return rc;
}
