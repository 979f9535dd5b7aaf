/*
 * counters.h - PMU and software event counters: names resolved by libpfm4, opened with
 * perf_event_open on the calling thread, counted around each measured batch. An event
 * the machine cannot count carries the reason and is never reported as zero.
 */
#ifndef XB_HOST_COUNTERS_H
#define XB_HOST_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"

#define COUNTERS_MAX 8

struct counter {
	char name[64];
	bool available;
	char reason[192]; /* why it is unavailable */
	int fd;
	uint64_t last;    /* the running value at the previous read */
};

struct counter_set {
	int count;
	struct counter c[COUNTERS_MAX];
};

/* Whether libpfm4 initializes, and which kinds of events open here. */
void counters_probe(struct pmu_info *out);

/* Checks a comma-separated list of event names: none empty, at most COUNTERS_MAX, each one
 * libpfm4 can encode. Opens nothing: for checking --counters before anything is measured. */
int counters_check_list(const char *list) XB_MUST_CHECK;
/*
 * Resolves and opens a comma-separated list of event names. Fails on a list that
 * counters_check_list() refuses or when libpfm4 cannot start; known events that cannot be
 * counted here are marked unavailable.
 */
int counters_open(const char *list, struct counter_set *set) XB_MUST_CHECK;
void counters_close(struct counter_set *set);
void counters_start(const struct counter_set *set);
void counters_stop(const struct counter_set *set);
/* Stores each available counter's increase since the last call in @delta. */
int counters_read_delta(struct counter_set *set, uint64_t delta[COUNTERS_MAX]) XB_MUST_CHECK;

#endif
