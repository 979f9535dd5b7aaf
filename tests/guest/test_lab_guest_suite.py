"""test_lab_guest_suite.py - `run --suite guest --vmm kvm` on the lab's nested KVM: this
project's VMM boots the payload through its direct 64-bit entry; the plan comes from the
payload's probe under that VMM; every guest case is stored, ok with five samples (one per
repetition) or skipped with the reason the guest gave; results carry the launcher and, the
lab being QEMU TCG underneath, functional_only.
Usage: test_lab_guest_suite.py XSTATE_BENCH XSTATE_GUEST_ELF"""
import os
import sqlite3
import sys
import tempfile

import lablib

MUST_RUN = ["guest/save/xsave/avx/inuse", "guest/save/xsaveopt/user/clean", "guest/restore/xrstor/avx/inuse",
            "guest/exit/xsetbv/avx", "guest/exit/cpuid-0xd/user"]


def main():
    bench, payload = sys.argv[1], sys.argv[2]
    lablib.require_lab()
    out = tempfile.mkdtemp(prefix="xb-lab-guest-")
    db_path = os.path.join(out, "guest.db")
    status, _ = lablib.run(["xstate-bench", "run", "--suite", "guest", "--vmm", "kvm", "--quick", "--db", "guest.db"],
                           bench=bench, puts=[f"{payload}:/usr/bin/xstate-guest.elf"],
                           gets=[f"guest.db:{db_path}"], timeout=600)
    lablib.check(status == 0, f"xstate-bench run --suite guest --vmm kvm exited {status} in the lab")
    db = sqlite3.connect(db_path)
    results = {name: (st, reason) for name, st, reason in db.execute(
        "SELECT c.name, r.status, r.reason FROM results r JOIN cases c ON c.id = r.case_id")}
    lablib.check(len(results) == 119, f"expected 119 guest cases, got {len(results)}")
    for case, (st, reason) in results.items():
        lablib.check(st in ("ok", "skip"), f"{case}: {st}: {reason}")
        lablib.check(st == "ok" or "guest" in reason, f"{case}: a skip that is not the guest's: {reason}")
    for case in MUST_RUN:
        lablib.check(results[case][0] == "ok", f"{case} did not run: {results[case]}")
    samples = dict(db.execute("SELECT c.name, count(*) FROM samples s JOIN cases c ON c.id = s.case_id "
                              "GROUP BY c.name").fetchall())
    for case, (st, _) in results.items():
        if st == "ok":
            lablib.check(samples.get(case) == 5, f"{case}: {samples.get(case)} samples, not 5")
            attrs = dict(db.execute("SELECT a.name, a.value FROM result_attributes a JOIN cases c "
                                    "ON c.id = a.case_id WHERE c.name = ?", (case,)).fetchall())
            lablib.check(attrs.get("launcher") == "kvm", f"{case}: launcher {attrs.get('launcher')}")
            lablib.check("TCG" in attrs.get("functional_only", ""), f"{case}: not marked functional_only")
    print(f"lab guest: {sum(st == 'ok' for st, _ in results.values())} guest cases ran under the kvm launcher")


if __name__ == "__main__":
    main()
