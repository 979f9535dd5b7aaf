"""test_guest_run.py - `run --suite guest --vmm qemu` under TCG: what the plan says matches
what the payload does, each guest repetition is one sample in the database, results carry
`functional_only` and the launcher, the overhead stored is the one the guest subtracted; a guest that
triple-faults or hangs fails its cases with its last output and the run goes on."""
import json
import os
import sqlite3
import sys

import xbtest
from xbtest import run

CASES = "^guest/(save/xsave/(fp|avx512)/(init|inuse)|save/xsaveopt/avx/clean|restore/xrstor/user/inuse" \
        "|exit/xsetbv/avx|exit/cpuid-0xd/user|msr/wrmsr-xss/all|xfd/nm/amx|switch/three-buffer/avx/need-load)$"
TCG = "QEMU TCG: no hardware virtualization"


class GuestRun(xbtest.TempDirTest):
    def q(self, db, sql, *args):
        with sqlite3.connect(db) as c:
            return c.execute(sql, args).fetchall()

    def test_plan_under_qemu_and_kvm(self):
        r = run("list", "--json", "--suite", "guest", "--vmm", "qemu", "--filter", CASES)
        self.assertEqual(r.returncode, 0, r.stderr)
        p = {c["id"]: c for c in json.loads(r.stdout)["cases"]}
        self.assertEqual(len(p), 11)
        self.assertTrue(p["guest/save/xsaveopt/avx/clean"]["runnable"])
        self.assertIn("does not track the init state", p["guest/save/xsave/fp/init"]["reason"])
        self.assertIn("CPUID.(EAX=7,ECX=0):EBX[16]=0", p["guest/save/xsave/avx512/inuse"]["reason"])
        self.assertIn("CPUID.(EAX=0DH,ECX=1):EAX[4]=0", p["guest/xfd/nm/amx"]["reason"])
        r = run("list", "--json", "--suite", "guest", "--vmm", "kvm", "--filter", CASES)
        for c in json.loads(r.stdout)["cases"]:
            self.assertFalse(c["runnable"], c)
            self.assertIn("kvm", c["reason"])
        r = run("list", "--vmm", "bochs")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--vmm", r.stderr)

    def test_run_stores_guest_samples(self):
        db = os.path.join(self.tmp, "g.db")
        # one guest batch per sample: the guest's overhead of its last batch is its sample's
        r = run("run", "--suite", "guest", "--vmm", "qemu", "--quick", "--filter", CASES, "--db", db,
                env={"XSTATE_BENCH_GUEST_ARGS": "max_batches=1"})
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("F: functional only", r.stdout)  # the table flags each guest row F
        plan = {c["id"]: c for c in json.loads(run("list", "--json", "--suite", "guest", "--vmm", "qemu",
                                                   "--filter", CASES).stdout)["cases"]}
        stored = dict(self.q(db, "SELECT c.name, r.status FROM results r JOIN cases c ON c.id = r.case_id"))
        self.assertEqual(set(stored), set(plan))
        for case_id, c in plan.items():
            self.assertEqual(stored[case_id], "ok" if c["runnable"] else "skip", case_id)
        for name, n, overhead in self.q(db, "SELECT c.name, count(*), r.overhead_ticks FROM samples s "
                                            "JOIN cases c ON c.id = s.case_id JOIN results r ON r.case_id = c.id "
                                            "GROUP BY c.name"):
            self.assertEqual(n, 6, name)  # --quick: two rounds of three, six guest samples
            # the overhead stored is the guest's own, not the host's: its last sample's
            (guest_overhead, batches), = self.q(
                db, "SELECT o.value, b.value FROM sample_metrics o JOIN sample_metrics b ON b.case_id = "
                    "o.case_id AND b.repetition = o.repetition AND b.name = 'guest_batches' JOIN cases c ON "
                    "c.id = o.case_id WHERE c.name = ? AND o.name = 'guest_overhead_ticks' AND o.repetition = ?",
                name, n - 1)
            self.assertEqual(batches, 1, name)
            self.assertEqual(overhead, guest_overhead, name)
        attrs = dict(self.q(db, "SELECT ra.name, ra.value FROM result_attributes ra JOIN cases c "
                                "ON c.id = ra.case_id WHERE c.name = 'guest/restore/xrstor/user/inuse'"))
        self.assertEqual(attrs["functional_only"], TCG)
        self.assertEqual(attrs["launcher"], "qemu")
        self.assertEqual(attrs["format"], "standard")
        # TCG has no XSAVES: the ring-0 switch falls back to XSAVEOPT/XRSTOR, as the kernel does
        attrs = dict(self.q(db, "SELECT ra.name, ra.value FROM result_attributes ra JOIN cases c "
                                "ON c.id = ra.case_id WHERE c.name = 'guest/switch/three-buffer/avx/need-load'"))
        self.assertEqual(attrs["insns"], "xsaveopt/xrstor")
        metrics = {m for m, in self.q(db, "SELECT DISTINCT name FROM sample_metrics")}
        self.assertTrue({"core_cycles_per_op", "guest_overhead_ticks", "guest_batches"} <= metrics, metrics)
        # QEMU serves no exit counter: the exit cases say so and store no count
        self.assertNotIn("vm_exits_per_op", metrics)
        for case in ["guest/exit/cpuid-0xd/user", "guest/exit/xsetbv/avx"]:
            (vm_exits,), = self.q(db, "SELECT ra.value FROM result_attributes ra JOIN cases c ON c.id = ra.case_id "
                                      "WHERE c.name = ? AND ra.name = 'vm_exits'", case)
            self.assertTrue(vm_exits.startswith("not available under QEMU"), vm_exits)

    def test_an_exit_case_that_saw_no_exit_fails(self):
        # Told that an exit counter is served where none is (QEMU ignores port 0xEA), the payload
        # reads zero exits around its CPUIDs and XSETBVs: the host must fail both cases.
        db = os.path.join(self.tmp, "x.db")
        r = run("run", "--suite", "guest", "--vmm", "qemu", "--quick", "--db", db, "--filter",
                "^guest/(exit/cpuid-0xd/user|exit/xsetbv/avx|save/xsave/fp/inuse)$",
                env={"XSTATE_BENCH_GUEST_ARGS": "exit_counter"})
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        rows = {name: (status, reason) for name, status, reason in
                self.q(db, "SELECT c.name, r.status, r.reason FROM results r JOIN cases c ON c.id = r.case_id")}
        self.assertEqual(rows["guest/save/xsave/fp/inuse"][0], "ok", rows)  # counts no exits
        for case in ["guest/exit/cpuid-0xd/user", "guest/exit/xsetbv/avx"]:
            status, reason = rows[case]
            self.assertEqual(status, "error", rows)
            self.assertIn("KVM counted 0 exits for", reason)
            self.assertIn("the operation did not exit each time", reason)

    def test_a_guest_skip_is_stored_as_a_skip(self):
        # The host plans from the guest's probe; with xcr0=0x3 the payload then enables no AVX,
        # so it skips the AVX case the host planned: a skip with the guest's reason, not an error.
        db = os.path.join(self.tmp, "s.db")
        r = run("run", "--suite", "guest", "--vmm", "qemu", "--quick", "--db", db, "--filter",
                "^guest/save/xsave/(fp|avx)/inuse$", env={"XSTATE_BENCH_GUEST_ARGS": "xcr0=0x3"})
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        rows = {name: (status, reason) for name, status, reason in
                self.q(db, "SELECT c.name, r.status, r.reason FROM results r JOIN cases c ON c.id = r.case_id")}
        self.assertEqual(rows["guest/save/xsave/fp/inuse"][0], "ok", rows)
        status, reason = rows["guest/save/xsave/avx/inuse"]
        self.assertEqual(status, "skip", rows)
        self.assertIn("the guest skipped it: components 0x4 are not enabled in the guest's XCR0", reason)

    def dying_guest(self, args, env, why):
        db = os.path.join(self.tmp, "d.db")
        r = run("run", "--suite", "native,guest", "--vmm", "qemu", "--quick", "--db", db, "--filter",
                "^(native/loop/empty/none|guest/exit/cpuid-0xd/user|guest/exit/xsetbv/avx)$",
                env=dict(env, XSTATE_BENCH_GUEST_ARGS=args))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)  # cases failed, the run itself finished
        rows = dict(self.q(db, "SELECT c.name, r.status || ': ' || coalesce(r.reason, '') FROM results r "
                               "JOIN cases c ON c.id = r.case_id"))
        self.assertTrue(rows["native/loop/empty/none"].startswith("ok"), rows)
        for case in ["guest/exit/cpuid-0xd/user", "guest/exit/xsetbv/avx"]:
            self.assertIn(why, rows[case])
            self.assertIn(f"selftest what={args.split('=')[1]}", rows[case])  # its last output
        (complete,), = self.q(db, "SELECT complete FROM runs")
        self.assertEqual(complete, 1)

    def test_triple_fault_fails_the_guest_cases_only(self):
        self.dying_guest("selftest=triple", {}, "shutdown")

    def test_hang_meets_the_watchdog(self):
        self.dying_guest("selftest=hang", {"XSTATE_BENCH_GUEST_TIMEOUT": "3"}, "watchdog")


if __name__ == "__main__":
    sys.argv.pop(3)
    xbtest.main()
