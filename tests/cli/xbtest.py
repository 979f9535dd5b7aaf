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


class OneRunTest(TempDirTest):
    """Tests that share one measured run: setUpClass calls run_once(), whose SQLite database
    (cls.db) lives in a class-wide temporary directory (cls.dir, "{dir}" in the arguments);
    q() queries it."""

    @classmethod
    def run_once(cls, *args):
        cls._class_tmp = tempfile.TemporaryDirectory(prefix="xb-run-")
        cls.dir = cls._class_tmp.name
        cls.db = os.path.join(cls.dir, "run.db")
        cls.result = run("run", "--db", cls.db, *(a.format(dir=cls.dir) for a in args))

    @classmethod
    def tearDownClass(cls):
        cls._class_tmp.cleanup()

    def q(self, sql, *args):
        import sqlite3
        with sqlite3.connect(self.db) as db:
            return db.execute(sql, args).fetchall()


def main():
    global BINARY, CPUID_DIR
    if len(sys.argv) < 3:
        sys.exit("usage: test.py XSTATE_BENCH CPUID_DIR [unittest args]")
    BINARY, CPUID_DIR = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    unittest.main(argv=[sys.argv[0], *sys.argv[3:]], verbosity=2)


# The database backend under test: PostgreSQL when tests/with_postgres.py gave us a server.
PG_ADMIN = os.environ.get("XB_TEST_PG")
BACKEND = "postgresql" if PG_ADMIN else "sqlite"
_databases = 0


def new_db(tmpdir):
    """A URL for a new, empty results database on the backend under test."""
    global _databases
    _databases += 1
    if not PG_ADMIN:
        return os.path.join(tmpdir, f"results-{_databases}.db")
    name = f"xb_{os.getpid()}_{_databases}"
    subprocess.run(["psql", "-X", "-q", "-d", PG_ADMIN, "-c", f"CREATE DATABASE {name}"], check=True,
                   capture_output=True)
    return PG_ADMIN.replace("/postgres?", f"/{name}?")


def _value(text):
    if text == "\\N":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def query(url, sql):
    """Rows of @sql (no parameters) as tuples, on either backend."""
    if not url.startswith("postgresql://"):
        import sqlite3
        with sqlite3.connect(url) as db:
            return db.execute(sql).fetchall()
    r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-P", "null=\\N", "-d", url, "-c", sql],
                       capture_output=True, text=True, check=True)
    return [tuple(_value(v) for v in line.split("\t")) for line in r.stdout.splitlines() if line]
