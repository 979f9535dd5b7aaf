/*
 * store.c - the results API on top of the database driver.
 */
#include "store.h"

#include <errno.h>
#include <stdlib.h>

#include "db.h"
#include "schema.h"

struct results_store {
	struct db *db;
};

int results_open(const char *url, struct results_store **out)
{
	struct results_store *st = calloc(1, sizeof(*st));
	int rc;

	if (!st)
		return xb_fail(ENOMEM, "out of memory");
	rc = db_open(url, &st->db);
	if (!rc)
		rc = schema_migrate(st->db);
	if (!rc && st->db->driver == &db_sqlite_driver)
		rc = db_exec(st->db, "PRAGMA journal_mode = WAL");
	if (rc) {
		db_close(st->db);
		free(st);
		return rc;
	}
	*out = st;
	return 0;
}

void results_close(struct results_store *st)
{
	if (!st)
		return;
	db_close(st->db);
	free(st);
}

/* Runs a prepared statement to completion and returns the id of the row it returned. */
static int step_returning_id(struct db_stmt *s, int64_t *id)
{
	int rc = db_step(s);

	if (rc == DB_ROW) {
		*id = db_column_int64(s, 0);
		return 0;
	}
	return rc < 0 ? rc : xb_fail(EIO, "insert returned no id");
}

static int find_machine(struct results_store *st, const char *fingerprint, int64_t *id)
{
	struct db_stmt *s;
	int rc = db_prepare(st->db, "SELECT id FROM machines WHERE fingerprint = ?", &s);

	if (rc)
		return rc;
	rc = db_bind_text(s, 1, fingerprint);
	if (!rc)
		rc = db_step(s);
	if (rc == DB_ROW)
		*id = db_column_int64(s, 0);
	db_finalize(s);
	return rc < 0 ? rc : rc == DB_ROW ? 0 : -ENOENT;
}

int results_put_machine(struct results_store *st, const struct machine_record *m, int64_t *machine_id)
{
	struct db_stmt *s;
	int rc = find_machine(st, m->fingerprint, machine_id);

	if (rc != -ENOENT)
		return rc;
	rc = db_prepare(st->db,
			"INSERT INTO machines (fingerprint, hostname, vendor, family, model, stepping,"
			" microcode, brand, xcr0, xss, cpuid_dump) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			" RETURNING id", &s);
	if (rc)
		return rc;
	if ((rc = db_bind_text(s, 1, m->fingerprint)) || (rc = db_bind_text(s, 2, m->hostname)) ||
	    (rc = db_bind_text(s, 3, m->vendor)) || (rc = db_bind_int64(s, 4, m->family)) ||
	    (rc = db_bind_int64(s, 5, m->model)) || (rc = db_bind_int64(s, 6, m->stepping)) ||
	    (rc = db_bind_text(s, 7, m->microcode)) || (rc = db_bind_text(s, 8, m->brand)) ||
	    (rc = db_bind_int64(s, 9, (int64_t)m->xcr0)) || (rc = db_bind_int64(s, 10, (int64_t)m->xss)) ||
	    (rc = db_bind_text(s, 11, m->cpuid_dump)))
		goto out;
	rc = step_returning_id(s, machine_id);
out:
	db_finalize(s);
	/* Another writer may have inserted the same machine first. */
	if (rc && find_machine(st, m->fingerprint, machine_id) == 0)
		rc = 0;
	return rc;
}

int results_begin_run(struct results_store *st, int64_t machine_id, const struct run_record *r,
		      int64_t *run_id)
{
	struct db_stmt *s;
	int rc = db_prepare(st->db,
			    "INSERT INTO runs (machine_id, label, started_at, kernel_release,"
			    " command_line, tool_version, tsc_hz, tsc_source, pinned_pu, notes)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", &s);

	if (rc)
		return rc;
	if ((rc = db_bind_int64(s, 1, machine_id)) || (rc = db_bind_text(s, 2, r->label)) ||
	    (rc = db_bind_text(s, 3, r->started_at)) || (rc = db_bind_text(s, 4, r->kernel_release)) ||
	    (rc = db_bind_text(s, 5, r->command_line)) || (rc = db_bind_text(s, 6, r->tool_version)) ||
	    (rc = db_bind_double(s, 7, r->tsc_hz)) || (rc = db_bind_text(s, 8, r->tsc_source)) ||
	    (rc = r->pinned_pu >= 0 ? db_bind_int64(s, 9, r->pinned_pu) : db_bind_null(s, 9)) ||
	    (rc = db_bind_text(s, 10, r->notes)))
		goto out;
	rc = step_returning_id(s, run_id);
out:
	db_finalize(s);
	return rc;
}

int results_put_counter(struct results_store *st, int64_t run_id, const char *name,
			bool available, const char *reason)
{
	struct db_stmt *s;
	int rc = db_prepare(st->db, "INSERT INTO run_counters (run_id, name, available, reason)"
				    " VALUES (?, ?, ?, ?)", &s);

	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, run_id)) && !(rc = db_bind_text(s, 2, name)) &&
	    !(rc = db_bind_int64(s, 3, available)) && !(rc = db_bind_text(s, 4, available ? NULL : reason)))
		rc = db_step(s);
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

static int case_id_for(struct results_store *st, const char *name, const char *unit, int64_t *id)
{
	struct db_stmt *s;
	int rc = db_prepare(st->db, "INSERT INTO cases (name, unit) VALUES (?, ?)"
				    " ON CONFLICT (name) DO NOTHING", &s);

	if (rc)
		return rc;
	if (!(rc = db_bind_text(s, 1, name)) && !(rc = db_bind_text(s, 2, unit)))
		rc = db_step(s);
	db_finalize(s);
	if (rc < 0)
		return rc;
	if ((rc = db_prepare(st->db, "SELECT id FROM cases WHERE name = ?", &s)))
		return rc;
	if (!(rc = db_bind_text(s, 1, name)))
		rc = step_returning_id(s, id);
	db_finalize(s);
	return rc;
}

static const char *status_name(enum case_status status)
{
	return status == CASE_OK ? "ok" : status == CASE_SKIP ? "skip" : "error";
}

static int insert_result(struct results_store *st, int64_t run_id, int64_t case_id,
			 const struct case_record *c)
{
	struct db_stmt *s;
	int rc = db_prepare(st->db, "INSERT INTO results (run_id, case_id, status, reason,"
				    " ops_per_batch, overhead_ticks) VALUES (?, ?, ?, ?, ?, ?)", &s);

	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, run_id)) && !(rc = db_bind_int64(s, 2, case_id)) &&
	    !(rc = db_bind_text(s, 3, status_name(c->status))) && !(rc = db_bind_text(s, 4, c->reason)) &&
	    !(rc = c->ops_per_batch ? db_bind_int64(s, 5, c->ops_per_batch) : db_bind_null(s, 5)) &&
	    !(rc = c->status == CASE_OK ? db_bind_double(s, 6, c->overhead_ticks) : db_bind_null(s, 6)))
		rc = db_step(s);
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

static int insert_attributes(struct results_store *st, int64_t run_id, int64_t case_id,
			     const struct case_record *c)
{
	struct db_stmt *s;
	int rc;

	if (!c->nr_attributes)
		return 0;
	rc = db_prepare(st->db, "INSERT INTO result_attributes (run_id, case_id, name, value)"
				" VALUES (?, ?, ?, ?)", &s);
	if (rc)
		return rc;
	for (int i = 0; i < c->nr_attributes && !rc; i++) {
		if (!(rc = db_bind_int64(s, 1, run_id)) && !(rc = db_bind_int64(s, 2, case_id)) &&
		    !(rc = db_bind_text(s, 3, c->attributes[i].name)) &&
		    !(rc = db_bind_text(s, 4, c->attributes[i].value)))
			rc = db_step(s);
		if (rc >= 0)
			rc = db_reset(s);
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

static int insert_samples(struct results_store *st, int64_t run_id, int64_t case_id,
			  const struct case_record *c)
{
	struct db_stmt *s = NULL, *m = NULL;
	int rc;

	if (!c->nr_samples)
		return 0;
	rc = db_prepare(st->db, "INSERT INTO samples (run_id, case_id, repetition, ticks_per_op,"
				" ns_per_op, batches) VALUES (?, ?, ?, ?, ?, ?)", &s);
	if (!rc)
		rc = db_prepare(st->db, "INSERT INTO sample_metrics (run_id, case_id, repetition, name,"
					" value) VALUES (?, ?, ?, ?, ?)", &m);
	for (int i = 0; i < c->nr_samples && !rc; i++) {
		const struct sample_record *r = &c->samples[i];

		if (!(rc = db_bind_int64(s, 1, run_id)) && !(rc = db_bind_int64(s, 2, case_id)) &&
		    !(rc = db_bind_int64(s, 3, i)) && !(rc = db_bind_double(s, 4, r->ticks_per_op)) &&
		    !(rc = db_bind_double(s, 5, r->ns_per_op)) && !(rc = db_bind_int64(s, 6, r->batches)))
			rc = db_step(s);
		if (rc >= 0)
			rc = db_reset(s);
		for (int k = 0; k < r->nr_metrics && rc >= 0; k++) {
			if (!(rc = db_bind_int64(m, 1, run_id)) && !(rc = db_bind_int64(m, 2, case_id)) &&
			    !(rc = db_bind_int64(m, 3, i)) && !(rc = db_bind_text(m, 4, r->metrics[k].name)) &&
			    !(rc = db_bind_double(m, 5, r->metrics[k].value)))
				rc = db_step(m);
			if (rc >= 0)
				rc = db_reset(m);
		}
		if (rc > 0)
			rc = 0;
	}
	db_finalize(s);
	db_finalize(m);
	return rc < 0 ? rc : 0;
}

int results_put_case(struct results_store *st, int64_t run_id, const struct case_record *c)
{
	int64_t case_id;
	int rc = db_begin(st->db);

	if (rc)
		return rc;
	if ((rc = case_id_for(st, c->id, c->unit, &case_id)) ||
	    (rc = insert_result(st, run_id, case_id, c)) ||
	    (rc = insert_attributes(st, run_id, case_id, c)) ||
	    (rc = insert_samples(st, run_id, case_id, c)) || (rc = db_commit(st->db))) {
		db_rollback(st->db);
		return rc;
	}
	return 0;
}

int results_finish_run(struct results_store *st, int64_t run_id, const char *finished_at)
{
	struct db_stmt *s;
	int rc = db_prepare(st->db, "UPDATE runs SET complete = 1, finished_at = ? WHERE id = ?", &s);

	if (rc)
		return rc;
	if (!(rc = db_bind_text(s, 1, finished_at)) && !(rc = db_bind_int64(s, 2, run_id)))
		rc = db_step(s);
	db_finalize(s);
	return rc < 0 ? rc : 0;
}
