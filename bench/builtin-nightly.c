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
/* Machine-wide: /run/lock is the FHS place for lock files (tmpfs, world-writable); /tmp
 * where there is none (a container). */
#define LOCK_DIR "/run/lock"
#define DEFAULT_LOCK LOCK_DIR "/xstate-bench-nightly.lock"
#define FALLBACK_LOCK "/tmp/xstate-bench-nightly.lock"

static struct nightly_args {
	struct run_cli run;
	const char *db, *out, *kernel_commit, *kernel_config, *import, *lock;
	int baseline_nights, lock_wait;
	struct verdict_options verdict;
} args;

/* What the rolling baseline is kept by besides the machine: what is measured, and how the
 * kernel is configured. */
static void configuration(const struct nightly_args *a, const char *release, char *out, size_t size)
{
	char suites[64], kernel[KERNEL_CONFIG_TEXT_MAX], ops[16] = "default", cpu[16] = "last";

	suite_text(a->run.o.suites, suites, sizeof(suites));
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

/* Probes the machine (written as NIGHTLY_MACHINE_DUMP) and measures: the run's id. */
static int measure(struct nightly_args *a, int argc, char **argv, int64_t *run_id)
{
	struct machine *m = malloc(sizeof(*m));
	char dump[4096];
	int rc = m ? 0 : xb_fail(ENOMEM, "out of memory");

	a->run.o.db_url = cli_db_url(a->db);
	a->run.o.command_line = run_cli_command_line(argc, argv);
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
		const struct nightly_options o = { .baseline_nights = a->baseline_nights, .verdict = a->verdict };
		struct nightly_key key = { .machine_id = run.machine_id, .configuration = config };
		char now[32];

		cli_iso_time(now, sizeof(now));
		configuration(a, run.kernel, config, sizeof(config));
		rc = nightly_judge(st, run_id, &key, &o, now, &j);
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

/* A commit id, as the label and the record take it: no blanks. */
static const char *check_commit(void *value, const char *arg, char *msg, size_t size)
{
	(void)msg, (void)size;
	if (!*arg || strpbrk(arg, " \t\n"))
		return "a commit id without blanks";
	*(const char **)value = arg;
	return NULL;
}

static int nightly_main(int argc, char **argv)
{
	struct lock_file lock;
	char holder[256];
	int first, rc;

	args = (struct nightly_args){ .baseline_nights = DEFAULT_BASELINE_NIGHTS, .lock_wait = DEFAULT_LOCK_WAIT,
				      .verdict = CLI_VERDICT_DEFAULTS };
	run_cli_init(&args.run, SUITE_ALL);
	if ((rc = cli_parse(&cmd_nightly, argc, argv, &first)) != CLI_CONTINUE)
		return rc;
	if (first < argc)
		return cli_usage_error(&cmd_nightly, "unexpected argument: %s", argv[first]);
	if (!args.out || !*args.out)
		return cli_usage_error(&cmd_nightly, "missing --out DIR");
	if (cli_stop_after_arguments)
		return 0;
	run_cli_finish(&args.run);
	if (!args.lock)
		args.lock = access(LOCK_DIR, W_OK) ? FALLBACK_LOCK : DEFAULT_LOCK;
	rc = 0;
	if (mkdir(args.out, 0755) && errno != EEXIST)
		rc = xb_fail_errno("mkdir %s", args.out);
	snprintf(holder, sizeof(holder), "xstate-bench nightly, pid %d, database %s\n", (int)getpid(), cli_db_url(args.db));
	if (rc < 0 || (rc = lock_file_take(args.lock, args.lock_wait, holder, stdout, &lock))) {
		fprintf(stderr, "xstate-bench nightly: %s\n", xb_error_message());
		return EXIT_USAGE;
	}
	fflush(stdout);
	rc = night(&args, argc, argv);
	lock_file_release(&lock);
	if (rc < 0) {
		fprintf(stderr, "xstate-bench nightly: could not run: %s\n", xb_error_message());
		return EXIT_USAGE;
	}
	return rc;
}

static const struct cli_option nightly_options[] = {
	CLI_DB_OPTION(&args.db),
	OPT_STRING(0, "out", &args.out, "DIR", "where the artifacts go (created; index.txt says which file is what)"),
	OPT_INTEGER(0, "baseline-nights", &args.baseline_nights, "N", 1, NIGHTLY_MAX_BASELINE, "the rolling "
		    "baseline's size: the last N nights of this machine and configuration that were neither disturbed "
		    "nor flagged (default 5); until there are N, the nights only build it"),
	OPT_CALLBACK(0, "kernel-commit", &args.kernel_commit, "ID", "the kernel's commit, into the run's label and "
		     "the night's record", check_commit, NULL),
	OPT_NAME(0, "kernel-config", &args.kernel_config, "NAME", "what the kernel configuration is called "
		   "(default: a digest of the running kernel's config and command line); a new one starts a new "
		   "rolling baseline"),
	OPT_STRING(0, "import", &args.import, "FILE", "take the night's run from FILE, a Google Benchmark JSON "
		   "written by run --json or export (its machine and kernel come with it), instead of measuring"),
	OPT_STRING(0, "lock", &args.lock, "FILE", "the lock two nightly jobs on one machine take in turn (default "
		   DEFAULT_LOCK ", or " FALLBACK_LOCK " without " LOCK_DIR ")"),
	OPT_INTEGER(0, "lock-wait", &args.lock_wait, "SECONDS", 0, 86400, "how long to wait for the lock (default "
		    "7200)"),
	CLI_VERDICT_OPTIONS(&args.verdict),
	RUN_CLI_OPTIONS(&args.run, "all: native, and kvm, guest and kapi where the machine has them, each case it "
			"cannot run skipping with its reason"),
	OPT_END(),
};

const struct cli_command cmd_nightly = {
	.name = "nightly",
	.summary = "the nightly job: measure, compare with the rolling baseline, write the artifacts",
	.options = nightly_options,
	.description = "Under the lock: probe the machine and measure (or --import), label the run "
		       "nightly-DATE-RELEASE[-gCOMMIT], compare it with the rolling baseline of its machine and "
		       "configuration (the suites, filter, ops, PU and VMM, and the kernel configuration), test "
		       "each case's trend over the last nights (a creep is a drift), write the artifacts "
		       "(comparison.ktap, comparison.junit.xml, comparison.json, summary.md, nightly.json, "
		       "report/, run.json, machine.dump, index.txt) and record the night. A flagged night stays "
		       "out of the rolling baseline until 'baseline accept' lets it in.\n\nExit status: 0 nothing "
		       "regressed (also while the baseline is being built), 1 a case regressed, drifted or failed "
		       "its checks, 2 the night could not run, 3 inconclusive (the run was disturbed or is "
		       "incomplete, or every case moved alike).",
	.main = nightly_main,
};
