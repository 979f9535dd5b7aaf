/*
 * datasheet_costs.h - the datasheet's costs: from a stored run, per save or restore operation
 * and condition, the cost of the FP+SSE baseline (`fp`) and of each set of the baseline plus
 * one component (`fp+zmm_hi256`), each component's increment over the baseline, and the
 * size-against-cost line over them all (robust_line.h): its slope in ticks and estimated core
 * cycles per 64 bytes, its intercept (the instruction's fixed cost) and the components off it.
 */
#ifndef XB_RESULTS_DATASHEET_COSTS_H
#define XB_RESULTS_DATASHEET_COSTS_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "series.h"

/* The cases the datasheet measures and reads: native saves and restores (ring 0 too) of the
 * baseline and of the baseline plus one component (x87+SSE+YMM is the row avx), in every
 * condition of a save or restore: the component list (`run --suite components`). */
#define DATASHEET_COST_FILTER \
	"^native/(ring0/)?(save|restore)/[^/]+/(fp|avx|fp\\+[a-z0-9_]+)/(inuse|init|clean|modified)$"
/* The bytes of the baseline's state: the legacy area and the header; a component adds its size. */
#define DATASHEET_BASE_BYTES 576u
#define DATASHEET_MAX_COMPONENTS 64

struct datasheet_cost_input {
	const struct series *ticks;  /* METRIC_TICKS_PER_OP */
	const struct series *cycles; /* METRIC_CORE_CYCLES_PER_OP; NULL when the run has none */
	uint64_t xcr0, xss;          /* to read feature-set names (feature_set_parse()) */
	const uint32_t *sizes;       /* DATASHEET_MAX_COMPONENTS component sizes in bytes */
};

/* Adds "costs" to @doc from the cases of @in that DATASHEET_COST_FILTER selects. Returns 0,
 * -ENOMEM, or the fit's error. */
int datasheet_costs(const struct datasheet_cost_input *in, cJSON *doc) XB_MUST_CHECK;

#endif
