/*
 * gbench_import.c - reading Google Benchmark JSON (cJSON) into case records: the shape
 * Google Benchmark writes (per-iteration real_time and cpu_time, any time_unit) and the shape
 * of run --json and export, earlier ones included (the ticks_per_op and ns_per_op counters
 * carry the exact values; cpu_ns_per_op, when present, the CPU time).
 */
#include "gbench_import.h"
#include "gbench_export.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_file.h"

#include "../base/attributes.h"

/* Numeric members that are Google Benchmark's own, not user counters (sorted, for bsearch). */
static const char *const standard_fields[] = {
	"cpu_time", "family_index", "iterations", METRIC_NS_PER_OP, "per_family_instance_index",
	"real_time", "repetition_index", "repetitions", "threads", METRIC_TICKS_PER_OP, GBENCH_JSON_ROUND,
};

#define MAX_METRICS 64

struct import_case {
	char id[256];
	char *error;
	char threads[24]; /* Google Benchmark's thread count, when not 1: an attribute */
	bool ticks; /* valued by ticks_per_op, else by real_time */
	int nr_samples, cap;
	struct sample_record *samples;
};

struct import {
	struct import_case *cases;
	int nr_cases;
};

/* One benchmark entry, before the entries are grouped into cases. */
struct entry {
	char *id;
	int order;
	const cJSON *json;
};

void gbench_case_id(const char *name, char *out, size_t size)
{
	static const char *const suffixes[] = { "/manual_time", "/real_time", "/process_time" };
	size_t len;

	snprintf(out, size, "%s", name);
	len = strlen(out);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t s = strlen(suffixes[i]);

		if (len > s && !strcmp(out + len - s, suffixes[i]))
			out[len - s] = 0;
	}
}

static double to_ns(double v, const char *unit)
{
	if (!unit || !strcmp(unit, "ns"))
		return v;
	if (!strcmp(unit, "us"))
		return v * 1e3;
	if (!strcmp(unit, "ms"))
		return v * 1e6;
	return !strcmp(unit, "s") ? v * 1e9 : NAN;
}

/* The length of the non-number token at @p (NaN, -nan, inf, Infinity, ...), or 0. */
static size_t non_number_at(const char *p)
{
	static const char *const words[] = { "-Infinity", "Infinity", "-NaN", "-nan", "NaN", "nan", "-inf", "inf" };

	if (!strchr("-NnIi", *p))
		return 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strncmp(p, words[i], strlen(words[i])))
			return strlen(words[i]);
	return 0;
}

/*
 * Copies @in to @out (when @out is not NULL) with every non-number token outside strings
 * replaced by null; returns how many there are. @out needs 2 * strlen(@in) + 1 bytes.
 */
static size_t replace_non_numbers(const char *in, char *out)
{
	bool in_string = false;
	size_t found = 0;

	for (const char *p = in; *p;) {
		size_t len = in_string ? 0 : non_number_at(p);

		if (len) {
			found++;
			p += len;
			if (out)
				out = stpcpy(out, "null");
			continue;
		}
		if (*p == '"') {
			in_string = !in_string;
		} else if (in_string && *p == '\\' && p[1]) {
			if (out)
				*out++ = *p;
			p++;
		}
		if (out)
			*out++ = *p;
		p++;
	}
	if (out)
		*out = 0;
	return found;
}

/*
 * Google Benchmark writes a counter that is not a number as NaN, -nan or inf, which JSON
 * has no word for: such a token becomes null, and a null counter is no counter. *text is
 * replaced by a rewritten copy only when it has such a token.
 */
static int non_numbers_to_null(char **text)
{
	char *out;

	if (!replace_non_numbers(*text, NULL))
		return 0;
	if (!(out = malloc(2 * strlen(*text) + 1)))
		return xb_fail(ENOMEM, "out of memory");
	replace_non_numbers(*text, out);
	free(*text);
	*text = out;
	return 0;
}

static int by_field(const void *key, const void *field)
{
	return strcmp(key, *(const char *const *)field);
}

static bool standard_field(const char *name)
{
	return bsearch(name, standard_fields, sizeof(standard_fields) / sizeof(standard_fields[0]),
		       sizeof(standard_fields[0]), by_field) != NULL;
}

/*
 * The user counters of one benchmark entry, as metrics (names point into the JSON tree); and
 * Google Benchmark's cpu_time, in ns, as the metric cpu_ns_per_op when no counter has that
 * name (@cpu_ns: NaN when the entry has no cpu_time).
 */
static int entry_metrics(const cJSON *b, double cpu_ns, struct sample_record *s)
{
	struct named_value found[MAX_METRICS + 1], *m;
	const cJSON *f;
	int n = 0;

	cJSON_ArrayForEach(f, b)
		if (cJSON_IsNumber(f) && n < MAX_METRICS && !standard_field(f->string))
			found[n++] = (struct named_value){ f->string, f->valuedouble };
	if (!isnan(cpu_ns) && !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(b, METRIC_CPU_NS_PER_OP)))
		found[n++] = (struct named_value){ METRIC_CPU_NS_PER_OP, cpu_ns };
	if (!n)
		return 0;
	if (!(m = malloc((size_t)n * sizeof(*m))))
		return xb_fail(ENOMEM, "out of memory");
	memcpy(m, found, (size_t)n * sizeof(*m));
	s->metrics = m;
	s->nr_metrics = n;
	return 0;
}

/* The case id of an entry, malloc'd; NULL with a message when it has no name. */
static char *entry_id(const cJSON *b, const char *path)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(b, "run_name");
	char id[256], *copy;

	if (!cJSON_IsString(name))
		name = cJSON_GetObjectItemCaseSensitive(b, "name");
	if (!cJSON_IsString(name)) {
		xb_fail(EINVAL, "%s: a benchmark without a name", path);
		return NULL;
	}
	gbench_case_id(name->valuestring, id, sizeof(id));
	if (!(copy = strdup(id)))
		xb_fail(ENOMEM, "out of memory");
	return copy;
}

static int add_entry(struct import_case *c, const cJSON *b, const char *path)
{
	const cJSON *ticks = cJSON_GetObjectItemCaseSensitive(b, METRIC_TICKS_PER_OP);
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(b, METRIC_NS_PER_OP);
	const cJSON *real = cJSON_GetObjectItemCaseSensitive(b, "real_time");
	const cJSON *iterations = cJSON_GetObjectItemCaseSensitive(b, "iterations");
	const cJSON *cpu = cJSON_GetObjectItemCaseSensitive(b, "cpu_time");
	const cJSON *threads = cJSON_GetObjectItemCaseSensitive(b, "threads");
	const cJSON *round = cJSON_GetObjectItemCaseSensitive(b, GBENCH_JSON_ROUND);
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(b, "error_occurred");
	const char *unit = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "time_unit"));
	struct sample_record *s;

	if (cJSON_IsNumber(threads) && threads->valuedouble != 1)
		snprintf(c->threads, sizeof(c->threads), "%.17g", threads->valuedouble);
	if (cJSON_IsTrue(error) || !cJSON_IsNumber(real)) {
		const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "error_message"));

		free(c->error);
		c->error = strdup(!cJSON_IsTrue(error) ? "the JSON entry has no real_time" : msg ? msg : "error_occurred");
		return c->error ? 0 : xb_fail(ENOMEM, "out of memory");
	}
	if (isnan(to_ns(real->valuedouble, unit)))
		return xb_fail(EINVAL, "%s: benchmark %s has time_unit '%s'", path, c->id, unit ? unit : "");
	if (c->nr_samples && c->ticks != cJSON_IsNumber(ticks))
		return xb_fail(EINVAL, "%s: benchmark %s has ticks_per_op in some repetitions only", path, c->id);
	if (c->error)
		return 0; /* an earlier repetition failed: the case has no number */
	if (c->nr_samples == c->cap) {
		struct sample_record *grown = realloc(c->samples, (size_t)(c->cap = c->cap ? 2 * c->cap : 8) * sizeof(*grown));

		if (!grown)
			return xb_fail(ENOMEM, "out of memory");
		c->samples = grown;
	}
	s = &c->samples[c->nr_samples++];
	memset(s, 0, sizeof(*s));
	c->ticks = cJSON_IsNumber(ticks);
	s->ticks_per_op = c->ticks ? ticks->valuedouble : to_ns(real->valuedouble, unit);
	s->ns_per_op = cJSON_IsNumber(ns) ? ns->valuedouble : to_ns(real->valuedouble, unit);
	if (cJSON_IsNumber(iterations) && !(iterations->valuedouble >= 0 && iterations->valuedouble < 0x1p63))
		return xb_fail(EINVAL, "%s: benchmark %s has iterations %g, not a count", path, c->id,
			       iterations->valuedouble);
	s->batches = cJSON_IsNumber(iterations) ? (int64_t)iterations->valuedouble : 0;
	s->round = cJSON_IsNumber(round) && round->valuedouble >= 0 && round->valuedouble < 1e6 ? (int)round->valuedouble : 0;
	return entry_metrics(b, cJSON_IsNumber(cpu) ? to_ns(cpu->valuedouble, unit) : NAN, s);
}

static int by_id_then_order(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : x->order - y->order;
}

/* Groups the measured entries by case id (sorted), in file order within a case. */
static int parse(const cJSON *root, const char *path, struct import *im)
{
	const cJSON *benchmarks = cJSON_GetObjectItemCaseSensitive(root, "benchmarks"), *b;
	struct entry *entries;
	int n = 0, rc = 0;

	if (!cJSON_IsArray(benchmarks))
		return xb_fail(EINVAL, "%s: not Google Benchmark JSON (no \"benchmarks\" list)", path);
	if (!(entries = calloc((size_t)cJSON_GetArraySize(benchmarks) + 1, sizeof(*entries))))
		return xb_fail(ENOMEM, "out of memory");
	cJSON_ArrayForEach(b, benchmarks) {
		const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "run_type"));

		if ((type && !strcmp(type, "aggregate")) || cJSON_GetObjectItemCaseSensitive(b, "aggregate_name"))
			continue;
		if (!(entries[n].id = entry_id(b, path))) {
			rc = -EINVAL;
			break;
		}
		entries[n].order = n;
		entries[n++].json = b;
	}
	qsort(entries, (size_t)n, sizeof(*entries), by_id_then_order);
	if (!rc && !(im->cases = calloc((size_t)n + 1, sizeof(*im->cases))))
		rc = xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < n && !rc; i++) {
		if (!i || strcmp(entries[i].id, entries[i - 1].id))
			snprintf(im->cases[im->nr_cases++].id, sizeof(im->cases[0].id), "%s", entries[i].id);
		rc = add_entry(&im->cases[im->nr_cases - 1], entries[i].json, path);
	}
	for (int i = 0; i < n; i++)
		free(entries[i].id);
	free(entries);
	if (!rc && !im->nr_cases)
		rc = xb_fail(EINVAL, "%s: no benchmark results in the file", path);
	return rc;
}

static const char *context_text(const cJSON *context, const char *name)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(context, name));

	return v ? v : "";
}

/* Empty context text as no value (NULL), for optional columns. */
static const char *context_optional(const cJSON *context, const char *name)
{
	const char *v = context_text(context, name);

	return *v ? v : NULL;
}

static uint64_t context_hex(const cJSON *o, const char *name)
{
	return strtoull(context_text(o, name), NULL, 16);
}

static unsigned int context_number(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsNumber(v) && v->valuedouble >= 0 ? (unsigned int)v->valuedouble : 0;
}

/*
 * The machine an export names (GBENCH_JSON_MACHINE), else the host: Google Benchmark does
 * not identify the CPU, so the machine of any other file is its host name ("gbench:HOST").
 */
static void import_machine(const cJSON *context, const char *host, char *fingerprint, size_t size,
			   struct machine_record *m)
{
	const cJSON *named = cJSON_GetObjectItemCaseSensitive(context, GBENCH_JSON_MACHINE);
	const char *vendor = context_text(named, "vendor");

	*m = (struct machine_record){ .fingerprint = fingerprint, .hostname = host, .vendor = "unknown", .cpuid_dump = "" };
	if (!*context_text(named, "fingerprint")) {
		snprintf(fingerprint, size, "gbench:%s", host);
		return;
	}
	snprintf(fingerprint, size, "%s", context_text(named, "fingerprint"));
	m->vendor = *vendor ? vendor : "unknown";
	m->family = context_number(named, "family");
	m->model = context_number(named, "model");
	m->stepping = context_number(named, "stepping");
	m->microcode = context_optional(named, "microcode");
	m->brand = context_optional(named, "brand");
	m->xcr0 = context_hex(named, "xcr0");
	m->xss = context_hex(named, "xss");
	m->cpuid_dump = context_text(named, "cpuid_dump");
}

static int begin_import_run(struct results_store *st, const cJSON *root, const char *path, const char *label,
			    const char *now, int64_t *run_id)
{
	const cJSON *context = cJSON_GetObjectItemCaseSensitive(root, "context");
	const char *host = context_text(context, "host_name"), *date = context_text(context, "date");
	char fingerprint[300], notes[512], source[300], *copy = strdup(path);
	const cJSON *cpus = cJSON_GetObjectItemCaseSensitive(context, "num_cpus");
	const cJSON *mhz = cJSON_GetObjectItemCaseSensitive(context, "mhz_per_cpu");
	struct machine_record m;
	int64_t machine_id;
	int rc;

	if (!copy)
		return xb_fail(ENOMEM, "out of memory");
	import_machine(context, host, fingerprint, sizeof(fingerprint), &m);
	snprintf(source, sizeof(source), "import:%s", basename(copy));
	free(copy);
	snprintf(notes, sizeof(notes), "Google Benchmark JSON: executable %s, %d CPUs at %d MHz, library %s %s",
		 context_text(context, "executable"), cJSON_IsNumber(cpus) ? cpus->valueint : 0,
		 cJSON_IsNumber(mhz) ? mhz->valueint : 0, context_text(context, "library_version"),
		 context_text(context, "library_build_type"));
	struct run_record r = {
		.label = label, .started_at = *date ? date : now, .hostname = host,
		.kernel_release = context_optional(context, GBENCH_JSON_KERNEL_RELEASE),
		.kernel_cmdline = context_optional(context, GBENCH_JSON_KERNEL_CMDLINE),
		.command_line = source, .tool_version = XB_VERSION, .source = source, .notes = notes, .pinned_pu = -1,
	};
	if ((rc = results_put_machine(st, &m, &machine_id)))
		return rc;
	return results_begin_run(st, machine_id, &r, run_id);
}

static int store(struct results_store *st, const struct import *im, struct gbench_import_result *out)
{
	struct case_record *recs = calloc((size_t)im->nr_cases, sizeof(*recs));
	struct attribute_record *threads = calloc((size_t)im->nr_cases, sizeof(*threads));

	if (!recs || !threads) {
		free(recs);
		free(threads);
		return xb_fail(ENOMEM, "out of memory");
	}
	for (int i = 0; i < im->nr_cases; i++) {
		const struct import_case *c = &im->cases[i];

		recs[i] = (struct case_record){
			.id = c->id, .unit = c->ticks ? "ticks/op" : "ns",
			.status = c->error ? CASE_ERROR : CASE_OK, .reason = c->error,
			.nr_samples = c->error ? 0 : c->nr_samples, .samples = c->samples,
			.nr_attributes = c->threads[0] ? 1 : 0, .attributes = &threads[i],
		};
		threads[i] = (struct attribute_record){ ATTR_THREADS, c->threads };
		out->nr_errors += c->error != NULL;
		out->nr_samples += recs[i].nr_samples;
	}
	out->nr_cases = im->nr_cases;
	int rc = results_put_cases(st, out->run_id, recs, im->nr_cases);

	free(recs);
	free(threads);
	return rc;
}

static void free_import(struct import *im)
{

	for (int i = 0; i < im->nr_cases; i++) {
		for (int k = 0; k < im->cases[i].nr_samples; k++)
			free((void *)im->cases[i].samples[k].metrics);
		free(im->cases[i].samples);
		free(im->cases[i].error);
	}
	free(im->cases);
}

int gbench_import(struct results_store *st, const char *path, const char *label, const char *now,
		  struct gbench_import_result *out)
{
	struct import im = { 0 };
	char *text = text_file_read(path);
	cJSON *root;
	int rc;

	*out = (struct gbench_import_result){ 0 };
	if (!text)
		return -EIO;
	if ((rc = non_numbers_to_null(&text))) {
		free(text);
		return rc;
	}
	root = cJSON_Parse(text);
	if (!root) {
		const char *at = cJSON_GetErrorPtr();

		rc = xb_fail(EINVAL, "%s: not JSON (at byte %ld)", path, at ? (long)(at - text) : 0L);
		free(text);
		return rc;
	}
	free(text);
	rc = parse(root, path, &im);
	/* one transaction: a failed import leaves the database as it was */
	if (!rc && !(rc = results_begin(st))) {
		if ((rc = begin_import_run(st, root, path, label, now, &out->run_id)) || (rc = store(st, &im, out)) ||
		    /* as the export says it was measured */
		    (rc = results_finish_run(st, out->run_id, now, context_optional(
				cJSON_GetObjectItemCaseSensitive(root, "context"), GBENCH_JSON_DISTURBED))) ||
		    (rc = results_commit(st)))
			results_rollback(st);
	}
	free_import(&im);
	cJSON_Delete(root);
	return rc;
}
