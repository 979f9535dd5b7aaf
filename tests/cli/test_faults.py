"""test_faults.py - fault injection for the results store, on the backend under test (SQLite,
or PostgreSQL under tests/with_postgres.py): SIGKILL of `run` and `import` at random moments
(20 tries each), an error raised by the database in the middle of a transaction (a trigger),
write errors from the disk (SQLite: tests/fault/fail_write.c preloaded), a full disk (SQLite
on a small tmpfs, as root) and the server killed mid-transaction (PostgreSQL). After each:
the database passes its integrity check, the runs stored before are intact to the last
value, the interrupted run is incomplete or absent (an import: absent), every case stored
has all its samples, and the command said what happened (exit 1 and the first cause).
Each test prints how its tries ended."""
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import time

import xbtest
from xbtest import run

CASES = "^native/save/(xsave|xsavec)/(fp|avx)/(init|inuse)$"
REPETITIONS = 3
TRIES = 20
PG = xbtest.BACKEND == "postgresql"


def gbench_file(path, cases, reps=5, prefix="native/fault/op"):
    rng = random.Random(cases)
    benchmarks = [{"name": f"{prefix}/c{k:04d}/manual_time", "run_name": f"{prefix}/c{k:04d}/manual_time",
                   "run_type": "iteration", "repetitions": reps, "repetition_index": i, "threads": 1,
                   "iterations": 1000, "real_time": 50.0, "cpu_time": 50.0, "time_unit": "ns",
                   "ticks_per_op": 100 + rng.random(), "core_cycles_per_op": 150 + rng.random()}
                  for k in range(cases) for i in range(reps)]
    with open(path, "w") as f:
        json.dump({"context": {"host_name": "fault-host", "date": "2026-01-01T00:00:00+00:00"},
                   "benchmarks": benchmarks}, f)


class Faults(xbtest.TempDirTest):
    def setUp(self):
        super().setUp()
        self.db = xbtest.new_db(self.tmp)
        self.small = os.path.join(self.tmp, "small.json")
        self.big = os.path.join(self.tmp, "big.json")
        gbench_file(self.small, 5, reps=4, prefix="native/earlier/op")
        gbench_file(self.big, 400 if PG else 1500)

    def q(self, sql):
        return xbtest.query(self.db, sql)

    def xb(self, *args, **kw):
        return run(*args, "--db", self.db, **kw)

    # what every fault must leave

    def earlier(self):
        """Two runs stored before the fault: an import and a measured run."""
        r = self.xb("import", "--label", "earlier", self.small)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.xb("run", "--label", "earlier-run", "--filter", CASES, "--repetitions", "2", "--min-time", "0.002")
        self.assertEqual(r.returncode, 0, r.stderr)
        return self.snapshot()

    TABLES = (("runs", "id"), ("results", "run_id, case_id"), ("result_attributes", "run_id, case_id, name"),
              ("samples", "run_id, case_id, repetition"), ("sample_metrics", "run_id, case_id, repetition, name"),
              ("cases", "id"), ("machines", "id"))

    def snapshot(self, below=None):
        """Every row of the runs up to @below (all runs), and of cases and machines: as rows on
        SQLite, as one md5 per table on PostgreSQL (one query: psql is slow to start)."""
        def where(table):
            if not below or table in ("cases", "machines"):
                return ""
            return f"WHERE {'id' if table == 'runs' else 'run_id'} <= {below}"
        if PG:
            parts = [f"(SELECT md5(coalesce(string_agg(t::text, ';' ORDER BY {order}), '')) FROM {table} t"
                     f" {where(table)})" for table, order in self.TABLES]
            values = self.q("SELECT " + ", ".join(parts) + ", (SELECT max(id) FROM runs)")[0]
            rows = {table: values[i] for i, (table, _) in enumerate(self.TABLES)}
            rows["max_run"] = values[-1]
            return rows
        rows = {table: self.q(f"SELECT * FROM {table} {where(table)} ORDER BY {order}") for table, order in self.TABLES}
        rows["max_run"] = self.q("SELECT max(id) FROM runs")[0][0]
        return rows

    def assert_intact(self, before, what):
        """Integrity, the earlier runs to the last value, and the runs after them: each
        incomplete (killed) or complete, every stored case whole."""
        if PG:
            checked = self.q("CREATE EXTENSION IF NOT EXISTS amcheck; "
                             "SELECT count(bt_index_check(c.oid)) FROM pg_index i JOIN pg_class c ON c.oid ="
                             " i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname ="
                             " current_schema()")
            self.assertGreater(checked[0][0], 5, what)
        else:
            self.assertEqual(self.q("PRAGMA integrity_check"), [("ok",)], what)
            self.assertEqual(self.q("PRAGMA foreign_key_check"), [], what)
        now = self.snapshot(below=before["max_run"])
        for table in ("runs", "results", "result_attributes", "samples", "sample_metrics"):
            self.assertEqual(now[table], before[table], f"{what}: earlier rows of {table} changed")
        if not PG:  # cases and machines may only grow (on PostgreSQL: the digests of all runs cover them)
            self.assertEqual(now["cases"][:len(before["cases"])], before["cases"], what)
            self.assertEqual(now["machines"][:len(before["machines"])], before["machines"], what)
        # every ok case of every later run has all its samples
        uneven = self.q("SELECT r.run_id, r.case_id, count(s.repetition) FROM results r LEFT JOIN samples s ON"
                        " s.run_id = r.run_id AND s.case_id = r.case_id WHERE r.status = 'ok' AND r.run_id > "
                        f"{before['max_run']} GROUP BY r.run_id, r.case_id HAVING count(s.repetition) NOT IN"
                        f" ({REPETITIONS}, 5)")
        self.assertEqual(uneven, [], f"{what}: a stored case lacks samples")

    def later_runs(self, before):
        return self.q(f"SELECT id, complete, source FROM runs WHERE id > {before['max_run']} ORDER BY id")

    def timed(self, args):
        t = time.time()
        r = self.xb(*args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return time.time() - t

    def writer_inside(self):
        """Whether a writer holds a write transaction on the database now."""
        if PG:
            return bool(self.q("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND"
                               " pid <> pg_backend_pid() AND datname = current_database() AND xact_start IS NOT"
                               " NULL")[0][0])
        import sqlite3
        db = sqlite3.connect(self.db, timeout=0, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as e:
            return "locked" in str(e)
        finally:
            db.close()

    def kill_at_random(self, args, duration, before, rng, kill=None):
        """Starts xstate-bench with @args, kills it after a random part of @duration (with
        @kill(p) when given); returns how the try ended."""
        p = subprocess.Popen([xbtest.BINARY, *args, "--db", self.db], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0, duration))
        finished = p.poll() is not None
        if not finished:
            (kill or (lambda q: q.kill()))(p)
        out, err = p.communicate(timeout=300)
        return finished, p.returncode, out, err

    # SIGKILL at random moments

    def test_sigkill_run_at_random_moments(self):
        before = self.earlier()
        rng = random.Random(13)
        args = ["run", "--filter", CASES, "--rounds", "1", "--repetitions", str(REPETITIONS), "--min-time", "0.002", "--label", "k"]
        duration = self.timed(args)
        before = self.snapshot()
        outcomes = {"absent": 0, "incomplete": 0, "complete": 0}
        for i in range(TRIES):
            finished, rc, out, err = self.kill_at_random(args, duration, before, rng)
            runs = self.later_runs(before)
            self.assertLessEqual(len(runs), 1)
            if not runs:
                outcomes["absent"] += 1
            elif runs[0][1]:
                self.assertTrue(finished and rc == 0, f"try {i}: a killed run is marked complete")
                outcomes["complete"] += 1
            else:
                self.assertFalse(finished and rc == 0, f"try {i}: a finished run is incomplete")
                outcomes["incomplete"] += 1
            self.assert_intact(before, f"try {i}")
            if runs:
                r = self.xb("compare", "earlier-run", str(runs[0][0]))
                # a complete run may still be inconclusive on a busy machine (disturbed); an incomplete one must be
                self.assertIn(r.returncode, (0, 1, 3) if runs[0][1] else (3,), f"try {i}: {r.stdout}{r.stderr}")
            before = self.snapshot()
        print(f"run killed at random ({TRIES} tries, {xbtest.BACKEND}): {outcomes}")
        self.assertGreater(outcomes["incomplete"], 0, "no try killed a run in the middle")

    def test_sigkill_import_at_random_moments(self):
        before = self.earlier()
        rng = random.Random(31)
        args = ["import", "--label", "k", self.big]
        duration = self.timed(args)
        before = self.snapshot()
        outcomes = {"absent": 0, "absent, seen inside its transaction at the kill": 0, "complete": 0}

        def kill_inside(p):
            """odd tries: at a random moment after the import began its transaction"""
            while p.poll() is None and not self.writer_inside():
                time.sleep(0.002)
            time.sleep(rng.uniform(0, duration / 2))
            kill_now(p)

        def kill_now(p):
            inside.append(self.writer_inside())
            p.kill()

        for i in range(TRIES):
            inside = []
            finished, rc, out, err = self.kill_at_random(args, duration * 1.1 if i % 2 == 0 else 0, before, rng,
                                                         kill=kill_now if i % 2 == 0 else kill_inside)
            runs = self.later_runs(before)
            if runs:
                self.assertEqual(runs, [(runs[0][0], 1, "import:big.json")], f"try {i}: a partial import")
                self.assertIn(rc, (0, -9), f"try {i}: {err}")  # -9: killed after its commit
                outcomes["complete"] += 1
            else:
                self.assertFalse(finished and rc == 0, f"try {i}: an import said it succeeded but left nothing")
                outcomes["absent"] += 1
                outcomes["absent, seen inside its transaction at the kill"] += bool(inside and inside[0])
            self.assert_intact(before, f"try {i}")
            before = self.snapshot()
        print(f"import killed at random ({TRIES} tries, {xbtest.BACKEND}): {outcomes}")
        self.assertGreater(outcomes["absent, seen inside its transaction at the kill"], 0,
                           "no try killed an import inside its transaction")

    # the database fails a write in the middle of a transaction

    def inject_trigger(self, repetition):
        if PG:
            self.q("CREATE FUNCTION xb_fault() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected write "
                   "error'; END $$ LANGUAGE plpgsql")
            self.q(f"CREATE TRIGGER xb_fault BEFORE INSERT ON samples FOR EACH ROW WHEN (NEW.repetition = "
                   f"{repetition}) EXECUTE FUNCTION xb_fault()")
        else:
            self.q(f"CREATE TRIGGER xb_fault BEFORE INSERT ON samples WHEN NEW.repetition = {repetition}"
                   " BEGIN SELECT RAISE(ABORT, 'injected write error'); END")

    def remove_trigger(self):
        self.q("DROP TRIGGER xb_fault ON samples" if PG else "DROP TRIGGER xb_fault")

    def test_error_mid_transaction(self):
        before = self.earlier()
        self.inject_trigger(REPETITIONS - 1)  # the last sample of the first case: its rows are half written
        r = self.xb("import", "--label", "x", self.big)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("injected write error", r.stderr)
        self.assertNotIn("ROLLBACK", r.stderr)
        self.assertEqual(self.later_runs(before), [])
        r = self.xb("run", "--filter", CASES, "--rounds", "1", "--repetitions", str(REPETITIONS), "--min-time", "0.002")
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("injected write error", r.stderr)
        self.assertIn("(incomplete)", r.stdout)
        self.assertIn("not measured: the database failed to store a case", r.stdout)
        runs = self.later_runs(before)
        self.assertEqual([(c, s) for _, c, s in runs], [(0, "run")])
        self.assertEqual(self.q(f"SELECT count(*) FROM results WHERE run_id = {runs[0][0]} AND status = 'ok'"), [(0,)])
        self.remove_trigger()
        self.assert_intact(before, "error mid-transaction")

    def test_write_errors_from_the_disk(self):
        if PG:
            self.skipTest("the server does the writing: test_error_mid_transaction and the server kills cover it")
        lib = os.environ.get("XB_FAIL_WRITE_LIB")
        if not lib:
            self.skipTest("XB_FAIL_WRITE_LIB not set (ctest sets it)")
        before = self.earlier()
        name = os.path.basename(self.db)
        outcomes = []
        for after in (0, 1, 3, 8, 20, 50):
            for args in (["import", self.big],
                         ["run", "--filter", CASES, "--rounds", "1", "--repetitions", str(REPETITIONS), "--min-time", "0.002"]):
                r = self.xb(*args, env={"LD_PRELOAD": lib, "XB_FAIL_WRITE_PATH": name, "XB_FAIL_WRITE_AFTER": str(after)})
                what = f"{args[0]} failing after {after} writes"
                if "fail_write: injecting" not in r.stderr:
                    self.assertEqual(r.returncode, 0, f"{what}: {r.stderr}")
                    outcomes.append((what, "finished before the fault"))
                else:
                    self.assertEqual(r.returncode, 1, f"{what}: {r.stdout}")
                    self.assertIn("disk I/O error", r.stderr, what)
                    self.assertNotIn("ROLLBACK", r.stderr, what)
                    runs = self.later_runs(before)
                    self.assertTrue(all(c == 0 and s == "run" for _, c, s in runs), f"{what}: {runs}")
                    outcomes.append((what, f"exit 1, {len(runs)} incomplete run(s)"))
                self.assert_intact(before, what)
                before = self.snapshot()
        print("write errors:", outcomes)

    def test_disk_full(self):
        if PG:
            self.skipTest("SQLite on a small tmpfs; the server's own disk is the server's to watch")
        if os.geteuid() != 0:
            self.skipTest("needs root to mount a tmpfs")
        mnt = os.path.join(self.tmp, "small")
        os.mkdir(mnt)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt], capture_output=True, text=True)
        if r.returncode:
            self.skipTest(f"cannot mount a tmpfs here: {r.stderr.strip()}")
        try:
            self.db = os.path.join(mnt, "full.db")
            before = self.earlier()
            # fill what is left but the given margin, then import and run into it
            for margin in (1 << 20, 256 << 10, 64 << 10, 16 << 10, 0):
                filler = os.path.join(mnt, f"filler-{margin}")
                st = os.statvfs(mnt)
                free = st.f_bavail * st.f_frsize
                if free > margin:
                    with open(filler, "wb") as f:
                        f.write(b"\0" * (free - margin))
                for args in (["import", self.big],
                             ["run", "--filter", CASES, "--rounds", "1", "--repetitions", str(REPETITIONS), "--min-time", "0.002"]):
                    r = self.xb(*args)
                    what = f"{args[0]} with {margin} bytes free"
                    runs = self.later_runs(before)
                    if r.returncode == 0:
                        self.assertTrue(all(c == 1 for _, c, _ in runs), what)
                    else:
                        self.assertEqual(r.returncode, 1, f"{what}: {r.stdout}")
                        self.assertIn("database or disk is full", r.stderr, what)
                        self.assertNotIn("ROLLBACK", r.stderr, what)
                        self.assertTrue(all(c == 0 and s == "run" for _, c, s in runs), f"{what}: {runs}")
                        if runs:
                            self.assertIn("(incomplete)", r.stdout, what)
                    self.assert_intact(before, what)
                    before = self.snapshot()
            self.assertIn("database or disk is full", r.stderr, "the disk never filled")
        finally:
            subprocess.run(["umount", "-l", mnt])

    # the server killed in the middle of a transaction

    def clients(self, in_transaction=False):
        return [int(pid) for (pid,) in self.q(
            "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
            " AND datname = current_database()" + (" AND xact_start IS NOT NULL" if in_transaction else ""))]

    def kill_server(self, p, rng, duration, in_transaction):
        """Once xstate-bench is connected (@in_transaction: inside a transaction), after a random
        part of @duration, SIGKILL to every client backend of the test database: the postmaster
        then restarts the whole server, as after a crash (every connection ends, the WAL is
        replayed)."""
        while p.poll() is None and not self.clients(in_transaction):
            time.sleep(0.005)
        time.sleep(rng.uniform(0, duration / (10 if in_transaction else 2)))  # an import's transaction is short
        for pid in self.clients():
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass

    def wait_for_server(self):
        deadline = time.time() + 60
        while True:
            try:
                self.q("SELECT 1")
                return
            except subprocess.CalledProcessError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)

    def test_server_killed_mid_transaction(self):
        if not PG:
            self.skipTest("PostgreSQL only")
        before = self.earlier()
        rng = random.Random(77)
        said = re.compile(r"server closed the connection|terminating connection|connection to server|"
                          r"no connection to the server|could not receive data|the database system is")
        for what, args in (("import", ["import", "--label", "k", self.big]),
                           ("run", ["run", "--filter", CASES, "--rounds", "1", "--repetitions", str(REPETITIONS),
                                    "--min-time", "0.002", "--label", "k"])):
            duration = self.timed(args)
            before = self.snapshot()
            outcomes = {"killed": 0, "finished first": 0}
            for i in range(TRIES):
                finished, rc, out, err = self.kill_at_random(
                    args, 0, before, rng, kill=lambda p: self.kill_server(p, rng, duration, what == "import"))
                self.wait_for_server()
                runs = self.later_runs(before)
                if rc == 0:
                    self.assertEqual([c for _, c, _ in runs], [1], f"{what} try {i}")
                    outcomes["finished first"] += 1
                else:
                    self.assertEqual(rc, 1, f"{what} try {i}: {out}{err}")
                    self.assertRegex(err, said, f"{what} try {i}")
                    if "whether the server stored the transaction is unknown" in err:
                        outcomes["killed during its commit"] = outcomes.get("killed during its commit", 0) + 1
                    else:
                        self.assertTrue(all(c == 0 and s == "run" for _, c, s in runs), f"{what} try {i}: {runs}")
                        outcomes["killed"] += 1
                self.assert_intact(before, f"{what} try {i}")
                before = self.snapshot()
            print(f"server killed during {what} ({TRIES} tries): {outcomes}")
            self.assertGreater(outcomes["killed"], 0)


if __name__ == "__main__":
    xbtest.main()
