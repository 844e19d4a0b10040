"""The learned TSP policy against OR-Tools guided local search given the same total wall time.

    python benchmarks/tsp_equal_time.py                      # 100 random TSP100, shipped policy
    python benchmarks/tsp_equal_time.py --methods gnn:2opt,gnn:aug:2opt --count 100

Each learned method solves all instances in one batch; its total wall time T is then given
to OR-Tools as T / count seconds per instance (the same total). Gaps are to LKH-3 (``elkai``,
``pip install .[bench]``), solved in the same run. Writes results/tsp_equal_time.json.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from _common import hardware, save
from routing import lkh_lengths

from cosolve.methods import Settings
from cosolve.problems import tsp
from cosolve.solve import solve


def timed_solve(instances: list[tsp.Instance], method: str, settings: Settings) -> tuple[np.ndarray, float]:
    """Tour lengths ``[N]`` (each checked) and the total wall time of one batched call."""
    begin = time.perf_counter()
    results = solve("tsp", instances, method, settings)
    seconds = time.perf_counter() - begin
    for instance, result in zip(instances, results):
        tsp.check(instance, result.solution)
    return np.array([r.objective for r in results]), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--methods", default="gnn:2opt,gnn:aug:2opt")
    parser.add_argument("--size", default="100")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="10 instances, gnn:2opt only")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.quick:
        args.count, args.methods = 10, "gnn:2opt"
    instances = tsp.generate(args.size, args.count, seed=7)
    reference = lkh_lengths(instances)
    if reference is None:
        raise SystemExit("needs elkai for the LKH-3 reference: pip install .[bench]")
    lkh = reference[0]
    rows = []
    for method in args.methods.split(","):
        lengths, seconds = timed_solve(instances, method, Settings(workers=1))
        budget = seconds / args.count
        ortools, ortools_seconds = timed_solve(instances, "ortools", Settings(time_limit_s=budget, workers=1))
        row = {
            "method": method,
            "gap": float(np.mean(100 * (lengths / lkh - 1))),
            "total_seconds": seconds,
            "ortools_seconds_per_instance": budget,
            "ortools_gap": float(np.mean(100 * (ortools / lkh - 1))),
            "ortools_total_seconds": ortools_seconds,
            "learned_better_on": int(np.sum(lengths < ortools - 1e-9)),
            "ortools_better_on": int(np.sum(ortools < lengths - 1e-9)),
        }
        rows.append(row)
        print(
            f"{method}: {row['gap']:.2f}% in {seconds:.1f} s total | ortools {budget:.3f} s each: "
            f"{row['ortools_gap']:.2f}% in {ortools_seconds:.1f} s | better on {row['learned_better_on']} "
            f"vs {row['ortools_better_on']} of {args.count}",
            flush=True,
        )
    payload = {"hardware": hardware("cpu"), "size": args.size, "count": args.count, "rows": rows}
    print(f"wrote {save('tsp_equal_time', payload)}")


if __name__ == "__main__":
    main()
