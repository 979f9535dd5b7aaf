"""test_plan_dumps.py - planning against recorded machines: which cases can run on each, and
that every skip names its reason (the CPUID bit, the XCR0 bits or the kernel interface)."""
import json

import xbtest
from xbtest import dump, run


def plan(name, *extra):
    r = run("list", "--json", "--cpuid-dump", dump(name), *extra)
    assert r.returncode == 0, r.stderr
    return {c["id"]: c for c in json.loads(r.stdout)["cases"]}


class PlanOnDumps(xbtest.TempDirTest):
    def test_every_skip_has_a_reason(self):
        for name in ["intel-sapphirerapids.dump", "amd-zen4.dump", "intel-sandybridge.dump",
                     "intel-westmere.dump", "intel-cascadelake-kvm.dump", "intel-xeon-amx-kvm.dump",
                     "amd-turin-bhyve.dump", "qemu-tcg-lab.dump"]:
            for c in plan(name).values():
                self.assertEqual(c["runnable"], "reason" not in c, c)
                if not c["runnable"]:
                    self.assertTrue(c["reason"].strip(), c)

    def test_sapphirerapids_runs_amx(self):
        p = plan("intel-sapphirerapids.dump")
        for i in ["native/save/xsave/amx/inuse", "native/save/xsavec/amx/clean",
                  "native/restore/xrstor/amx/init", "native/save/xsaveopt/user/inuse"]:
            self.assertTrue(p[i]["runnable"], p[i])

    def test_sapphirerapids_without_kernel_support(self):
        # The same CPU under a kernel that does not offer AMX tile data.
        with open(dump("intel-sapphirerapids.dump")) as f:
            text = f.read().replace("kernel.xcomp_supp 0x602e7", "kernel.xcomp_supp 0x202e7")
        path = self.tmp + "/spr-old-kernel.dump"
        with open(path, "w") as f:
            f.write(text)
        r = run("list", "--json", "--suite", "native", "--cpuid-dump", path, "--filter", "amx")
        cases = json.loads(r.stdout)["cases"]
        self.assertTrue(cases)
        for c in cases:
            self.assertFalse(c["runnable"])
            self.assertIn("arch_prctl(ARCH_GET_XCOMP_SUPP)=0x202e7", c["reason"])

    def test_xeon_amx_runs_amx_and_xfd(self):
        # The team's Intel machine: AMX with XFD and a kernel offering tile data, no PKRU.
        p = plan("intel-xeon-amx-kvm.dump", "--suite", "native")
        for i in ["native/save/xsavec/amx/inuse", "native/restore/xrstor/amx/init", "native/save/xsaveopt/user/clean",
                  "native/amx/first-use/amx", "native/amx/perm/amx", "native/xfd/ctxsw/amx/mixed",
                  "native/signal/roundtrip/amx", "native/switch/realloc/amx/live"]:
            self.assertTrue(p[i]["runnable"], p[i])

    def test_zen4_has_no_amx(self):
        p = plan("amd-zen4.dump")
        self.assertIn("CPUID.(EAX=7,ECX=0):EDX[24]", p["native/save/xsave/amx/init"]["reason"])
        self.assertTrue(p["native/save/xsavec/avx512/inuse"]["runnable"])
        self.assertTrue(p["native/save/xsaveopt/user/clean"]["runnable"])

    def test_sandybridge_has_no_xsavec_nor_avx512(self):
        p = plan("intel-sandybridge.dump")
        self.assertIn("CPUID.(EAX=0DH,ECX=1):EAX[1]=0", p["native/save/xsavec/fp/init"]["reason"])
        self.assertIn("CPUID.(EAX=7,ECX=0):EBX[16]=0", p["native/save/xsave/avx512/init"]["reason"])
        self.assertTrue(p["native/save/xsaveopt/avx/clean"]["runnable"])
        self.assertTrue(p["native/restore/xrstor/avx/inuse"]["runnable"])

    def test_westmere_has_no_xsave(self):
        p = plan("intel-westmere.dump", "--suite", "native")
        for c in p.values():
            if c["id"].startswith("native/loop/"):
                continue
            self.assertFalse(c["runnable"], c)
            self.assertIn("CPUID.1:ECX[26]=0", c["reason"])

    def test_qemu_tcg_holds_nothing_in_init(self):
        # The lab's VM: TCG reads every component in use, so no case that holds components
        # in their init state can be set up; cases on in-use state still run.
        p = plan("qemu-tcg-lab.dump", "--suite", "native,kvm")
        tcg = "QEMU TCG does not track XINUSE"
        for i in ["native/save/xsave/fp/init", "native/restore/xrstor/avx/init", "native/ctxsw/pipe/none",
                  "native/ctxsw/pipe/fp", "native/signal/roundtrip/avx", "native/ptrace/xstate-get/fp"]:
            self.assertFalse(p[i]["runnable"], p[i])
            self.assertIn(tcg, p[i]["reason"])
        for i in ["native/save/xsave/fp/inuse", "native/save/xsaveopt/user/clean",
                  "native/restore/xrstor/user/inuse", "native/switch/pointer-swap/avx/live"]:
            self.assertTrue(p[i]["runnable"], p[i])
        self.assertIn("CPUID.(EAX=0DH,ECX=1):EAX[1]=0", p["native/save/xsavec/fp/inuse"]["reason"])
        # the same cases on this development machine's recorded CPU are not affected
        amd = plan("amd-turin-bhyve.dump")
        self.assertTrue(amd["native/save/xsave/fp/init"]["runnable"])
        self.assertTrue(amd["native/ctxsw/pipe/fp"]["runnable"], amd["native/ctxsw/pipe/fp"])

    def test_filter_selects_exactly_one(self):
        p = plan("intel-sapphirerapids.dump", "--filter", "^native/save/xsave/avx512/inuse$")
        self.assertEqual(list(p), ["native/save/xsave/avx512/inuse"])

    def test_ids_follow_the_design(self):
        p = plan("intel-sapphirerapids.dump")
        for i in p:
            parts = i.split("/")
            self.assertIn(parts[0], ["native", "kvm", "guest", "kapi"], i)
            self.assertGreaterEqual(len(parts), 4, i)
        for op in ["xsave", "xsaveopt", "xsavec"]:
            for f in ["fp", "avx", "avx512", "user", "amx"]:
                for cond in ["init", "inuse", "clean"]:
                    self.assertIn(f"native/save/{op}/{f}/{cond}", p)
        for f in ["fp", "avx", "avx512", "user", "amx"]:
            for cond in ["init", "inuse"]:
                self.assertIn(f"native/restore/xrstor/{f}/{cond}", p)
        self.assertIn("native/save/fxsave/fp/inuse", p)
        self.assertIn("native/restore/fxrstor/fp/init", p)


if __name__ == "__main__":
    xbtest.main()
