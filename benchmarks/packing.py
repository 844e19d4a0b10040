"""Bin packing benchmark: the fit rules and CP-SAT on the shipped public sets and on random sets.

    python benchmarks/packing.py                                  # every set, CP-SAT 2 s per instance
    python benchmarks/packing.py --cpsat-seconds 10 --sets falkenauer_u120 --methods cpsat
    python benchmarks/packing.py --quick                          # 4 instances per set

Sets: the shipped Falkenauer u (80) and t (80), Hard28 (28) and Scholl class 3 (10) instances,
whose reference is the proven optimum of instances/binpacking/index.json, and seeded random
Falkenauer u120 and u250 sets (``--count`` each), whose reference is the fewest bins any method
found in the run. Per set and method: mean bins, mean gap to the reference (%), the instances
solved to a proven optimum (bins equal to the optimum, or to a lower bound: L2 or CP-SAT's), and
seconds per instance (the rules run batched per set). Also per set: mean L1 and L2, and how
often L2 equals the reference. Every packing passes the independent checker. Writes
results/packing.json.
"""

from __future__ import annotations

import argparse
import time
from statistics import mean

import numpy as np
import torch
from _common import hardware, save

from cosolve.instances import index, path_of
from cosolve.methods import Settings
from cosolve.problems import binpacking
from cosolve.solve import solve

METHODS = ["rule:nf", "rule:ff", "rule:bf", "rule:wf", "rule:ffd", "rule:bfd", "cpsat"]
SHIPPED = {
    "falkenauer_u": lambda name, entry: entry["set"] == "falkenauer_u",
    "falkenauer_u120": lambda name, entry: "_u120_" in name,
    "falkenauer_t": lambda name, entry: entry["set"] == "falkenauer_t",
    "hard28": lambda name, entry: entry["set"] == "hard28",
    "scholl_3": lambda name, entry: entry["set"] == "scholl_3",
}
RANDOM = {"random_u120": "u120", "random_u250": "u250"}
DEFAULT_SETS = ["falkenauer_u", "falkenauer_t", "hard28", "scholl_3", "random_u120", "random_u250"]


def load(name: str, count: int, quick: bool) -> tuple[list[binpacking.Instance], list[int] | None]:
    """The instances of a set and their proven optima (``None`` for random sets)."""
    if name in RANDOM:
        return binpacking.generate(RANDOM[name], 4 if quick else count, seed=2026), None
    names = [n for n, entry in index("binpacking").items() if SHIPPED[name](n, entry)]
    names = names[:4] if quick else names
    return [binpacking.read(path_of("binpacking", n)) for n in names], [
        index("binpacking")[n]["best_known"] for n in names
    ]


def run_set(name: str, methods: list[str], settings: Settings, args: argparse.Namespace) -> dict:
    instances, optima = load(name, args.count, args.quick)
    bins, bounds, seconds = {}, {}, {}
    lower = np.array([binpacking.l2(i.weights, i.capacity) for i in instances])
    for method in methods:
        begin = time.perf_counter()
        if method.startswith("rule:"):  # batched: sizes differ within a shipped set, solve() groups them
            results = solve("binpacking", instances, method, settings)
        else:
            results = [solve("binpacking", [instance], method, settings)[0] for instance in instances]
        seconds[method] = (time.perf_counter() - begin) / len(instances)
        bins[method] = np.array([r.objective for r in results])
        bounds[method] = np.array([r.bound for r in results])
        lower = np.maximum(lower, bounds[method])
    reference = np.array(optima) if optima is not None else np.min(list(bins.values()), axis=0)
    rows = {}
    for method in methods:
        rows[method] = {
            "mean_bins": float(bins[method].mean()),
            "mean_gap_percent": float(np.mean(100.0 * (bins[method] / reference - 1.0))),
            "optimal": int(np.sum(bins[method] == (reference if optima is not None else lower))),
            "proven_optimal": int(np.sum(bins[method] <= bounds[method])),
            "seconds_per_instance": seconds[method],
        }
    l1 = [binpacking.l1(i.weights, i.capacity) for i in instances]
    l2 = [binpacking.l2(i.weights, i.capacity) for i in instances]
    report = {
        "count": len(instances),
        "reference": "proven optimum (index.json)" if optima is not None else "fewest bins found in this run",
        "mean_reference_bins": float(reference.mean()),
        "mean_l1": mean(l1),
        "mean_l2": mean(l2),
        "l2_equals_reference": int(np.sum(np.array(l2) == reference)),
        "rows": rows,
    }
    cells = ", ".join(f"{m} {r['mean_gap_percent']:.2f}% ({r['optimal']} opt, {r['seconds_per_instance']:.3f} s)"
                      for m, r in rows.items())  # fmt: skip
    print(f"{name} x{len(instances)}: {cells}", flush=True)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", default=DEFAULT_SETS, choices=[*SHIPPED, *RANDOM])
    parser.add_argument("--methods", nargs="+", default=METHODS)
    parser.add_argument("--cpsat-seconds", type=float, default=2.0, help="CP-SAT time limit per instance")
    parser.add_argument("--workers", type=int, default=1, help="CP-SAT workers")
    parser.add_argument("--count", type=int, default=20, help="instances per random set")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default="packing", help="results/<OUT>.json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    settings = Settings(time_limit_s=args.cpsat_seconds, workers=args.workers, device="cpu")
    report = {
        "hardware": hardware("cpu"),
        "cpsat_seconds": args.cpsat_seconds,
        "cpsat_workers": args.workers,
        "sets": {name: run_set(name, args.methods, settings, args) for name in args.sets},
    }
    print(f"wrote {save(args.out, report)}")


if __name__ == "__main__":
    main()
