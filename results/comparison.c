/*
 * comparison.c - matching cases across series and measuring every cell.
 */
#include "comparison.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sorted, distinct case ids of all series. */
static int union_of_ids(const struct series *base, const struct series *news, int nr_news, const char ***ids, int *n)
{
	int total = base->nr_cases, k = 0;
	const char **all;

	for (int i = 0; i < nr_news; i++)
		total += news[i].nr_cases;
	if (!(all = malloc((size_t)(total ? total : 1) * sizeof(*all))))
		return xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < base->nr_cases; i++)
		all[k++] = base->cases[i].id;
	for (int s = 0; s < nr_news; s++)
		for (int i = 0; i < news[s].nr_cases; i++)
			all[k++] = news[s].cases[i].id;
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

static int measure_rows(struct comparison *c)
{
	int rc = 0;

	for (int r = 0; r < c->nr_rows && !rc; r++) {
		struct comparison_row *row = &c->rows[r];

		for (int k = 0; k < c->nr_news && !rc; k++) {
			const struct series_case *b = row->base, *n = row->news[k];

			rc = verdict_measure(b ? b->values : NULL, b ? b->n : 0, n ? n->values : NULL, n ? n->n : 0,
					     &row->cells[k]);
			row->cells[k].functional_only = comparison_functional_only(row, k) != NULL;
		}
	}
	return rc;
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
	return rc;
}

int comparison_count(const struct comparison *c, int k, enum verdict v)
{
	int n = 0;

	for (int r = 0; r < c->nr_rows; r++)
		n += c->rows[r].cells[k].verdict == v;
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
}

/* Cases of @with that @s lacks. */
static int lacking(const struct comparison *c, const struct series *s, const struct series *with)
{
	int n = 0;

	for (int r = 0; r < c->nr_rows; r++)
		n += series_find(with, c->rows[r].id) && !series_find(s, c->rows[r].id);
	return n;
}

static int report_incomplete(const struct comparison *c, const struct series *s, const struct series *with,
			     FILE *out)
{
	int n = 0;

	for (int i = 0; i < s->nr_runs; i++) {
		if (s->runs[i].complete)
			continue;
		fprintf(out, "inconclusive: %s: run %lld is incomplete (it was killed, failed to store or is still "
			"running): it lacks %d of the %d cases of %s\n", s->name, (long long)s->runs[i].id,
			lacking(c, s, with), with->nr_cases, with->name);
		n++;
	}
	return n;
}

int comparison_report_incomplete(const struct comparison *c, FILE *out)
{
	int n = 0;

	for (int k = 0; k < c->nr_news; k++)
		n += report_incomplete(c, &c->news[k], c->base, out);
	return n + report_incomplete(c, c->base, c->nr_news ? &c->news[0] : c->base, out);
}
