"""planted_night.py - nights for the nightly tests, written as the exports `nightly --import`
takes. A planted night keeps what real runs' exports hold (the machine, kernel, cases, units,
counters and, per case, the median level of each per-operation time over the real runs) and
replaces their noise by the noise model of tests/unit/noise_model.h, smaller: a machine-wide
move per night (0.5%), a run effect per case (0.5%), a drift per round (0.3%) and sample noise
(0.5%, one sample in twenty five times wider). The evidence of what else ran is taken out, so
that a planted night is quiet by construction: on a shared machine the samples of a real run
with its evidence stripped are not quiet, only unlabelled. Changes are planted as factors on
chosen cases."""
import copy
import datetime
import json
import math
import statistics

# the per-operation times of an entry: they scale with a case's cost
SCALED = ("real_time", "cpu_time", "ticks_per_op", "ns_per_op", "core_cycles_per_op", "cpu_ns_per_op",
          "ticks_per_op_mean")
# the evidence of disturbance (results/disturbance.h)
EVIDENCE = ("run_delay_ms", "steal_ms", "involuntary_switches")
MACHINE, RUN_EFFECT, ROUND_DRIFT, SAMPLE = 0.005, 0.005, 0.003, 0.005


def load(path):
    with open(path) as f:
        return json.load(f)


def iterations(doc):
    return [b for b in doc["benchmarks"] if b.get("run_type") == "iteration"]


def levels(exports):
    """Per case and per scaled time: the median over the exports of each one's median."""
    per_export = []
    for doc in exports:
        samples = {}
        for b in iterations(doc):
            if b.get("error_occurred"):
                continue
            for key in SCALED:
                if key in b:
                    samples.setdefault((b["run_name"], key), []).append(b[key])
        per_export.append({k: statistics.median(v) for k, v in samples.items()})
    keys = set().union(*per_export)
    return {k: statistics.median([e[k] for e in per_export if k in e]) for k in keys}


def plant(template, level, rng, path, date, factors=None):
    """Writes to @path a night shaped like @template (an export) at @level (levels()), started
    at @date (a datetime), each case scaled by factors.get(case, 1); returns @path."""
    factors = factors or {}
    doc = copy.deepcopy(template)
    context = doc["context"]
    context.pop("xstate_bench_disturbed", None)
    context["date"] = date.strftime("%Y-%m-%dT%H:%M:%SZ")
    machine = rng.gauss(0, MACHINE)
    run_effect, round_drift = {}, {}
    doc["benchmarks"] = iterations(doc)
    for b in doc["benchmarks"]:
        for key in EVIDENCE:
            b.pop(key, None)
        if b.get("error_occurred"):
            continue
        case, rnd = b["run_name"], b.get("xstate_bench_round", 0)
        if case not in run_effect:
            run_effect[case] = rng.gauss(0, RUN_EFFECT)
        if (case, rnd) not in round_drift:
            round_drift[(case, rnd)] = rng.gauss(0, ROUND_DRIFT)
        noise = rng.gauss(0, SAMPLE) * (5 if rng.random() < 0.05 else 1)
        f = math.exp(machine + run_effect[case] + round_drift[(case, rnd)] + noise) * factors.get(case, 1)
        for key in SCALED:
            if key in b:
                b[key] = level[(case, key)] * f
    with open(path, "w") as out:
        json.dump(doc, out)
    return path


def next_day(date, days=1):
    return date + datetime.timedelta(days=days)
