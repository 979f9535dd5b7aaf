/*
 * fuzz_gbench_import.c - libFuzzer target: `import` of Google Benchmark JSON into an
 * SQLite store on a tmpfs (/dev/shm). Whatever the input, the import either succeeds with a complete run
 * whose counts match what it reports, or fails and leaves the store as it was: empty, and
 * still usable by the next input (the store is only opened afresh after a success).
 */
#include "fuzz_input.h"

#include "results/db.h"
#include "results/gbench_import.h"
#include "results/store.h"

static int64_t count(struct results_store *st, const char *sql)
{
	int64_t v = -1;
	bool found;

	if (db_select_int64(results_db(st), sql, NULL, &v, &found) || !found)
		abort();
	return v;
}

static struct results_store *st;
static char db_path[64];

static void remove_store(void)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char name[80];

	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "%s%s", db_path, suffixes[i]);
		unlink(name);
	}
}

/* A new, empty store: the files of the last one are removed first, and at exit. */
static void fresh_store(void)
{
	if (!db_path[0]) {
		snprintf(db_path, sizeof(db_path), "/dev/shm/xb-fuzz-import-%d.db", (int)getpid());
		atexit(remove_store);
	}
	remove_store();
	if (results_open(db_path, &st))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gbench_import_result r;
	char path[64];
	int fd = fuzz_file(data, size, path, sizeof(path)), rc;

	if (!st)
		fresh_store();
	rc = gbench_import(st, path, "fuzz", "2026-01-01T00:00:00Z", &r);
	if (rc) {
		if (count(st, "SELECT count(*) FROM runs") || count(st, "SELECT count(*) FROM cases") ||
		    count(st, "SELECT count(*) FROM machines") || count(st, "SELECT max(last_id) FROM id_sequences"))
			abort(); /* a failed import must leave nothing */
	} else {
		if (count(st, "SELECT count(*) FROM runs WHERE complete = 1") != 1 ||
		    count(st, "SELECT count(*) FROM results") != r.nr_cases ||
		    count(st, "SELECT count(*) FROM samples") != r.nr_samples)
			abort();
		results_close(st);
		st = NULL;
	}
	close(fd);
	return 0;
}
