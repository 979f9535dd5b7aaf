/*
 * comparison_notes.c - the lines printed with a comparison besides its cases: runs that did
 * not finish, and NEW series measured on other machines than BASE.
 */
#include "comparison.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int comparison_add_note(struct comparison *c, int series, const char *kind, const char *fmt, ...)
{
	struct comparison_note *grown = realloc(c->notes, (size_t)(c->nr_notes + 1) * sizeof(*grown));
	va_list ap;
	int n;

	if (!grown)
		return xb_fail(ENOMEM, "out of memory");
	c->notes = grown;
	grown = &c->notes[c->nr_notes];
	grown->series = series;
	snprintf(grown->kind, sizeof(grown->kind), "%s", kind);
	va_start(ap, fmt);
	n = vasprintf(&grown->text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return xb_fail(ENOMEM, "out of memory");
	c->nr_notes++;
	return 0;
}

void comparison_free_notes(struct comparison *c)
{
	for (int i = 0; i < c->nr_notes; i++)
		free(c->notes[i].text);
	free(c->notes);
	c->notes = NULL;
	c->nr_notes = 0;
}

static int incomplete_runs(struct comparison *c)
{
	int rc = 0;

	for (int k = -1; k < c->nr_news && !rc; k++) {
		const struct series *s = k < 0 ? c->base : &c->news[k];

		for (int r = 0; r < s->nr_runs && !rc; r++)
			if (!s->runs[r].complete)
				rc = comparison_add_note(c, k, "warning", "run %lld is incomplete (it was killed or is "
							 "still running): cases it did not finish show as %s",
							 (long long)s->runs[r].id, k < 0 ? "new" : "missing");
	}
	return rc;
}

static bool has_machine(const struct series *s, const struct series_run *run)
{
	for (int r = 0; r < s->nr_runs; r++)
		if (series_same_machine(&s->runs[r], run))
			return true;
	return false;
}

static bool same_machines(const struct series *a, const struct series *b)
{
	for (int r = 0; r < a->nr_runs; r++)
		if (!has_machine(b, &a->runs[r]))
			return false;
	for (int r = 0; r < b->nr_runs; r++)
		if (!has_machine(a, &b->runs[r]))
			return false;
	return true;
}

/* "HOST (CPU)" of every distinct machine of @s, joined by "; ". */
static char *machines_text(const struct series *s)
{
	char *text = NULL, one[320];
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	for (int r = 0; r < s->nr_runs; r++) {
		bool seen = false;

		for (int q = 0; q < r; q++)
			seen = seen || series_same_machine(&s->runs[q], &s->runs[r]);
		if (seen)
			continue;
		series_run_machine(&s->runs[r], one, sizeof(one));
		fprintf(f, "%s%s", r ? "; " : "", one);
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

static int other_machines(struct comparison *c)
{
	int rc = 0;

	for (int k = 0; k < c->nr_news && !rc; k++) {
		char *base, *new;

		if (same_machines(c->base, &c->news[k]))
			continue;
		base = machines_text(c->base);
		new = machines_text(&c->news[k]);
		if (!base || !new)
			rc = xb_fail(ENOMEM, "out of memory");
		else
			rc = comparison_add_note(c, k, "warning", "measured on different machines: %s on %s, %s on %s",
						 c->base->name, base, c->news[k].name, new);
		free(base);
		free(new);
	}
	return rc;
}

int comparison_add_series_notes(struct comparison *c)
{
	int rc = incomplete_runs(c);

	return rc ? rc : other_machines(c);
}
