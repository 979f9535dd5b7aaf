"""test_reliability.py - nothing lost, nothing silent (issue 13's findings, on SQLite): a --db
that names no file, arguments that would fail only after measuring (--json, --filter,
--counters, empty names) are usage errors before anything is stored; a failed import leaves
the database as it was; an import of a directory or of a count that is not one says so; a
database in a read-only place can be read; a database that fails its integrity check is not
written; compare of an incomplete run is inconclusive (exit 3)."""
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import tempfile

import xbtest
from xbtest import run

ONE_CASE = "^native/loop/empty/none$"


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def gbench_file(path, cases=3, reps=3, iterations=1000):
    benchmarks = [{"name": f"native/test/op/c{k}/manual_time", "run_name": f"native/test/op/c{k}/manual_time",
                   "run_type": "iteration", "repetitions": reps, "repetition_index": i, "threads": 1,
                   "iterations": iterations, "real_time": 50.0 + i, "cpu_time": 50.0, "time_unit": "ns",
                   "ticks_per_op": 100.0 + k + i}
                  for k in range(cases) for i in range(reps)]
    with open(path, "w") as f:
        json.dump({"context": {"host_name": "h", "date": "2026-01-01T00:00:00+00:00"}, "benchmarks": benchmarks}, f)


class Reliability(xbtest.TempDirTest):
    def setUp(self):
        super().setUp()
        self.db = os.path.join(self.tmp, "r.db")
        self.json = os.path.join(self.tmp, "g.json")
        gbench_file(self.json)

    def q(self, sql):
        with sqlite3.connect(self.db) as db:
            return db.execute(sql).fetchall()

    def import_ok(self, label=None):
        r = run("import", "--db", self.db, *(["--label", label] if label else []), self.json)
        self.assertEqual(r.returncode, 0, r.stderr)
        return int(re.search(r"run (\d+)", r.stdout).group(1))

    def assert_usage(self, r, *words):
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("usage:", r.stderr)
        for w in words:
            self.assertIn(w, r.stderr)

    # 1. a database that names no file would drop the results

    def test_db_that_names_no_file_is_refused(self):
        for url in ("", ":memory:"):
            self.assert_usage(run("run", "--db", url, "--quick", "--filter", ONE_CASE, cwd=self.tmp), "names no file")
            self.assert_usage(run("import", "--db", url, self.json, cwd=self.tmp), "names no file")
            self.assert_usage(run("compare", "--db", url, "1", "2", cwd=self.tmp), "names no file")
        self.assertEqual(os.listdir(self.tmp), ["g.json"])
        # from the environment too: the driver itself refuses an empty path
        for url in ("sqlite:",):
            r = run("import", self.json, env={"XSTATE_BENCH_DB": url})
            self.assertEqual(r.returncode, 1, r.stdout)
            self.assertIn("names no file", r.stderr)

    # 7. arguments that used to fail only after measuring, or stored nothing useful

    def test_run_arguments_checked_before_measuring(self):
        for args, words in ((["--json", "/nonexistent-dir/x.json"], ["--json", "No such file or directory"]),
                            (["--json", ""], ["--json: want a file name"]),
                            (["--filter", "^$"], ["selects no case"]),
                            (["--filter", "^$", "--json", "g2.json"], ["selects no case"]),
                            (["--counters", ""], ["--counters", "empty event name"]),
                            (["--counters", "bogus::event"], ["bogus::event", "libpfm4 does not know"]),
                            (["--counters", "perf::PERF_COUNT_SW_TASK_CLOCK,,cycles"], ["empty event name"]),
                            (["--label", ""], ["--label", "empty name"]),
                            # glibc's regcomp would take gigabytes for these (found by fuzz_cli)
                            (["--filter", "^na" + "+" * 60], ["right after another"]),
                            (["--filter", "^n*++++++icf"], ["right after another"]),
                            (["--filter", "((a{99}){99}){99}"], ["nested too deep"]),
                            (["--filter", "((((((n+)+)+)+)+)+)" * 2000], ["nested too deep"])):
            r = run("run", "--db", self.db, "--quick", *(["--filter", ONE_CASE] if "--filter" not in args else []),
                    *args)
            self.assert_usage(r, *words)
            self.assertNotIn("run id", r.stdout)
            self.assertFalse(os.path.exists(self.db), f"{args}: the database was created")
        self.assertEqual(os.listdir(self.tmp), ["g.json"])  # the --json check leaves no file behind

    def test_checks_hold_wherever_the_option_appears(self):
        """The checks are declared in the option tables: every command with --db refuses one that
        names no file, every output file is checked before anything is read or written."""
        names = run("help", "--completion").stdout
        commands = re.search(r'compgen -W "([^"]*)"', names).group(1).split()
        with_db = [c for c in commands if not c.startswith("-") and "--db" in run(c, "--help").stdout]
        self.assertEqual(sorted(with_db), ["baseline", "compare", "datasheet", "export", "history", "import", "nightly",
                                           "report", "review", "run"])
        operands = {"baseline": ["list"], "compare": ["1", "2"], "export": ["1"], "history": ["x"],
                    "import": [self.json], "nightly": ["--out", os.path.join(self.tmp, "night")],
                    "report": ["--out", self.tmp, "1"], "review": [self.json], "run": [],
                    "datasheet": ["--out", os.path.join(self.tmp, "datasheet")]}
        for c in with_db:
            self.assert_usage(run(c, "--db", ":memory:", *operands[c], cwd=self.tmp), f"xstate-bench {c}",
                              "--db: want", "names no file")
        missing = os.path.join(self.tmp, "no-such-dir", "f")
        for args in (["run", "--db", self.db, "--json", missing], ["probe", "--record", missing],
                     ["export", "--db", self.db, "--out", missing, "1"]):
            option = args[-2] if args[0] == "probe" else [a for a in args if a in ("--json", "--out")][0]
            self.assert_usage(run(*args), f"{option}: want a file it can write", "No such file or directory")
        self.assertEqual(sorted(os.listdir(self.tmp)), ["g.json"])

    def test_fuzz_dictionary_has_every_word(self):
        """fuzz_cli's dictionary holds every command, option and option value that the
        completion (written from the option tables) offers."""
        here = os.path.dirname(os.path.abspath(__file__))
        with open(os.path.join(here, "..", "fuzz", "fuzz_cli.dict")) as f:
            dictionary = set(re.findall(r'^"(.*)"$', f.read(), re.M))
        completion = run("help", "--completion").stdout
        words = {w for group in re.findall(r'compgen -W "([^"]*)"', completion) for w in group.split()}
        self.assertIn("--progress", words)
        self.assertEqual(sorted(words - dictionary), [])

    def test_empty_names_refused(self):
        rid = self.import_ok()
        before = digest(self.db)
        self.assert_usage(run("baseline", "--db", self.db, "set", "", str(rid)), "empty name")
        self.assert_usage(run("import", "--db", self.db, "--label", "", self.json), "empty name")
        self.assertEqual(digest(self.db), before)
        self.assertEqual(self.q("SELECT count(*) FROM baselines"), [(0,)])

    def test_import_errors_say_what(self):
        self.import_ok()
        before = digest(self.db)
        r = run("import", "--db", self.db, self.tmp)
        self.assertEqual(r.returncode, 1)
        self.assertIn("Is a directory", r.stderr)
        huge = os.path.join(self.tmp, "huge.json")
        with open(self.json) as f:
            text = f.read()
        with open(huge, "w") as f:
            f.write(text.replace('"iterations": 1000', '"iterations": 1e999', 1))
        r = run("import", "--db", self.db, huge)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not a count", r.stderr)
        self.assertEqual(digest(self.db), before)

    # 4. an import that fails leaves the database exactly as before

    def test_failed_import_leaves_database_as_before(self):
        self.import_ok()
        lib = os.environ.get("XB_FAIL_WRITE_LIB")
        if not lib:
            self.skipTest("XB_FAIL_WRITE_LIB not set (ctest sets it)")
        rows = self.q("SELECT * FROM runs ORDER BY id")
        ids = self.q("SELECT * FROM id_sequences ORDER BY name")
        for after in (0, 2, 10):
            r = run("import", "--db", self.db, self.json,
                    env={"LD_PRELOAD": lib, "XB_FAIL_WRITE_PATH": "r.db", "XB_FAIL_WRITE_AFTER": str(after)})
            self.assertEqual(r.returncode, 1, r.stdout)
            self.assertIn("fail_write: injecting", r.stderr)
            self.assertIn("disk I/O error", r.stderr)
            self.assertNotIn("ROLLBACK", r.stderr)
            self.assertEqual(self.q("PRAGMA integrity_check"), [("ok",)])
            self.assertEqual(self.q("SELECT * FROM runs ORDER BY id"), rows)
            self.assertEqual(self.q("SELECT * FROM id_sequences ORDER BY name"), ids)
            self.assertEqual(self.q("SELECT count(*) FROM samples"), [(9,)])

    # 7. read-only places and damaged databases

    def test_read_only_location_can_be_read(self):
        if os.geteuid() != 0:
            self.skipTest("needs root for a read-only bind mount")
        rid = self.import_ok(label="a")
        self.import_ok(label="b")
        mnt = os.path.join(self.tmp, "ro")
        os.mkdir(mnt)
        r = subprocess.run(["mount", "--bind", self.tmp, mnt], capture_output=True, text=True)
        if r.returncode:
            self.skipTest(f"mount --bind not permitted here: {r.stderr.strip()}")
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", mnt], check=True)
            ro_db = os.path.join(mnt, "r.db")
            r = run("compare", "--db", ro_db, "a", "b")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("native/test/op/c0", r.stdout)
            for args in (["export", str(rid)], ["history", "native/test/op/c1"], ["baseline", "list"]):
                r = run(*args, "--db", ro_db)
                self.assertEqual(r.returncode, 0, f"{args}: {r.stderr}")
            r = run("import", "--db", ro_db, self.json)
            self.assertEqual(r.returncode, 1)
            self.assertIn("cannot be written here: Read-only file system", r.stderr)
        finally:
            subprocess.run(["umount", mnt], check=True)

    def test_damaged_database_not_written(self):
        for k in range(3):
            self.import_ok(label=f"l{k}")
        # damage a page of the samples table's b-tree, past the header
        with sqlite3.connect(self.db) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            page = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'samples'").fetchone()[0]
            size = db.execute("PRAGMA page_size").fetchone()[0]
        with open(self.db, "r+b") as f:
            f.seek((page - 1) * size)
            f.write(b"\xff" * 64)
        before = digest(self.db)
        r = run("import", "--db", self.db, self.json)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("integrity check", r.stderr)
        self.assertEqual(digest(self.db), before)
        r = run("run", "--db", self.db, "--quick", "--filter", ONE_CASE)
        self.assertEqual(r.returncode, 1)
        self.assertIn("integrity check", r.stderr)
        self.assertNotIn("run id", r.stdout)
        self.assertEqual(digest(self.db), before)

    # 2. compare with an incomplete NEW run is inconclusive

    def test_compare_incomplete_run_inconclusive(self):
        gbench_file(self.json, cases=6)
        base = self.import_ok(label="base")
        new = self.import_ok(label="new")
        with sqlite3.connect(self.db) as db:  # as a run killed after storing 2 of its 6 cases
            db.execute("UPDATE runs SET complete = 0, finished_at = NULL WHERE id = ?", (new,))
            for table in ("sample_metrics", "samples", "result_attributes", "results"):
                db.execute(f"DELETE FROM {table} WHERE run_id = ? AND case_id IN"
                           " (SELECT id FROM cases WHERE name > 'native/test/op/c1')", (new,))
        for fmt in ("text", "json", "junit", "markdown"):
            r = run("compare", "--db", self.db, "--format", fmt, str(base), str(new))
            self.assertEqual(r.returncode, 3, f"{fmt}: {r.stdout}{r.stderr}")
            said = " ".join(r.stdout.split())
            self.assertIn(f"run {new} is incomplete", said, fmt)
            self.assertIn("it lacks 4 of the 6 cases", said, fmt)
        # BASE incomplete, and a complete comparison for contrast
        r = run("compare", "--db", self.db, str(new), str(base))
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn(f"run {new} is incomplete", " ".join(r.stdout.split()))
        r = run("compare", "--db", self.db, str(base), str(base))
        self.assertNotIn("is incomplete", r.stdout)


if __name__ == "__main__":
    xbtest.main()
