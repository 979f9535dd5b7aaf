/*
 * ktap.h - KTAP version 1 (the kernel's Documentation/dev-tools/ktap.rst), what kselftest
 * runners, KernelCI and LKFT read: a version line, a plan, then one "ok"/"not ok" line per
 * test with "# SKIP reason" for a skip, the figures as diagnostic lines before it. A
 * comparison is one test per NEW series whose subtests are its cases; a run is one test
 * per case.
 */
#ifndef XB_RESULTS_KTAP_H
#define XB_RESULTS_KTAP_H

#include <stdio.h>

#include "comparison.h"

int ktap_write_comparison(const struct comparison *c, FILE *out) XB_MUST_CHECK;
/* A run loaded by series_load(): its measured cases pass, its skipped ones skip, its
 * failed ones fail; @metric names what the medians are of. */
int ktap_write_run(const struct series *run, const char *metric, FILE *out) XB_MUST_CHECK;

#endif
