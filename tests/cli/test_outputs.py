"""test_outputs.py - every output read by the real clients that consume it: Debian's compare.py
(libbenchmark-tools) on run --json, export and a Google Benchmark program built here against
libbenchmark; xmllint with the Jenkins xunit JUnit schema (data/jenkins-junit-10.xsd); a KTAP
parser written from the kernel's ktap.rst (ktap_parser.py); Python's csv module. And the
comparisons they carry: a case that failed its checks in NEW fails everywhere, each NEW series
has only its own cases, runs on different machines are named. Two quick runs (the second with
--ops 32) are measured once; every planted change is made on a copy of their database, so no
assertion depends on a timing."""
import csv
import io
import json
import math
import os
import random
import shutil
import sqlite3
import subprocess
import tempfile
import xml.etree.ElementTree as ET

import ktap_parser
import xbtest
from test_results import gbench_json, samples
from xbtest import run

COMPARE_PY = "/usr/share/benchmark/compare.py"
DEBIAN_PYTHON = "/usr/bin/python3"  # with python3-scipy, which compare.py needs
SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "jenkins-junit-10.xsd")
CASES = "^native/(save/xsave/fp/(init|inuse)|restore/xrstor/fp/inuse|save/xsave/avx/inuse|loop/empty/none)$"
ROUNDS, REPETITIONS = "2", "5"  # 10 samples a case
# planted in a copy of run 2 (scenario())
REGRESSED, IMPROVED = "native/save/xsave/fp/inuse", "native/restore/xrstor/fp/inuse"
FAILED, SKIPPED = "native/save/xsave/fp/init", "native/save/xsave/avx/inuse"
LOOP = "native/loop/empty/none"  # the empty-loop control: no Google Benchmark JSON entry
FAILURE = "planted: XINUSE after XRSTOR was 0x2, want 0x3"
SKIP_REASON = "planted: no AVX on this CPU (CPUID.1:ECX[28]=0)"
FORMATS = ("text", "markdown", "json", "junit", "ktap")
# the evidence of what else ran (results/disturbance.h)
INTERFERENCE = ("wall_ms", "run_delay_ms", "steal_ms", "involuntary_switches")
# how JUnit and KTAP read each verdict
JUNIT = {"regression": "failure", "failed": "failure", "noisy": "skipped", "disturbed": "skipped",
         "missing": "skipped", "new": "skipped", "unchanged": None, "improvement": None}
KTAP = {"regression": "fail", "failed": "fail", "noisy": "skip", "disturbed": "skip", "missing": "skip",
        "new": "skip", "unchanged": "pass", "improvement": "pass"}

# A Google Benchmark program: a benchmark whose manual time is exactly NS_PER_OP per
# iteration, the same with two threads, and one that fails.
GBENCH_PROGRAM = r"""
#include <benchmark/benchmark.h>
#include <cstdlib>

static const double ns_per_op = std::atof(std::getenv("NS_PER_OP"));

static void BM_fixed(benchmark::State &state)
{
	for (auto _ : state)
		state.SetIterationTime(ns_per_op * 1e-9);
}
BENCHMARK(BM_fixed)->UseManualTime()->Iterations(1000);
BENCHMARK(BM_fixed)->UseManualTime()->Iterations(10)->Threads(2);

static void BM_failing(benchmark::State &state)
{
	for (auto _ : state) {
		state.SkipWithError("planted failure");
		break;
	}
}
BENCHMARK(BM_failing)->Iterations(10);

BENCHMARK_MAIN();
"""


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def compare_py(*args):
    """compare.py's difference report (its --dump_to_json) and its printed table."""
    with tempfile.NamedTemporaryFile(suffix=".json") as dump:
        r = subprocess.run([DEBIAN_PYTHON, COMPARE_PY, "--no-color", "-d", dump.name, *args],
                           capture_output=True, text=True, timeout=120)
        if r.returncode:
            raise AssertionError(f"compare.py {args}: {r.stderr}")
        with open(dump.name) as f:
            return {row["name"]: row for row in json.load(f)}, r.stdout


class Outputs(xbtest.TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls._class_tmp = tempfile.TemporaryDirectory(prefix="xb-outputs-")
        cls.dir = cls._class_tmp.name
        cls.db = os.path.join(cls.dir, "runs.db")
        cls.json = {}
        for label, extra in (("a", []), ("b", ["--ops", "32"])):
            cls.json[label] = os.path.join(cls.dir, label + ".json")
            r = run("run", "--db", cls.db, "--quick", "--rounds", ROUNDS, "--repetitions", REPETITIONS, "--filter",
                    CASES, "--label", label, "--json", cls.json[label], *extra)
            if r.returncode:
                raise AssertionError(f"run {label}: {r.stderr}")

    @classmethod
    def tearDownClass(cls):
        cls._class_tmp.cleanup()

    def copy_db(self):
        path = os.path.join(self.tmp, "copy.db")
        shutil.copy(self.db, path)
        return path

    def xb(self, db, *args):
        return run(*args, "--db", db)

    def ns_per_op(self, db, run_id):
        with sqlite3.connect(db) as c:
            rows = c.execute("SELECT c.name, s.ns_per_op FROM samples s JOIN cases c ON c.id = s.case_id"
                             " WHERE s.run_id = ?", (run_id,)).fetchall()
        out = {}
        for name, ns in rows:
            out.setdefault(name, []).append(ns)
        return out

    def scenario(self):
        """A copy of the database where run 2 (b) is run 1 (a) with planted changes: REGRESSED
        a thousand times slower, IMPROVED a thousand times faster (no noise separates that
        little), FAILED failed its checks, SKIPPED skipped; what this shared machine did to
        either run (the interference evidence, a run marked disturbed) is taken out."""
        db = self.copy_db()
        with sqlite3.connect(db) as c:
            c.execute("UPDATE samples SET ticks_per_op = (SELECT a.ticks_per_op FROM samples a WHERE a.run_id = 1"
                      " AND a.case_id = samples.case_id AND a.repetition = samples.repetition),"
                      " ns_per_op = (SELECT a.ns_per_op FROM samples a WHERE a.run_id = 1"
                      " AND a.case_id = samples.case_id AND a.repetition = samples.repetition),"
                      " round = (SELECT a.round FROM samples a WHERE a.run_id = 1"
                      " AND a.case_id = samples.case_id AND a.repetition = samples.repetition) WHERE run_id = 2")
            c.execute("UPDATE sample_metrics SET value = (SELECT a.value FROM sample_metrics a WHERE a.run_id = 1"
                      " AND a.case_id = sample_metrics.case_id AND a.repetition = sample_metrics.repetition"
                      " AND a.name = sample_metrics.name) WHERE run_id = 2")
            c.execute("DELETE FROM sample_metrics WHERE name IN (?, ?, ?, ?)", INTERFERENCE)
            c.execute("UPDATE runs SET disturbed = NULL")
            for case, factor in ((REGRESSED, 1000), (IMPROVED, 0.001)):
                c.execute("UPDATE samples SET ticks_per_op = ticks_per_op * ?, ns_per_op = ns_per_op * ?"
                          " WHERE run_id = 2 AND case_id = (SELECT id FROM cases WHERE name = ?)",
                          (factor, factor, case))
                c.execute("UPDATE sample_metrics SET value = value * ? WHERE run_id = 2 AND name = 'core_cycles_per_op'"
                          " AND case_id = (SELECT id FROM cases WHERE name = ?)", (factor, case))
            for case, status, reason in ((FAILED, "error", FAILURE), (SKIPPED, "skip", SKIP_REASON)):
                for table in ("sample_metrics", "samples"):
                    c.execute(f"DELETE FROM {table} WHERE run_id = 2 AND case_id = (SELECT id FROM cases WHERE name = ?)",
                              (case,))
                c.execute("UPDATE results SET status = ?, reason = ? WHERE run_id = 2"
                          " AND case_id = (SELECT id FROM cases WHERE name = ?)", (status, reason, case))
        return db

    def verdicts(self, db, *series):
        r = self.xb(db, "compare", "--format", "json", *series)
        self.assertIn(r.returncode, (0, 1, 3), r.stderr)
        return {(c["series"], c["id"]): c for c in json.loads(r.stdout)["cases"]}

    # Google Benchmark JSON and compare.py

    def test_compare_py_signs_for_an_ops_change(self):
        """compare.py on run --json (K = 128) against export (--ops 32): its median row per case
        is the change of the per-operation medians, the sign ours has."""
        exported = os.path.join(self.tmp, "b-export.json")
        self.assertEqual(self.xb(self.db, "export", "b", "--out", exported).returncode, 0)
        report, table = compare_py("benchmarks", self.json["a"], exported)
        a, b = self.ns_per_op(self.db, 1), self.ns_per_op(self.db, 2)
        ours = self.verdicts(self.db, "--metric", "ns_per_op", "a", "b")  # medians as printed
        # the empty loop's net time is no operation's: left out, and named
        self.assertEqual(set(a) - {LOOP}, {name[:-len("_median")] for name in report if name.endswith("_median")})
        with open(self.json["a"]) as f:
            self.assertIn(LOOP, json.load(f)["context"]["xstate_bench_left_out"])
        for case in set(a) - {LOOP}:
            row = report[case + "_median"]["measurements"][0]
            base, new = median(max(v, 0.0) for v in a[case]), median(max(v, 0.0) for v in b[case])
            self.assertTrue(math.isclose(row["real_time"], base, rel_tol=1e-12, abs_tol=1e-300), (case, row, base))
            self.assertTrue(math.isclose(row["real_time_other"], new, rel_tol=1e-12, abs_tol=1e-300), (case, row, new))
            if base > 0:
                self.assertAlmostEqual(row["time"], (new - base) / base, places=9)
            mine = ours[("run 2 (b)", case)]
            self.assertTrue(math.isclose(mine["base_median"], base, rel_tol=1e-12), (case, mine))
            self.assertTrue(math.isclose(mine["new_median"], new, rel_tol=1e-12), (case, mine))
        self.assertIn("_pvalue", table)
        geomean = report["OVERALL_GEOMEAN"]["measurements"][0]
        self.assertTrue(geomean["real_time"] > 0 and geomean["real_time_other"] > 0, geomean)
        print("\ncompare.py benchmarks run --json (K = 128) export (--ops 32):\n" + table)

    def test_compare_py_filters(self):
        """compare.py filters, two cases of one export: the sign of their medians' difference."""
        exported = os.path.join(self.tmp, "a-export.json")
        self.assertEqual(self.xb(self.db, "export", "a", "--out", exported).returncode, 0)
        first, second = "native/save/xsave/fp/inuse", "native/restore/xrstor/fp/inuse"
        report, _ = compare_py("filters", exported, first, second)
        a = self.ns_per_op(self.db, 1)
        row = report[f"[{first} vs. {second}]_median"]["measurements"][0]
        self.assertTrue(math.isclose(row["real_time"], median(a[first]), rel_tol=1e-12))
        self.assertTrue(math.isclose(row["real_time_other"], median(a[second]), rel_tol=1e-12))
        self.assertEqual(row["time"] > 0, median(a[second]) > median(a[first]))

    def gbench_program(self):
        source, binary = os.path.join(self.tmp, "fixed.cc"), os.path.join(self.tmp, "fixed")
        with open(source, "w") as f:
            f.write(GBENCH_PROGRAM)
        r = subprocess.run(["g++", "-O1", "-o", binary, source, "-lbenchmark", "-lpthread"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return binary

    def gbench_output(self, binary, ns, name):
        path = os.path.join(self.tmp, name)
        r = subprocess.run([binary, "--benchmark_repetitions=9", f"--benchmark_out={path}", "--benchmark_out_format=json"],
                           capture_output=True, text=True, env=dict(os.environ, NS_PER_OP=repr(ns)), timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(path) as f:
            return path, json.load(f)

    def test_against_a_google_benchmark_program(self):
        binary = self.gbench_program()
        ours = median(self.ns_per_op(self.db, 1)["native/save/xsave/fp/inuse"])
        slow, slow_json = self.gbench_output(binary, ours * 1.5, "slow.json")
        fast, fast_json = self.gbench_output(binary, ours * 0.5, "fast.json")
        fixed = next(b["run_name"] for b in slow_json["benchmarks"] if b["run_name"].startswith("BM_fixed/iterations:1000"))
        # compare.py across the two producers: run --json's case against the program's benchmark
        for path, sign in ((slow, 1), (fast, -1)):
            report, _ = compare_py("benchmarksfiltered", self.json["a"], "native/save/xsave/fp/inuse", path, fixed)
            (row,) = [r for name, r in report.items() if name.endswith("_median")]
            m = row["measurements"][0]
            self.assertTrue(math.isclose(m["real_time"], ours, rel_tol=1e-12))
            self.assertAlmostEqual(m["time"], 0.5 * sign, places=9)
        # compare reads both files directly: the program's time per iteration is its time per op
        r = run("compare", "--metric", "ns_per_op", "--format", "json", fast, slow)
        self.assertEqual(r.returncode, 1, r.stderr)  # BM_failing failed its checks
        cases = {c["id"]: c for c in json.loads(r.stdout)["cases"]}
        self.assertAlmostEqual(cases["BM_fixed/iterations:1000"]["ratio"], 3.0, places=9)
        self.assertEqual(cases["BM_fixed/iterations:1000"]["verdict"], "regression")
        self.assertEqual((cases["BM_failing/iterations:10"]["verdict"], cases["BM_failing/iterations:10"]["why"]),
                         ("failed", "planted failure"))
        # import, export: every number Google Benchmark wrote comes back, per iteration
        db = xbtest.new_db(self.tmp)
        self.assertEqual(run("import", "--db", db, slow, "--label", "gb").returncode, 0)
        r = run("export", "--db", db, "gb")
        self.assertEqual(r.returncode, 0, r.stderr)
        exported = {(b["run_name"], b.get("repetition_index")): b for b in json.loads(r.stdout)["benchmarks"]}
        for b in slow_json["benchmarks"]:
            if b["run_type"] != "iteration":
                continue
            case = b["run_name"][:-len("/manual_time")] if b["run_name"].endswith("/manual_time") else b["run_name"]
            if b.get("error_occurred"):  # a failed case is one entry, with the message
                self.assertEqual(exported[(case, 0)]["error_message"], b["error_message"])
                continue
            e = exported[(case, b["repetition_index"])]
            for key in ("iterations", "threads", "repetitions", "real_time", "cpu_time", "time_unit"):
                self.assertEqual(e[key], b[key], (case, key))
        self.assertIn(2, {e["threads"] for e in exported.values()})

    def test_run_json_import_export_is_lossless(self):
        db = xbtest.new_db(self.tmp)
        self.assertEqual(run("import", "--db", db, self.json["b"], "--label", "again").returncode, 0)
        r = run("export", "--db", db, "again")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.json["b"]) as f:
            original = json.load(f)
        again = json.loads(r.stdout)
        self.assertEqual(again["benchmarks"], original["benchmarks"])
        for key in ("date", "host_name", "executable"):
            self.assertEqual(again["context"][key], original["context"][key])

    def test_csv_per_rfc_4180(self):
        db = xbtest.new_db(self.tmp)
        path = os.path.join(self.tmp, "odd.json")
        names = ['BM_"quoted", with a comma', "BM_two\nlines", "BM_plain"]
        gbench_json(path, {n: samples(random.Random(1), 100, n=3) for n in names})
        with open(path) as f:
            j = json.load(f)
        j["benchmarks"].append({"name": 'BM_failed "badly"', "run_type": "iteration", "error_occurred": True,
                                "error_message": 'said "no", twice', "iterations": 0, "real_time": 0, "cpu_time": 0,
                                "time_unit": "ns"})
        with open(path, "w") as f:
            json.dump(j, f)
        self.assertEqual(run("import", "--db", db, path, "--label", "odd").returncode, 0)
        r = subprocess.run([xbtest.BINARY, "export", "--db", db, "odd", "--format", "csv"], capture_output=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        text = r.stdout.decode()
        self.assertTrue(text.endswith("\r\n"))
        self.assertNotIn("\n", text.replace("\r\n", "").replace("BM_two\nlines", ""), "records end with CRLF")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        self.assertEqual(len(rows), 3 * 3 + 1)
        self.assertEqual({row["name"] for row in rows}, set(names) | {'BM_failed "badly"'})
        failed = next(row for row in rows if row["error_occurred"])
        self.assertEqual((failed["error_occurred"], failed["error_message"]), ("true", 'said "no", twice'))
        for row in rows:
            if not row["error_occurred"]:
                self.assertEqual(float(row["real_time"]), float(row["ns_per_op"]))

    def test_history_csv_per_rfc_4180(self):
        db = xbtest.new_db(self.tmp)
        rng = random.Random(2)
        labels = ['nightly "rc1", rebased', "plain"]
        for i, label in enumerate(labels):
            path = os.path.join(self.tmp, f"h{i}.json")
            gbench_json(path, {"native/test/op/h/inuse": samples(rng, 100)})
            self.assertEqual(run("import", "--db", db, path, "--label", label).returncode, 0)
        r = subprocess.run([xbtest.BINARY, "history", "--db", db, "--format", "csv", "native/test/op/h/inuse"],
                           capture_output=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        text = r.stdout.decode()
        self.assertEqual(text.count("\r\n"), 3)
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        self.assertEqual([row["label"] for row in rows], labels)
        self.assertEqual([int(row["n"]) for row in rows], [10, 10])

    # compare's verdicts in every format

    def test_failed_case_fails_everywhere(self):
        db = self.scenario()
        out = {}
        for f in FORMATS:
            r = self.xb(db, "compare", "--format", f, "a", "b")
            self.assertEqual(r.returncode, 1, (f, r.stderr))
            out[f] = r.stdout
        self.assertIn(f"failed: {FAILURE}", out["text"])
        self.assertIn("**failed**", out["markdown"])
        cases = {c["id"]: c for c in json.loads(out["json"])["cases"]}
        self.assertEqual((cases[FAILED]["verdict"], cases[FAILED]["why"]), ("failed", FAILURE))
        junit = ET.fromstring(out["junit"])
        failure = junit.find(f".//testcase[@name='{FAILED}']/failure")
        self.assertEqual(failure.get("type"), "failed")
        self.assertIn(FAILURE, failure.get("message"))
        (series,) = ktap_parser.parse(out["ktap"]).tests
        case = next(t for t in series.subtests if t.name == FAILED)
        self.assertEqual((case.outcome, case.data), ("fail", f"failed: {FAILURE}"))
        self.assertEqual(series.outcome, "fail")
        # the verdict and the exit status do not depend on the format: text alone, too
        self.assertEqual(self.xb(db, "compare", "--threshold", "1000", "a", "b").returncode, 1)

    def test_junit_validates_and_carries_the_runs(self):
        db = self.scenario()
        path = os.path.join(self.tmp, "junit.xml")
        r = self.xb(db, "compare", "--format", "junit", "a", "b")
        with open(path, "w") as f:
            f.write(r.stdout)
        v = subprocess.run(["xmllint", "--noout", "--schema", SCHEMA, path], capture_output=True, text=True)
        self.assertEqual(v.returncode, 0, v.stderr)
        self.assertIn("validates", v.stderr)
        verdicts = self.verdicts(db, "a", "b")
        suite = ET.parse(path).getroot().find("testsuite")
        with sqlite3.connect(db) as c:
            (host, kernel, started, finished), = c.execute(
                "SELECT hostname, kernel_release, started_at, finished_at FROM runs WHERE id = 2").fetchall()
            (microcode, brand), = c.execute("SELECT microcode, brand FROM machines").fetchall()
        self.assertEqual((suite.get("timestamp"), suite.get("hostname"), suite.get("errors")), (started, host, "0"))
        self.assertGreaterEqual(float(suite.get("time")), 0)
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        for side in ("base", "new"):
            self.assertEqual(props[side + ".machine"], host)
            self.assertEqual(props[side + ".kernel"], kernel)
            self.assertIn(brand.strip() if brand else "family", props[side + ".cpu"])
            if microcode:
                self.assertEqual(props[side + ".microcode"], microcode)
        self.assertEqual((props["base"], props["new"]), ("run 1 (a)", "run 2 (b)"))
        cases = {t.get("name"): t for t in suite.iter("testcase")}
        self.assertEqual(len(cases), int(suite.get("tests")))
        failures = skipped = 0
        for (_, case), v in verdicts.items():
            t = cases[case]
            self.assertEqual(t.get("classname"), ".".join(case.split("/")[:2]))
            want = JUNIT[v["verdict"]]
            children = {child.tag for child in t}
            if want:
                self.assertIn(want, children, case)
                element = t.find(want)
                self.assertEqual(element.get("type"), v["verdict"])
                if v.get("why"):
                    self.assertIn(v["why"], element.get("message"))
                self.assertIn("base run 1 (a): ", element.text)
                failures += want == "failure"
                skipped += want == "skipped"
            else:
                self.assertEqual(children, {"system-out"}, case)
        self.assertEqual((int(suite.get("failures")), int(suite.get("skipped"))), (failures, skipped))
        body = cases[REGRESSED].find("failure").text
        self.assertRegex(body, r"base run 1 \(a\): median [\d.e+]+ core_cycles_per_op, 10 samples")
        self.assertRegex(body, r"change \+99900\.0% \[\+\d+\.\d, \+\d+\.\d\], detects \d+\.\d%, p adj ")
        self.assertEqual(verdicts[("run 2 (b)", IMPROVED)]["verdict"], "improvement")
        self.assertIn(SKIP_REASON, cases[SKIPPED].find("skipped").get("message"))

    def test_ktap_of_a_comparison(self):
        db = self.scenario()
        r = self.xb(db, "compare", "--format", "ktap", "a", "b", "a")
        self.assertEqual(r.returncode, 1, r.stderr)
        doc = ktap_parser.parse(r.stdout)
        self.assertEqual(doc.plan, 2)
        verdicts = self.verdicts(db, "a", "b", "a")
        for series, name in zip(doc.tests, ("run 2 (b)", "run 1 (a)")):
            self.assertEqual(series.name, name)
            mine = {case: v for (s, case), v in verdicts.items() if s == name}
            self.assertEqual({t.name for t in series.subtests}, set(mine))
            for t in series.subtests:
                self.assertEqual(t.outcome, KTAP[mine[t.name]["verdict"]], t)
                self.assertTrue(t.data.startswith(mine[t.name]["verdict"]), t)
                self.assertTrue(any(d.startswith(f"base run 1 (a): ") for d in t.diagnostics), t)
        regressed = next(t for t in doc.tests[0].subtests if t.name == REGRESSED)
        self.assertEqual((regressed.outcome, regressed.data), ("fail", "regression"))
        self.assertIn("change +99900.0% [", " ".join(regressed.diagnostics))
        skipped = next(t for t in doc.tests[0].subtests if t.name == SKIPPED)
        self.assertEqual((skipped.outcome, skipped.data), ("skip", f"missing: {SKIP_REASON}"))
        self.assertEqual(doc.tests[0].outcome, "fail")
        print("\nKTAP of a comparison with a regression, a skip and a failure:\n" + r.stdout)

    def test_ktap_of_a_run(self):
        db = xbtest.new_db(self.tmp)
        r = run("run", "--db", db, "--quick", "--filter", CASES, "--format", "ktap")
        self.assertIn(r.returncode, (0, 1), r.stderr)
        doc = ktap_parser.parse(r.stdout)  # strict: stdout is nothing but KTAP
        self.assertIn("case ", r.stderr, "the summary table goes to stderr")
        with sqlite3.connect(db) as c:
            stored = dict(c.execute("SELECT c.name, r.status FROM results r JOIN cases c ON c.id = r.case_id"))
        self.assertEqual(doc.plan, len(stored))
        self.assertEqual({t.name: t.outcome for t in doc.tests},
                         {case: {"ok": "pass", "skip": "skip", "error": "fail"}[s] for case, s in stored.items()})
        self.assertEqual(r.returncode, int("error" in stored.values()))
        for t in doc.tests:
            if t.outcome == "pass":
                self.assertRegex(t.diagnostics[-1], r"^median \S+ ticks/op, IQR (\d+\.\d%|-), 6 samples$")

    def test_each_series_has_its_own_cases(self):
        """A case only NEW 2 measured is no case of NEW 1, in every format."""
        db = xbtest.new_db(self.tmp)
        rng = random.Random(4)
        shared = {f"native/test/op/c{k}/inuse": samples(rng, 100 + k) for k in range(3)}
        for name, extra in (("base", {}), ("one", {}), ("two", {"native/test/op/only-two/inuse": samples(rng, 50)})):
            path = os.path.join(self.tmp, name + ".json")
            gbench_json(path, {**shared, **extra})
            self.assertEqual(run("import", "--db", db, path, "--label", name).returncode, 0)
        out = {f: self.xb(db, "compare", "--format", f, "base", "one", "two").stdout for f in FORMATS}
        text = " ".join(out["text"].split())  # its lines are folded
        self.assertRegex(text, r" 1: 0 regression, 0 improvement(, \d+ (unchanged|noisy))* 2: 0 regression, "
                               r"0 improvement(, \d+ (unchanged|noisy))*, 1 new$")
        self.assertIn("| `native/test/op/only-two/inuse` | core_cycles_per_op | - | - |", out["markdown"])
        j = json.loads(out["json"])
        self.assertEqual([s["counts"]["new"] for s in j["new"]], [0, 1])
        self.assertEqual(len(j["cases"]), 3 + 4)
        suites = ET.fromstring(out["junit"]).findall("testsuite")
        self.assertEqual([s.get("tests") for s in suites], ["3", "4"])
        self.assertEqual([len(t.subtests) for t in ktap_parser.parse(out["ktap"]).tests], [3, 4])

    def test_runs_on_different_machines_are_named(self):
        db = self.scenario()
        with sqlite3.connect(db) as c:
            c.execute("INSERT INTO machines (id, fingerprint, hostname, vendor, family, model, stepping, microcode,"
                      " brand, xcr0, xss, cpuid_dump) SELECT 99, 'other', 'other-host', vendor, family, model, stepping,"
                      " '0xbeef', brand, xcr0, xss, cpuid_dump FROM machines WHERE id = 1")
            c.execute("UPDATE runs SET machine_id = 99, hostname = 'other-host' WHERE id = 2")
            (host,), = c.execute("SELECT hostname FROM runs WHERE id = 1").fetchall()
        for f in FORMATS:
            r = self.xb(db, "compare", "--format", f, "a", "b")
            self.assertEqual(r.returncode, 1, r.stderr)
            text = " ".join(r.stdout.split())  # text folds its lines
            self.assertIn("measured on different machines: run 1 (a) on " + host, text, f)
            self.assertIn("run 2 (b) on other-host (", text, f)
            self.assertIn("microcode 0xbeef", text, f)
        # the same machine: no such note
        self.assertNotIn("different machines", self.xb(db, "compare", "a", "a").stdout)


if __name__ == "__main__":
    xbtest.main()
