/*
 * run_cli.h - the measuring options `run` and `nightly` share: their getopt entries and help
 * lines, their parsing into the runner's options, and what --quick and the defaults give.
 */
#ifndef XB_BENCH_RUN_CLI_H
#define XB_BENCH_RUN_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "runner.h"

/* The getopt entries; their values ('s', 'f', 'R', 'n', 'q', 'c', 'C', 'o', 't', 'V') are
 * taken by run_cli_option(). */
#define RUN_CLI_OPTIONS \
	{ "suite", required_argument, NULL, 's' }, \
	{ "filter", required_argument, NULL, 'f' }, \
	{ "rounds", required_argument, NULL, 'R' }, \
	{ "repetitions", required_argument, NULL, 'n' }, \
	{ "quick", no_argument, NULL, 'q' }, \
	{ "cpu", required_argument, NULL, 'c' }, \
	{ "counters", required_argument, NULL, 'C' }, \
	{ "ops", required_argument, NULL, 'o' }, \
	{ "min-time", required_argument, NULL, 't' }, \
	{ "vmm", required_argument, NULL, 'V' }

/* Their help lines, @suites the default suites in words. */
#define RUN_CLI_HELP(suites) \
	"  --suite S          native, kvm, guest, kapi or all, comma-separated (default: " suites ")\n" \
	"  --filter REGEX     only cases whose id matches (POSIX extended regex)\n" \
	"  --rounds R         passes over every case, each in a shuffled order (default 3;\n" \
	"                     --quick: 2): replicates the drift between passes\n" \
	"  --repetitions N    samples per case in each round (default 10; --quick: 3); a\n" \
	"                     sample is the median of its batches\n" \
	"  --quick            fewer rounds and shorter samples, for a smoke run\n" \
	"  --cpu N            pin the measuring thread to the PU with OS index N (default: last PU)\n" \
	"  --counters LIST    count these libpfm4 events around each batch (e.g.\n" \
	"                     perf::PERF_COUNT_SW_TASK_CLOCK,cycles)\n" \
	"  --ops N            operations per timed batch (default: each family's own)\n" \
	"  --min-time S       seconds of batches per sample (default 0.02; --quick: 0.003)\n" \
	"  --vmm NAME         what boots the guest suite's payload: kvm (this project's VMM,\n" \
	"                     the default) or qemu (qemu-system-x86_64; KVM when it works,\n" \
	"                     else TCG, whose results are marked functional_only)\n"

struct run_cli {
	struct run_options o;
	long rounds, repetitions; /* 0: the default */
	double min_time;          /* 0: the default */
	bool quick;
	const char *vmm;          /* as given, NULL for the default */
};

void run_cli_init(struct run_cli *c, unsigned int suites);
/* Takes option @opt (one of RUN_CLI_OPTIONS) with @arg: 0, or EXIT_USAGE after the usage
 * message for a bad value; -1 when @opt is not one of them. */
int run_cli_option(struct run_cli *c, const char *usage, int opt, const char *arg);
/* The rounds, repetitions and sample length: as given, else --quick's, else the defaults. */
void run_cli_finish(struct run_cli *c);

#endif
