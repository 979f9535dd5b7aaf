/*
 * datasheet_doc.c - datasheet.json, datasheet.md and datasheet.html, written side by side by
 * one set of section writers, and the chart through gnuplot.
 */
#include "datasheet_doc.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/attributes.h"
#include "compare_format.h"
#include "gnuplot.h"

#define CHART_NAME "datasheet-costs"
#define CHART_TITLE "Cost against bytes of state, components in use"
#define CELL 160

static const char *const colours[] = { "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9",
				       "#000000", "#999999" };

/* The Markdown and the HTML file, written together. */
struct doc_out {
	FILE *md, *html;
};

static const cJSON *get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItem(o, key);
}

static const char *text_of(const cJSON *o, const char *key, const char *otherwise)
{
	const char *s = cJSON_GetStringValue(get(o, key));

	return s ? s : otherwise;
}

static void heading(struct doc_out *d, int level, const char *text)
{
	fprintf(d->md, "%.*s %s\n\n", level, "####", text);
	fprintf(d->html, "<h%d>", level);
	markup_escaped(d->html, text);
	fprintf(d->html, "</h%d>\n", level);
}

static void paragraph(struct doc_out *d, const char *text)
{
	fprintf(d->md, "%s\n\n", text);
	fputs("<p>", d->html);
	markup_text(d->html, text);
	fputs("</p>\n", d->html);
}

static void bullet(struct doc_out *d, const char *text, bool last)
{
	fprintf(d->md, "- %s\n%s", text, last ? "\n" : "");
	fputs("<li>", d->html);
	markup_text(d->html, text);
	fprintf(d->html, "</li>\n%s", last ? "</ul>\n" : "");
}

static void table_row(struct doc_out *d, char cells[][CELL], int n, bool head)
{
	fputs("|", d->md);
	fputs("<tr>", d->html);
	for (int i = 0; i < n; i++) {
		fputc(' ', d->md);
		markdown_cell_text(d->md, cells[i]);
		fputs(" |", d->md);
		fputs(head ? "<th>" : "<td>", d->html);
		markup_escaped(d->html, cells[i]);
		fputs(head ? "</th>" : "</td>", d->html);
	}
	fputs("\n", d->md);
	fputs("</tr>\n", d->html);
	if (!head)
		return;
	fputs("|", d->md);
	for (int i = 0; i < n; i++)
		fputs(" --- |", d->md);
	fputs("\n", d->md);
}

static void table_begin(struct doc_out *d, char cells[][CELL], int n)
{
	fputs("<table>\n", d->html);
	table_row(d, cells, n, true);
}

static void table_end(struct doc_out *d)
{
	fputs("\n", d->md);
	fputs("</table>\n", d->html);
}

/* A number of the document, or "-" when absent. */
static void number_cell(char *cell, const cJSON *v, const char *format)
{
	if (cJSON_IsNumber(v))
		snprintf(cell, CELL, format, v->valuedouble);
	else
		snprintf(cell, CELL, "-");
}

static void machine_section(struct doc_out *d, const cJSON *doc)
{
	const cJSON *cpu = get(doc, "cpu"), *xsave = get(doc, "xsave");
	char title[256], line[1024];

	snprintf(title, sizeof(title), "xstate datasheet: %s", text_of(cpu, "brand", "unknown CPU"));
	heading(d, 1, title);
	snprintf(line, sizeof(line), "%s family %d model %d stepping %d, microcode %s%s%s; kernel %s; XCR0 %s, "
		 "XSS %s; %s.", text_of(cpu, "vendor", "?"), get(cpu, "family") ? get(cpu, "family")->valueint : 0,
		 get(cpu, "model") ? get(cpu, "model")->valueint : 0,
		 get(cpu, "stepping") ? get(cpu, "stepping")->valueint : 0, text_of(cpu, "microcode", "unknown"),
		 cJSON_IsTrue(get(cpu, "hypervisor")) ? ", under hypervisor " : "",
		 cJSON_IsTrue(get(cpu, "hypervisor")) ? text_of(cpu, "hypervisor_vendor", "?") : "",
		 text_of(get(doc, "kernel"), "release", "not recorded"), text_of(xsave, "xcr0", "?"),
		 text_of(xsave, "xss_enabled", "?"), text_of(get(doc, "datasheet"), "source", "this machine"));
	paragraph(d, line);
}

static void findings_section(struct doc_out *d, const cJSON *doc)
{
	const cJSON *layout = get(doc, "layout"), *findings = get(layout, "findings"), *f;
	int n = cJSON_GetArraySize(findings), i = 0;
	char line[256];

	heading(d, 2, "Layout findings");
	if (get(layout, "error")) {
		paragraph(d, text_of(layout, "error", ""));
		return;
	}
	if (!cJSON_IsTrue(get(layout, "checked_on_silicon"))) {
		paragraph(d, "Not checked on the silicon: a recorded machine; the layout below is what its CPUID states.");
		return;
	}
	if (!n) {
		paragraph(d, "None: every component checked is where CPUID puts it, and the instructions wrote and "
			     "loaded what the SDM says (the checks per component are in the table below).");
		return;
	}
	snprintf(line, sizeof(line), "%d finding%s: the silicon disagrees with CPUID or the SDM.", n, n == 1 ? "" : "s");
	paragraph(d, line);
	fputs("<ul class=\"findings\">\n", d->html);
	cJSON_ArrayForEach(f, findings)
		bullet(d, cJSON_GetStringValue(f) ? cJSON_GetStringValue(f) : "", ++i == n);
}

static void check_cell(char *cell, const cJSON *checks, const char *insn)
{
	snprintf(cell, CELL, "%s", text_of(get(checks, insn), "result", "-"));
}

static void layout_section(struct doc_out *d, const cJSON *doc)
{
	static const char *const head[] = { "id", "component", "name", "size", "offset", "compacted", "align64",
					    "supervisor", "xfd", "enabled", "XSAVE", "XSAVEC", "XRSTOR",
					    "XRSTOR compacted", "XSAVES (ring 0)", "XRSTORS (ring 0)" };
	enum { COLUMNS = sizeof(head) / sizeof(head[0]) };
	const cJSON *layout = get(doc, "layout"), *c;
	char cells[COLUMNS][CELL];

	heading(d, 2, "Layout");
	for (int i = 0; i < COLUMNS; i++)
		snprintf(cells[i], CELL, "%s", head[i]);
	table_begin(d, cells, COLUMNS);
	cJSON_ArrayForEach(c, get(layout, "components")) {
		const cJSON *checks = get(c, "checks");

		number_cell(cells[0], get(c, "id"), "%.0f");
		snprintf(cells[1], CELL, "%s", text_of(c, "name", "?"));
		snprintf(cells[2], CELL, "%s", text_of(c, "short_name", "?"));
		number_cell(cells[3], get(c, "size"), "%.0f");
		number_cell(cells[4], get(c, "offset"), "%.0f");
		number_cell(cells[5], get(c, "compacted_offset"), "%.0f");
		snprintf(cells[6], CELL, "%s", cJSON_IsTrue(get(c, "align64")) ? "64" : "-");
		snprintf(cells[7], CELL, "%s", cJSON_IsTrue(get(c, "supervisor")) ? "yes" : "-");
		snprintf(cells[8], CELL, "%s", cJSON_IsTrue(get(c, "xfd")) ? "yes" : "-");
		snprintf(cells[9], CELL, "%s", cJSON_IsTrue(get(c, "enabled")) ? "yes" : "no");
		check_cell(cells[10], checks, "xsave");
		check_cell(cells[11], checks, "xsavec");
		check_cell(cells[12], checks, "xrstor");
		check_cell(cells[13], checks, "xrstor_compacted");
		check_cell(cells[14], checks, "xsaves");
		check_cell(cells[15], checks, "xrstors");
		table_row(d, cells, COLUMNS, false);
	}
	table_end(d);
	if (get(layout, "rules"))
		paragraph(d, text_of(layout, "rules", ""));
}

/* One operation's table: a row per component, a column per condition: median and increment. */
static void cost_table(struct doc_out *d, const cJSON *op)
{
	const cJSON *conds = get(op, "conditions"), *cond, *row;
	int n = 3;
	char cells[9][CELL];

	snprintf(cells[0], CELL, "component");
	snprintf(cells[1], CELL, "name");
	snprintf(cells[2], CELL, "bytes");
	cJSON_ArrayForEach(cond, conds)
		if (n < 9)
			snprintf(cells[n++], CELL, "%s", cJSON_GetStringValue(cond));
	table_begin(d, cells, n);
	cJSON_ArrayForEach(row, get(op, "rows")) {
		int k = 3;

		snprintf(cells[0], CELL, "%s", text_of(row, "component", "?"));
		snprintf(cells[1], CELL, "%s", text_of(row, "name", ""));
		number_cell(cells[2], get(row, "bytes"), "%.0f");
		cJSON_ArrayForEach(cond, conds) {
			const cJSON *cell = get(get(row, "costs"), cJSON_GetStringValue(cond));
			const cJSON *inc = get(cell, "increment");

			if (k >= 9)
				break;
			if (!cJSON_IsNumber(get(cell, "ticks")))
				snprintf(cells[k++], CELL, "-");
			else if (cJSON_IsNumber(inc) && strcmp(text_of(row, "component", ""), "fp"))
				snprintf(cells[k++], CELL, "%.1f (%+.1f)", get(cell, "ticks")->valuedouble, inc->valuedouble);
			else
				snprintf(cells[k++], CELL, "%.1f", get(cell, "ticks")->valuedouble);
		}
		table_row(d, cells, n, false);
	}
	table_end(d);
}

/* The fitted lines of one operation, a row per condition. */
static void fit_table(struct doc_out *d, const cJSON *op)
{
	static const char *const head[] = { "condition", "points", "ticks per 64 B", "cycles per 64 B",
					    "fixed cost (ticks)", "off the line" };
	const cJSON *fit;
	char cells[6][CELL];

	for (int i = 0; i < 6; i++)
		snprintf(cells[i], CELL, "%s", head[i]);
	table_begin(d, cells, 6);
	cJSON_ArrayForEach(fit, get(op, "fits")) {
		const cJSON *off;
		size_t used = 0;

		snprintf(cells[0], CELL, "%s", fit->string);
		number_cell(cells[1], get(fit, "points"), "%.0f");
		number_cell(cells[2], get(fit, "slope_ticks_per_64b"), "%.2f");
		number_cell(cells[3], get(fit, "slope_cycles_per_64b"), "%.2f");
		number_cell(cells[4], get(fit, "intercept_ticks"), "%.1f");
		snprintf(cells[5], CELL, "%s", get(fit, "why") ? text_of(fit, "why", "") : "none");
		cJSON_ArrayForEach(off, get(fit, "off_line"))
			used += (size_t)snprintf(cells[5] + used, used < CELL ? CELL - used : 0, "%s%s",
						 used && strcmp(cells[5], "none") ? ", " : "", cJSON_GetStringValue(off));
		table_row(d, cells, 6, false);
	}
	table_end(d);
}

/* Whether an operation has a fitted line in use: what the chart shows. */
static bool chart_has_line(const cJSON *costs)
{
	const cJSON *op;

	cJSON_ArrayForEach(op, get(costs, "operations"))
		if (cJSON_IsNumber(get(get(get(op, "fits"), "inuse"), "slope_ticks_per_64b")))
			return true;
	return false;
}

/* The chart's data and script: per operation, its in-use points and fitted line. */
static int chart_write(const char *dir, const cJSON *costs)
{
	char path[4096];
	FILE *dat, *gp;
	const cJSON *op;
	int k = 0;

	snprintf(path, sizeof(path), "%s/" CHART_NAME ".dat", dir);
	if (!(dat = fopen(path, "w")))
		return xb_fail_errno("open %s", path);
	snprintf(path, sizeof(path), "%s/" CHART_NAME ".gp", dir);
	if (!(gp = fopen(path, "w"))) {
		fclose(dat);
		return xb_fail_errno("open %s", path);
	}
	fprintf(gp, "set datafile separator whitespace\nset xlabel 'bytes of state'\nset ylabel 'ticks/op'\n"
		    "set key outside right top\nset grid\nset offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\nset title '%s'\n", CHART_TITLE);
	fputs("plot ", gp);
	cJSON_ArrayForEach(op, get(costs, "operations")) {
		const cJSON *fit = get(get(op, "fits"), "inuse"), *row;
		const char *name = text_of(op, "operation", "?"), *colour = colours[k % 8];

		if (!cJSON_IsNumber(get(fit, "slope_ticks_per_64b")))
			continue;
		cJSON_ArrayForEach(row, get(op, "rows")) {
			const cJSON *t = get(get(get(row, "costs"), "inuse"), "ticks");

			if (cJSON_IsNumber(t))
				fprintf(dat, "%.0f %.3f\n", get(row, "bytes")->valuedouble, t->valuedouble);
		}
		fprintf(dat, "\n\n");
		fprintf(gp, "%s'" CHART_NAME ".dat' index %d with points pt 7 lc rgb '%s' title '%s', "
			    "%.6g + %.9g * x with lines lc rgb '%s' notitle", k ? ", \\\n     " : "", k, colour, name,
			get(fit, "intercept_ticks")->valuedouble, get(fit, "slope_ticks_per_64b")->valuedouble / 64.0,
			colour);
		k++;
	}
	fputs("\n", gp);
	if (fclose(dat) | fclose(gp))
		return xb_fail_errno("write %s", path);
	return 0;
}

/* The gnuplot script that draws the chart as PNG and SVG from the plot commands. */
static int chart_draw(const char *dir)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/" CHART_NAME "-draw.gp", dir);
	if (!(f = fopen(path, "w")))
		return xb_fail_errno("open %s", path);
	fprintf(f, "set terminal pngcairo size %d,%d font 'DejaVu Sans,10'\nset output '" CHART_NAME ".png'\n"
		   "load '" CHART_NAME ".gp'\nset terminal svg size %d,%d font 'DejaVu Sans,10'\n"
		   "set output '" CHART_NAME ".svg'\nreplot\nunset output\n", DATASHEET_CHART_WIDTH,
		DATASHEET_CHART_HEIGHT, DATASHEET_CHART_WIDTH, DATASHEET_CHART_HEIGHT);
	if (fclose(f))
		return xb_fail_errno("write %s", path);
	return gnuplot_run(dir, CHART_NAME "-draw.gp");
}

static int costs_section(struct doc_out *d, const char *dir, const cJSON *doc)
{
	const cJSON *costs = get(doc, "costs"), *op;
	char line[1024];
	int rc;

	heading(d, 2, "Costs per component");
	if (!costs) {
		paragraph(d, text_of(doc, "costs_not_measured", "Not measured."));
		return 0;
	}
	snprintf(line, sizeof(line), "From %s: the median %s of each case; in brackets the increment over the fp "
		 "(x87+SSE) baseline in the same condition. Bytes: %s. The line: %s; its intercept is the instruction's "
		 "fixed cost.", text_of(costs, "series", "?"), text_of(costs, "unit", ""), text_of(costs, "bytes", ""),
		 text_of(costs, "fit_rule", ""));
	paragraph(d, line);
	cJSON_ArrayForEach(op, get(costs, "operations")) {
		heading(d, 3, text_of(op, "operation", "?"));
		cost_table(d, op);
		fit_table(d, op);
	}
	if (!chart_has_line(costs))
		return 0;
	if ((rc = chart_write(dir, costs)) || (rc = chart_draw(dir)))
		return rc;
	fprintf(d->md, "![%s](" CHART_NAME ".png)\n\n", CHART_TITLE);
	fprintf(d->html, "<p><a href=\"" CHART_NAME ".svg\"><img src=\"" CHART_NAME ".png\" width=\"%d\" height=\"%d\" "
		"alt=\"%s\"></a></p>\n", DATASHEET_CHART_WIDTH, DATASHEET_CHART_HEIGHT, CHART_TITLE);
	return 0;
}

static void virt_section(struct doc_out *d, const cJSON *doc)
{
	static const char *const head[] = { "operation", "native", "ring 0", "guest", "ring 0 / native",
					    "guest / native", "guest / ring 0", "functional only" };
	const cJSON *rows = get(get(doc, "virtualization"), "rows"), *r;
	char cells[8][CELL];

	heading(d, 2, "Virtualization cost");
	if (!cJSON_GetArraySize(rows)) {
		paragraph(d, "No operation in the database was measured both natively and in ring 0 or in a guest.");
		return;
	}
	paragraph(d, "The same operation natively, in ring 0 (the module) and in a guest: the median ticks/op of "
		     "each case's latest run in the database, any machine; F marks functional-only results (QEMU "
		     "TCG), whose timings mean nothing.");
	for (int i = 0; i < 8; i++)
		snprintf(cells[i], CELL, "%s", head[i]);
	table_begin(d, cells, 8);
	cJSON_ArrayForEach(r, rows) {
		snprintf(cells[0], CELL, "%s", text_of(r, "operation", "?"));
		number_cell(cells[1], get(r, "native"), "%.1f");
		number_cell(cells[2], get(r, "ring0"), "%.1f");
		number_cell(cells[3], get(r, "guest"), "%.1f");
		number_cell(cells[4], get(r, "ring0_over_native"), "%.2f");
		number_cell(cells[5], get(r, "guest_over_native"), "%.2f");
		number_cell(cells[6], get(r, "guest_over_ring0"), "%.2f");
		snprintf(cells[7], CELL, "%s", cJSON_IsTrue(get(r, ATTR_FUNCTIONAL_ONLY)) ? "F" : "");
		table_row(d, cells, 8, false);
	}
	table_end(d);
}

/* The comparison's layout rows that differ, each field as "this / other". */
static void compare_layout_table(struct doc_out *d, const cJSON *cmp)
{
	const cJSON *row;
	char cells[3][CELL];
	int shown = 0;

	snprintf(cells[0], CELL, "component");
	snprintf(cells[1], CELL, "field");
	snprintf(cells[2], CELL, "this / other");
	table_begin(d, cells, 3);
	cJSON_ArrayForEach(row, get(cmp, "layout")) {
		const cJSON *field;

		if (!cJSON_IsTrue(get(row, "differs")))
			continue;
		cJSON_ArrayForEach(field, get(row, "fields")) {
			char *a = cJSON_PrintUnformatted(cJSON_GetArrayItem(field, 0));
			char *b = cJSON_PrintUnformatted(cJSON_GetArrayItem(field, 1));

			if (a && b && strcmp(a, b)) {
				snprintf(cells[0], CELL, "%s (%d)", text_of(row, "component", "?"), get(row, "id")->valueint);
				snprintf(cells[1], CELL, "%s", field->string);
				snprintf(cells[2], CELL, "%s / %s", a, b);
				table_row(d, cells, 3, false);
				shown++;
			}
			free(a);
			free(b);
		}
	}
	table_end(d);
	if (!shown)
		paragraph(d, "The layouts agree component by component.");
}

static void compare_section(struct doc_out *d, const cJSON *doc)
{
	static const char *const head[] = { "operation", "condition", "component", "this", "other", "this / other" };
	const cJSON *cmp = get(doc, "compare"), *r;
	char cells[6][CELL], line[512];

	if (!cmp)
		return;
	snprintf(line, sizeof(line), "Compared with %s (%s)", text_of(get(cmp, "cpu"), "brand", "?"),
		 text_of(cmp, "source", "?"));
	heading(d, 2, line);
	compare_layout_table(d, cmp);
	if (!cJSON_GetArraySize(get(cmp, "costs"))) {
		paragraph(d, "No cost was measured on both machines.");
		return;
	}
	for (int i = 0; i < 6; i++)
		snprintf(cells[i], CELL, "%s", head[i]);
	table_begin(d, cells, 6);
	cJSON_ArrayForEach(r, get(cmp, "costs")) {
		snprintf(cells[0], CELL, "%s", text_of(r, "operation", "?"));
		snprintf(cells[1], CELL, "%s", text_of(r, "condition", "?"));
		snprintf(cells[2], CELL, "%s", text_of(r, "component", "?"));
		number_cell(cells[3], get(r, "this"), "%.1f");
		number_cell(cells[4], get(r, "other"), "%.1f");
		number_cell(cells[5], get(r, "ratio"), "%.2f");
		table_row(d, cells, 6, false);
	}
	table_end(d);
}

static int write_json(const char *dir, const cJSON *doc)
{
	char path[4096], *text = cJSON_Print(doc);
	FILE *f;
	int rc = 0;

	if (!text)
		return xb_fail(ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/datasheet.json", dir);
	if (!(f = fopen(path, "w")))
		rc = xb_fail_errno("open %s", path);
	else if ((fprintf(f, "%s\n", text) < 0) | fclose(f))
		rc = xb_fail_errno("write %s", path);
	free(text);
	return rc;
}

static int open_docs(const char *dir, struct doc_out *d)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/datasheet.md", dir);
	if (!(d->md = fopen(path, "w")))
		return xb_fail_errno("open %s", path);
	snprintf(path, sizeof(path), "%s/datasheet.html", dir);
	if (!(d->html = fopen(path, "w"))) {
		fclose(d->md);
		return xb_fail_errno("open %s", path);
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>xstate datasheet</title>\n"
	      "<style>\nbody { font-family: sans-serif; margin: 2em; }\ntable { border-collapse: collapse; margin: 1em 0; }\n"
	      "th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: right; }\n"
	      "ul.findings li { color: #cc0000; }\n</style>\n</head>\n<body>\n", d->html);
	return 0;
}

int datasheet_doc_write(const char *dir, const cJSON *doc)
{
	struct doc_out d;
	char path[4096];
	int rc = write_json(dir, doc);

	if (rc || (rc = open_docs(dir, &d)))
		return rc;
	machine_section(&d, doc);
	findings_section(&d, doc);
	layout_section(&d, doc);
	rc = costs_section(&d, dir, doc);
	virt_section(&d, doc);
	compare_section(&d, doc);
	fputs("</body>\n</html>\n", d.html);
	snprintf(path, sizeof(path), "%s/datasheet.md or .html", dir);
	if ((fclose(d.md) | fclose(d.html)) && !rc)
		rc = xb_fail_errno("write %s", path);
	return rc;
}
