/*
 * kpath.h - what the native kernel-path families (ctxsw, xfd, signal, ptrace, amx) share:
 * planning a feature set (or "none", every component in init), the holds each task keeps
 * with the memory for them and for the caller's state, describing a failed hold check, and
 * starting the fresh helper process (xstate-bench-fresh, next to this binary) for cases
 * whose operation runs in one.
 */
#ifndef XB_BENCH_KPATH_H
#define XB_BENCH_KPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../host/native/xstate_hold.h"
#include "case.h"

/* The feature sets of the kernel-path ids: "none" is the control, every component in init. */
extern const char *const kpath_feature_sets[];
extern const size_t kpath_nr_feature_sets;

/*
 * Adds the case @id for feature set @features ("none" or a feature_set_parse() name):
 * runnable when the machine has the features (and @extra_ok), else with the reason.
 */
struct bench_case *kpath_plan(const struct machine *m, struct plan *plan, const struct bench_family *f,
			      const char *id, const char *features, bool extra_ok, const char *extra_why);

/* @nr holds of c->features (seeds differ), and a buffer for the caller's state. */
struct kpath_holds {
	uint64_t load_mask;
	struct xstate_hold hold[2];
	void *caller; /* standard format, load_mask */
	void *mem;
};

/* Asks for the dynamic features, builds the holds; records attributes in_use and load_mask. */
int kpath_holds_init(struct kpath_holds *h, struct bench_case *c, const struct xstate_layout *l, int nr) XB_MUST_CHECK;
void kpath_holds_free(struct kpath_holds *h);

/* "<who>: <what differed> (expected 0x.., got 0x..)" into @out. */
void kpath_hold_error(char *out, size_t size, const char *who, struct hold_result r);

/*
 * Starts xstate-bench-fresh with @args (argv[1..], NULL-terminated). With @child_fds the
 * two descriptors become the child's 3 and 4; with @out the child's stdout is a pipe whose
 * read end is returned there.
 */
int kpath_spawn_fresh(const char *const args[], const int child_fds[2], int *out, pid_t *pid) XB_MUST_CHECK;

/* Waits for @pid; 0 when it exited with status 0. */
int kpath_wait(pid_t pid, const char *what) XB_MUST_CHECK;

/* Runs xstate-bench-fresh with @args to its end and reads what it printed (one line) into @line. */
int kpath_run_fresh(const char *const args[], char *line, size_t size) XB_MUST_CHECK;

/* Setup and teardown of a case whose batch is one operation in fresh processes (no state of
 * its own): one op per batch, and the attribute per_op, @per_op. */
void kpath_fresh_setup(struct bench_case *c, const char *per_op);
void kpath_fresh_teardown(struct bench_case *c);

#endif
