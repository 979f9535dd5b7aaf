/*
 * series.c - resolving BASE/NEW names and loading one metric's samples per case.
 */
#include "series.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/attributes.h"
#include "db.h"

const char *series_metric_source(const char *metric, bool *binds_name)
{
	*binds_name = false;
	if (!strcmp(metric, METRIC_TICKS_PER_OP))
		return "(SELECT run_id, case_id, repetition, round, ticks_per_op AS value FROM samples) v";
	if (!strcmp(metric, METRIC_NS_PER_OP))
		return "(SELECT run_id, case_id, repetition, round, ns_per_op AS value FROM samples) v";
	*binds_name = true;
	return "(SELECT m.run_id, m.case_id, m.repetition, s.round, m.value FROM sample_metrics m JOIN samples s"
	       " ON s.run_id = m.run_id AND s.case_id = m.case_id AND s.repetition = m.repetition"
	       " WHERE m.name = ?) v";
}

const char *series_metric_unit(const char *metric, const char *case_unit)
{
	if (!strcmp(metric, METRIC_TICKS_PER_OP))
		return case_unit ? case_unit : "";
	return !strcmp(metric, METRIC_NS_PER_OP) ? "ns/op" : metric;
}

void series_run_columns(struct db_stmt *s, int col, struct series_run *out)
{
	const char *label = db_column_text(s, col + 2);

	out->id = db_column_int64(s, col);
	out->machine_id = db_column_int64(s, col + 1);
	snprintf(out->label, sizeof(out->label), "%s", label ? label : "");
	const char *disturbed = db_column_text(s, col + 5);

	snprintf(out->started_at, sizeof(out->started_at), "%s", db_column_text(s, col + 3));
	out->complete = db_column_int64(s, col + 4) != 0;
	snprintf(out->disturbed, sizeof(out->disturbed), "%s", disturbed ? disturbed : "");
}

static void copy_text(struct db_stmt *s, int col, char *out, size_t size)
{
	const char *text = db_column_is_null(s, col) ? "" : db_column_text(s, col);

	snprintf(out, size, "%s", text);
}

/* Reads the machine's and the run's own columns that follow SERIES_RUN_COLUMNS at @col. */
static void run_place(struct db_stmt *s, int col, struct series_run *out)
{
	const char *vendor = db_column_text(s, col + 4);

	copy_text(s, col, out->finished_at, sizeof(out->finished_at));
	copy_text(s, col + 1, out->source, sizeof(out->source));
	copy_text(s, col + 2, out->hostname, sizeof(out->hostname));
	copy_text(s, col + 3, out->kernel, sizeof(out->kernel));
	copy_text(s, col + 8, out->microcode, sizeof(out->microcode));
	out->cpu[0] = 0;
	if (strcmp(vendor, "unknown")) /* an import's machine is only a host name */
		snprintf(out->cpu, sizeof(out->cpu), "%s%s%s family %lld model %lld stepping %lld",
			 db_column_is_null(s, col + 9) ? "" : db_column_text(s, col + 9),
			 db_column_is_null(s, col + 9) ? "" : ", ", vendor, (long long)db_column_int64(s, col + 5),
			 (long long)db_column_int64(s, col + 6), (long long)db_column_int64(s, col + 7));
}

int series_run_info(struct results_store *st, int64_t run_id, struct series_run *out)
{
	struct db_stmt *s;
	int rc = db_prepare(results_db(st), "SELECT " SERIES_RUN_COLUMNS ", r.finished_at, r.source,"
					    " coalesce(r.hostname, m.hostname), r.kernel_release, m.vendor, m.family,"
					    " m.model, m.stepping, m.microcode, m.brand FROM runs r"
					    " JOIN machines m ON m.id = r.machine_id WHERE r.id = ?", &s);

	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, run_id)))
		rc = db_step(s);
	if (rc == DB_ROW) {
		series_run_columns(s, 0, out);
		run_place(s, 6, out);
	}
	db_finalize(s);
	return rc < 0 ? rc : rc == DB_ROW ? 0 : -ENOENT;
}

/* Equal, or unknown ("") on either side. */
static bool agree(const char *a, const char *b)
{
	return !*a || !*b || !strcmp(a, b);
}

bool series_same_machine(const struct series_run *a, const struct series_run *b)
{
	return !strcmp(a->hostname, b->hostname) && agree(a->cpu, b->cpu) && agree(a->microcode, b->microcode);
}

void series_run_machine(const struct series_run *r, char *out, size_t size)
{
	if (!r->cpu[0])
		snprintf(out, size, "%s", r->hostname);
	else if (!r->microcode[0])
		snprintf(out, size, "%s (%s)", r->hostname, r->cpu);
	else
		snprintf(out, size, "%s (%s, microcode %s)", r->hostname, r->cpu, r->microcode);
}

static int add_run(struct results_store *st, struct series *out, int64_t run_id)
{
	struct series_run *grown = realloc(out->runs, (size_t)(out->nr_runs + 1) * sizeof(*grown));

	if (!grown)
		return xb_fail(ENOMEM, "out of memory");
	out->runs = grown;
	return series_run_info(st, run_id, &out->runs[out->nr_runs++]);
}

static int resolve_run(struct results_store *st, int64_t id, struct series *out)
{
	int rc = add_run(st, out, id);

	if (rc == -ENOENT)
		return xb_fail(ENOENT, "no run %lld", (long long)id);
	if (!rc)
		snprintf(out->name, sizeof(out->name), "run %lld%s%s%s", (long long)id, out->runs[0].label[0] ? " (" : "",
			 out->runs[0].label, out->runs[0].label[0] ? ")" : "");
	return rc;
}

static int resolve_baseline(struct results_store *st, const char *name, struct series *out)
{
	struct db *db = results_db(st);
	struct db_stmt *s;
	int64_t id;
	bool found;
	int rc = db_select_int64(db, "SELECT id FROM baselines WHERE name = ?", name, &id, &found);

	if (rc || !found)
		return rc ? rc : -ENOENT;
	out->baseline_id = id;
	snprintf(out->name, sizeof(out->name), "baseline %s", name);
	if ((rc = db_prepare(db, "SELECT DISTINCT run_id FROM baseline_results WHERE baseline_id = ?", &s)))
		return rc;
	if (!(rc = db_bind_int64(s, 1, id)))
		while ((rc = db_step(s)) == DB_ROW && !(rc = add_run(st, out, db_column_int64(s, 0))))
			;
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

static int resolve_label(struct results_store *st, const char *label, struct series *out)
{
	int64_t id;
	bool found;
	int rc = db_select_int64(results_db(st), "SELECT max(id) FROM runs WHERE label = ?", label, &id, &found);

	if (rc || !found)
		return rc ? rc : -ENOENT;
	return resolve_run(st, id, out);
}

static bool parse_id(const char *text, int64_t *id)
{
	char *end;
	long long v = strtoll(text, &end, 10);

	*id = v;
	return *text && !*end && v > 0;
}

/* "12,15,18": every run, each once, of one machine. */
static int resolve_runs(struct results_store *st, const char *list, struct series *out)
{
	char copy[SERIES_NAME_MAX], *save = NULL;
	int64_t id;
	int rc = 0;

	if (snprintf(copy, sizeof(copy), "%s", list) >= (int)sizeof(copy))
		return xb_fail(EINVAL, "runs:%s: too long a list", list);
	for (char *item = strtok_r(copy, ",", &save); item && !rc; item = strtok_r(NULL, ",", &save)) {
		if (!parse_id(item, &id))
			return xb_fail(EINVAL, "runs:%s: '%s' is not a run id", list, item);
		for (int i = 0; i < out->nr_runs; i++)
			if (out->runs[i].id == id)
				return xb_fail(EINVAL, "runs:%s: run %s twice", list, item);
		rc = add_run(st, out, id);
		if (rc == -ENOENT)
			return xb_fail(ENOENT, "no run %s", item);
		if (!rc && out->runs[out->nr_runs - 1].machine_id != out->runs[0].machine_id)
			return xb_fail(EINVAL, "runs:%s: runs %lld and %s were measured on different machines", list,
				       (long long)out->runs[0].id, item);
	}
	if (!rc && !out->nr_runs)
		return xb_fail(EINVAL, "runs:%s: no run id", list);
	if (!rc)
		snprintf(out->name, sizeof(out->name), "runs %s", list);
	return rc;
}

int series_resolve(struct results_store *st, const char *spec, struct series *out)
{
	int64_t id;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!strncmp(spec, "run:", 4))
		return parse_id(spec + 4, &id) ? resolve_run(st, id, out) : xb_fail(EINVAL, "%s: not a run id", spec);
	if (!strncmp(spec, "baseline:", 9)) {
		rc = resolve_baseline(st, spec + 9, out);
		return rc == -ENOENT ? xb_fail(ENOENT, "no baseline named %s", spec + 9) : rc;
	}
	if (!strncmp(spec, "runs:", 5))
		return resolve_runs(st, spec + 5, out);
	if (!strncmp(spec, "label:", 6)) {
		rc = resolve_label(st, spec + 6, out);
		return rc == -ENOENT ? xb_fail(ENOENT, "no run labelled %s", spec + 6) : rc;
	}
	if (parse_id(spec, &id))
		return resolve_run(st, id, out);
	if ((rc = resolve_baseline(st, spec, out)) != -ENOENT)
		return rc;
	if ((rc = resolve_label(st, spec, out)) != -ENOENT)
		return rc;
	return xb_fail(ENOENT, "%s: no run id, baseline name or run label", spec);
}

/* One row read back, before grouping by case. */
struct sample_row {
	char *id, *unit;
	double v;
	int run, round; /* the run as an index into the series' runs */
};

static int by_case(const void *a, const void *b)
{
	return strcmp(((const struct sample_row *)a)->id, ((const struct sample_row *)b)->id);
}

static int run_index(const struct series *series, int64_t run_id)
{
	for (int i = 0; i < series->nr_runs; i++)
		if (series->runs[i].id == run_id)
			return i;
	return -1;
}

static int read_rows(struct db_stmt *s, const struct series *series, struct sample_row **rows, int *nr)
{
	int rc, cap = *nr;

	while ((rc = db_step(s)) == DB_ROW) {
		struct sample_row *r;

		if (*nr == cap) {
			struct sample_row *grown = realloc(*rows, (size_t)(cap = cap ? 2 * cap : 1024) * sizeof(*grown));

			if (!grown)
				return xb_fail(ENOMEM, "out of memory");
			*rows = grown;
		}
		r = &(*rows)[(*nr)++];
		r->id = strdup(db_column_text(s, 0));
		r->unit = strdup(db_column_text(s, 1));
		r->v = db_column_double(s, 2);
		r->run = run_index(series, db_column_int64(s, 3));
		r->round = (int)db_column_int64(s, 4);
		if (!r->id || !r->unit)
			return xb_fail(ENOMEM, "out of memory");
		if (r->run < 0)
			return xb_fail(EPROTO, "a sample of %s belongs to run %lld, which is not in %s", r->id,
				       (long long)db_column_int64(s, 3), series->name);
	}
	return rc < 0 ? rc : 0;
}

/* Groups sorted rows into cases; the strings move into the cases. */
static int group_rows(struct sample_row *rows, int nr, struct series *out)
{
	qsort(rows, (size_t)nr, sizeof(*rows), by_case);
	for (int i = 0; i < nr;) {
		int j = i;
		struct series_case *c;

		while (j < nr && !strcmp(rows[j].id, rows[i].id))
			j++;
		c = &out->cases[out->nr_cases++];
		*c = (struct series_case){ .id = rows[i].id, .unit = rows[i].unit, .n = j - i };
		interference_totals_init(&c->interference);
		c->values = malloc((size_t)c->n * sizeof(*c->values));
		c->run_of = malloc((size_t)c->n * sizeof(*c->run_of));
		c->round_of = malloc((size_t)c->n * sizeof(*c->round_of));
		if (!c->values || !c->run_of || !c->round_of)
			return xb_fail(ENOMEM, "out of memory");
		for (int k = i; k < j; k++) {
			c->values[k - i] = rows[k].v;
			c->run_of[k - i] = rows[k].run;
			c->round_of[k - i] = rows[k].round;
			if (k > i) {
				free(rows[k].id);
				free(rows[k].unit);
			}
			rows[k].id = rows[k].unit = NULL;
		}
		i = j;
	}
	return 0;
}

int series_functional_only(struct results_store *st, int64_t run_id,
			   int (*each)(void *arg, const char *case_id, const char *reason), void *arg)
{
	struct db_stmt *s;
	int rc = db_prepare(results_db(st),
			    "SELECT c.name, a.value FROM result_attributes a JOIN cases c ON c.id = a.case_id"
			    " WHERE a.run_id = ? AND a.name = ?", &s);

	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, run_id)) && !(rc = db_bind_text(s, 2, ATTR_FUNCTIONAL_ONLY)))
		while ((rc = db_step(s)) == DB_ROW && !(rc = each(arg, db_column_text(s, 0), db_column_text(s, 1))))
			;
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

static int mark_functional_only(void *series, const char *case_id, const char *reason)
{
	struct series_case *c = (struct series_case *)series_find(series, case_id);

	if (c && !c->functional_only && !(c->functional_only = strdup(reason)))
		return xb_fail(ENOMEM, "out of memory");
	return 0;
}

static int by_unmeasured_id(const void *a, const void *b)
{
	return strcmp(((const struct series_unmeasured *)a)->id, ((const struct series_unmeasured *)b)->id);
}

/* The run's cases without samples: skipped, or failed their checks. */
static int load_unmeasured(struct results_store *st, int64_t run_id, struct series *out)
{
	struct db_stmt *s;
	int rc = db_prepare(results_db(st), "SELECT c.name, r.status, r.reason FROM results r JOIN cases c"
					    " ON c.id = r.case_id WHERE r.run_id = ? AND r.status <> 'ok'", &s);

	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, run_id))) {
		while ((rc = db_step(s)) == DB_ROW) {
			struct series_unmeasured *grown = realloc(out->unmeasured, (size_t)(out->nr_unmeasured + 1) * sizeof(*grown)), *u;
			const char *reason = db_column_is_null(s, 2) ? "" : db_column_text(s, 2);

			if (!grown) {
				rc = xb_fail(ENOMEM, "out of memory");
				break;
			}
			out->unmeasured = grown;
			u = &out->unmeasured[out->nr_unmeasured++];
			*u = (struct series_unmeasured){
				.id = strdup(db_column_text(s, 0)), .reason = strdup(reason),
				.status = strcmp(db_column_text(s, 1), "error") ? CASE_SKIP : CASE_ERROR,
			};
			if (!u->id || !u->reason) {
				rc = xb_fail(ENOMEM, "out of memory");
				break;
			}
		}
	}
	db_finalize(s);
	if (out->nr_unmeasured)
		qsort(out->unmeasured, (size_t)out->nr_unmeasured, sizeof(*out->unmeasured), by_unmeasured_id);
	return rc < 0 ? rc : 0;
}

/* Of a series of several runs, one record per case it did not measure: a failure in any run
 * over a skip (the records are sorted by id). */
static void one_record_a_case(struct series *out)
{
	int kept = 0;

	for (int i = 0; i < out->nr_unmeasured; i++) {
		struct series_unmeasured *u = &out->unmeasured[i], *last = kept ? &out->unmeasured[kept - 1] : NULL;

		if (last && !strcmp(last->id, u->id)) {
			if (u->status == CASE_ERROR && last->status != CASE_ERROR) {
				struct series_unmeasured swap = *last;

				*last = *u;
				*u = swap;
			}
			free(u->id);
			free(u->reason);
			continue;
		}
		out->unmeasured[kept++] = *u;
	}
	out->nr_unmeasured = kept;
}

/* Whether run @run_id measured any case (a run whose every case failed or skipped has no
 * samples of any metric, which is no error). */
static int measured_any(struct results_store *st, int64_t run_id, bool *any)
{
	struct db_stmt *s;
	int rc = db_prepare(results_db(st), "SELECT count(*) FROM results WHERE run_id = ? AND status = 'ok'", &s);

	*any = true;
	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, run_id)) && (rc = db_step(s)) == DB_ROW)
		*any = db_column_int64(s, 0) > 0;
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/* Each case's interference evidence, summed over the samples of every run of the series. */
static int load_interference(struct results_store *st, struct series *out)
{
	static const char *const names[] = { SAMPLE_WALL_MS, SAMPLE_RUN_DELAY_MS, SAMPLE_STEAL_MS,
					     SAMPLE_INVOLUNTARY_SWITCHES };
	struct db_stmt *s;
	int rc = 0;

	for (int r = 0; r < out->nr_runs && !rc; r++) {
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]) && !rc; k++) {
			if ((rc = db_prepare(results_db(st), "SELECT c.name, sum(m.value) FROM sample_metrics m JOIN cases c"
							     " ON c.id = m.case_id WHERE m.run_id = ? AND m.name = ?"
							     " GROUP BY c.name", &s)))
				return rc;
			if (!(rc = db_bind_int64(s, 1, out->runs[r].id)) && !(rc = db_bind_text(s, 2, names[k]))) {
				while ((rc = db_step(s)) == DB_ROW) {
					struct series_case *c = (struct series_case *)series_find(out, db_column_text(s, 0));

					if (c)
						interference_totals_add(&c->interference, names[k], db_column_double(s, 1));
				}
			}
			db_finalize(s);
			rc = rc < 0 ? rc : 0;
		}
	}
	return rc;
}

int series_load(struct results_store *st, const char *spec, const char *metric, struct series *out)
{
	struct sample_row *rows = NULL;
	struct db_stmt *s;
	char sql[768];
	bool binds_name;
	const char *source = series_metric_source(metric, &binds_name);
	int nr = 0, rc = series_resolve(st, spec, out), arg;
	bool measured = out->baseline_id != 0;

	if (rc)
		return rc;
	for (int i = 0; i < out->nr_runs && !out->baseline_id; i++)
		if ((rc = load_unmeasured(st, out->runs[i].id, out)))
			return rc;
	one_record_a_case(out);
	if (out->baseline_id)
		snprintf(sql, sizeof(sql), "SELECT c.name, c.unit, v.value, v.run_id, v.round FROM %s JOIN"
			 " baseline_results b ON b.run_id = v.run_id AND b.case_id = v.case_id JOIN cases c ON"
			 " c.id = v.case_id WHERE b.baseline_id = ?", source);
	else
		snprintf(sql, sizeof(sql), "SELECT c.name, c.unit, v.value, v.run_id, v.round FROM %s JOIN results r"
			 " ON r.run_id = v.run_id AND r.case_id = v.case_id JOIN cases c ON c.id = v.case_id"
			 " WHERE v.run_id = ? AND r.status = 'ok'", source);
	if ((rc = db_prepare(results_db(st), sql, &s)))
		return rc;
	/* a baseline in one read; runs one after the other */
	for (int i = 0; i < (out->baseline_id ? 1 : out->nr_runs) && !rc; i++) {
		arg = 1;
		if (!(rc = db_reset(s)) && !(rc = binds_name ? db_bind_text(s, arg++, metric) : 0) &&
		    !(rc = db_bind_int64(s, arg, out->baseline_id ? out->baseline_id : out->runs[i].id)))
			rc = read_rows(s, out, &rows, &nr);
	}
	db_finalize(s);
	for (int i = 0; !rc && !nr && !out->baseline_id && i < out->nr_runs && !measured; i++)
		rc = measured_any(st, out->runs[i].id, &measured);
	if (!rc && !nr && measured)
		rc = xb_fail(ENOENT, "%s has no samples of metric %s", out->name, metric);
	if (!rc && !(out->cases = calloc((size_t)(nr ? nr : 1), sizeof(*out->cases))))
		rc = xb_fail(ENOMEM, "out of memory");
	if (!rc && nr)
		rc = group_rows(rows, nr, out);
	for (int i = 0; i < nr; i++) {
		free(rows[i].id);
		free(rows[i].unit);
	}
	free(rows);
	for (int i = 0; i < out->nr_runs && !rc && !out->baseline_id; i++) /* a baseline holds none */
		rc = series_functional_only(st, out->runs[i].id, mark_functional_only, out);
	if (!rc)
		rc = load_interference(st, out);
	return rc;
}

static int by_id(const void *key, const void *c)
{
	return strcmp(key, ((const struct series_case *)c)->id);
}

const struct series_case *series_find(const struct series *s, const char *case_id)
{
	if (!s->nr_cases) /* bsearch must not see a NULL array */
		return NULL;
	return bsearch(case_id, s->cases, (size_t)s->nr_cases, sizeof(*s->cases), by_id);
}

static int by_unmeasured_key(const void *key, const void *u)
{
	return strcmp(key, ((const struct series_unmeasured *)u)->id);
}

const struct series_unmeasured *series_find_unmeasured(const struct series *s, const char *case_id)
{
	if (!s->nr_unmeasured)
		return NULL;
	return bsearch(case_id, s->unmeasured, (size_t)s->nr_unmeasured, sizeof(*s->unmeasured), by_unmeasured_key);
}

bool series_complete(const struct series *s)
{
	for (int i = 0; i < s->nr_runs; i++)
		if (!s->runs[i].complete)
			return false;
	return true;
}

void series_free(struct series *s)
{
	for (int i = 0; i < s->nr_cases; i++) {
		free(s->cases[i].id);
		free(s->cases[i].unit);
		free(s->cases[i].values);
		free(s->cases[i].run_of);
		free(s->cases[i].round_of);
		free(s->cases[i].functional_only);
	}
	for (int i = 0; i < s->nr_unmeasured; i++) {
		free(s->unmeasured[i].id);
		free(s->unmeasured[i].reason);
	}
	free(s->cases);
	free(s->unmeasured);
	free(s->runs);
	memset(s, 0, sizeof(*s));
}
