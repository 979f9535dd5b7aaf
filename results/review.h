/*
 * review.h - a patch series reviewed against its base: the manifest that
 * scripts/lab/compare-series.sh writes (the host, the lab, each kernel's source and patch
 * list, the interleaved schedule of runs) read back, each kernel's runs loaded as one series
 * and every version compared with the base, with the kernels' releases and the lab's CPU
 * taken from the stored runs.
 */
#ifndef XB_RESULTS_REVIEW_H
#define XB_RESULTS_REVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "comparison.h"

#define REVIEW_NAME_MAX 13 /* a kernel's name: 12 characters of [A-Za-z0-9._-] */
#define REVIEW_TEXT_MAX 512

struct review_kernel {
	char name[REVIEW_NAME_MAX];
	char source[REVIEW_TEXT_MAX];  /* where it came from, in words */
	int nr_patches;
	char (*patches)[REVIEW_TEXT_MAX]; /* "0001-x86-fpu-....patch: subject", in applying order */
	double build_seconds;          /* NAN: not built here */
	bool build_cached;
	char release[64];              /* what its runs recorded (uname -r in the lab) */
	int nr_runs;
	int64_t *runs;                 /* in schedule order */
};

struct review_step {
	int kernel;                    /* index into kernels */
	int64_t run;
	double seconds;                /* the lab run's wall time, boot included */
};

struct review {
	char host[REVIEW_TEXT_MAX];    /* the machine the lab ran on */
	char lab[REVIEW_TEXT_MAX];     /* QEMU and how it ran the kernels */
	char lab_cpu[REVIEW_TEXT_MAX]; /* the machine the runs recorded: host, CPU, microcode */
	char suites[REVIEW_TEXT_MAX];  /* what each run measured */
	int rounds;
	double wall_seconds;           /* the whole workflow, builds included */
	int nr_kernels;                /* the base first */
	struct review_kernel *kernels;
	int nr_steps;
	struct review_step *schedule;
	struct comparison_set set;     /* series[i] is kernels[i]'s runs */
	char **specs;                  /* per kernel, its runs as a series: "runs:1,4,7" */
	const char **names;            /* per kernel, its name */
};

/*
 * Reads the manifest @path (JSON, README "The reviewer's workflow"), loads each kernel's runs
 * from @st in @metric (NULL: compare's default) and compares every version with the base
 * under @o. Returns 0 or an error naming what is wrong; review_free() either way.
 */
int review_load(struct results_store *st, const char *path, const char *metric, const struct verdict_options *o,
		struct review *out) XB_MUST_CHECK;
void review_free(struct review *r);

/* Whether the row changed in any version: a regression, an improvement, new, missing or
 * failed. */
bool review_row_changed(const struct comparison *c, const struct comparison_row *row);

#endif
