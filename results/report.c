/*
 * report.c - the report's data files and gnuplot script (one script, one gnuplot run), then
 * the pages (report_page.c). Case ids are <site>/<group>/<op>/<features>[/<condition>]: an
 * operation is its first three parts, and its cost chart has the feature sets on the x axis
 * and one line per condition and series.
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "comparison.h"
#include "gnuplot.h"
#include "history.h"
#include "report_page.h"
#include "stats.h"

#define MAX_OPERATIONS 40 /* charts per kind; an import of foreign benchmarks can have thousands */
#define PART_MAX 128

struct id_parts {
	char op[PART_MAX * 3], features[PART_MAX], condition[PART_MAX];
};

static void split_id(const char *id, struct id_parts *p)
{
	const char *s[5] = { id }, *end = id + strlen(id);
	int n = 1;

	for (const char *c = id; *c && n < 5; c++)
		if (*c == '/')
			s[n++] = c + 1;
	if (n < 4) {
		snprintf(p->op, sizeof(p->op), "%s", id);
		snprintf(p->features, sizeof(p->features), "-");
		p->condition[0] = 0;
		return;
	}
	snprintf(p->op, sizeof(p->op), "%.*s", (int)(s[3] - 1 - id), id);
	snprintf(p->features, sizeof(p->features), "%.*s", (int)((n > 4 ? s[4] - 1 : end) - s[3]), s[3]);
	snprintf(p->condition, sizeof(p->condition), "%s", n > 4 ? s[4] : "");
}

/* The canonical feature-set order (DESIGN.md), then anything else as found. */
static int feature_rank(const char *f)
{
	static const char *const order[] = { "none", "fp", "avx", "avx512", "user", "amx", "all" };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (!strcmp(f, order[i]))
			return (int)i;
	return 100;
}

static void slug(const char *op, char *out, size_t size)
{
	size_t i = 0;

	for (; *op && i + 1 < size; op++)
		out[i++] = (*op == '/' || *op == ' ' || *op == '\'' || *op == '"') ? '-' : *op;
	out[i] = 0;
}

/* Up to MAX_OPERATIONS distinct operations of a series, in id order. */
static int operations_of(const struct series *s, char ops[][PART_MAX * 3])
{
	int n = 0;

	for (int i = 0; i < s->nr_cases && n < MAX_OPERATIONS; i++) {
		struct id_parts p;

		split_id(s->cases[i].id, &p);
		if (!n || strcmp(ops[n - 1], p.op))
			snprintf(ops[n++], sizeof(ops[0]), "%s", p.op);
	}
	return n;
}

struct labels {
	int n;
	char v[32][PART_MAX];
};

static void add_label(struct labels *l, const char *v)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], v))
			return;
	if (l->n < 32)
		snprintf(l->v[l->n++], sizeof(l->v[0]), "%s", v);
}

static int by_feature(const void *a, const void *b)
{
	int x = feature_rank(a), y = feature_rank(b);

	return x != y ? x - y : strcmp(a, b);
}

/* Before a plot command: its PNG; after it, the same plot again as SVG. */
static void chart_png(FILE *gp, const char *name, int width, int height)
{
	fprintf(gp, "set terminal pngcairo size %d,%d noenhanced\nset output '%s.png'\n", width, height, name);
}

static void chart_svg(FILE *gp, const char *name, int width, int height)
{
	fprintf(gp, "\nset terminal svg size %d,%d noenhanced\nset output '%s.svg'\nreplot\nunset output\n", width,
		height, name);
}

static int add_chart(struct report_page *page, const char *name, const char *title)
{
	struct report_chart *grown = realloc(page->charts, (size_t)(page->nr_charts + 1) * sizeof(*grown));

	if (!grown)
		return xb_fail(ENOMEM, "out of memory");
	page->charts = grown;
	snprintf(grown[page->nr_charts].name, sizeof(grown[0].name), "%s", name);
	snprintf(grown[page->nr_charts].title, sizeof(grown[0].title), "%s", title);
	page->nr_charts++;
	return 0;
}

static FILE *open_in(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "w")))
		xb_fail_errno("open %s", path);
	return f;
}

/* One cost chart: feature sets down the rows, a (median, lo, hi) triple per line. */
static int cost_chart(const struct report_options *o, const struct series *series, int nr, const char *op,
		      FILE *gp, struct report_page *page)
{
	struct labels features = { 0 }, conditions = { 0 };
	char name[PART_MAX * 3 + 8], file[PART_MAX * 3 + 16], title[512];
	const char *unit = NULL;
	int column = 2;
	FILE *dat;

	for (int s = 0; s < nr; s++) {
		for (int i = 0; i < series[s].nr_cases; i++) {
			struct id_parts p;

			split_id(series[s].cases[i].id, &p);
			if (strcmp(p.op, op))
				continue;
			add_label(&features, p.features);
			add_label(&conditions, p.condition);
			unit = series_metric_unit(o->metric, series[s].cases[i].unit);
		}
	}
	qsort(features.v, (size_t)features.n, sizeof(features.v[0]), by_feature);
	slug(op, name + snprintf(name, sizeof(name), "cost-"), sizeof(name) - 5);
	snprintf(file, sizeof(file), "%s.dat", name);
	if (!(dat = open_in(o->dir, file)))
		return -EIO;
	for (int f = 0; f < features.n; f++) {
		fprintf(dat, "\"%s\"", features.v[f]);
		for (int s = 0; s < nr; s++) {
			for (int c = 0; c < conditions.n; c++) {
				char id[PART_MAX * 5 + 4];
				const struct series_case *sc;
				double lo, hi;

				snprintf(id, sizeof(id), "%s/%s%s%s", op, features.v[f], conditions.v[c][0] ? "/" : "",
					 conditions.v[c]);
				if (!strcmp(features.v[f], "-"))
					snprintf(id, sizeof(id), "%s", op);
				if (!(sc = series_find(&series[s], id))) {
					fprintf(dat, " ? ? ?");
					continue;
				}
				stats_sort(sc->values, sc->n);
				stats_median_interval_sorted(sc->values, sc->n, &lo, &hi);
				fprintf(dat, " %.17g %.17g %.17g", stats_quantile_sorted(sc->values, sc->n, 0.5), lo, hi);
			}
		}
		fputc('\n', dat);
	}
	if (fclose(dat))
		return xb_fail_errno("write %s/%s", o->dir, file);
	snprintf(title, sizeof(title), "%s: median %s per feature set, 95%% interval of the median", op, unit);
	fprintf(gp, "reset\nset datafile missing '?'\nset title \"%s\"\nset ylabel \"%s\"\nset grid ytics\n"
		    "set key outside right top\nset xrange [-0.5:%d.5]\nset offsets 0, 0, graph 0.05, graph 0.05\n",
		title, unit, features.n - 1);
	chart_png(gp, name, 900, 480);
	fputs("plot", gp);
	for (int s = 0; s < nr; s++)
		for (int c = 0; c < conditions.n; c++, column += 3)
			fprintf(gp, "%s '%s' using 0:%d:%d:%d%s with yerrorlines pt 7 title \"%s%s%s\"",
				column > 2 ? "," : "", file, column, column + 1, column + 2, column == 2 ? ":xtic(1)" : "",
				conditions.v[c][0] ? conditions.v[c] : "median", nr > 1 ? ", " : "",
				nr > 1 ? series[s].name : "");
	chart_svg(gp, name, 900, 480);
	return add_chart(page, name, title);
}

/* NEW / BASE per case with its interval; red regressions, green improvements. */
static int ratio_chart(const struct report_options *o, const struct comparison *c, int k, FILE *gp,
		       struct report_page *page)
{
	char name[32], file[40], title[512];
	FILE *dat;
	int rows = 0;

	snprintf(name, sizeof(name), "ratio-%d", k + 1);
	snprintf(file, sizeof(file), "%s.dat", name);
	if (!(dat = open_in(o->dir, file)))
		return -EIO;
	for (int r = 0; r < c->nr_rows; r++) {
		const struct case_verdict *v = &c->rows[r].cells[k];
		unsigned colour = v->verdict == VERDICT_REGRESSION ? 0xcc0000 : v->verdict == VERDICT_IMPROVEMENT ? 0x008800 : 0x555555;

		if (!v->r.valid || isnan(v->r.lo))
			continue;
		fprintf(dat, "%d %.17g %.17g %.17g \"%s\" %u\n", rows++, v->r.ratio, v->r.lo, v->r.hi, c->rows[r].id, colour);
	}
	if (fclose(dat))
		return xb_fail_errno("write %s/%s", o->dir, file);
	if (!rows)
		return 0;
	snprintf(title, sizeof(title), "%s / %s, ratio of medians of %s with 95%% interval", c->news[k].name,
		 c->base->name, c->metric);
	fprintf(gp, "reset\nset title \"%s\"\nset xlabel \"NEW / BASE\"\nset grid xtics\nset yrange [-0.5:%d.5] reverse\n"
		    "set ytics font ',8'\nset arrow from 1, graph 0 to 1, graph 1 nohead dt 2\nset key off\n",
		title, rows - 1);
	chart_png(gp, name, 1000, 160 + 16 * rows);
	fprintf(gp, "plot '%s' using 2:1:3:4:6:ytic(5) with xerrorbars pt 7 lc rgb variable", file);
	chart_svg(gp, name, 1000, 160 + 16 * rows);
	return add_chart(page, name, title);
}

static int by_run_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The runs of @h, sorted (ids grow with time) and each once; NULL when out of memory. */
static int64_t *runs_of(const struct history *h, int nr_h, int *nr_runs)
{
	int nr = 0, n = 0;
	int64_t *runs;

	for (int i = 0; i < nr_h; i++)
		nr += h[i].nr_points;
	if (!(runs = malloc((size_t)(nr ? nr : 1) * sizeof(*runs))))
		return NULL;
	for (int i = 0; i < nr_h; i++)
		for (int k = 0; k < h[i].nr_points; k++)
			runs[n++] = h[i].points[k].run.id;
	qsort(runs, (size_t)nr, sizeof(*runs), by_run_id);
	*nr_runs = 0;
	for (int i = 0; i < nr; i++)
		if (!i || runs[i] != runs[i - 1])
			runs[(*nr_runs)++] = runs[i];
	return runs;
}

/* Every case of an operation across the runs of the last series' machine. */
static int history_chart(struct results_store *st, const struct report_options *o, const struct series *last,
			 const char *op, FILE *gp, struct report_page *page)
{
	char name[PART_MAX * 3 + 12], file[PART_MAX * 3 + 20], title[512];
	int64_t *runs = NULL;
	struct history h[64];
	const char *ids[64];
	int nr_h = 0, nr_runs = 0, rc = 0;
	FILE *dat = NULL;

	for (int i = 0; i < last->nr_cases && nr_h < 64 && !rc; i++) {
		struct id_parts p;

		split_id(last->cases[i].id, &p);
		if (strcmp(p.op, op))
			continue;
		if (!(rc = history_load(st, last->cases[i].id, o->metric, last->runs[0].machine_id, &h[nr_h])))
			ids[nr_h++] = last->cases[i].id;
	}
	if (!rc && !(runs = runs_of(h, nr_h, &nr_runs)))
		rc = xb_fail(ENOMEM, "out of memory");
	slug(op, name + snprintf(name, sizeof(name), "history-"), sizeof(name) - 8);
	snprintf(file, sizeof(file), "%s.dat", name);
	if (!rc && !(dat = open_in(o->dir, file)))
		rc = -EIO;
	for (int i = 0; i < nr_h && !rc; i++) {
		fprintf(dat, "# %s\n", ids[i]);
		for (int k = 0; k < h[i].nr_points; k++) {
			const struct history_point *pt = &h[i].points[k];
			const int64_t *x = bsearch(&pt->run.id, runs, (size_t)nr_runs, sizeof(*runs), by_run_id);

			fprintf(dat, "%d %.17g %.17g %.17g\n", (int)(x - runs), pt->median, pt->q1, pt->q3);
		}
		fprintf(dat, "\n\n");
	}
	if (dat && fclose(dat) && !rc)
		rc = xb_fail_errno("write %s/%s", o->dir, file);
	if (!rc) {
		snprintf(title, sizeof(title), "%s: median %s (quartiles) per run on machine %lld", op, o->metric,
			 (long long)last->runs[0].machine_id);
		fprintf(gp, "reset\nset title \"%s\"\nset xlabel \"run\"\nset ylabel \"%s\"\nset grid ytics\nset xtics (",
			title, o->metric);
		for (int i = 0; i < nr_runs; i++)
			fprintf(gp, "%s\"%lld\" %d", i ? ", " : "", (long long)runs[i], i);
		fprintf(gp, ")\nset xrange [-0.5:%d.5]\nset key outside right top\n", nr_runs - 1);
		chart_png(gp, name, 900, 480);
		fputs("plot", gp);
		for (int b = 0; b < nr_h; b++) {
			struct id_parts p;

			split_id(ids[b], &p);
			fprintf(gp, "%s '%s' index %d using 1:2:3:4 with yerrorlines pt 7 title \"%s%s%s\"", b ? "," : "",
				file, b, p.features, p.condition[0] ? "/" : "", p.condition);
		}
		chart_svg(gp, name, 900, 480);
		rc = add_chart(page, name, title);
	}
	for (int i = 0; i < nr_h; i++)
		history_free(&h[i]);
	free(runs);
	return rc;
}

static int charts(struct results_store *st, const struct report_options *o, const struct series *series, int nr,
		  const struct comparison *cmp, struct report_page *page)
{
	static char ops[MAX_OPERATIONS][PART_MAX * 3];
	const struct series *last = &series[nr - 1];
	int nr_ops = operations_of(last, ops), rc = 0;
	FILE *gp = open_in(o->dir, "report.gp");

	if (!gp)
		return -EIO;
	page->operations_cut = nr_ops == MAX_OPERATIONS;
	for (int i = 0; i < nr_ops && !rc; i++)
		rc = cost_chart(o, series, nr, ops[i], gp, page);
	for (int k = 0; cmp && k < cmp->nr_news && !rc; k++)
		rc = ratio_chart(o, cmp, k, gp, page);
	for (int i = 0; i < nr_ops && !rc && !last->baseline_id; i++)
		rc = history_chart(st, o, last, ops[i], gp, page);
	if (fclose(gp) && !rc)
		rc = xb_fail_errno("write %s/report.gp", o->dir);
	if (!rc)
		rc = gnuplot_run(o->dir, "report.gp");
	return rc;
}

int report_write(struct results_store *st, char *const *specs, int nr, const struct report_options *o,
		 struct report_outcome *out)
{
	struct comparison_set set = { 0 };
	struct report_page page = { 0 };
	struct report_options loaded = *o;
	struct results_store **stores = malloc((size_t)(nr ? nr : 1) * sizeof(*stores));
	int rc = stores ? 0 : xb_fail(ENOMEM, "out of memory");

	for (int i = 0; i < nr && !rc; i++)
		stores[i] = st;
	if (!rc && mkdir(o->dir, 0755) && errno != EEXIST)
		rc = xb_fail_errno("mkdir %s", o->dir);
	if (!rc)
		rc = comparison_set_load(stores, specs, nr, o->metric, &o->verdict, &set);
	for (int i = 0; !rc && o->names && i < nr; i++)
		snprintf(set.series[i].name, sizeof(set.series[i].name), "%s", o->names[i]);
	page.metric = loaded.metric = set.metric;
	if (!rc)
		rc = charts(st, &loaded, set.series, nr, nr > 1 ? &set.cmp : NULL, &page);
	if (!rc)
		rc = report_page_write(o->dir, &page, set.series, nr, nr > 1 ? &set.cmp : NULL);
	out->nr_charts = page.nr_charts;
	free(page.charts);
	comparison_set_free(&set);
	free(stores);
	return rc;
}
