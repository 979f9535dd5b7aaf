/*
 * datasheet_virt.c - native, ring-0 and guest medians of the same operation, side by side.
 */
#include "datasheet_virt.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/attributes.h"
#include "../base/ids.h"
#include "db.h"
#include "stats.h"

enum virt_site { VIRT_NATIVE, VIRT_RING0, VIRT_GUEST, VIRT_SITES };

static const char *const site_keys[VIRT_SITES] = { "native", "ring0", "guest" };

/* One case's latest run: its operation without the site, where it ran, its median. */
struct virt_case {
	char key[192]; /* group/op/features[/condition]: the parts of bench_id_parts */
	enum virt_site site;
	double median;
	bool functional_only;
};

struct virt_cases {
	int n, cap;
	struct virt_case *c;
};

/* The site-free part of @id, and where it ran; false for an id of another site or shape. */
static bool split_id(const char *id, char *key, size_t size, enum virt_site *site)
{
	struct bench_id_parts p;

	if (!bench_id_parse(id, &p) || (p.site != SITE_NATIVE && p.site != SITE_GUEST))
		return false;
	*site = p.site == SITE_GUEST ? VIRT_GUEST : p.ring0 ? VIRT_RING0 : VIRT_NATIVE;
	snprintf(key, size, "%s/%s/%s%s%s", p.group, p.op, p.features, p.condition[0] ? "/" : "", p.condition);
	return true;
}

/* Closes the case whose samples are in @v: appends it when its id is one of ours. */
static int close_case(struct virt_cases *out, const char *id, const double *v, int n, bool functional_only)
{
	struct virt_case *c;

	if (!n)
		return 0;
	if (out->n == out->cap) {
		struct virt_case *grown = realloc(out->c, (size_t)(out->cap = out->cap ? 2 * out->cap : 64) * sizeof(*grown));

		if (!grown)
			return xb_fail(ENOMEM, "out of memory");
		out->c = grown;
	}
	c = &out->c[out->n];
	if (!split_id(id, c->key, sizeof(c->key), &c->site))
		return 0;
	c->median = stats_median(v, n);
	c->functional_only = functional_only;
	out->n++;
	return 0;
}

#define VIRT_SQL                                                                                           \
	"SELECT c.name, s.run_id, s.ticks_per_op, fa.value FROM samples s JOIN cases c ON c.id = s.case_id"  \
	" JOIN results r ON r.run_id = s.run_id AND r.case_id = s.case_id"                                   \
	" LEFT JOIN result_attributes fa ON fa.run_id = s.run_id AND fa.case_id = s.case_id AND fa.name = ?" \
	" WHERE r.status = 'ok' AND (c.name LIKE 'native/%' OR c.name LIKE 'guest/%')"                        \
	" ORDER BY c.name, s.run_id"

/* Every case's samples in its latest run, as medians. */
static int read_cases(struct db *db, struct virt_cases *out)
{
	struct db_stmt *s;
	char id[BENCH_ID_MAX * 2] = "";
	double *v = NULL;
	int n = 0, cap = 0, rc;
	int64_t run = 0;
	bool fo = false;

	if ((rc = db_prepare(db, VIRT_SQL, &s)))
		return rc;
	if (!(rc = db_bind_text(s, 1, ATTR_FUNCTIONAL_ONLY))) {
		while ((rc = db_step(s)) == DB_ROW) {
			const char *name = db_column_text(s, 0);

			if (strcmp(name, id) && (rc = close_case(out, id, v, n, fo)))
				break;
			if (strcmp(name, id) || db_column_int64(s, 1) != run) { /* a later run replaces an earlier one */
				snprintf(id, sizeof(id), "%s", name);
				run = db_column_int64(s, 1);
				n = 0;
			}
			if (n == cap) {
				double *grown = realloc(v, (size_t)(cap = cap ? 2 * cap : 64) * sizeof(*v));

				if (!grown) {
					rc = xb_fail(ENOMEM, "out of memory");
					break;
				}
				v = grown;
			}
			v[n++] = db_column_double(s, 2);
			fo = !db_column_is_null(s, 3);
		}
	}
	if (rc == DB_DONE)
		rc = close_case(out, id, v, n, fo);
	db_finalize(s);
	free(v);
	return rc < 0 ? rc : 0;
}

static void add_ratio(cJSON *row, const char *name, const struct virt_case *num, const struct virt_case *den)
{
	if (num && den && den->median > 0)
		cJSON_AddNumberToObject(row, name, num->median / den->median);
}

/* A row for every key measured natively and at one other site at least. */
static void rows(const struct virt_cases *cs, cJSON *list)
{
	for (int i = 0; i < cs->n; i++) {
		const struct virt_case *at[VIRT_SITES] = { 0 };
		bool fo = false;
		cJSON *row;

		if (cs->c[i].site != VIRT_NATIVE)
			continue;
		for (int j = 0; j < cs->n; j++)
			if (!strcmp(cs->c[j].key, cs->c[i].key))
				at[cs->c[j].site] = &cs->c[j];
		if (!at[VIRT_RING0] && !at[VIRT_GUEST])
			continue;
		row = cJSON_CreateObject();
		cJSON_AddStringToObject(row, "operation", cs->c[i].key);
		for (int k = 0; k < VIRT_SITES; k++) {
			if (at[k])
				cJSON_AddNumberToObject(row, site_keys[k], at[k]->median);
			fo |= at[k] && at[k]->functional_only;
		}
		add_ratio(row, "ring0_over_native", at[VIRT_RING0], at[VIRT_NATIVE]);
		add_ratio(row, "guest_over_native", at[VIRT_GUEST], at[VIRT_NATIVE]);
		add_ratio(row, "guest_over_ring0", at[VIRT_GUEST], at[VIRT_RING0]);
		cJSON_AddBoolToObject(row, ATTR_FUNCTIONAL_ONLY, fo);
		cJSON_AddItemToArray(list, row);
	}
}

int datasheet_virtualization(struct results_store *st, cJSON *doc)
{
	struct virt_cases cs = { 0 };
	cJSON *virt = cJSON_AddObjectToObject(doc, "virtualization");
	int rc = read_cases(results_db(st), &cs);

	if (!rc) {
		cJSON_AddStringToObject(virt, "unit", "ticks/op, the median of each case's latest run");
		rows(&cs, cJSON_AddArrayToObject(virt, "rows"));
	}
	free(cs.c);
	return rc;
}
