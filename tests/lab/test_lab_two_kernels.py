"""test_lab_two_kernels.py - the reviewer's workflow on two real kernels
(scripts/lab/compare-kernels.sh): the lab runs a few native, ring-0 (the module built
against each kernel's headers and loaded) and kvm cases, and every kapi case TCG can run
(each kernel's own fpu functions), under two Debian 6.1 ABIs; each run lands in one host
database labelled lab-<release> with that kernel's release, and `compare` gives a verdict
row for every case in both runs; under TCG each is functional only, so none can be a
regression and compare exits 0. The kapi cases' proofs (return values, fpstate sizes) are
printed per kernel.
Usage: test_lab_two_kernels.py XSTATE_BENCH"""
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

import lablib
from test_lab_kapi import RUNS as KAPI_CASES

FALLBACK_KERNELS = ("6.1.0-55", "6.1.0-56")
CASES = ["native/save/xsave/fp/inuse", "native/save/xsave/avx/inuse", "native/restore/xrstor/avx/inuse",
         "native/ring0/save/xsaveopt/avx/inuse", "kvm/run/roundtrip/fp/clean", "kvm/xsave2/get/fp/inuse",
         "kvm/xsave2/set/fp/inuse"] + KAPI_CASES


def newest_two_abis():
    """The two newest Debian 6.1 ABIs the package lists know (the archive drops old ones at
    point releases), or the two this test was written with."""
    names = subprocess.run(["apt-cache", "pkgnames", "linux-image-6.1.0-"], capture_output=True, text=True).stdout
    abis = sorted({m.group(1) for m in re.finditer(r"^linux-image-(6\.1\.0-(\d+))-amd64-unsigned$", names, re.M)},
                  key=lambda abi: int(abi.rsplit("-", 1)[1]))
    return tuple(abis[-2:]) if len(abis) >= 2 else FALLBACK_KERNELS


def main():
    bench = sys.argv[1]
    lablib.require_lab()
    kernels = newest_two_abis()
    for abi in kernels:  # cached, or in Debian's archive
        fetch = subprocess.run([lablib.LAB, "fetch", "--kernel", abi], capture_output=True, text=True)
        if fetch.returncode:
            lablib.skip(f"kernel {abi} cannot be fetched: {fetch.stderr.strip()[-300:]}")
    db_path = os.path.join(tempfile.mkdtemp(prefix="xb-lab-kernels-"), "host.db")
    script = os.path.join(lablib.REPO, "scripts", "lab", "compare-kernels.sh")
    regex = "^(" + "|".join(CASES) + ")$"
    proc = subprocess.run([script, "--db", db_path, "--suite", "native,kvm,kapi", "--filter", regex, "--format", "json",
                           "--bench", bench, "--timeout", "600", *kernels],
                          capture_output=True, text=True, timeout=2400)
    sys.stderr.write(proc.stderr[-4000:])
    lablib.check(proc.returncode == 0, f"compare-kernels.sh exited {proc.returncode}")
    table = json.loads(proc.stdout[proc.stdout.index("{\n"):])
    labels = [f"lab-{abi}-amd64" for abi in kernels]

    db = sqlite3.connect(db_path)
    runs = db.execute("SELECT label, kernel_release, complete FROM runs ORDER BY id").fetchall()
    lablib.check(runs == [(label, label[len("lab-"):], 1) for label in labels], f"runs stored: {runs}")

    rows = {row["id"]: row for row in table["cases"]}
    lablib.check(sorted(rows) == sorted(CASES), f"verdict rows: {sorted(rows)}")
    for case, row in rows.items():
        lablib.check(labels[1] in row["series"], f"{case}: series {row['series']}")
        lablib.check(row["n_base"] == 6 and row["n_new"] == 6, f"{case}: {row}")  # --quick: 2 rounds of 3
        lablib.check(row["functional_only"].startswith("QEMU TCG"), f"{case}: {row}")
        lablib.check(row["verdict"] != "regression", f"{case}: a functional-only result was called a regression")
    for label in labels:
        proofs = db.execute("SELECT c.name, a.value FROM result_attributes a JOIN cases c ON c.id = a.case_id "
                            "JOIN runs r ON r.id = a.run_id WHERE r.label = ? AND a.name = 'ret' "
                            "AND c.name LIKE 'kapi/%' ORDER BY c.name", (label,)).fetchall()
        lablib.check(len(proofs) == len(KAPI_CASES), f"{label}: kapi results {proofs}")
        print(f"{label}: " + "; ".join(f"{case.split('/', 2)[2]} ret {ret}" for case, ret in proofs))
    print(f"lab two kernels: {labels[0]} against {labels[1]}: {len(rows)} verdict rows, all functional only")


if __name__ == "__main__":
    main()
