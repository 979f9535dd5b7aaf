"""test_nightly_fortnight.py - the nightly workflow end to end on this machine, one database:
a fortnight of ten real `nightly --quick` nights on a handful of cases, three of them with a
build running beside them (a compiler in a loop pinned to the measured PU); then quiet nights
planted from the real nights' exports (planted_night.py: their cases and levels, quiet noise,
no evidence), so that the rolling baseline is built on a shared machine too, where real runs
are usually disturbed; then a night whose samples of two cases are 12% slower, imported from
a modified export as a real regression would look; one quiet night; then a creep of 0.5% a
night on two other cases. It checks every exit code (a night beside a build exits 3 and
never enters the baseline; no quiet night is flagged; the shifted night exits 1), every
night's baseline (exactly the last N nights that were neither disturbed nor flagged), the
artifacts (KTAP parses, JUnit validates, the summary names the shifted cases, the report
charts them), and that the creep is caught, the first of it as drift with the night it
began. Whether a real night is quiet depends on the machine: either way it must not be
flagged. The threshold is 3% throughout: a night's comparison then cannot flag the creep,
which lags a rolling baseline of 5 nights by 1.5%, unless that night's noise adds 1.5% (2.6
of its standard deviations): the creep is the trend test's to find. No timing is asserted;
the nights' figures are printed."""
import datetime
import json
import os
import random
import signal
import subprocess
import tempfile
import xml.etree.ElementTree as ET

import ktap_parser
import planted_night
import xbtest
from xbtest import run

CASES = "^native/(save/(xsave|xsavec)/(fp|avx|avx512)/inuse|restore/xrstor/(fp|avx|avx512)/inuse)$"
SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "jenkins-junit-10.xsd")
REAL_NIGHTS, BUILD_NIGHTS = 10, (3, 6, 9)
N = 5  # the default rolling baseline
SHIFTED = ("native/save/xsave/avx/inuse", "native/restore/xrstor/fp/inuse")
CREEPING = ("native/save/xsavec/fp/inuse", "native/save/xsavec/avx512/inuse")
IN_BASELINE = ("building", "pass")


class Fortnight(xbtest.TempDirTest):
    def setUp(self):
        super().setUp()
        self.db = os.path.join(self.tmp, "nightly.db")
        self.pu = max(os.sched_getaffinity(0))
        self.nights = []  # (what, nightly.json, exit status, output directory)

    def nightly(self, what, *args):
        out = os.path.join(self.tmp, f"night{len(self.nights) + 1}")
        r = run("nightly", "--db", self.db, "--out", out, "--lock", os.path.join(self.tmp, "lock"), "--quick",
                "--filter", CASES, "--cpu", str(self.pu), "--threshold", "3", *args)
        self.assertIn(r.returncode, (0, 1, 3), r.stdout + r.stderr)
        with open(os.path.join(out, "nightly.json")) as f:
            night = json.load(f)
        self.assertEqual(night["outcome"], r.returncode)
        self.check_artifacts(out, night)
        self.nights.append((what, night, r.returncode, out))
        return night, r.returncode, out

    def check_artifacts(self, out, night):
        files = set(os.listdir(out))
        self.assertLessEqual({"index.txt", "summary.md", "comparison.ktap", "comparison.junit.xml", "comparison.json",
                              "nightly.json", "run.json", "report"}, files)
        with open(os.path.join(out, "index.txt")) as f:
            index = f.read()
        for name in files - {"report", "index.txt"}:
            self.assertIn(name, index)
        with open(os.path.join(out, "comparison.ktap")) as f:
            doc = ktap_parser.parse(f.read(), strict=True)
        self.assertEqual(len(doc.tests[0].subtests), night["counts"]["cases"])
        self.assertEqual(doc.tests[0].ok, night["outcome"] != 1)
        r = subprocess.run(["xmllint", "--noout", "--schema", SCHEMA, os.path.join(out, "comparison.junit.xml")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(os.path.join(out, "report", "index.html")))

    def build_beside(self):
        """A build on the measured PU: the compiler on one of our sources, again and again."""
        source = os.path.join(os.path.dirname(os.path.dirname(xbtest.CPUID_DIR)), "results", "stats.c")
        return subprocess.Popen(["sh", "-c", f"while :; do cc -O2 -c {source} -o /dev/null; done"],
                                preexec_fn=lambda: os.sched_setaffinity(0, {self.pu}), start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def real_fortnight(self):
        for k in range(1, REAL_NIGHTS + 1):
            if k not in BUILD_NIGHTS:
                night, code, _ = self.nightly("real")
                # quiet or disturbed, as the machine was: never flagged
                self.assertIn(code, (0, 3), night["reason"])
                self.assertEqual(night["counts"]["flagged"], 0, night["reason"])
                continue
            build = self.build_beside()
            try:
                night, code, _ = self.nightly("build")
            finally:
                os.killpg(build.pid, signal.SIGTERM)
                build.wait()
            self.assertEqual((code, night["state"]), (3, "disturbed"), night["reason"])
            self.assertGreater(night["counts"]["disturbed"], 0)

    def plant(self, rng, level, template, what, factors=None):
        self.date = planted_night.next_day(self.date)
        path = planted_night.plant(template, level, rng, os.path.join(self.tmp, "planted.json"), self.date, factors)
        return self.nightly(what, "--import", path)

    def check_membership(self):
        """Each night's baseline: the last N nights before it that were building or passed
        (none accepted here); while there were fewer, those so far."""
        for i, (_, night, _, _) in enumerate(self.nights):
            quiet = [n["run"] for _, n, _, _ in self.nights[:i] if n["state"] in IN_BASELINE]
            self.assertEqual(night["baseline"]["runs"], quiet[-N:], (i + 1, night["reason"]))
            self.assertEqual(night["baseline"]["building"], len(quiet) < N)

    def print_figures(self):
        print("\nnight  what     run exit state         compared flagged disturbed")
        for i, (what, night, code, _) in enumerate(self.nights):
            c = night["counts"]
            print(f"{i + 1:5d}  {what:7s} {night['run']:4d} {code:4d} {night['state']:13s} {c['compared']:8d} "
                  f"{c['flagged']:7d} {c['disturbed']:9d}")

    def test_fortnight(self):
        self.real_fortnight()
        # quiet nights planted from the real nights' exports (the builds' left out)
        exports = [planted_night.load(os.path.join(out, "run.json")) for what, _, _, out in self.nights if what == "real"]
        template, level, rng = exports[0], planted_night.levels(exports), random.Random(20261205)
        self.date = datetime.datetime.strptime(exports[-1]["context"]["date"], "%Y-%m-%dT%H:%M:%SZ")
        for _ in range(N):
            night, code, _ = self.plant(rng, level, template, "planted")
            self.assertEqual(code, 0, night["reason"])
            self.assertIn(night["state"], IN_BASELINE)
        # the shifted night: flagged, named everywhere, kept out
        night, code, out = self.plant(rng, level, template, "shifted", {c: 1.12 for c in SHIFTED})
        self.assertEqual((code, night["state"]), (1, "flagged"), night["reason"])
        self.assertEqual({f["id"]: f["verdict"] for f in night["flagged"]}, {c: "regression" for c in SHIFTED})
        with open(os.path.join(out, "summary.md")) as f:
            table = f.read().split("## Regressions, failures and drifts")[1].split("## Improvements")[0]
        for case in SHIFTED:
            self.assertIn(f"`{case}`", table)
        with open(os.path.join(out, "comparison.ktap")) as f:
            doc = ktap_parser.parse(f.read(), strict=True)
        self.assertEqual({t.name for t in doc.tests[0].subtests if t.outcome == "fail"}, set(SHIFTED))
        junit = ET.parse(os.path.join(out, "comparison.junit.xml"))
        self.assertEqual({c.get("name") for c in junit.iter("testcase") if c.find("failure") is not None}, set(SHIFTED))
        with open(os.path.join(out, "report", "index.html")) as f:
            page = f.read()
        for i, case in enumerate(sorted(SHIFTED)):
            self.assertIn(f"case-history-{i + 1}.png", page)
        night, code, _ = self.plant(rng, level, template, "planted")
        self.assertEqual(code, 0, night["reason"])
        # the creep
        first, caught, drift = None, {}, None
        for k in range(1, 16):
            night, code, _ = self.plant(rng, level, template, "creep", {c: 1.005 ** k for c in CREEPING})
            first = first or night["run"]
            self.assertLessEqual({f["id"] for f in night["flagged"]}, set(CREEPING), night["reason"])
            self.assertEqual(code, 1 if night["flagged"] else 0, night["reason"])
            for f in night["flagged"]:
                caught.setdefault(f["id"], f["verdict"])
            drift = drift or (night if night["drift"] else None)
            if len(caught) == len(CREEPING):
                break
        self.print_figures()
        print(f"creep from run {first}: caught {caught}")
        self.check_membership()
        self.assertEqual(set(caught), set(CREEPING))
        self.assertIsNotNone(drift, caught)
        for d in drift["drift"]:
            self.assertEqual(d["direction"], "slower")
            self.assertLessEqual(abs(d["began_run"] - first), 2, d)
        # no quiet night was flagged
        for what, night, code, _ in self.nights:
            if what in ("real", "planted"):
                self.assertNotEqual(code, 1, night["reason"])


if __name__ == "__main__":
    xbtest.main()
