"""test_kvm_attr.py - the proposed KVM_X86_XCOMP_GUEST_PERM attribute (seed 004): without it
(Linux 6.1, this machine's kernel) kvm/attr/xcomp-guest-perm-* skip naming the ENXIO; with
it, as the LD_PRELOAD shim kvm_shim.c makes /dev/kvm answer the RFC's way through the real arch_prctl guest
permission, the get case runs and checks the mask against arch_prctl(ARCH_GET_XCOMP_GUEST_PERM)
& KVM_X86_XCOMP_GUEST_SUPP (a wrong mask fails it), and on a CPU and kernel with AMX the set
case asks for tile data in fresh processes, through the attribute and through arch_prctl.
The plan against recorded machines with KVM facts is test_kvm_plan.py's. Needs /dev/kvm."""
import json
import os
import sqlite3

import xbtest
from xbtest import run

GET = "kvm/attr/xcomp-guest-perm-get/none"
SET = "kvm/attr/xcomp-guest-perm-set/amx"
TILEDATA = 1 << 18


def shim_env(**extra):
    return {"LD_PRELOAD": os.environ["XB_TEST_KVM_SHIM"], **extra}


def plan(env=None):
    r = run("list", "--suite", "kvm", "--filter", "^kvm/attr/", "--json", env=env)
    assert r.returncode == 0, r.stderr
    return {c["id"]: c for c in json.loads(r.stdout)["cases"]}


def probe(env=None):
    r = run("probe", "--json", env=env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


class KvmAttr(xbtest.TempDirTest):
    def setUp(self):
        super().setUp()
        if not os.path.exists("/dev/kvm"):
            self.skipTest("no /dev/kvm here: the lab runs these cases")

    def results(self, db):
        con = sqlite3.connect(db)
        rows = con.execute("SELECT c.name, r.status, r.reason FROM results r JOIN cases c ON c.id = r.case_id")
        out = {name: (status, reason) for name, status, reason in rows}
        attrs = {}
        for case, name, value in con.execute("SELECT c.name, a.name, a.value FROM result_attributes a "
                                             "JOIN cases c ON c.id = a.case_id"):
            attrs.setdefault(case, {})[name] = value
        return out, attrs, con

    def test_without_the_attribute(self):
        p = probe()["kvm"]
        if "xcomp_guest_perm" in p:
            self.skipTest("this kernel has the XCOMP_GUEST_PERM attribute")
        cases = plan()
        for case in (GET, SET):
            self.assertFalse(cases[case]["runnable"], cases[case])
        self.assertIn("KVM_X86_XCOMP_GUEST_PERM): No such device or address (errno 6)", cases[GET]["reason"])
        self.assertIn("not in Linux 6.1", cases[GET]["reason"])

    def test_get_through_the_attribute(self):
        env = shim_env()
        p = probe(env)["kvm"]
        self.assertIn("xcomp_guest_perm", p)
        self.assertEqual(p["xcomp_guest_perm_has_errno"], 6)  # the RFC left HAS as it was
        self.assertTrue(plan(env)[GET]["runnable"])
        db = os.path.join(self.tmp, "get.db")
        r = run("run", "--suite", "kvm", "--filter", "^" + GET + "$", "--quick", "--db", db, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        results, attrs, con = self.results(db)
        self.assertEqual(results[GET][0], "ok", results[GET])
        a = attrs[GET]
        self.assertEqual(int(a["xcomp_guest_perm"], 16),
                         int(a["arch_prctl_guest_perm"], 16) & int(a["xcomp_guest_supp"], 16))
        self.assertEqual(a["has_attr"], "ENXIO (errno 6)")
        n = con.execute("SELECT COUNT(*) FROM samples").fetchone()[0]
        self.assertEqual(n, 6)  # --quick: 2 rounds of 3

        # a kernel whose mask is wrong fails the check, and the run says so
        db = os.path.join(self.tmp, "wrong.db")
        r = run("run", "--suite", "kvm", "--filter", "^" + GET + "$", "--quick", "--db", db,
                env=shim_env(XB_SHIM_PERM_XOR="0x2"))
        self.assertEqual(r.returncode, 1, r.stderr)
        results, _, _ = self.results(db)
        self.assertEqual(results[GET][0], "error")
        self.assertIn("not arch_prctl(ARCH_GET_XCOMP_GUEST_PERM) & KVM_X86_XCOMP_GUEST_SUPP", results[GET][1])

    def test_set_in_fresh_processes(self):
        p = probe()
        supp = int(p["kernel"].get("xcomp_supp", "0"), 16)
        if not p["cpu"]["amx_tile"] or not supp & TILEDATA:
            self.skipTest("no AMX here (CPUID.(EAX=7,ECX=0):EDX[24], or tile data in ARCH_GET_XCOMP_SUPP)")
        # a KVM that offers guests what the kernel supports, tile data included
        env = shim_env(XB_SHIM_SUPP=hex(supp))
        self.assertTrue(plan(env)[SET]["runnable"], plan(env)[SET])
        db = os.path.join(self.tmp, "set.db")
        r = run("run", "--suite", "kvm", "--filter", "^" + SET + "$", "--quick", "--db", db, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        results, attrs, con = self.results(db)
        self.assertEqual(results[SET][0], "ok", results[SET])
        before, after = (int(v, 16) for v in attrs[SET]["guest_perm"].split(" -> "))
        self.assertFalse(before & TILEDATA)
        self.assertTrue(after & TILEDATA)
        n = con.execute("SELECT COUNT(*) FROM sample_metrics WHERE name = 'arch_prctl_req_ticks' AND value > 0"
                        ).fetchone()[0]
        self.assertEqual(n, 6)
        # the host's rounds model: 3 samples in each of --quick's 2 rounds, each the median of
        # five pairs of processes
        rows = con.execute("SELECT round, COUNT(*), MIN(batches), MAX(batches) FROM samples GROUP BY round"
                           ).fetchall()
        self.assertEqual(rows, [(0, 3, 5, 5), (1, 3, 5, 5)])


if __name__ == "__main__":
    xbtest.main()
