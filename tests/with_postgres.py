"""with_postgres.py - runs a command against a throwaway PostgreSQL server: initdb into a
temporary directory, a unix socket in that directory only (no TCP), trust authentication;
the command gets the server's admin URL in XB_TEST_PG and the server is stopped and removed
at the end, also when the command fails or this script is interrupted or terminated.

initdb and postgres refuse to run as root, and CI runs as root: then the server runs as the
`postgres` system user (runuser), which owns the temporary directory.

usage: with_postgres.py COMMAND [ARGS...]
"""
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile

PG_BIN = os.environ.get("XB_PG_BIN", "/usr/lib/postgresql/15/bin")
PORT = 5432  # only names the socket file inside our own directory


def as_server_user(argv):
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


class Server:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="xb-pg-")
        self.data = os.path.join(self.dir, "data")
        self.started = False
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)

    def run(self, argv):
        r = subprocess.run(as_server_user(argv), capture_output=True, text=True, cwd=self.dir)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")

    def start(self):
        self.run([f"{PG_BIN}/initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--no-sync", "--no-instructions"])
        options = f"-k {self.dir} -p {PORT} -c listen_addresses='' -c max_connections=40"
        self.started = True
        self.run([f"{PG_BIN}/pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"),
                  "-w", "-t", "60", "-o", options, "start"])

    def url(self, database="postgres"):
        return f"postgresql:///{database}?host={self.dir}&port={PORT}&user=postgres"

    def stop(self):
        try:
            if self.started:
                subprocess.run(as_server_user([f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "immediate",
                                               "-w", "stop"]), capture_output=True, cwd=self.dir)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def terminate(signum, frame):
    raise SystemExit(128 + signum)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    server = Server()
    child = None
    try:
        server.start()
        env = dict(os.environ, XB_TEST_PG=server.url())
        child = subprocess.Popen(sys.argv[1:], env=env)
        return child.wait()
    finally:
        if child and child.poll() is None:
            child.kill()
            child.wait()
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
