/*
 * nightly_record.h - the nightly job's record of its nights (schema version 4): per night its
 * run, the machine and configuration its rolling baseline is kept by, what the night was
 * judged, the exit status it gave and its figures; which nights make the rolling baseline of
 * a key (the last N that were neither disturbed nor flagged, or that someone accepted), which
 * count for the trend test, which the report charts; and the acceptance of a night, with who
 * accepted it and why.
 */
#ifndef XB_RESULTS_NIGHTLY_RECORD_H
#define XB_RESULTS_NIGHTLY_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

enum night_state {
	NIGHT_BUILDING,     /* quiet, while its key had fewer than N baseline nights: no verdicts */
	NIGHT_PASS,         /* compared with the rolling baseline, nothing flagged */
	NIGHT_FLAGGED,      /* a case regressed, improved, drifted or failed its checks */
	NIGHT_INCONCLUSIVE, /* the comparison could not be judged for another reason (every case
			     * moved alike beyond the threshold, a run incomplete, the baseline's
			     * own spread) */
	NIGHT_DISTURBED,    /* the night's run was measured while something else ran */
	NIGHT_STATE_COUNT,
};

const char *night_state_name(enum night_state s);

/* What a rolling baseline is kept by: the machine (its fingerprint's row) and the
 * configuration (the suites and options that choose what is measured, and the kernel
 * configuration, kernel_config.h). */
struct nightly_key {
	int64_t machine_id;
	const char *configuration;
};

struct night_record {
	int64_t run_id;
	struct nightly_key key;
	const char *night;          /* the date it ran, YYYY-MM-DD (UTC) */
	const char *kernel_release; /* "unknown" for an import that did not say */
	const char *kernel_commit;  /* NULL when not given */
	enum night_state state;
	int outcome;                /* the exit status the night gave */
	int compared, flagged, disturbed; /* cases: compared with the baseline, flagged, over a
					   * disturbance threshold on their own evidence */
	const char *baseline_runs;  /* the baseline's runs, "12 13 14", "" while building */
	const char *reason;         /* why the state, one line */
};

/* The most runs a rolling baseline holds. */
#define NIGHTLY_MAX_BASELINE 100

int nightly_record_night(struct results_store *st, const struct night_record *r) XB_MUST_CHECK;

/*
 * The rolling baseline of @key for the night of run @before: its last @n nights before it
 * that were building or passed, or were accepted, newest first, into @runs (*nr of them).
 */
int nightly_baseline_runs(struct results_store *st, const struct nightly_key *key, int64_t before, int n,
			  int64_t *runs, int *nr) XB_MUST_CHECK;
/*
 * The nights of @key before run @before whose trend counts, oldest first, at most @max: those
 * not disturbed or inconclusive (or accepted), from the latest accepted night on (accepting a
 * night says its level is the new normal).
 */
int nightly_trend_runs(struct results_store *st, const struct nightly_key *key, int64_t before, int max,
		       int64_t *runs, int *nr) XB_MUST_CHECK;
/* The last @max nights of @key before run @before, whatever their state, oldest first. */
int nightly_recent_runs(struct results_store *st, const struct nightly_key *key, int64_t before, int max,
			int64_t *runs, int *nr) XB_MUST_CHECK;

struct night_acceptance {
	enum night_state state;  /* what the night was judged */
	char configuration[512];
	int64_t machine_id;
};

/*
 * Accepts the night of run @run_id into its rolling baseline, recorded with @who, @why and
 * @now. Refuses (-EINVAL, nothing written) a run that is no nightly night, a disturbed night
 * (its numbers are not the machine's), and one that is in its baseline already or accepted.
 */
int nightly_accept(struct results_store *st, int64_t run_id, const char *now, const char *who, const char *why,
		   struct night_acceptance *out) XB_MUST_CHECK;

#endif
