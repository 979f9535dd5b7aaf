/*
 * nightly_judge.h - one night judged against its rolling baseline. The baseline is the key's
 * last N quiet nights (nightly_record.h), set as a named baseline so that compare, baseline
 * show and report can name it; the night is compared with it, or, while it has fewer than N
 * nights (or when every result of its nights is functional only), with a baseline that has
 * its runs but no cases ("building baseline (k of N)": every case new, no verdicts). Each
 * case's trend over the key's nights (trend.h) turns an unchanged or noisy verdict into
 * drift. From these: the night's state, exit status (comparison_outcome()'s) and figures.
 */
#ifndef XB_RESULTS_NIGHTLY_JUDGE_H
#define XB_RESULTS_NIGHTLY_JUDGE_H

#include "comparison.h"
#include "nightly_record.h"
#include "trend.h"

/* The nights the trend test looks back over, tonight included; and the report's charts. */
#define NIGHTLY_TREND_NIGHTS 30
#define NIGHTLY_CHART_NIGHTS 30

struct nightly_options {
	int baseline_nights; /* N: the rolling baseline's size */
	struct verdict_options verdict;
};

/* A case whose trend drifts: its row in the comparison, where the ramp began, how fast. */
struct nightly_drift {
	int row;
	int direction;           /* +1 slower (the drift verdict), -1 faster (a note) */
	int64_t began_run;       /* the first night of the ramp */
	char began_at[32];       /* when that run started */
	int nights;              /* from the night before it to tonight */
	double per_night, change; /* ratios minus one */
	double p_adjusted;
};

struct nightly_judgement {
	int64_t run_id;
	struct nightly_key key;
	struct nightly_options options;
	char baseline_name[64];
	int nr_baseline;
	int64_t baseline[NIGHTLY_MAX_BASELINE]; /* the rolling baseline's runs, newest first */
	bool building;
	bool against_baseline;                  /* compared with the named baseline's cases */
	struct comparison_set set;              /* tonight, after the baseline when not building */
	struct series empty_base;               /* building: the baseline's runs without cases */
	struct comparison building_cmp;         /* building: every case new */
	struct comparison *cmp;                 /* the comparison of the night: set.cmp or building_cmp */
	int nr_trend_nights;                    /* the nights tested for a trend, 0 when not tested */
	int nr_drifts;
	struct nightly_drift *drifts;
	char (*drift_why)[COMPARISON_WHY_MAX];  /* per drift, what its cell's why points to */
	int nr_history;
	int64_t history[NIGHTLY_CHART_NIGHTS];  /* the key's last nights, tonight last */
	enum night_state state;
	int outcome;                            /* enum comparison_outcome */
	char reason[2 * COMPARISON_WHY_MAX];
	int compared, flagged, disturbed;       /* as struct night_record counts them */
};

/* Judges the night of run @run_id (stored, complete or not) of @key; @now stamps the rolling
 * baseline when it is set. Free the judgement with nightly_judgement_free() whatever it
 * returns. */
int nightly_judge(struct results_store *st, int64_t run_id, const struct nightly_key *key,
		  const struct nightly_options *o, const char *now, struct nightly_judgement *out) XB_MUST_CHECK;
/* Whether a row of the night's comparison was flagged: regression, improvement, failed, drift. */
bool nightly_row_flagged(const struct nightly_judgement *j, int row);
void nightly_judgement_free(struct nightly_judgement *j);

#endif
