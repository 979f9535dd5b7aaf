"""test_lab_ring0.py - the xstate_bench kernel module on a real kernel: built with
host/module/build.sh against the lab kernel's own headers (from `lab.sh fetch`), loaded in
the lab VM (QEMU TCG, -cpu max), and the native/ring0 cases run through it.
Checks: the uAPI tests (tests/unit/test_module_ioctl.c) all pass against the loaded module;
the kernel logs no warning, oops or fault while the module runs; the module answers
with the lab kernel's release and XCR0; under TCG the XSAVE,
XSAVEOPT and XRSTOR cases, the component list's modified ones (the registers rewritten in ring
0) and both switch strategies (on the kernel's fallback instructions)
are planned and report numbers for in-use state, marked functional_only, with XINUSE before
each batch; the init cases skip because TCG does not track XINUSE (XGETBV(1) says every
component is in use); XSAVEC, XSAVES, AVX-512 and the XFD write skip with the CPUID bit TCG
lacks; so the run finishes with every case ok or skipped.
The layout check finds the one way QEMU 7.2's TCG departs from the SDM: XSAVE of AVX alone
(RFBM 0x4) leaves MXCSR unwritten (target/i386/tcg/fpu_helper.c, do_xsave(), saves MXCSR
only for RFBM[1]; the SDM: RFBM[1] or RFBM[2]). test_module_ioctl runs the module's check in
ring 0 with XSAVE and XRSTOR for every component it loads and must find exactly that
(XB_VERIFY_EXPECTED_FINDINGS); the datasheet, with the costs of that run and the module
loaded, must list exactly that finding (so it exits 1), and skip XSAVES/XRSTORS (ring 0) for
the CPUID bit TCG lacks.
Usage: test_lab_ring0.py XSTATE_BENCH BUILD_DIR TEST_MODULE_IOCTL"""
import re
import sys

import lablib

RING0 = "^native/ring0/"
RUNS = [f"native/ring0/{g}/{op}/{f}/{c}"
        for g, ops, conds in [("save", ["xsave", "xsaveopt"], ["inuse", "clean"]),
                              ("restore", ["xrstor"], ["inuse"])]
        for op in ops for f in ["fp", "avx", "user"] for c in conds]
SWITCHES = [f"native/ring0/switch/{s}/{f}/{c}" for s in ["pointer-swap", "three-buffer"]
            for f in ["fp", "avx", "user"] for c in ["need-load", "live"]]
INITS = [f"native/ring0/{g}/{op}/{f}/init" for g, op in [("save", "xsave"), ("save", "xsaveopt"),
                                                         ("restore", "xrstor")]
         for f in ["fp", "avx", "user"]]
SKIPS = {
    "native/ring0/save/xsavec/fp/inuse": "no XSAVEC on this CPU (CPUID.(EAX=0DH,ECX=1):EAX[1]=0)",
    "native/ring0/save/xsaves/all/inuse": "no XSAVES/XRSTORS on this CPU (CPUID.(EAX=0DH,ECX=1):EAX[3]=0)",
    "native/ring0/restore/xrstors/avx/init": "no XSAVES/XRSTORS on this CPU (CPUID.(EAX=0DH,ECX=1):EAX[3]=0)",
    "native/ring0/save/xsave/avx512/inuse": "no AVX-512 on this CPU (CPUID.(EAX=7,ECX=0):EBX[16]=0)",
    "native/ring0/switch/pointer-swap/avx512/live": "no AVX-512 on this CPU (CPUID.(EAX=7,ECX=0):EBX[16]=0)",
    "native/ring0/msr/wrmsr-xfd/amx": "no XFD on this CPU (CPUID.(EAX=0DH,ECX=1):EAX[4]=0)",
}
# The component list's modified in ring 0 (kernels/xstate_rewrite.c in the module): x87, SSE,
# AVX and PKRU rewritten; MPX has no instruction but XRSTOR that writes it.
MODIFIED = [f"native/ring0/save/{op}/{f}/modified" for op in ["xsave", "xsaveopt"] for f in ["fp", "avx", "fp+pkru"]]
MODIFIED_SKIPS = {"native/ring0/save/xsave/fp+bndregs/modified": "no instruction but XRSTOR writes components 0x8"}
# component/instruction (kernels/xstate_verify.h): YMM with XSAVE, QEMU's MXCSR
QEMU_FINDINGS = "2/0"
SCRIPT = ("XB_VERIFY_EXPECTED_FINDINGS=" + QEMU_FINDINGS + " {ioctl_test}; echo \"ioctl-status=$?\"; xstate-bench probe --json > probe.json; "
          f"xstate-bench list --json --suite native,components --filter '{RING0}' > list.json; "
          f"xstate-bench run --quick --suite native,components --filter '{RING0}' --db r0.db --label lab-ring0; "
          "echo \"run-status=$?\"; xstate-bench datasheet --out ds --db r0.db --run lab-ring0 --progress none; "
          "echo \"datasheet-status=$?\"; cp ds/datasheet.json datasheet.json; dmesg > dmesg.txt")


def check_datasheet(doc, out):
    """The datasheet with the module loaded: the layout checked, QEMU's MXCSR its one finding,
    the ring-0 checks skipped for the CPUID bit TCG lacks, not for a missing module."""
    lablib.check("datasheet-status=1" in out, "the datasheet's finding did not make it exit 1")
    layout = doc["layout"]
    lablib.check(layout["checked_on_silicon"] and layout["ring0"]["module"], f"{layout.get('ring0')}")
    findings = layout["findings"]
    lablib.check(len(findings) == 1 and findings[0].startswith("ymm") and "XSAVE (RFBM 0x4)" in findings[0]
                 and "MXCSR" in findings[0], f"layout findings: {findings}")
    comps = {c["short_name"]: c for c in layout["components"]}
    lablib.check(comps["ymm"]["checks"]["xsave"]["result"] == "finding", f"{comps['ymm']['checks']}")
    for name in ["x87", "sse", "ymm", "bndregs", "bndcsr", "pkru"]:
        checks = comps[name]["checks"]
        lablib.check(checks["xrstor"]["result"] == "ok", f"{name}: {checks}")
        lablib.check(name == "ymm" or checks["xsave"]["result"] == "ok", f"{name}: {checks}")
        for insn in ["xsaves", "xrstors"]:
            lablib.check(checks[insn]["result"] == "skip" and "CPUID.(EAX=0DH,ECX=1):EAX[3]=0" in checks[insn]["detail"],
                         f"{name} {insn}: {checks[insn]}")
    return findings[0]


def main():
    bench, build_dir, ioctl_test = sys.argv[1], sys.argv[2], sys.argv[3]
    lablib.require_lab()
    ko, release = lablib.build_module(build_dir)
    out, probe, plan, got, _, files = lablib.run_with_module(SCRIPT.format(ioctl_test=ioctl_test), "r0.db",
                                                             bench=bench, ko=ko, puts=[f"{ioctl_test}:{ioctl_test}"],
                                                             more=["datasheet.json"])
    lablib.check("ioctl-status=0" in out and "[  PASSED  ] 7 test(s)" in out and "SKIPPED" not in out,
                 "test_module_ioctl did not pass every test against the loaded module")
    ring0_checks = re.search(r"ring-0 layout checks passed: (\d+)", out)
    lablib.check(ring0_checks and int(ring0_checks.group(1)) >= 11,
                 "the module's layout check in ring 0 did not pass x87, SSE, AVX, MPX and PKRU with XSAVE and "
                 "XRSTOR (but AVX's XSAVE, QEMU's finding)")
    finding = check_datasheet(files["datasheet.json"], out)
    module = probe["module"]
    lablib.check(module["present"], f"the module did not answer: {module}")
    lablib.check(module["release"] == release, f"module on {module['release']}, lab kernel {release}")
    lablib.check(module["xss"] == "0x0", f"TCG has no XSAVES, yet XSS={module['xss']}")
    lablib.check(module["size_all_compacted"] == 0, f"TCG has no XSAVES, yet an XSAVES buffer: {module}")
    lablib.check((module["max_ops"], module["max_warmup_ops"], module["max_buffer_bytes"]) == (1024, 64, 65536),
                 f"the module's bounds (xstate_bench_uapi.h): {module}")
    lablib.check("run-status=0" in out, "the ring-0 run reported errors")
    for case in RUNS + SWITCHES + MODIFIED:
        lablib.check(plan[case]["runnable"], f"{case} not planned: {plan[case].get('reason')}")
        r = got[case]
        lablib.check(r["status"] == "ok" and r["samples"] > 0, f"{case}: {r}")
        lablib.check(r["attrs"].get("functional_only", "").startswith("QEMU TCG"), f"{case}: not functional_only")
        lablib.check(r["attrs"].get("site", "").startswith("ring 0"), f"{case}: no ring-0 site")
        lablib.check("xinuse_before" in r["attrs"], f"{case}: no XINUSE recorded")
        # the module's buffer, whole cache lines (user's standard size, 2696 bytes here, is not)
        lablib.check(int(r["attrs"]["buffer_bytes"]) % 64 == 0, f"{case}: {r['attrs']}")
    for case in SWITCHES:
        lablib.check(got[case]["attrs"]["insns"] == "xsaveopt/xrstor", f"{case}: {got[case]['attrs']}")
    for case in INITS:
        lablib.check(not plan[case]["runnable"] and "QEMU TCG does not track XINUSE" in plan[case]["reason"],
                     f"{case} should skip under TCG: {plan[case]}")
        lablib.check(got[case]["status"] == "skip", f"{case} stored as {got[case]['status']}")
    for case, why in {**SKIPS, **MODIFIED_SKIPS}.items():
        lablib.check(not plan[case]["runnable"] and why in plan[case]["reason"], f"{case}: {plan[case]}")
        lablib.check(got[case]["status"] == "skip", f"{case} stored as {got[case]['status']}")
    print(f"lab ring0: module built for {release} and loaded; {len(RUNS) + len(SWITCHES) + len(MODIFIED)} ring-0 cases "
          f"reported numbers, {len(INITS)} init cases skipped (TCG does not track XINUSE), "
          f"XSAVEC/XSAVES/AVX-512/XFD skipped with their CPUID bits; layout checks in ring 0 passed: "
          f"{ring0_checks.group(1)}; the datasheet's one finding: {finding}")


if __name__ == "__main__":
    main()
