"""test_report.py - `report` draws its charts with the real gnuplot (PNG and SVG) and writes
index.html and report.md. What is checked: the page's order (machine and verdicts first,
charts before the long table); the forest plot carries compare's own ratios and intervals,
regressions first, a colour per verdict, on a log axis; cost charts are bars side by side
with the median and its interval, on an axis that one wide interval or a wide spread of
costs cannot flatten; history is drawn against the date with a distinct colour and marker
per case and BASE's band. Headless Chromium (Debian's chromium) then opens the page and every
SVG: every image loads at its declared size, every chart's title is inside its image, and a
screenshot is taken; controls (an image renamed, a title moved out) must be caught."""
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import tempfile

import xbtest
from chromium_page import IMAGE_CHECK, TITLE_CHECK, chromium
from xbtest import run

def write_run(path, host, date, cases):
    """A Google Benchmark file of @cases: {id: [ticks, ...]}."""
    with open(path, "w") as out:
        json.dump({"context": {"host_name": host, "date": date},
                   "benchmarks": [dict(name=k, run_type="iteration", iterations=100, real_time=1.0, cpu_time=1.0,
                                       time_unit="ns", ticks_per_op=t) for k, ts in cases.items() for t in ts]}, out)


def gp_section(gp, name):
    """The part of report.gp that draws chart @name."""
    start = gp.index(f"set output '{name}.png'")
    return gp[gp.rindex("reset\n", 0, start):gp.index(f"set output '{name}.svg'")]


def blocks(path):
    """A gnuplot data file's blocks (separated by two blank lines), as lists of rows."""
    with open(path) as f:
        text = f.read()
    return [[line.split() for line in b.splitlines() if line and not line.startswith("#")]
            for b in text.split("\n\n\n")]


class Report(xbtest.TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="xb-report-")
        cls.db = os.path.join(cls.dir, "r.db")
        rng = random.Random(1)
        for i, shift in enumerate([1.0, 1.01, 1.2]):
            cases = {}
            for op in ["native/save/xsave", "native/save/xsavec", "native/restore/xrstor"]:
                for f, cost in [("fp", 100), ("avx", 150), ("avx512", 400)]:
                    for cond in ["init", "inuse"]:
                        # r2: xsave alone 20% slower (a regression, not the whole machine)
                        ticks = cost * (1.3 if cond == "inuse" else 1) * (shift if op.endswith("/xsave") else 1)
                        cases[f"{op}/{f}/{cond}"] = [ticks * (1 + 0.01 * rng.gauss(0, 1)) for _ in range(10)]
            path = os.path.join(cls.dir, f"run{i}.json")
            write_run(path, "report-host", f"2026-01-0{i + 1}T00:00:00Z", cases)
            r = run("import", "--db", cls.db, "--label", f"r{i}", path)
            assert r.returncode == 0, r.stderr
        cls.out = os.path.join(cls.dir, "report")
        cls.result = run("report", "--db", cls.db, "--out", cls.out, "r0", "r1", "r2")
        with open(os.path.join(cls.out, "report.gp")) as f:
            cls.gp = f.read()
        with open(os.path.join(cls.out, "index.html")) as f:
            cls.html = f.read()

    @classmethod
    def tearDownClass(cls):
        if not os.environ.get("XB_KEEP_REPORT"):
            shutil.rmtree(cls.dir, ignore_errors=True)

    def test_gnuplot_has_png_and_svg(self):
        r = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True)
        self.assertRegex(r.stdout + r.stderr, r"\bpngcairo\b")
        self.assertRegex(r.stdout + r.stderr, r"\bsvg\b")

    def charts(self):
        return sorted(f[:-4] for f in os.listdir(self.out) if f.endswith(".png"))

    def test_files(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        charts = self.charts()
        # 2 forest plots (r1 and r2 against r0), 3 cost charts, 3 history charts
        self.assertEqual([c for c in charts if c.startswith("forest-")], ["forest-1", "forest-2"])
        self.assertEqual(len([c for c in charts if c.startswith("cost-")]), 3, charts)
        self.assertEqual(len([c for c in charts if c.startswith("history-")]), 3, charts)
        self.assertIn("8 charts", self.result.stdout)
        for c in charts:
            with open(os.path.join(self.out, c + ".png"), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", c)
            with open(os.path.join(self.out, c + ".svg")) as f:
                self.assertIn("<svg", f.read(), c)
        with open(os.path.join(self.out, "report.md")) as f:
            md = f.read()
        for c in charts:
            self.assertRegex(md, rf"\n!\[[^\]\n]+\]\({re.escape(c)}\.png\)\n")  # an image with its title
        self.assertIn("**regression**", md)  # compare's table: r2's xsave is 20% slower than r0's
        self.assertRegex(md, r"- \*\*run 3 \(r2\)\*\* against run 1 \(r0\): 6 regression, 0 improvement")
        self.assertEqual(sorted(re.findall(r'<img src="([^"]+)\.png"', self.html)), charts)

    def test_page_order(self):
        """The machine and the verdicts first, then the charts (forest plots, costs, history),
        then compare's long table."""
        html = self.html
        heads = re.findall(r"<h([23])>([^<]+)</h\1>", html)
        self.assertEqual([h for _, h in heads], ["Verdicts", "Charts", "Change per case", "Cost per feature set",
                                                  "History", "Comparison table"])
        self.assertLess(html.index("report-host"), html.index("<h2>Verdicts"))  # the machine, in the header
        verdicts = html[html.index("<h2>Verdicts"):html.index("<h2>Charts")]
        self.assertIn("run 3 (r2)</strong> against run 1 (r0): 6 regression, 0 improvement, 12 noisy", verdicts)
        self.assertIn("machine-wide shift:", verdicts)
        # the regressions named at the top, largest first, with their intervals
        named = re.findall(r"<tr><td><code>([^<]+)</code></td><td class=\"regression\">\+([\d.]+)%", verdicts)
        self.assertEqual(len(named), 6)
        self.assertTrue(all(i.startswith("native/save/xsave/") for i, _ in named), named)
        self.assertEqual([float(p) for _, p in named], sorted((float(p) for _, p in named), reverse=True))
        figures = re.findall(r'<img src="([^"]+)\.png"', html)
        kinds = [f.split("-")[0] for f in figures]
        self.assertEqual(kinds, sorted(kinds, key=["forest", "cost", "history"].index))
        self.assertLess(html.rindex("<figure>"), html.index("<h2>Comparison table"))
        self.assertNotIn("Hodges-Lehmann", html)
        self.assertNotIn("nan", html)

    def test_forest_is_compares_ratios(self):
        """forest-2 (r2 against r0) draws compare's own ratio and interval per case, in the
        verdict's colour, regressions first, on a log axis with the threshold's band."""
        cmp = json.loads(run("compare", "--db", self.db, "--format", "json", "r0", "r1", "r2").stdout)
        cells = {c["id"]: c for c in cmp["cases"] if c["series"] == "run 3 (r2)"}
        rows = [r for b in blocks(os.path.join(self.out, "forest-2.dat")) for r in b]
        self.assertEqual(len(rows), len(cells))
        colours = {"regression": 0xcc0000, "noisy": 0xe69f00, "unchanged": 0x777777, "improvement": 0x008800}
        seen = []
        for i, row in enumerate(rows):
            case = cells[row[5].strip('"')]
            self.assertEqual(int(row[0]), i)
            self.assertAlmostEqual(float(row[1]), case["ratio"], places=9)
            self.assertAlmostEqual(float(row[2]), case["ci_low"], places=9)
            self.assertAlmostEqual(float(row[3]), case["ci_high"], places=9)
            self.assertEqual(int(row[4]), colours[case["verdict"]])
            seen.append(case["verdict"])
        self.assertEqual(seen[:6], ["regression"] * 6)
        self.assertNotIn("regression", seen[6:])
        section = gp_section(self.gp, "forest-2")
        self.assertIn("set logscale x", section)
        self.assertIn("set object 1 rect from 0.980392, graph 0 to 1.02, graph 1", section)  # the 2% band
        self.assertIn('title "regression (6)"', section)
        self.assertIn('"+20%%" 1.2', section)  # tics as percent changes (a tic label is a format)

    def test_cost_bars_side_by_side(self):
        """A bar per condition and series at its own x, never a line; its median and 95%
        interval those of its samples."""
        section = gp_section(self.gp, "cost-native-save-xsave")
        self.assertIn("with boxxyerror", section)
        self.assertNotIn("lines", section)
        self.assertIn('set xtics ("fp" 0, "avx" 1, "avx512" 2)', section)
        slots = blocks(os.path.join(self.out, "cost-native-save-xsave.dat"))[:6]  # 2 conditions x 3 series
        xs = [float(r[0]) for b in slots for r in b]
        self.assertEqual(len(xs), 18)
        self.assertEqual(len(set(xs)), 18)  # side by side: no two bars at one x
        cmp = json.loads(run("compare", "--db", self.db, "--format", "json", "--metric", "ticks_per_op",
                             "r0", "r2").stdout)
        base = {c["id"]: c["base_median"] for c in cmp["cases"]}
        # slot 0 is init of r0: fp, avx, avx512
        for row, f in zip(slots[0], ["fp", "avx", "avx512"]):
            self.assertAlmostEqual(float(row[1]), base[f"native/save/xsave/{f}/init"], places=6)
            self.assertLessEqual(float(row[3]), float(row[1]))
            self.assertGreaterEqual(float(row[4]), float(row[1]))

    def test_history_against_date(self):
        section = gp_section(self.gp, "history-native-save-xsave")
        self.assertIn("set xdata time", section)
        styles = re.findall(r"with yerrorlines pt (\d+) lc rgb '(#[0-9a-f]{6})'", section)
        self.assertEqual(len(styles), 6)
        self.assertEqual(len(set(styles)), 6)  # a colour and marker pair per case
        self.assertEqual(len(set(c for _, c in styles)), 6)  # six cases: six colours
        self.assertIn("with filledcurves", section)  # BASE's band
        b = blocks(os.path.join(self.out, "history-native-save-xsave.dat"))
        self.assertEqual([r[0] for r in b[0]], ["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z",
                                                "2026-01-03T00:00:00Z"])
        band = b[6]  # after the six cases: the first case's band, from the first date to the last
        self.assertEqual([r[0] for r in band], ["2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z"])
        self.assertLess(float(band[0][1]), float(b[0][0][1]) + 1e-9 + float(b[0][0][1]) * 0.05)

    def page_with_check(self, name, broken=None):
        html = self.html
        if broken:
            html = html.replace(f'src="{broken}.png"', f'src="{broken}-missing.png"')
        path = os.path.join(self.out, name)
        with open(path, "w") as f:
            f.write(html.replace("</body>", IMAGE_CHECK + "</body>"))
        r = chromium("--virtual-time-budget=20000", "--dump-dom", "file://" + path)
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.search(r'<pre id="xb-images">(\d+) of (\d+) loaded at their size</pre>', r.stdout)
        self.assertIsNotNone(m, r.stdout[-2000:] + r.stderr[-2000:])
        return int(m.group(1)), int(m.group(2))

    def test_chromium_loads_every_image_at_its_size(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        self.assertEqual(self.page_with_check("check.html"), (8, 8))
        # the check can fail: one image pointed elsewhere is seen as not loaded
        self.assertEqual(self.page_with_check("control.html", broken="forest-1"), (7, 8))

    def titles_check(self, svgs):
        """Chromium's verdict per SVG: {name: (title found, texts outside)}."""
        objects = "".join(f'<object data="{p}" data-name="{n}" data-title="{t}" type="image/svg+xml"></object>'
                          for n, p, t in svgs)
        path = os.path.join(self.out, "titles.html")
        with open(path, "w") as f:
            f.write(TITLE_CHECK % objects)
        r = chromium("--virtual-time-budget=20000", "--dump-dom", "file://" + path)
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.search(r'<pre id="xb-titles">([^<]*)</pre>', r.stdout)
        self.assertIsNotNone(m, r.stdout[-2000:] + r.stderr[-2000:])
        found = {}
        for line in m.group(1).splitlines():
            name, title, outside = re.fullmatch(r"(\S+) title (found|missing), (\d+) outside", line).groups()
            found[name] = (title == "found", int(outside))
        return found

    def test_chromium_titles_inside_every_chart(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        titles = dict(re.findall(r'<img src="([^"]+)\.png" width="\d+" height="\d+" alt="([^"]+)"', self.html))
        self.assertEqual(len(titles), 8)
        # a control: the same SVG with its title moved beyond the right edge
        with open(os.path.join(self.out, "forest-2.svg")) as f:
            svg = f.read()
        moved = re.sub(r'(<g transform="translate\()([\d.]+)(,[\d.]+\)"[^>]*>\s*<text>run 3 \(r2\) against)',
                       lambda m: m.group(1) + "2000" + m.group(3), svg, count=1)
        self.assertTrue(moved != svg, "the control did not move the title")
        with open(os.path.join(self.out, "moved.svg"), "w") as f:
            f.write(moved)
        svgs = [(n, f"{n}.svg", t.replace("&quot;", '"')) for n, t in titles.items()]
        found = self.titles_check(svgs + [("moved", "moved.svg", titles["forest-2"])])
        self.assertEqual(set(found), set(titles) | {"moved"})
        for name in titles:
            self.assertEqual(found[name], (True, 0), name)
        self.assertEqual(found["moved"][0], True)
        self.assertGreater(found["moved"][1], 0)

    def test_chromium_screenshot(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        shot = os.path.join(self.dir, "screenshot.png")
        r = chromium(f"--screenshot={shot}", "--window-size=1280,4000", "--virtual-time-budget=20000",
                     "file://" + os.path.join(self.out, "index.html"))
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(shot, "rb") as f:
            head = f.read(24)
        self.assertEqual(head[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual((int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")), (1280, 4000))
        self.assertGreater(os.path.getsize(shot), 50_000)  # charts, not a blank page


class Axes(xbtest.TempDirTest):
    """One wide interval is clipped at the top with its value, not allowed to flatten the
    other bars; costs a hundred times apart get a log axis."""

    def test_outlier_and_spread(self):
        db = os.path.join(self.tmp, "r.db")
        rng = random.Random(2)
        cases = {f"native/save/xsave/{f}/inuse": [c * (1 + 0.01 * rng.gauss(0, 1)) for _ in range(10)]
                 for f, c in [("fp", 100), ("avx", 150), ("avx512", 400)]}
        # an interval reaching 7700 over medians of 100 to 400
        cases["native/save/xsave/user/inuse"] = [300, 310, 320, 330, 340, 350, 7000, 7400, 7700, 8000]
        cases.update({f"native/ctxsw/pipe/{f}": [c * (1 + 0.01 * rng.gauss(0, 1)) for _ in range(10)]
                      for f, c in [("none", 50), ("fp", 500), ("avx512", 20000)]})
        path = os.path.join(self.tmp, "run.json")
        write_run(path, "axes-host", "2026-01-01T00:00:00Z", cases)
        self.assertEqual(run("import", "--db", db, path).returncode, 0)
        out = os.path.join(self.tmp, "report")
        r = run("report", "--db", db, "--out", out, "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(out, "report.gp")) as f:
            gp = f.read()
        xsave = gp_section(gp, "cost-native-save-xsave")
        self.assertNotIn("logscale", xsave)
        top = float(re.search(r"set yrange \[[-\d.e+]+:([\d.e+]+)\]", xsave).group(1))
        self.assertLess(top, 1000)  # not stretched to 7700
        clipped = [row for b in blocks(os.path.join(out, "cost-native-save-xsave.dat")) for row in b
                   if row[5] != "?"]
        self.assertEqual(len(clipped), 1)
        self.assertAlmostEqual(float(clipped[0][5]), top, delta=top * 1e-5)
        self.assertRegex(clipped[0][6], r'"[78]\d\d\d"')  # its real end, written beside the marker
        pipe = gp_section(gp, "cost-native-ctxsw-pipe")
        self.assertIn("set logscale y", pipe)


class ManyRuns(xbtest.TempDirTest):
    """300 runs on one machine, a day apart: the history chart has every run at its date,
    and `history` lists them all."""
    RUNS = 300

    def test_history_of_300_runs(self):
        db = os.path.join(self.tmp, "r.db")
        path = os.path.join(self.tmp, "run.json")
        write_run(path, "many-host", "2026-01-01T00:00:00Z", {"native/save/xsave/fp/init": [100 + k for k in range(5)]})
        r = run("import", "--db", db, "--label", "many", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        with sqlite3.connect(db) as con:  # runs 2 .. 300: copies of run 1, a day apart
            con.execute("UPDATE runs SET started_at = '2025-01-01T00:00:00Z' WHERE id = 1")
            cols = [c[1] for c in con.execute("PRAGMA table_info(runs)") if c[1] not in ("id", "started_at")]
            for run_id in range(2, self.RUNS + 1):
                con.execute(f"INSERT INTO runs (id, started_at, {', '.join(cols)}) SELECT ?, "
                            f"strftime('%Y-%m-%dT%H:%M:%SZ', '2025-01-01', '+{run_id - 1} days'), {', '.join(cols)}"
                            " FROM runs WHERE id = 1", (run_id,))
                for table in ("results", "samples"):
                    rest = [c[1] for c in con.execute(f"PRAGMA table_info({table})") if c[1] != "run_id"]
                    con.execute(f"INSERT INTO {table} (run_id, {', '.join(rest)}) SELECT ?, {', '.join(rest)}"
                                f" FROM {table} WHERE run_id = 1", (run_id,))
            con.execute("UPDATE id_sequences SET last_id = ? WHERE name = 'runs'", (self.RUNS,))
        out = os.path.join(self.tmp, "report")
        r = run("report", "--db", db, "--out", out, str(self.RUNS))
        self.assertEqual(r.returncode, 0, r.stderr)
        dates = [row[0] for row in blocks(os.path.join(out, "history-native-save-xsave.dat"))[0]]
        self.assertEqual(len(dates), self.RUNS)
        self.assertEqual(dates, sorted(set(dates)))
        self.assertEqual((dates[0], dates[-1]), ("2025-01-01T00:00:00Z", "2025-10-27T00:00:00Z"))
        with open(os.path.join(out, "report.gp")) as f:
            section = gp_section(f.read(), "history-native-save-xsave")
        self.assertIn(f"set xtics {91 * 86400}", section)  # 299 days: a tic every 91 days
        r = run("history", "--db", db, "--format", "json", "native/save/xsave/fp/init")
        self.assertEqual(r.returncode, 0, r.stderr)
        points = json.loads(r.stdout)["points"]
        self.assertEqual([p["run"] for p in points], list(range(1, self.RUNS + 1)))
        self.assertEqual({(p["label"], p["n"], p["median"]) for p in points}, {("many", 5, 102)})


class NewCase(xbtest.TempDirTest):
    """A case measured in NEW only has no base median and no ratio: the page's comparison
    table shows "-" for both, as compare does, never nan, and the forest plot leaves it out."""

    def test_new_case_row(self):
        db = os.path.join(self.tmp, "r.db")
        for i, names in enumerate([["native/save/xsave/fp/init"],
                                   ["native/save/xsave/fp/init", "native/save/xsave/avx/init"]]):
            path = os.path.join(self.tmp, f"run{i}.json")
            write_run(path, "new-host", f"2026-01-0{i + 1}T00:00:00Z", {n: [100 + k for k in range(5)] for n in names})
            r = run("import", "--db", db, "--label", f"n{i}", path)
            self.assertEqual(r.returncode, 0, r.stderr)
        out = os.path.join(self.tmp, "report")
        r = run("report", "--db", db, "--out", out, "n0", "n1")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(out, "index.html")) as f:
            html = f.read()
        self.assertIn('<tr><td><code>native/save/xsave/avx/init</code></td><td>-</td><td class="new">- new</td></tr>',
                      html)
        self.assertNotIn("nan", html)
        rows = [r for b in blocks(os.path.join(out, "forest-1.dat")) for r in b]
        self.assertEqual([r[5] for r in rows], ['"native/save/xsave/fp/init"'])

    def test_failed_case_named_at_the_top(self):
        """A case NEW failed (its own checks, no numbers) is named under the verdicts with
        its reason, not left to the long table."""
        db = os.path.join(self.tmp, "r.db")
        for i, failing in enumerate([False, True]):
            path = os.path.join(self.tmp, f"run{i}.json")
            benchmarks = [dict(name="native/save/xsave/fp/init", run_type="iteration", iterations=100, real_time=1.0,
                               cpu_time=1.0, time_unit="ns", ticks_per_op=100 + k) for k in range(5)]
            if failing:
                benchmarks = [dict(b, error_occurred=True, error_message="XSTATE_BV <did not> match")
                              for b in benchmarks]
            benchmarks += [dict(name="native/save/xsave/avx/init", run_type="iteration", iterations=100,
                                real_time=1.0, cpu_time=1.0, time_unit="ns", ticks_per_op=150 + k) for k in range(5)]
            with open(path, "w") as out:
                json.dump({"context": {"host_name": "failed-host", "date": f"2026-01-0{i + 1}T00:00:00Z"},
                           "benchmarks": benchmarks}, out)
            self.assertEqual(run("import", "--db", db, "--label", f"f{i}", path).returncode, 0)
        out = os.path.join(self.tmp, "report")
        r = run("report", "--db", db, "--out", out, "f0", "f1")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(out, "index.html")) as f:
            html = f.read()
        verdicts = html[html.index("<h2>Verdicts"):html.index("<h2>Charts")]
        self.assertRegex(verdicts, r"1 failed")
        self.assertIn('<li class="failed"><code>native/save/xsave/fp/init</code>: ', verdicts)
        self.assertIn("XSTATE_BV &lt;did not&gt; match", verdicts)
        with open(os.path.join(out, "report.md")) as f:
            self.assertIn("  - failed `native/save/xsave/fp/init`: ", f.read())


if __name__ == "__main__":
    xbtest.main()
