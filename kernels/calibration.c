/*
 * calibration.c - the empty-batch and core-clock windows. Freestanding.
 */
#include "calibration.h"

#include "kstring.h"
#include "xsave_bench.h"

static uint64_t median(const struct median_window *w)
{
	uint64_t sorted[CALIBRATION_WINDOW];

	kmem_copy(sorted, w->values, sizeof(sorted));
	for (int i = 1; i < CALIBRATION_WINDOW; i++) { /* insertion sort: 31 values */
		uint64_t v = sorted[i];
		int j = i;

		while (j > 0 && sorted[j - 1] > v) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = v;
	}
	return sorted[CALIBRATION_WINDOW / 2];
}

static void push(struct median_window *w, uint64_t v)
{
	w->values[w->next] = v;
	w->next = (w->next + 1) % CALIBRATION_WINDOW;
}

static uint64_t chain_difference(void)
{
	uint64_t shorter = clock_ref_chain_ticks(CALIBRATION_CHAIN_SHORT);
	uint64_t longer = clock_ref_chain_ticks(CALIBRATION_CHAIN_LONG);

	return longer > shorter ? longer - shorter : 1;
}

void calibration_init(struct calibration *c, uint32_t ops)
{
	kmem_set(c, 0, sizeof(*c));
	c->ops = ops;
	for (int i = 0; i < CALIBRATION_WINDOW; i++)
		calibration_refresh(c);
}

void calibration_refresh(struct calibration *c)
{
	if (c->ops)
		push(&c->empty_batch, xsave_bench_empty_batch(c->ops));
	push(&c->chain, chain_difference());
}

uint64_t calibration_overhead(const struct calibration *c)
{
	return median(&c->empty_batch);
}

uint64_t calibration_chain_ticks(const struct calibration *c)
{
	return median(&c->chain);
}
