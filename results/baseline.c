/*
 * baseline.c - setting and listing baselines.
 */
#include "baseline.h"

#include <errno.h>
#include <inttypes.h>

#include "../base/attributes.h"
#include "db.h"
#include "series.h"

static int check_runs(struct results_store *st, const int64_t *runs, int nr_runs)
{
	struct series_run first, r;
	int rc;

	for (int i = 0; i < nr_runs; i++) {
		rc = series_run_info(st, runs[i], i ? &r : &first);
		if (rc == -ENOENT)
			return xb_fail(ENOENT, "no run %" PRId64, runs[i]);
		if (rc)
			return rc;
		if (!(i ? r : first).complete)
			return xb_fail(EINVAL, "run %" PRId64 " is incomplete (it was killed or is still running): "
				       "a baseline takes complete runs only", runs[i]);
		if (i && r.machine_id != first.machine_id)
			return xb_fail(EINVAL, "runs %" PRId64 " and %" PRId64 " were measured on different machines: "
				       "a baseline pools runs of one machine", runs[0], runs[i]);
	}
	return 0;
}

/* Finds or creates the baseline's row and empties it, inside the caller's transaction. */
static int fresh_baseline(struct results_store *st, const char *name, const char *now, int64_t *id)
{
	struct db *db = results_db(st);
	struct db_stmt *s;
	bool found;
	int rc = db_select_int64(db, "SELECT id FROM baselines WHERE name = ?", name, id, &found);

	if (rc)
		return rc;
	if (found) {
		if ((rc = db_prepare(db, "DELETE FROM baseline_results WHERE baseline_id = ?", &s)))
			return rc;
		if (!(rc = db_bind_int64(s, 1, *id)))
			rc = db_step(s);
		db_finalize(s);
		if (rc < 0 || (rc = db_prepare(db, "UPDATE baselines SET created_at = ? WHERE id = ?", &s)))
			return rc;
	} else {
		if ((rc = results_allocate_ids(st, "baselines", 1, id)) ||
		    (rc = db_prepare(db, "INSERT INTO baselines (created_at, id, name) VALUES (?, ?, ?)", &s)))
			return rc;
		rc = db_bind_text(s, 3, name);
	}
	if (!rc && !(rc = db_bind_text(s, 1, now)) && !(rc = db_bind_int64(s, 2, *id)))
		rc = db_step(s);
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

static int add_run_results(struct db *db, int64_t baseline_id, int64_t run_id)
{
	struct db_stmt *s;
	int rc = db_prepare(db, "INSERT INTO baseline_results (baseline_id, run_id, case_id)"
				" SELECT CAST(? AS INTEGER), r.run_id, r.case_id FROM results r WHERE r.run_id = ?"
				" AND r.status = 'ok' AND NOT EXISTS (SELECT 1 FROM result_attributes a"
				" WHERE a.run_id = r.run_id AND a.case_id = r.case_id AND a.name = ?)", &s);

	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, baseline_id)) && !(rc = db_bind_int64(s, 2, run_id)) &&
	    !(rc = db_bind_text(s, 3, ATTR_FUNCTIONAL_ONLY)))
		rc = db_step(s);
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

struct excluded {
	FILE *notes;
	int64_t run_id;
	int *count;
};

static int describe_excluded(void *excluded, const char *case_id, const char *reason)
{
	struct excluded *e = excluded;

	fprintf(e->notes, "excluded: run %" PRId64 " %s is functional only (%s)\n", e->run_id, case_id, reason);
	(*e->count)++;
	return 0;
}

static int count_results(struct db *db, int64_t baseline_id, int64_t *count)
{
	struct db_stmt *s;
	int rc = db_prepare(db, "SELECT count(*) FROM baseline_results WHERE baseline_id = ?", &s);

	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, baseline_id)) && (rc = db_step(s)) == DB_ROW)
		*count = db_column_int64(s, 0);
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

int baseline_set(struct results_store *st, const char *name, const int64_t *runs, int nr_runs, const char *now,
		 FILE *notes, struct baseline_outcome *out)
{
	struct db *db = results_db(st);
	int64_t id, count = 0;
	int rc = check_runs(st, runs, nr_runs);

	*out = (struct baseline_outcome){ 0 };
	if (rc || (rc = db_begin(db)))
		return rc;
	rc = fresh_baseline(st, name, now, &id);
	for (int i = 0; i < nr_runs && !rc; i++) {
		struct excluded e = { notes, runs[i], &out->nr_excluded };

		if (!(rc = add_run_results(db, id, runs[i])))
			rc = series_functional_only(st, runs[i], describe_excluded, &e);
	}
	if (!rc)
		rc = count_results(db, id, &count);
	if (!rc && !count)
		rc = xb_fail(EINVAL, "baseline %s: the runs have no result a baseline can use (%d functional only)",
			     name, out->nr_excluded);
	if (!rc)
		rc = db_commit(db);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	out->nr_results = (int)count;
	return 0;
}

int baseline_list(struct results_store *st, FILE *out)
{
	struct db_stmt *s;
	int rc = db_prepare(results_db(st),
			    "SELECT b.name, b.created_at, count(DISTINCT br.run_id), count(br.case_id) FROM baselines b"
			    " LEFT JOIN baseline_results br ON br.baseline_id = b.id GROUP BY b.id, b.name, b.created_at"
			    " ORDER BY b.name", &s);

	if (rc)
		return rc;
	fprintf(out, "%-24s %-20s %5s %8s\n", "baseline", "set at", "runs", "results");
	while ((rc = db_step(s)) == DB_ROW)
		fprintf(out, "%-24s %-20s %5lld %8lld\n", db_column_text(s, 0), db_column_text(s, 1),
			(long long)db_column_int64(s, 2), (long long)db_column_int64(s, 3));
	db_finalize(s);
	return rc < 0 ? rc : 0;
}
