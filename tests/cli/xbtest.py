"""xbtest.py - shared helpers for the command-line tests: the binary under test, the dump
directory (both from argv, as ctest passes them) and a runner that captures everything."""
import os
import subprocess
import sys
import tempfile
import unittest

BINARY = None
CPUID_DIR = None


def run(*args, env=None, cwd=None, timeout=600):
    full_env = dict(os.environ)
    full_env.pop("XSTATE_BENCH_DB", None)
    if env:
        full_env.update(env)
    return subprocess.run([BINARY, *args], capture_output=True, text=True, env=full_env,
                          cwd=cwd, timeout=timeout)


def dump(name):
    return os.path.join(CPUID_DIR, name)


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="xb-cli-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()


def main():
    global BINARY, CPUID_DIR
    if len(sys.argv) < 3:
        sys.exit("usage: test.py XSTATE_BENCH CPUID_DIR [unittest args]")
    BINARY, CPUID_DIR = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    unittest.main(argv=[sys.argv[0], *sys.argv[3:]], verbosity=2)
