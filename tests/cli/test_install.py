"""test_install.py - `cmake --install` into a temporary prefix: the program, its companions
(found there, not in the build tree), the module's sources (built there against Debian's
headers when they are installed), the scripts with a command each, a man page per command
written from the option tables (rendered by groff without a warning, listing every option
--help lists) and the bash completion (sourced into bash and asked)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

CMAKE, BUILD = None, None


def options_of(text):
    """The long options a help text (entries at column 2) or a rendered man page (column 7)
    names as entries; not the ones their descriptions mention."""
    return set(re.findall(r"^ {2,7}(?:-\w, )?(--[a-z][a-z0-9-]*)", text, re.M))


class Install(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prefix = tempfile.mkdtemp(prefix="xb-install-")
        cls.result = subprocess.run([CMAKE, "--install", BUILD, "--prefix", cls.prefix], capture_output=True,
                                    text=True)
        cls.bin = os.path.join(cls.prefix, "bin", "xstate-bench")
        listing = subprocess.run([cls.bin, "help"], capture_output=True, text=True).stdout
        cls.commands = re.findall(r"^  (\w+) ", listing, re.M)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.prefix, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.prefix, *parts)

    def xb(self, *args, **kw):
        return subprocess.run([self.bin, *args], capture_output=True, text=True, cwd=self.prefix, **kw)

    def test_files(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        self.assertGreaterEqual(len(self.commands), 10, self.commands)
        for name in ["xstate-bench", "xstate-bench-build-module", "xstate-bench-lab", "xstate-bench-compare-kernels",
                     "xstate-bench-build-kernel", "xstate-bench-compare-series"]:
            self.assertTrue(os.access(self.path("bin", name), os.X_OK), name)
        for name in ["xstate-bench-fresh", "xstate-guest.elf"]:
            self.assertTrue(os.path.isfile(self.path("libexec", "xstate-bench", name)), name)
        for f in ["Kbuild", "build.sh", "xb_device.c", "xstate_bench_uapi.h", "compat/stdint.h"]:
            self.assertTrue(os.path.isfile(self.path("share", "xstate-bench", "host", "module", f)), f)
        self.assertTrue(os.access(self.path("share", "xstate-bench", "host", "module", "build.sh"), os.X_OK))
        self.assertTrue(os.path.isfile(self.path("share", "xstate-bench", "kernels", "xsave_bench.c")))
        for f in ["lab.sh", "compare-kernels.sh", "boot.sh", "build-kernel.sh", "run-kernel.sh", "compare-series.py"]:
            self.assertTrue(os.access(self.path("share", "xstate-bench", "scripts", "lab", f), os.X_OK), f)
        self.assertTrue(os.path.isfile(self.path("share", "xstate-bench", "scripts", "lab", "kernel.config")))
        pages = sorted(os.listdir(self.path("share", "man", "man1")))
        self.assertEqual(pages, sorted(["xstate-bench.1"] + [f"xstate-bench-{c}.1" for c in self.commands]))
        self.assertTrue(os.path.isfile(self.path("share", "bash-completion", "completions", "xstate-bench")))

    def test_companions_found_in_the_install(self):
        files = json.loads(self.xb("probe", "--json").stdout)["files"]
        libexec = os.path.realpath(self.path("libexec", "xstate-bench"))
        self.assertEqual(os.path.realpath(files["guest_payload"]), os.path.join(libexec, "xstate-guest.elf"))
        self.assertEqual(os.path.realpath(files["fresh"]), os.path.join(libexec, "xstate-bench-fresh"))

    def test_installed_program_runs(self):
        r = self.xb("run", "--quick", "--quiet", "--db", self.path("r.db"), "--filter", "^native/loop/empty/none$")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("run id: 1", r.stdout)
        self.assertEqual(self.xb("-h").returncode, 0)
        self.assertEqual(self.xb("help", "run").stdout, self.xb("run", "--help").stdout)

    def test_man_pages(self):
        if not shutil.which("groff"):
            self.skipTest("no groff (groff-base)")
        for c in [None] + self.commands:
            page = self.path("share", "man", "man1", f"xstate-bench-{c}.1" if c else "xstate-bench.1")
            r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", page], capture_output=True, text=True,
                               env={**os.environ, "MANWIDTH": "80"})
            self.assertEqual(r.stderr, "", page)
            text = re.sub(r".\x08", "", r.stdout)  # no overstrike
            if c is None:
                for cmd in self.commands:
                    self.assertIn(f"xstate-bench-{cmd}(1)", text)
                continue
            self.assertIn(f"xstate-bench-{c} - ", text)
            options = text[text.index("OPTIONS"):]
            self.assertEqual(options_of(options), options_of(self.xb(c, "--help").stdout), c)

    def complete(self, *words):
        """What the installed completion offers for the last of @words."""
        script = self.path("share", "bash-completion", "completions", "xstate-bench")
        line = " ".join(f"'{w}'" for w in words)
        r = subprocess.run(["bash", "-c", f'source "{script}"; COMP_WORDS=(xstate-bench {line}); '
                                          f'COMP_CWORD={len(words)}; _xstate_bench; printf "%s\\n" "${{COMPREPLY[@]}}"'],
                           capture_output=True, text=True, cwd=self.prefix)
        self.assertEqual(r.stderr, "")
        return set(r.stdout.split())

    def test_completion(self):
        self.assertEqual(self.complete(""), set(self.commands) | {"--help", "--version"})
        self.assertEqual(self.complete("run", "--su"), {"--suite"})
        self.assertEqual(self.complete("run", "--suite", ""), {"native", "kvm", "guest", "kapi", "components", "all"})
        self.assertEqual(self.complete("run", "--progress", ""), {"auto", "line", "plain", "none"})
        self.assertEqual(self.complete("export", "--format", ""), {"json", "csv"})
        self.assertEqual(self.complete("help", "r"), {"run", "report", "review"})
        self.assertEqual(self.complete("run", "--label", ""), set())  # an argument: nothing to offer
        self.assertIn("bin", self.complete("probe", "--cpuid-dump", ""))  # a FILE: paths
        self.assertEqual(self.complete("report", "--out", "li"), {"libexec"})  # a DIR: directories

    def test_scripts(self):
        r = subprocess.run([self.path("bin", "xstate-bench-lab"), "--help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("usage: lab.sh run", r.stdout)
        r = subprocess.run([self.path("bin", "xstate-bench-compare-kernels"), "--help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("usage: compare-kernels.sh", r.stdout)
        for name, usage in (("xstate-bench-build-kernel", "usage: build-kernel.sh"),
                            ("xstate-bench-compare-series", "usage: compare-series.py")):
            r = subprocess.run([self.path("bin", name), "--help"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(usage, r.stdout)

    def test_module_from_the_installed_sources(self):
        headers = sorted(d for d in os.listdir("/usr/src") if re.fullmatch(r"linux-headers-[\d.-]+-amd64", d)) \
            if os.path.isdir("/usr/src") else []
        if not headers:
            self.skipTest("no Debian linux-headers-*-amd64 in /usr/src (install-deps.sh installs them)")
        with tempfile.TemporaryDirectory(prefix="xb-module-") as work:
            r = subprocess.run([self.path("bin", "xstate-bench-build-module"), "--kdir",
                                os.path.join("/usr/src", headers[-1]), "--werror"],
                               capture_output=True, text=True, cwd=work, timeout=600)
            self.assertEqual(r.returncode, 0, r.stdout[-3000:] + r.stderr[-3000:])
            self.assertTrue(os.path.isfile(os.path.join(work, "xstate-bench-module", "xstate_bench.ko")))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: test_install.py CMAKE BUILD_DIR [unittest args]")
    CMAKE, BUILD = sys.argv[1], os.path.abspath(sys.argv[2])
    unittest.main(argv=[sys.argv[0], *sys.argv[3:]], verbosity=2)
