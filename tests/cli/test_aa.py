"""test_aa.py - compare's verdicts on real data: tests/data/aa holds four exports of the
default native suite, one build, one machine (README there): two quiet runs back to back and
two with a build running beside them; tests/data/aa-intel six more from another machine, four
quiet and two loaded. Every pair of them is noise, so no comparison may call anything a
regression or an improvement or exit 1, and a quiet pair passes; a quiet run against a loaded
one must say that the machine was disturbed. Shifts planted by multiplying the real samples of chosen
cases (3%, 5%, 10%, both ways) must be found wherever the case claims it could detect them,
at the power it claims, and nothing else may be flagged."""
import itertools
import json
import lzma
import math
import os
import random
import tempfile

import xbtest
from xbtest import run

DATA = os.path.join(os.path.dirname(__file__), "..", "data")
# every value of an entry that is a time per operation
TIME_FIELDS = ("real_time", "cpu_time", "ticks_per_op", "ns_per_op", "core_cycles_per_op", "ticks_per_op_mean")
POWER = 0.80


class RealAA(xbtest.TempDirTest):
    """tests/data/aa: AMD Zen 5, two quiet runs and two loaded."""
    DATASET = "aa"
    QUIET = ("quiet-1", "quiet-2")
    LOADED = ("loaded-1", "loaded-2")
    LOADED_SLOWER = True  # its core cycles per op moved by tens of percent under load

    @classmethod
    def load(cls, name):
        with lzma.open(os.path.join(DATA, cls.DATASET, name + ".json.xz"), "rt") as f:
            return json.load(f)

    @classmethod
    def setUpClass(cls):
        cls._dir = tempfile.TemporaryDirectory(prefix="xb-aa-")
        cls.db = os.path.join(cls._dir.name, "aa.db")
        cls.runs = cls.QUIET + cls.LOADED
        cls.exports = {name: cls.load(name) for name in cls.runs}
        for name in cls.runs:
            cls.import_json(cls.exports[name], name)

    @classmethod
    def tearDownClass(cls):
        cls._dir.cleanup()

    @classmethod
    def import_json(cls, j, label):
        path = os.path.join(cls._dir.name, label + ".json")
        with open(path, "w") as f:
            json.dump(j, f)
        r = run("import", "--db", cls.db, "--label", label, path)
        assert r.returncode == 0, r.stderr

    def compare(self, *args):
        r = run("compare", "--db", self.db, "--format", "json", *args)
        self.assertIn(r.returncode, (0, 1, 3), r.stderr)
        return r.returncode, json.loads(r.stdout)

    def test_no_pair_flags_anything(self):
        for base, new in itertools.permutations(self.runs, 2):
            code, j = self.compare(base, new)
            flagged = [c["id"] for c in j["cases"] if c["verdict"] in ("regression", "improvement")]
            self.assertEqual(flagged, [], (base, new))
            self.assertNotEqual(code, 1, (base, new))

    def test_quiet_pair_passes(self):
        for base, new in itertools.permutations(self.QUIET, 2):
            code, j = self.compare(base, new)
            self.assertEqual(code, 0, (base, new))
            shift = j["new"][0]["shift"]
            self.assertLess(abs(shift["ratio"] - 1), 0.02)
            self.assertNotIn("disturbed", j["new"][0])

    def test_loaded_runs_are_disturbed(self):
        for base, new in (("quiet-1", "loaded-1"), ("quiet-2", "loaded-2"), ("loaded-1", "quiet-2"),
                          ("loaded-1", "loaded-2")):
            code, j = self.compare(base, new)
            self.assertEqual(code, 3, (base, new))
            self.assertRegex(j["new"][0]["disturbed"], "^(BASE|NEW)")
            self.assertTrue(all(c["verdict"] == "disturbed" for c in j["cases"]), (base, new))
        text = run("compare", "--db", self.db, "quiet-1", "loaded-1").stdout
        self.assertIn("DISTURBED: NEW", text)
        # the whole machine moved (on the machine that slowed down under load): shown with its
        # interval and the clock control
        if self.LOADED_SLOWER:
            self.assertRegex(text, r"machine-wide shift: \+\d\d\.\d\d% \[\+\d\d\.\d\d, \+\d\d\.\d\d\]")
        self.assertIn("controls: core clock", text)

    def planted(self, source, seed):
        """@source with shifts planted on 36 cases chosen at random: 6 each of +-3, 5, 10%."""
        j = json.loads(json.dumps(self.exports[source]))
        # the samples, not the aggregates (NAME_median, ...) a newer export appends
        names = sorted({b["name"] for b in j["benchmarks"] if b.get("run_type", "iteration") == "iteration"}
                       - {"native/loop/empty/none"})
        rng = random.Random(seed)
        shifts = {}
        for name, shift in zip(rng.sample(names, 36), [s for s in (0.03, 0.05, 0.10, -0.03, -0.05, -0.10)
                                                       for _ in range(6)]):
            shifts[name] = shift
        for b in j["benchmarks"]:
            if b["name"] in shifts and b.get("run_type", "iteration") == "iteration":
                for field in TIME_FIELDS:
                    if field in b:
                        b[field] *= 1 + shifts[b["name"]]
        return j, shifts

    def test_planted_shifts_found_at_the_claimed_power(self):
        claimed = found = 0
        for base, source, seed in (("quiet-1", "quiet-2", 1), ("quiet-2", "quiet-1", 2), (self.QUIET[0], self.QUIET[-1], 3)):
            j, shifts = self.planted(source, seed)
            label = f"planted-{seed}"
            self.import_json(j, label)
            code, out = self.compare(base, label)
            for c in out["cases"]:
                shift = shifts.get(c["id"])
                if shift is None:
                    self.assertNotIn(c["verdict"], ("regression", "improvement"), (label, c["id"]))
                    continue
                wanted = "regression" if shift > 0 else "improvement"
                if c["verdict"] in ("regression", "improvement"):
                    self.assertEqual(c["verdict"], wanted, (label, c["id"]))
                if c["detectable"] is not None and c["detectable"] <= abs(shift):
                    claimed += 1
                    found += c["verdict"] == wanted
            self.assertEqual(code, 1 if any(c["verdict"] == "regression" for c in out["cases"]) else 0, label)
        print(f"planted: {found} of {claimed} cases that claimed their shift found")
        self.assertGreaterEqual(claimed, 20)
        self.assertGreaterEqual(found, POWER * claimed - 2 * math.sqrt(claimed * POWER * (1 - POWER)))


class RealAAIntel(RealAA):
    """tests/data/aa-intel: Intel Xeon (AMX) under KVM, four quiet runs and two loaded, which
    are also each other's prior runs (each case's own run-to-run spread)."""
    DATASET = "aa-intel"
    QUIET = ("quiet-1", "quiet-2", "quiet-3", "quiet-4")
    LOADED_SLOWER = False  # its core cycles per op did not move under load: the PU was shared


if __name__ == "__main__":
    xbtest.main()
