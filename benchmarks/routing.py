"""Routing benchmark: TSP methods on random sets and on TSPLIB, gap to a reference.

    python benchmarks/routing.py                 # random TSP100/200/500/1000 + TSPLIB up to 1,000 nodes
    python benchmarks/routing.py --quick         # TSP100 and a few TSPLIB files
    python benchmarks/routing.py --sizes 100 200 --count 32 --ortools-seconds 2

Random sets: the reference is LKH-3 (``elkai``, ``pip install .[bench]``) solved in the same
run (10 runs per instance); without it, the best tour any method found. TSPLIB: the proven
optima of instances/tsp/index.json. Every tour passes the independent checker. Methods run
batched per set where they can (the construction heuristics and 2-opt); OR-Tools gets
``--ortools-seconds`` per instance. Writes results/routing_tsp.json.
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
from cosolve.problems import tsp
from cosolve.solve import solve

TSP_METHODS = ["rule:nearest", "rule:farthest", "rule:cheapest", "rule:nearest:2opt", "rule:farthest:2opt", "ortools"]


def lkh_lengths(instances: list[tsp.Instance]) -> tuple[np.ndarray, float] | None:
    """LKH-3 tour lengths via elkai (integer weights: unit-square distances x 1e6), or None."""
    try:
        import elkai
    except ImportError:
        return None
    lengths, begin = [], time.perf_counter()
    for instance in instances:
        tour = elkai.DistanceMatrix(np.rint(instance.distances * 1e6).astype(np.int64).tolist()).solve_tsp(runs=10)
        solution = tsp.Solution(np.asarray(tour[:-1], dtype=np.int64))
        tsp.check(instance, solution)
        lengths.append(tsp.evaluate(instance, solution))
    return np.array(lengths), (time.perf_counter() - begin) / len(instances)


def run_methods(instances: list[tsp.Instance], methods: list[str], settings: Settings) -> dict[str, dict]:
    rows = {}
    for method in methods:
        begin = time.perf_counter()
        results = solve("tsp", instances, method, settings)
        rows[method] = {
            "objectives": [r.objective for r in results],
            "seconds_per_instance": (time.perf_counter() - begin) / len(instances),
        }
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["100", "200", "500", "1000"])
    parser.add_argument("--count", type=int, default=None, help="instances per random size (default 16/8/4/2)")
    parser.add_argument("--ortools-seconds", type=float, default=1.0)
    parser.add_argument("--max-nodes", type=int, default=1002, help="largest TSPLIB instance to run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    sizes = ["100"] if args.quick else args.sizes
    settings = Settings(time_limit_s=args.ortools_seconds, workers=1)
    report: dict = {"hardware": hardware("cpu"), "ortools_seconds": args.ortools_seconds, "random": {}, "tsplib": {}}
    for size in sizes:
        default_count = {"100": 16, "200": 8, "500": 4}.get(size, 2)
        count = 4 if args.quick else (args.count or default_count)
        instances = tsp.generate(size, count, seed=2026)
        rows = run_methods(instances, TSP_METHODS, settings)
        reference = lkh_lengths(instances)
        if reference is not None:
            reference_lengths, lkh_seconds = reference
            rows["lkh (elkai)"] = {"objectives": reference_lengths.tolist(), "seconds_per_instance": lkh_seconds}
        else:
            reference_lengths = np.min([row["objectives"] for row in rows.values()], axis=0)
        for row in rows.values():
            row["gap"] = float(np.mean(100.0 * (np.array(row["objectives"]) / reference_lengths - 1.0)))
        report["random"][f"tsp{size}"] = {
            "count": count,
            "reference": "lkh" if reference else "best found",
            "rows": rows,
        }
        cells = ", ".join(f"{m} {r['gap']:.2f}% ({r['seconds_per_instance']:.2f} s)" for m, r in rows.items())
        print(f"TSP{size} x{count}: {cells}", flush=True)
    names = [n for n, e in index("tsp").items() if e["nodes"] <= args.max_nodes]
    if args.quick:
        names = names[:4]
    instances = [tsp.read(path_of("tsp", name)) for name in names]
    for method in TSP_METHODS:
        begin = time.perf_counter()
        results = [solve("tsp", [instance], method, settings)[0] for instance in instances]
        report["tsplib"][method] = {
            "gaps": {r.instance: r.gap_percent for r in results},
            "mean_gap": mean(r.gap_percent for r in results),
            "seconds_per_instance": (time.perf_counter() - begin) / len(instances),
        }
        print(
            f"TSPLIB ({len(instances)} instances, <= {args.max_nodes} nodes): {method} "
            f"{report['tsplib'][method]['mean_gap']:.2f}%",
            flush=True,
        )
    path = save("routing_tsp", report)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
