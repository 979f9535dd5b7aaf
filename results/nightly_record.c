/*
 * nightly_record.c - writing a night, the queries over a key's nights, acceptance.
 */
#include "nightly_record.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "db.h"

static const char *const state_names[NIGHT_STATE_COUNT] = {
	[NIGHT_BUILDING] = "building",
	[NIGHT_PASS] = "pass",
	[NIGHT_FLAGGED] = "flagged",
	[NIGHT_INCONCLUSIVE] = "inconclusive",
	[NIGHT_DISTURBED] = "disturbed",
};

const char *night_state_name(enum night_state s)
{
	return state_names[s];
}

static enum night_state state_of(const char *name)
{
	for (int s = 0; s < NIGHT_STATE_COUNT; s++)
		if (!strcmp(name, state_names[s]))
			return (enum night_state)s;
	return NIGHT_DISTURBED; /* the schema's CHECK allows no other */
}

int nightly_record_night(struct results_store *st, const struct night_record *r)
{
	struct db_stmt *s;
	int rc = db_prepare(results_db(st), "INSERT INTO nightly_runs (run_id, machine_id, configuration, night,"
					    " kernel_release, kernel_commit, state, outcome, compared, flagged, disturbed,"
					    " baseline_runs, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s);

	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, r->run_id)) && !(rc = db_bind_int64(s, 2, r->key.machine_id)) &&
	    !(rc = db_bind_text(s, 3, r->key.configuration)) && !(rc = db_bind_text(s, 4, r->night)) &&
	    !(rc = db_bind_text(s, 5, r->kernel_release)) && !(rc = db_bind_text(s, 6, r->kernel_commit)) &&
	    !(rc = db_bind_text(s, 7, night_state_name(r->state))) && !(rc = db_bind_int64(s, 8, r->outcome)) &&
	    !(rc = db_bind_int64(s, 9, r->compared)) && !(rc = db_bind_int64(s, 10, r->flagged)) &&
	    !(rc = db_bind_int64(s, 11, r->disturbed)) && !(rc = db_bind_text(s, 12, r->baseline_runs)) &&
	    !(rc = db_bind_text(s, 13, r->reason)))
		rc = db_step(s);
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/*
 * The run ids of @sql, which takes the key and @before (twice when @twice), then @limit;
 * newest first as the query orders them, reversed when @oldest_first.
 */
static int select_runs(struct results_store *st, const char *sql, const struct nightly_key *key, int64_t before,
		       bool twice, int limit, bool oldest_first, int64_t *runs, int *nr)
{
	struct db_stmt *s;
	int rc = db_prepare(results_db(st), sql, &s), arg = 1;

	*nr = 0;
	if (rc)
		return rc;
	for (int k = 0; k < (twice ? 2 : 1) && !rc; k++)
		if (!(rc = db_bind_int64(s, arg++, key->machine_id)) && !(rc = db_bind_text(s, arg++, key->configuration)))
			rc = db_bind_int64(s, arg++, before);
	if (!rc && !(rc = db_bind_int64(s, arg, limit)))
		while ((rc = db_step(s)) == DB_ROW && *nr < limit)
			runs[(*nr)++] = db_column_int64(s, 0);
	db_finalize(s);
	for (int i = 0; oldest_first && i < *nr / 2; i++) {
		int64_t t = runs[i];

		runs[i] = runs[*nr - 1 - i];
		runs[*nr - 1 - i] = t;
	}
	return rc < 0 ? rc : 0;
}

/* A key's nights before a run, each with its acceptance (a.run_id NULL when none). */
#define KEY_NIGHTS                                                                                    \
	"SELECT n.run_id FROM nightly_runs n LEFT JOIN nightly_acceptances a ON a.run_id = n.run_id" \
	" WHERE n.machine_id = ? AND n.configuration = ? AND n.run_id < ?"
#define NEWEST_FIRST " ORDER BY n.run_id DESC LIMIT ?"

int nightly_baseline_runs(struct results_store *st, const struct nightly_key *key, int64_t before, int n,
			  int64_t *runs, int *nr)
{
	return select_runs(st, KEY_NIGHTS " AND (n.state IN ('building', 'pass') OR a.run_id IS NOT NULL)" NEWEST_FIRST,
			   key, before, false, n, false, runs, nr);
}

int nightly_trend_runs(struct results_store *st, const struct nightly_key *key, int64_t before, int max,
		       int64_t *runs, int *nr)
{
	return select_runs(st, KEY_NIGHTS " AND (n.state IN ('building', 'pass', 'flagged') OR a.run_id IS NOT NULL)"
			       " AND n.run_id >= (SELECT coalesce(max(x.run_id), 0) FROM nightly_acceptances x"
			       " JOIN nightly_runs y ON y.run_id = x.run_id"
			       " WHERE y.machine_id = ? AND y.configuration = ? AND x.run_id < ?)" NEWEST_FIRST,
			   key, before, true, max, true, runs, nr);
}

int nightly_recent_runs(struct results_store *st, const struct nightly_key *key, int64_t before, int max,
			int64_t *runs, int *nr)
{
	return select_runs(st, KEY_NIGHTS NEWEST_FIRST, key, before, false, max, true, runs, nr);
}

/* The night of run @run_id: its state, key and whether (by whom, when) it was accepted. */
static int read_night(struct db *db, int64_t run_id, struct night_acceptance *out, char *accepted, size_t size)
{
	struct db_stmt *s;
	int rc = db_prepare(db, "SELECT n.state, n.machine_id, n.configuration, a.accepted_by, a.accepted_at"
				" FROM nightly_runs n LEFT JOIN nightly_acceptances a ON a.run_id = n.run_id"
				" WHERE n.run_id = ?", &s);

	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, run_id)) && (rc = db_step(s)) == DB_ROW) {
		out->state = state_of(db_column_text(s, 0));
		out->machine_id = db_column_int64(s, 1);
		snprintf(out->configuration, sizeof(out->configuration), "%s", db_column_text(s, 2));
		accepted[0] = 0;
		if (!db_column_is_null(s, 3))
			snprintf(accepted, size, "by %s at %s", db_column_text(s, 3), db_column_text(s, 4));
	}
	db_finalize(s);
	return rc < 0 ? rc : rc == DB_ROW ? 0 : -ENOENT;
}

int nightly_accept(struct results_store *st, int64_t run_id, const char *now, const char *who, const char *why,
		   struct night_acceptance *out)
{
	struct db *db = results_db(st);
	char accepted[256];
	struct db_stmt *s;
	int rc = read_night(db, run_id, out, accepted, sizeof(accepted));

	if (rc == -ENOENT)
		return xb_fail(EINVAL, "run %" PRId64 " is no night of the nightly job", run_id);
	if (rc)
		return rc;
	if (accepted[0])
		return xb_fail(EINVAL, "run %" PRId64 " was accepted already, %s", run_id, accepted);
	if (out->state == NIGHT_DISTURBED)
		return xb_fail(EINVAL, "run %" PRId64 " was disturbed: its numbers are not the machine's, so it cannot "
			       "be accepted", run_id);
	if (out->state == NIGHT_BUILDING || out->state == NIGHT_PASS)
		return xb_fail(EINVAL, "run %" PRId64 " is in its rolling baseline already (%s)", run_id,
			       night_state_name(out->state));
	if ((rc = db_prepare(db, "INSERT INTO nightly_acceptances (run_id, accepted_at, accepted_by, reason)"
				 " VALUES (?, ?, ?, ?)", &s)))
		return rc;
	if (!(rc = db_bind_int64(s, 1, run_id)) && !(rc = db_bind_text(s, 2, now)) && !(rc = db_bind_text(s, 3, who)) &&
	    !(rc = db_bind_text(s, 4, why)))
		rc = db_step(s);
	db_finalize(s);
	return rc < 0 ? rc : 0;
}
