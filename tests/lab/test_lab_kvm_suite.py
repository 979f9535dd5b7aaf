"""test_lab_kvm_suite.py - `xstate-bench run --suite kvm` on the lab's nested KVM: the run is
stored complete; every kvm case is there, ok or skipped with a reason; the cases this CPU
(QEMU's -cpu max: x87, SSE, AVX, PKRU for guests; no AVX-512 or AMX) can run are ok with
samples, carry the functional_only marker, and prove what they measured (the state read back
is the one set, values included; the round trip's state stayed as set); AVX-512 and AMX cases skip naming
the CPUID bit; the probe inside sees /dev/kvm with hardware (emulated SVM) guests; and a
batch whose KVM_CREATE_VCPU runs out of file descriptors reports that error.
Usage: test_lab_kvm_suite.py XSTATE_BENCH"""
import json
import os
import sqlite3
import sys
import tempfile

import lablib

MUST_RUN = [
    "kvm/run/roundtrip/fp/init", "kvm/run/roundtrip/fp/clean",
    "kvm/run/roundtrip/user/clean",
    "kvm/xsave2/get/fp/init", "kvm/xsave2/get/fp/inuse", "kvm/xsave2/get/avx/inuse",
    "kvm/xsave2/set/fp/init", "kvm/xsave2/set/fp/inuse", "kvm/xsave2/set/avx/inuse",
    "kvm/xsave2/get/user/inuse", "kvm/xsave2/set/user/inuse",
    "kvm/vcpu/create/user", "kvm/cpuid/set/user", "kvm/attr/xcomp-guest-supp/none",
]
NO_AVX512 = "no AVX-512 on this CPU (CPUID.(EAX=7,ECX=0):EBX[16]=0)"


def attributes(db, run_id, case):
    rows = db.execute("SELECT a.name, a.value FROM result_attributes a JOIN cases c ON c.id = a.case_id "
                      "WHERE a.run_id = ? AND c.name = ?", (run_id, case))
    return dict(rows.fetchall())


def main():
    bench = sys.argv[1]
    lablib.require_lab()
    out = tempfile.mkdtemp(prefix="xb-lab-kvm-")
    db_path, probe_path = os.path.join(out, "kvm.db"), os.path.join(out, "probe.json")
    fds_path = os.path.join(out, "fds.db")
    # then a batch of more new vCPUs than 64 file descriptors allow: the error must be the
    # failed KVM_CREATE_VCPU's own (EMFILE), not what a later call on fd -1 said
    status, output = lablib.run(["sh", "-c", "xstate-bench probe --json > probe.json && "
                            "xstate-bench run --suite kvm --quick --db kvm.db --label lab-kvm && "
                            "(ulimit -n 64; xstate-bench run --suite kvm --quick --ops 100 --filter '^kvm/cpuid/set/user$' "
                            "--db fds.db; echo \"fds-status=$?\")"],
                           bench=bench, gets=[f"kvm.db:{db_path}", f"probe.json:{probe_path}", f"fds.db:{fds_path}"],
                           timeout=900)
    lablib.check(status == 0, f"xstate-bench run --suite kvm exited {status} in the lab")
    fds = sqlite3.connect(fds_path).execute("SELECT status, reason FROM results").fetchall()
    lablib.check("fds-status=1" in output, "the run whose batch failed did not exit 1")
    lablib.check(len(fds) == 1 and fds[0][0] == "error" and "KVM_CREATE_VCPU" in fds[0][1] and
                 "Too many open files (errno 24)" in fds[0][1], f"64 descriptors, 100 vCPUs: {fds}")

    probe = json.load(open(probe_path))
    lablib.check(probe["kvm"]["present"], "the probe inside the lab saw no /dev/kvm")
    lablib.check(probe["kvm"]["guest_mode"] == "hardware",
                 f"the nested KVM should run hardware guests: {probe['kvm'].get('guest_mode_detail')}")
    lablib.check(probe["kvm"]["guest_cpuid"] == "kept",
                 f"the nested KVM should keep a vCPU's filtered CPUID: {probe['kvm'].get('guest_cpuid_detail')}")

    db = sqlite3.connect(db_path)
    run_id, complete, release = db.execute("SELECT id, complete, kernel_release FROM runs").fetchone()
    lablib.check(complete == 1, "the run is not marked complete")
    lablib.check(release.endswith("-amd64"), f"kernel release {release} is not a Debian kernel's")
    results = dict(((name, (st, reason)) for name, st, reason in db.execute(
        "SELECT c.name, r.status, r.reason FROM results r JOIN cases c ON c.id = r.case_id WHERE r.run_id = ?",
        (run_id,))))
    lablib.check(len(results) == 30, f"expected 30 kvm cases, got {len(results)}")
    for case, (st, reason) in results.items():
        lablib.check(case.startswith("kvm/"), f"{case} is not a kvm case")
        lablib.check(st in ("ok", "skip"), f"{case}: {st}: {reason}")
        if st == "skip":
            lablib.check(reason, f"{case} skipped without a reason")
    for case in MUST_RUN:
        lablib.check(results[case][0] == "ok", f"{case} should run on the nested KVM: {results[case]}")
        n = db.execute("SELECT COUNT(*) FROM samples s JOIN cases c ON c.id = s.case_id "
                       "WHERE s.run_id = ? AND c.name = ? AND s.ticks_per_op > 0", (run_id, case)).fetchone()[0]
        lablib.check(n == 6, f"{case}: {n} samples, expected 6 (--quick: two rounds of three)")
        attrs = attributes(db, run_id, case)
        lablib.check(attrs.get("functional_only", "").startswith("QEMU TCG"), f"{case} lacks functional_only")
        if case.startswith("kvm/xsave2/"):
            lablib.check(attrs["xstate_bv_read"] == attrs["xstate_bv_set"], f"{case}: {attrs}")
        if case.endswith("/clean"):
            lablib.check(attrs["xstate_bv_after"] == attrs["guest_xcr0"], f"{case}: {attrs}")
    lablib.check(results["kvm/run/roundtrip/user/init"][0] == "skip" and
                 "QEMU TCG does not track XINUSE" in results["kvm/run/roundtrip/user/init"][1],
                 f"kvm/run/roundtrip/user/init: {results['kvm/run/roundtrip/user/init']}")
    for case in ("kvm/run/roundtrip/avx512/clean", "kvm/xsave2/set/avx512/inuse", "kvm/cpuid/realloc/amx"):
        lablib.check(results[case] == ("skip", NO_AVX512), f"{case}: {results[case]}")
    print(f"lab kvm suite: {sum(1 for s, _ in results.values() if s == 'ok')} cases ok, "
          f"{sum(1 for s, _ in results.values() if s == 'skip')} skipped with reasons")


if __name__ == "__main__":
    main()
