"""test_ring0_cli.py - the native/ring0 family and the kapi site from the command line where
the module is not loaded (this machine cannot load modules): every case is listed with the
device it tried and the errno, `probe` says the same, XSTATE_BENCH_MODULE_DEVICE points it
elsewhere, a run stores the cases as skipped with their reasons, and a recorded machine
plans the same ids."""
import json
import os
import sqlite3

import xbtest
from xbtest import dump, run

RING0 = "^native/ring0/"
IDS = ["native/ring0/save/xsaves/all/inuse", "native/ring0/save/xsave/avx512/clean",
       "native/ring0/save/xsavec/fp/init", "native/ring0/save/xsaveopt/user/inuse",
       "native/ring0/restore/xrstors/avx512/init", "native/ring0/restore/xrstor/amx/inuse",
       "native/ring0/restore/xrstors/all/inuse", "native/ring0/msr/wrmsr-xfd/amx",
       "native/ring0/switch/pointer-swap/avx512/live", "native/ring0/switch/three-buffer/fp/need-load"]


def ring0_plan(*extra, env=None):
    r = run("list", "--json", "--filter", RING0, *extra, env=env)
    assert r.returncode == 0, r.stderr
    return {c["id"]: c for c in json.loads(r.stdout)["cases"]}


class Ring0Cli(xbtest.TempDirTest):
    def setUp(self):
        super().setUp()
        if os.path.exists("/dev/xstate_bench"):
            self.skipTest("the xstate_bench module is loaded here")

    def test_every_case_says_why(self):
        p = ring0_plan()
        self.assertEqual(len(p), 106)
        for i in IDS:
            self.assertIn(i, p)
        for c in p.values():
            self.assertFalse(c["runnable"], c)
            # the CPU's reason when it lacks the instruction or the component, else the module's
            if "CPUID" not in c["reason"]:
                self.assertIn("open /dev/xstate_bench: No such file or directory (errno 2)", c["reason"])

    def test_device_override(self):
        env = {"XSTATE_BENCH_MODULE_DEVICE": "/dev/null"}
        p = ring0_plan("--filter", "xsave/fp/init", env=env)
        c = p["native/ring0/save/xsave/fp/init"]
        self.assertIn("ioctl(XB_IOC_CAPS) on /dev/null: Inappropriate ioctl for device (errno 25)",
                      c["reason"])
        missing = os.path.join(self.tmp, "nothing")
        p = ring0_plan("--filter", "xsave/fp/init", env={"XSTATE_BENCH_MODULE_DEVICE": missing})
        self.assertIn(f"open {missing}: No such file or directory (errno 2)",
                      p["native/ring0/save/xsave/fp/init"]["reason"])

    def test_probe_names_the_module(self):
        r = run("probe", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        mod = json.loads(r.stdout)["module"]
        self.assertFalse(mod["present"])
        self.assertEqual(mod["device"], "/dev/xstate_bench")
        self.assertIn("(errno 2)", mod["error"])
        r = run("probe")
        self.assertIn("module:     open /dev/xstate_bench: No such file or directory (errno 2)", r.stdout)

    def test_run_stores_the_skips(self):
        db = os.path.join(self.tmp, "r.db")
        r = run("run", "--quick", "--suite", "native", "--filter", RING0, "--db", db)
        self.assertEqual(r.returncode, 0, r.stderr)
        with sqlite3.connect(db) as con:
            rows = con.execute("SELECT c.name, r.status, r.reason FROM results r "
                               "JOIN cases c ON c.id = r.case_id").fetchall()
        self.assertEqual(len(rows), 106)
        for name, status, reason in rows:
            self.assertEqual(status, "skip", name)
            self.assertTrue(reason, name)

    def test_kapi_suite(self):
        r = run("list", "--json", "--suite", "kapi")
        self.assertEqual(r.returncode, 0, r.stderr)
        p = {c["id"]: c for c in json.loads(r.stdout)["cases"]}
        self.assertEqual(len(p), 29)
        self.assertIn("kapi/fpu/swap-kvm-fpstate/avx512/need-load", p)
        self.assertIn("kapi/fpu/copy-uabi-to-guest-fpstate/fp/pre-xsave-guest", p)
        for c in p.values():
            self.assertFalse(c["runnable"], c)
            if "CPUID" not in c["reason"]:
                self.assertIn("needs the xstate_bench kernel module (host/module): open /dev/xstate_bench",
                              c["reason"])
        # the native suite has none of them, `all` has them all
        native = json.loads(run("list", "--json", "--suite", "native").stdout)["cases"]
        self.assertFalse([c for c in native if c["id"].startswith("kapi/")])
        every = json.loads(run("list", "--json", "--suite", "all").stdout)["cases"]
        self.assertEqual(len([c for c in every if c["id"].startswith("kapi/")]), 29)
        db = os.path.join(self.tmp, "k.db")
        r = run("run", "--quick", "--suite", "kapi", "--db", db)
        self.assertEqual(r.returncode, 0, r.stderr)
        with sqlite3.connect(db) as con:
            stored = con.execute("SELECT r.status, count(*) FROM results r GROUP BY r.status").fetchall()
        self.assertEqual(stored, [("skip", 29)])
        spr = run("list", "--json", "--suite", "kapi", "--cpuid-dump", dump("intel-sapphirerapids.dump"))
        for c in json.loads(spr.stdout)["cases"]:
            self.assertIn("a recorded machine's module cannot be asked", c["reason"])

    def test_sapphirerapids_plans_the_same_ids(self):
        p = ring0_plan("--cpuid-dump", dump("intel-sapphirerapids.dump"))
        self.assertEqual(set(p), set(ring0_plan()))
        for c in p.values():
            self.assertIn("a recorded machine's module cannot be asked", c["reason"])


if __name__ == "__main__":
    xbtest.main()
