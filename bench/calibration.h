/*
 * calibration.h - what each batch is corrected and converted with, per case: the cost of an
 * empty batch of the same size (the loop skeleton and the time stamps), subtracted from
 * every batch; and the core clock in TSC ticks per cycle, from a dependent-ADD chain, which
 * turns ticks into estimated core cycles. Both are refreshed beside every batch and used as
 * the median of the last CALIBRATION_WINDOW values, so they follow a shared machine whose
 * core clock moves under a constant TSC, and one interrupted measurement does not count.
 */
#ifndef XB_BENCH_CALIBRATION_H
#define XB_BENCH_CALIBRATION_H

#include <stdint.h>

#define CALIBRATION_WINDOW 31

struct median_window {
	int next;
	uint64_t values[CALIBRATION_WINDOW];
};

struct calibration {
	uint32_t ops;
	struct median_window empty_batch; /* ticks of an empty batch of `ops` iterations */
	struct median_window chain;       /* ticks of CALIBRATION_CHAIN_CYCLES more ADDs */
};

/* Fills both windows for batches of @ops operations. */
void calibration_init(struct calibration *c, uint32_t ops);
/* Measures one more empty batch and one more clock reference. */
void calibration_refresh(struct calibration *c);
/* The overhead to subtract from a batch of `ops` operations. */
uint64_t calibration_overhead(const struct calibration *c);
/* TSC ticks per core cycle. */
double calibration_ticks_per_cycle(const struct calibration *c);

#endif
