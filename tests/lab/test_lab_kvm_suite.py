"""test_lab_kvm_suite.py - `xstate-bench run --suite kvm` on the lab's nested KVM: the run is
stored complete; every kvm case is there, ok or skipped with a reason; the cases this CPU
(QEMU's -cpu max: x87, SSE, AVX, PKRU for guests; no AVX-512 or AMX) can run are ok with
samples, carry the functional_only marker, and prove what they measured (the state read back
is the one set, values included; the round trip's state stayed as set); AVX-512 and AMX cases skip naming
the CPUID bit; the probe inside sees /dev/kvm with hardware (emulated SVM) guests; and a
batch whose KVM_CREATE_VCPU runs out of file descriptors reports that error. The seed cases:
KVM_SET_XSAVE of x87+SSE into a guest without XSAVE is accepted (set_xsave 0) and reads back
XSTATE_BV 0x3; the two VMs of kvm/run/roundtrip/user/{fp,all}-advertised run with the same
guest fpstate size, the fp-advertised one reading back only x87/SSE, record KVM's supported
XSS and CET, and stand side by side in the summary with their ratio; the XCOMP_GUEST_PERM
cases skip naming the ENXIO of Linux 6.1. A
kernel with the old rule (KVM_SET_XSAVE refusing x87+SSE for a guest without XSAVE, made by
the kvm_shim.so LD_PRELOAD library) fails both pre-xsave-guest cases with that reason and the
run exits 1, while a guest with XSAVE is left alone.
Usage: test_lab_kvm_suite.py XSTATE_BENCH KVM_SHIM"""
import json
import os
import re
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
    "kvm/xsave2/set/fp/pre-xsave-guest", "kvm/xsave2/get/fp/pre-xsave-guest",
    "kvm/run/roundtrip/user/fp-advertised", "kvm/run/roundtrip/user/all-advertised",
]
KVM_CASES = 38
NO_AVX512 = "no AVX-512 on this CPU (CPUID.(EAX=7,ECX=0):EBX[16]=0)"


def attributes(db, run_id, case):
    rows = db.execute("SELECT a.name, a.value FROM result_attributes a JOIN cases c ON c.id = a.case_id "
                      "WHERE a.run_id = ? AND c.name = ?", (run_id, case))
    return dict(rows.fetchall())


def check_seeds(db, run_id, results):
    for op in ("set", "get"):
        case = f"kvm/xsave2/{op}/fp/pre-xsave-guest"
        a = attributes(db, run_id, case)
        lablib.check(a["set_xsave"] == "0" and a["xstate_bv_read"] == "0x3" and a["guest_xcr0"].startswith("none"),
                     f"{case}: {a}")
        print(f"lab kvm suite: {case}: KVM_SET_XSAVE {a['set_xsave']}, XSTATE_BV read {a['xstate_bv_read']}")
    fp = attributes(db, run_id, "kvm/run/roundtrip/user/fp-advertised")
    everything = attributes(db, run_id, "kvm/run/roundtrip/user/all-advertised")
    lablib.check(fp["guest_xcr0"] == "0x3" and fp["xstate_bv_after"] == "0x3", f"fp-advertised: {fp}")
    lablib.check(everything["xstate_bv_after"] == everything["guest_xcr0"], f"all-advertised: {everything}")
    for a in (fp, everything):
        lablib.check(int(a["get_xsave2_bytes"]) >= 4096 and a["kvm_supported_xss"].startswith("0x") and
                     a["kvm_cet"].startswith("CET_SS"), f"{a}")
    print(f"lab kvm suite: fp-advertised {fp['get_xsave2_bytes']} bytes, all-advertised (XCR0 "
          f"{everything['guest_xcr0']}) {everything['get_xsave2_bytes']} bytes; KVM_CAP_XSAVE2 "
          f"{fp['kvm_cap_xsave2']}, supported XSS {fp['kvm_supported_xss']}, {fp['kvm_cet']}")
    lablib.check(results["kvm/run/roundtrip/fp/fp-advertised"][0] == "skip" and
                 "XINUSE" in results["kvm/run/roundtrip/fp/fp-advertised"][1],
                 f"fp/fp-advertised: {results['kvm/run/roundtrip/fp/fp-advertised']}")
    reason = results["kvm/attr/xcomp-guest-perm-get/none"]
    lablib.check(reason[0] == "skip" and "No such device or address (errno 6)" in reason[1], f"perm-get: {reason}")


def check_advertised_table(output):
    """The summary's fp-/all-advertised table: the user row with both medians, both guest
    fpstate sizes and all/fp with its interval (or - when the samples are too few)."""
    head = "KVM_RUN round trip, the guest's CPUID offering x87/SSE only or everything"
    lablib.check(head in output, "the run's summary has no fp-/all-advertised table")
    row = re.search(r"^user +[0-9.]+ +[0-9]+ +[0-9.]+ +[0-9]+ +([0-9.]+x \[ *[0-9.]+- *[0-9.]+\]|-)",
                    output[output.index(head):], re.M)
    lablib.check(row, f"no user row under the fp-/all-advertised table: {output[output.index(head):][:600]}")
    print(f"lab kvm suite: summary: {row.group(0)}")


def check_old_rule(output, bug_path):
    lablib.check("bug-status=1" in output, "the run on a kernel with the old rule did not exit 1")
    bug = sqlite3.connect(bug_path)
    rows = dict(((name, (st, reason)) for name, st, reason in bug.execute(
        "SELECT c.name, r.status, r.reason FROM results r JOIN cases c ON c.id = r.case_id "
        "JOIN runs ON runs.id = r.run_id WHERE runs.label = 'lab-old-rule'")))
    lablib.check(rows["kvm/xsave2/set/fp/inuse"][0] == "ok", f"set/fp/inuse under the old rule: {rows}")
    for op in ("set", "get"):
        st, reason = rows[f"kvm/xsave2/{op}/fp/pre-xsave-guest"]
        lablib.check(st == "error" and "Invalid argument (errno 22)" in reason and
                     "validate_user_xstate_header()" in reason, f"{op} under the old rule: {st}: {reason}")
    print(f"lab kvm suite: under the old rule: {rows['kvm/xsave2/set/fp/pre-xsave-guest'][1][:160]}...")


def main():
    bench, shim = sys.argv[1], sys.argv[2]
    lablib.require_lab()
    out = tempfile.mkdtemp(prefix="xb-lab-kvm-")
    db_path, probe_path = os.path.join(out, "kvm.db"), os.path.join(out, "probe.json")
    fds_path = os.path.join(out, "fds.db")
    # then a batch of more new vCPUs than 64 file descriptors allow: the error must be the
    # failed KVM_CREATE_VCPU's own (EMFILE), not what a later call on fd -1 said
    # and the kernel with the old rule, compared with this one
    # (with a case the old rule leaves alone)
    old_rule = (f"LD_PRELOAD={shim} XB_SHIM_USER_XFEATURES_BUG=1 xstate-bench run --suite kvm --quick --filter "
                f"'pre-xsave-guest|^kvm/xsave2/set/fp/inuse$' --db bug.db --label lab-old-rule; "
                f"echo \"bug-status=$?\"")
    bug_path = os.path.join(out, "bug.db")
    status, output = lablib.run(["sh", "-c", "xstate-bench probe --json > probe.json && "
                            "xstate-bench run --suite kvm --quick --db kvm.db --label lab-kvm && "
                            "(ulimit -n 64; xstate-bench run --suite kvm --quick --ops 100 --filter '^kvm/cpuid/set/user$' "
                            "--db fds.db; echo \"fds-status=$?\") && " + old_rule],
                           bench=bench, puts=[f"{shim}:{shim}"],
                           gets=[f"kvm.db:{db_path}", f"probe.json:{probe_path}", f"fds.db:{fds_path}",
                                 f"bug.db:{bug_path}"], timeout=900)
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
    lablib.check(len(results) == KVM_CASES, f"expected {KVM_CASES} kvm cases, got {len(results)}")
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
    for case in ("kvm/run/roundtrip/avx512/clean", "kvm/xsave2/set/avx512/inuse", "kvm/cpuid/realloc/amx",
                 "kvm/attr/xcomp-guest-perm-set/amx"):
        lablib.check(results[case] == ("skip", NO_AVX512), f"{case}: {results[case]}")
    check_seeds(db, run_id, results)
    check_advertised_table(output)
    check_old_rule(output, bug_path)
    print(f"lab kvm suite: {sum(1 for s, _ in results.values() if s == 'ok')} cases ok, "
          f"{sum(1 for s, _ in results.values() if s == 'skip')} skipped with reasons")


if __name__ == "__main__":
    main()
