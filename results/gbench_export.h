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
/* What the context says of the run beyond Google Benchmark's fields, so that an imported
 * export is the run it was (import reads it back): the machine (an object of the machines
 * row: fingerprint, vendor, family, model, stepping, microcode, brand, xcr0 and xss in hex,
 * cpuid_dump), the kernel and its command line, and why the run was disturbed (absent when
 * it was not). */
#define GBENCH_JSON_MACHINE "xstate_bench_machine"
#define GBENCH_JSON_KERNEL_RELEASE "xstate_bench_kernel_release"
#define GBENCH_JSON_KERNEL_CMDLINE "xstate_bench_kernel_cmdline"
#define GBENCH_JSON_DISTURBED "xstate_bench_disturbed"

int gbench_export(struct results_store *st, int64_t run_id, enum export_format f, FILE *out) XB_MUST_CHECK;

#endif
