"""lablib.py - what the lab tests share: skipping (exit 77, with the reason) when this
machine cannot run the lab, building the xstate_bench module against the lab kernel's own
headers, running a command in the lab VM through scripts/lab/lab.sh, and reading a run's
results back from its SQLite database."""
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile

SKIP = 77
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(REPO, "scripts", "lab", "lab.sh")


def skip(reason):
    print(f"SKIP: {reason}")
    sys.exit(SKIP)


def require_lab():
    """Skips the test, with the reason, when the lab cannot run here."""
    check = subprocess.run([LAB, "check"], capture_output=True, text=True)
    if check.returncode != 0:
        skip(check.stdout.strip() or check.stderr.strip())
    return check.stdout.strip()


def run(command, *, bench, puts=(), gets=(), timeout=900, kernel=None, flavour=None, insmods=(), root=None):
    """Runs @command (a list) in the lab VM, under the Debian kernel @kernel or the kernel root
    @root (build-kernel.sh's); returns (exit status, output)."""
    args = [LAB, "run", "--bench", bench, "--timeout", str(timeout)]
    if kernel:
        args += ["--kernel", kernel]
    if root:
        args += ["--root", root]
    if flavour:
        args += ["--flavour", flavour]
    for p in puts:
        args += ["--put", p]
    for g in gets:
        args += ["--get", g]
    for ko in insmods:
        args += ["--insmod", ko]
    proc = subprocess.run(args + ["--"] + command, capture_output=True, text=True, timeout=timeout + 400)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    if proc.returncode == 125:
        raise AssertionError(f"the lab itself failed: {proc.stderr.strip()[-2000:]}")
    return proc.returncode, proc.stdout


def uapi_version():
    """XB_UAPI_VERSION, as host/module/xstate_bench_uapi.h defines it for both sides."""
    with open(os.path.join(REPO, "host", "module", "xstate_bench_uapi.h")) as f:
        return int(re.search(r"^#define XB_UAPI_VERSION (\d+)$", f.read(), re.M).group(1))


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def build_module(build_dir):
    """Builds host/module against the default lab kernel's headers (`lab.sh fetch`), warnings
    as errors; returns (the .ko, the kernel release)."""
    root = subprocess.run([LAB, "fetch"], capture_output=True, text=True)
    check(root.returncode == 0, f"lab.sh fetch failed: {root.stderr[-2000:]}")
    root = root.stdout.strip().splitlines()[-1]
    release = os.path.basename(root)
    out = os.path.join(build_dir, "module-lab")
    built = subprocess.run([os.path.join(REPO, "host", "module", "build.sh"), "--werror",
                            "--kdir", os.path.join(root, "usr", "src", f"linux-headers-{release}"),
                            "--out", out], capture_output=True, text=True)
    check(built.returncode == 0, f"building the module failed: {built.stdout[-3000:]}{built.stderr[-3000:]}")
    return os.path.join(out, "xstate_bench.ko"), release


def results(db):
    """Every stored result of @db: {case: {status, reason, samples, attrs}}."""
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT c.name, r.status, r.reason, "
                           "(SELECT COUNT(*) FROM samples s WHERE s.run_id = r.run_id AND s.case_id = r.case_id) "
                           "FROM results r JOIN cases c ON c.id = r.case_id").fetchall()
        attrs = con.execute("SELECT c.name, a.name, a.value FROM result_attributes a "
                            "JOIN cases c ON c.id = a.case_id").fetchall()
    by_case = {name: {"status": st, "reason": why, "samples": n, "attrs": {}} for name, st, why, n in rows}
    for case, name, value in attrs:
        by_case[case]["attrs"][name] = value
    return by_case


def medians(db):
    """The median ticks per operation of every case measured in @db."""
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT c.name, s.ticks_per_op FROM samples s JOIN cases c ON c.id = s.case_id").fetchall()
    by_case = {}
    for name, v in rows:
        by_case.setdefault(name, []).append(v)
    return {name: statistics.median(v) for name, v in by_case.items()}


def run_with_module(script, db, *, bench, ko, puts=(), more=()):
    """Runs the shell @script in the lab VM with the module @ko loaded; the script writes
    probe.json, list.json, the results database @db, dmesg.txt and the JSON files named in
    @more, which come back. Checks the run's status and the kernel's log; returns (output,
    probe, {id: planned case}, results(@db), medians(@db), {name in @more: its JSON})."""
    with tempfile.TemporaryDirectory(prefix="xb-lab-module-") as tmp:
        names = ["probe.json", "list.json", db, "dmesg.txt", *more]
        status, out = run(["sh", "-c", script], bench=bench, puts=puts, timeout=600, insmods=[ko],
                          gets=[f"{name}:{os.path.join(tmp, name)}" for name in names])
        check(status == 0, f"lab run exited {status}")
        with open(os.path.join(tmp, "probe.json")) as f:
            probe = json.load(f)
        with open(os.path.join(tmp, "list.json")) as f:
            plan = {c["id"]: c for c in json.load(f)["cases"]}
        with open(os.path.join(tmp, "dmesg.txt")) as f:
            clean_dmesg(f.read())
        extra = {}
        for name in more:
            with open(os.path.join(tmp, name)) as f:
                extra[name] = json.load(f)
        return out, probe, plan, results(os.path.join(tmp, db)), medians(os.path.join(tmp, db)), extra


def clean_dmesg(dmesg):
    """The kernel logged no warning, oops or fault while the module ran."""
    for bad in ["WARNING:", "BUG:", "Oops", "general protection", "unexpected #NM", "scheduling while atomic"]:
        check(bad not in dmesg, f"the kernel logged '{bad}' while the module ran:\n{dmesg[-3000:]}")
