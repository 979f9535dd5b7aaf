"""test_lab_cli.py - the lab scripts' command lines, without booting or building anything:
lab.sh --help prints the usage and exits 0; a bad action, an unknown option, a missing value,
a --get without GUEST:HOST, a non-numeric --timeout, an unknown flavour or accelerator, a
--root that is no kernel root or comes with --kernel, and `run` without a command exit 2 with
the usage on stderr; `check` says whether the lab can run here, and names a missing xz (which
unpacks the kernel's modules) as a package to install. build-kernel.sh's cache key follows
the tree, the config fragment and the patches (their contents and their order, a quilt series
file's first) and nothing else; its bad arguments, run-kernel.sh's and compare-series.py's
exit 2 before anything is built or booted.
Usage: test_lab_cli.py XSTATE_BENCH"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import lablib


SCRIPTS = os.path.dirname(lablib.LAB)


def lab(*args):
    return subprocess.run([lablib.LAB, *args], capture_output=True, text=True, timeout=60)


def script(name, *args, env=None):
    command = [os.path.join(SCRIPTS, name), *args]
    if name.endswith(".py"):
        command.insert(0, sys.executable)
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)


class LabCli(unittest.TestCase):
    def test_help(self):
        r = lab("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("usage: lab.sh run", r.stdout)
        self.assertEqual(lab("run", "--help").returncode, 0)

    def test_bad_arguments(self):
        for args in [["frobnicate"], ["run", "--no-such-option", "--", "true"], ["run", "--kernel"],
                     ["run", "--get", "nocolon", "--", "true"], ["run", "--timeout", "ten", "--", "true"],
                     ["run", "--flavour", "arm64", "--", "true"], ["run"], ["run", "--"], ["shell", "--", "ls"], []]:
            r = lab(*args)
            self.assertEqual(r.returncode, 2, (args, r.stdout, r.stderr))
            self.assertIn("usage: lab.sh", r.stderr, args)

    def test_bad_kernel_choices(self):
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "lib", "modules", "6.1.0-xb1"))
            for args in [["run", "--accel", "hvf", "--", "true"], ["run", "--root", "/nonexistent", "--", "true"],
                         ["run", "--root", root, "--", "true"],  # no boot/vmlinuz-6.1.0-xb1
                         ["run", "--root", root, "--kernel", "6.1.0-57", "--", "true"], ["fetch", "--root", root]]:
                r = lab(*args)
                self.assertEqual(r.returncode, 2, (args, r.stdout, r.stderr))
                self.assertIn("usage: lab.sh", r.stderr, args)

    def test_accel_kvm_refused_where_guests_cannot_run(self):
        """--accel kvm where /dev/kvm is missing or cannot run a guest's kernel (no VMX or
        SVM: kvm_pvm) fails at once, with the reason, instead of a hung QEMU."""
        bench = os.path.join(lablib.REPO, "build", "xstate-bench")
        if lab("check").returncode or not os.access(bench, os.X_OK):
            self.skipTest("the lab cannot run here, or the project is not built")
        probe = subprocess.run([bench, "probe", "--json"], capture_output=True, text=True, timeout=60)
        kvm = json.loads(probe.stdout).get("kvm", {})
        if kvm.get("guest_mode") == "hardware":
            self.skipTest("this /dev/kvm runs guests: --accel kvm boots")
        r = lab("run", "--accel", "kvm", "--bench", bench, "--", "true")
        self.assertEqual(r.returncode, 125, r.stderr)
        self.assertIn("no /dev/kvm" if not kvm.get("present") else "cannot boot the lab's kernel", r.stderr)

    def test_build_key(self):
        with tempfile.TemporaryDirectory() as tmp:
            tree, patches, env = os.path.join(tmp, "tree"), os.path.join(tmp, "patches"), dict(os.environ)
            env["XSTATE_BENCH_LAB_CACHE"] = os.path.join(tmp, "cache")
            os.makedirs(tree)
            os.makedirs(patches)
            with open(os.path.join(tree, "Makefile"), "w") as f:
                f.write("VERSION = 6\n")
            for name, text in (("0001-a.patch", "a"), ("0002-b.patch", "b")):
                with open(os.path.join(patches, name), "w") as f:
                    f.write(f"+++ b/{name}\n{text}\n")

            def key(*args):
                r = script("build-kernel.sh", "--tree", tree, "--key", *args, env=env)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertRegex(r.stdout, r"^[0-9a-f]{16}\n$")
                return r.stdout

            plain, patched = key(), key("--patches", patches)
            self.assertEqual(plain, key())
            self.assertNotEqual(plain, patched)
            with open(os.path.join(patches, "series"), "w") as f:
                f.write("0002-b.patch\n# a comment\n0001-a.patch\n")
            self.assertNotEqual(patched, key("--patches", patches))  # the series' order
            with open(os.path.join(patches, "series"), "w") as f:
                f.write("0001-a.patch\n0002-b.patch\n")
            self.assertEqual(patched, key("--patches", patches))
            with open(os.path.join(patches, "0001-a.patch"), "a") as f:
                f.write("more\n")
            self.assertNotEqual(patched, key("--patches", patches))
            fragment = os.path.join(tmp, "frag.config")
            with open(fragment, "w") as f:
                f.write("CONFIG_KVM=m\n")
            self.assertNotEqual(plain, key("--config", fragment))
            with open(os.path.join(tree, "Makefile"), "a") as f:
                f.write("PATCHLEVEL = 1\n")
            self.assertNotEqual(plain, key())
            with open(os.path.join(patches, "series"), "w") as f:
                f.write("0003-missing.patch\n")
            r = script("build-kernel.sh", "--tree", tree, "--key", "--patches", patches, env=env)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn("0003-missing.patch", r.stderr)

    def test_workflow_bad_arguments(self):
        runs = [("build-kernel.sh", ["--jobs", "two"]), ("build-kernel.sh", ["--tree", "/nonexistent"]),
                ("build-kernel.sh", ["--patches", "/nonexistent"]), ("build-kernel.sh", ["--frobnicate"]),
                ("run-kernel.sh", ["--label", "x", "--kernel", "6.1.0-57"]),
                ("run-kernel.sh", ["--db", "x.db", "--label", "x"]),
                ("run-kernel.sh", ["--db", "x.db", "--label", "x", "--kernel", "6.1.0-57", "--root", "/tmp"]),
                ("run-kernel.sh", ["--db", "postgresql:///x", "--label", "x", "--kernel", "6.1.0-57"]),
                ("compare-series.py", ["src:"]), ("compare-series.py", ["src:", "bogus:x"]),
                ("compare-series.py", ["a=src:", "a=src:"]), ("compare-series.py", ["a/b=src:", "src:"]),
                ("compare-series.py", ["src:", "deb:6.1"]), ("compare-series.py", ["src:", "src:/nonexistent"]),
                ("compare-series.py", ["src:", "image:/x"]), ("compare-series.py", ["--rounds", "0", "src:", "src:"])]
        for name, args in runs:
            r = script(name, *args)
            self.assertEqual(r.returncode, 2, (name, args, r.stdout, r.stderr))
            self.assertIn("usage", r.stderr, (name, args))

    def test_check(self):
        r = lab("check")
        self.assertIn(r.returncode, (0, 1))
        self.assertIn("the lab can run" if r.returncode == 0 else "scripts/install-deps.sh", r.stdout)

    def test_check_without_xz(self):
        # every command check.sh runs, on a PATH of its own, all but xz
        with tempfile.TemporaryDirectory() as bin_dir:
            for tool in ["sh", "grep", "head", "dpkg-query", "qemu-system-x86_64", "cpio", "depmod", "apt-get"]:
                found = shutil.which(tool)
                if found:
                    os.symlink(found, os.path.join(bin_dir, tool))
            r = subprocess.run([os.path.join(bin_dir, "sh"), os.path.join(os.path.dirname(lablib.LAB), "check.sh")],
                               capture_output=True, text=True, timeout=60, env={"PATH": bin_dir})
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("xz-utils", r.stdout)
        self.assertIn("scripts/install-deps.sh", r.stdout)


if __name__ == "__main__":
    unittest.main(argv=["test_lab_cli"], verbosity=2)
