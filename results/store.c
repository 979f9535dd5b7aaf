/*
 * store.c - the results API on top of the database driver: machines, runs and cases with
 * ids from id_sequences, and per-case results, attributes, samples and metrics written with
 * multi-row INSERTs inside one transaction.
 */
#include "store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bulk.h"
#include "db.h"
#include "schema.h"

/* Case names already in the database, sorted by name, for looking ids up without a query. */
struct case_entry {
	char *name;
	int64_t id;
};

struct results_store {
	struct db *db;
	struct case_entry *cases;
	int nr_cases, cap;
	int transaction_depth; /* > 0: the store's own transactions join the caller's */
};

/* A reader opens read-only; a database of an older schema is migrated first, for which it
 * is opened for writing. */
static int open_for_reading(const char *url, struct db **db)
{
	int version, rc = db_open(url, DB_READ, db);

	if (rc || (rc = schema_version(*db, &version)) || version >= SCHEMA_VERSION)
		return rc;
	db_close(*db);
	*db = NULL;
	if ((rc = db_open(url, DB_WRITE, db)))
		return xb_fail(-rc, "the database has schema version %d and must be migrated to version %d before "
			       "it is read, which needs writing: %s", version, SCHEMA_VERSION, xb_error_message());
	return 0;
}

static int open_store(const char *url, enum db_access access, struct results_store **out)
{
	struct results_store *st = calloc(1, sizeof(*st));
	int rc;

	if (!st)
		return xb_fail(ENOMEM, "out of memory");
	rc = access == DB_READ ? open_for_reading(url, &st->db) : db_open(url, access, &st->db);
	if (!rc)
		rc = schema_migrate(st->db);
	if (rc) {
		db_close(st->db);
		free(st);
		return rc;
	}
	*out = st;
	return 0;
}

static void forget_cases(struct results_store *st)
{
	for (int i = 0; i < st->nr_cases; i++)
		free(st->cases[i].name);
	st->nr_cases = 0;
}

int results_open(const char *url, struct results_store **out)
{
	return open_store(url, DB_CREATE, out);
}

int results_open_existing(const char *url, struct results_store **out)
{
	return open_store(url, DB_WRITE, out);
}

int results_open_for_reading(const char *url, struct results_store **out)
{
	return open_store(url, DB_READ, out);
}

/* The store's own transactions: the outermost begins and commits; inside a caller's
 * transaction they only count, and a failure is rolled back by the caller, whole. */
int results_begin(struct results_store *st)
{
	int rc = st->transaction_depth ? 0 : db_begin(st->db);

	st->transaction_depth += !rc;
	return rc;
}

int results_commit(struct results_store *st)
{
	if (st->transaction_depth <= 0)
		return xb_fail(EINVAL, "results_commit() without results_begin()");
	if (--st->transaction_depth)
		return 0;
	return db_commit(st->db);
}

/* After a failed results_begin's work (or a failed results_commit): the first error stays. */
void results_rollback(struct results_store *st)
{
	if (st->transaction_depth > 0)
		st->transaction_depth--;
	if (st->transaction_depth)
		return;
	db_rollback(st->db);
	forget_cases(st); /* ids cached inside the transaction are gone with it */
}

void results_close(struct results_store *st)
{
	if (!st)
		return;
	forget_cases(st);
	free(st->cases);
	db_close(st->db);
	free(st);
}

struct db *results_db(struct results_store *st)
{
	return st->db;
}

int results_allocate_ids(struct results_store *st, const char *table, int count, int64_t *first)
{
	struct db_stmt *s;
	int rc = db_prepare(st->db, "UPDATE id_sequences SET last_id = last_id + ? WHERE name = ?"
				    " RETURNING last_id", &s);

	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, count)) && !(rc = db_bind_text(s, 2, table)))
		rc = db_step(s);
	if (rc == DB_ROW)
		*first = db_column_int64(s, 0) - count + 1;
	db_finalize(s);
	return rc < 0 ? rc : rc == DB_ROW ? 0 : xb_fail(ENOENT, "id_sequences has no row for %s", table);
}

static int find_machine(struct results_store *st, const char *fingerprint, int64_t *id)
{
	bool found;
	int rc = db_select_int64(st->db, "SELECT id FROM machines WHERE fingerprint = ?", fingerprint, id, &found);

	return rc ? rc : found ? 0 : -ENOENT;
}

int results_put_machine(struct results_store *st, const struct machine_record *m, int64_t *machine_id)
{
	struct db_stmt *s;
	int rc = find_machine(st, m->fingerprint, machine_id);

	if (rc != -ENOENT)
		return rc;
	if ((rc = results_allocate_ids(st, "machines", 1, machine_id)))
		return rc;
	rc = db_prepare(st->db,
			"INSERT INTO machines (id, fingerprint, hostname, vendor, family, model, stepping,"
			" microcode, brand, xcr0, xss, cpuid_dump) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			" ON CONFLICT (fingerprint) DO NOTHING", &s);
	if (rc)
		return rc;
	if ((rc = db_bind_int64(s, 1, *machine_id)) || (rc = db_bind_text(s, 2, m->fingerprint)) ||
	    (rc = db_bind_text(s, 3, m->hostname)) || (rc = db_bind_text(s, 4, m->vendor)) ||
	    (rc = db_bind_int64(s, 5, m->family)) || (rc = db_bind_int64(s, 6, m->model)) ||
	    (rc = db_bind_int64(s, 7, m->stepping)) || (rc = db_bind_text(s, 8, m->microcode)) ||
	    (rc = db_bind_text(s, 9, m->brand)) || (rc = db_bind_int64(s, 10, (int64_t)m->xcr0)) ||
	    (rc = db_bind_int64(s, 11, (int64_t)m->xss)) || (rc = db_bind_text(s, 12, m->cpuid_dump)))
		goto out;
	rc = db_step(s);
out:
	db_finalize(s);
	if (rc < 0)
		return rc;
	/* another writer may have inserted the same machine first: its id is the one */
	rc = find_machine(st, m->fingerprint, machine_id);
	return rc == -ENOENT ? xb_fail(EIO, "machine %s was not stored", m->fingerprint) : rc;
}

int results_begin_run(struct results_store *st, int64_t machine_id, const struct run_record *r,
		      int64_t *run_id)
{
	struct db_stmt *s;
	int rc = results_allocate_ids(st, "runs", 1, run_id);

	if (rc)
		return rc;
	rc = db_prepare(st->db, "INSERT INTO runs (id, machine_id, label, started_at, hostname, kernel_release,"
				" kernel_cmdline, command_line, tool_version, tsc_hz, tsc_source, pinned_pu, notes,"
				" source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s);
	if (rc)
		return rc;
	if (!(rc = db_bind_int64(s, 1, *run_id)) && !(rc = db_bind_int64(s, 2, machine_id)) &&
	    !(rc = db_bind_text(s, 3, r->label)) && !(rc = db_bind_text(s, 4, r->started_at)) &&
	    !(rc = db_bind_text(s, 5, r->hostname)) && !(rc = db_bind_text(s, 6, r->kernel_release)) &&
	    !(rc = db_bind_text(s, 7, r->kernel_cmdline)) && !(rc = db_bind_text(s, 8, r->command_line)) &&
	    !(rc = db_bind_text(s, 9, r->tool_version)) &&
	    !(rc = r->tsc_hz > 0 ? db_bind_double(s, 10, r->tsc_hz) : db_bind_null(s, 10)) &&
	    !(rc = db_bind_text(s, 11, r->tsc_source)) &&
	    !(rc = r->pinned_pu >= 0 ? db_bind_int64(s, 12, r->pinned_pu) : db_bind_null(s, 12)) &&
	    !(rc = db_bind_text(s, 13, r->notes)) && !(rc = db_bind_text(s, 14, r->source)))
		rc = db_step(s);
	db_finalize(s);
	return rc < 0 ? rc : 0;
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

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct case_entry *)a)->name, ((const struct case_entry *)b)->name);
}

static int64_t known_case(const struct results_store *st, const char *name)
{
	struct case_entry key = { .name = (char *)name }, *e;

	if (!st->nr_cases)
		return 0; /* no array yet: bsearch must not be given NULL */
	e = bsearch(&key, st->cases, (size_t)st->nr_cases, sizeof(*st->cases), by_name);
	return e ? e->id : 0;
}

/* Adds a name the cache does not have, in its sorted place. */
static int cache_case(struct results_store *st, const char *name, int64_t id)
{
	int lo = 0, hi = st->nr_cases;
	char *copy = strdup(name);

	if (!copy)
		return xb_fail(ENOMEM, "out of memory");
	if (st->nr_cases == st->cap) {
		struct case_entry *grown = realloc(st->cases, (size_t)(st->cap = st->cap ? 2 * st->cap : 256) * sizeof(*grown));

		if (!grown) {
			free(copy);
			return xb_fail(ENOMEM, "out of memory");
		}
		st->cases = grown;
	}
	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (strcmp(st->cases[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&st->cases[lo + 1], &st->cases[lo], (size_t)(st->nr_cases - lo) * sizeof(*st->cases));
	st->cases[lo] = (struct case_entry){ copy, id };
	st->nr_cases++;
	return 0;
}

/* Caches the ids the database has for the names of @cases the cache lacks; *missing: how
 * many records are still without one. */
static int fetch_cases(struct results_store *st, const struct case_record *cases, int n, int *missing)
{
	int rc = 0;

	*missing = 0;
	for (int i = 0; i < n && !rc; i++) {
		int64_t id;
		bool found;

		if (known_case(st, cases[i].id))
			continue;
		rc = db_select_int64(st->db, "SELECT id FROM cases WHERE name = ?", cases[i].id, &id, &found);
		if (!rc && found)
			rc = cache_case(st, cases[i].id, id);
		*missing += !rc && !found;
	}
	return rc;
}

/*
 * Adds the cases this database does not know yet, in a short transaction of its own (so a
 * PostgreSQL writer does not hold the id row while it writes samples); names another
 * writer added meanwhile are kept as they are.
 */
static int add_cases(struct results_store *st, const struct case_record *cases, int n, int missing)
{
	struct bulk_insert *b;
	int64_t next;
	int rc = results_begin(st);

	if (rc)
		return rc;
	if ((rc = results_allocate_ids(st, "cases", missing, &next)) ||
	    (rc = bulk_open(st->db, "INSERT INTO cases (id, name, unit)", "ON CONFLICT (name) DO NOTHING", 3, &b)))
		goto fail;
	/* a name twice in @cases is inserted once: the second row conflicts and does nothing */
	for (int i = 0; i < n && !rc; i++) {
		if (known_case(st, cases[i].id))
			continue;
		bulk_int64(b, next++);
		bulk_text(b, cases[i].id);
		bulk_text(b, cases[i].unit);
		rc = bulk_end_row(b);
	}
	rc = bulk_close(b, rc);
	if (!rc && !(rc = results_commit(st)))
		return 0;
fail:
	results_rollback(st);
	return rc;
}

/* Fills @ids with the case id of every record, adding the names that are new. */
static int case_ids(struct results_store *st, const struct case_record *cases, int n, int64_t *ids)
{
	int missing, rc = fetch_cases(st, cases, n, &missing);

	if (!rc && missing && !(rc = add_cases(st, cases, n, missing)))
		rc = fetch_cases(st, cases, n, &missing);
	for (int i = 0; i < n && !rc; i++)
		if (!(ids[i] = known_case(st, cases[i].id)))
			rc = xb_fail(EIO, "case %s was not stored", cases[i].id);
	return rc;
}

static const char *status_name(enum case_status status)
{
	return status == CASE_OK ? "ok" : status == CASE_SKIP ? "skip" : "error";
}

static int insert_results(struct db *db, int64_t run_id, const int64_t *ids, const struct case_record *cases, int n)
{
	struct bulk_insert *b;
	int rc = bulk_open(db, "INSERT INTO results (run_id, case_id, status, reason, ops_per_batch, overhead_ticks)",
			   "", 6, &b);

	for (int i = 0; i < n && !rc; i++) {
		const struct case_record *c = &cases[i];

		bulk_int64(b, run_id);
		bulk_int64(b, ids[i]);
		bulk_text(b, status_name(c->status));
		bulk_text(b, c->reason);
		if (c->ops_per_batch)
			bulk_int64(b, c->ops_per_batch);
		else
			bulk_null(b);
		if (c->status == CASE_OK)
			bulk_double(b, c->overhead_ticks);
		else
			bulk_null(b);
		rc = bulk_end_row(b);
	}
	return bulk_close(b, rc);
}

static int insert_attributes(struct db *db, int64_t run_id, const int64_t *ids, const struct case_record *cases, int n)
{
	struct bulk_insert *b;
	int rc = bulk_open(db, "INSERT INTO result_attributes (run_id, case_id, name, value)", "", 4, &b);

	for (int i = 0; i < n && !rc; i++) {
		for (int k = 0; k < cases[i].nr_attributes && !rc; k++) {
			bulk_int64(b, run_id);
			bulk_int64(b, ids[i]);
			bulk_text(b, cases[i].attributes[k].name);
			bulk_text(b, cases[i].attributes[k].value);
			rc = bulk_end_row(b);
		}
	}
	return bulk_close(b, rc);
}

static int insert_samples(struct db *db, int64_t run_id, const int64_t *ids, const struct case_record *cases, int n)
{
	struct bulk_insert *b;
	int rc = bulk_open(db, "INSERT INTO samples (run_id, case_id, repetition, round, ticks_per_op, ns_per_op,"
			   " batches)", "", 7, &b);

	for (int i = 0; i < n && !rc; i++) {
		for (int k = 0; k < cases[i].nr_samples && !rc; k++) {
			const struct sample_record *r = &cases[i].samples[k];

			bulk_int64(b, run_id);
			bulk_int64(b, ids[i]);
			bulk_int64(b, k);
			bulk_int64(b, r->round);
			bulk_double(b, r->ticks_per_op);
			bulk_double(b, r->ns_per_op);
			bulk_int64(b, r->batches);
			rc = bulk_end_row(b);
		}
	}
	return bulk_close(b, rc);
}

static int insert_metrics(struct db *db, int64_t run_id, const int64_t *ids, const struct case_record *cases, int n)
{
	struct bulk_insert *b;
	int rc = bulk_open(db, "INSERT INTO sample_metrics (run_id, case_id, repetition, name, value)", "", 5, &b);

	for (int i = 0; i < n && !rc; i++) {
		for (int k = 0; k < cases[i].nr_samples && !rc; k++) {
			const struct sample_record *r = &cases[i].samples[k];

			for (int m = 0; m < r->nr_metrics && !rc; m++) {
				bulk_int64(b, run_id);
				bulk_int64(b, ids[i]);
				bulk_int64(b, k);
				bulk_text(b, r->metrics[m].name);
				bulk_double(b, r->metrics[m].value);
				rc = bulk_end_row(b);
			}
		}
	}
	return bulk_close(b, rc);
}

int results_put_cases(struct results_store *st, int64_t run_id, const struct case_record *cases, int n)
{
	int64_t *ids = calloc((size_t)n + 1, sizeof(*ids));
	int rc;

	if (!ids)
		return xb_fail(ENOMEM, "out of memory");
	rc = case_ids(st, cases, n, ids);
	if (!rc && !(rc = results_begin(st))) {
		/* parents first: the foreign keys are checked row by row */
		if ((rc = insert_results(st->db, run_id, ids, cases, n)) ||
		    (rc = insert_attributes(st->db, run_id, ids, cases, n)) ||
		    (rc = insert_samples(st->db, run_id, ids, cases, n)) ||
		    (rc = insert_metrics(st->db, run_id, ids, cases, n)) || (rc = results_commit(st)))
			results_rollback(st);
	}
	free(ids);
	return rc;
}

int results_put_case(struct results_store *st, int64_t run_id, const struct case_record *c)
{
	return results_put_cases(st, run_id, c, 1);
}

/*
 * In a transaction of its own (or the caller's): a connection lost while the server commits
 * it is then reported as such (the run may be complete), not as an UPDATE that failed.
 */
int results_finish_run(struct results_store *st, int64_t run_id, const char *finished_at, const char *disturbed)
{
	struct db_stmt *s;
	int rc = results_begin(st);

	if (rc)
		return rc;
	rc = db_prepare(st->db, "UPDATE runs SET complete = 1, finished_at = ?, disturbed = ? WHERE id = ?", &s);
	if (!rc) {
		if (!(rc = db_bind_text(s, 1, finished_at)) && !(rc = db_bind_text(s, 2, disturbed)) &&
		    !(rc = db_bind_int64(s, 3, run_id)))
			rc = db_step(s);
		db_finalize(s);
	}
	if (rc < 0 || (rc = results_commit(st))) {
		results_rollback(st);
		return rc;
	}
	return 0;
}

int results_label_run(struct results_store *st, int64_t run_id, const char *label)
{
	struct db_stmt *s;
	int rc = db_prepare(st->db, "UPDATE runs SET label = ? WHERE id = ?", &s);

	if (rc)
		return rc;
	if (!(rc = db_bind_text(s, 1, label)) && !(rc = db_bind_int64(s, 2, run_id)))
		rc = db_step(s);
	db_finalize(s);
	return rc < 0 ? rc : 0;
}
