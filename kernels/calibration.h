/*
 * calibration.h - what each batch is corrected and converted with, per case: the cost of an
 * empty batch of the same size (the loop skeleton and the time stamps), subtracted from
 * every batch; and the core clock in TSC ticks per cycle, from a dependent-ADD chain, which
 * turns ticks into estimated core cycles. Both are refreshed beside every batch and used as
 * the median of the last CALIBRATION_WINDOW values, so they follow a shared machine whose
 * core clock moves under a constant TSC, and one interrupted measurement does not count.
 * Freestanding and integer-only: the host runner and the guest payload use the same code.
 */
#ifndef XB_KERNELS_CALIBRATION_H
#define XB_KERNELS_CALIBRATION_H

#include <stdint.h>

#include "clock_ref.h"

#define CALIBRATION_WINDOW 31

/* Two chain lengths; their difference is this many ADDs, i.e. core cycles. */
#define CALIBRATION_CHAIN_SHORT 8
#define CALIBRATION_CHAIN_LONG 24
#define CALIBRATION_CHAIN_CYCLES \
	((CALIBRATION_CHAIN_LONG - CALIBRATION_CHAIN_SHORT) * CLOCK_REF_ADDS_PER_ITERATION)

struct median_window {
	int next;
	uint64_t values[CALIBRATION_WINDOW];
};

struct calibration {
	uint32_t ops;
	struct median_window empty_batch; /* ticks of an empty batch of `ops` iterations */
	struct median_window chain;       /* ticks of CALIBRATION_CHAIN_CYCLES more ADDs */
};

/* Fills both windows for batches of @ops operations; @ops 0: the core clock alone (for
 * batches whose overhead is timed where they run), the overhead then reads 0. */
void calibration_init(struct calibration *c, uint32_t ops);
/* Measures one more empty batch (with @ops) and one more clock reference. */
void calibration_refresh(struct calibration *c);
/* The overhead to subtract from a batch of `ops` operations. */
uint64_t calibration_overhead(const struct calibration *c);
/* TSC ticks for CALIBRATION_CHAIN_CYCLES core cycles (at least 1). */
uint64_t calibration_chain_ticks(const struct calibration *c);

/* Sorts @values (@n > 0 of them) in place and returns the middle one. */
uint64_t calibration_median(uint64_t *values, int n);

#endif
