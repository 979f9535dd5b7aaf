"""test_lab_guest.py - the guest payload on the lab's nested KVM through this project's VMM
(`run --suite guest --vmm kvm`): the probe boot works, the run is stored complete with every
guest case ok or skipped with a reason (none in error), the cases the nested guest's CPU can
run (XSAVE, XSAVEOPT and XRSTOR over x87/SSE/AVX/PKRU, both switch strategies on
XSAVEOPT/XRSTOR, the CPUID exit) are ok with samples from the kvm launcher and marked
functional_only, and the others name the missing CPUID bit as the guest sees it.
guest/exit/xsetbv/... are planned as skips there: QEMU's emulated SVM does not intercept
XSETBV, so the guest's XSETBV never exits and KVM puts its own XCR0 back at the next entry.
The CPUID exit's samples carry KVM's exit count (the VMM's exit counter, KVM_GET_STATS_FD):
at least one exit per CPUID that KVM counts under no reason of its own.
Functional only: the lab is TCG.
Usage: test_lab_guest.py XSTATE_BENCH XSTATE_GUEST_ELF"""
import os
import sqlite3
import sys
import tempfile

import lablib

MUST_RUN = [
    "guest/save/xsave/avx/inuse", "guest/save/xsave/user/clean", "guest/save/xsaveopt/user/inuse",
    "guest/restore/xrstor/avx/inuse", "guest/exit/cpuid-0xd/user",
    "guest/switch/pointer-swap/avx/live", "guest/switch/three-buffer/user/need-load",
]
SKIPS = {
    "guest/save/xsavec/avx/inuse": "no XSAVEC in the guest (CPUID.(EAX=0DH,ECX=1):EAX[1]=0)",
    "guest/save/xsaves/all/inuse": "no XSAVES/XRSTORS in the guest (CPUID.(EAX=0DH,ECX=1):EAX[3]=0)",
    "guest/save/xsave/avx512/inuse": "no AVX-512 in the guest (CPUID.(EAX=7,ECX=0):EBX[16]=0)",
    "guest/xfd/nm/amx": "no XFD in the guest (CPUID.(EAX=0DH,ECX=1):EAX[4]=0)",
    "guest/exit/xsetbv/avx": "KVM nested under QEMU TCG: TCG's emulated SVM does not intercept XSETBV, so it "
                             "does not exit and KVM reloads its own value of the guest's XCR0 at the next entry",
}


def main():
    bench, payload = sys.argv[1], sys.argv[2]
    lablib.require_lab()
    if not os.path.exists(payload):
        lablib.skip(f"no guest payload at {payload}")
    db_path = os.path.join(tempfile.mkdtemp(prefix="xb-lab-guest-"), "guest.db")
    status, _ = lablib.run(["xstate-bench", "run", "--suite", "guest", "--vmm", "kvm", "--quick",
                            "--db", "guest.db", "--label", "lab-guest"],
                           bench=bench, gets=[f"guest.db:{db_path}"], timeout=900)
    lablib.check(status == 0, f"xstate-bench run --suite guest --vmm kvm exited {status} in the lab")
    db = sqlite3.connect(db_path)
    run_id, complete = db.execute("SELECT id, complete FROM runs").fetchone()
    lablib.check(complete == 1, "the run is not marked complete")
    results = {name: (st, reason) for name, st, reason in db.execute(
        "SELECT c.name, r.status, r.reason FROM results r JOIN cases c ON c.id = r.case_id WHERE r.run_id = ?",
        (run_id,))}
    lablib.check(len(results) > 50 and all(c.startswith("guest/") for c in results), f"{len(results)} cases")
    for case, (st, reason) in results.items():
        lablib.check(st == "ok" or (st == "skip" and reason), f"{case}: {st}: {reason}")
        lablib.check("probe boot" not in (reason or ""), f"{case}: the probe boot failed: {reason}")
    for case in MUST_RUN:
        lablib.check(results[case][0] == "ok", f"{case} should run on the nested KVM: {results[case]}")
        attrs = dict(db.execute("SELECT a.name, a.value FROM result_attributes a JOIN cases c ON c.id = a.case_id "
                                "WHERE a.run_id = ? AND c.name = ?", (run_id, case)).fetchall())
        lablib.check(attrs.get("launcher") == "kvm", f"{case}: {attrs}")
        lablib.check(attrs.get("functional_only", "").startswith("QEMU TCG"), f"{case}: {attrs}")
        n = db.execute("SELECT COUNT(*) FROM samples s JOIN cases c ON c.id = s.case_id "
                       "WHERE s.run_id = ? AND c.name = ?", (run_id, case)).fetchone()[0]
        lablib.check(n >= 1, f"{case}: no samples")
    for case, reason in SKIPS.items():
        lablib.check(results[case] == ("skip", reason), f"{case}: {results[case]}")
    cpuid = "guest/exit/cpuid-0xd/user"
    attrs = dict(db.execute("SELECT a.name, a.value FROM result_attributes a JOIN cases c ON c.id = a.case_id "
                            "WHERE a.run_id = ? AND c.name = ?", (run_id, cpuid)).fetchall())
    lablib.check(attrs.get("vm_exits") == "counted (KVM_GET_STATS_FD)", f"{cpuid}: {attrs}")
    exits = [v for (v,) in db.execute("SELECT m.value FROM sample_metrics m JOIN cases c ON c.id = m.case_id "
                                       "WHERE m.run_id = ? AND c.name = ? AND m.name = 'vm_exits_per_op'",
                                       (run_id, cpuid))]
    lablib.check(len(exits) >= 1 and all(e >= 1 for e in exits), f"{cpuid}: exits per CPUID {exits}")
    print(f"lab guest: {cpuid}: KVM counted {min(exits):.3f}-{max(exits):.3f} exits per CPUID")
    ok = sum(1 for st, _ in results.values() if st == "ok")
    print(f"lab guest: {ok} guest cases ok on the nested KVM, {len(results) - ok} skipped with reasons")


if __name__ == "__main__":
    main()
