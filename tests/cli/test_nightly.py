"""test_nightly.py - `xstate-bench nightly` night by night on planted nights (planted_night.py:
the cases and levels of one real quick run, quiet noise, no evidence of disturbance), each
taken with --import, so that every outcome is known: usage errors and an unreadable import
exit 2 and record nothing; the lock makes a second job wait, or give up naming the holder;
the first nights build the rolling baseline ("building (k of N)", every case a skip), then
nights are compared with the last N quiet ones; a disturbed night exits 3 and stays out; a
night with two cases 12% slower exits 1, names them in the summary, KTAP and JUnit, stays out
until accepted (with who and why); a case that failed its checks exits 1 even while
building; a baseline whose results are all functional only compares nothing; another kernel
configuration starts a new baseline; a creep of 0.5% a night is reported as drift with the
night it began. Both backends (registered again under with_postgres.py). The fortnight of real runs is test_nightly_fortnight.py."""
import datetime
import fcntl
import json
import os
import random
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET

import ktap_parser
import planted_night
import xbtest
from xbtest import run

CASES = "^native/(save/(xsave|xsavec)/(fp|avx|avx512)/inuse|restore/xrstor/(fp|avx|avx512)/inuse)$"
SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "jenkins-junit-10.xsd")
REGRESSED = ("native/save/xsave/avx/inuse", "native/restore/xrstor/fp/inuse")
CREEPING = ("native/save/xsavec/fp/inuse", "native/save/xsavec/avx512/inuse")
N = 3  # the rolling baseline's size here


class Nightly(xbtest.TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls._class_tmp = tempfile.TemporaryDirectory(prefix="xb-nightly-")
        template = os.path.join(cls._class_tmp.name, "template.json")
        r = run("run", "--db", os.path.join(cls._class_tmp.name, "template.db"), "--quick", "--filter", CASES,
                "--json", template)
        if r.returncode:
            raise AssertionError(f"run: {r.stderr}")
        cls.template = planted_night.load(template)
        cls.level = planted_night.levels([cls.template])

    @classmethod
    def tearDownClass(cls):
        cls._class_tmp.cleanup()

    def setUp(self):
        super().setUp()
        self.db = xbtest.new_db(self.tmp)
        self.rng = random.Random(15)
        self.date = datetime.datetime(2026, 1, 1, 2, 0)
        self.nights = 0

    def nightly(self, *args, out=None):
        self.nights += 1
        out = out or os.path.join(self.tmp, f"night{self.nights}")
        r = run("nightly", "--db", self.db, "--out", out, "--lock", os.path.join(self.tmp, "lock"), "--filter",
                CASES, "--baseline-nights", str(N), *args)
        r.out = out
        return r

    def planted(self, factors=None, edit=None, *args):
        """One planted night through nightly --import; @edit may change the document first."""
        self.date = planted_night.next_day(self.date)
        path = planted_night.plant(self.template, self.level, self.rng, os.path.join(self.tmp, "night.json"),
                                   self.date, factors)
        if edit:
            doc = planted_night.load(path)
            edit(doc)
            with open(path, "w") as f:
                json.dump(doc, f)
        r = self.nightly("--import", path, *args)
        self.assertIn(r.returncode, (0, 1, 3), r.stderr)
        r.night = self.read(r.out, "nightly.json")
        return r

    def read(self, out, name):
        with open(os.path.join(out, name)) as f:
            return json.load(f) if name.endswith(".json") else f.read()

    def quiet(self, count, state=None, *args):
        nights = []
        for _ in range(count):
            r = self.planted(None, None, *args)
            self.assertEqual(r.returncode, 0, r.stdout)
            if state:
                self.assertEqual(r.night["state"], state, r.night["reason"])
            nights.append(r.night["run"])
        return nights

    # the command line

    def test_usage_errors_record_nothing(self):
        for args, message in ((["--out"], "--out: wants an argument"), (["--baseline-nights", "0"], "--baseline-nights"),
                              (["--kernel-commit", "a b"], "--kernel-commit: want a commit id without blanks"),
                              (["--lock-wait", "-1"], "--lock-wait"), (["--bogus"], "unknown option '--bogus'"),
                              (["--suite", "nosuch"], "--suite"),
                              (["--filter", "("], "--filter"), (["--rounds", "0"], "--rounds"),
                              (["extra"], "unexpected argument")):
            r = run("nightly", "--db", self.db, "--out", os.path.join(self.tmp, "o"), *args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn(message, r.stderr, args)
            self.assertIn("usage: xstate-bench nightly", r.stderr)
        r = run("nightly", "--db", self.db)
        self.assertEqual((r.returncode, "missing --out DIR" in r.stderr), (2, True), r.stderr)
        self.assertEqual(run("nightly", "--help").returncode, 0)
        if xbtest.BACKEND == "sqlite":
            self.assertFalse(os.path.exists(self.db))
        # an import that cannot be read: could not run, no night recorded
        r = self.nightly("--import", os.path.join(self.tmp, "missing.json"))
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertIn("could not run", r.stderr)
        self.assertIn("missing.json", r.stderr)
        self.assertEqual(xbtest.query(self.db, "SELECT count(*) FROM nightly_runs"), [(0,)])

    def test_lock(self):
        lock = os.path.join(self.tmp, "lock")
        with open(lock, "w") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            held.write("the test, pid %d\n" % os.getpid())
            held.flush()
            path = planted_night.plant(self.template, self.level, self.rng, os.path.join(self.tmp, "n.json"),
                                       self.date)
            r = self.nightly("--import", path, "--lock-wait", "1")
            self.assertEqual(r.returncode, 2, r.stdout)
            self.assertIn(f"the lock {lock} is held by the test, pid {os.getpid()}", r.stderr)
            # a second job waits its turn
            waiting = subprocess.Popen([xbtest.BINARY, "nightly", "--db", self.db, "--out", os.path.join(self.tmp, "w"),
                                        "--lock", lock, "--import", path, "--filter", CASES], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)
            line = waiting.stdout.readline()
            self.assertIn("waiting up to 7200 s for the lock", line)
            self.assertIsNone(waiting.poll())
            fcntl.flock(held, fcntl.LOCK_UN)
            out, err = waiting.communicate(timeout=300)
        self.assertEqual(waiting.returncode, 0, err)
        self.assertIn("BUILDING BASELINE", out)
        with open(lock) as f:
            self.assertIn(f"pid {waiting.pid}", f.read())

    # the rolling baseline

    def test_building_then_verdicts(self):
        runs = []
        for k in range(N):
            r = self.planted()
            self.assertEqual(r.returncode, 0, r.stdout)
            self.assertEqual((r.night["state"], r.night["baseline"]["building"]), ("building", True))
            self.assertEqual(r.night["reason"], f"building baseline ({k} of {N})")
            self.assertIn(f"building ({k} of {N} quiet nights)", self.read(r.out, "summary.md"))
            doc = ktap_parser.parse(self.read(r.out, "comparison.ktap"), strict=True)
            self.assertTrue(all(t.outcome == "skip" and t.data.startswith("new") for t in doc.tests[0].subtests))
            runs.append(r.night["run"])
        r = self.planted()
        self.assertEqual((r.returncode, r.night["state"]), (0, "pass"), r.night["reason"])
        self.assertEqual(r.night["baseline"]["runs"], runs)
        self.assertEqual(r.night["counts"]["compared"], r.night["counts"]["cases"])
        self.assertTrue(r.night["label"].startswith(f"nightly-{self.date:%Y-%m-%d}-"))
        # the rolling baseline is a named baseline others can read
        shown = run("baseline", "--db", self.db, "show", r.night["baseline"]["name"])
        self.assertEqual(shown.returncode, 0, shown.stderr)
        for run_id in runs:
            self.assertIn(f"run {run_id} ", shown.stdout)
        # the next night rolls on: the last N quiet nights
        r = self.planted()
        self.assertEqual(r.night["baseline"]["runs"], runs[1:] + [runs[-1] + 1])
        self.assertEqual(xbtest.query(self.db, f"SELECT baseline_runs FROM nightly_runs WHERE run_id = {r.night['run']}"),
                         [(" ".join(map(str, r.night["baseline"]["runs"])),)])

    def test_disturbed_night_stays_out(self):
        def another_task(doc):
            for b in doc["benchmarks"]:
                b["run_delay_ms"] = 0.3 * b["wall_ms"]
        runs = self.quiet(N, "building")
        r = self.planted(None, another_task)
        self.assertEqual((r.returncode, r.night["state"]), (3, "disturbed"), r.night["reason"])
        self.assertEqual(r.night["counts"]["disturbed"], r.night["counts"]["cases"])
        self.assertIn("another task held the PU", self.read(r.out, "summary.md"))
        disturbed = r.night["run"]
        r = self.planted()
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertEqual(r.night["baseline"]["runs"], runs)
        a = run("baseline", "--db", self.db, "--reason", "it was fine", "accept", str(disturbed))
        self.assertEqual(a.returncode, 1)
        self.assertIn("was disturbed", a.stderr)
        # a whole run marked disturbed (the runner's mark, carried by its export)
        r = self.planted(None, lambda doc: doc["context"].update(xstate_bench_disturbed="3 of 9 measured cases"))
        self.assertEqual((r.returncode, r.night["state"]), (3, "disturbed"))
        self.assertIn("3 of 9 measured cases", r.night["reason"])

    def test_regression_stays_out_until_accepted(self):
        runs = self.quiet(N)
        r = self.planted({c: 1.12 for c in REGRESSED})
        self.assertEqual((r.returncode, r.night["state"]), (1, "flagged"), r.stdout)
        self.assertEqual(sorted(f["id"] for f in r.night["flagged"]), sorted(REGRESSED))
        self.assertEqual({f["verdict"] for f in r.night["flagged"]}, {"regression"})
        summary = self.read(r.out, "summary.md")
        self.assertIn("# Nightly 2026-01-05: REGRESSION (exit 1)", summary)
        table = summary.split("## Regressions, failures and drifts")[1].split("## Improvements")[0]
        for case in REGRESSED:
            self.assertIn(f"`{case}`", table)
        doc = ktap_parser.parse(self.read(r.out, "comparison.ktap"), strict=True)
        failed = {t.name for t in doc.tests[0].subtests if t.outcome == "fail"}
        self.assertEqual(failed, set(REGRESSED))
        self.assertEqual(subprocess.run(["xmllint", "--noout", "--schema", SCHEMA,
                                         os.path.join(r.out, "comparison.junit.xml")], capture_output=True).returncode, 0)
        junit = ET.parse(os.path.join(r.out, "comparison.junit.xml"))
        self.assertEqual({c.get("name") for c in junit.iter("testcase") if c.find("failure") is not None},
                         set(REGRESSED))
        # the report charts the flagged cases over the nights first
        with open(os.path.join(r.out, "report", "index.html")) as f:
            page = f.read()
        self.assertIn("case-history-1.png", page)
        self.assertIn("case-history-2.png", page)
        self.assertTrue(os.path.exists(os.path.join(r.out, "report", "case-history-1.svg")))
        flagged = r.night["run"]
        # it stays out of the rolling baseline
        r = self.planted()
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertNotIn(flagged, r.night["baseline"]["runs"])
        # acceptance: why is required; a night already in the baseline is refused; then it is in
        self.assertEqual(run("baseline", "--db", self.db, "accept", str(flagged)).returncode, 2)
        a = run("baseline", "--db", self.db, "--reason", "fine", "accept", str(r.night["run"]))
        self.assertEqual(a.returncode, 1)
        self.assertIn("in its rolling baseline already", a.stderr)
        a = run("baseline", "--db", self.db, "--by", "Ada", "--reason", "the series makes every save 12% slower,"
                " as intended", "accept", str(flagged))
        self.assertEqual(a.returncode, 0, a.stderr)
        self.assertIn(f"accepted run {flagged} (flagged night)", a.stdout)
        self.assertEqual(xbtest.query(self.db, f"SELECT accepted_by, reason FROM nightly_acceptances WHERE run_id = {flagged}"),
                         [("Ada", "the series makes every save 12% slower, as intended")])
        self.assertEqual(run("baseline", "--db", self.db, "--reason", "again", "accept", str(flagged)).returncode, 1)
        r = self.planted({c: 1.12 for c in REGRESSED})
        self.assertIn(flagged, r.night["baseline"]["runs"])

    def test_failed_case_while_building(self):
        def failing(doc):
            for b in doc["benchmarks"]:
                if b["run_name"] == REGRESSED[0]:
                    b.update(error_occurred=True, error_message="planted: XSTATE_BV was 0x3, want 0x7")
        r = self.planted(None, failing)
        self.assertEqual((r.returncode, r.night["state"]), (1, "flagged"), r.stdout)
        self.assertEqual(r.night["flagged"], [{"id": REGRESSED[0], "verdict": "failed", "change": None}])
        self.assertIn("planted: XSTATE_BV was 0x3, want 0x7", self.read(r.out, "summary.md"))
        self.assertEqual(r.night["baseline"]["runs"], [])

    def test_functional_only_baseline(self):
        """Nights whose every result is functional only (timings that mean nothing, e.g. under
        QEMU TCG) make a baseline with nothing to compare: the night passes with nothing
        compared, and a case that fails its checks still fails it."""
        runs = self.quiet(N)
        for run_id in runs:
            xbtest.query(self.db, "INSERT INTO result_attributes (run_id, case_id, name, value) SELECT run_id,"
                                  f" case_id, 'functional_only', 'planted: TCG' FROM results WHERE run_id = {run_id}")
        r = self.planted()
        self.assertEqual((r.returncode, r.night["state"], r.night["counts"]["compared"]), (0, "pass", 0), r.stdout)
        self.assertEqual(r.night["baseline"]["runs"], runs)
        self.assertIn("every result of theirs is functional only", self.read(r.out, "summary.md"))
        self.assertTrue(os.path.exists(os.path.join(r.out, "report", "index.html")))

    def test_another_kernel_configuration_starts_again(self):
        self.quiet(N + 1)
        r = self.planted(None, None, "--kernel-config", "defconfig+kvm")
        self.assertEqual((r.night["state"], r.night["reason"]), ("building", f"building baseline (0 of {N})"))
        self.assertIn("kernel defconfig+kvm", r.night["configuration"])
        r = self.planted(None, None, "--kernel-commit", "0123456789abcdef0123")
        self.assertEqual(r.night["state"], "pass")
        self.assertTrue(r.night["label"].endswith("-g0123456789ab"), r.night["label"])
        self.assertEqual(r.night["kernel_commit"], "0123456789abcdef0123")

    # the trend

    def test_creep_is_drift(self):
        """A threshold of 3%: a night's comparison cannot flag a creep that lags the rolling
        baseline of 3 nights by 1%, unless the night's noise adds 2% (3.4 of its sd). Once a
        night is flagged the baseline stays as it was, so the creep grows against it: each
        creeping case is caught, the first as drift with the night it began."""
        self.quiet(N + 5, None, "--threshold", "3")
        first, caught, drift_night = None, {}, None
        for k in range(1, 16):
            r = self.planted({c: 1.005 ** k for c in CREEPING}, None, "--threshold", "3")
            first = first or r.night["run"]
            self.assertLessEqual({f["id"] for f in r.night["flagged"]}, set(CREEPING), r.night["flagged"])
            self.assertEqual(r.returncode, 1 if r.night["flagged"] else 0, r.stdout)
            for f in r.night["flagged"]:
                caught.setdefault(f["id"], f["verdict"])
            if r.night["drift"] and not drift_night:
                drift_night = r
            if len(caught) == len(CREEPING):
                break
        print(f"\ncaught: {caught}, first drift on run {drift_night.night['run'] if drift_night else None}")
        self.assertEqual(set(caught), set(CREEPING))
        self.assertIsNotNone(drift_night, caught)
        r = drift_night
        self.assertEqual(r.night["state"], "flagged")
        for d in r.night["drift"]:
            self.assertEqual(d["direction"], "slower")
            self.assertLessEqual(abs(d["began_run"] - first), 2, d)
            self.assertGreater(d["change"], 0.03)
        drifting = {d["id"] for d in r.night["drift"]}
        self.assertEqual({f["id"] for f in r.night["flagged"] if f["verdict"] == "drift"}, drifting)
        doc = ktap_parser.parse(self.read(r.out, "comparison.ktap"), strict=True)
        self.assertLessEqual(drifting, {t.name for t in doc.tests[0].subtests if t.outcome == "fail"})
        junit = ET.parse(os.path.join(r.out, "comparison.junit.xml"))
        self.assertEqual({c.get("name") for c in junit.iter("testcase")
                          if c.find("failure") is not None and c.find("failure").get("type") == "drift"}, drifting)
        summary = self.read(r.out, "summary.md")
        for case in drifting:
            self.assertRegex(summary, rf"`{case}` .*\*\*drift\*\*: drift: \+0\.\d+% a night from run \d+")

if __name__ == "__main__":
    xbtest.main()
