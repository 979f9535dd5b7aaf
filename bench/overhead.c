/*
 * overhead.c - the empty-batch overhead window.
 */
#include "overhead.h"

#include <string.h>

#include "../kernels/xsave_bench.h"

void overhead_init(struct overhead_tracker *t, uint32_t ops)
{
	memset(t, 0, sizeof(*t));
	t->ops = ops;
	for (int i = 0; i < OVERHEAD_WINDOW; i++)
		t->window[i] = xsave_bench_empty_batch(ops);
}

uint64_t overhead_current(const struct overhead_tracker *t)
{
	uint64_t sorted[OVERHEAD_WINDOW];

	memcpy(sorted, t->window, sizeof(sorted));
	for (int i = 1; i < OVERHEAD_WINDOW; i++) { /* insertion sort: 31 values */
		uint64_t v = sorted[i];
		int j = i;

		while (j > 0 && sorted[j - 1] > v) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = v;
	}
	return sorted[OVERHEAD_WINDOW / 2];
}

uint64_t overhead_refresh(struct overhead_tracker *t)
{
	t->window[t->next] = xsave_bench_empty_batch(t->ops);
	t->next = (t->next + 1) % OVERHEAD_WINDOW;
	return overhead_current(t);
}
