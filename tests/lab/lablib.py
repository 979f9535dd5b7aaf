"""lablib.py - what the lab tests share: skipping (exit 77, with the reason) when this
machine cannot run the lab, and running a command in the lab VM through scripts/lab/lab.sh."""
import os
import subprocess
import sys

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


def run(command, *, bench, puts=(), gets=(), timeout=900, kernel=None, flavour=None, insmods=()):
    """Runs @command (a list) in the lab VM; returns (exit status, output)."""
    args = [LAB, "run", "--bench", bench, "--timeout", str(timeout)]
    if kernel:
        args += ["--kernel", kernel]
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


def check(condition, message):
    if not condition:
        raise AssertionError(message)
