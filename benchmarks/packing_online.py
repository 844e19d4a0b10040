"""Online bin packing benchmark: the learned online policy beside first fit and best fit.

    python benchmarks/packing_online.py                       # every set below
    python benchmarks/packing_online.py --sets random_u120 --count 20
    python benchmarks/packing_online.py --checkpoint run/binpacking_online.pt --out packing_online_run

Every method packs the items in the file's (or the generator's) order, each on arrival. Sets:
the shipped Falkenauer u120/u250/u500/u1000 instances (OR-Library binpack1-4, the "OR1-OR4"
online sets of FunSearch), seeded random Falkenauer u120 and u250 streams (``--count`` each,
seeds unseen in training) and Weibull streams of 5,000 items (``--weibull-count``; the recipe of
FunSearch's "Weibull 5k" set, drawn afresh: capacity 100, weights 45 * Weibull(3) rounded).
Per set and method: mean bins, mean % above the L1 bound (FunSearch's measure), mean bins
saved against best fit, instances where it used fewer / more bins than best fit, seconds per
instance (each set runs as one batch on one CPU thread). Every packing passes the independent
checker. Writes results/<OUT>.json.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from _common import hardware, save

from cosolve.instances import index, path_of
from cosolve.methods import Settings
from cosolve.problems import binpacking
from cosolve.solve import solve

SHIPPED = {f"falkenauer_u{n}": f"_u{n}_" for n in (120, 250, 500, 1000)}
RANDOM = {"random_u120": "u120", "random_u250": "u250", "weibull5000": "weibull5000"}
DEFAULT_SETS = [*RANDOM, *SHIPPED]


def load(name: str, args: argparse.Namespace) -> list[binpacking.Instance]:
    if name in RANDOM:
        count = args.weibull_count if name.startswith("weibull") else args.count
        return binpacking.generate(RANDOM[name], count, seed=4242)
    names = [n for n, entry in index("binpacking").items() if entry["set"] == "falkenauer_u" and SHIPPED[name] in n]
    return [binpacking.read(path_of("binpacking", n)) for n in sorted(names)]


def run_set(name: str, methods: list[str], settings: Settings, args: argparse.Namespace) -> dict:
    instances = load(name, args)
    l1 = np.array([binpacking.l1(i.weights, i.capacity) for i in instances], dtype=float)
    bins, seconds = {}, {}
    for method in methods:
        begin = time.perf_counter()
        results = solve("binpacking", instances, method, settings)  # checked by the independent checker
        seconds[method] = (time.perf_counter() - begin) / len(instances)
        bins[method] = np.array([r.objective for r in results])
    rows = {}
    for method in methods:
        rows[method] = {
            "mean_bins": float(bins[method].mean()),
            "mean_excess_over_l1_percent": float(np.mean(100.0 * (bins[method] / l1 - 1.0))),
            "bins_saved_vs_best_fit": float(np.mean(bins["rule:bf"] - bins[method])),
            "fewer_than_best_fit": int(np.sum(bins[method] < bins["rule:bf"])),
            "more_than_best_fit": int(np.sum(bins[method] > bins["rule:bf"])),
            "seconds_per_instance": seconds[method],
        }
    cells = ", ".join(
        f"{m} {r['mean_excess_over_l1_percent']:.2f}% ({r['bins_saved_vs_best_fit']:+.2f} bins vs bf)"
        for m, r in rows.items()
    )
    print(f"{name} x{len(instances)}: {cells}", flush=True)
    return {"count": len(instances), "mean_l1": float(l1.mean()), "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", default=DEFAULT_SETS, choices=[*RANDOM, *SHIPPED])
    parser.add_argument("--count", type=int, default=100, help="streams per random u set")
    parser.add_argument("--weibull-count", type=int, default=5)
    parser.add_argument("--checkpoint", help="the online policy to measure (default: the shipped one)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default="packing_online", help="results/<OUT>.json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    learned = f"gnn:online:checkpoint={args.checkpoint}" if args.checkpoint else "gnn:online"
    methods = ["rule:ff", "rule:bf", learned]
    settings = Settings(device="cpu")
    report = {
        "hardware": hardware("cpu"),
        "methods": methods,
        "sets": {name: run_set(name, methods, settings, args) for name in args.sets},
    }
    print(f"wrote {save(args.out, report)}")


if __name__ == "__main__":
    main()
