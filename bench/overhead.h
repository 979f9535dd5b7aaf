/*
 * overhead.h - the calibrated cost of an empty batch (the loop skeleton and the time
 * stamps), per batch size. Every measured batch is paired with a fresh empty batch of the
 * same size; the overhead subtracted is the median of the last OVERHEAD_WINDOW of them, so
 * it follows the core clock when a shared machine speeds up or slows down.
 */
#ifndef XB_BENCH_OVERHEAD_H
#define XB_BENCH_OVERHEAD_H

#include <stdint.h>

#define OVERHEAD_WINDOW 31

struct overhead_tracker {
	uint32_t ops;
	int next;
	uint64_t window[OVERHEAD_WINDOW];
};

/* Fills the window with empty batches of @ops iterations. */
void overhead_init(struct overhead_tracker *t, uint32_t ops);
/* Measures one more empty batch and returns the median of the window. */
uint64_t overhead_refresh(struct overhead_tracker *t);
/* The median of the window, without measuring. */
uint64_t overhead_current(const struct overhead_tracker *t);

#endif
