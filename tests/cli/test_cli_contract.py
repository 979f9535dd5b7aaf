"""test_cli_contract.py - the command-line contract: --help everywhere, usage and exit 2 on
bad arguments, clear errors (exit 1) when a file or the database is unusable, and probe's
JSON carrying what DESIGN.md lists."""
import json
import os
import re

import xbtest
from xbtest import run

COMMANDS = ["probe", "list", "run", "nightly", "datasheet"]
RESULTS_COMMANDS = ["compare", "baseline", "history", "report", "review", "import", "export"]


class Contract(xbtest.TempDirTest):
    def assertUsageError(self, r, fragment=None):
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("usage: xstate-bench", r.stderr)
        self.assertEqual(r.stdout, "")
        if fragment:
            self.assertIn(fragment, r.stderr)

    def test_no_command(self):
        self.assertUsageError(run())

    def test_unknown_command(self):
        self.assertUsageError(run("frobnicate"), "unknown command 'frobnicate'")

    def test_top_level_help(self):
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        for c in COMMANDS + RESULTS_COMMANDS:
            self.assertIn(c, r.stdout)

    def test_every_command_has_help(self):
        for c in COMMANDS:
            r = run(c, "--help")
            self.assertEqual(r.returncode, 0, c)
            self.assertTrue(r.stdout.startswith("usage: xstate-bench " + c), c)

    def test_help_three_ways(self):
        """CMD --help, CMD -h and help CMD print the same text, to stdout, within 80 columns,
        starting with the usage line."""
        for c in COMMANDS + RESULTS_COMMANDS + ["help"]:
            long, short, via = run(c, "--help"), run(c, "-h"), run("help", c)
            for r in (long, short, via):
                self.assertEqual(r.returncode, 0, c)
                self.assertEqual(r.stderr, "", c)
            self.assertEqual(long.stdout, short.stdout, c)
            self.assertEqual(long.stdout, via.stdout, c)
            self.assertTrue(long.stdout.startswith("usage: xstate-bench " + c), c)
            for line in long.stdout.splitlines():
                self.assertLessEqual(len(line), 80, f"{c}: {line}")
        top = run("-h")
        self.assertEqual(top.returncode, 0)
        self.assertEqual(top.stdout, run("help").stdout)
        self.assertUsageError(run("help", "frobnicate"), "unknown command 'frobnicate'")

    def test_every_option_in_help_is_parsed(self):
        """The help and the parser come from one table: every option the help lists that takes
        an argument is known to the parser (it asks for the argument), and nothing else is."""
        for c in COMMANDS + RESULTS_COMMANDS:
            text = run(c, "--help").stdout
            with_argument = re.findall(r"^  (?:-\w, )?--([a-z][a-z0-9-]*) [A-Z]", text, re.M)
            self.assertTrue(with_argument or c == "probe", c)
            for opt in with_argument:
                self.assertUsageError(run(c, f"--{opt}"), f"--{opt}: wants an argument")
            self.assertUsageError(run(c, "--surely-not-an-option"), "unknown option '--surely-not-an-option'")

    def test_man_pages_written_from_the_tables(self):
        out = os.path.join(self.tmp, "man")
        r = run("help", "--man-dir", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        pages = sorted(os.listdir(out))
        self.assertEqual(pages, sorted(["xstate-bench.1"] + [f"xstate-bench-{c}.1" for c in
                                                             COMMANDS + RESULTS_COMMANDS + ["help"]]))
        with open(os.path.join(out, "xstate-bench-run.1")) as f:
            page = f.read()
        self.assertTrue(page.startswith('.TH "XSTATE-BENCH-RUN" "1"'))
        self.assertIn(".SH OPTIONS", page)
        self.assertIn("\\fB\\-\\-progress\\fR\\ \\fIMODE\\fR", page)
        self.assertUsageError(run("help", "--man-dir", out, "run"), "--man-dir and --completion")

    def test_bad_flag_everywhere(self):
        for c in COMMANDS:
            self.assertUsageError(run(c, "--no-such-flag"), "--no-such-flag")

    def test_stray_argument(self):
        for c in COMMANDS:
            self.assertUsageError(run(c, "stray"), "unexpected argument: stray")

    def test_bad_values(self):
        db = os.path.join(self.tmp, "x.db")
        self.assertUsageError(run("run", "--repetitions", "0", "--db", db), "--repetitions")
        self.assertUsageError(run("run", "--repetitions", "ten", "--db", db), "--repetitions")
        self.assertUsageError(run("run", "--rounds", "0", "--db", db), "--rounds")
        self.assertUsageError(run("run", "--rounds", "many", "--db", db), "--rounds")
        self.assertUsageError(run("run", "--cpu", "abc", "--db", db), "--cpu")
        self.assertUsageError(run("run", "--ops", "0", "--db", db), "--ops")
        self.assertUsageError(run("run", "--min-time", "-1", "--db", db), "--min-time")
        self.assertUsageError(run("run", "--suite", "bogus", "--db", db), "--suite")
        self.assertUsageError(run("run", "--filter", "(", "--db", db), "--filter")
        self.assertUsageError(run("list", "--filter", "[z-a]"), "--filter")
        self.assertUsageError(run("run", "--db"), "--db")
        self.assertFalse(os.path.exists(db), "a rejected command must not create the database")

    def test_results_commands(self):
        """compare, baseline, history, report, review, import, export: --help, bad flags and missing
        arguments; a reader never creates a database."""
        db = os.path.join(self.tmp, "x.db")
        for c in RESULTS_COMMANDS:
            r = run(c, "--help")
            self.assertEqual(r.returncode, 0, c)
            self.assertTrue(r.stdout.startswith("usage: xstate-bench " + c), c)
            self.assertUsageError(run(c, "--no-such-flag", "--db", db), "--no-such-flag")
        self.assertUsageError(run("compare", "--db", db, "1"), "want BASE and at least one NEW")
        self.assertUsageError(run("compare", "--db", db, "--threshold", "x", "1", "2"), "--threshold")
        self.assertUsageError(run("compare", "--db", db, "--alpha", "2", "1", "2"), "--alpha")
        self.assertUsageError(run("compare", "--db", db, "--format", "html", "1", "2"), "--format")
        self.assertUsageError(run("baseline", "--db", db), "want set, list, show or accept")
        self.assertUsageError(run("baseline", "--db", db, "accept", "1"), "say why with --reason TEXT")
        self.assertUsageError(run("baseline", "--db", db, "--reason", "r", "accept"), "want one RUN")
        self.assertUsageError(run("baseline", "--db", db, "--by", "me", "list"), "--by and --reason are for accept")
        self.assertUsageError(run("baseline", "--db", db, "set", "name"), "at least one RUN")
        self.assertUsageError(run("baseline", "--db", db, "show"), "want one NAME")
        self.assertUsageError(run("history", "--db", db), "missing CASE")
        self.assertUsageError(run("report", "--db", db, "1"), "missing --out DIR")
        self.assertUsageError(run("import", "--db", db), "missing FILE")
        self.assertUsageError(run("export", "--db", db), "missing RUN")
        self.assertUsageError(run("export", "--db", db, "--format", "xml", "1"), "--format")
        for args in [["compare", "1", "2"], ["baseline", "list"], ["history", "native/x"], ["export", "1"],
                     ["report", "--out", os.path.join(self.tmp, "rep"), "1"]]:
            r = run(*args, "--db", db)
            self.assertIn(r.returncode, (1, 2), args)
            self.assertIn("cannot use the results database", r.stderr)
        self.assertFalse(os.path.exists(db), "a reader must not create the database")

    def test_probe_json(self):
        r = run("probe", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        p = json.loads(r.stdout)
        for key in ["vendor", "brand", "family", "model", "stepping", "microcode"]:
            self.assertIn(key, p["cpu"])
        x = p["xsave"]
        for key in ["xcr0", "xinuse", "xss_supported", "xss_enabled", "xsaveopt", "xsavec",
                    "xgetbv1", "xsaves", "xfd", "size_xcr0_standard", "size_enabled_compacted"]:
            self.assertIn(key, x)
        ids = [c["id"] for c in x["components"]]
        self.assertEqual(ids[:2], [0, 1])
        self.assertEqual(x["components"][0]["name"], "x87 floating point registers")
        self.assertEqual(x["sizes"]["fp"]["standard"], 576)
        self.assertEqual(x["size_enabled_compacted_computed"], x["size_enabled_compacted"])
        self.assertIn("release", p["kernel"])
        self.assertGreater(p["tsc"]["hz"], 1e8)
        self.assertTrue(p["tsc"]["source"])
        self.assertGreater(p["topology"]["pus"], 0)
        self.assertIn("present", p["kvm"])
        self.assertTrue(p["pmu"]["software_events"])
        if not p["pmu"]["hardware_events"]:
            self.assertTrue(p["pmu"]["hardware_error"])

    def test_record_then_describe(self):
        path = os.path.join(self.tmp, "here.dump")
        live = json.loads(run("probe", "--json", "--record", path).stdout)
        r = run("probe", "--json", "--cpuid-dump", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        recorded = json.loads(r.stdout)
        self.assertEqual(recorded["xsave"]["xcr0"], live["xsave"]["xcr0"])
        self.assertEqual(recorded["xsave"]["components"], live["xsave"]["components"])
        self.assertEqual(recorded["kernel"]["release"], live["kernel"]["release"])

    def test_missing_dump(self):
        r = run("probe", "--cpuid-dump", os.path.join(self.tmp, "absent.dump"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("absent.dump", r.stderr)
        self.assertIn("No such file", r.stderr)

    def test_unwritable_database(self):
        r = run("run", "--quick", "--filter", "^native/loop/", "--db", "/nonexistent-dir/x.db")
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot use the results database /nonexistent-dir/x.db", r.stderr)

    def test_database_not_a_database(self):
        path = os.path.join(self.tmp, "notes.txt")
        with open(path, "w") as f:
            f.write("keep me\n")
        r = run("run", "--quick", "--filter", "^native/loop/", "--db", path)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not an SQLite database", r.stderr)
        with open(path) as f:
            self.assertEqual(f.read(), "keep me\n")

    def test_database_from_environment(self):
        path = os.path.join(self.tmp, "env.db")
        r = run("run", "--quick", "--filter", "^native/loop/", env={"XSTATE_BENCH_DB": path})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(path))

    def test_default_database_in_cwd(self):
        r = run("run", "--quick", "--filter", "^native/loop/", cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "xstate-bench.db")))


if __name__ == "__main__":
    xbtest.main()
