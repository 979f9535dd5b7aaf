"""test_kvm_plan.py - planning the kvm suite: every kvm case is listed with the ids of the
design, and a case that cannot run says why: the CPU's missing feature first (on recorded
machines), else the missing /dev/kvm with the open error; with /dev/kvm absent, `run --suite
kvm` stores every case as skipped and exits 0. Recorded machines with KVM facts (kvm.* lines
added to the dumps here) plan the seed cases: Sapphire Rapids (AMX, XFD) with and without the
proposed XCOMP_GUEST_PERM attribute, Zen 4 without AMX, the lab's TCG machine without init
tracking; on this machine the cases about the guest's CPUID skip where KVM keeps its own."""
import json
import os
import sqlite3

import xbtest
from xbtest import dump, run

KVM_CASES = 38


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
                  "kvm/attr/xcomp-guest-supp/none", "kvm/attr/xcomp-guest-perm-get/none",
                  "kvm/attr/xcomp-guest-perm-set/amx", "kvm/xsave2/set/fp/pre-xsave-guest",
                  "kvm/xsave2/get/fp/pre-xsave-guest"]:
            self.assertIn(i, p)
        for f in ["fp", "user"]:
            for cond in ["fp-advertised", "all-advertised"]:
                self.assertIn(f"kvm/run/roundtrip/{f}/{cond}", p)
        # KVM allocates every new vCPU's fpstate at the default size, whatever the permission:
        # an amx variant would run the very path of create/user
        self.assertNotIn("kvm/vcpu/create/amx", p)

    def test_cpu_reasons_come_first(self):
        p = plan("--cpuid-dump", dump("amd-zen4.dump"))
        self.assertIn("CPUID.(EAX=7,ECX=0):EDX[24]", p["kvm/cpuid/realloc/amx"]["reason"])
        self.assertIn("no KVM here", p["kvm/xsave2/get/avx512/inuse"]["reason"])
        for c in plan("--cpuid-dump", dump("intel-westmere.dump")).values():
            self.assertIn("CPUID.1:ECX[26]=0", c["reason"])

    def with_kvm(self, name, perm=None, supp=None):
        """@name with a KVM recorded: its XCOMP_GUEST_SUPP (all of XCR0 unless @supp), and the
        XCOMP_GUEST_PERM attribute's mask when @perm."""
        with open(dump(name)) as f:
            text = f.read()
        xcr0 = next(int(line.split()[1], 16) for line in text.splitlines() if line.startswith("xcr0 "))
        lines = [f"kvm.xsave2_size 11008", f"kvm.xcomp_guest_supp {hex(supp if supp is not None else xcr0)}",
                 "kvm.supported_xss 0x0"]
        if perm is not None:
            lines.append(f"kvm.xcomp_guest_perm {hex(perm)}")
        path = os.path.join(self.tmp, f"{name}-kvm{'-perm' if perm is not None else ''}.dump")
        with open(path, "w") as f:
            f.write(text + "\n".join(lines) + "\n")
        return path

    def test_sapphirerapids_with_kvm(self):
        p = plan("--cpuid-dump", self.with_kvm("intel-sapphirerapids.dump"))
        self.assertEqual(len(p), KVM_CASES)
        for i in ["kvm/xsave2/set/fp/pre-xsave-guest", "kvm/xsave2/get/fp/pre-xsave-guest",
                  "kvm/run/roundtrip/fp/fp-advertised", "kvm/run/roundtrip/fp/all-advertised",
                  "kvm/run/roundtrip/user/fp-advertised", "kvm/run/roundtrip/user/all-advertised",
                  "kvm/xsave2/set/amx/inuse", "kvm/cpuid/realloc/amx", "kvm/attr/xcomp-guest-supp/none"]:
            self.assertTrue(p[i]["runnable"], p[i])
        # the recorded KVM has no XCOMP_GUEST_PERM attribute: both cases say the ENXIO
        for i in ["kvm/attr/xcomp-guest-perm-get/none", "kvm/attr/xcomp-guest-perm-set/amx"]:
            self.assertFalse(p[i]["runnable"])
            self.assertIn("No such device or address (errno 6), as recorded", p[i]["reason"])
            self.assertIn("not in Linux 6.1", p[i]["reason"])
        p = plan("--cpuid-dump", self.with_kvm("intel-sapphirerapids.dump", perm=0x602e7))
        for i in ["kvm/attr/xcomp-guest-perm-get/none", "kvm/attr/xcomp-guest-perm-set/amx"]:
            self.assertTrue(p[i]["runnable"], p[i])
        # a KVM that offers no tile data to guests: the request cannot be made
        p = plan("--cpuid-dump", self.with_kvm("intel-sapphirerapids.dump", perm=0x2e7, supp=0x2e7))
        self.assertIn("KVM does not offer guests components 0x60000",
                      p["kvm/attr/xcomp-guest-perm-set/amx"]["reason"])
        self.assertTrue(p["kvm/attr/xcomp-guest-perm-get/none"]["runnable"])

    def test_other_machines_with_kvm(self):
        p = plan("--cpuid-dump", self.with_kvm("amd-zen4.dump", perm=0xe7))
        self.assertIn("CPUID.(EAX=7,ECX=0):EDX[24]", p["kvm/attr/xcomp-guest-perm-set/amx"]["reason"])
        self.assertTrue(p["kvm/attr/xcomp-guest-perm-get/none"]["runnable"])
        self.assertTrue(p["kvm/run/roundtrip/user/fp-advertised"]["runnable"])
        # QEMU TCG tracks no init state: the VMM's hold of x87/SSE with AVX in init cannot be
        # checked, the hold of everything can
        p = plan("--cpuid-dump", self.with_kvm("qemu-tcg-lab.dump", supp=0x207))
        self.assertIn("XINUSE", p["kvm/run/roundtrip/fp/fp-advertised"]["reason"])
        self.assertTrue(p["kvm/run/roundtrip/user/fp-advertised"]["runnable"], p["kvm/run/roundtrip/user/fp-advertised"])
        self.assertTrue(p["kvm/xsave2/set/fp/pre-xsave-guest"]["runnable"])
        for c in plan("--cpuid-dump", self.with_kvm("intel-westmere.dump")).values():
            self.assertIn("CPUID.1:ECX[26]=0", c["reason"])

    def test_guest_cpuid_cases_here(self):
        if not os.path.exists("/dev/kvm"):
            self.skipTest("no /dev/kvm here")
        r = run("probe", "--json")
        kvm = json.loads(r.stdout)["kvm"]
        p = plan()
        for i in ["kvm/xsave2/set/fp/pre-xsave-guest", "kvm/xsave2/get/fp/pre-xsave-guest",
                  "kvm/run/roundtrip/user/fp-advertised", "kvm/run/roundtrip/user/all-advertised"]:
            if kvm["guest_cpuid"] == "kept":
                self.assertNotIn("replaces a vCPU's CPUID", p[i]["reason"])
            else:
                # the probe's sentence, whole
                self.assertEqual(p[i]["reason"], kvm["guest_cpuid_detail"])

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
