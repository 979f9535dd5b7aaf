/*
 * comparison.c - matching cases across series and measuring every cell.
 */
#include "comparison.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sorted, distinct case ids of all series: measured, or failed in a NEW series. */
static int union_of_ids(const struct series *base, const struct series *news, int nr_news, const char ***ids, int *n)
{
	int total = base->nr_cases, k = 0;
	const char **all;

	for (int i = 0; i < nr_news; i++)
		total += news[i].nr_cases + news[i].nr_unmeasured;
	if (!(all = malloc((size_t)(total ? total : 1) * sizeof(*all))))
		return xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < base->nr_cases; i++)
		all[k++] = base->cases[i].id;
	for (int s = 0; s < nr_news; s++) {
		for (int i = 0; i < news[s].nr_cases; i++)
			all[k++] = news[s].cases[i].id;
		for (int i = 0; i < news[s].nr_unmeasured; i++)
			if (news[s].unmeasured[i].status == CASE_ERROR)
				all[k++] = news[s].unmeasured[i].id;
	}
	total = k;
	qsort(all, (size_t)total, sizeof(*all), by_string);
	*n = 0;
	for (int i = 0; i < total; i++)
		if (!*n || strcmp(all[*n - 1], all[i]))
			all[(*n)++] = all[i];
	*ids = all;
	return 0;
}

const char *comparison_functional_only(const struct comparison_row *row, int k)
{
	if (row->base && row->base->functional_only)
		return row->base->functional_only;
	return row->news[k] ? row->news[k]->functional_only : NULL;
}

/* NEW series @k's record of a case it did not measure, with @status, or NULL. */
static const struct series_unmeasured *unmeasured(const struct comparison *c, int k, const char *id,
						  enum case_status status)
{
	const struct series_unmeasured *u = series_find_unmeasured(&c->news[k], id);

	return u && u->status == status ? u : NULL;
}

static int measure_rows(struct comparison *c)
{
	int rc = 0;

	for (int r = 0; r < c->nr_rows && !rc; r++) {
		struct comparison_row *row = &c->rows[r];

		for (int k = 0; k < c->nr_news && !rc; k++) {
			const struct series_case *b = row->base, *n = row->news[k];
			const struct series_unmeasured *failed = unmeasured(c, k, row->id, CASE_ERROR);

			rc = verdict_measure(b ? b->values : NULL, b ? b->n : 0, n ? n->values : NULL, n ? n->n : 0,
					     &row->cells[k]);
			row->cells[k].functional_only = comparison_functional_only(row, k) != NULL;
			row->cells[k].failure = failed ? failed->reason : NULL;
		}
	}
	return rc;
}

/* A case missing from NEW because it was skipped there says why. */
static void explain_missing(struct comparison *c)
{
	for (int r = 0; r < c->nr_rows; r++) {
		for (int k = 0; k < c->nr_news; k++) {
			struct case_verdict *v = &c->rows[r].cells[k];
			const struct series_unmeasured *skipped = unmeasured(c, k, c->rows[r].id, CASE_SKIP);

			if (v->verdict == VERDICT_MISSING && skipped)
				v->why = skipped->reason;
		}
	}
}

/* Each NEW series is its own family for the correction. */
static int decide_columns(struct comparison *c)
{
	struct case_verdict *column = malloc((size_t)(c->nr_rows ? c->nr_rows : 1) * sizeof(*column));
	int rc = column ? 0 : xb_fail(ENOMEM, "out of memory");

	for (int k = 0; k < c->nr_news && !rc; k++) {
		for (int r = 0; r < c->nr_rows; r++)
			column[r] = c->rows[r].cells[k];
		rc = verdict_decide(column, c->nr_rows, &c->options);
		for (int r = 0; r < c->nr_rows && !rc; r++)
			c->rows[r].cells[k] = column[r];
	}
	free(column);
	return rc;
}

int comparison_build(struct comparison *c, const struct series *base, const struct series *news, int nr_news,
		     const char *metric, const struct verdict_options *o)
{
	const char **ids = NULL;
	int rc;

	*c = (struct comparison){ .metric = metric, .options = *o, .base = base, .news = news, .nr_news = nr_news };
	if ((rc = union_of_ids(base, news, nr_news, &ids, &c->nr_rows)))
		return rc;
	if (!(c->rows = calloc((size_t)(c->nr_rows ? c->nr_rows : 1), sizeof(*c->rows))))
		rc = xb_fail(ENOMEM, "out of memory");
	for (int r = 0; r < c->nr_rows && !rc; r++) {
		struct comparison_row *row = &c->rows[r];

		row->id = ids[r];
		row->base = series_find(base, ids[r]);
		row->news = calloc((size_t)nr_news, sizeof(*row->news));
		row->cells = calloc((size_t)nr_news, sizeof(*row->cells));
		if (!row->news || !row->cells) {
			rc = xb_fail(ENOMEM, "out of memory");
			break;
		}
		for (int k = 0; k < nr_news; k++)
			row->news[k] = series_find(&news[k], ids[r]);
		row->unit = row->base ? row->base->unit : NULL;
		for (int k = 0; k < nr_news && !row->unit; k++)
			row->unit = row->news[k] ? row->news[k]->unit : NULL;
	}
	free(ids);
	if (!rc)
		rc = measure_rows(c);
	if (!rc)
		rc = decide_columns(c);
	if (!rc) {
		explain_missing(c);
		rc = comparison_add_series_notes(c);
	}
	return rc;
}

bool comparison_cell_present(const struct comparison_row *row, int k)
{
	return row->base || row->news[k] || row->cells[k].failure;
}

int comparison_count(const struct comparison *c, int k, enum verdict v)
{
	int n = 0;

	for (int r = 0; r < c->nr_rows; r++)
		n += comparison_cell_present(&c->rows[r], k) && c->rows[r].cells[k].verdict == v;
	return n;
}

void comparison_free(struct comparison *c)
{
	for (int r = 0; r < c->nr_rows; r++) {
		free(c->rows[r].news);
		free(c->rows[r].cells);
	}
	free(c->rows);
	c->rows = NULL;
	c->nr_rows = 0;
	comparison_free_notes(c);
}
