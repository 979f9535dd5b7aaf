"""test_datasheet.py - `datasheet`: bad arguments exit 2 with the usage before anything is
measured; the layout of recorded machines (Sapphire Rapids with AMX, XFD, PKRU and a
supervisor state; this machine's dump; a CPU without XSAVEC) against hand-worked offsets;
`--quick` live into a temporary directory (the layout checked on this CPU with no finding,
the cases stored in the database, the JSON's structure); the costs, increments and robust
line from a stored run of constructed costs (one component planted off the line); the
virtualization table from native, ring-0 and guest results with a functional-only one; two
datasheets compared; and the HTML in headless Chromium (its tables lay out, its chart loads
at its size with its title inside). No timing is asserted."""
import json
import os
import re
import sqlite3
import statistics
import tempfile

import xbtest
from chromium_page import IMAGE_CHECK, TABLE_CHECK, TITLE_CHECK, chromium
from xbtest import dump, run

FILTER = re.compile(r"^native/(ring0/)?(save|restore)/[^/]+/(fp|avx|fp\+[a-z0-9_]+)/(inuse|init|clean|modified)$")
# The constructed costs: ticks = 42.4 + 0.1 * bytes, bytes = 576 + the component's size.
SIZES = {"fp": 0, "ymm": 256, "opmask": 64, "zmm_hi256": 512, "hi16_zmm": 1024}
OFF_LINE = "hi16_zmm"  # planted 50% above the line


def line_cost(component, scale=1.0):
    cost = 42.4 + 0.1 * (576 + SIZES[component])
    return scale * cost * (1.5 if component == OFF_LINE else 1.0)


def write_import(path, scale=1.0):
    """A Google Benchmark file: xsave and xsavec in use (and xsavec in init) for the baseline
    and each component, and one operation natively, in ring 0 and in a guest."""
    cases = {}
    for op in ["native/save/xsave", "native/save/xsavec"]:
        for comp in SIZES:
            name = "fp" if comp == "fp" else f"fp+{comp}"
            cases[f"{op}/{name}/inuse"] = line_cost(comp, scale)
    cases["native/save/xsavec/fp/init"] = 30 * scale
    cases["native/save/xsavec/fp+ymm/init"] = 35 * scale
    cases["native/ring0/save/xsave/fp/inuse"] = 150 * scale
    cases["guest/save/xsave/fp/inuse"] = 300 * scale
    noise = [1.0, 0.998, 1.002, 0.999, 1.001]
    with open(path, "w") as out:
        json.dump({"context": {"host_name": "datasheet-host", "date": "2026-01-01T00:00:00Z"},
                   "benchmarks": [dict(name=k, run_type="iteration", iterations=100, real_time=1.0, cpu_time=1.0,
                                       time_unit="ns", ticks_per_op=t * n) for k, t in cases.items() for n in noise]},
                  out)


def read_json(out_dir):
    with open(os.path.join(out_dir, "datasheet.json")) as f:
        return json.load(f)


def components(doc):
    return {c["short_name"]: c for c in doc["layout"]["components"]}


def page_check(out_dir, name, script):
    """The datasheet's page with @script appended, as Chromium's DOM after load."""
    with open(os.path.join(out_dir, "datasheet.html")) as f:
        html = f.read()
    path = os.path.join(out_dir, name)
    with open(path, "w") as f:
        f.write(html.replace("</body>", script + "</body>"))
    r = chromium("--virtual-time-budget=20000", "--dump-dom", "file://" + path)
    assert r.returncode == 0, r.stderr
    return r.stdout


class BadArguments(xbtest.TempDirTest):
    def check_usage(self, *args):
        db = os.path.join(self.tmp, "never.db")
        r = run("datasheet", "--db", db, *args)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("usage: xstate-bench datasheet", r.stderr)
        self.assertFalse(os.path.exists(db))  # nothing measured, nothing stored
        return r

    def test_usage_errors(self):
        out = os.path.join(self.tmp, "out")
        self.assertIn("missing --out", self.check_usage().stderr)
        self.check_usage("--out", out, "--bogus")
        self.check_usage("--out", out, "extra")
        self.check_usage("--out", out, "--progress", "sometimes")
        self.check_usage("--out", out, "--cpuid-dump", dump("intel-sapphirerapids.dump"), "--quick")
        self.assertIn("--compare", self.check_usage("--out", out, "--compare", os.path.join(self.tmp, "no.json")).stderr)
        other = os.path.join(self.tmp, "other.json")
        with open(other, "w") as f:
            json.dump({"benchmarks": []}, f)
        self.assertIn("not a datasheet", self.check_usage("--out", out, "--compare", other).stderr)
        self.assertFalse(os.path.exists(out))
        self.check_usage("--out", "/proc/xb-datasheet/out")


class RecordedLayouts(xbtest.TempDirTest):
    def datasheet(self, name):
        out = os.path.join(self.tmp, name)
        r = run("datasheet", "--cpuid-dump", dump(name), "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = read_json(out)
        self.assertFalse(doc["layout"]["checked_on_silicon"])
        for c in doc["layout"]["components"]:
            self.assertEqual({v["result"] for v in c["checks"].values()}, {"skip"})
        self.assertNotIn("costs", doc)
        return doc

    def offsets(self, doc):
        return {n: (c["size"], c["offset"], c["compacted_offset"]) for n, c in components(doc).items()}

    def test_sapphire_rapids(self):
        doc = self.datasheet("intel-sapphirerapids.dump")
        got = self.offsets(doc)
        # hand-worked: XCR0 0x602e7 and XSS 0x800 (CET_U) compacted; tile config 64-byte aligned
        # moves from 2456 to 2496
        self.assertEqual(got["ymm"], (256, 576, 576))
        self.assertEqual(got["opmask"], (64, 1088, 832))
        self.assertEqual(got["zmm_hi256"], (512, 1152, 896))
        self.assertEqual(got["hi16_zmm"], (1024, 1664, 1408))
        self.assertEqual(got["pkru"], (8, 2688, 2432))
        self.assertEqual(got["cet_user"], (16, 0, 2440))
        self.assertEqual(got["xtilecfg"], (64, 2752, 2496))
        self.assertEqual(got["xtiledata"], (8192, 2816, 2560))
        comps = components(doc)
        self.assertTrue(comps["cet_user"]["supervisor"])
        self.assertTrue(comps["xtiledata"]["xfd"] and comps["xtiledata"]["align64"])
        self.assertIsNone(comps["pt"]["compacted_offset"])  # supported, not enabled
        self.assertEqual(comps["xtiledata"]["name"], "AMX Tile data")  # as probe names it
        with open(os.path.join(self.tmp, "intel-sapphirerapids.dump", "datasheet.md")) as f:
            md = f.read()
        self.assertIn("Not checked on the silicon", md)

    def test_this_machines_dump(self):
        got = self.offsets(self.datasheet("intel-xeon-amx-kvm.dump"))
        self.assertEqual(got["xtilecfg"], (64, 2752, 2432))
        self.assertEqual(got["xtiledata"], (8192, 2816, 2496))
        self.assertNotIn("pkru", got)

    def test_without_xsavec(self):
        doc = self.datasheet("intel-sandybridge.dump")
        self.assertFalse(doc["xsave"]["xsavec"])
        self.assertEqual(self.offsets(doc)["ymm"], (256, 576, None))  # no compacted format


class Live(xbtest.TempDirTest):
    def test_quick_run(self):
        out, db = os.path.join(self.tmp, "out"), os.path.join(self.tmp, "d.db")
        r = run("datasheet", "--quick", "--progress", "none", "--out", out, "--db", db)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("layout: 0 findings", r.stdout)
        doc = read_json(out)
        self.assertTrue(doc["layout"]["checked_on_silicon"])
        self.assertEqual(doc["layout"]["findings"], [])
        comps = components(doc)
        for name in ["x87", "sse"]:
            self.assertEqual({k: v["result"] for k, v in comps[name]["checks"].items()}["xsave"], "ok")
            self.assertEqual(comps[name]["checks"]["xrstor"]["result"], "ok")
        for c in comps.values():
            if c["enabled"] and not c["supervisor"]:
                self.assertIn(c["checks"]["xsave"]["result"], ["ok", "skip"], c)
            if c["enabled"] and c["supervisor"]:  # XSAVE, XSAVEC and XRSTOR do not reach it
                self.assertIn("supervisor component", c["checks"]["xsave"]["detail"], c)
        # XSAVES and XRSTORS run in ring 0 only: through the module, skipped here without it
        # (tests/lab/test_lab_ring0.py runs them with the module loaded)
        if not doc["layout"]["ring0"]["module"]:
            why = comps["x87"]["checks"]["xsaves"]
            self.assertEqual(why["result"], "skip")
            self.assertIn("xstate_bench module" if doc["xsave"]["xsaves"] else "CPUID.(EAX=0DH,ECX=1):EAX[3]=0",
                          why["detail"])
        ops = {o["operation"]: o for o in doc["costs"]["operations"]}
        self.assertIn("native/save/xsave", ops)
        fp = ops["native/save/xsave"]["rows"][0]
        self.assertEqual((fp["component"], fp["bytes"]), ("fp", 576))
        with sqlite3.connect(db) as c:
            names = [n for (n,) in c.execute("SELECT c.name FROM results r JOIN cases c ON c.id = r.case_id")]
            runs = c.execute("SELECT command_line FROM runs").fetchall()
        self.assertEqual(len(runs), 1)
        self.assertIn("datasheet", runs[0][0])
        self.assertTrue(names)
        self.assertTrue(all(FILTER.match(n) for n in names), names)
        for f in ["datasheet.md", "datasheet.html"]:
            self.assertTrue(os.path.getsize(os.path.join(out, f)) > 0)


class FromStoredRuns(xbtest.TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls._dir = tempfile.TemporaryDirectory(prefix="xb-datasheet-")
        cls.dir = cls._dir.name
        cls.db = os.path.join(cls.dir, "r.db")
        for label, scale in [("r1", 1.0), ("r2", 2.0)]:
            path = os.path.join(cls.dir, f"{label}.json")
            write_import(path, scale)
            r = run("import", "--db", cls.db, "--label", label, path)
            assert r.returncode == 0, r.stderr
        with sqlite3.connect(cls.db) as c:
            c.execute("INSERT INTO result_attributes (run_id, case_id, name, value) SELECT r.run_id, r.case_id, "
                      "'functional_only', 'QEMU TCG' FROM results r JOIN cases c ON c.id = r.case_id "
                      "WHERE c.name = 'guest/save/xsave/fp/inuse'")
        cls.out = {k: os.path.join(cls.dir, k) for k in ["r1", "r2"]}
        cls.r2 = run("datasheet", "--run", "r2", "--db", cls.db, "--out", cls.out["r2"])
        cls.r1 = run("datasheet", "--run", "r1", "--db", cls.db, "--out", cls.out["r1"],
                     "--compare", os.path.join(cls.out["r2"], "datasheet.json"))

    @classmethod
    def tearDownClass(cls):
        cls._dir.cleanup()

    def test_costs_increments_and_line(self):
        self.assertEqual(self.r1.returncode, 0, self.r1.stdout + self.r1.stderr)
        ops = {o["operation"]: o for o in read_json(self.out["r1"])["costs"]["operations"]}
        xsavec = ops["native/save/xsavec"]
        self.assertEqual(xsavec["conditions"], ["init", "inuse"])
        rows = {r["component"]: r for r in xsavec["rows"]}
        self.assertEqual(set(rows), set(SIZES))
        med = statistics.median([1.0, 0.998, 1.002, 0.999, 1.001])
        for comp in SIZES:
            self.assertEqual(rows[comp]["bytes"], 576 + SIZES[comp])
            self.assertAlmostEqual(rows[comp]["costs"]["inuse"]["ticks"], line_cost(comp) * med, places=6)
            self.assertAlmostEqual(rows[comp]["costs"]["inuse"]["increment"],
                                   (line_cost(comp) - line_cost("fp")) * med, places=6)
        self.assertAlmostEqual(rows["ymm"]["costs"]["init"]["increment"], 5.0, places=6)
        fit = xsavec["fits"]["inuse"]
        self.assertEqual(fit["points"], 5)
        self.assertAlmostEqual(fit["slope_ticks_per_64b"], 6.4, delta=0.2)
        self.assertAlmostEqual(fit["intercept_ticks"], 42.4, delta=3)
        self.assertEqual(fit["off_line"], [OFF_LINE])
        self.assertNotIn("slope_cycles_per_64b", fit)  # an import has no estimated cycles
        self.assertIn("fewer than 3", xsavec["fits"]["init"]["why"])

    def test_virtualization(self):
        rows = {r["operation"]: r for r in read_json(self.out["r1"])["virtualization"]["rows"]}
        row = rows["save/xsave/fp/inuse"]  # the latest run of each case: r2's
        self.assertAlmostEqual(row["native"], line_cost("fp", 2.0), delta=0.5)
        self.assertAlmostEqual(row["ring0"], 300, delta=1)
        self.assertAlmostEqual(row["guest"], 600, delta=1)
        self.assertAlmostEqual(row["guest_over_ring0"], 2.0, places=3)
        self.assertTrue(row["functional_only"])
        self.assertNotIn("save/xsavec/fp/inuse", rows)  # measured natively only

    def test_compare(self):
        doc = read_json(self.out["r1"])
        ratios = {(c["operation"], c["condition"], c["component"]): c["ratio"] for c in doc["compare"]["costs"]}
        self.assertEqual(len(ratios), 2 * len(SIZES) + 3)  # and the ring-0 save of fp
        for r in ratios.values():
            self.assertAlmostEqual(r, 0.5, places=6)
        self.assertFalse(any(c["differs"] for c in doc["compare"]["layout"]))
        # against a recorded Sapphire Rapids: PKRU and CET are there only
        spr = os.path.join(self.dir, "spr")
        self.assertEqual(run("datasheet", "--cpuid-dump", dump("intel-sapphirerapids.dump"), "--out", spr).returncode, 0)
        both = os.path.join(self.dir, "both")
        r = run("datasheet", "--run", "r1", "--db", self.db, "--out", both, "--compare", os.path.join(spr, "datasheet.json"))
        self.assertEqual(r.returncode, 0, r.stderr)
        layout = {c["component"]: c for c in read_json(both)["compare"]["layout"]}
        self.assertTrue(layout["pkru"]["differs"])
        self.assertIsNone(layout["cet_user"]["fields"]["size"][0])
        self.assertEqual(layout["cet_user"]["fields"]["size"][1], 16)
        with open(os.path.join(both, "datasheet.md")) as f:
            self.assertIn("Compared with", f.read())

    def test_html_in_chromium(self):
        self.assertEqual(self.r1.returncode, 0, self.r1.stderr)
        with open(os.path.join(self.out["r1"], "datasheet.html")) as f:
            html = f.read()
        titles = dict(re.findall(r'<img src="([^"]+)\.png" width="\d+" height="\d+" alt="([^"]+)"', html))
        self.assertEqual(list(titles), ["datasheet-costs"])
        dom = page_check(self.out["r1"], "check.html", IMAGE_CHECK + TABLE_CHECK)
        self.assertIn("1 of 1 loaded at their size", dom)
        m = re.search(r'<pre id="xb-tables">(\d+) tables, (\d+) rows</pre>', dom)
        self.assertIsNotNone(m, dom[-2000:])
        # layout, 2 x (costs, fits), virtualization, compare's layout and costs
        self.assertGreaterEqual(int(m.group(1)), 7)
        self.assertGreater(int(m.group(2)), 20)
        # the chart's title lies inside its SVG
        path = os.path.join(self.out["r1"], "titles.html")
        with open(path, "w") as f:
            f.write(TITLE_CHECK % '<object data="datasheet-costs.svg" data-name="costs" data-title="%s" '
                    'type="image/svg+xml"></object>' % titles["datasheet-costs"])
        r = chromium("--virtual-time-budget=20000", "--dump-dom", "file://" + path)
        self.assertIn("costs title found, 0 outside", r.stdout)


if __name__ == "__main__":
    xbtest.main()
