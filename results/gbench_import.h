/*
 * gbench_import.h - a Google Benchmark JSON file as a run: every benchmark is a case, its
 * repetitions (run_type "iteration") are its samples, valued by the ticks_per_op counter
 * when present (unit ticks/op), else by real_time in nanoseconds (unit ns); the other user
 * counters become sample metrics. Everything is stored in one transaction.
 */
#ifndef XB_RESULTS_GBENCH_IMPORT_H
#define XB_RESULTS_GBENCH_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct gbench_import_result {
	int64_t run_id;
	int nr_cases, nr_samples, nr_errors;
};

int gbench_import(struct results_store *st, const char *path, const char *label, const char *now,
		  struct gbench_import_result *out) XB_MUST_CHECK;

/* A benchmark's case id: its run_name (else name) without Google Benchmark's timing-mode
 * suffix (/manual_time, /real_time, /process_time). Written into @out. */
void gbench_case_id(const char *name, char *out, size_t size);

#endif
