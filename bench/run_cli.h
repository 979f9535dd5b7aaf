/*
 * run_cli.h - the measuring options `run` and `nightly` share: one option list for their
 * tables (cli.h's OPT_* entries), where the values go, what --quick and the defaults give, and
 * the command line a run records.
 */
#ifndef XB_BENCH_RUN_CLI_H
#define XB_BENCH_RUN_CLI_H

#include <stdbool.h>

#include "cli.h"
#include "family_guest.h"
#include "plan.h"
#include "progress.h"
#include "runner.h"

struct run_cli {
	struct run_options o;
	int rounds, repetitions, ops; /* 0: the default */
	double min_time;              /* 0: the default */
	int progress;                 /* enum progress_mode */
	bool quick, quiet;
	const char *vmm;              /* as given; NULL for the default launcher */
};

/* The options, storing into *@c (a struct run_cli); @default_suites says which they are. */
#define RUN_CLI_OPTIONS(c, default_suites) \
	OPT_CALLBACK(0, "suite", &(c)->o.suites, "S", "native, kvm, guest, kapi or all, comma-separated (default: " \
		     default_suites ")", cli_check_suite, suite_names), \
	OPT_CALLBACK(0, "filter", &(c)->o.filter, "REGEX", "only cases whose id matches (POSIX extended regex)", \
		     cli_check_regex, NULL), \
	OPT_INTEGER(0, "rounds", &(c)->rounds, "R", 1, 100, "passes over every case, each in a shuffled order " \
		    "(default 3; --quick: 2): replicates the drift between passes"), \
	OPT_INTEGER(0, "repetitions", &(c)->repetitions, "N", 1, 1000, "samples per case in each round (default " \
		    "10; --quick: 3); a sample is the median of its batches"), \
	OPT_BOOLEAN(0, "quick", &(c)->quick, "fewer rounds and shorter samples, for a smoke run"), \
	OPT_INTEGER(0, "cpu", &(c)->o.cpu, "N", 0, 65535, "pin the measuring thread to the PU with OS index N " \
		    "(default: the last PU)"), \
	OPT_CALLBACK(0, "counters", &(c)->o.counters, "LIST", "count these libpfm4 events around each batch (e.g. " \
		     "perf::PERF_COUNT_SW_TASK_CLOCK,cycles)", cli_check_counters, NULL), \
	OPT_INTEGER(0, "ops", &(c)->ops, "N", 1, 1 << 20, "operations per timed batch (default: each family's " \
		    "own)"), \
	OPT_DOUBLE(0, "min-time", &(c)->min_time, "SECONDS", 1e-6, 60, "seconds of batches per sample (default " \
		   "0.02; --quick: 0.003)"), \
	OPT_CALLBACK(0, "vmm", &(c)->vmm, "NAME", "what boots the guest suite's payload: kvm (this project's VMM, " \
		     "the default) or qemu (qemu-system-x86_64; KVM when it works, else TCG, whose results are " \
		     "marked functional_only)", cli_check_vmm, guest_vmm_names), \
	OPT_CHOICE(0, "progress", &(c)->progress, "MODE", progress_mode_names, "progress on stderr: auto (the " \
		   "default: one updating line on a terminal, else plain), line, plain (a line every few seconds) " \
		   "or none"), \
	OPT_BOOLEAN('q', "quiet", &(c)->quiet, "no progress (--progress none)")

/* Before parsing: @suites by default, the last PU. */
void run_cli_init(struct run_cli *c, unsigned int suites);
/* "xstate-bench ARGV...", as a run records the command that made it; malloc'd, NULL when out
 * of memory. */
char *run_cli_command_line(int argc, char **argv);
/* After parsing: the rounds, repetitions and sample length as given, else --quick's, else the
 * defaults; the batch size and the progress. */
void run_cli_finish(struct run_cli *c);

#endif
