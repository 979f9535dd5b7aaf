"""test_kvm_plan.py - planning the kvm suite: every kvm case is listed with the ids of the
design, and a case that cannot run says why: the CPU's missing feature first (on recorded
machines), else the missing /dev/kvm with the open error; with /dev/kvm absent, `run --suite
kvm` stores every case as skipped and exits 0."""
import json
import os
import sqlite3

import xbtest
from xbtest import dump, run

KVM_CASES = 30


def plan(*extra):
    r = run("list", "--suite", "kvm", "--json", *extra)
    assert r.returncode == 0, r.stderr
    return {c["id"]: c for c in json.loads(r.stdout)["cases"]}


class KvmPlan(xbtest.TempDirTest):
    def test_ids(self):
        p = plan("--cpuid-dump", dump("intel-sapphirerapids.dump"))
        self.assertEqual(len(p), KVM_CASES)
        for i in p:
            parts = i.split("/")
            self.assertEqual(parts[0], "kvm", i)
            self.assertGreaterEqual(len(parts), 4, i)
        for f in ["fp", "avx512", "user"]:
            for cond in ["init", "clean"]:
                self.assertIn(f"kvm/run/roundtrip/{f}/{cond}", p)
        for op in ["get", "set"]:
            for f in ["fp", "avx", "avx512", "user", "amx"]:
                for cond in ["init", "inuse"]:
                    self.assertIn(f"kvm/xsave2/{op}/{f}/{cond}", p)
        for i in ["kvm/cpuid/realloc/amx", "kvm/cpuid/set/user", "kvm/vcpu/create/user",
                  "kvm/attr/xcomp-guest-supp/none"]:
            self.assertIn(i, p)
        # KVM allocates every new vCPU's fpstate at the default size, whatever the permission:
        # an amx variant would run the very path of create/user
        self.assertNotIn("kvm/vcpu/create/amx", p)

    def test_cpu_reasons_come_first(self):
        p = plan("--cpuid-dump", dump("amd-zen4.dump"))
        self.assertIn("CPUID.(EAX=7,ECX=0):EDX[24]", p["kvm/cpuid/realloc/amx"]["reason"])
        self.assertIn("no KVM here", p["kvm/xsave2/get/avx512/inuse"]["reason"])
        for c in plan("--cpuid-dump", dump("intel-westmere.dump")).values():
            self.assertIn("CPUID.1:ECX[26]=0", c["reason"])

    def test_this_machine(self):
        p = plan()
        if os.path.exists("/dev/kvm"):
            self.skipTest("/dev/kvm present: the lab tests run these cases")
        for c in p.values():
            self.assertFalse(c["runnable"], c)
            self.assertTrue(c["reason"], c)
        self.assertIn("open /dev/kvm: No such file or directory (errno 2)",
                      p["kvm/run/roundtrip/fp/clean"]["reason"])
        db = os.path.join(self.tmp, "kvm.db")
        r = run("run", "--suite", "kvm", "--quick", "--db", db)
        self.assertEqual(r.returncode, 0, r.stderr)
        statuses = sqlite3.connect(db).execute("SELECT status, COUNT(*) FROM results GROUP BY status").fetchall()
        self.assertEqual(statuses, [("skip", KVM_CASES)])


if __name__ == "__main__":
    xbtest.main()
