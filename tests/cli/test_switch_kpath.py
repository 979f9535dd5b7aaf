"""test_switch_kpath.py - the switch strategies and the kernel-path families (ctxsw, xfd,
signal, ptrace, amx): every id planned on the recorded Sapphire Rapids (AMX, XFD) and the
reason each case is skipped where the CPU or the kernel lacks what it needs; then a quick
real run of what this machine can run, checked in the database, with the summary's switch
table (each strategy beside the sum of its parts, priced at the same run's save and restore
medians, and the ratio with its interval); and the fresh helper process refusing to run a
tile instruction on a CPU without AMX."""
import os
import re
import statistics
import subprocess
import json

import xbtest
from xbtest import dump, run

SETS = ["fp", "avx", "avx512", "user", "amx"]
KPATH_SETS = ["none", "fp", "avx", "avx512", "amx"]
FAMILIES = "^native/(switch|ctxsw|xfd|signal|ptrace|amx)/"


def plan(path, *extra):
    r = run("list", "--json", "--cpuid-dump", path, "--filter", FAMILIES, *extra)
    assert r.returncode == 0, r.stderr
    return {c["id"]: c for c in json.loads(r.stdout)["cases"]}


def expected_ids():
    ids = [f"native/switch/{s}/{f}/{c}" for s in ["pointer-swap", "three-buffer"] for f in SETS
           for c in ["need-load", "live"]]
    ids += [f"native/switch/realloc/{f}/{c}" for f in ["avx", "avx512", "amx"] for c in ["need-load", "live"]]
    ids += [f"native/ctxsw/{op}/{f}" for op in ["pipe", "pipe-xcpu"] for f in KPATH_SETS]
    ids += ["native/xfd/ctxsw/amx/mixed", "native/xfd/ctxsw/amx/permitted"]
    ids += [f"native/signal/roundtrip/{f}" for f in KPATH_SETS]
    ids += [f"native/ptrace/{op}/{f}" for op in ["xstate-get", "xstate-set"] for f in KPATH_SETS]
    ids += ["native/amx/perm/amx", "native/amx/first-use/amx"]
    return ids


def is_amx(case_id):
    return "/amx" in case_id


class PlanOnRecordedMachines(xbtest.TempDirTest):
    def variant(self, name, old, new):
        """The Sapphire Rapids dump with one line changed."""
        with open(dump("intel-sapphirerapids.dump")) as f:
            text = f.read()
        self.assertIn(old, text)
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text.replace(old, new))
        return path

    def test_sapphirerapids_plans_every_id_and_runs_amx(self):
        p = plan(dump("intel-sapphirerapids.dump"))
        self.assertEqual(sorted(p), sorted(expected_ids()))
        for case_id, c in p.items():
            self.assertTrue(c["runnable"], c)

    def test_kernel_without_tile_data(self):
        # the same CPU under a kernel whose ARCH_GET_XCOMP_SUPP lacks XTILEDATA
        p = plan(self.variant("no-tiles.dump", "kernel.xcomp_supp 0x602e7", "kernel.xcomp_supp 0x202e7"))
        for case_id, c in p.items():
            if is_amx(case_id) or "/user/" in case_id:  # this dump's XCR0 (user) holds tile data
                self.assertFalse(c["runnable"], c)
                self.assertIn("arch_prctl(ARCH_GET_XCOMP_SUPP)=0x202e7", c["reason"])
            else:
                self.assertTrue(c["runnable"], c)

    def test_cpu_without_xfd(self):
        p = plan(self.variant("no-xfd.dump", "0x0000000d 0x01: eax=0x0000001f", "0x0000000d 0x01: eax=0x0000000f"))
        for case_id, c in p.items():
            if is_amx(case_id):
                self.assertIn("CPUID.(EAX=0DH,ECX=1):EAX[4]=0", c["reason"])

    def test_dump_without_kernel_facts(self):
        p = plan(self.variant("no-kernel.dump", "kernel.xcomp_supp 0x602e7\n", ""))
        self.assertIn("ARCH_GET_XCOMP_SUPP", p["native/amx/first-use/amx"]["reason"])
        self.assertIn("did not record", p["native/ctxsw/pipe/amx"]["reason"])

    def test_zen4_has_no_amx(self):
        p = plan(dump("amd-zen4.dump"))
        for case_id, c in p.items():
            if is_amx(case_id):
                self.assertIn("CPUID.(EAX=7,ECX=0):EDX[24] AMX-TILE=0", c["reason"])
            else:
                self.assertTrue(c["runnable"], c)

    def test_sandybridge_has_no_avx512(self):
        p = plan(dump("intel-sandybridge.dump"))
        self.assertIn("CPUID.(EAX=7,ECX=0):EBX[16]=0", p["native/switch/pointer-swap/avx512/live"]["reason"])
        self.assertIn("CPUID.(EAX=7,ECX=0):EBX[16]=0", p["native/signal/roundtrip/avx512"]["reason"])
        self.assertTrue(p["native/switch/three-buffer/avx/need-load"]["runnable"])
        self.assertTrue(p["native/ctxsw/pipe/avx"]["runnable"])

    def test_westmere_has_no_xsave(self):
        for c in plan(dump("intel-westmere.dump")).values():
            self.assertFalse(c["runnable"], c)
            self.assertIn("CPUID.1:ECX[26]=0", c["reason"])


def kernel_buffer_bytes(xsave, features):
    """5.15's fpu_kernel_xstate_size as the three-buffer copy takes it: every enabled user
    component but the XFD-capable ones (this machine enables no supervisor state for user
    space's XSAVEC), plus @features, in the format user space saves in."""
    comps = [c for c in xsave["components"] if c["enabled"] and not c["supervisor"]
             and (not c["xfd"] or features >> c["id"] & 1)]
    if not xsave["xsavec"]:
        return max(576, *(c["offset"] + c["size"] for c in comps if c["id"] >= 2))
    size = 576
    for c in sorted(comps, key=lambda c: c["id"]):
        if c["id"] >= 2:
            size = (size + 63) // 64 * 64 if c["align64"] else size
            size += c["size"]
    return size


class RunHere(xbtest.OneRunTest):
    CASES = ("^native/(switch/(pointer-swap|three-buffer)/avx512/(need-load|live)|switch/realloc/avx512/live"
             "|save/(xsavec|xsaveopt|xsave)/avx512/clean|restore/xrstor/avx512/inuse"
             "|ctxsw/pipe/(none|avx512)|ctxsw/pipe-xcpu/avx512|signal/roundtrip/(none|avx512)"
             "|ptrace/xstate-(get|set)/avx512|amx/first-use/amx|xfd/ctxsw/amx/mixed)$")

    @classmethod
    def setUpClass(cls):
        cls.run_once("--quick", "--rounds", "1", "--repetitions", "2", "--filter", cls.CASES)
        cls.planned = {c["id"]: c for c in json.loads(run("list", "--json", "--filter", cls.CASES).stdout)["cases"]}

    def attrs(self, case_id):
        return dict(self.q("SELECT ra.name, ra.value FROM result_attributes ra JOIN cases c ON c.id = ra.case_id "
                           "WHERE c.name = ?", case_id))

    def runnable(self, case_id):
        if not self.planned[case_id]["runnable"]:
            self.skipTest(f"{case_id}: {self.planned[case_id]['reason']}")

    def test_every_case_stored_with_its_status(self):
        self.assertEqual(self.result.returncode, 0, self.result.stdout + self.result.stderr)
        stored = dict(self.q("SELECT c.name, r.status FROM results r JOIN cases c ON c.id = r.case_id"))
        self.assertEqual(set(stored), set(self.planned))
        for case_id, c in self.planned.items():
            self.assertEqual(stored[case_id], "ok" if c["runnable"] else "skip", case_id)
            if c["runnable"]:
                (n,), = self.q("SELECT count(*) FROM samples s JOIN cases c ON c.id = s.case_id WHERE c.name = ?",
                               case_id)
                self.assertEqual(n, 2, case_id)

    def test_switch_records_what_it_ran(self):
        self.runnable("native/switch/pointer-swap/avx512/live")
        a = self.attrs("native/switch/pointer-swap/avx512/live")
        self.assertEqual(a["rfbm"], "0xe7")
        self.assertIn("save task, swap, restore guest", a["sequence"])
        # user space saves with XSAVEC, else XSAVEOPT, else XSAVE, and restores with XRSTOR
        x = json.loads(run("probe", "--json").stdout)["xsave"]
        save = "xsavec" if x["xsavec"] else "xsaveopt" if x["xsaveopt"] else "xsave"
        self.assertEqual(a["insns"], f"{save}/xrstor")
        self.assertEqual(int(a["xinuse_before"], 16) & 0xe7, 0xe7)
        self.assertIn("fpu_swap_kvm_fpstate (6.1)", a["sequence"])
        self.assertIn("swap, restore guest; save guest, swap, restore task",
                      self.attrs("native/switch/pointer-swap/avx512/need-load")["sequence"])
        tb = self.attrs("native/switch/three-buffer/avx512/need-load")
        self.assertIn("memcpy to user_fpu", tb["sequence"])
        # the memcpy moves the kernel's whole buffer, not the set's
        copy = int(tb["copy_bytes"].split()[0])
        self.assertEqual(copy, kernel_buffer_bytes(x, 0xe7))
        self.assertGreaterEqual(copy, int(tb["buffer_bytes"]) - 63)
        self.assertNotIn("copy_bytes", self.attrs("native/switch/three-buffer/avx512/live"))
        small, grown = self.attrs("native/switch/realloc/avx512/live")["realloc_bytes"].split(" -> ")
        self.assertLess(int(small), int(grown))

    def median(self, case_id):
        rows = self.q("SELECT s.ticks_per_op FROM samples s JOIN cases c ON c.id = s.case_id WHERE c.name = ?",
                      case_id)
        return statistics.median(v for (v,) in rows)

    def test_summary_sums_the_parts(self):
        self.runnable("native/switch/pointer-swap/avx512/live")
        x = json.loads(run("probe", "--json").stdout)["xsave"]
        save = "xsavec" if x["xsavec"] else "xsaveopt" if x["xsaveopt"] else "xsave"
        s = self.median(f"native/save/{save}/avx512/clean")
        r = self.median("native/restore/xrstor/avx512/inuse")
        out = self.result.stdout
        self.assertIn("switch strategies, median ticks per enter+exit round trip", out)
        # set, condition, pointer-swap, its parts, three-buffer, its parts, ratio [interval], realloc
        row = re.compile(r"^avx512 +(need-load|live) +([\d.]+) +([\d.]+) +([\d.]+) +([\d.]+)"
                         r" +([\d.]+)x \[ *([\d.]+)- *([\d.]+)\]", re.M)
        rows = {m.group(1): m for m in row.finditer(out)}
        self.assertEqual(set(rows), {"need-load", "live"}, out)
        # what the parts are, once per condition under the table
        legend = {c: (p, t) for c, p, t in
                  re.findall(r"^  (need-load|live): pointer-swap (\S+), three-buffer (\S+)$", out, re.M)}
        self.assertEqual(legend, {"need-load": ("1s+2r", "1s+2r+c"), "live": ("2s+2r", "2s+2r")})
        want = {"need-load": s + 2 * r, "live": 2 * s + 2 * r}
        for cond, m in rows.items():
            self.assertAlmostEqual(float(m.group(3)), want[cond], delta=0.06)
            self.assertAlmostEqual(float(m.group(5)), want[cond], delta=0.06)
            ps = self.median(f"native/switch/pointer-swap/avx512/{cond}")
            tb = self.median(f"native/switch/three-buffer/avx512/{cond}")
            self.assertAlmostEqual(float(m.group(2)), ps, delta=0.06)
            self.assertAlmostEqual(float(m.group(4)), tb, delta=0.06)
            self.assertAlmostEqual(float(m.group(6)), tb / ps, delta=0.006)
            self.assertLessEqual(float(m.group(7)), float(m.group(8)))
        for line in out.splitlines():
            self.assertLessEqual(len(line), 80, line)

    def test_signal_frame_size_recorded(self):
        self.runnable("native/signal/roundtrip/avx512")
        a = self.attrs("native/signal/roundtrip/avx512")
        minsig = int(a["minsigstksz"])
        size, extended = int(a["frame_xstate_size"]), int(a["frame_extended_size"])
        self.assertEqual(extended, size + 4)  # FP_XSTATE_MAGIC2 after the xstate
        self.assertLess(size, minsig)
        self.assertEqual(int(a["frame_xfeatures"], 16) & 0xe7, 0xe7)
        none = self.attrs("native/signal/roundtrip/none")
        self.assertEqual(none["xinuse_before"], "0x0")
        # after rt_sigreturn x87 and SSE may be in use (at their init values), nothing else
        self.assertEqual(int(none["xinuse_after"], 16) & ~0x3, 0, none["xinuse_after"])
        self.assertEqual(int(a["xinuse_after"], 16) & 0xe7, 0xe7)

    def test_ctxsw_partners(self):
        self.runnable("native/ctxsw/pipe/avx512")
        same = self.attrs("native/ctxsw/pipe/avx512")["partner"]
        pus = [int(w) for w in same.replace(",", " ").split() if w.isdigit()]
        self.assertEqual(pus[0], pus[1], same)
        if self.planned["native/ctxsw/pipe-xcpu/avx512"]["runnable"]:  # a second PU
            cross = self.attrs("native/ctxsw/pipe-xcpu/avx512")["partner"]
            pus = [int(w) for w in cross.replace(",", " ").split() if w.isdigit()]
            self.assertNotEqual(pus[0], pus[1], cross)
        rows = self.q("SELECT sm.value FROM sample_metrics sm JOIN cases c ON c.id = sm.case_id "
                      "WHERE c.name = 'native/ctxsw/pipe/avx512' AND sm.name = 'switches_per_round_trip'")
        self.assertTrue(rows)
        for (v,) in rows:
            self.assertGreaterEqual(v, 1.0)

    def test_ptrace_regset(self):
        self.runnable("native/ptrace/xstate-get/avx512")
        self.assertGreaterEqual(int(self.attrs("native/ptrace/xstate-set/avx512")["regset_bytes"]), 2432)

    def test_amx_cases_skip_with_their_reason(self):
        for case_id in ["native/amx/first-use/amx", "native/xfd/ctxsw/amx/mixed"]:
            if self.planned[case_id]["runnable"]:
                continue
            (reason,), = self.q("SELECT r.reason FROM results r JOIN cases c ON c.id = r.case_id WHERE c.name = ?",
                                case_id)
            self.assertEqual(reason, self.planned[case_id]["reason"])


class FreshHelper(xbtest.TempDirTest):
    def fresh(self, *args):
        path = os.path.join(os.path.dirname(xbtest.BINARY), "xstate-bench-fresh")
        return subprocess.run([path, *args], capture_output=True, text=True, timeout=60)

    def test_usage(self):
        r = self.fresh("bogus")
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage:", r.stderr)
        self.assertEqual(self.fresh("--help").returncode, 0)

    def test_no_tile_instruction_without_amx(self):
        with open("/proc/cpuinfo") as f:
            if " amx_tile" in f.read():
                self.skipTest("this CPU has AMX")
        for mode in [["perm"], ["first-use"], ["partner", "unpermitted", "0", "1", "0"]]:
            r = self.fresh(*mode)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("CPUID.(EAX=7,ECX=0):EDX[24] AMX-TILE=0", r.stderr)


if __name__ == "__main__":
    xbtest.main()
