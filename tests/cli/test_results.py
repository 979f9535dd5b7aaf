"""test_results.py - the results commands on the backend under test (SQLite, or PostgreSQL
when run under tests/with_postgres.py: the same tests, registered twice in ctest): import of
Google Benchmark JSON (libbenchmark's own inputs and our run --json), export read back by
compare.py, baselines (pooled, functional-only results left out), compare's verdicts, exit
codes, formats and --metric, history, a run killed with SIGKILL, and eight writers at once."""
import csv
import io
import json
import os
import random
import re
import signal
import subprocess
import time
import xml.etree.ElementTree as ET

import xbtest
from xbtest import run

GBENCH_INPUTS = "/usr/share/benchmark/gbench/Inputs"
COMPARE_PY = "/usr/share/benchmark/compare.py"
DEBIAN_PYTHON = "/usr/bin/python3"  # python3-scipy, which compare.py needs, is installed for it
QUICK_CASES = "^native/(save/xsave/(fp|avx)/(init|inuse)|restore/xrstor/avx/inuse)$"
KILL_CASES = "^native/save/(xsave|xsavec)/(fp|avx)/(init|inuse)$"


def gbench_json(path, cases, host="synthetic-host", aggregates=True):
    """Writes Google Benchmark JSON: @cases maps a case id to one dict of counters per repetition."""
    benchmarks = []
    for family, (name, reps) in enumerate(cases.items()):
        for i, counters in enumerate(reps):
            b = {"name": name + "/manual_time", "family_index": family, "per_family_instance_index": 0,
                 "run_name": name + "/manual_time", "run_type": "iteration", "repetitions": len(reps),
                 "repetition_index": i, "threads": 1, "iterations": 1000, "real_time": 50.0,
                 "cpu_time": 50.0, "time_unit": "ns"}
            b.update(counters)
            benchmarks.append(b)
        if aggregates:
            benchmarks.append({"name": name + "/manual_time_mean", "run_name": name + "/manual_time",
                               "run_type": "aggregate", "aggregate_name": "mean", "real_time": 1.0,
                               "cpu_time": 1.0, "time_unit": "ns", "iterations": len(reps)})
    with open(path, "w") as f:
        json.dump({"context": {"date": "2026-01-01T00:00:00+00:00", "host_name": host,
                               "executable": "synthetic", "num_cpus": 2, "mhz_per_cpu": 2100},
                   "benchmarks": benchmarks}, f)


def samples(rng, ticks, cycles_per_tick=1.6, n=10, noise=0.01):
    out = []
    for _ in range(n):
        t = ticks * (1 + noise * rng.gauss(0, 1))
        out.append({"ticks_per_op": t, "ns_per_op": t / 2.1, "core_cycles_per_op": t * cycles_per_tick})
    return out


class Results(xbtest.TempDirTest):
    def setUp(self):
        super().setUp()
        self.db = xbtest.new_db(self.tmp)

    def xb(self, *args, **kw):
        return run(*args, "--db", self.db, **kw)

    def q(self, sql):
        return xbtest.query(self.db, sql)

    def imported(self, path, label=None):
        r = self.xb("import", path, *(["--label", label] if label else []))
        self.assertEqual(r.returncode, 0, r.stderr)
        return int(re.search(r"run (\d+)", r.stdout).group(1))

    def synthetic_pair(self):
        """BASE and NEW: c00 +10% on both metrics, c01 -10%, c02 +10% in ticks only (the core
        clock fell), 17 unchanged, c20 only in BASE and c21 only in NEW. Saves: instruction loops,
        judged on their own spread (a kernel path would be assumed to move 5% between runs)."""
        rng = random.Random(7)
        base = {f"native/save/op/c{k:02d}/inuse": samples(rng, 1000 + 10 * k) for k in range(21)}
        new = {f"native/save/op/c{k:02d}/inuse": samples(rng, 1000 + 10 * k) for k in range(20)}
        new["native/save/op/c00/inuse"] = samples(rng, 1100)
        new["native/save/op/c01/inuse"] = samples(rng, 1010 * 0.9)
        new["native/save/op/c02/inuse"] = samples(rng, 1020 * 1.1, cycles_per_tick=1.6 / 1.1)
        new["native/save/op/c21/inuse"] = samples(rng, 500)
        gbench_json(os.path.join(self.tmp, "base.json"), base)
        gbench_json(os.path.join(self.tmp, "new.json"), new)
        return self.imported(os.path.join(self.tmp, "base.json"), "base"), \
            self.imported(os.path.join(self.tmp, "new.json"), "new")

    def compare_json(self, *args):
        r = self.xb("compare", "--format", "json", *args)
        self.assertIn(r.returncode, (0, 1, 3), r.stderr)
        return r.returncode, {c["id"]: c for c in json.loads(r.stdout)["cases"]}

    # import and export

    def test_import_libbenchmark_inputs(self):
        for name in sorted(os.listdir(GBENCH_INPUTS)):
            with open(os.path.join(GBENCH_INPUTS, name)) as f:
                j = json.load(f)
            entries = [b for b in j["benchmarks"]
                       if b.get("run_type", "iteration") != "aggregate" and "aggregate_name" not in b]
            if not entries:  # aggregates only: nothing measured to import
                r = self.xb("import", os.path.join(GBENCH_INPUTS, name))
                self.assertEqual(r.returncode, 1, name)
                self.assertIn("no benchmark results in the file", r.stderr)
                continue
            run_id = self.imported(os.path.join(GBENCH_INPUTS, name), name)
            (n,), = self.q(f"SELECT count(*) FROM samples WHERE run_id = {run_id}")
            (errors,), = self.q(f"SELECT count(*) FROM results WHERE run_id = {run_id} AND status = 'error'")
            failed = sum(1 for b in entries if b.get("error_occurred") or "real_time" not in b)
            self.assertEqual(n + failed, len(entries), name)
            self.assertEqual(errors > 0, failed > 0, name)
            (complete, source), = self.q(f"SELECT complete, source FROM runs WHERE id = {run_id}")
            self.assertEqual((complete, source), (1, "import:" + name))
        # real_time in the file's time_unit, stored in ns: in test1_run1 BM_NotBadTimeUnit is 0.4 s
        for case, ns in [("BM_SameTimes", 10), ("BM_NotBadTimeUnit", 0.4e9)]:
            (value, unit), = self.q("SELECT s.ticks_per_op, c.unit FROM samples s JOIN cases c ON c.id = s.case_id"
                                    f" JOIN runs r ON r.id = s.run_id WHERE c.name = '{case}'"
                                    " AND r.label = 'test1_run1.json'")
            self.assertEqual((value, unit), (ns, "ns"))

    def test_import_rejects_bad_files(self):
        bad = os.path.join(self.tmp, "bad.json")
        with open(bad, "w") as f:
            f.write('{"benchmarks": [')
        r = self.xb("import", bad)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not JSON", r.stderr)
        with open(bad, "w") as f:
            json.dump({"context": {}}, f)
        self.assertIn("no \"benchmarks\" list", self.xb("import", bad).stderr)
        self.assertIn("none.json", self.xb("import", os.path.join(self.tmp, "none.json")).stderr)
        self.assertEqual(self.q("SELECT count(*) FROM runs"), [(0,)])

    def test_import_non_numbers(self):
        """Google Benchmark writes NaN and inf counters, which are not JSON: they are read as
        absent; the same words inside strings stay as they are."""
        path = os.path.join(self.tmp, "nan.json")
        with open(path, "w") as f:
            f.write('{"benchmarks": [{"name": "BM_NaN/inf \\"-Infinity\\"", "run_type": "iteration",'
                    ' "iterations": 10, "real_time": 2.5, "cpu_time": 2.5, "time_unit": "us",'
                    ' "ticks_per_op": 7.5, "a": NaN, "b": -nan, "c": inf, "d": -Infinity, "e": 1.5}]}')
        run_id = self.imported(path)
        self.assertEqual(self.q("SELECT name FROM cases"), [('BM_NaN/inf "-Infinity"',)])
        self.assertEqual(self.q(f"SELECT ticks_per_op, ns_per_op FROM samples WHERE run_id = {run_id}"), [(7.5, 2500)])
        # cpu_time (2.5 us) is kept as the metric cpu_ns_per_op
        self.assertEqual(sorted(self.q("SELECT name, value FROM sample_metrics")), [("cpu_ns_per_op", 2500), ("e", 1.5)])

    def test_run_json_round_trip_and_compare_py(self):
        js = os.path.join(self.tmp, "run.json")
        r = self.xb("run", "--quick", "--filter", QUICK_CASES, "--label", "measured", "--json", js)
        self.assertEqual(r.returncode, 0, r.stderr)
        imported = self.imported(js, "from-json")
        # the machine, the kernel and the disturbance come back with it: the same run
        place = "SELECT machine_id, kernel_release, kernel_cmdline, disturbed FROM runs WHERE label = '{}'"
        self.assertEqual(self.q(place.format("from-json")), self.q(place.format("measured")))
        self.assertEqual(self.q("SELECT count(*) FROM machines"), [(1,)])
        metrics = self.q(f"SELECT count(*) FROM sample_metrics WHERE run_id = {imported} AND name = 'core_cycles_per_op'")
        self.assertEqual(metrics, self.q(f"SELECT count(*) FROM samples WHERE run_id = {imported}"))
        # the same samples: compare finds nothing changed and cannot call anything a regression;
        # a run measured while something else held its PU is disturbed on both sides alike
        code, cases = self.compare_json("measured", "from-json")
        disturbed = self.q("SELECT disturbed FROM runs WHERE label = 'measured'")[0][0]
        self.assertEqual(code, 3 if disturbed else 0, disturbed)
        for c in cases.values():
            self.assertAlmostEqual(c["ratio"], 1.0, places=12)
            self.assertIn(c["verdict"], ("unchanged", "noisy", "disturbed"))
        # export, import the export: the values come back exactly
        exported = os.path.join(self.tmp, "export.json")
        self.assertEqual(self.xb("export", "from-json", "--out", exported).returncode, 0)
        again = self.imported(exported, "again")
        key = "SELECT c.name, s.repetition, s.ticks_per_op, s.ns_per_op FROM samples s JOIN cases c ON c.id = s.case_id" \
              " WHERE s.run_id = {} ORDER BY 1, 2"
        self.assertEqual(self.q(key.format(imported)), self.q(key.format(again)))
        # compare.py from libbenchmark-tools reads two exports and runs its U test
        other = os.path.join(self.tmp, "export2.json")
        self.assertEqual(self.xb("export", "measured", "--out", other).returncode, 0)
        r = subprocess.run([DEBIAN_PYTHON, COMPARE_PY, "--no-color", "benchmarks", exported, other],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("native/save/xsave/avx/inuse_pvalue", r.stdout)
        self.assertIn("U Test, Repetitions: 6 vs 6", r.stdout)
        # CSV: Google Benchmark's columns, one row per sample
        r = self.xb("export", "measured", "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(r.stdout)))
        self.assertEqual(len(rows), self.q("SELECT count(*) FROM samples WHERE run_id = 1")[0][0])
        self.assertEqual(list(rows[0])[:5], ["name", "iterations", "real_time", "cpu_time", "time_unit"])
        self.assertIn("core_cycles_per_op", rows[0])

    # compare

    def test_compare_verdicts_and_exit(self):
        self.synthetic_pair()
        code, cases = self.compare_json("--metric", "ticks_per_op", "base", "new")
        self.assertEqual(code, 1)
        verdict = {k.split("/")[3]: c["verdict"] for k, c in cases.items()}
        self.assertEqual(verdict["c00"], "regression")
        self.assertEqual(verdict["c01"], "improvement")
        self.assertEqual(verdict["c02"], "regression")
        self.assertEqual(verdict["c20"], "missing")
        self.assertEqual(verdict["c21"], "new")
        for k in range(3, 20):
            self.assertIn(verdict[f"c{k:02d}"], ("unchanged", "noisy"))
        c = cases["native/save/op/c00/inuse"]
        for key in ("id", "verdict", "ratio", "ci_low", "ci_high", "p", "p_adjusted", "detectable", "se_log"):
            self.assertIn(key, c)
        self.assertTrue(c["ci_low"] < c["ratio"] < c["ci_high"])
        self.assertTrue(1.07 < c["ratio"] < 1.13)
        self.assertGreaterEqual(c["p_adjusted"], c["p"])
        # every tested case says what it could detect: unchanged only where that is under 2%
        for k, v in cases.items():
            if v["verdict"] == "unchanged":
                self.assertLessEqual(v["detectable"], 0.02, k)
            elif v["verdict"] == "noisy":
                self.assertGreater(v["detectable"], 0.02, k)
        # by default estimated core cycles: c02's ticks grew only because the core clock fell
        code, cycles = self.compare_json("base", "new")
        self.assertIn(cycles["native/save/op/c02/inuse"]["verdict"], ("unchanged", "noisy"))
        self.assertEqual(cycles["native/save/op/c00/inuse"]["verdict"], "regression")
        # $XSTATE_BENCH_DB names the database when --db does not
        self.assertEqual(run("compare", "base", "new", env={"XSTATE_BENCH_DB": self.db}).returncode, 1)
        # a bigger threshold: nothing is a regression any more
        self.assertEqual(self.xb("compare", "--threshold", "20", "base", "new").returncode, 0)
        # no regression the other way round? c01 becomes the regression
        code, back = self.compare_json("new", "base")
        self.assertEqual(back["native/save/op/c01/inuse"]["verdict"], "regression")

    def test_compare_formats(self):
        self.synthetic_pair()
        text = self.xb("compare", "--metric", "ticks_per_op", "base", "new")
        self.assertEqual(text.returncode, 1)
        for line in text.stdout.splitlines():
            self.assertLessEqual(len(line), 80, line)
        self.assertIn("2 regression, 1 improvement", text.stdout)
        self.assertRegex(text.stdout, r"machine-wide shift: [-+]\d+\.\d\d% \[[-+]\d+\.\d\d, [-+]\d+\.\d\d\] over 20 cases")
        md = self.xb("compare", "--format", "markdown", "--metric", "ticks_per_op", "base", "new").stdout
        self.assertIn("| case | unit | base | run 2 (new) |", md)
        self.assertIn("**regression**", md)
        junit = ET.fromstring(self.xb("compare", "--format", "junit", "--metric", "ticks_per_op", "base",
                                      "new").stdout)
        suite = junit.find("testsuite")
        self.assertEqual(suite.get("failures"), "2")
        self.assertEqual(len(suite.findall("testcase")), 22)
        self.assertEqual(len(suite.findall("testcase/failure")), 2)
        # several series: one column each, in every format
        multi = self.xb("compare", "--metric", "ticks_per_op", "base", "new", "base", "--format", "json")
        self.assertEqual(multi.returncode, 1)
        j = json.loads(multi.stdout)
        self.assertEqual([s["name"] for s in j["new"]], ["run 2 (new)", "run 1 (base)"])
        # c21 is new in NEW 1 and no case at all of NEW 2 (BASE again)
        self.assertEqual(len(j["cases"]), 2 * 22 - 1)
        self.assertEqual([s["counts"]["new"] for s in j["new"]], [1, 0])
        text = self.xb("compare", "--metric", "ticks_per_op", "base", "new", "base").stdout
        self.assertIn("new 2: run 1 (base)", text)
        self.assertRegex(text, r"1:\s*\+\d+\.\d% regression\s+2:\s*\+0\.0% (unchanged|noisy)")
        for line in text.splitlines():
            self.assertLessEqual(len(line), 80, line)
            self.assertEqual(line, line.rstrip(), "no trailing blanks in a mail")

    def test_compare_errors(self):
        self.synthetic_pair()
        for args, fragment in [(["base", "nothing"], "nothing: no run id, baseline name or run label"),
                               (["base", "run:99"], "no run 99"),
                               (["--metric", "no_such_metric", "base", "new"], "no samples of metric no_such_metric")]:
            r = self.xb("compare", *args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(fragment, r.stderr)
        self.assertEqual(self.xb("compare", "base").returncode, 2)
        self.assertIn("usage:", self.xb("compare", "--format", "xml", "base", "new").stderr)
        if xbtest.BACKEND == "sqlite":
            missing = os.path.join(self.tmp, "missing.db")
            r = run("compare", "--db", missing, "1", "2")
            self.assertEqual(r.returncode, 2)
            self.assertIn(missing, r.stderr)
            self.assertFalse(os.path.exists(missing), "a reader must not create the database")

    # baselines

    def test_baselines(self):
        base, new = self.synthetic_pair()
        rng = random.Random(11)
        gbench_json(os.path.join(self.tmp, "base2.json"),
                    {f"native/save/op/c{k:02d}/inuse": samples(rng, 1000 + 10 * k) for k in range(21)})
        second = self.imported(os.path.join(self.tmp, "base2.json"), "base2")
        r = self.xb("baseline", "set", "nightly", "base", str(second))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("baseline nightly: 42 results from 2 runs", r.stdout)
        listing = self.xb("baseline", "list").stdout
        self.assertRegex(listing, r"nightly\s+\S+\s+2\s+42")
        show = self.xb("baseline", "show", "nightly").stdout
        self.assertRegex(show, r"native/save/op/c00/inuse\s+20\s")
        code, cases = self.compare_json("nightly", "new")
        self.assertEqual(code, 1)
        self.assertEqual(cases["native/save/op/c00/inuse"]["n_base"], 20)
        self.assertEqual((cases["native/save/op/c00/inuse"]["runs_base"], cases["native/save/op/c00/inuse"]["runs_new"]),
                         (2, 1))
        self.assertEqual(cases["native/save/op/c00/inuse"]["verdict"], "regression")
        # set again from one run: replaced
        self.assertEqual(self.xb("baseline", "set", "nightly", "base2").returncode, 0)
        self.assertRegex(self.xb("baseline", "list").stdout, r"nightly\s+\S+\s+1\s+21")
        for args, fragment in [(["set", "x", "run:99"], "no run 99"), (["show", "nothing"], "no baseline named nothing")]:
            r = self.xb("baseline", *args)
            self.assertEqual(r.returncode, 1, args)
            self.assertIn(fragment, r.stderr)
        self.assertEqual(self.xb("baseline", "frobnicate").returncode, 2)
        self.assertEqual(self.xb("baseline", "set", "onlyname").returncode, 2)

    def test_functional_only_results(self):
        base, new = self.synthetic_pair()
        # as the guest and lab sites mark results timed under TCG
        self.q(f"INSERT INTO result_attributes (run_id, case_id, name, value) SELECT {new}, case_id, "
               f"'functional_only', 'QEMU TCG: no hardware virtualization' FROM results WHERE run_id = {new} "
               f"AND case_id IN (SELECT id FROM cases WHERE name = 'native/save/op/c00/inuse')")
        code, cases = self.compare_json("--metric", "ticks_per_op", "base", "new")
        c00 = cases["native/save/op/c00/inuse"]
        self.assertEqual(c00["verdict"], "noisy")
        self.assertEqual(c00["functional_only"], "QEMU TCG: no hardware virtualization")
        self.assertIsNone(c00["p_adjusted"])
        self.assertEqual(code, 1)  # c02 still regressed
        self.assertIn("functional only, never a regression: QEMU TCG", self.xb("compare", "base", "new").stdout)
        r = self.xb("baseline", "set", "tcg", "new")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("excluded: run 2 native/save/op/c00/inuse is functional only (QEMU TCG", r.stdout)
        self.assertIn("20 results", r.stdout)
        self.assertEqual(self.q("SELECT count(*) FROM baseline_results b JOIN cases c ON c.id = b.case_id"
                                " WHERE c.name = 'native/save/op/c00/inuse'"), [(0,)])

    # history

    def test_history(self):
        rng = random.Random(3)
        for i, ticks in enumerate([1000, 1010, 1200]):
            gbench_json(os.path.join(self.tmp, f"h{i}.json"), {"native/save/op/h/inuse": samples(rng, ticks)})
            self.imported(os.path.join(self.tmp, f"h{i}.json"), f"h{i}")
        r = self.xb("history", "native/save/op/h/inuse", "--format", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        points = json.loads(r.stdout)["points"]
        self.assertEqual([p["label"] for p in points], ["h0", "h1", "h2"])
        self.assertTrue(990 < points[0]["median"] < 1010)
        self.assertTrue(1180 < points[2]["median"] < 1220)
        text = self.xb("history", "native/save/op/h/inuse", "--metric", "core_cycles_per_op").stdout
        self.assertRegex(text, r"h2\s+10\s+19\d\d\.\d\d")
        r = self.xb("history", "native/nothing")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no run measured native/nothing", r.stderr)

    # schema migrations

    def test_version_1_database_is_migrated(self):
        """data/schema-v1.sql: `sqlite3 .dump` of a database written by the first release (schema
        version 1, a quick run of three cases on the Zen 5 development machine)."""
        if xbtest.BACKEND != "sqlite":
            self.skipTest("version 1 databases were only ever SQLite")
        import sqlite3
        with open(os.path.join(os.path.dirname(__file__), "data", "schema-v1.sql")) as f, \
                sqlite3.connect(self.db) as db:
            db.executescript(f.read())
        r = self.xb("history", "native/save/xsave/fp/inuse", "--format", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        (point,) = json.loads(r.stdout)["points"]
        self.assertEqual((point["run"], point["label"], point["n"]), (1, "v1-run", 5))
        self.assertEqual(self.q("SELECT max(version) FROM schema_version"), [(4,)])
        self.assertEqual(self.q("SELECT name, last_id FROM id_sequences WHERE name IN ('runs', 'cases') ORDER BY name"),
                         [("cases", 3), ("runs", 1)])
        # new rows continue after the old ones
        rng = random.Random(2)
        gbench_json(os.path.join(self.tmp, "after.json"), {"native/save/xsave/fp/inuse": samples(rng, 100),
                                                            "native/save/op/new/inuse": samples(rng, 100)})
        self.assertEqual(self.imported(os.path.join(self.tmp, "after.json"), "after"), 2)
        self.assertEqual(self.q("SELECT id FROM cases WHERE name = 'native/save/op/new/inuse'"), [(4,)])
        self.assertEqual(self.xb("baseline", "set", "old", "v1-run").returncode, 0)
        r = self.xb("compare", "old", "after")
        self.assertIn(r.returncode, (0, 1, 3), r.stderr)
        self.assertIn("native/save/xsave/fp/inuse", r.stdout)

    # nothing lost

    def test_sigkill_leaves_finished_cases(self):
        repetitions, rounds = 10, 3
        for attempt in range(3):
            db = xbtest.new_db(self.tmp)
            p = subprocess.Popen([xbtest.BINARY, "run", "--db", db, "--filter", KILL_CASES, "--label", "killed",
                                  "--repetitions", str(repetitions), "--min-time", "0.01"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.time() + 300
            stored = 0
            while p.poll() is None and time.time() < deadline:
                try:
                    stored = xbtest.query(db, "SELECT count(*) FROM samples")[0][0]
                except Exception:
                    stored = 0  # the database is still being created
                if stored:
                    break
                time.sleep(0.02)
            finished = p.poll() is not None
            p.send_signal(signal.SIGKILL)
            p.wait()
            if not finished:
                break
            repetitions *= 3  # the run ended before we saw a case: make it longer
        self.assertFalse(finished, "run always finished before a case was seen stored")
        self.db = db
        self.assertEqual(self.q("SELECT complete, finished_at FROM runs"), [(0, None)])
        per_case = self.q("SELECT r.case_id, count(s.repetition) FROM results r LEFT JOIN samples s ON"
                          " s.run_id = r.run_id AND s.case_id = r.case_id WHERE r.status = 'ok' GROUP BY r.case_id")
        self.assertGreaterEqual(len(per_case), 1)
        for case_id, n in per_case:
            self.assertEqual(n, rounds * repetitions, "a stored case has all its samples")
        r = self.xb("compare", "killed", "killed")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)  # inconclusive: never green with cases missing
        self.assertRegex(" ".join(r.stdout.split()), r"run 1 is incomplete \(it was killed, failed to store or is "
                                                     r"still running\): it lacks 0 of the \d+ cases")
        self.assertIn("(INCOMPLETE)", r.stdout)
        r = self.xb("baseline", "set", "b", "killed")
        self.assertEqual(r.returncode, 1)
        self.assertIn("run 1 is incomplete", r.stderr)

    def test_eight_writers_at_once(self):
        rng = random.Random(5)
        path = os.path.join(self.tmp, "w.json")
        gbench_json(path, {f"native/save/op/w{k:02d}/inuse": samples(rng, 100 + k, n=10) for k in range(40)})
        writers = [subprocess.Popen([xbtest.BINARY, "import", "--db", self.db, "--label", f"w{i}", path],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(8)]
        for w in writers:
            out, err = w.communicate(timeout=300)
            self.assertEqual(w.returncode, 0, err)
        self.assertEqual(self.q("SELECT count(*), sum(complete), count(DISTINCT id) FROM runs"), [(8, 8, 8)])
        self.assertEqual(self.q("SELECT count(*) FROM cases"), [(40,)])
        self.assertEqual(self.q("SELECT count(*) FROM machines"), [(1,)])
        self.assertEqual(self.q("SELECT count(*) FROM results"), [(8 * 40,)])
        self.assertEqual(self.q("SELECT count(*) FROM samples"), [(8 * 40 * 10,)])
        # core_cycles_per_op and cpu_time's cpu_ns_per_op
        self.assertEqual(self.q("SELECT count(*) FROM sample_metrics"), [(8 * 40 * 10 * 2,)])


if __name__ == "__main__":
    xbtest.main()
