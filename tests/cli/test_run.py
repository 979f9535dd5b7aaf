"""test_run.py - a real (quick) run: what reaches the database and the JSON file, counters
that count and counters that cannot, skipped cases stored with their reasons, samples in
their rounds with the evidence of what disturbed them."""
import json
import os
import re
import subprocess

import xbtest
from xbtest import run

CASES = ("^native/(save/xsave/(fp|avx512)/(init|inuse)|save/xsaveopt/avx/clean|save/xsavec/fp/init"
         "|restore/xrstor/avx512/inuse|restore/fxrstor/fp/inuse|loop/empty/none)$")


class Run(xbtest.OneRunTest):
    @classmethod
    def setUpClass(cls):
        cls.run_once("--quick", "--filter", CASES, "--label", "unit-test", "--json", "{dir}/r.json",
                     "--counters", "perf::PERF_COUNT_SW_TASK_CLOCK,cycles")
        cls.json = os.path.join(cls.dir, "r.json")
        cls.expected = json.loads(run("list", "--json", "--suite", "native", "--filter", CASES).stdout)["cases"]

    def test_exit_and_summary(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        self.assertIn("run id: 1", self.result.stdout)
        self.assertIn("native/save/xsave/avx512/inuse", self.result.stdout)

    def test_run_row(self):
        (label, complete, kernel, cmdline, tsc_hz, pu, finished), = self.q(
            "SELECT label, complete, kernel_release, command_line, tsc_hz, pinned_pu, finished_at FROM runs")
        self.assertEqual(label, "unit-test")
        self.assertEqual(complete, 1)
        self.assertEqual(kernel, os.uname().release)
        self.assertIn("--label unit-test", cmdline)
        self.assertGreater(tsc_hz, 1e8)
        self.assertGreaterEqual(pu, 0)
        self.assertTrue(finished)

    def test_machine_row_has_the_dump(self):
        (dump, xcr0, vendor), = self.q("SELECT cpuid_dump, xcr0, vendor FROM machines")
        self.assertIn("0x0000000d 0x00:", dump)
        self.assertIn(f"xcr0 0x{xcr0:x}", dump)
        self.assertIn(vendor, ["GenuineIntel", "AuthenticAMD"])

    def test_every_planned_case_is_stored(self):
        stored = dict(self.q("SELECT c.name, r.status FROM results r JOIN cases c ON c.id = r.case_id"))
        self.assertEqual(set(stored), {c["id"] for c in self.expected})
        for c in self.expected:
            self.assertEqual(stored[c["id"]], "ok" if c["runnable"] else "skip", c)

    def test_samples(self):
        rows = self.q("SELECT c.name, count(*), min(s.ns_per_op), min(s.batches) FROM samples s "
                      "JOIN cases c ON c.id = s.case_id GROUP BY c.name")
        runnable = [c["id"] for c in self.expected if c["runnable"]]
        self.assertEqual(len(rows), len(runnable))
        for name, n, ns, batches in rows:
            self.assertEqual(n, 6, name)  # --quick: two rounds of three samples
            self.assertGreater(batches, 0, name)
            if not name.endswith("empty/none"):
                self.assertGreater(ns, 0, name)

    def test_rounds(self):
        rows = self.q("SELECT c.name, s.round, count(*) FROM samples s JOIN cases c ON c.id = s.case_id "
                      "GROUP BY c.name, s.round")
        self.assertTrue(rows)
        self.assertEqual({(r, n) for _, r, n in rows}, {(0, 3), (1, 3)})

    def test_each_sample_is_robust_and_carries_its_evidence(self):
        samples = self.q("SELECT count(*) FROM samples")[0][0]
        for name in ["ticks_per_op_mean", "preempted_batches", "wall_ms", "involuntary_switches"]:
            rows = self.q("SELECT c.name, m.value FROM sample_metrics m JOIN cases c ON c.id = m.case_id"
                          " WHERE m.name = ?", name)
            self.assertEqual(len(rows), samples, name)
            for case, v in rows:
                # the empty loop's net time is noise around zero, below it too
                if name != "ticks_per_op_mean" or not case.endswith("empty/none"):
                    self.assertGreaterEqual(v, 0, (case, name))
        for (wall,) in self.q("SELECT value FROM sample_metrics WHERE name = 'wall_ms'"):
            self.assertGreater(wall, 0)
        # the clock chain's spread beside it (every native case times its own clock)
        self.assertEqual(self.q("SELECT count(*) FROM sample_metrics WHERE name = 'clock_spread_percent'")[0][0],
                         samples)
        # the run-queue wait exists where the kernel keeps schedstat for the thread
        if os.path.exists("/proc/thread-self/schedstat"):
            self.assertEqual(self.q("SELECT count(*) FROM sample_metrics WHERE name = 'run_delay_ms'")[0][0],
                             samples)
        # a disturbed case says why, and the run says so when enough of its cases were
        for (why,) in self.q("SELECT value FROM result_attributes WHERE name = 'disturbed'"):
            self.assertTrue(why)
        (disturbed,), = self.q("SELECT disturbed FROM runs")
        measured = self.q("SELECT count(*) FROM results WHERE status = 'ok'")[0][0]
        marked = self.q("SELECT count(*) FROM result_attributes WHERE name = 'disturbed'")[0][0]
        self.assertEqual(disturbed is not None, marked > 0.1 * measured, (disturbed, marked, measured))

    def test_case_facts(self):
        rows = dict(self.q("SELECT ra.name, ra.value FROM result_attributes ra JOIN cases c ON c.id = ra.case_id "
                           "WHERE c.name = 'native/save/xsave/avx512/inuse'"))
        self.assertEqual(rows["rfbm"], "0xe7")
        self.assertEqual(rows["format"], "standard")
        self.assertEqual(int(rows["xinuse_before"], 16) & 0xe7, 0xe7)
        (ops, overhead), = self.q("SELECT ops_per_batch, overhead_ticks FROM results r JOIN cases c ON "
                                  "c.id = r.case_id WHERE c.name = 'native/save/xsave/avx512/inuse'")
        self.assertEqual(ops, 128)
        self.assertGreater(overhead, 0)

    def test_software_counter_counts(self):
        rows = self.q("SELECT value FROM sample_metrics WHERE name = 'perf::PERF_COUNT_SW_TASK_CLOCK'")
        self.assertGreater(len(rows), 0)
        for (v,) in rows:
            self.assertGreater(v, 0)

    def test_unavailable_counter_is_never_zero(self):
        (available, reason), = self.q("SELECT available, reason FROM run_counters WHERE name = 'cycles'")
        metrics = self.q("SELECT count(*) FROM sample_metrics WHERE name = 'cycles'")[0][0]
        if available:
            self.assertGreater(metrics, 0)
        else:
            self.assertTrue(reason)
            self.assertIn("cycles unavailable", self.result.stderr)
            self.assertEqual(metrics, 0)

    def test_google_benchmark_json(self):
        """run --json is export's shape: case ids as names, per-operation times."""
        def not_json(constant):
            raise ValueError(f"{constant} is not JSON")

        with open(self.json) as f:
            # strict JSON: no NaN or inf
            j = json.load(f, parse_constant=not_json)
        self.assertIn("context", j)
        it = [b for b in j["benchmarks"] if b["run_type"] == "iteration"]
        names = {b["name"] for b in it}
        loop = "native/loop/empty/none"  # its net time is no operation's: named, not written
        self.assertEqual(names, {c["id"] for c in self.expected if c["runnable"]} - {loop})
        self.assertIn("calibrated overhead", j["context"]["xstate_bench_left_out"][loop])
        stored = {(name, rep): (ns, batches) for name, rep, ns, batches in self.q(
            "SELECT c.name, s.repetition, s.ns_per_op, s.batches FROM samples s JOIN cases c ON c.id = s.case_id")}
        for b in it:
            self.assertEqual(b["run_name"], b["name"])
            ns, batches = stored[(b["name"], b["repetition_index"])]
            self.assertEqual(b["ns_per_op"], ns)
            self.assertEqual(b["real_time"], max(ns, 0.0), "real_time is per operation, never negative")
            self.assertGreaterEqual(b["cpu_time"], 0)
            self.assertEqual(b["cpu_time"], max(b["cpu_ns_per_op"], 0.0))
            self.assertEqual(b["iterations"], batches)
            self.assertEqual((b["threads"], b["time_unit"]), (1, "ns"))
            self.assertIn("ticks_per_op", b)
            self.assertIn(b["xstate_bench_round"], (0, 1))
        per_case = {}
        for b in it:
            per_case[b["name"]] = per_case.get(b["name"], 0) + 1
        self.assertTrue(all(n == 6 for n in per_case.values()), per_case)  # --quick: 2 rounds of 3
        # Google Benchmark's aggregates of the repetitions, as it writes them
        aggregates = {b["name"]: b for b in j["benchmarks"] if b["run_type"] == "aggregate"}
        for name in names:
            times = sorted(b["real_time"] for b in it if b["name"] == name)
            median = aggregates[name + "_median"]
            self.assertEqual((median["run_name"], median["aggregate_name"], median["iterations"]), (name, "median", 6))
            self.assertAlmostEqual(median["real_time"], (times[2] + times[3]) / 2)
            self.assertAlmostEqual(aggregates[name + "_mean"]["real_time"], sum(times) / 6)
            self.assertEqual(aggregates[name + "_cv"]["aggregate_unit"], "percentage")
        # the same document as export writes
        r = run("export", "--db", self.db, "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout), j)

    def test_core_clock_metrics(self):
        samples = self.q("SELECT count(*) FROM samples")[0][0]
        for name in ["core_cycles_per_op", "core_clock_ghz"]:
            rows = self.q("SELECT c.name, m.value FROM sample_metrics m JOIN cases c ON c.id = m.case_id "
                          "WHERE m.name = ?", name)
            self.assertEqual(len(rows), samples, name)
            for case, v in rows:
                if name == "core_clock_ghz" or not case.endswith("empty/none"):
                    self.assertGreater(v, 0, (case, name))

    def test_modified_optimization_reported(self):
        rows = self.q("SELECT c.name, avg(m.value) FROM sample_metrics m JOIN cases c ON c.id = m.case_id "
                      "WHERE m.name = 'modopt_hit_rate' GROUP BY c.name")
        self.assertEqual([r[0] for r in rows], ["native/save/xsaveopt/avx/clean"])
        self.assertTrue(0.0 <= rows[0][1] <= 1.0)



# Runnable and skipped cases on any machine: without the module loaded, the ring-0 and kapi
# cases skip (for one reason, or for their CPU's); the others run or skip for their own.
OUTPUT_CASES = ("^native/(loop/empty/none|save/xsave/fp/(init|inuse)|save/xsavec/avx/inuse|ring0/save/xsave/fp/"
                "(init|inuse)|ring0/msr/wrmsr-xfd/amx|amx/perm/amx)$|^kapi/fpu/alloc-guest-fpstate/user$")
SHORT = ("--rounds", "2", "--repetitions", "2", "--min-time", "0.001", "--suite", "native,kapi")


def skip_groups(out):
    """The summary's skip groups: [(count, reason, example or None, ids listed)]."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("skipped: "))
    groups = []
    for line in lines[start + 1:]:
        m = re.match(r"^ *(\d+)  (.*)$", line)
        if m:
            groups.append([int(m.group(1)), [m.group(2)], None, []])
        elif line.startswith("       e.g. "):
            groups[-1][2] = line[len("       e.g. "):]
        elif line.startswith("         "):
            groups[-1][3].append(line.strip())
        elif line.startswith("       ") and groups[-1][2] is None and not groups[-1][3]:
            groups[-1][1].append(line.strip())
        elif not line.startswith("       "):
            break
    return [(n, " ".join(reason), example, ids) for n, reason, example, ids in groups]


class Output(xbtest.OneRunTest):
    """What a person sees: stdout in 80 columns, the table, the comparisons, the skips grouped
    by reason with one example each, DISTURBED and the run id last; progress on stderr."""

    @classmethod
    def setUpClass(cls):
        cls.run_once(*SHORT, "--filter", OUTPUT_CASES)
        cls.planned = json.loads(run("list", "--json", "--suite", "native,kapi", "--filter", OUTPUT_CASES).stdout)["cases"]
        cls.runnable = [c["id"] for c in cls.planned if c["runnable"]]

    def test_fits_80_columns_and_ends_with_the_run_id(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        lines = self.result.stdout.splitlines()
        for line in lines:
            self.assertLessEqual(len(line), 80, line)
        self.assertEqual(lines[-1], "run id: 1")
        if any(line.startswith("DISTURBED: ") for line in lines):  # right before the run id, wrapped
            tail = "\n".join(lines[-4:])
            self.assertRegex(tail, r"\nDISTURBED: [^\n]+(\n  [^\n]+)*\nrun id: 1$")

    def test_table_lists_every_measured_case_in_plan_order(self):
        lines = self.result.stdout.splitlines()
        head = next(i for i, line in enumerate(lines) if line.startswith("case "))
        self.assertRegex(lines[head], r"^case +ticks/op +ns/op +cycles/op +IQR%$")
        rows = []
        for line in lines[head + 1:]:
            if not line or re.match(r"^[A-Za-z]: ", line):
                break
            rows.append(line.split()[0])
        measured = [i for (i,) in self.q("SELECT c.name FROM results r JOIN cases c ON c.id = r.case_id "
                                         "WHERE r.status = 'ok'")]
        self.assertEqual(rows, [i for i in self.runnable if i in measured])

    def test_skips_grouped_by_reason(self):
        skipped = [c for c in self.planned if not c["runnable"]]
        if not skipped:
            self.skipTest("every selected case runs here")
        groups = skip_groups(self.result.stdout)
        want = {}
        for c in skipped:
            want.setdefault(c["reason"], []).append(c["id"])
        self.assertRegex(self.result.stdout, rf"\nskipped: {len(skipped)} of {len(self.planned)} cases, for "
                                             rf"{len(want)} reasons?")
        self.assertEqual(len(groups), len(want))
        counts = [n for n, _, _, _ in groups]
        self.assertEqual(counts, sorted(counts, reverse=True))  # the largest group first
        for n, reason, example, ids in groups:
            self.assertIn(reason, want)
            self.assertEqual(n, len(want[reason]))
            self.assertEqual(example, want[reason][0])  # the first in plan order
            self.assertEqual(ids, [])
        for line in self.result.stdout.splitlines():  # no per-case skip lines
            self.assertNotRegex(line, r"^  \S+: needs ")

    def test_progress_on_stderr(self):
        """Not a terminal: plain lines, a round's first sample and then every ten seconds;
        case i of N never past N; the last line counts every sample once, Google
        Benchmark's growing trial runs of a first repetition included once."""
        err = self.result.stderr.splitlines()
        progress = [line for line in err if re.match(r"xstate-bench: round \d", line)]
        self.assertGreaterEqual(len(progress), 2)  # each round's first sample at least
        rounds = set()
        for line in progress:
            m = re.match(r"xstate-bench: round (\d+)/2  case (\d+)/(\d+)  ", line)
            self.assertIsNotNone(m, line)
            self.assertLessEqual(int(m.group(2)), int(m.group(3)))
            self.assertEqual(int(m.group(3)), len(self.runnable))
            self.assertLessEqual(len(line), 80, line)
            rounds.add(m.group(1))
        self.assertEqual(rounds, {"1", "2"})
        self.assertRegex(err[-1], rf"^xstate-bench: {len(self.runnable) * 2 * 2} samples in 2 rounds, \d+:\d\d$")
        self.assertNotIn("round 1/2", self.result.stdout)

    def test_quiet_verbose_wide(self):
        db = os.path.join(self.dir, "more.db")
        r = run("run", *SHORT, "--db", db, "--filter", OUTPUT_CASES, "--quiet", "--verbose", "--wide")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("xstate-bench: round", r.stderr)
        self.assertNotIn("samples in", r.stderr)
        self.assertRegex(r.stdout, r"\ncase +ticks/op +ns/op +cycles/op +IQR% +n notes\n")
        self.assertRegex(r.stdout, r"\nnative/save/xsave/fp/init .* xinuse=0x")
        skipped = [c for c in self.planned if not c["runnable"]]
        groups = skip_groups(r.stdout) if skipped else []
        self.assertEqual(sorted(i for _, _, _, ids in groups for i in ids), sorted(c["id"] for c in skipped))
        self.assertTrue(all(example is None for _, _, example, _ in groups))

    def test_one_updating_line_on_a_terminal(self):
        """stderr a terminal (a pseudo-terminal here): the line is rewritten in place (carriage
        return, erase to the end of the line), never scrolled, and the last line stays."""
        import pty
        import select
        master, slave = pty.openpty()
        proc = subprocess.Popen([xbtest.BINARY, "run", *SHORT, "--db", os.path.join(self.dir, "tty.db"),
                                 "--filter", OUTPUT_CASES], stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        seen = b""
        while True:
            ready, _, _ = select.select([master], [], [], 1)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    break
                if not data:
                    break
                seen += data
            elif proc.poll() is not None:
                break
        stdout = proc.communicate()[0]
        os.close(master)
        self.assertEqual(proc.returncode, 0)
        text = seen.decode()
        updates = text.split("\r\x1b[K")
        self.assertGreaterEqual(len(updates), 3, text)
        self.assertEqual(updates[0], "")
        for u in updates[1:-1]:
            self.assertNotIn("\n", u)  # rewritten, not scrolled
            self.assertRegex(u, r"^round [12]/2  case \d+/\d+  ")
        self.assertRegex(updates[-1], r"^xstate-bench: \d+ samples in 2 rounds, \d+:\d\d\r?\n$")
        self.assertIn(b"run id: 1", stdout)

if __name__ == "__main__":
    xbtest.main()
