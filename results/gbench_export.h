/*
 * gbench_export.h - a stored run written back as Google Benchmark output: JSON in the
 * schema Google Benchmark writes (read by compare.py of libbenchmark-tools), the same for
 * run --json, or its CSV columns (RFC 4180). Each sample is one repetition ("iteration"
 * entry), followed in JSON by Google Benchmark's aggregates (mean, median, stddev, cv);
 * real_time is the net time per operation (ns_per_op, never below zero), cpu_time its share
 * on a CPU (cpu_ns_per_op), and ticks_per_op (for a case in ticks) and every sample metric
 * are counters with their exact values. A case that failed its checks is an error_occurred
 * entry with its reason. The empty-loop control (CONTROL_EMPTY_LOOP_ID: its net time is no
 * operation's) is left out of the JSON, which names it in its context: zero times make
 * compare.py's geometric mean meaningless.
 */
#ifndef XB_RESULTS_GBENCH_EXPORT_H
#define XB_RESULTS_GBENCH_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "store.h"

enum export_format { EXPORT_JSON, EXPORT_CSV };

/* The field of a JSON entry that carries the sample's round (import reads it back). */
#define GBENCH_JSON_ROUND "xstate_bench_round"

int gbench_export(struct results_store *st, int64_t run_id, enum export_format f, FILE *out) XB_MUST_CHECK;

#endif
