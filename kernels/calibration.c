/*
 * calibration.c - the empty-batch and core-clock windows. Freestanding.
 */
#include "calibration.h"

#include "../base/kstring.h"
#include "xsave_bench.h"

uint64_t calibration_median(uint64_t *values, int n)
{
	for (int i = 1; i < n; i++) { /* insertion sort: a few dozen values */
		uint64_t v = values[i];
		int j = i;

		while (j > 0 && values[j - 1] > v) {
			values[j] = values[j - 1];
			j--;
		}
		values[j] = v;
	}
	return values[n / 2];
}

static uint64_t median(const struct median_window *w)
{
	uint64_t sorted[CALIBRATION_WINDOW];

	kmem_copy(sorted, w->values, sizeof(sorted));
	return calibration_median(sorted, CALIBRATION_WINDOW);
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
