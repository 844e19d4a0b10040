"""The learned knapsack policy against the ratio greedy and the pilot method, on Pisinger's
classes, gaps to the proven optimum solved in the same run.

    python benchmarks/knapsack_learned.py                       # shipped checkpoint
    python benchmarks/knapsack_learned.py --checkpoint run/knapsack_imitation.pt --count 32
    python benchmarks/knapsack_learned.py --quick

For each class (uncorrelated, weakly and strongly correlated, subset-sum) and size (100, 200,
500 items; capacity half the total weight), ``--count`` seeded instances: OR-Tools proves the
optimum, then the greedy (with best single item), the pilot method (at every step the item
whose greedy completion is worth most) and the ``--learned`` methods (``gnn``: the policy's
greedy rollout; ``gnn:starts=N``: multi-start) run batched. Writes results/NAME.json.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from _common import hardware, save

from cosolve.methods import Settings
from cosolve.problems import knapsack
from cosolve.solve import solve

CLASSES = ("uncorrelated", "weak", "strong", "subset")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", default=None)
    parser.add_argument("--count", type=int, default=32)
    parser.add_argument("--sizes", nargs="+", default=["100", "200", "500"])
    parser.add_argument("--classes", nargs="+", default=list(CLASSES), choices=CLASSES)
    parser.add_argument("--learned", default="gnn,gnn:starts=16", help="learned methods, comma-separated")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="4 instances of 100 items per class")
    parser.add_argument("--name", default="knapsack_learned", help="result file name (results/NAME.json)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.quick:
        args.count, args.sizes = 4, ["100"]
    suffix = f":checkpoint={args.checkpoint}" if args.checkpoint else ""
    methods = ["greedy", "pilot"] + [f"{method}{suffix}" for method in args.learned.split(",")]
    rows, gaps = {}, {method: [] for method in methods}
    for size in args.sizes:
        for kind in args.classes:
            instances = knapsack.generate(f"{kind}{size}", args.count, seed=2026)
            exact = solve("knapsack", instances, "ortools", Settings(time_limit_s=60.0, workers=1))
            if any(result.status != "optimal" for result in exact):
                raise SystemExit(f"{kind}{size}: OR-Tools did not prove every optimum")
            optimum = np.array([result.objective for result in exact], dtype=float)
            row = {"optimum_seconds": float(np.mean([r.runtime_s for r in exact]))}
            for method in methods:
                begin = time.perf_counter()
                results = solve("knapsack", instances, method, Settings(workers=1))
                seconds = (time.perf_counter() - begin) / len(instances)
                for instance, result in zip(instances, results):
                    knapsack.check(instance, result.solution)
                gap = 100.0 * (1.0 - np.array([r.objective for r in results]) / np.maximum(optimum, 1))
                gaps[method] += gap.tolist()
                row[method.removesuffix(suffix)] = {"gap": float(gap.mean()), "seconds_per_instance": seconds}
            rows[f"{kind}{size}"] = row
            cells = ", ".join(f"{m} {v['gap']:.3f}%" for m, v in row.items() if isinstance(v, dict))
            print(f"{kind}{size} x{args.count}: {cells}", flush=True)
            overall = {method.removesuffix(suffix): float(np.mean(values)) for method, values in gaps.items()}
            payload = {"hardware": hardware("cpu"), "count": args.count, "rows": rows, "overall": overall}
            path = save(args.name, payload)  # after every set: a cut run keeps what it measured
    print("overall: " + ", ".join(f"{m} {g:.3f}%" for m, g in overall.items()))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
