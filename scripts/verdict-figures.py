#!/usr/bin/python3
"""verdict-figures.py - the figures that say whether compare's verdicts hold on this machine,
from fresh runs of the default native suite (run it alone on the machine: it measures):

  1. A/A: QUIET quiet runs back to back, then LOADED runs with a build of this project
     running beside them (a loop of `cmake --build --clean-first -j2` in a scratch build
     directory); compare of every ordered pair: cases flagged and exit codes.
  2. The quiet pair's medians: the share of cases within 2% in the default metric.
  3. The per-sample spread (IQR% of the samples) of native/save/xsave/avx512/inuse against a
     plain Google Benchmark loop of the same instruction (xstate-bench-minimal-loop),
     interleaved.
  4. The same case's median quiet and loaded, and whether the loaded run was marked.
  5. Power with a three-run baseline: the first three quiet runs as the baseline, the fourth
     with 3% and 5% planted on chosen cases (its export multiplied, imported back).

usage: scripts/verdict-figures.py [--build DIR] [--db FILE] [--quiet N] [--loaded N] [--quick]
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

TIME_FIELDS = ("real_time", "cpu_time", "ticks_per_op", "ns_per_op", "core_cycles_per_op", "ticks_per_op_mean")
CASE = "native/save/xsave/avx512/inuse"


def sh(*args, check=True, **kw):
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    if check and r.returncode not in (0, 1, 3):
        sys.exit(f"{' '.join(args)}: exit {r.returncode}\n{r.stderr}")
    return r


def quantile(v, q):
    v = sorted(v)
    pos = q * (len(v) - 1)
    lo = int(pos)
    return v[lo] if lo + 1 >= len(v) else v[lo] + (pos - lo) * (v[lo + 1] - v[lo])


def iqr_percent(v):
    return 100 * (quantile(v, 0.75) - quantile(v, 0.25)) / quantile(v, 0.5)


class Figures:
    def __init__(self, a):
        self.xb = os.path.join(a.build, "xstate-bench")
        self.loop = os.path.join(a.build, "xstate-bench-minimal-loop")
        self.db = a.db
        self.src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.run_args = ["--quick"] if a.quick else []
        self.tmp = tempfile.mkdtemp(prefix="xb-figures-")

    def run(self, label, *extra):
        r = sh(self.xb, "run", "--db", self.db, "--label", label, *self.run_args, *extra)
        m = re.search(r"run id: (\d+)", r.stdout)
        if not m:
            sys.exit(f"run {label}: no run id\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
        disturbed = re.search(r"DISTURBED: (.*)", r.stdout)
        print(f"  {label}: run {m.group(1)}, exit {r.returncode}" + (f", {disturbed.group(0)}" if disturbed else ""))
        return m.group(1)

    def compare(self, *args):
        r = sh(self.xb, "compare", "--db", self.db, "--format", "json", *args)
        return r.returncode, json.loads(r.stdout)

    def medians(self, run_id, metric):
        _, j = self.compare(*(["--metric", metric] if metric else []), run_id, run_id)
        return {c["id"]: c["base_median"] for c in j["cases"]}

    def samples(self, run_id, case):
        r = sh(self.xb, "export", "--db", self.db, run_id)
        return [b["ns_per_op"] for b in json.loads(r.stdout)["benchmarks"] if b["name"] == case]

    def loaded(self):
        build = os.path.join(self.tmp, "load-build")
        sh("cmake", "-S", self.src, "-B", build, "-DCMAKE_BUILD_TYPE=RelWithDebInfo")
        return subprocess.Popen(["sh", "-c", f"while true; do cmake --build {build} -j2 --clean-first >/dev/null 2>&1; done"],
                                start_new_session=True)

    def aa(self, quiet, loaded):
        print("1. A/A runs")
        runs = [self.run(f"aa-quiet-{i + 1}") for i in range(quiet)]
        load = self.loaded()
        try:
            runs += [self.run(f"aa-loaded-{i + 1}") for i in range(loaded)]
            load_runs = runs[quiet:]
        finally:
            os.killpg(load.pid, 9)
        print("   ordered pairs: cases flagged, exit code")
        for b in runs:
            for n in runs:
                if b == n:
                    continue
                code, j = self.compare(b, n)
                flagged = sum(c["verdict"] in ("regression", "improvement") for c in j["cases"])
                disturbed = j["new"][0].get("disturbed", "")
                print(f"   {b} -> {n}: {flagged} flagged, exit {code}, shift {100 * (j['new'][0]['shift']['ratio'] - 1):+.2f}%"
                      + (f", disturbed: {disturbed[:70]}" if disturbed else ""))
        return runs[:quiet], load_runs

    def agreement(self, a, b):
        print("2. medians of the quiet pair within 2%")
        for metric in (None, "ticks_per_op"):
            ma, mb = self.medians(a, metric), self.medians(b, metric)
            ids = [k for k in ma if k in mb and ma[k] and mb[k] and k != "native/loop/empty/none"]
            within = sum(abs(mb[k] / ma[k] - 1) <= 0.02 for k in ids)
            print(f"   {metric or 'default metric'}: {within} of {len(ids)} ({100 * within / len(ids):.0f}%)")

    def spread(self, rounds=3):
        print(f"3. per-sample IQR% of {CASE}, interleaved with the minimal loop")
        for i in range(rounds):
            rid = self.run(f"iqr-{i + 1}", "--filter", f"^{CASE}$")
            suite = iqr_percent(self.samples(rid, CASE))
            out = os.path.join(self.tmp, f"loop-{i}.json")
            sh("taskset", "-c", str(os.cpu_count() - 1), self.loop, "--benchmark_repetitions=30",
               "--benchmark_min_time=0.02", "--benchmark_filter=^xsave/", f"--benchmark_out={out}",
               "--benchmark_out_format=json")
            with open(out) as f:
                reps = [b["real_time"] / 128 for b in json.load(f)["benchmarks"] if b["run_type"] == "iteration"]
            print(f"   pass {i + 1}: suite {suite:.2f}% (median {quantile(self.samples(rid, CASE), 0.5):.2f} ns), "
                  f"minimal loop {iqr_percent(reps):.2f}% (median {quantile(reps, 0.5):.2f} ns)")

    def quiet_vs_loaded(self, quiet, loaded):
        print(f"4. {CASE} quiet and loaded (default metric)")
        for rid in quiet + loaded:
            m = self.medians(rid, None)[CASE]
            print(f"   run {rid}: median {m:.1f}")

    def power(self, quiet):
        if len(quiet) < 4:
            print("5. power: needs 4 quiet runs")
            return
        print("5. power with a three-run baseline")
        sh(self.xb, "baseline", "--db", self.db, "set", "figures-base", *quiet[:3])
        export = json.loads(sh(self.xb, "export", "--db", self.db, quiet[3]).stdout)
        # the samples, not the aggregates (NAME_median, ...) the export appends
        names = sorted({b["name"] for b in export["benchmarks"] if b.get("run_type") == "iteration"}
                       - {"native/loop/empty/none"})
        rng = random.Random(20261205)
        for shift in (0.03, 0.05, -0.03, -0.05):
            planted = set(rng.sample(names, 10))
            j = json.loads(json.dumps(export))
            for b in j["benchmarks"]:
                if b["name"] in planted and b.get("run_type") == "iteration":
                    for f in TIME_FIELDS:
                        if f in b:
                            b[f] *= 1 + shift
            path = os.path.join(self.tmp, f"planted{shift}.json")
            with open(path, "w") as f:
                json.dump(j, f)
            label = f"planted{shift:+.2f}"
            sh(self.xb, "import", "--db", self.db, "--label", label, path)
            code, out = self.compare("figures-base", label)
            want = "regression" if shift > 0 else "improvement"
            found = [c for c in out["cases"] if c["id"] in planted and c["verdict"] == want]
            claimed = [c for c in out["cases"] if c["id"] in planted and c["detectable"] is not None
                       and c["detectable"] <= abs(shift)]
            others = sum(c["verdict"] in ("regression", "improvement") for c in out["cases"] if c["id"] not in planted)
            dets = sorted(c["detectable"] for c in out["cases"] if c["detectable"] is not None)
            print(f"   {100 * shift:+.0f}% on 10 cases: found {len(found)}; {len(claimed)} claimed they could detect it, "
                  f"{sum(c['verdict'] == want for c in claimed)} of those found; {others} others flagged; exit {code}; "
                  f"median detectable {100 * quantile(dets, 0.5):.1f}%")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build")
    p.add_argument("--db", default="verdict-figures.db")
    p.add_argument("--quiet", type=int, default=4)
    p.add_argument("--loaded", type=int, default=2)
    p.add_argument("--quick", action="store_true", help="--quick runs (a smoke test of this script)")
    a = p.parse_args()
    f = Figures(a)
    try:
        quiet, loaded = f.aa(a.quiet, a.loaded)
        f.agreement(quiet[0], quiet[1])
        f.spread()
        f.quiet_vs_loaded(quiet, loaded)
        f.power(quiet)
    finally:
        shutil.rmtree(f.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
