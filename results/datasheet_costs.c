/*
 * datasheet_costs.c - per operation and condition, the baseline's cost, each component's
 * increment, and the size-against-cost line.
 */
#include "datasheet_costs.h"

#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../base/ids.h"
#include "robust_line.h"
#include "stats.h"

#define BYTES_PER_LINE 64.0

/* One selected case: its operation, condition, component (-1: the baseline) and medians. */
struct cost_point {
	char operation[BENCH_ID_MAX];
	int cond;
	int component;
	double ticks, cycles; /* cycles NAN when unknown */
};

struct cost_points {
	int n;
	struct cost_point *p;
};

/* The component of the set @features beyond the baseline: -1 for the baseline itself; false
 * when it is not the baseline or the baseline plus one component. */
static bool single_component(const char *features, uint64_t xcr0, uint64_t xss, int *component)
{
	uint64_t mask, extra;

	if (!feature_set_parse(features, xcr0, xss, &mask) || (mask & XFEATURES_FP) != XFEATURES_FP)
		return false;
	extra = mask & ~XFEATURES_FP;
	if (extra & (extra - 1))
		return false;
	*component = extra ? __builtin_ctzll(extra) : -1;
	return true;
}

static double case_median(const struct series *s, const char *id)
{
	const struct series_case *c = s ? series_find(s, id) : NULL;

	return c && c->n ? stats_median(c->values, c->n) : NAN;
}

/* The cases of @in that the filter selects, as points. */
static int collect(const struct datasheet_cost_input *in, struct cost_points *out)
{
	regex_t re;

	if (regcomp(&re, DATASHEET_COST_FILTER, REG_EXTENDED | REG_NOSUB))
		return xb_fail(EINVAL, "regcomp of the datasheet's filter failed");
	out->n = 0;
	out->p = calloc((size_t)in->ticks->nr_cases + 1, sizeof(*out->p));
	if (!out->p) {
		regfree(&re);
		return xb_fail(ENOMEM, "out of memory");
	}
	for (int i = 0; i < in->ticks->nr_cases; i++) {
		const struct series_case *c = &in->ticks->cases[i];
		struct cost_point *p = &out->p[out->n];
		struct bench_id_parts parts;

		if (regexec(&re, c->id, 0, NULL, 0) || !bench_id_parse(c->id, &parts) || parts.cond >= COND_COUNT ||
		    parts.cond == COND_NONE || !c->n ||
		    !single_component(parts.features, in->xcr0, in->xss, &p->component))
			continue;
		bench_id_operation(&parts, p->operation, sizeof(p->operation));
		p->cond = (int)parts.cond;
		p->ticks = stats_median(c->values, c->n);
		p->cycles = case_median(in->cycles, c->id);
		out->n++;
	}
	regfree(&re);
	return 0;
}

static const struct cost_point *find(const struct cost_points *pts, const char *op, int cond, int component)
{
	for (int i = 0; i < pts->n; i++)
		if (pts->p[i].cond == cond && pts->p[i].component == component && !strcmp(pts->p[i].operation, op))
			return &pts->p[i];
	return NULL;
}

static const char *component_word(int component)
{
	return component < 0 ? "fp" : xfeature_short_name((unsigned int)component);
}

static uint32_t state_bytes(const struct datasheet_cost_input *in, int component)
{
	return DATASHEET_BASE_BYTES + (component < 0 ? 0 : in->sizes[component]);
}

/* The fitted line of one metric over @n points into @fit ("slope_<unit>_per_64b",
 * "intercept_<unit>", "sigma_<unit>"); nothing when the points cannot carry a line. */
static int fit_metric(const double *x, const double *y, int n, const char *unit, cJSON *fit, bool *off)
{
	struct robust_line line;
	char key[64];
	int rc = robust_line_fit(x, y, n, &line, off);

	if (rc == -EINVAL)
		return 0;
	if (rc)
		return rc;
	snprintf(key, sizeof(key), "slope_%s_per_64b", unit);
	cJSON_AddNumberToObject(fit, key, line.slope * BYTES_PER_LINE);
	snprintf(key, sizeof(key), "intercept_%s", unit);
	cJSON_AddNumberToObject(fit, key, line.intercept);
	snprintf(key, sizeof(key), "sigma_%s", unit);
	cJSON_AddNumberToObject(fit, key, line.sigma);
	return 0;
}

/* The size-against-cost line of one operation and condition over its rows. */
static int fit_condition(const struct datasheet_cost_input *in, const struct cost_points *pts, const char *op,
			 int cond, cJSON *fit)
{
	double x[DATASHEET_MAX_COMPONENTS + 1], y[DATASHEET_MAX_COMPONENTS + 1], cyc[DATASHEET_MAX_COMPONENTS + 1];
	int comp[DATASHEET_MAX_COMPONENTS + 1], n = 0, nc = 0, rc;
	bool off[DATASHEET_MAX_COMPONENTS + 1];
	cJSON *list;

	for (int c = -1; c < DATASHEET_MAX_COMPONENTS; c++) {
		const struct cost_point *p = find(pts, op, cond, c);

		if (!p)
			continue;
		x[n] = state_bytes(in, c);
		y[n] = p->ticks;
		cyc[n] = p->cycles;
		nc += !isnan(p->cycles);
		comp[n++] = c;
	}
	cJSON_AddNumberToObject(fit, "points", n);
	if (n < ROBUST_LINE_MIN_POINTS) {
		cJSON_AddStringToObject(fit, "why", "fewer than 3 components measured: no line");
		return 0;
	}
	if ((rc = fit_metric(x, y, n, "ticks", fit, off)))
		return rc;
	list = cJSON_AddArrayToObject(fit, "off_line");
	for (int i = 0; i < n && cJSON_GetObjectItem(fit, "slope_ticks_per_64b"); i++)
		if (off[i])
			cJSON_AddItemToArray(list, cJSON_CreateString(component_word(comp[i])));
	return nc == n ? fit_metric(x, cyc, n, "cycles", fit, NULL) : 0;
}

/* One row: a component (or the baseline) with its cost and increment in each condition. */
static cJSON *row_json(const struct datasheet_cost_input *in, const struct cost_points *pts, const char *op,
		       int component, bool *any)
{
	cJSON *row = cJSON_CreateObject(), *costs = cJSON_AddObjectToObject(row, "costs");

	*any = false;
	cJSON_AddStringToObject(row, "component", component_word(component));
	cJSON_AddStringToObject(row, "name", component < 0 ? "x87 and SSE: the baseline"
						   : xfeature_name((unsigned int)component));
	if (component >= 0)
		cJSON_AddNumberToObject(row, "id", component);
	cJSON_AddNumberToObject(row, "bytes", state_bytes(in, component));
	for (int cond = 0; cond < COND_COUNT; cond++) {
		const struct cost_point *p = find(pts, op, cond, component), *base = find(pts, op, cond, -1);
		cJSON *cell;

		if (!p)
			continue;
		*any = true;
		cell = cJSON_AddObjectToObject(costs, condition_name((enum condition)cond));
		cJSON_AddNumberToObject(cell, "ticks", p->ticks);
		if (!isnan(p->cycles))
			cJSON_AddNumberToObject(cell, "cycles", p->cycles);
		if (base)
			cJSON_AddNumberToObject(cell, "increment", p->ticks - base->ticks);
	}
	return row;
}

static int operation_json(const struct datasheet_cost_input *in, const struct cost_points *pts, const char *op,
			  cJSON *ops)
{
	cJSON *o = cJSON_CreateObject(), *conds, *rows, *fits;
	int rc = 0;

	cJSON_AddItemToArray(ops, o);
	cJSON_AddStringToObject(o, "operation", op);
	conds = cJSON_AddArrayToObject(o, "conditions");
	rows = cJSON_AddArrayToObject(o, "rows");
	fits = cJSON_AddObjectToObject(o, "fits");
	for (int cond = 0; cond < COND_COUNT && !rc; cond++) {
		bool present = false;

		for (int i = 0; i < pts->n; i++)
			present |= pts->p[i].cond == cond && !strcmp(pts->p[i].operation, op);
		if (!present)
			continue;
		cJSON_AddItemToArray(conds, cJSON_CreateString(condition_name((enum condition)cond)));
		rc = fit_condition(in, pts, op, cond, cJSON_AddObjectToObject(fits, condition_name((enum condition)cond)));
	}
	for (int c = -1; c < DATASHEET_MAX_COMPONENTS; c++) {
		bool any;
		cJSON *row = row_json(in, pts, op, c, &any);

		if (any)
			cJSON_AddItemToArray(rows, row);
		else
			cJSON_Delete(row);
	}
	return rc;
}

int datasheet_costs(const struct datasheet_cost_input *in, cJSON *doc)
{
	struct cost_points pts;
	cJSON *costs = cJSON_AddObjectToObject(doc, "costs"), *ops;
	int rc = collect(in, &pts);

	if (rc)
		return rc;
	cJSON_AddStringToObject(costs, "series", in->ticks->name);
	cJSON_AddStringToObject(costs, "filter", DATASHEET_COST_FILTER);
	cJSON_AddStringToObject(costs, "unit", "ticks/op");
	cJSON_AddStringToObject(costs, "bytes", "the legacy area and the header (576) plus the component's size");
	cJSON_AddStringToObject(costs, "fit_rule", ROBUST_LINE_RULE);
	ops = cJSON_AddArrayToObject(costs, "operations");
	for (int i = 0; i < pts.n && !rc; i++) {
		bool seen = false;

		for (int j = 0; j < i; j++)
			seen |= !strcmp(pts.p[j].operation, pts.p[i].operation);
		if (!seen)
			rc = operation_json(in, &pts, pts.p[i].operation, ops);
	}
	free(pts.p);
	return rc;
}
