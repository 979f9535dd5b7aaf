/*
 * report.c - the report's data files and gnuplot script (one script, one gnuplot run), then
 * the pages (report_page.c). Case ids are <site>/<group>/<op>/<features>[/<condition>]
 * (base/ids.h): an operation is all before the feature set. Its cost chart has the feature sets on the x axis and
 * a bar per condition and series side by side; each NEW series has a forest plot of
 * compare's ratios; each operation's history is drawn against the date.
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../base/ids.h"
#include "comparison.h"
#include "gnuplot.h"
#include "history.h"
#include "report_page.h"
#include "stats.h"

#define MAX_OPERATIONS 40 /* charts per kind; an import of foreign benchmarks can have thousands */
#define PART_MAX 128
#define FONT "DejaVu Sans,10"
#define CHAR_PX 7      /* the widest a character of FONT's title needs, for titles that fit */
#define LOG_SPAN 20.0  /* medians further apart than this share a log axis */
#define CLIP_FACTOR 1.6 /* linear axis: interval ends beyond this times the largest median are clipped */

/* Colours a reader tells apart (Okabe and Ito), and point types, for conditions and cases. */
static const char *const palette[] = { "#0072b2", "#e69f00", "#009e73", "#cc79a7",
				       "#56b4e9", "#d55e00", "#7f7f00", "#000000" };
static const int markers[] = { 7, 5, 9, 13, 11, 6, 4 };
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

struct id_parts {
	char op[PART_MAX * 3], features[PART_MAX], condition[PART_MAX];
};

/* An id's operation, feature set and condition (base/ids.h); an id of another shape (an
 * imported benchmark's) is an operation of its own, with the feature set "-". */
static void split_id(const char *id, struct id_parts *p)
{
	struct bench_id_parts b;

	if (!bench_id_parse(id, &b)) {
		snprintf(p->op, sizeof(p->op), "%s", id);
		snprintf(p->features, sizeof(p->features), "-");
		p->condition[0] = 0;
		return;
	}
	bench_id_operation(&b, p->op, sizeof(p->op));
	snprintf(p->features, sizeof(p->features), "%s", b.features);
	snprintf(p->condition, sizeof(p->condition), "%s", b.condition);
}

/* The case of @s whose id has these parts, or NULL. */
static const struct series_case *find_case(const struct series *s, const struct id_parts *want)
{
	for (int i = 0; i < s->nr_cases; i++) {
		struct id_parts p;

		split_id(s->cases[i].id, &p);
		if (!strcmp(p.op, want->op) && !strcmp(p.features, want->features) &&
		    !strcmp(p.condition, want->condition))
			return &s->cases[i];
	}
	return NULL;
}

/* The feature sets in their canonical order (base/ids.h), then anything else as found. */
static int feature_rank(const char *f)
{
	for (unsigned int fs = 0; fs < FS_COUNT; fs++)
		if (!strcmp(f, feature_set_name((enum feature_set_id)fs)))
			return (int)fs;
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

/* A title that fits @width pixels: shortened in the middle when it would not. */
static void fit_title(char *title, int width)
{
	size_t max = (size_t)(width - 40) / CHAR_PX, len = strlen(title);

	if (len <= max)
		return;
	memmove(title + max / 2 + 3, title + len - (max - max / 2 - 3), max - max / 2 - 3 + 1);
	memcpy(title + max / 2, "...", 3);
}

/* Before a plot command: its PNG; after it, the same plot again as SVG. */
static void chart_png(FILE *gp, const char *name, int width, int height)
{
	fprintf(gp, "set terminal pngcairo size %d,%d noenhanced font \"" FONT "\"\nset output '%s.png'\n", width,
		height, name);
}

static void chart_svg(FILE *gp, const char *name, int width, int height)
{
	fprintf(gp, "\nset terminal svg size %d,%d noenhanced font \"" FONT "\"\nset output '%s.svg'\nreplot\n"
		    "unset output\n", width, height, name);
}

static int add_chart(struct report_page *page, const char *name, const char *title, enum report_chart_kind kind,
		     int width, int height)
{
	struct report_chart *grown = realloc(page->charts, (size_t)(page->nr_charts + 1) * sizeof(*grown));

	if (!grown)
		return xb_fail(ENOMEM, "out of memory");
	page->charts = grown;
	grown[page->nr_charts] = (struct report_chart){ .kind = kind, .width = width, .height = height };
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

/*
 * The value axis of a chart from its medians and interval ends: logarithmic when the medians
 * span more than LOG_SPAN, else linear from 0; on a linear axis interval ends beyond
 * CLIP_FACTOR times the largest median are clipped (and marked), so that one wide interval
 * cannot flatten the rest.
 */
struct value_axis {
	bool log;
	double bottom, top; /* the range shown; a bar starts at bottom */
};

static void choose_axis(const double *mid, const double *lo, const double *hi, int n, struct value_axis *a)
{
	double min_pos = INFINITY, max_mid = -INFINITY, max_hi = -INFINITY, min_lo = INFINITY;

	for (int i = 0; i < n; i++) {
		if (isnan(mid[i]))
			continue;
		if (mid[i] > 0 && mid[i] < min_pos)
			min_pos = mid[i];
		if (mid[i] > max_mid)
			max_mid = mid[i];
		max_hi = fmax(max_hi, hi[i]);
		min_lo = fmin(min_lo, lo[i]);
	}
	a->log = isfinite(min_pos) && max_mid / min_pos > LOG_SPAN;
	if (!isfinite(max_mid)) {
		*a = (struct value_axis){ .bottom = 0, .top = 1 };
	} else if (a->log) {
		double low = min_pos;

		for (int i = 0; i < n; i++)
			if (lo[i] > 0 && lo[i] < low)
				low = lo[i];
		a->bottom = pow(10, floor(log10(low)));
		a->top = fmin(max_hi, max_mid * CLIP_FACTOR * CLIP_FACTOR) * 1.4;
	} else {
		a->bottom = fmin(0, min_lo);
		a->top = fmin(max_hi, max_mid * CLIP_FACTOR);
		a->top = a->top > 0 ? a->top * 1.08 : 1;
	}
}

/* The gnuplot lines of @a for the y axis. */
static void axis_commands(FILE *gp, const struct value_axis *a)
{
	if (a->log)
		fprintf(gp, "set logscale y\nset yrange [%.6g:%.6g]\n", a->bottom, a->top);
	else
		fprintf(gp, "set yrange [%.6g:%.6g]\n", a->bottom, a->top);
}

/* "745k", "2.0M", "123": a clipped interval end's value in a few characters. */
static const char *short_number(double v, char *out, size_t size)
{
	if (fabs(v) >= 1e6)
		snprintf(out, size, "%.1fM", v / 1e6);
	else if (fabs(v) >= 1e4)
		snprintf(out, size, "%.0fk", v / 1e3);
	else
		snprintf(out, size, "%.0f", v);
	return out;
}

/* One cost bar: its slot (condition and series), median and interval. */
struct bar {
	int feature, slot;
	double mid, lo, hi;
};

/* What a cost chart shows: its feature sets and conditions, its bars, their axis. */
struct cost_data {
	struct labels features, conditions;
	const char *unit;
	struct bar *bars;
	int nr_bars, slots; /* slots: a bar's place within its feature set (condition, series) */
	struct value_axis axis;
	bool *any_clipped;  /* by slot: a bar whose interval goes past the axis */
	double width;       /* of a slot, in feature sets */
};

/* The bars of operation @op: a bar per feature set, condition and series that measured it. */
static int cost_bars(const struct report_options *o, const struct series *series, int nr, const char *op,
		     struct cost_data *d)
{
	double *mid, *lo, *hi;

	for (int s = 0; s < nr; s++) {
		for (int i = 0; i < series[s].nr_cases; i++) {
			struct id_parts p;

			split_id(series[s].cases[i].id, &p);
			if (strcmp(p.op, op))
				continue;
			add_label(&d->features, p.features);
			add_label(&d->conditions, p.condition);
			d->unit = series_metric_unit(o->metric, series[s].cases[i].unit);
		}
	}
	qsort(d->features.v, (size_t)d->features.n, sizeof(d->features.v[0]), by_feature);
	d->slots = d->conditions.n * nr;
	d->bars = calloc((size_t)(d->features.n * d->slots), sizeof(*d->bars));
	mid = calloc((size_t)(3 * d->features.n * d->slots), sizeof(*mid));
	d->any_clipped = calloc((size_t)d->slots, sizeof(*d->any_clipped));
	if (!d->bars || !mid || !d->any_clipped) {
		free(mid);
		return xb_fail(ENOMEM, "out of memory");
	}
	lo = mid + d->features.n * d->slots;
	hi = lo + d->features.n * d->slots;
	for (int f = 0; f < d->features.n; f++) {
		for (int c = 0; c < d->conditions.n; c++) {
			for (int s = 0; s < nr; s++) {
				const struct series_case *sc;
				struct bar *b = &d->bars[d->nr_bars];
				struct id_parts want;

				snprintf(want.op, sizeof(want.op), "%s", op);
				snprintf(want.features, sizeof(want.features), "%s", d->features.v[f]);
				snprintf(want.condition, sizeof(want.condition), "%s", d->conditions.v[c]);
				if (!(sc = find_case(&series[s], &want)) || !sc->n)
					continue;
				stats_sort(sc->values, sc->n);
				*b = (struct bar){ .feature = f, .slot = c * nr + s,
						   .mid = stats_quantile_sorted(sc->values, sc->n, 0.5) };
				stats_median_interval_sorted(sc->values, sc->n, &b->lo, &b->hi);
				mid[d->nr_bars] = b->mid, lo[d->nr_bars] = b->lo, hi[d->nr_bars] = b->hi;
				d->nr_bars++;
			}
		}
	}
	choose_axis(mid, lo, hi, d->nr_bars, &d->axis);
	d->width = 0.8 / d->slots;
	free(mid);
	return 0;
}

/* The data file: one block per slot: x, median, bar bottom, interval low and high as drawn;
 * for a clipped high end the axis top (else ?) and its value. */
static int cost_write_data(const struct report_options *o, const char *file, struct cost_data *d)
{
	FILE *dat = open_in(o->dir, file);

	if (!dat)
		return -EIO;
	for (int k = 0; k < d->slots; k++) {
		fprintf(dat, "# slot %d\n", k);
		for (int i = 0; i < d->nr_bars; i++) {
			const struct bar *b = &d->bars[i];
			double x = b->feature + (k - (d->slots - 1) / 2.0) * d->width;
			bool clipped = b->hi > d->axis.top;
			char text[16];

			if (b->slot != k || (d->axis.log && b->mid <= 0))
				continue;
			d->any_clipped[k] |= clipped;
			fprintf(dat, "%.6f %.17g %.17g %.17g %.17g ", x, b->mid, d->axis.bottom,
				d->axis.log && b->lo <= 0 ? d->axis.bottom : b->lo, clipped ? d->axis.top : b->hi);
			if (clipped)
				fprintf(dat, "%.17g \"%s\"\n", d->axis.top, short_number(b->hi, text, sizeof(text)));
			else
				fputs("? \"\"\n", dat);
		}
		fprintf(dat, "\n\n");
	}
	return fclose(dat) ? xb_fail_errno("write %s/%s", o->dir, file) : 0;
}

/* The plot: a box per bar (a colour per condition, older series paler), its interval's
 * whiskers, and the clipped ends' markers and values. */
static void cost_plot(FILE *gp, const char *file, const struct series *series, int nr, const struct cost_data *d)
{
	fputs("plot", gp);
	for (int k = 0; k < d->slots; k++) {
		int c = k / nr, s = k % nr;
		double alpha = nr > 1 ? 0.35 + 0.65 * s / (nr - 1) : 0.85;

		fprintf(gp, "%s '%s' index %d using 1:2:($1-%.6f):($1+%.6f):3:2 with boxxyerror fs transparent solid "
			    "%.2f lc rgb '%s' title \"%s%s%s\"", k ? ",\\\n    " : " ", file, k, d->width * 0.45,
			d->width * 0.45, alpha, palette[c % N(palette)], d->conditions.v[c][0] ? d->conditions.v[c] : "median",
			nr > 1 ? ", " : "", nr > 1 ? series[s].name : "");
		fprintf(gp, ",\\\n    '%s' index %d using 1:4:(0):($5-$4) with vectors heads size screen 0.004,90 "
			    "lc rgb '#333333' notitle", file, k);
		if (d->any_clipped[k])
			fprintf(gp, ",\\\n    '%s' index %d using 1:6 with points pt 9 ps 0.8 lc rgb '#cc0000' notitle,\\\n"
				    "    '%s' index %d using 1:6:7 with labels left font ',8' tc rgb '#cc0000' offset char 0.6,-0.6 "
				    "notitle", file, k, file, k);
	}
}

/*
 * The cost chart of an operation: the feature sets on the x axis, a bar per condition and
 * series side by side (a colour per condition, older series paler), each with the 95%
 * interval of its median; interval ends past the axis are drawn to its edge with a marker
 * and their value.
 */
static int cost_chart(const struct report_options *o, const struct series *series, int nr, const char *op,
		      FILE *gp, struct report_page *page)
{
	struct cost_data d = { 0 };
	char name[PART_MAX * 3 + 8], file[PART_MAX * 3 + 16], title[512];
	int chart_w, chart_h = 440, rc = cost_bars(o, series, nr, op, &d);

	slug(op, name + snprintf(name, sizeof(name), "cost-"), sizeof(name) - 5);
	snprintf(file, sizeof(file), "%s.dat", name);
	if (!rc)
		rc = cost_write_data(o, file, &d);
	if (rc)
		goto out;
	chart_w = 260 + d.features.n * (d.slots * 22 + 30);
	chart_w = chart_w < 720 ? 720 : chart_w > 1400 ? 1400 : chart_w;
	snprintf(title, sizeof(title), "%s: median %s (whiskers: 95%% interval)", op, d.unit);
	fit_title(title, chart_w);
	fprintf(gp, "reset\nset datafile missing '?'\nset title \"%s\"\nset ylabel \"%s%s\"\nset grid ytics\n"
		    "set key outside bottom center horizontal\nset xrange [-0.5:%d.5]\nset xtics (",
		title, d.unit, d.axis.log ? " (log scale)" : "", d.features.n - 1);
	for (int f = 0; f < d.features.n; f++)
		fprintf(gp, "%s\"%s\" %d", f ? ", " : "", d.features.v[f], f);
	fprintf(gp, ")\nset style fill solid border\nset boxwidth %.6f absolute\n", d.width * 0.9);
	axis_commands(gp, &d.axis);
	chart_png(gp, name, chart_w, chart_h);
	cost_plot(gp, file, series, nr, &d);
	chart_svg(gp, name, chart_w, chart_h);
	rc = add_chart(page, name, title, REPORT_CHART_COST, chart_w, chart_h);
out:
	free(d.bars);
	free(d.any_clipped);
	return rc;
}

/* A case of the forest plot. */
struct forest_row {
	const struct case_verdict *v;
	const char *id;
};

/* Regressions first (largest first), then improvements (largest first), then the rest by
 * ratio, largest first. */
static int verdict_rank(enum verdict v)
{
	return v == VERDICT_REGRESSION ? 0 : v == VERDICT_IMPROVEMENT ? 1 : 2;
}

static int by_forest_order(const void *a, const void *b)
{
	const struct case_verdict *x = ((const struct forest_row *)a)->v, *y = ((const struct forest_row *)b)->v;
	int rx = verdict_rank(x->verdict), ry = verdict_rank(y->verdict);

	if (rx != ry)
		return rx - ry;
	if (rx == 1)
		return (x->r.ratio > y->r.ratio) - (x->r.ratio < y->r.ratio);
	return (x->r.ratio < y->r.ratio) - (x->r.ratio > y->r.ratio);
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The forest plot's window on the log ratio axis: the threshold's band, every regression and
 * improvement, and the middle 90% of the other cases, with a margin; what lies beyond is
 * drawn at the edge, so that a few wild cases cannot squash the rest against 0.
 */
static void forest_window(const struct forest_row *rows, int n, double threshold, double *lo, double *hi)
{
	double *others = malloc((size_t)(n ? n : 1) * sizeof(*others)), l = -log1p(threshold), h = log1p(threshold), m;
	int nr = 0;

	for (int i = 0; i < n; i++) {
		double x = log(rows[i].v->r.ratio);

		if (verdict_rank(rows[i].v->verdict) < 2)
			l = fmin(l, x), h = fmax(h, x);
		else if (others)
			others[nr++] = x;
	}
	if (nr) {
		qsort(others, (size_t)nr, sizeof(*others), by_value);
		l = fmin(l, others[(int)floor(0.05 * (nr - 1))]);
		h = fmax(h, others[(int)ceil(0.95 * (nr - 1))]);
	}
	free(others);
	m = 0.15 * (h - l) + 0.005;
	*lo = exp(l - m);
	*hi = exp(h + m);
}

/* "+5%%" for the ratio 1.05 (a tic label is a format: its percent sign doubled), "0" for 1 */
static void percent_tic(double ratio, char *out, size_t size)
{
	double p = 100 * (ratio - 1);

	if (fabs(p) < 1e-9)
		snprintf(out, size, "0");
	else
		snprintf(out, size, fabs(p - round(p)) > 1e-6 ? "%+.1f%%%%" : "%+.0f%%%%", p);
}

/* Tics on the log ratio axis from @lo to @hi, as percent changes: from 0 outwards on each
 * side, none closer to the last than a twelfth of the axis. */
static void ratio_tics(FILE *gp, double lo, double hi)
{
	static const double down[] = { 0.99, 0.98, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.25, 0.1 };
	static const double up[] = { 1.01, 1.02, 1.05, 1.1, 1.15, 1.2, 1.3, 1.5, 2, 3, 5, 10 };
	double gap = (log(hi) - log(lo)) / 12;
	char label[16];

	fputs("set xtics (\"0\" 1", gp);
	for (int side = 0; side < 2; side++) {
		const double *c = side ? up : down;
		int n = side ? N(up) : N(down);
		double last = 0;

		for (int i = 0; i < n; i++) {
			if (c[i] < lo || c[i] > hi || fabs(log(c[i]) - last) < gap)
				continue;
			percent_tic(c[i], label, sizeof(label));
			fprintf(gp, ", \"%s\" %g", label, c[i]);
			last = log(c[i]);
		}
	}
	fputs(")\n", gp);
}

/* What a forest plot shows: its rows, its window, and what it has to draw beyond it. */
struct forest_data {
	struct forest_row *rows;
	int n, counts[VERDICT_COUNT];
	double lo, hi, inset; /* the window; inset: where arrows and edge markers sit inside it */
	bool clipped_low, clipped_high, outside;
};

/* The data file: per row, the row; the ratio (? when outside the window); the interval as
 * drawn; colour; id; 1 (else ?) when the interval is clipped low, high; for a ratio outside,
 * the edge it is shown at (low side, high side, else ?) and its change. */
static int forest_write_data(const struct report_options *o, const char *file, struct forest_data *d)
{
	FILE *dat = open_in(o->dir, file);

	if (!dat)
		return -EIO;
	for (int i = 0; i < d->n; i++) {
		const struct case_verdict *v = d->rows[i].v;
		bool out_low = v->r.ratio < d->lo, out_high = v->r.ratio > d->hi;

		d->counts[v->verdict]++;
		d->clipped_low |= v->r.lo < d->lo;
		d->clipped_high |= v->r.hi > d->hi;
		d->outside |= out_low || out_high;
		fprintf(dat, out_low || out_high ? "%d ? " : "%d %.17g ", i, v->r.ratio);
		fprintf(dat, "%.17g %.17g %u \"%s\" %s %s ", fmin(fmax(v->r.lo, d->lo), d->hi),
			fmax(fmin(v->r.hi, d->hi), d->lo), (unsigned)strtoul(report_verdict_colour(v->verdict) + 1, NULL, 16),
			d->rows[i].id, v->r.lo < d->lo ? "1" : "?", v->r.hi > d->hi ? "1" : "?");
		if (out_low)
			fprintf(dat, "%.17g ? ", d->lo * d->inset);
		else
			fprintf(dat, out_high ? "? %.17g " : "? ? ", d->hi / d->inset);
		fprintf(dat, "\"%+.0f%%\"\n", 100 * (v->r.ratio - 1));
	}
	return fclose(dat) ? xb_fail_errno("write %s/%s", o->dir, file) : 0;
}

/* The plot: the intervals, arrowheads where they are clipped, the ratios, those outside the
 * window at its edge with their change, and a key entry per verdict shown with its count. */
static void forest_plot(FILE *gp, const char *file, const struct forest_data *d)
{
	fprintf(gp, "plot '%s' using 3:1:($4-$3):(0):5:ytic(6) with vectors nohead lw 1.5 lc rgb variable notitle",
		file);
	if (d->clipped_low)
		fprintf(gp, ",\\\n    '%s' using ($7*$3*%.17g):1:($3-$3*%.17g):(0):5 with vectors head filled size screen "
			    "0.006,30 lc rgb variable notitle", file, d->inset, d->inset);
	if (d->clipped_high)
		fprintf(gp, ",\\\n    '%s' using ($8*$4/%.17g):1:($4-$4/%.17g):(0):5 with vectors head filled size screen "
			    "0.006,30 lc rgb variable notitle", file, d->inset, d->inset);
	fprintf(gp, ",\\\n    '%s' using 2:1:5 with points pt 7 ps 0.8 lc rgb variable notitle", file);
	if (d->outside)
		fprintf(gp, ",\\\n    '%s' using 9:1:5 with points pt 13 ps 1.1 lc rgb variable notitle,\\\n"
			    "    '%s' using 9:1:11 with labels left font ',8' offset char 1,0 notitle,\\\n"
			    "    '%s' using 10:1:5 with points pt 13 ps 1.1 lc rgb variable notitle,\\\n"
			    "    '%s' using 10:1:11 with labels right font ',8' offset char -1,0 notitle", file, file, file,
			file);
	for (int v = 0; v < VERDICT_COUNT; v++)
		if (d->counts[v])
			fprintf(gp, ",\\\n    NaN with points pt 7 lc rgb '%s' title \"%s (%d)\"", report_verdict_colour(v),
				verdict_name(v), d->counts[v]);
}

/*
 * The forest plot of NEW series @k against BASE: compare's ratio and 95% interval per case
 * (relative to the machine-wide shift when compare takes it out) on a log axis, a colour per
 * verdict, regressions first; the threshold's band shaded; interval ends past the axis
 * drawn to its edge with an arrowhead.
 */
static int forest_chart(const struct report_options *o, const struct comparison *c, int k, FILE *gp,
			struct report_page *page)
{
	struct forest_data d = { .rows = calloc((size_t)(c->nr_rows ? c->nr_rows : 1), sizeof(*d.rows)) };
	const struct comparison_column *col = &c->columns[k];
	char name[32], file[40], title[512], xlabel[160];
	int width = 1000, height, rc = 0;

	if (!d.rows)
		return xb_fail(ENOMEM, "out of memory");
	for (int r = 0; r < c->nr_rows; r++) {
		const struct case_verdict *v = &c->rows[r].cells[k];

		if (v->r.valid && !isnan(v->r.lo) && !v->control && v->r.ratio > 0)
			d.rows[d.n++] = (struct forest_row){ v, c->rows[r].id };
	}
	if (!d.n)
		goto out;
	qsort(d.rows, (size_t)d.n, sizeof(*d.rows), by_forest_order);
	forest_window(d.rows, d.n, c->options.threshold, &d.lo, &d.hi);
	d.inset = exp(0.015 * log(d.hi / d.lo)); /* 1.5% of the axis */
	snprintf(name, sizeof(name), "forest-%d", k + 1);
	snprintf(file, sizeof(file), "%s.dat", name);
	if ((rc = forest_write_data(o, file, &d)))
		goto out;
	height = 150 + 15 * d.n;
	snprintf(title, sizeof(title), "%s against %s: change of %s per case, 95%% intervals", c->news[k].name,
		 c->base->name, c->metric);
	fit_title(title, width);
	if (col->shift.adjusted)
		snprintf(xlabel, sizeof(xlabel), "NEW / BASE, relative to the machine-wide shift of %+.2f%% (log scale; "
			 "shaded: within the %g%% threshold)", 100 * (col->shift.ratio - 1), 100 * c->options.threshold);
	else
		snprintf(xlabel, sizeof(xlabel), "NEW / BASE (log scale; shaded: within the %g%% threshold)",
			 100 * c->options.threshold);
	fprintf(gp, "reset\nset datafile missing '?'\nset title \"%s\"\nset xlabel \"%s\"\nset logscale x\n"
		    "set xrange [%.17g:%.17g]\nset yrange [%d.7:-0.7]\nset ytics font ',8' nomirror\n"
		    "set grid xtics\nset key outside right top vertical\n"
		    "set object 1 rect from %.6g, graph 0 to %.6g, graph 1 fc rgb '#eeeeee' fs solid noborder behind\n"
		    "set arrow 1 from 1, graph 0 to 1, graph 1 nohead lc rgb '#333333' dt 2\n",
		    title, xlabel, d.lo, d.hi, d.n - 1, 1 / (1 + c->options.threshold), 1 + c->options.threshold);
	ratio_tics(gp, d.lo, d.hi);
	chart_png(gp, name, width, height);
	forest_plot(gp, file, &d);
	chart_svg(gp, name, width, height);
	rc = add_chart(page, name, title, REPORT_CHART_FOREST, width, height);
out:
	free(d.rows);
	return rc;
}

/* Seconds since the epoch of an ISO 8601 UTC time ("2026-01-01T12:00:00Z"); 0 when unreadable. */
static double utc_seconds(const char *iso)
{
	struct tm tm = { 0 };

	return strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm) ? (double)timegm(&tm) : 0;
}

/* Tics on a time axis from @first to @latest: about six, at a round step, labelled with the
 * date and, for steps under a day, the time; a single date gets an hour either side. */
static void time_axis(FILE *gp, const char *first, const char *latest)
{
	static const double steps[] = { 60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400, 91 * 86400,
					182 * 86400, 365 * 86400 };
	double span = utc_seconds(latest) - utc_seconds(first), step = steps[N(steps) - 1];

	for (int i = 0; i < N(steps); i++) {
		if (steps[i] >= span / 6) {
			step = steps[i];
			break;
		}
	}
	fprintf(gp, "set xtics %.0f\nset format x \"%s\"\n", step, step < 86400 ? "%Y-%m-%d\\n%H:%M" : "%Y-%m-%d");
	if (span <= 0) /* one date: an hour either side */
		fputs("set offsets 3600, 3600, 0, 0\n", gp);
}

#define HISTORY_CASES 64

/* What a history chart shows: each case's runs, BASE's case, the dates' range, the points. */
struct history_data {
	struct history h[HISTORY_CASES];
	const char *ids[HISTORY_CASES];
	const struct series_case *base[HISTORY_CASES];
	int nr_h, n;
	char first[32], latest[32];
	double mid[HISTORY_CASES * 3], lo[HISTORY_CASES * 3], hi[HISTORY_CASES * 3];
};

/* The data file: per case a block of its points (date, median, q1, q3), then per case BASE's
 * band: the 95% interval of its median, from the first date to the last. */
static int history_write_data(const struct report_options *o, const char *file, const struct series *series, int nr,
			      struct history_data *d)
{
	FILE *dat = open_in(o->dir, file);

	if (!dat)
		return -EIO;
	for (int i = 0; i < d->nr_h; i++) {
		fprintf(dat, "# %s\n", d->ids[i]);
		for (int k = 0; k < d->h[i].nr_points; k++) {
			const struct history_point *pt = &d->h[i].points[k];

			fprintf(dat, "%s %.17g %.17g %.17g\n", pt->run.started_at, pt->median, pt->q1, pt->q3);
			if (!d->first[0] || strcmp(pt->run.started_at, d->first) < 0)
				snprintf(d->first, sizeof(d->first), "%s", pt->run.started_at);
			if (strcmp(pt->run.started_at, d->latest) > 0)
				snprintf(d->latest, sizeof(d->latest), "%s", pt->run.started_at);
			if (d->n < N(d->mid))
				d->mid[d->n] = pt->median, d->lo[d->n] = pt->q1, d->hi[d->n++] = pt->q3;
		}
		fprintf(dat, "\n\n");
	}
	for (int i = 0; i < d->nr_h; i++) {
		double blo, bhi;

		d->base[i] = nr > 1 || series[0].baseline_id ? series_find(&series[0], d->ids[i]) : NULL;
		fprintf(dat, "# band of %s\n", d->ids[i]);
		if (d->base[i] && d->base[i]->n) {
			stats_sort(d->base[i]->values, d->base[i]->n);
			stats_median_interval_sorted(d->base[i]->values, d->base[i]->n, &blo, &bhi);
			fprintf(dat, "%s %.17g %.17g\n%s %.17g %.17g\n", d->first, blo, bhi, d->latest, blo, bhi);
		}
		fprintf(dat, "\n\n");
	}
	return fclose(dat) ? xb_fail_errno("write %s/%s", o->dir, file) : 0;
}

/* The plot: per case its band (with BASE) and its medians with their quartiles, a colour and
 * a marker each, titled by its feature set and condition. */
static void history_plot(FILE *gp, const char *file, const struct series *series, const struct history_data *d)
{
	fputs("plot", gp);
	for (int b = 0; b < d->nr_h; b++) {
		struct id_parts p;

		split_id(d->ids[b], &p);
		if (d->base[b])
			fprintf(gp, "%s '%s' index %d using 1:2:3 with filledcurves lc rgb '%s' fs transparent solid "
				    "0.2 noborder notitle", b ? ",\\\n   " : "", file, d->nr_h + b, palette[b % N(palette)]);
		fprintf(gp, "%s '%s' index %d using 1:2:3:4 with yerrorlines pt %d lc rgb '%s' title \"%s%s%s\"",
			b || d->base[b] ? ",\\\n   " : "", file, b, markers[b % N(markers)], palette[b % N(palette)],
			p.features, p.condition[0] ? "/" : "", p.condition);
	}
	if (d->nr_h && d->base[0])
		fprintf(gp, ",\\\n    NaN with filledcurves lc rgb '#999999' fs transparent solid 0.3 title \"%s: "
			    "95%% interval\"", series[0].name);
}

/*
 * Every case of an operation across the runs of the last series' machine, against the date:
 * a colour and a marker per case (no two alike), the medians joined in time with their
 * quartiles; with a BASE series its 95% interval of each case's median shaded across.
 */
static int history_chart(struct results_store *st, const struct report_options *o, const struct series *series,
			 int nr, const char *op, FILE *gp, struct report_page *page)
{
	const struct series *last = &series[nr - 1];
	char name[PART_MAX * 3 + 12], file[PART_MAX * 3 + 20], title[512];
	struct history_data *d = calloc(1, sizeof(*d));
	struct value_axis axis;
	int rc = 0, width = 960, height = 460;

	if (!d)
		return xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < last->nr_cases && d->nr_h < HISTORY_CASES && !rc; i++) {
		struct id_parts p;

		split_id(last->cases[i].id, &p);
		if (strcmp(p.op, op))
			continue;
		if (!(rc = history_load(st, last->cases[i].id, o->metric, last->runs[0].machine_id, &d->h[d->nr_h])))
			d->ids[d->nr_h++] = last->cases[i].id;
	}
	slug(op, name + snprintf(name, sizeof(name), "history-"), sizeof(name) - 8);
	snprintf(file, sizeof(file), "%s.dat", name);
	if (!rc)
		rc = history_write_data(o, file, series, nr, d);
	if (!rc) {
		choose_axis(d->mid, d->lo, d->hi, d->n, &axis);
		axis.top = fmax(axis.top, axis.bottom + 1e-9);
		snprintf(title, sizeof(title), "%s: median %s per run (whiskers: quartiles)", op, o->metric);
		fit_title(title, width);
		fprintf(gp, "reset\nset title \"%s\"\nset xdata time\nset timefmt '%%Y-%%m-%%dT%%H:%%M:%%SZ'\n"
			    "set xlabel \"date the run started (UTC)\"\nset ylabel \"%s%s\"\nset grid xtics ytics\n"
			    "set key outside right top\nset offsets graph 0.03, graph 0.03, 0, 0\n", title, o->metric,
			    axis.log ? " (log scale)" : "");
		time_axis(gp, d->first, d->latest);
		axis_commands(gp, &axis);
		chart_png(gp, name, width, height);
		history_plot(gp, file, series, d);
		chart_svg(gp, name, width, height);
		rc = add_chart(page, name, title, REPORT_CHART_HISTORY, width, height);
	}
	for (int i = 0; i < d->nr_h; i++)
		history_free(&d->h[i]);
	free(d);
	return rc;
}

static bool among(const int64_t *runs, int nr, int64_t run)
{
	for (int i = 0; i < nr; i++)
		if (runs[i] == run)
			return true;
	return false;
}

/* Case history @i of @o: its median and quartiles in each of o->history_runs, against the
 * date the run started. None when the case has no samples on that machine. */
static int case_history_chart(struct results_store *st, const struct report_options *o, const struct series *last,
			      int i, FILE *gp, struct report_page *page)
{
	const struct report_case_history *ch = &o->case_histories[i];
	char name[32], file[40], title[512], first[32] = "", latest[32] = "";
	struct history h;
	int points = 0, width = 960, height = 420, rc = history_load(st, ch->id, o->metric, last->runs[0].machine_id, &h);
	FILE *dat = NULL;

	if (rc == -ENOENT)
		return 0;
	snprintf(name, sizeof(name), "case-history-%d", i + 1);
	snprintf(file, sizeof(file), "%s.dat", name);
	if (!rc && !(dat = open_in(o->dir, file)))
		rc = -EIO;
	for (int k = 0; k < h.nr_points && !rc; k++) {
		const struct history_point *pt = &h.points[k];

		if (!among(o->history_runs, o->nr_history_runs, pt->run.id))
			continue;
		fprintf(dat, "%s %.17g %.17g %.17g\n", pt->run.started_at, pt->median, pt->q1, pt->q3);
		if (!points++)
			snprintf(first, sizeof(first), "%s", pt->run.started_at);
		snprintf(latest, sizeof(latest), "%s", pt->run.started_at);
	}
	if (dat && fclose(dat) && !rc)
		rc = xb_fail_errno("write %s/%s", o->dir, file);
	if (!rc && points) {
		/* on the chart the id, then what was found on a line of its own, each fitted */
		snprintf(title, sizeof(title), "%s", ch->caption);
		fit_title(title, width);
		for (char *q = strchr(title, '"'); q; q = strchr(q, '"'))
			*q = '\'';
		fprintf(gp, "reset\nset title \"%s\\n%s\"\nset xdata time\nset timefmt '%%Y-%%m-%%dT%%H:%%M:%%SZ'\n"
			    "set xlabel \"night (UTC)\"\nset ylabel \"%s (median, quartiles)\"\nset grid xtics ytics\n"
			    "set key off\nset offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05\n", ch->id, title,
			o->metric);
		time_axis(gp, first, latest);
		chart_png(gp, name, width, height);
		fprintf(gp, "plot '%s' using 1:2:3:4 with yerrorlines pt 7 lc rgb '%s'", file, palette[0]);
		chart_svg(gp, name, width, height);
		snprintf(title, sizeof(title), "%s: %s", ch->id, ch->caption);
		rc = add_chart(page, name, title, REPORT_CHART_CASE, width, height);
	}
	history_free(&h);
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
	for (int i = 0; i < o->nr_case_histories && !rc; i++)
		rc = case_history_chart(st, o, last, i, gp, page);
	for (int k = 0; cmp && k < cmp->nr_news && !rc; k++)
		rc = forest_chart(o, cmp, k, gp, page);
	for (int i = 0; i < nr_ops && !rc; i++)
		rc = cost_chart(o, series, nr, ops[i], gp, page);
	for (int i = 0; i < nr_ops && !rc && !last->baseline_id; i++)
		rc = history_chart(st, o, series, nr, ops[i], gp, page);
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
