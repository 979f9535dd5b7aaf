"""test_kernel_series.py - the reviewer's workflow end to end on kernels built here
(label kernel-build): scripts/lab/compare-series.py builds Debian's linux-source-6.1 three
times with ccache (the base; the planted regression, tests/kernel-patches/planted, one more
copy of the fpstate in every fpu_swap_kvm_fpstate(); the KVM_X86_XCOMP_GUEST_PERM attribute,
tests/kernel-patches/xcomp-guest-perm), boots them interleaved for five rounds in the lab
and reviews them with --functional-only-verdicts. It checks:
- the builds: each release is the tree's with its key, the patch list is in the manifest,
  a second build of the same input is found in the cache;
- the schedule: base, planted, perm five times over, fifteen runs, each of its kernel;
- the review: the kapi swap cases are regressions in planted and nothing the patch does not
  touch is flagged; perm flags no regression, and its attribute cases run (the GET case with
  the value arch_prctl gives) where the base skipped them with the ENXIO; the banner is in
  the text, the Markdown and the HTML report; the text keeps to 80 columns and lists only
  the cases that changed;
- the attribute's semantics on both kernels (tests/kernel/xcomp_guest_perm_check.c).
It prints the review text, the build and the wall times.
Usage: test_kernel_series.py XSTATE_BENCH XCOMP_GUEST_PERM_CHECK"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lab"))
import lablib  # noqa: E402

TREE = "/usr/src/linux-source-6.1.tar.xz"
PATCHES = os.path.join(lablib.REPO, "tests", "kernel-patches")
SERIES = os.path.join(lablib.REPO, "scripts", "lab", "compare-series.py")
BUILD = os.path.join(lablib.REPO, "scripts", "lab", "build-kernel.sh")
SETS = ("fp", "avx")
SWAPS = [f"kapi/fpu/swap-kvm-fpstate/{s}/{c}" for s in SETS for c in ("need-load", "live")]
# what the planted copy makes slower: the swap, and KVM_RUN, which swaps on the way in and out
TOUCHED = set(SWAPS) | {"kvm/run/roundtrip/fp/clean"}
# Five rounds: each kernel's side measures its run-to-run spread from five runs (a few KVM
# paths under TCG, KVM_SET_CPUID2 for one, run in one of two modes a run); a 10% threshold:
# under TCG any patch moves some untouched paths by a few percent (the kernel's code moves).
ROUNDS, THRESHOLD = 5, "10"
VERDICTS = ("regression", "improvement", "unchanged", "noisy", "disturbed", "new", "missing", "failed")
PERM_GET, PERM_SET = "kvm/attr/xcomp-guest-perm-get/none", "kvm/attr/xcomp-guest-perm-set/amx"
FILTER = ("^(kapi/.*"
          "|kvm/(run/roundtrip/fp/clean|xsave2/(get|set)/(fp|avx)/inuse|attr/.*|vcpu/create/user|cpuid/set/user)"
          "|native/(save/(xsave|xsaveopt)/(fp|avx)/(inuse|clean)|restore/xrstor/(fp|avx)/inuse|loop/empty/none))$")


def require_build_tools():
    if not os.path.isfile(TREE):
        lablib.skip(f"no {TREE} (apt-get install linux-source-6.1: scripts/install-deps.sh)")
    missing = [t for t in ("gcc", "make", "flex", "bison", "bc", "ccache", "patch") if not shutil.which(t)]
    if missing or not os.path.exists("/usr/include/libelf.h"):
        lablib.skip(f"the kernel build needs {' '.join(missing + ['libelf-dev'])} (scripts/install-deps.sh)")


def check_text(text):
    for line in text.splitlines():
        lablib.check(len(line) <= 80, f"a line of the text is {len(line)} columns: {line!r}")
    lablib.check("FUNCTIONAL ONLY" in text, "the text has no functional-only banner")


def attribute_check(bench, check_bin, root):
    """xcomp_guest_perm_check's facts in the lab under the kernel at @root."""
    status, out = lablib.run(["/lab/work/check"], bench=bench, puts=[f"{check_bin}:check"], timeout=120,
                             root=root)
    lablib.check(status == 0, f"xcomp_guest_perm_check exited {status} under {root}")
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line and " " not in line.split("=", 1)[0])


def main():
    bench, check_bin = sys.argv[1], sys.argv[2]
    lablib.require_lab()
    require_build_tools()
    out = tempfile.mkdtemp(prefix="xb-kernel-series-")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, SERIES, "--out", out, "--bench", bench, "--rounds", str(ROUNDS),
                           "--suite", "kapi,kvm,native", "--filter", FILTER, "--functional-only-verdicts",
                           "--threshold", THRESHOLD, "--timeout", "900", "base=src:", f"planted=src:{PATCHES}/planted",
                           f"perm=src:{PATCHES}/xcomp-guest-perm"],
                          capture_output=True, text=True, timeout=3 * 3600)
    wall = time.monotonic() - started
    sys.stderr.write(proc.stderr[-6000:])
    print(proc.stdout)
    lablib.check(proc.returncode == 1, f"compare-series.py exited {proc.returncode}, not 1 (a regression)")
    with open(os.path.join(out, "series.json")) as f:
        manifest = json.load(f)

    # the builds and the schedule
    names = [k["name"] for k in manifest["kernels"]]
    lablib.check(names == ["base", "planted", "perm"], f"kernels {names}")
    lablib.check([s["kernel"] for s in manifest["schedule"]] == names * ROUNDS, f"schedule {manifest['schedule']}")
    patches = {k["name"]: k["patches"] for k in manifest["kernels"]}
    lablib.check(patches["base"] == [] and len(patches["planted"]) == 1 and "fpu_swap_kvm_fpstate" in
                 patches["planted"][0] and "KVM_X86_XCOMP_GUEST_PERM" in patches["perm"][0], f"patches {patches}")
    db = sqlite3.connect(os.path.join(out, "series.db"))
    releases = {}
    for step in manifest["schedule"]:
        (label, release, complete), = db.execute("SELECT label, kernel_release, complete FROM runs WHERE id = ?",
                                                 (step["run"],)).fetchall()
        lablib.check(complete == 1 and f"-{step['kernel']}-r" in label, f"run {step['run']}: {label} {complete}")
        releases.setdefault(step["kernel"], set()).add(release)
    for name in names:
        lablib.check(len(releases[name]) == 1 and next(iter(releases[name])).startswith("6.1.")
                     and "-xb" in next(iter(releases[name])), f"{name} ran {releases[name]}")
    lablib.check(len({next(iter(r)) for r in releases.values()}) == 3, f"three kernels, three releases: {releases}")

    # the review's verdicts, as the reviewer reads them
    with open(os.path.join(out, "review.txt")) as f:
        text = f.read()
    check_text(text)
    verdicts = verdicts_of_text(text)
    for case in SWAPS:
        lablib.check(verdicts.get((case, "planted")) == "regression",
                     f"{case} in planted: {verdicts.get((case, 'planted'))}\n{text}")
    for (case, kernel), verdict in verdicts.items():
        if verdict in ("regression", "improvement", "failed"):
            lablib.check(kernel == "planted" and case in TOUCHED and verdict == "regression",
                         f"{case} is {verdict} in {kernel}, which its patch does not touch\n{text}")
    lablib.check(verdicts.get((PERM_GET, "perm")) == "new", f"{PERM_GET} in perm: {verdicts.get((PERM_GET, 'perm'))}")

    # the attribute cases: run under perm, skipped with the ENXIO under the base
    rows = dict(((c, r), (st, why)) for c, r, st, why in db.execute(
        "SELECT c.name, r.label, x.status, x.reason FROM results x JOIN cases c ON c.id = x.case_id "
        "JOIN runs r ON r.id = x.run_id WHERE c.name IN (?, ?)", (PERM_GET, PERM_SET)))
    for (case, label), (status, why) in rows.items():
        if "-base-" in label:  # the set case asks for AMX: under TCG the CPU's reason comes first
            lablib.check(status == "skip" and ("errno 6" in why or case == PERM_SET), f"{case} under the base: "
                         f"{status} {why}")
        if "-perm-" in label and case == PERM_GET:
            lablib.check(status == "ok", f"{case} under perm: {status} {why}")
        if "-perm-" in label and case == PERM_SET:  # no AMX under TCG: the CPU's reason, not the ENXIO
            lablib.check(status == "ok" or (status == "skip" and "errno 6" not in why), f"{case}: {status} {why}")
    got = db.execute("SELECT a.name, a.value FROM result_attributes a JOIN cases c ON c.id = a.case_id JOIN runs r "
                     "ON r.id = a.run_id WHERE c.name = ? AND r.label LIKE '%-perm-r1'", (PERM_GET,)).fetchall()
    attrs = dict(got)
    lablib.check(attrs.get("xcomp_guest_perm") is not None and
                 int(attrs["xcomp_guest_perm"], 16) == int(attrs["arch_prctl_guest_perm"], 16) &
                 int(attrs["xcomp_guest_supp"], 16), f"{PERM_GET} under perm: {attrs}")

    # the banner in every output
    with open(os.path.join(out, "review.md")) as f:
        lablib.check("FUNCTIONAL ONLY" in f.read(), "review.md has no banner")
    for page in ("index.html", "report.md"):
        with open(os.path.join(out, "report", page)) as f:
            lablib.check("FUNCTIONAL ONLY" in f.read(), f"report/{page} has no banner")

    # the attribute's semantics on both kernels, beside arch_prctl's (both builds are cached)
    facts = {}
    for name, patches in (("base", []), ("perm", ["--patches", f"{PATCHES}/xcomp-guest-perm"])):
        built = subprocess.run([BUILD, *patches], capture_output=True, text=True)
        lablib.check(built.returncode == 0 and "cached" in built.stderr, f"{name} again: {built.stderr[-500:]}")
        facts[name] = attribute_check(bench, check_bin, built.stdout.strip().splitlines()[-1])
    base, new = facts["base"], facts["perm"]
    lablib.check(base["get"] == "ENXIO" and base["set_18"] == "EINVAL", f"without the patch: {base}")
    supp = int(new["supp"], 16)
    lablib.check(new["has"] == "ENXIO", f"KVM_HAS_DEVICE_ATTR as the RFC left it: {new}")
    lablib.check(int(new["get"], 16) == int(new["prctl_perm"], 16) & supp, f"GET against arch_prctl: {new}")
    lablib.check(new["set_64"] == "EOPNOTSUPP" and new["set_group1"] == "ENXIO" and new["set_supp"] == "ENXIO",
                 f"SET's refusals: {new}")
    lablib.check(new["set_1"] == new["prctl_req_1"] == "EOPNOTSUPP", f"a static feature, as arch_prctl: {new}")
    if supp & (1 << 18):
        lablib.check(new["set_18"] == new["prctl_req_18"] == "0" and new["set_after_vcpu_18"] == "EBUSY",
                     f"tile data: {new}")
    else:
        lablib.check(new["set_18"] == "EOPNOTSUPP" and new["set_after_vcpu_18"] == "EOPNOTSUPP",
                     f"tile data that KVM does not support: {new}")
    print(f"kernel series: {len(manifest['schedule'])} lab runs, {manifest['wall_seconds']:.0f} s in the "
          f"workflow ({wall:.0f} s here); builds: " + ", ".join(
              f"{k['name']} {k['build_seconds']:.0f} s{' (cached)' if k['build_cached'] else ''}"
              for k in manifest["kernels"]))
    print(f"attribute: base {base}\nattribute: perm {new}")
    shutil.rmtree(out)


def verdicts_of_text(text):
    """{(case, kernel): verdict} from the review text's case blocks: the case's line, the
    base's, then a line per version ending with its verdict (alone on the next line when the
    figures are wide)."""
    verdicts, case, kernel = {}, None, None
    for line in text.splitlines():
        words = line.split()
        if not words:
            case = None
        elif not line.startswith(" ") and "/" in words[0] and line.rstrip().endswith(")"):
            case = words[0]
        elif case and words[-1] in VERDICTS:
            kernel = words[0] if len(words) > 1 else kernel
            verdicts[(case, kernel)] = words[-1]
    return verdicts


if __name__ == "__main__":
    main()
