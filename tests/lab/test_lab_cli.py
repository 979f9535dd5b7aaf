"""test_lab_cli.py - scripts/lab/lab.sh's command line, without booting anything: --help
prints the usage and exits 0; a bad action, an unknown option, a missing value, a --get
without GUEST:HOST, a non-numeric --timeout, an unknown flavour and `run` without a command
exit 2 with the usage on stderr; `check` says whether the lab can run here, and names a
missing xz (which unpacks the kernel's modules) as a package to install.
Usage: test_lab_cli.py XSTATE_BENCH"""
import os
import shutil
import subprocess
import tempfile
import unittest

import lablib


def lab(*args):
    return subprocess.run([lablib.LAB, *args], capture_output=True, text=True, timeout=60)


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
