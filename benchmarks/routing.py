"""Routing benchmark: TSP and CVRP methods on random sets and on the shipped public
instances, gap to a reference.

    python benchmarks/routing.py                 # TSP100/200/500/1000 + TSPLIB; CVRP100/200/500 + CVRPLIB
    python benchmarks/routing.py --problem tsp   # one problem only
    python benchmarks/routing.py --quick         # the smallest random set and a few files
    python benchmarks/routing.py --sizes 100 200 --count 32 --ortools-seconds 2

Random sets: the reference is solved in the same run by LKH-3 (TSP, ``elkai``, 10 runs per
instance) or PyVRP (CVRP, ``--pyvrp-seconds`` per instance), both from
``pip install .[bench]``; without them, the best solution any method found. Public
instances: the best-known values of instances/<problem>/index.json. Every solution passes
the independent checker. The TSP construction heuristics and 2-opt run batched per set;
OR-Tools gets ``--ortools-seconds`` per instance. Writes results/routing_tsp.json and
results/routing_cvrp.json.
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
from cosolve.problems import cvrp, tsp
from cosolve.solve import solve

TSP_METHODS = ["rule:nearest", "rule:farthest", "rule:cheapest", "rule:nearest:2opt", "rule:farthest:2opt", "ortools"]
CVRP_METHODS = ["savings", "sweep", "ortools", "savings:ls"]
CVRP_COUNTS = {"100": 16, "200": 8, "500": 4}


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


def pyvrp_lengths(instances: list, seconds: float) -> tuple[np.ndarray, float] | None:
    """PyVRP's route costs (``seconds`` per instance), or None when PyVRP is not installed."""
    try:
        import pyvrp  # noqa: F401
    except ImportError:
        return None
    from cosolve.baselines.cvrp_pyvrp import solve_pyvrp

    costs, begin = [], time.perf_counter()
    for instance in instances:
        solution = solve_pyvrp(instance, seconds)
        cvrp.check(instance, solution)
        costs.append(cvrp.evaluate(instance, solution))
    return np.array(costs), (time.perf_counter() - begin) / len(instances)


def run_methods(problem: str, instances: list, methods: list[str], settings: Settings) -> dict[str, dict]:
    rows = {}
    for method in methods:
        begin = time.perf_counter()
        results = solve(problem, instances, method, settings)
        rows[method] = {
            "objectives": [r.objective for r in results],
            "seconds_per_instance": (time.perf_counter() - begin) / len(instances),
        }
    return rows


def learned_methods(
    problem: str, checkpoint: str | None, size: str | None = None, chosen: str | None = None
) -> list[str]:
    """The learned methods to run when a checkpoint is given or ships for ``problem``: the
    ``chosen`` ones (comma-separated), else greedy, greedy + 2-opt and 8-fold augmentation
    (+ 2-opt for TSP); on random TSP100 also the best of augmentation and 16 start nodes (128
    greedy tours per instance)."""
    from cosolve.checkpoint import SHIPPED

    if checkpoint is None and not (SHIPPED / f"{problem}.pt").is_file():
        return []
    suffix = f":checkpoint={checkpoint}" if checkpoint else ""
    if chosen:
        return [f"{method}{suffix}" for method in chosen.split(",")]
    if problem == "cvrp":
        return [f"gnn{suffix}", f"gnn:aug{suffix}"]
    methods = [f"gnn{suffix}", f"gnn:2opt{suffix}", f"gnn:aug{suffix}", f"gnn:aug:2opt{suffix}"]
    return methods + ([f"gnn:aug:starts=16{suffix}"] if size == "100" else [])


def random_sets(problem: str, sizes: list[str], args: argparse.Namespace, settings: Settings) -> dict:
    """Every method on seeded random sets of each size, gaps to the same-run reference."""
    report = {}
    for size in sizes:
        default_count = (CVRP_COUNTS if problem == "cvrp" else {"100": 16, "200": 8, "500": 4}).get(size, 2)
        count = 4 if args.quick else (args.count or default_count)
        module, methods = (cvrp, CVRP_METHODS) if problem == "cvrp" else (tsp, TSP_METHODS)
        methods = methods + learned_methods(problem, args.checkpoint, size, args.learned)
        instances = module.generate(size, count, seed=2026)
        rows = run_methods(problem, instances, methods, settings)
        if problem == "tsp":
            reference, label = lkh_lengths(instances), "lkh (elkai)"
        else:
            reference, label = pyvrp_lengths(instances, args.pyvrp_seconds), f"pyvrp ({args.pyvrp_seconds:g} s)"
        if reference is not None:
            rows[label] = {"objectives": reference[0].tolist(), "seconds_per_instance": reference[1]}
        lengths = np.min([row["objectives"] for row in rows.values()], axis=0)
        for row in rows.values():
            row["gap"] = float(np.mean(100.0 * (np.array(row["objectives"]) / lengths - 1.0)))
        report[f"{problem}{size}"] = {"count": count, "reference": label if reference else "best found", "rows": rows}
        cells = ", ".join(f"{m} {r['gap']:.2f}% ({r['seconds_per_instance']:.2f} s)" for m, r in rows.items())
        print(f"{problem.upper()}{size} x{count}: {cells}", flush=True)
    return report


def public_sets(problem: str, args: argparse.Namespace, settings: Settings) -> dict:
    """Every method on the shipped instances (up to ``--max-nodes``), gaps to best known."""
    size_key = "nodes" if problem == "tsp" else "customers"
    names = [n for n, e in index(problem).items() if e[size_key] <= args.max_nodes]
    names = names[:4] if args.quick else names
    module = tsp if problem == "tsp" else cvrp
    instances = [module.read(path_of(problem, name)) for name in names]
    report = {}
    for method in (TSP_METHODS if problem == "tsp" else CVRP_METHODS) + learned_methods(
        problem, args.checkpoint, chosen=args.learned
    ):
        begin = time.perf_counter()
        results = [solve(problem, [instance], method, settings)[0] for instance in instances]
        report[method] = {
            "gaps": {r.instance: r.gap_percent for r in results},
            "mean_gap": mean(r.gap_percent for r in results),
            "seconds_per_instance": (time.perf_counter() - begin) / len(instances),
        }
        print(f"{problem.upper()} files ({len(instances)}): {method} {report[method]['mean_gap']:.2f}%", flush=True)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problem", choices=["tsp", "cvrp", "both"], default="both")
    parser.add_argument("--sizes", nargs="+", default=None, help="default TSP 100 200 500 1000, CVRP 100 200 500")
    parser.add_argument("--count", type=int, default=None, help="instances per random size (default 16/8/4/2)")
    parser.add_argument("--ortools-seconds", type=float, default=1.0)
    parser.add_argument("--pyvrp-seconds", type=float, default=5.0)
    parser.add_argument("--max-nodes", type=int, default=1002, help="largest public instance to run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--checkpoint", default=None, help="a policy of --problem (default: the shipped one, if any)")
    parser.add_argument("--learned", help="learned methods to run, comma-separated (default: see learned_methods)")
    parser.add_argument("--no-public", action="store_true", help="random sets only")
    parser.add_argument("--name", help="suffix of the result file (routing_<problem>_<name>.json)")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    settings = Settings(time_limit_s=args.ortools_seconds, workers=1)
    for problem in ["tsp", "cvrp"] if args.problem == "both" else [args.problem]:
        default_sizes = ["100", "200", "500", "1000"] if problem == "tsp" else list(CVRP_COUNTS)
        sizes = ["100"] if args.quick else (args.sizes or default_sizes)
        report = {
            "hardware": hardware("cpu"),
            "ortools_seconds": args.ortools_seconds,
            "random": random_sets(problem, sizes, args, settings),
            "public": {} if args.no_public else public_sets(problem, args, settings),
        }
        print(f"wrote {save(f'routing_{problem}' + ('_' + args.name if args.name else ''), report)}")


if __name__ == "__main__":
    main()
