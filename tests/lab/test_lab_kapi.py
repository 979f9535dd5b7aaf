"""test_lab_kapi.py - the kapi site on a real kernel: the xstate_bench module built against the
lab kernel's headers and loaded after kvm (Debian's 6.1 configures KVM, so every fpu function
it calls is exported), and `run --suite kapi` in the lab VM (QEMU TCG, -cpu max).
Checks: the module resolved every function (probe); the x87/SSE and AVX cases plan and report
numbers, marked functional_only, each with what it proved: the return value (1 for
fpu_alloc_guest_fpstate(), 0 for the swaps and copies, 0 or EINVAL for seed 001's image given
to a guest without XSAVE), the guest fpstate as 6.1 allocates it (the size of XCR0 in the
kernel's standard format under TCG, which has no XSAVES, XCR0's features, xfd 0, a 4096-byte
struct kvm_xsave), the task's fpstate, XINUSE where the task's state is held, how the calls
were timed and with preemption off or on; AVX-512, AMX and the XFD cases skip with the CPUID
bit TCG lacks; the kernel logs no warning or fault. Prints every case's median and proof.
Usage: test_lab_kapi.py XSTATE_BENCH BUILD_DIR"""
import sys

import lablib

SETS = ["fp", "avx"]
RUNS = (["kapi/fpu/alloc-guest-fpstate/user", "kapi/fpu/free-guest-fpstate/user",
         "kapi/fpu/copy-uabi-to-guest-fpstate/fp/pre-xsave-guest"]
        + [f"kapi/fpu/{op}/{s}/{c}" for op in ["swap-kvm-fpstate", "kernel-fpu-begin-end"] for s in SETS
           for c in ["need-load", "live"]]
        + [f"kapi/fpu/{op}/{s}/inuse" for op in ["copy-guest-fpstate-to-uabi", "copy-uabi-to-guest-fpstate"]
           for s in SETS])
SKIPS = {
    "kapi/fpu/swap-kvm-fpstate/avx512/live": "no AVX-512 on this CPU (CPUID.(EAX=7,ECX=0):EBX[16]=0)",
    "kapi/fpu/kernel-fpu-begin-end/amx/need-load": "CPUID.(EAX=7,ECX=0):EBX[16]=0",
    "kapi/fpu/enable-guest-xfd-features/amx": "no XFD on this CPU (CPUID.(EAX=0DH,ECX=1):EAX[4]=0)",
    "kapi/fpu/update-guest-xfd/amx": "no XFD on this CPU (CPUID.(EAX=0DH,ECX=1):EAX[4]=0)",
}
PER_CALL = {"kapi/fpu/alloc-guest-fpstate/user", "kapi/fpu/free-guest-fpstate/user"} | {
    f"kapi/fpu/swap-kvm-fpstate/{s}/need-load" for s in SETS} | {f"kapi/fpu/kernel-fpu-begin-end/{s}/live" for s in SETS}
SCRIPT = ("xstate-bench probe --json > probe.json; xstate-bench list --json --suite kapi > list.json; "
          "xstate-bench run --quick --suite kapi --db k.db --label lab-kapi; echo \"run-status=$?\"; dmesg > dmesg.txt")


def expected_ret(case):
    if case.startswith("kapi/fpu/alloc-guest-fpstate/"):
        return {"1"}
    if case.endswith("/pre-xsave-guest"):  # 6.1 refuses x87+SSE beyond xcr0; a kernel with the fix takes it
        return {"0", "-22 (EINVAL)"}
    return {"0"}


def check_case(case, r, xcr0, standard):
    a = r["attrs"]
    lablib.check(r["status"] == "ok" and r["samples"] > 0, f"{case}: {r}")
    lablib.check(a.get("functional_only", "").startswith("QEMU TCG"), f"{case}: not functional_only")
    lablib.check(a["ret"] in expected_ret(case), f"{case}: ret {a['ret']}")
    lablib.check(a["site"] == "ring 0: the kernel's own function, preemption " +
                 ("on (it may sleep)" if "-guest-fpstate/user" in case else "off (fpregs_lock)"), f"{case}: {a}")
    lablib.check(a["timing"].startswith("each call on its own" if case in PER_CALL else "the calls in one loop"),
                 f"{case}: {a['timing']}")
    lablib.check(a["task_fpstate"] == f"size {standard}, xfeatures {xcr0}", f"{case}: {a['task_fpstate']}")
    if "kernel-fpu-begin-end" not in case:  # every other case works on a vCPU's guest fpstate
        lablib.check(a["guest_fpstate"] == f"size {standard}, user_size {standard}, xfeatures {xcr0}, xfd 0x0, "
                     "uabi_size 4096", f"{case}: {a['guest_fpstate']}")
    if "/need-load" in case or "/live" in case:  # the task's state held across the ioctl
        lablib.check(int(a["xinuse_before"], 16) & 0x3 == 0x3, f"{case}: {a}")
        lablib.check(a["load_mask"] and a["in_use"], f"{case}: {a}")


def main():
    bench, build_dir = sys.argv[1], sys.argv[2]
    lablib.require_lab()
    ko, release = lablib.build_module(build_dir)
    out, probe, plan, got, median, _ = lablib.run_with_module(SCRIPT, "k.db", bench=bench, ko=ko)
    module = probe["module"]
    lablib.check(module["present"] and module["uapi_version"] == lablib.uapi_version() and module["release"] == release, f"{module}")
    lablib.check(set(module["kapi"].values()) == {"resolved"}, f"{release} exports them all: {module['kapi']}")
    lablib.check("run-status=0" in out, "the kapi run reported errors")
    xcr0, standard = probe["xsave"]["xcr0"], probe["xsave"]["size_xcr0_standard"]
    lablib.check(len(plan) == 29, f"{len(plan)} kapi cases planned")
    for case in RUNS:
        lablib.check(plan[case]["runnable"], f"{case} not planned: {plan[case].get('reason')}")
        check_case(case, got[case], xcr0, standard)
    lablib.check(sum(c["runnable"] for c in plan.values()) == len(RUNS), "more kapi cases ran than expected")
    for case, why in SKIPS.items():
        lablib.check(not plan[case]["runnable"] and why in plan[case]["reason"], f"{case}: {plan[case]}")
        lablib.check(got[case]["status"] == "skip", f"{case} stored as {got[case]['status']}")
    print(f"lab kapi on {release}: every function resolved; {len(RUNS)} cases (median ticks/op, functional only):")
    for case in RUNS:
        a = got[case]["attrs"]
        print(f"  {case:55} {median[case]:10.1f}  ret {a['ret']}; {a.get('guest_fpstate', a['task_fpstate'])}")


if __name__ == "__main__":
    main()
