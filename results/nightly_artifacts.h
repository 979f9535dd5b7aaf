/*
 * nightly_artifacts.h - what the nightly leaves for the CI job, in one directory: the
 * comparison as KTAP (comparison.ktap), JUnit XML (comparison.junit.xml) and compare's JSON
 * (comparison.json); the night as Markdown (summary.md) and JSON (nightly.json,
 * nightly_summary.h); the HTML report with the flagged cases over the last nights first
 * (report/); the run as Google Benchmark JSON (run.json); and index.txt, which says which
 * file is what (and names machine.dump, the probed machine, when the caller wrote it).
 */
#ifndef XB_RESULTS_NIGHTLY_ARTIFACTS_H
#define XB_RESULTS_NIGHTLY_ARTIFACTS_H

#include <stdbool.h>

#include "nightly_summary.h"

#define NIGHTLY_MACHINE_DUMP "machine.dump"

/* Writes every file into @dir (which exists). @machine_dump: whether @dir has
 * NIGHTLY_MACHINE_DUMP. */
int nightly_artifacts_write(struct results_store *st, const char *dir, const struct nightly_judgement *j,
			    const struct nightly_facts *f, bool machine_dump) XB_MUST_CHECK;

#endif
