/*
 * datasheet_compare.c - a second datasheet beside this one: layout differences and cost ratios.
 */
#include "datasheet_compare.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_file.h"

/* The layout facts of a component that are compared. */
static const char *const layout_fields[] = { "size", "offset", "compacted_offset", "align64", "supervisor", "xfd",
					     "enabled" };

cJSON *datasheet_read(const char *path)
{
	char *text = text_file_read(path);
	cJSON *doc;

	if (!text)
		return NULL;
	doc = cJSON_Parse(text);
	free(text);
	if (!doc) {
		xb_fail(EINVAL, "%s: not JSON", path);
		return NULL;
	}
	if (!cJSON_IsObject(cJSON_GetObjectItem(doc, "layout")) || !cJSON_IsObject(cJSON_GetObjectItem(doc, "cpu"))) {
		cJSON_Delete(doc);
		xb_fail(EINVAL, "%s: not a datasheet (no \"cpu\" or \"layout\")", path);
		return NULL;
	}
	return doc;
}

static const cJSON *component_by_id(const cJSON *doc, int id)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "layout"), "components"))
		if (cJSON_GetObjectItem(c, "id") && cJSON_GetObjectItem(c, "id")->valueint == id)
			return c;
	return NULL;
}

static cJSON *field_pair(const cJSON *a, const cJSON *b, const char *field, bool *differs)
{
	const cJSON *x = a ? cJSON_GetObjectItem(a, field) : NULL, *y = b ? cJSON_GetObjectItem(b, field) : NULL;
	cJSON *pair = cJSON_CreateArray();

	cJSON_AddItemToArray(pair, x ? cJSON_Duplicate(x, true) : cJSON_CreateNull());
	cJSON_AddItemToArray(pair, y ? cJSON_Duplicate(y, true) : cJSON_CreateNull());
	if (!x || !y || !cJSON_Compare(x, y, true))
		*differs = true;
	return pair;
}

/* Every component either machine has, by id, with each field of both. */
static void compare_layout(const cJSON *doc, const cJSON *other, cJSON *list)
{
	for (int id = 0; id < 64; id++) {
		const cJSON *a = component_by_id(doc, id), *b = component_by_id(other, id), *named = a ? a : b;
		bool differs = false;
		cJSON *row, *fields;

		if (!a && !b)
			continue;
		row = cJSON_CreateObject();
		cJSON_AddNumberToObject(row, "id", id);
		cJSON_AddStringToObject(row, "component", cJSON_GetStringValue(cJSON_GetObjectItem(named, "short_name")));
		fields = cJSON_AddObjectToObject(row, "fields");
		for (size_t f = 0; f < sizeof(layout_fields) / sizeof(layout_fields[0]); f++)
			cJSON_AddItemToObject(fields, layout_fields[f], field_pair(a, b, layout_fields[f], &differs));
		cJSON_AddBoolToObject(row, "differs", differs);
		cJSON_AddItemToArray(list, row);
	}
}

/* @doc's cost of @operation, @condition and @component (a row's "component"), or NULL. */
static const cJSON *cost_of(const cJSON *doc, const char *operation, const char *condition, const char *component)
{
	const cJSON *op, *row;

	cJSON_ArrayForEach(op, cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "costs"), "operations")) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(op, "operation"));

		if (!name || strcmp(name, operation))
			continue;
		cJSON_ArrayForEach(row, cJSON_GetObjectItem(op, "rows")) {
			const char *c = cJSON_GetStringValue(cJSON_GetObjectItem(row, "component"));

			if (c && !strcmp(c, component))
				return cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(row, "costs"), condition),
							   "ticks");
		}
	}
	return NULL;
}

/* Every cost of @doc that @other measured too, with the ratio this / other. */
static void compare_costs(const cJSON *doc, const cJSON *other, cJSON *list)
{
	const cJSON *op, *row, *cell;

	cJSON_ArrayForEach(op, cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "costs"), "operations")) {
		const char *operation = cJSON_GetStringValue(cJSON_GetObjectItem(op, "operation"));

		cJSON_ArrayForEach(row, cJSON_GetObjectItem(op, "rows")) {
			const char *component = cJSON_GetStringValue(cJSON_GetObjectItem(row, "component"));

			cJSON_ArrayForEach(cell, cJSON_GetObjectItem(row, "costs")) {
				const cJSON *there = operation && component ? cost_of(other, operation, cell->string, component) : NULL;
				const cJSON *here = cJSON_GetObjectItem(cell, "ticks");
				cJSON *o;

				if (!cJSON_IsNumber(there) || !cJSON_IsNumber(here) || there->valuedouble <= 0)
					continue;
				o = cJSON_CreateObject();
				cJSON_AddStringToObject(o, "operation", operation);
				cJSON_AddStringToObject(o, "condition", cell->string);
				cJSON_AddStringToObject(o, "component", component);
				cJSON_AddNumberToObject(o, "this", here->valuedouble);
				cJSON_AddNumberToObject(o, "other", there->valuedouble);
				cJSON_AddNumberToObject(o, "ratio", here->valuedouble / there->valuedouble);
				cJSON_AddItemToArray(list, o);
			}
		}
	}
}

void datasheet_compare(cJSON *doc, const cJSON *other, const char *source)
{
	cJSON *cmp = cJSON_AddObjectToObject(doc, "compare");
	const cJSON *cpu = cJSON_GetObjectItem(other, "cpu");

	cJSON_AddStringToObject(cmp, "source", source);
	cJSON_AddItemToObject(cmp, "cpu", cJSON_Duplicate(cpu, true));
	compare_layout(doc, other, cJSON_AddArrayToObject(cmp, "layout"));
	compare_costs(doc, other, cJSON_AddArrayToObject(cmp, "costs"));
}
