#!/usr/bin/env python3
"""compare-series.py - the reviewer's workflow on real kernels: "which of v1, v2, v3 of this
series changed what, against the base tree, with what confidence?"

Each kernel (the base first, then the versions) is built from source with its patches
(build-kernel.sh), or is a Debian package, or a bzImage with its modules. They are booted in
the lab in an interleaved order, base, v1, v2, base, v1, v2, ... for R rounds, so that drift
falls on all of them alike; each boot runs `xstate-bench run` once (run-kernel.sh) into one
SQLite database. Then `xstate-bench review` compares every version's runs with the base's and
writes the mail-ready text, the Markdown and the HTML report. Exit status: review's (0 nothing
regressed, 1 something did, 2 error, 3 inconclusive); 125 when a build or a lab run failed."""
import argparse
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
NAME = re.compile(r"^[A-Za-z0-9._-]{1,12}$")
LAB_FAILED = 125

SPECS = """each kernel is [NAME=]SPEC (names default to base, v1, v2, ...: 1 to 12 of A-Z a-z 0-9 . _ -):
  src:[PATCHDIR]         the --tree with PATCHDIR's patches (git format-patch files by name, or
                         a quilt series file), built with --config over tinyconfig and ccache;
                         src: alone is the tree as it is
  deb:ABI[:FLAVOUR]      a Debian kernel package (lab.sh fetch), e.g. deb:6.1.0-57
  image:BZIMAGE:MODROOT  a built kernel and the INSTALL_MOD_PATH its modules were installed
                         into (MODROOT/lib/modules/RELEASE; the module is built against
                         MODROOT/lib/modules/RELEASE/build)"""


def fail(message, status=LAB_FAILED):
    print(f"compare-series: {message}", file=sys.stderr)
    sys.exit(status)


def log(message):
    print(f"compare-series: {message}", file=sys.stderr, flush=True)


def default_bench():
    """The build tree's xstate-bench, else an installed one (this script under share/xstate-bench)."""
    built = os.path.join(REPO, "build", "xstate-bench")
    return built if os.access(built, os.X_OK) else (shutil.which("xstate-bench") or built)


def parse_args():
    p = argparse.ArgumentParser(
        prog="compare-series.py", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="A patch series against its base on real kernels in the lab: interleaved runs, then "
                    "xstate-bench review.", epilog=SPECS)
    p.add_argument("kernels", nargs="+", metavar="[NAME=]SPEC", help="the base, then one to seven versions")
    p.add_argument("--out", help="where review.txt, review.md, report/, series.json, the database and the "
                                 "modules go (default ./series-YYYYmmdd-HHMMSS)")
    p.add_argument("--db", help="the SQLite database the runs go into (default OUT/series.db)")
    p.add_argument("--tree", default="/usr/src/linux-source-6.1.tar.xz",
                   help="the kernel source of src: kernels, a tarball or a directory (default %(default)s)")
    p.add_argument("--config", default=os.path.join(HERE, "kernel.config"),
                   help="the config fragment of src: kernels (default scripts/lab/kernel.config)")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    p.add_argument("--suite", default="native,kvm,guest,kapi", help="suites each run measures (default %(default)s)")
    p.add_argument("--filter", help="only the cases this regex matches")
    p.add_argument("--run-options", default="--quick",
                   help="more options of each xstate-bench run, one string (default %(default)s)")
    p.add_argument("--functional-only-verdicts", action="store_true",
                   help="judge QEMU TCG timings like real ones (every output says so in a banner)")
    p.add_argument("--accel", choices=("tcg", "kvm"), default="tcg",
                   help="tcg (default: timings functional only) or kvm (-cpu host: real timings)")
    p.add_argument("--bench", default=default_bench(),
                   help="the xstate-bench binary (default build/xstate-bench, else the one on PATH)")
    p.add_argument("--timeout", type=int, default=1800, help="seconds each lab run may take (default 1800)")
    p.add_argument("--no-module", action="store_true", help="neither build nor load the xstate_bench module")
    p.add_argument("--threshold", help="review's --threshold PCT")
    p.add_argument("--alpha", help="review's --alpha A")
    p.add_argument("--metric", help="review's --metric NAME")
    a = p.parse_args()
    if len(a.kernels) < 2 or len(a.kernels) > 8:
        p.error("want the base and one to seven versions")
    if not 1 <= a.rounds <= 20:
        p.error("--rounds: want 1..20")
    a.parsed = []
    for i, k in enumerate(a.kernels):
        name, spec = (k.split("=", 1) if "=" in k.split(":", 1)[0] else ("base" if i == 0 else f"v{i}", k))
        if not NAME.match(name):
            p.error(f"kernel name '{name}': want 1 to 12 of A-Z a-z 0-9 . _ -")
        if name in [n for n, _ in a.parsed]:
            p.error(f"two kernels are named {name}")
        kind = spec.split(":", 1)[0]
        if kind not in ("src", "deb", "image") or ":" not in spec:
            p.error(f"{k}: want src:[PATCHDIR], deb:ABI[:FLAVOUR] or image:BZIMAGE:MODROOT")
        arg = spec.split(":", 1)[1]
        if kind == "src" and arg and not os.path.isdir(arg):
            p.error(f"{k}: {arg} is not a directory of patches")
        if kind == "deb" and not re.match(r"^\d+\.\d+\.\d+-\d+(:(amd64|rt-amd64|cloud-amd64))?$", arg):
            p.error(f"{k}: want deb:ABI[:FLAVOUR], e.g. deb:6.1.0-57 or deb:6.1.0-57:cloud-amd64")
        if kind == "image" and (arg.count(":") != 1 or not all(arg.split(":"))):
            p.error(f"{k}: want image:BZIMAGE:MODROOT")
        a.parsed.append((name, spec))
    if not os.access(a.bench, os.X_OK):
        p.error(f"--bench {a.bench}: not an executable (build the project first)")
    return a


def run(args, **kw):
    return subprocess.run(args, text=True, **kw)


def source_kernel(a, name, patches):
    """A kernel built from --tree and @patches: (lab options, description)."""
    cmd = [os.path.join(HERE, "build-kernel.sh"), "--tree", a.tree, "--config", a.config]
    if patches:
        cmd += ["--patches", patches]
    started = time.monotonic()
    built = run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sys.stderr.write(built.stderr)
    if built.returncode:
        fail(f"building kernel {name} failed (exit {built.returncode})")
    root = built.stdout.strip().splitlines()[-1]
    facts = {}
    patch_list = []
    with open(os.path.join(root, "xb-kernel.txt")) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition(" ")
            if key == "patch":
                file, _, subject = value.partition(" ")
                patch_list.append(f"{file}: {subject}" if subject else file)
            else:
                facts[key] = value
    cached = "build-kernel: cached:" in built.stderr
    log(f"kernel {name}: {facts['release']} {'cached' if cached else 'built'} in {time.monotonic() - started:.0f} s")
    return {"lab": ["--root", root], "release": facts["release"],
            "source": f"{facts['tree']}, {facts['config']}", "patches": patch_list,
            "build_seconds": float(facts["build_seconds"]), "build_cached": cached}


def debian_kernel(name, arg):
    abi, _, flavour = arg.partition(":")
    flavour = flavour or "amd64"
    got = run([os.path.join(HERE, "lab.sh"), "fetch", "--kernel", abi, "--flavour", flavour], stdout=subprocess.PIPE)
    if got.returncode:
        fail(f"fetching kernel {name} ({abi}-{flavour}) failed")
    root = got.stdout.strip().splitlines()[-1]
    debs = glob.glob(os.path.join(root, "..", "..", "debs", f"linux-image-{abi}-{flavour}*.deb"))
    version = os.path.basename(debs[0]).split("_")[1] if debs else "unknown version"
    return {"lab": ["--kernel", abi, "--flavour", flavour], "release": f"{abi}-{flavour}",
            "source": f"Debian package linux-image-{abi}-{flavour} {version}", "patches": []}


def image_kernel(a, name, arg):
    """A bzImage and its modules staged as a kernel root in OUT/kernels/NAME."""
    bzimage, modroot = (os.path.abspath(x) for x in arg.split(":"))
    releases = os.listdir(os.path.join(modroot, "lib", "modules")) if os.path.isdir(
        os.path.join(modroot, "lib", "modules")) else []
    if not os.path.isfile(bzimage) or len(releases) != 1:
        fail(f"kernel {name}: want a bzImage file and one release in {modroot}/lib/modules "
             f"(found {releases})", 2)
    release = releases[0]
    root = os.path.join(a.out, "kernels", name)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "boot"))
    os.makedirs(os.path.join(root, "usr", "src"))
    shutil.copy(bzimage, os.path.join(root, "boot", f"vmlinuz-{release}"))
    shutil.copytree(os.path.join(modroot, "lib", "modules", release), os.path.join(root, "lib", "modules", release),
                    symlinks=True)
    build = os.path.join(modroot, "lib", "modules", release, "build")
    if os.path.isdir(build):
        os.symlink(os.path.realpath(build), os.path.join(root, "usr", "src", f"linux-headers-{release}"))
    elif not a.no_module:
        fail(f"kernel {name}: no build tree at {build} for the xstate_bench module (or give --no-module)", 2)
    if run(["depmod", "-b", root, release]).returncode:
        fail(f"kernel {name}: depmod failed")
    return {"lab": ["--root", root], "release": release, "source": f"bzImage {bzimage}, modules of {modroot}",
            "patches": []}


def host_text():
    """This machine: name, CPU, microcode, kernel."""
    cpu = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            if not line.strip():
                break
            cpu[key.strip()] = value.strip()
    return (f"{socket.gethostname()} ({cpu.get('model name', 'unknown CPU')}, family {cpu.get('cpu family', '?')} "
            f"model {cpu.get('model', '?')} stepping {cpu.get('stepping', '?')}, microcode "
            f"{cpu.get('microcode', 'unknown')}), kernel {os.uname().release}, {os.cpu_count()} CPUs")


def lab_text(a):
    qemu = run(["qemu-system-x86_64", "--version"], stdout=subprocess.PIPE).stdout.splitlines()
    cpu = "max" if a.accel == "tcg" else "host"
    return f"{qemu[0] if qemu else 'QEMU'}, -accel {a.accel} -cpu {cpu}, 1 CPU, 2048 MiB"


def main():
    a = parse_args()
    started = time.monotonic()
    a.out = os.path.abspath(a.out or time.strftime("series-%Y%m%d-%H%M%S"))
    os.makedirs(a.out, exist_ok=True)
    db = os.path.abspath(a.db or os.path.join(a.out, "series.db"))
    kernels = []
    for name, spec in a.parsed:
        kind, _, arg = spec.partition(":")
        if kind == "src":
            k = source_kernel(a, name, os.path.abspath(arg) if arg else None)
        elif kind == "deb":
            k = debian_kernel(name, arg)
        else:
            k = image_kernel(a, name, arg)
        k["name"] = name
        kernels.append(k)

    run_options = ["--suite", a.suite] + (["--filter", a.filter] if a.filter else []) + a.run_options.split()
    series_id = os.path.basename(a.out)
    schedule = []
    manifest = {
        "format": "xstate-bench review 1", "host": host_text(), "lab": lab_text(a),
        "suites": f"xstate-bench run --suite {a.suite}" + (f" --filter '{a.filter}'" if a.filter else "")
                  + f" {a.run_options}, once a boot, {a.rounds} interleaved round{'s' if a.rounds > 1 else ''}",
        "rounds": a.rounds, "schedule": schedule,
        "kernels": [{key: k[key] for key in ("name", "source", "patches", "build_seconds", "build_cached") if key in k}
                    for k in kernels],
    }
    manifest_path = os.path.join(a.out, "series.json")
    for r in range(1, a.rounds + 1):
        for k in kernels:
            label = f"{series_id}-{k['name']}-r{r}"
            cmd = [os.path.join(HERE, "run-kernel.sh"), "--db", db, "--label", label, *k["lab"],
                   "--bench", a.bench, "--timeout", str(a.timeout), "--accel", a.accel,
                   "--module-out", os.path.join(a.out, f"module-{k['name']}")]
            cmd += ["--no-module"] if a.no_module else []
            log(f"round {r} of {a.rounds}: {k['name']} ({k['release']})")
            step_started = time.monotonic()
            step = run(cmd + ["--", *run_options], stdout=subprocess.PIPE)
            seconds = round(time.monotonic() - step_started, 1)
            if step.returncode not in (0, 1):
                manifest["wall_seconds"] = round(time.monotonic() - started, 1)
                with open(manifest_path, "w") as f:
                    json.dump(manifest, f, indent=1)
                fail(f"the lab run of {k['name']} in round {r} failed (exit {step.returncode}); the runs so far are "
                     f"in {manifest_path}")
            schedule.append({"kernel": k["name"], "run": int(step.stdout.strip().splitlines()[-1]), "seconds": seconds})
            log(f"round {r}: {k['name']} is run {schedule[-1]['run']} ({seconds:.0f} s"
                f"{', a case failed its checks' if step.returncode else ''})")
    manifest["wall_seconds"] = round(time.monotonic() - started, 1)
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1)
    review = [a.bench, "review", "--db", db, "--out", a.out, manifest_path]
    for option in ("threshold", "alpha", "metric"):
        if getattr(a, option):
            review[2:2] = [f"--{option}", getattr(a, option)]
    if a.functional_only_verdicts:
        review[2:2] = ["--functional-only-verdicts"]
    log(f"{len(schedule)} lab runs in {manifest['wall_seconds'] / 60:.1f} min; {' '.join(review)}")
    sys.exit(run(review).returncode)


if __name__ == "__main__":
    main()
