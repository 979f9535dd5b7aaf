/*
 * history.h - one case across the runs of one machine: per run the number of samples, the
 * median and the quartiles of a metric, oldest first.
 */
#ifndef XB_RESULTS_HISTORY_H
#define XB_RESULTS_HISTORY_H

#include "series.h"

struct history_point {
	struct series_run run;
	int n;
	double median, q1, q3, iqr_percent;
	bool functional_only;
};

struct history {
	int64_t machine_id;
	char unit[64];
	int nr_points;
	struct history_point *points;
};

/* @machine_id 0: the machine of the latest run that measured the case. A case never
 * measured (with this metric) is an error. */
int history_load(struct results_store *st, const char *case_id, const char *metric, int64_t machine_id,
		 struct history *out) XB_MUST_CHECK;
void history_free(struct history *h);

#endif
