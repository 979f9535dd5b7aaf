"""test_review.py - `xstate-bench review MANIFEST` on real data without the lab: the four
exports of tests/data/aa (two quiet runs of one build and two loaded ones) imported as the
interleaved runs of a base and a version, with a 30% change planted on chosen cases of the
version, as compare-series.py's manifest describes them. Checked: the verdicts (the planted
cases are regressions, nothing else is flagged, exit 1), the text (80 columns, the header's
kernels, releases, patches and schedule, only the changed cases, the summary), the Markdown
and the HTML report; timings marked functional only are never judged without
--functional-only-verdicts and are judged with it, with the banner in every output; a case
that only the version measured is new; every manifest error exits 2 naming what is wrong; the
runs:A,B series compare accepts.
Usage: test_review.py XSTATE_BENCH CPUID_DIR"""
import copy
import json
import lzma
import os
import sqlite3

import xbtest
from xbtest import run

AA = os.path.join(os.path.dirname(__file__), "..", "data", "aa")
TIME_FIELDS = ("real_time", "cpu_time", "ticks_per_op", "ns_per_op", "core_cycles_per_op", "ticks_per_op_mean")
PLANTED = ("native/save/xsave/avx/inuse", "native/save/xsave/avx/clean", "native/restore/xrstor/avx/inuse")
NEW_CASE = "native/save/xsave/fp/planted-only"
FUNCTIONAL_ONLY = "QEMU TCG: the timings of an emulated CPU"


def load(name):
    with lzma.open(os.path.join(AA, name + ".json.xz"), "rt") as f:
        return json.load(f)


def planted(j, factor, extra_case):
    j = copy.deepcopy(j)
    added = []
    for b in j["benchmarks"]:
        if b.get("run_name", b["name"]) in PLANTED:
            for k in TIME_FIELDS:
                if isinstance(b.get(k), (int, float)):
                    b[k] *= factor
        if extra_case and b.get("run_name", b["name"]) == "native/save/xsave/fp/inuse":
            n = copy.deepcopy(b)
            n["name"] = n["run_name"] = NEW_CASE
            added.append(n)
    j["benchmarks"] += added
    return j


class Review(xbtest.TempDirTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls._dir = tempfile.TemporaryDirectory(prefix="xb-review-")
        cls.db = os.path.join(cls._dir.name, "series.db")
        quiet = [load("quiet-1"), load("quiet-2")]
        # interleaved: base, v1, base, v1 (runs 1 to 4)
        for i, j in enumerate([quiet[0], planted(quiet[0], 1.3, True), quiet[1], planted(quiet[1], 1.3, True)]):
            path = os.path.join(cls._dir.name, f"r{i}.json")
            with open(path, "w") as f:
                json.dump(j, f)
            r = run("import", "--db", cls.db, "--label", f"s-{'base' if i % 2 == 0 else 'v1'}-r{i // 2 + 1}", path)
            assert r.returncode == 0, r.stderr
        with sqlite3.connect(cls.db) as db:
            db.execute("UPDATE runs SET kernel_release = CASE WHEN id % 2 = 1 THEN '6.1.192-xbaaaa' "
                       "ELSE '6.1.192-xbbbbb' END")

    @classmethod
    def tearDownClass(cls):
        cls._dir.cleanup()

    def manifest(self, **changes):
        m = {"format": "xstate-bench review 1", "host": "host1 (a CPU, microcode 0x1), kernel 6.18",
             "lab": "QEMU emulator version 7.2, -accel tcg -cpu max, 1 CPU, 2048 MiB",
             "suites": "xstate-bench run --suite native --quick, 2 interleaved rounds", "rounds": 2,
             "wall_seconds": 900.0,
             "kernels": [{"name": "base", "source": "linux-source-6.1.tar.xz (Debian linux-source-6.1 6.1.192-3), "
                          "kernel.config over tinyconfig", "patches": [], "build_seconds": 700.0, "build_cached": True},
                         {"name": "v1", "source": "the same tree", "build_seconds": 40.0, "build_cached": False,
                          "patches": ["0001-x86-fpu-copy-the-outgoing-fpstate-once-more-in-fpu_s.patch: x86/fpu: copy "
                                      "the outgoing fpstate once more in fpu_swap_kvm_fpstate()"]}],
             "schedule": [{"kernel": "base", "run": 1, "seconds": 80.5}, {"kernel": "v1", "run": 2, "seconds": 81.0},
                          {"kernel": "base", "run": 3, "seconds": 79.0}, {"kernel": "v1", "run": 4, "seconds": 83.0}]}
        m.update(changes)
        path = os.path.join(self.tmp, "series.json")
        with open(path, "w") as f:
            json.dump(m, f)
        return path

    def review(self, *args, manifest=None):
        return run("review", "--db", self.db, *args, manifest or self.manifest())

    def test_text(self):
        r = self.review()
        self.assertEqual(r.returncode, 1, r.stderr)
        lines = r.stdout.splitlines()
        for line in lines:
            self.assertLessEqual(len(line), 80, line)
        self.assertTrue(lines[0].startswith("review    v1 against base"), lines[0])
        self.assertIn("base: 6.1.192-xbaaaa, runs 1, 3", r.stdout)
        self.assertIn("v1: 6.1.192-xbbbbb, runs 2, 4", r.stdout)
        self.assertIn("fpu_swap_kvm_fpstate()", r.stdout)
        self.assertIn("schedule  base, v1; base, v1 (4 lab runs of 79-83 s", r.stdout)
        self.assertIn("machine-wide shift", r.stdout)
        self.assertNotIn("FUNCTIONAL ONLY", r.stdout)
        cases = [line.split()[0] for line in lines if line and not line.startswith(" ") and "/" in line.split()[0]]
        self.assertEqual(sorted(cases), sorted(PLANTED + (NEW_CASE,)), r.stdout)
        for case in PLANTED:
            block = r.stdout[r.stdout.index(case):].split("\n\n")[0]
            self.assertRegex(block, r"\n  v1 .* \+30\.0% .*regression", block)
        block = r.stdout[r.stdout.index(NEW_CASE):].split("\n\n")[0]
        self.assertIn("new", block)
        self.assertIn("summary   v1: 3 regression, 0 improvement", r.stdout)
        self.assertIn("1 new", r.stdout)

    def test_outputs(self):
        out = os.path.join(self.tmp, "out")
        r = self.review("--out", out)
        self.assertEqual(r.returncode, 1, r.stderr)
        with open(os.path.join(out, "review.txt")) as f:
            self.assertEqual(f.read(), r.stdout)
        with open(os.path.join(out, "review.md")) as f:
            md = f.read()
        self.assertIn("# xstate-bench review: v1 against base", md)
        self.assertIn("| v1 | `6.1.192-xbbbbb` | runs 2, 4 |", md)
        self.assertIn("**regression**", md)
        self.assertIn("<details><summary>Every case</summary>", md)
        with open(os.path.join(out, "report", "index.html")) as f:
            html = f.read()
        self.assertIn("<td>v1</td>", html)  # the series shown by its kernel's name
        self.assertTrue(any(name.endswith(".svg") for name in os.listdir(os.path.join(out, "report"))))

    def mark_functional_only(self, db):
        with sqlite3.connect(db) as con:
            con.execute("INSERT INTO result_attributes (run_id, case_id, name, value) SELECT run_id, case_id, "
                        "'functional_only', ? FROM results WHERE status = 'ok'", (FUNCTIONAL_ONLY,))

    def test_functional_only(self):
        import shutil
        db = os.path.join(self.tmp, "tcg.db")
        shutil.copy(self.db, db)
        self.mark_functional_only(db)
        out = os.path.join(self.tmp, "out")
        r = run("review", "--db", db, self.manifest())
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)  # never judged: nothing regressed
        self.assertNotIn("regression\n", r.stdout)
        self.assertNotIn("FUNCTIONAL ONLY", r.stdout)
        r = run("review", "--db", db, "--functional-only-verdicts", "--out", out, self.manifest())
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("*" * 80 + "\nFUNCTIONAL ONLY: these timings are not a real CPU's", r.stdout)
        self.assertIn(FUNCTIONAL_ONLY, r.stdout)
        for case in PLANTED:
            block = r.stdout[r.stdout.index("\n" + case):].split("\n\n")[0]
            self.assertIn("regression", block)
        for name in ("review.md", os.path.join("report", "index.html"), os.path.join("report", "report.md")):
            with open(os.path.join(out, name)) as f:
                self.assertIn("FUNCTIONAL ONLY", f.read(), name)
        # compare of the same runs judges nothing and says why
        c = run("compare", "--db", db, "--format", "json", "runs:1,3", "runs:2,4")
        self.assertEqual(c.returncode, 0, c.stderr)
        verdicts = {row["verdict"] for row in json.loads(c.stdout)["cases"]}
        self.assertNotIn("regression", verdicts)

    def test_runs_series(self):
        c = run("compare", "--db", self.db, "--format", "json", "runs:1,3", "runs:2,4")
        self.assertEqual(c.returncode, 1, c.stderr)
        j = json.loads(c.stdout)
        self.assertEqual([r["id"] for r in j["base"]["runs"]], [1, 3])
        for args, message in [(["runs:1,x"], "'x' is not a run id"), (["runs:1,1"], "run 1 twice"),
                              (["runs:"], "no run id"), (["runs:1,99"], "no run 99")]:
            r = run("compare", "--db", self.db, *args, "runs:2,4")
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(message, r.stderr, args)

    def test_manifest_errors(self):
        with open(self.manifest()) as f:
            base = json.load(f)
        cases = [
            ({"format": "xstate-bench review 0"}, "want 'xstate-bench review 1'"),
            ({"kernels": base["kernels"][:1]}, "must list the base and 1 to 7 versions"),
            ({"schedule": base["schedule"] + [{"kernel": "v2", "run": 5}]}, "names kernel v2"),
            ({"schedule": base["schedule"] + [{"kernel": "v1", "run": 2}]}, "run 2 is in the schedule twice"),
            ({"schedule": base["schedule"][:1]}, "kernel v1 has no run in the schedule"),
            ({"schedule": [{"kernel": "base", "run": 1}, {"kernel": "v1", "run": 2}, {"kernel": "v1", "run": 3}]},
             "run 3 ran 6.1.192-xbaaaa"),
            ({"schedule": [{"kernel": "base", "run": 1}, {"kernel": "v1", "run": 99}]}, "no run 99"),
            ({"kernels": [base["kernels"][0], dict(base["kernels"][1], name="base")]}, "two kernels are named base"),
            ({"kernels": [base["kernels"][0], dict(base["kernels"][1], name="a/b")]}, "kernel name 'a/b'"),
            ({"kernels": [base["kernels"][0], dict(base["kernels"][1], patches="one")]}, "list of strings"),
            ({"rounds": "three"}, "\"rounds\" must be a number"),
            ({"host": None}, "\"host\" must be a string"),
        ]
        for change, message in cases:
            r = self.review(manifest=self.manifest(**change))
            self.assertEqual(r.returncode, 2, (change, r.stdout, r.stderr))
            self.assertIn(message, r.stderr, change)
        with open(os.path.join(self.tmp, "bad.json"), "w") as f:
            f.write("{ not json")
        self.assertIn("not JSON", self.review(manifest=os.path.join(self.tmp, "bad.json")).stderr)
        r = self.review(manifest=os.path.join(self.tmp, "missing.json"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("No such file", r.stderr)

    def test_usage(self):
        self.assertEqual(run("review", "--help").returncode, 0)
        for args in [[], ["a", "b"], ["--threshold", "x", "m"], ["--nope", "m"]]:
            r = run("review", *args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("usage: xstate-bench review", r.stderr)


if __name__ == "__main__":
    xbtest.main()
