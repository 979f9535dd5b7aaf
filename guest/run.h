/*
 * run.h - running the work list's cases inside the guest: for each case, the requirement
 * check (a `skip` record with the reason), set-up, a `case` record, then one `sample` record
 * per repetition, each the sum of its batches net of the payload's own calibrated overhead;
 * a failed check is an `error` record and no number.
 */
#ifndef XB_GUEST_RUN_H
#define XB_GUEST_RUN_H

#include "cases.h"
#include "worklist.h"

struct run_totals {
	int cases, ok, skipped, failed;
};

/* Runs every case of the table that a pattern of @w selects. */
void run_worklist(const struct guest_cpu *g, const struct worklist *w, struct run_totals *t);

#endif
