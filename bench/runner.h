/*
 * runner.h - `run`: plan, pin, calibrate, measure every runnable case through Google
 * Benchmark in rounds (whole passes over the cases, each in a shuffled order), record what
 * disturbed each sample, store each case when its last round ends, show the progress on
 * stderr, print the summary.
 */
#ifndef XB_BENCH_RUNNER_H
#define XB_BENCH_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "../host/machine.h"
#include "progress.h"

struct run_options {
	unsigned int suites;
	const char *filter;       /* NULL: every case */
	int rounds;               /* passes over every case */
	int repetitions;          /* samples per case in each round */
	double min_time;          /* seconds of batches per sample */
	const char *db_url;
	const char *label;
	const char *json_path;    /* Google Benchmark JSON, NULL for none */
	int cpu;                  /* PU OS index, -1 for the last PU */
	const char *counters;     /* libpfm4 event list, NULL for none */
	uint32_t ops;             /* batch size override, 0 for family defaults */
	const char *command_line;
	enum progress_mode progress; /* on stderr */
	bool wide, verbose;       /* the summary's view (summary.h) */
};

/* Returns 0 when every runnable case produced numbers, 1 when some failed, EXIT_USAGE (2)
 * when the suites and filter select no case (nothing is stored), <0 on error. */
int runner_run(const struct machine *m, const struct run_options *o, int64_t *run_id);

#endif
