/*
 * gbench_export.h - a stored run written back as Google Benchmark output: JSON in the
 * schema Google Benchmark writes (read by compare.py of libbenchmark-tools) or its CSV
 * layout. Each sample is one repetition ("iteration" entry); real_time and cpu_time carry
 * the per-operation nanoseconds (ns_per_op), ticks_per_op and every sample metric are
 * counters. Only cases with samples are written.
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
